package io.mapreduce.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A cluster's configuration file ({@code cluster.yaml}): one mapping whose keys are the
 * {@code cluster up} flags' names in camel case, e.g.
 * <pre>
 *   name: lab
 *   provider: ssh
 *   hosts: hosts.txt          # a hosts file, relative to this file; or a list: [m1, w1, w2]
 *   user: ubuntu
 *   identity: ~/.ssh/lab_ed25519
 *   installJava: true
 *   javaOptions: -Xmx4g
 * </pre>
 * An unknown key is an error naming it, so a misspelled setting never silently falls back.
 */
public final class ClusterConfigFile {
  private static final Set<String> KEYS = Set.of("name", "provider", "hosts", "user", "identity", "sshPort",
      "installJava", "remoteDir", "port", "httpPort", "slots", "javaOptions", "registerTimeoutSeconds", "jar");

  private final Path file;
  private final Map<String, Object> values;

  private ClusterConfigFile(Path file, Map<String, Object> values) {
    this.file = file;
    this.values = values;
  }

  @SuppressWarnings("unchecked")
  public static ClusterConfigFile read(Path file) throws IOException {
    Object loaded;
    try (Reader r = Files.newBufferedReader(file)) {
      loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(file + " must hold a mapping of settings (name: ..., hosts: ...)");
    }
    for (Object key : map.keySet()) {
      if (!KEYS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(file + ": unknown setting '" + key + "' (known: " + String.join(", ",
            new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    return new ClusterConfigFile(file, (Map<String, Object>) map);
  }

  /** The provider named ({@code ssh} unless said). */
  public String provider() {
    return string("provider", "ssh");
  }

  public String name() {
    return string("name", null);
  }

  /** Applies the file's settings to the builder; flags applied afterwards override them. */
  public SshLauncher.Builder applyTo(SshLauncher.Builder b) throws IOException {
    if (values.containsKey("name")) {
      b.name(string("name", null));
    }
    Object hosts = values.get("hosts");
    if (hosts instanceof List<?> list) {
      b.hosts(list.stream().map(String::valueOf).toList());
    } else if (hosts != null) {
      b.hostsFile(path(String.valueOf(hosts)));
    }
    if (values.containsKey("user")) {
      b.user(string("user", null));
    }
    if (values.containsKey("identity")) {
      b.identity(path(string("identity", null)));
    }
    if (values.containsKey("sshPort")) {
      b.sshPort(integer("sshPort"));
    }
    if (values.containsKey("installJava")) {
      b.installJava(bool("installJava"));
    }
    if (values.containsKey("remoteDir")) {
      b.remoteDir(string("remoteDir", null));
    }
    if (values.containsKey("port")) {
      b.masterPort(integer("port"));
    }
    if (values.containsKey("httpPort")) {
      b.httpPort(integer("httpPort"));
    }
    if (values.containsKey("slots")) {
      b.slots(integer("slots"));
    }
    Object opts = values.get("javaOptions");
    if (opts instanceof List<?> list) {
      b.javaOptions(list.stream().map(String::valueOf).toList());
    } else if (opts != null) {
      b.javaOptions(List.of(String.valueOf(opts).strip().split("\\s+")));
    }
    if (values.containsKey("registerTimeoutSeconds")) {
      b.registerTimeout(Duration.ofSeconds(integer("registerTimeoutSeconds")));
    }
    if (values.containsKey("jar")) {
      b.jar(path(string("jar", null)));
    }
    return b;
  }

  private String string(String key, String otherwise) {
    Object v = values.get(key);
    return v == null ? otherwise : String.valueOf(v);
  }

  private int integer(String key) {
    Object v = values.get(key);
    if (v instanceof Integer i) {
      return i;
    }
    throw new IllegalArgumentException(file + ": " + key + " must be a whole number but is '" + v + "'");
  }

  private boolean bool(String key) {
    Object v = values.get(key);
    if (v instanceof Boolean bo) {
      return bo;
    }
    throw new IllegalArgumentException(file + ": " + key + " must be true or false but is '" + v + "'");
  }

  /** A path in the file: {@code ~/} is the home directory, a relative one is relative to the file. */
  private Path path(String value) {
    if (value.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), value.substring(2));
    }
    Path p = Path.of(value);
    return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
  }
}
