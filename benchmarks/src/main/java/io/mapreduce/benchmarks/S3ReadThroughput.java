package io.mapreduce.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads one object from an S3 server (s3proxy on loopback, for {@code benchmarks/s3-read.sh}) the
 * two ways a job can: one plain GET of the whole object, and N ranged GETs of N equal parts in
 * parallel, as N map tasks read N splits; alternating, bytes discarded; prints MiB/s medians.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mapreduce.benchmarks.S3ReadThroughput \
 *     --endpoint http://127.0.0.1:PORT --file FILE [--parallel 8] [--runs 5]
 * </pre>
 * The file is uploaded first (one PUT, untimed) to bucket {@code bench}, key {@code object}.
 */
public final class S3ReadThroughput {
  private S3ReadThroughput() {}

  public static void main(String[] args) throws Exception {
    String endpoint = null;
    Path file = null;
    int parallel = 8;
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--endpoint" -> endpoint = args[++i];
        case "--file" -> file = Path.of(args[++i]);
        case "--parallel" -> parallel = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: S3ReadThroughput --endpoint URL --file FILE [--parallel 8] [--runs 5]");
          System.exit(2);
        }
      }
    }
    if (endpoint == null || file == null) {
      System.err.println("usage: S3ReadThroughput --endpoint URL --file FILE [--parallel 8] [--runs 5]");
      System.exit(2);
    }
    try (S3Client s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build()) {
      s3.createBucket(b -> b.bucket("bench"));
      s3.putObject(b -> b.bucket("bench").key("object"), RequestBody.fromFile(file));
      long size = s3.headObject(b -> b.bucket("bench").key("object")).contentLength();
      List<Double> single = new ArrayList<>();
      List<Double> ranged = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(parallel);
      try {
        read(s3, size, 1, pool); // warm-up, untimed
        for (int r = 0; r < runs; r++) {
          single.add(read(s3, size, 1, pool));
          ranged.add(read(s3, size, parallel, pool));
        }
      } finally {
        pool.shutdown();
      }
      double s = median(single);
      double p = median(ranged);
      System.out.printf("object of %d bytes, %d runs each, alternating%n", size, runs);
      System.out.printf("one GET                      %8.1f MiB/s   each run: %s%n", s, format(single));
      System.out.printf("%2d ranged GETs in parallel   %8.1f MiB/s   each run: %s%n", parallel, p, format(ranged));
      System.out.printf("ratio ranged / one: %.2f%n", p / s);
    }
  }

  /** Reads the object in {@code parts} ranged GETs at once (one plain GET for 1); MiB/s. */
  private static double read(S3Client s3, long size, int parts, ExecutorService pool) throws Exception {
    long start = System.nanoTime();
    List<Future<Long>> reads = new ArrayList<>();
    long part = (size + parts - 1) / parts;
    for (int i = 0; i < parts; i++) {
      long from = i * part;
      long to = Math.min(size, from + part) - 1;
      reads.add(pool.submit(() -> {
        try (InputStream in = parts == 1 ? s3.getObject(b -> b.bucket("bench").key("object"))
            : s3.getObject(b -> b.bucket("bench").key("object").range("bytes=" + from + "-" + to))) {
          return drain(in);
        }
      }));
    }
    long total = 0;
    for (Future<Long> f : reads) {
      total += f.get();
    }
    if (total != size) {
      throw new IOException("read " + total + " bytes of " + size);
    }
    return size / 1048576.0 / ((System.nanoTime() - start) / 1e9);
  }

  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    long n = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      n += r;
    }
    return n;
  }

  private static String format(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.1f", v));
    }
    return sb.toString();
  }

  private static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
  }
}
