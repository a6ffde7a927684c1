/**
 * The wire: every message as a record of one sealed interface, Kryo-encoded with registration
 * required, in frames of magic, version and length; the mutual HMAC handshake that opens
 * every connection; content-addressed jar storage. Depends on Netty and Kryo only (and the core's
 * {@code ShippedJob}).
 */
package io.mapreduce.netty.protocol;
