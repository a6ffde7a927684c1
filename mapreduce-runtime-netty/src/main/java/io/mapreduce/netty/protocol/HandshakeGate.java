package io.mapreduce.netty.protocol;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the connections from one address that are still in their handshake, per listening port:
 * a peer that knows nothing can hold at most {@link #MAX_PER_ADDRESS} of them (each for at most
 * the handshake's ten seconds, in at most a kilobyte of buffer), and connections past that are
 * closed before anything is read. Authenticated connections do not count. Netty-free; thread-safe.
 */
final class HandshakeGate {
  /**
   * Generous for honest peers (a machine's workers and clients connect at once, each handshake
   * takes milliseconds), small beside what an event loop and a file-descriptor budget hold.
   */
  static final int MAX_PER_ADDRESS = 32;

  private final int max;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  HandshakeGate(int max) {
    this.max = max;
  }

  /**
   * Takes a slot for a connection from {@code address}.
   *
   * @return what releases it (once, however often it runs), or null when the address is at its cap
   */
  Runnable enter(InetAddress address) {
    boolean[] taken = {false};
    open.compute(address, (a, n) -> {
      int now = n == null ? 0 : n;
      if (now >= max) {
        return now;
      }
      taken[0] = true;
      return now + 1;
    });
    if (!taken[0]) {
      refused.incrementAndGet();
      return null;
    }
    java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
      }
    };
  }

  /** Connections refused so far, for the log. */
  long refused() {
    return refused.get();
  }

  /** Connections from this address in their handshake now. */
  int inHandshake(InetAddress address) {
    return open.getOrDefault(address, 0);
  }
}
