package io.mapreduce.netty.master;

import java.util.ArrayList;
import java.util.List;

/**
 * A job's list of output files as the master keeps it once the job ended (for clients that come
 * back to ask, and in the journal): runs of names that differ only by a consecutive, equally wide
 * number ({@code .../mr-out-00000} to {@code .../mr-out-04999}) become one token, so that a job of
 * 5,000 reduces keeps a few dozen bytes instead of 250 KB. A token of a run holds NUL characters,
 * which no URI string does; any other name is kept as it is. Exact: {@link #expand} gives back
 * the list {@link #compress} was given.
 */
final class OutputFileRuns {
  private static final char SEP = '\0';

  private OutputFileRuns() {}

  static List<String> compress(List<String> names) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < names.size()) {
      String name = names.get(i);
      // The name's last run of digits: what comes before it, it, and what comes after.
      int end = name.length();
      while (end > 0 && !Character.isDigit(name.charAt(end - 1))) {
        end--;
      }
      int begin = end;
      while (begin > 0 && Character.isDigit(name.charAt(begin - 1))) {
        begin--;
      }
      int run = 1;
      if (begin < end && end - begin <= 9) {
        String prefix = name.substring(0, begin);
        String digits = name.substring(begin, end);
        String suffix = name.substring(end);
        int start = Integer.parseInt(digits);
        while (i + run < names.size()
            && names.get(i + run).equals(prefix + pad(start + run, digits.length()) + suffix)) {
          run++;
        }
        if (run > 1) {
          tokens.add(prefix + SEP + start + SEP + run + SEP + digits.length() + SEP + suffix);
        }
      }
      if (run == 1) {
        tokens.add(names.get(i));
      }
      i += run;
    }
    return tokens;
  }

  static List<String> expand(List<String> tokens) {
    List<String> names = new ArrayList<>();
    for (String token : tokens) {
      if (token.indexOf(SEP) < 0) {
        names.add(token);
        continue;
      }
      String[] parts = token.split(String.valueOf(SEP), -1);
      int start = Integer.parseInt(parts[1]);
      int count = Integer.parseInt(parts[2]);
      int width = Integer.parseInt(parts[3]);
      for (int n = 0; n < count; n++) {
        names.add(parts[0] + pad(start + n, width) + parts[4]);
      }
    }
    return names;
  }

  /** The number in at least {@code width} digits, zeros first (as the run's names write it). */
  private static String pad(int number, int width) {
    String s = Integer.toString(number);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }
}
