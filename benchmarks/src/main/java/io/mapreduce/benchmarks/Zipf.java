package io.mapreduce.benchmarks;

/**
 * Samples ranks {@code 0..n-1} with probability proportional to {@code 1/(rank+1)^s}, by binary
 * search of the cumulative distribution: word frequencies of natural text follow this law with
 * {@code s} close to 1.
 */
final class Zipf {
  private final double[] cdf;

  Zipf(int n, double s) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive but was " + n);
    }
    cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
  }

  int sample(SplitMix64 random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] <= u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
