package io.mapreduce.s3;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of an HTTP server that fails some of the connections it
 * accepts, as S3 and networks do now and then: every {@code n}th new connection, by turns, has its
 * first request answered {@code 503 Slow Down} with S3's XML error, or is closed once the request
 * head is read, with no answer. The other connections are piped both ways.
 */
final class FaultyProxy implements AutoCloseable {
  private static final int MAX_HEAD_BYTES = 64 << 10;
  private static final byte[] SLOW_DOWN_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      + "<Message>Please reduce your request rate.</Message><RequestId>faulty-proxy</RequestId></Error>")
      .getBytes(US_ASCII);

  private final ServerSocket server;
  private final int targetPort;
  private final int everyNth;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "faulty-proxy");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger slowDowns = new AtomicInteger();
  private final AtomicInteger drops = new AtomicInteger();

  private FaultyProxy(ServerSocket server, int targetPort, int everyNth) {
    this.server = server;
    this.targetPort = targetPort;
    this.everyNth = everyNth;
  }

  /** A proxy of {@code http://127.0.0.1:PORT} that fails every {@code everyNth} connection. */
  static FaultyProxy start(String target, int everyNth) throws IOException {
    FaultyProxy proxy = new FaultyProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
        URI.create(target).getPort(), everyNth);
    proxy.threads.execute(proxy::accept);
    return proxy;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Requests answered 503 SlowDown. */
  int slowDowns() {
    return slowDowns.get();
  }

  /** Requests whose connection was closed without an answer. */
  int drops() {
    return drops.get();
  }

  int connections() {
    return connections.get();
  }

  private void accept() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      open.add(client);
      int n = connections.incrementAndGet();
      if (n % everyNth != 0) {
        threads.execute(() -> pipe(client));
      } else if (n / everyNth % 2 == 1) {
        threads.execute(() -> slowDown(client));
      } else {
        threads.execute(() -> drop(client));
      }
    }
  }

  private void pipe(Socket client) {
    try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
      open.add(upstream);
      threads.execute(() -> copy(upstream, client));
      copy(client, upstream);
    } catch (IOException e) {
      // the connection is gone: so is the other direction, closed with it
    }
  }

  /** Copies until either side stops, then closes both: HTTP clients do not half-close. */
  private static void copy(Socket from, Socket to) {
    byte[] buffer = new byte[64 << 10];
    try (from; to) {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException closed) {
      // by the other direction, or by close()
    }
  }

  private void slowDown(Socket client) {
    try (client) {
      if (!readHead(client.getInputStream())) {
        return;
      }
      slowDowns.incrementAndGet();
      client.getOutputStream().write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
          + SLOW_DOWN_BODY.length + "\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
      client.getOutputStream().write(SLOW_DOWN_BODY);
      client.shutdownOutput();
      // Reads what the client still sends (a body) until it closes: closing with unread bytes
      // would reset the connection before the client reads the answer.
      client.setSoTimeout(2_000);
      client.getInputStream().transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went first, or kept sending past the time limit
    }
  }

  private void drop(Socket client) {
    try (client) {
      if (readHead(client.getInputStream())) {
        drops.incrementAndGet();
      }
    } catch (IOException e) {
      // the client went first
    }
  }

  /** Reads up to the blank line that ends a request head; false if the connection ends before. */
  private static boolean readHead(InputStream in) throws IOException {
    int matched = 0;
    for (int read = 0; read < MAX_HEAD_BYTES; read++) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return true;
      }
    }
    throw new IOException("no end of the request head in " + MAX_HEAD_BYTES + " bytes");
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    // Unblocks the threads still reading: a socket read does not heed an interrupt.
    for (Socket s : open) {
      s.close();
    }
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
