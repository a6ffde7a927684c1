/**
 * The master: {@code MasterState}, a single-threaded state machine with no Netty types, fed events
 * and an injected clock; the scheduling policies; the daemon that adapts connections to it; the
 * status page.
 */
package io.mapreduce.netty.master;
