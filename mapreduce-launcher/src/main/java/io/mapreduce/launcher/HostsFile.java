package io.mapreduce.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hosts file: one host per line (a name or an address), {@code #} starts a comment; the line
 * of the master's host says {@code master} after the host, else the first host is the master's.
 * The master's host runs the master, each other host a worker.
 */
record HostsFile(String master, List<String> workers) {

  static HostsFile read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IOException("cannot read the hosts file " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  static HostsFile parse(List<String> lines, String source) {
    List<String> hosts = new ArrayList<>();
    String master = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).replaceAll("#.*", "").strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] words = line.split("\\s+");
      String host = words[0];
      if (!host.matches("[A-Za-z0-9._:-]+") || host.startsWith("-")) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": '" + host + "' is not a host name or"
            + " address");
      }
      if (words.length > 2 || (words.length == 2 && !words[1].equals("master"))) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected 'HOST' or 'HOST master' but"
            + " found '" + line + "'");
      }
      if (hosts.contains(host)) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": host " + host + " is listed twice");
      }
      if (words.length == 2) {
        if (master != null) {
          throw new IllegalArgumentException(source + " line " + (i + 1) + ": a second master (" + host + "; the"
              + " first is " + master + ")");
        }
        master = host;
      }
      hosts.add(host);
    }
    if (hosts.size() < 2) {
      throw new IllegalArgumentException(source + " lists " + hosts.size() + " host(s): a cluster needs a master's"
          + " host and at least one worker's");
    }
    String m = master != null ? master : hosts.get(0);
    List<String> workers = new ArrayList<>(hosts);
    workers.remove(m);
    return new HostsFile(m, List.copyOf(workers));
  }
}
