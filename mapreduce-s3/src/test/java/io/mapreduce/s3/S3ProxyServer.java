package io.mapreduce.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: s3proxy 2.9.0 (in-memory backend) as a child process on a free port of
 * 127.0.0.1, run from the jar mapreduce-s3's build copies into its {@code target/s3proxy}. It checks
 * request signatures, so a client with another secret gets a real 403.
 *
 * <p>A JVM's {@code s3://} storage makes its client once, from system properties, on its first S3
 * use: {@link #setSystemProperties()} binds that JVM to this server for good; a test that needs the
 * storage on other settings runs its job in a child JVM with {@link #jvmOptions(Map)}.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "local";
  public static final String SECRET_KEY = "local";
  public static final String REGION = "us-east-1";
  private static final String JAR_IN_MODULE = "target/s3proxy/s3proxy.jar";
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Process process;
  private final String endpoint;
  private final S3Client client;

  private S3ProxyServer(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
    this.client = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        // s3proxy 2.9.0 rejects the SDK's default trailing checksums.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
  }

  /** Starts s3proxy, its properties and log in {@code workDir}, and waits until it accepts connections. */
  public static S3ProxyServer start(Path workDir) throws IOException, InterruptedException {
    return start(workDir, "127.0.0.1");
  }

  /**
   * Starts s3proxy listening on one address of this machine (such as a test bridge's, for network
   * namespaces to reach it), and waits until it accepts connections.
   */
  public static S3ProxyServer start(Path workDir, String address) throws IOException, InterruptedException {
    InetAddress bind = InetAddress.getByName(address);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, bind)) {
      port = probe.getLocalPort();
    }
    String endpoint = "http://" + address + ":" + port;
    Path props = workDir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=transient",
        "jclouds.identity=" + ACCESS_KEY,
        "jclouds.credential=" + SECRET_KEY,
        ""));
    Path log = workDir.resolve("s3proxy.log");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar().toString(), "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (!accepts(bind, port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        stop(process);
        throw new IOException("s3proxy did not start on " + endpoint + " within " + START_TIMEOUT_SECONDS
            + " s; its log:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return new S3ProxyServer(process, endpoint);
  }

  private static boolean accepts(InetAddress address, int port) {
    try {
      new Socket(address, port).close();
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /**
   * The jar the build copies, found from any module of the reactor: walking up from the current
   * directory, then from where this class was loaded, to mapreduce-s3 or to the directory above it.
   */
  static Path jar() throws IOException {
    List<Path> starts = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
    CodeSource source = S3ProxyServer.class.getProtectionDomain().getCodeSource();
    if (source != null) {
      try {
        starts.add(Path.of(source.getLocation().toURI()));
      } catch (URISyntaxException notAFile) {
        // then the current directory only
      }
    }
    for (Path start : starts) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        for (Path jar : List.of(dir.resolve(JAR_IN_MODULE), dir.resolve("mapreduce-s3").resolve(JAR_IN_MODULE))) {
          if (Files.isRegularFile(jar)) {
            return jar;
          }
        }
      }
    }
    throw new IOException("no mapreduce-s3/" + JAR_IN_MODULE + " above " + starts
        + " (mapreduce-s3's process-test-resources copies it: build through the reactor with -am)");
  }

  /** {@code http://ADDRESS:PORT} ({@code 127.0.0.1} unless started on another). */
  public String endpoint() {
    return endpoint;
  }

  /** A client of this server with the right credentials, closed with it. */
  public S3Client client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** The keys under a prefix, every page. */
  public List<String> keys(String bucket, String prefix) {
    return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
  }

  /** The system properties with which a JVM's {@code s3://} storage uses this server (a copy to change). */
  public Map<String, String> systemProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("aws.region", REGION);
    p.put("aws.accessKeyId", ACCESS_KEY);
    p.put("aws.secretAccessKey", SECRET_KEY);
    p.put("mapreduce.s3.endpoint", endpoint);
    p.put("mapreduce.s3.pathStyle", "true");
    return p;
  }

  /**
   * The environment with which {@code bin/mapreduce} (with {@code --s3-path-style}) uses this
   * server, as a user configures it.
   */
  public Map<String, String> environment() {
    return Map.of("AWS_ENDPOINT_URL_S3", endpoint, "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
        "AWS_REGION", REGION);
  }

  /** Points this JVM's {@code s3://} storage at this server, if it has not made its client yet. */
  public void setSystemProperties() {
    systemProperties().forEach(System::setProperty);
  }

  /** {@link #systemProperties()} as {@code -D} options of a child JVM. */
  public List<String> jvmOptions() {
    return jvmOptions(systemProperties());
  }

  public static List<String> jvmOptions(Map<String, String> properties) {
    List<String> options = new ArrayList<>();
    properties.forEach((k, v) -> options.add("-D" + k + "=" + v));
    return options;
  }

  @Override
  public void close() {
    client.close();
    stop(process);
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
