package io.mapreduce.benchmarks;

/**
 * SplitMix64 (Steele, Lea and Flood), written out here so that generated data is the same on
 * every JDK: the JDK's generators are allowed to change their algorithms between releases.
 */
final class SplitMix64 {
  private long state;

  SplitMix64(long seed) {
    this.state = seed;
  }

  long nextLong() {
    long z = (state += 0x9e3779b97f4a7c15L);
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), bound &gt; 0. Slightly biased for huge bounds, which is fine here. */
  int nextInt(int bound) {
    return (int) ((nextLong() >>> 33) * bound >>> 31);
  }

  /** Uniform in [from, to], inclusive. */
  int nextInt(int from, int to) {
    return from + nextInt(to - from + 1);
  }
}
