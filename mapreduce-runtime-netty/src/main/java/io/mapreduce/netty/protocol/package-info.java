/**
 * The wire: every message as a record of one sealed interface, Kryo-encoded with registration
 * required and a bounded cost, in frames of magic, version and length; the mutual HMAC handshake
 * that opens every connection, read alone in a fixed layout before anything else is decoded; the
 * sealed records (AES-256-GCM) that encrypt and authenticate every byte after it; content-addressed jar storage. Depends on
 * Netty and Kryo only (and the core's {@code ShippedJob}).
 */
package io.mapreduce.netty.protocol;
