/**
 * The cluster runtime over Netty: {@code protocol} (messages, frames, the handshake), {@code master}
 * (a Netty-free state machine and the daemon around it), {@code worker} (task slots, the shuffle
 * server and fetcher) and {@code client} (the {@code cluster} engine). Depends on mapreduce-core,
 * Netty, Kryo and Guava; nothing here is API except what the command line starts.
 */
package io.mapreduce.netty;
