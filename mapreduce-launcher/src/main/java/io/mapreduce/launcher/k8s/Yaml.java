package io.mapreduce.launcher.k8s;

/** The little YAML writing needs: quoting a value that came from outside. */
final class Yaml {
  private Yaml() {}

  /**
   * {@code s} as a double-quoted YAML scalar, so that no value (a number-like secret, an image
   * with a colon) is read as anything but a string.
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (ch < 0x20 || ch == 0x7f) {
            b.append(String.format("\\x%02x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
