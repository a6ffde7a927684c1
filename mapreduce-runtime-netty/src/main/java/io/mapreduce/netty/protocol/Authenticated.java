package io.mapreduce.netty.protocol;

/**
 * The user event fired down a pipeline once its connection is authenticated: the application
 * handler may speak from then on.
 *
 * @param peer what the peer called itself (server side), or the server's address (client side)
 */
public record Authenticated(String peer) {}
