package intruder;

import io.mapreduce.internal.io.LocalStorage;

public final class UsesInternals {
  public static void main(String[] args) throws Exception {
    LocalStorage.deleteRecursively(java.nio.file.Path.of(args[0]));
  }
}
