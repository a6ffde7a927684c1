package io.mapreduce.netty.protocol;

import io.mapreduce.thirdparty.io.netty.handler.ssl.SslContext;
import io.mapreduce.thirdparty.io.netty.handler.ssl.SslContextBuilder;
import io.mapreduce.thirdparty.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for every connection of a cluster, from one PKCS#12 keystore that all its machines share:
 * its key and certificate identify each server, and its certificates are the ones clients trust
 * (a cluster's own self-signed certificate, typically). {@link #NONE} leaves connections in the
 * clear; they are still authenticated by the {@link ClusterSecret} handshake inside.
 */
public final class ClusterTls {
  public static final ClusterTls NONE = new ClusterTls(null, null);

  private final SslContext server;
  private final SslContext client;

  private ClusterTls(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  /**
   * TLS from a PKCS#12 keystore.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read as a keystore with
   *     this password
   */
  public static ClusterTls fromKeystore(Path keystore, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SslContext server = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).build();
      // Cluster machines are reached by whatever address they advertise: the certificate, not the
      // host name, is what is checked.
      SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(tmf).build();
      return new ClusterTls(server, client);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use " + keystore + " as the cluster's TLS keystore: " + e.getMessage(), e);
    }
  }

  /**
   * TLS from {@code MAPREDUCE_TLS_KEYSTORE} and {@code MAPREDUCE_TLS_PASSWORD} in the environment
   * (or the system properties {@code mapreduce.tls.keystore} and {@code mapreduce.tls.password}),
   * else {@link #NONE}.
   */
  public static ClusterTls fromEnvironment() {
    String keystore = setting("MAPREDUCE_TLS_KEYSTORE", "mapreduce.tls.keystore");
    if (keystore == null || keystore.isBlank()) {
      return NONE;
    }
    String password = setting("MAPREDUCE_TLS_PASSWORD", "mapreduce.tls.password");
    return fromKeystore(Path.of(keystore), password == null ? new char[0] : password.toCharArray());
  }

  private static String setting(String env, String property) {
    String v = System.getenv(env);
    return v != null && !v.isBlank() ? v : System.getProperty(property);
  }

  /** TLS from a keystore given on the command line (password from the environment), else from the environment. */
  public static ClusterTls resolve(Path keystore) {
    if (keystore == null) {
      return fromEnvironment();
    }
    String password = setting("MAPREDUCE_TLS_PASSWORD", "mapreduce.tls.password");
    return fromKeystore(keystore, password == null ? new char[0] : password.toCharArray());
  }

  public boolean enabled() {
    return server != null;
  }

  SslContext server() {
    return server;
  }

  SslContext client() {
    return client;
  }

  @Override
  public String toString() {
    return enabled() ? "ClusterTls[on]" : "ClusterTls[off]";
  }
}
