package io.mapreduce.netty.protocol;

/**
 * The user event fired down a pipeline when its handshake fails, just before the connection
 * closes: the application handler never saw the peer speak, and may say why it is gone.
 *
 * @param reason one line: what was wrong (the peer's words, when it refused us)
 */
public record HandshakeFailed(String reason) {}
