package io.mapreduce.internal.io;

import io.mapreduce.spi.Storage;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the {@link Storage} of a path by its URI scheme. */
public final class Storages {
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):(//|/)");
  private static final Map<String, Storage> BY_SCHEME = new ConcurrentHashMap<>();

  static {
    BY_SCHEME.put(LocalStorage.INSTANCE.scheme(), LocalStorage.INSTANCE);
    for (Storage s : ServiceLoader.load(Storage.class, Storages.class.getClassLoader())) {
      BY_SCHEME.putIfAbsent(s.scheme().toLowerCase(Locale.ROOT), s);
    }
  }

  private Storages() {}

  /** The scheme of a path: {@code file} when it has none. */
  public static String schemeOf(String path) {
    Matcher m = SCHEME.matcher(path);
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : LocalStorage.INSTANCE.scheme();
  }

  /**
   * The storage for a path.
   *
   * @throws IllegalArgumentException naming the path when no storage serves its scheme
   */
  public static Storage forPath(String path) {
    String scheme = schemeOf(path);
    Storage s = BY_SCHEME.get(scheme);
    if (s == null) {
      throw new IllegalArgumentException("no storage for scheme '" + scheme + "' of " + path
          + " (is its module, such as mapreduce-s3, on the classpath?)");
    }
    return s;
  }
}
