/**
 * The cluster runtime over Netty (master, workers, protocol, shuffle between machines). Not built
 * yet: this module is a placeholder until issue 4; the embedded engine in mapreduce-core is the
 * only engine today.
 */
package io.mapreduce.netty;
