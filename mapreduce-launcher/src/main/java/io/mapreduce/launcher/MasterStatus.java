package io.mapreduce.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the master's status endpoint ({@code /api/status}, with the cluster's status page token):
 * the one thing a launcher asks the runtime, to see that the master answers and which workers
 * registered. Reads every page of workers.
 */
final class MasterStatus {
  private static final Pattern WORKER = Pattern.compile(
      "\"shuffleAddress\":\"([^\"]*)\",\"location\":(?:null|\"((?:[^\"\\\\]|\\\\.)*)\")");
  private static final Pattern WORKER_PAGES = Pattern.compile("\"workersPage\":\\{[^}]*\"pages\":(\\d+)");
  private static final int MAX_PAGES = 1_000;
  /** A page lists at most a few hundred workers: far less than this; more is not a status page. */
  static final int MAX_PAGE_BYTES = 4 << 20;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  MasterStatus(String host, int httpPort, String token) {
    this.base = URI.create("http://" + NodeLayout.hostPort(host, httpPort) + "/api/status");
    this.token = token;
  }

  URI address() {
    return URI.create(base.toString().replace("/api/status", "/"));
  }

  /** A registered worker: the host of its shuffle address, and where it says it runs (or null). */
  record Registered(String host, String location) {}

  /** The registered workers. */
  List<Registered> workers() throws IOException, InterruptedException {
    List<Registered> workers = new ArrayList<>();
    int pages = 1;
    for (int page = 0; page < pages; page++) {
      String json = get(page);
      Matcher m = WORKER.matcher(json);
      while (m.find()) {
        // The location as the page wrote it: a JSON string, whose escapes matter only for display.
        workers.add(new Registered(hostOf(m.group(1)), m.group(2) == null ? null
            : m.group(2).replace("\\\"", "\"").replace("\\\\", "\\")));
      }
      Matcher p = WORKER_PAGES.matcher(json);
      if (p.find()) {
        String count = p.group(1);
        // Digits, perhaps too many for an int.
        pages = count.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(count);
        if (pages > MAX_PAGES) {
          throw new IOException("the master's status page at " + base + " says it has " + count
              + " pages of workers, more than " + MAX_PAGES + ": not a status page");
        }
      }
    }
    return workers;
  }

  private String get(int page) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "?workersPage=" + page))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .GET().build();
    HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("the master's status page at " + base + " answered HTTP " + response.statusCode());
      }
      // Whatever answers at that address decides how much it sends: read no more than a page can be.
      byte[] bytes = body.readNBytes(MAX_PAGE_BYTES + 1);
      if (bytes.length > MAX_PAGE_BYTES) {
        throw new IOException("the master's status page at " + base + " is larger than "
            + (MAX_PAGE_BYTES >> 20) + " MiB: not a status page");
      }
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The host part of a {@code HOST:PORT} shuffle address. */
  static String hostOf(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
