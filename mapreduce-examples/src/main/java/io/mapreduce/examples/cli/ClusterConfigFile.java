package io.mapreduce.examples.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A cluster's configuration file ({@code cluster.yaml}): one mapping whose keys are the
 * {@code cluster up} options' names in camel case, e.g.
 * <pre>
 *   name: lab
 *   provider: ssh
 *   hosts: hosts.txt          # relative to this file; or a list: [m1, w1, w2], the master's first
 *   user: ubuntu
 *   identity: ~/.ssh/lab_ed25519
 *   installJava: true
 *   javaOpts: -Xmx4g
 * </pre>
 * Paths are relative to the file ({@code ~/} is the home directory). The command line reads it
 * as defaults for the options it was not given; an unknown key is an error naming it, so a
 * misspelled setting never silently falls back.
 */
final class ClusterConfigFile {
  private final Path file;
  private final Map<String, Object> values;

  private ClusterConfigFile(Path file, Map<String, Object> values) {
    this.file = file;
    this.values = values;
  }

  static ClusterConfigFile read(Path file) throws IOException {
    Object loaded;
    try (Reader r = Files.newBufferedReader(file)) {
      loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(file + " must hold a mapping of settings (name: ..., hosts: ...)");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    map.forEach((k, v) -> values.put(String.valueOf(k), v));
    return new ClusterConfigFile(file, values);
  }

  /** The settings as option names ({@code --install-java}) and values, paths resolved against the file. */
  Map<String, Object> options() throws IOException {
    Map<String, Object> options = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String key = e.getKey();
      if (!key.matches("[a-z][A-Za-z0-9]*")) {
        throw new IllegalArgumentException(file + ": '" + key + "' is not a setting's name (names are the options'"
            + " in camel case: installJava for --install-java)");
      }
      Object value = e.getValue();
      if (key.equals("hosts") && value instanceof List<?> list) {
        value = hostsFile(list);
      }
      options.put("--" + key.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT), value);
    }
    return options;
  }

  /** A list of hosts as a hosts file of its own (the first is the master's), removed when the JVM exits. */
  private Path hostsFile(List<?> hosts) throws IOException {
    Path tmp = Files.createTempFile("mapreduce-hosts-", ".txt");
    tmp.toFile().deleteOnExit();
    Files.write(tmp, hosts.stream().map(String::valueOf).toList());
    return tmp;
  }

  /**
   * Gives each option of the command that the command line did not set the file's value: the
   * file is the defaults, the command line overrides it. Fails naming a key no option has, or a
   * value of the wrong kind.
   */
  void fillUnset(picocli.CommandLine command) throws IOException {
    var spec = command.getCommandSpec();
    for (Map.Entry<String, Object> e : options().entrySet()) {
      var option = spec.findOption(e.getKey());
      if (option == null || e.getKey().equals("--config")) {
        throw new IllegalArgumentException(file + ": unknown setting '" + camel(e.getKey())
            + "' (see 'cluster up --help' for the options; keys are their names in camel case)");
      }
      if (command.getParseResult().hasMatchedOption(option)) {
        continue;
      }
      option.setValue(convert(e.getKey(), e.getValue(), option.type()));
    }
  }

  /** The key of an option in the file: {@code --install-java} is {@code installJava}. */
  private static String camel(String option) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : option.substring(2).toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  private Object convert(String option, Object value, Class<?> type) {
    String where = file + ": " + camel(option);
    if (value == null) {
      throw new IllegalArgumentException(where + " has no value (remove the line, or give one)");
    }
    if (type == String.class) {
      if (value instanceof List<?> list) {
        return String.join(" ", list.stream().map(String::valueOf).toList());
      }
      return String.valueOf(value);
    }
    if (type == Integer.class || type == int.class) {
      if (value instanceof Integer i) {
        return i;
      }
      throw new IllegalArgumentException(where + " must be a whole number but is '" + value + "'");
    }
    if (type == Boolean.class || type == boolean.class) {
      if (value instanceof Boolean b) {
        return b;
      }
      throw new IllegalArgumentException(where + " must be true or false but is '" + value + "'");
    }
    if (type == Path.class) {
      String s = String.valueOf(value);
      if (s.startsWith("~/")) {
        return Path.of(System.getProperty("user.home"), s.substring(2));
      }
      Path p = Path.of(s);
      return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
    }
    if (type.isEnum()) {
      for (Object constant : type.getEnumConstants()) {
        if (((Enum<?>) constant).name().equalsIgnoreCase(String.valueOf(value).replace('-', '_'))) {
          return constant;
        }
      }
      throw new IllegalArgumentException(where + " must be one of " + List.of(type.getEnumConstants()) + " but is '"
          + value + "'");
    }
    throw new IllegalArgumentException(where + ": a setting of type " + type.getSimpleName() + " cannot be read");
  }
}
