package io.mapreduce.netty.client;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceException;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.netty.protocol.JarStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The jars a job's classes come from, found from their code sources, so that workers run the
 * client's code without anyone copying jars by hand. A class directory (an IDE's or a test's
 * {@code target/classes}) is packed into a jar, deterministically, so its hash names its content.
 * The library's own jar and the JDK's classes are not shipped: every worker has them.
 */
final class JobJars {
  /** One jar: its content and SHA-256. */
  record Jar(String sha256, byte[] bytes, String source) {}

  private JobJars() {}

  static List<Jar> of(MapReduceSpecification<?, ?> spec) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    classes.add(spec.mapper().getClass());
    spec.reducer().ifPresent(r -> classes.add(r.getClass()));
    spec.combiner().ifPresent(c -> classes.add(c.getClass()));
    spec.partitioner().ifPresent(p -> classes.add(p.getClass()));
    classes.add(spec.keyType());
    classes.add(spec.valueType());
    // The formats' classes, and the output's types, which a reducer may have of its own.
    classes.add(spec.inputFormat().getClass());
    classes.add(spec.inputFormat().keyType());
    classes.add(spec.inputFormat().valueType());
    classes.add(spec.outputFormat().getClass());
    classes.add(spec.outputKeyType());
    classes.add(spec.outputValueType());
    spec.sideOutputs().values().forEach(o -> {
      classes.add(o.keyType());
      classes.add(o.valueType());
    });
    Path library = location(MapReduce.class);
    Map<Path, Jar> jars = new LinkedHashMap<>();
    for (Class<?> c : classes) {
      Path source = location(c);
      if (source == null || source.equals(library) || jars.containsKey(source)) {
        continue;
      }
      try {
        byte[] bytes = Files.isDirectory(source) ? pack(source) : Files.readAllBytes(source);
        jars.put(source, new Jar(JarStore.sha256(bytes), bytes, source.toString()));
      } catch (IOException e) {
        throw new MapReduceException("cannot read " + source + ", where " + c.getName() + " comes from: " + e, e);
      }
    }
    return new ArrayList<>(jars.values());
  }

  /** Where a class was loaded from: a jar or a directory; null for the JDK's. */
  private static Path location(Class<?> c) {
    CodeSource cs = c.getProtectionDomain().getCodeSource();
    URL url = cs == null ? null : cs.getLocation();
    if (url == null || !"file".equals(url.getProtocol())) {
      return null;
    }
    try {
      return Path.of(url.toURI()).toAbsolutePath().normalize();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  /** A directory as a jar: entries sorted, times fixed, so equal content gives equal bytes. */
  static byte[] pack(Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    try (JarOutputStream jar = new JarOutputStream(bytes)) {
      for (Path f : files) {
        JarEntry e = new JarEntry(dir.relativize(f).toString().replace('\\', '/'));
        e.setLastModifiedTime(FileTime.fromMillis(0));
        jar.putNextEntry(e);
        jar.write(Files.readAllBytes(f));
        jar.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
