package io.mapreduce.lib.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.MapReduce;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Partitioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hadoop Streaming's key fields, key-field partitioning and key-field ordering on the embedded
 * engine, against {@code LC_ALL=C sort -t TAB -k...} in a shell pipeline as the oracle.
 */
class StreamingKeyFieldsTest {
  /** A tab for /bin/sh, which may be dash (no $'\t'). */
  static final String TAB = "\"$(printf '\\t')\"";
  static final String[] NAMES = {"ann", "bob", "cy", "dee", "ed", "flo", "gus", "hal"};

  @TempDir
  Path dir;
  Path input;

  @BeforeEach
  void setUp() throws IOException {
    input = Files.createDirectories(dir.resolve("in"));
  }

  /** Unique (name, score) keys, scores in many spellings sort -n reads, and a payload. */
  void writeScores(int count) throws IOException {
    Random random = new Random(16);
    Set<String> keys = new LinkedHashSet<>();
    while (keys.size() < count) {
      keys.add(NAMES[random.nextInt(NAMES.length)] + "\t" + number(random));
    }
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (String k : keys) {
      (i % 2 == 0 ? a : b).append(k).append('\t').append("p").append(i).append('\n');
      i++;
    }
    Files.writeString(input.resolve("a.txt"), a);
    Files.writeString(input.resolve("b.txt"), b);
  }

  static String number(Random random) {
    int v = random.nextInt(2000) - 1000;
    return switch (random.nextInt(10)) {
      case 0 -> "0" + v;
      case 1 -> v + "." + random.nextInt(100);
      case 2 -> " " + v;
      case 3 -> v + ".50";
      case 4 -> "-." + random.nextInt(10);
      case 5 -> "x" + random.nextInt(50);
      case 6 -> random.nextInt(10) + "e3";
      default -> Integer.toString(v);
    };
  }

  String inputs() {
    return input.resolve("a.txt") + " " + input.resolve("b.txt");
  }

  /** The output of a shell pipeline, in its order. */
  static List<String> run(String command) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).as("exit status of %s", command).isZero();
    return lines(out);
  }

  static List<String> lines(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
    lines.remove(lines.size() - 1);
    return lines;
  }

  /** Each output file's lines, in file order. */
  List<List<String>> outputFiles() throws IOException {
    List<List<String>> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir.resolve("out"))) {
      for (Path f : list.filter(f -> f.getFileName().toString().startsWith("mr-out-")).sorted().toList()) {
        files.add(lines(Files.readAllBytes(f)));
      }
    }
    return files;
  }

  MapReduceSpecification.Builder<byte[], byte[]> job(StreamingMapper mapper, int reduceTasks) {
    return MapReduceSpecification.builder().mapper(mapper).input(input.toString())
        .output(dir.resolve("out").toString()).workDirectory(dir.resolve("work"))
        .reduceTasks(reduceTasks).maxTaskAttempts(1).splitSize(4 << 10);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void exec_secondarySort_twoKeyFieldsByNameThenScoreDescending_equalsSortPipeline(int reduceTasks) throws Exception {
    writeScores(1500);
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse("-k1,1 -k2,2nr", "\t");
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat")).outputKeyFields("\t", 2)
        .sortKeysBy(order).build();
    var spec = job(mapper, reduceTasks)
        .reducer(StreamingReducer.builder(StreamingProgram.of("cat")).keysSortedBy(order).build())
        .partitioner(KeyFieldBasedPartitioner.parse("-k1,1", "\t").ofSortKeys()).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertOutputIsSortPipelinePerPartition(reduceTasks);
  }

  /** A streaming combiner reads the original keys and its output keys become sort keys again. */
  @Test
  void exec_secondarySortWithStreamingCombiner_sameOutputAndCombines() throws Exception {
    writeScores(1500);
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse("-k1,1 -k2,2nr", "\t");
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat")).outputKeyFields("\t", 2)
        .sortKeysBy(order).build();
    var spec = job(mapper, 2)
        .reducer(StreamingReducer.builder(StreamingProgram.of("cat")).keysSortedBy(order).build())
        .combiner(StreamingReducer.builder(StreamingProgram.of("cat")).combiner().outputKeyFields("\t", 2)
            .keysSortedBy(order).build())
        .partitioner(KeyFieldBasedPartitioner.parse("-k1,1", "\t").ofSortKeys()).build();
    var result = MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    assertOutputIsSortPipelinePerPartition(2);
    assertThat(result.counters().get("combine.input.records")).isEqualTo(1500);
  }

  /**
   * Each output file is the oracle's output restricted to the names it holds, and every name is in
   * exactly one file.
   */
  void assertOutputIsSortPipelinePerPartition(int reduceTasks) throws Exception {
    List<String> expected = run("cat " + inputs() + " | cat | LC_ALL=C sort -t" + TAB + " -k1,1 -k2,2nr | cat");
    List<List<String>> files = outputFiles();
    assertThat(files).hasSize(reduceTasks);
    Map<String, Integer> fileOfName = new HashMap<>();
    List<String> all = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      for (String line : files.get(f)) {
        Integer before = fileOfName.put(line.split("\t")[0], f);
        assertThat(before).as("partition of %s", line).isIn(null, f);
      }
      int file = f;
      assertThat(files.get(f)).isEqualTo(
          expected.stream().filter(l -> Integer.valueOf(file).equals(fileOfName.get(l.split("\t")[0]))).toList());
      all.addAll(files.get(f));
    }
    assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
    if (reduceTasks > 1) {
      assertThat(files).allSatisfy(lines -> assertThat(lines).isNotEmpty());
    }
  }

  @Test
  void exec_keyFieldPartitioner_eachFirstFieldInExactlyOnePartition() throws Exception {
    writeScores(1500);
    StreamingMapper mapper = StreamingMapper.builder(StreamingProgram.of("cat")).outputKeyFields("\t", 2).build();
    var spec = job(mapper, 4).reducer(StreamingReducer.of("cat"))
        .partitioner(KeyFieldBasedPartitioner.parse("-k1,1", "\t")).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);

    Map<String, Set<Integer>> filesOfName = new HashMap<>();
    List<String> all = new ArrayList<>();
    List<List<String>> files = outputFiles();
    for (int f = 0; f < files.size(); f++) {
      for (String line : files.get(f)) {
        filesOfName.computeIfAbsent(line.split("\t")[0], n -> new java.util.HashSet<>()).add(f);
      }
      all.addAll(files.get(f));
    }
    assertThat(filesOfName).hasSize(NAMES.length);
    assertThat(filesOfName.values()).allSatisfy(set -> assertThat(set).hasSize(1));
    assertThat(filesOfName.values().stream().flatMap(Set::stream).distinct().count()).isGreaterThan(1);
    assertThat(all).containsExactlyInAnyOrderElementsOf(run("cat " + inputs()));
    // Whole keys sorted as bytes within each file, as the default order sorts them.
    for (List<String> lines : files) {
      List<String> keys = lines.stream().map(l -> l.substring(0, l.lastIndexOf('\t'))).toList();
      assertThat(keys).isSortedAccordingTo(String::compareTo);
    }
  }

  @Test
  void partition_dependsOnTheChosenFieldsOnly_andAgreesForSortKeys() {
    KeyFieldBasedPartitioner byField2 = KeyFieldBasedPartitioner.parse("-k2,2", ",");
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse("-k1,1r", ",");
    Partitioner<byte[]> ofSortKeys = byField2.ofSortKeys();
    Set<Integer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      byte[] a = ("a" + i + ",f" + i + ",x").getBytes(StandardCharsets.UTF_8);
      byte[] b = ("b" + i + ",f" + i + ",y" + i).getBytes(StandardCharsets.UTF_8);
      int p = byField2.partition(a, 7);
      seen.add(p);
      assertThat(byField2.partition(b, 7)).isEqualTo(p);
      assertThat(ofSortKeys.partition(order.sortKey(b, 0, b.length), 7)).isEqualTo(p);
    }
    assertThat(seen).hasSizeGreaterThan(3);
    // Murmur3-32 of the range's length and bytes: pinned, so a change of the hash shows.
    assertThat(KeyFieldBasedPartitioner.parse("", "\t").partition("hello".getBytes(StandardCharsets.UTF_8), 1000))
        .isEqualTo(Math.floorMod(io.mapreduce.thirdparty.com.google.common.hash.Hashing.murmur3_32_fixed().newHasher().putInt(5)
            .putBytes("hello".getBytes(StandardCharsets.UTF_8)).hash().asInt(), 1000));
  }

  /** The comparator's order on random keys is {@code LC_ALL=C sort}'s, for several option sets. */
  @ParameterizedTest
  @ValueSource(strings = {"-k2,2nr -k1,1", "-k1,1r -k2,2n", "-k1.2,1.3 -k2,2n", "-k2n", "-nr", "-k3,3 -k1,1r"})
  void comparator_ordersKeysAsSortDoes(String options) throws Exception {
    Random random = new Random(options.hashCode());
    Set<String> keys = new LinkedHashSet<>();
    while (keys.size() < 600) {
      keys.add(NAMES[random.nextInt(NAMES.length)] + "\t" + number(random)
          + (random.nextBoolean() ? "\t" + NAMES[random.nextInt(NAMES.length)] : ""));
    }
    Path file = dir.resolve("keys.txt");
    Files.writeString(file, String.join("\n", keys) + "\n");
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse(options, "\t");
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort((x, y) -> order.compare(x.getBytes(StandardCharsets.ISO_8859_1), y.getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(sorted).isEqualTo(run("LC_ALL=C sort -t" + TAB + " " + options + " " + file));
    for (String k : keys) {
      byte[] b = k.getBytes(StandardCharsets.ISO_8859_1);
      assertThat(KeyFieldBasedComparator.originalKey(order.sortKey(b, 0, b.length))).isEqualTo(b);
    }
  }

  @Test
  void exec_customSeparators_splitJoinAndWriteAsHadoopDoes() throws Exception {
    StringBuilder in = new StringBuilder();
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      in.append(NAMES[random.nextInt(NAMES.length)]).append(' ').append(random.nextInt(5)).append(' ').append(i)
          .append('\n');
    }
    Files.writeString(input.resolve("a.txt"), in);
    // Mapper lines "name,n,i": key "name,n" (two fields of ','), value "i". The reducer reads
    // "name,n:i" and prints "name,n:count" per run of a key; "name,n" and "count" are written with a tab.
    String mapper = "sed 's/ /,/g'";
    String reducer = "awk -F: '{ if ($1 != k) { if (NR > 1) print k \":\" n; k = $1; n = 0 } n++ }"
        + " END { if (NR > 0) print k \":\" n }'";
    var spec = job(StreamingMapper.builder(StreamingProgram.of(mapper)).outputKeyFields(",", 2).build(), 1)
        .reducer(StreamingReducer.builder(StreamingProgram.of(reducer)).inputSeparator(":")
            .outputKeyFields(":", 1).build()).build();
    MapReduce.exec(spec).get(120, TimeUnit.SECONDS);
    List<String> expected = run("cat " + input.resolve("a.txt") + " | " + mapper
        + " | LC_ALL=C sort -t, -k1,2 | sed 's/,/:/2' | " + reducer + " | sed 's/:/" + "\\t/'");
    assertThat(expected).hasSizeGreaterThan(NAMES.length);
    assertThat(outputFiles()).containsExactly(expected);
  }

  @Test
  void exec_mapOnlyWithCustomSeparator_writesKeyTabValue() throws Exception {
    Files.writeString(input.resolve("a.txt"), "a,b,c\nd,e\nf\n");
    var spec = job(StreamingMapper.builder(StreamingProgram.of("cat")).outputKeyFields(",", 2).build(), 0).build();
    MapReduce.exec(spec).get(60, TimeUnit.SECONDS);
    assertThat(outputFiles().stream().flatMap(List::stream).toList()).containsExactly("a,b\tc", "d,e", "f");
  }

  /** A cluster ships the job with Kryo: the parsed options must survive the copy. */
  @Test
  void kryoCopy_ofPartitionerAndComparator_behavesTheSame() {
    var kryo = io.mapreduce.internal.codec.JobKryo.newKryo();
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse("-k2,2nr -k1,1", "\t");
    KeyFieldBasedPartitioner partitioner = KeyFieldBasedPartitioner.parse("-k1,1", "\t").ofSortKeys();
    KeyFieldBasedComparator orderCopy = kryo.copy(order);
    KeyFieldBasedPartitioner partitionerCopy = kryo.copy(partitioner);
    for (String k : List.of("a\t3", "a\t-3", "b\t10.5", "zz\t")) {
      byte[] b = k.getBytes(StandardCharsets.UTF_8);
      byte[] sortKey = order.sortKey(b, 0, b.length);
      assertThat(orderCopy.sortKey(b, 0, b.length)).isEqualTo(sortKey);
      assertThat(partitionerCopy.partition(sortKey, 5)).isEqualTo(partitioner.partition(sortKey, 5));
    }
  }

  /**
   * The sort keys' bytes, pinned (a CRC-32 of 20,000 of them per option set, computed before the
   * encoder was rewritten to fill one array): the order and the bytes on the wire stay what they
   * were. The keys are random bytes from an alphabet of digits, signs, blanks, separators, 0x00 and
   * 0xFF, each inside a larger array (offset and length) as the mapper passes them.
   */
  @ParameterizedTest
  @CsvSource({"'-k2,2nr -k1,1', 2954662578", "'-k1,1r -k2,2n', 1682282596", "'-k1.2,1.3 -k2,2n', 1059437756",
      "-k2n, 914852420", "-nr, 593022119", "'-k3,3 -k1,1r', 2133086964", "-r, 176355760", "'', 2852473356",
      "'-k1,1 -k2,2nr', 1974048222"})
  void sortKey_bytesUnchanged(String options, long pinnedCrc) {
    byte[] alphabet = "0123456789-.. \t\tab\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    KeyFieldBasedComparator order = KeyFieldBasedComparator.parse(options, "\t");
    Random random = new Random(42);
    CRC32 crc = new CRC32();
    for (int i = 0; i < 20_000; i++) {
      byte[] buffer = new byte[random.nextInt(40) + 8];
      for (int j = 0; j < buffer.length; j++) {
        buffer[j] = alphabet[random.nextInt(alphabet.length)];
      }
      int start = random.nextInt(4);
      int length = random.nextInt(buffer.length - start - 3) + 1;
      byte[] sortKey = order.sortKey(buffer, start, length);
      assertThat(KeyFieldBasedComparator.originalKey(sortKey)).isEqualTo(Arrays.copyOfRange(buffer, start, start + length));
      crc.update(sortKey.length >>> 8);
      crc.update(sortKey.length);
      crc.update(sortKey);
    }
    assertThat(crc.getValue()).as("CRC-32 of the sort keys under '%s'", options).isEqualTo(pinnedCrc);
  }

  @Test
  void originalKey_ofAPlainKey_saysItIsNotASortKey() {
    assertThatThrownBy(() -> KeyFieldBasedComparator.originalKey("a\tplain key".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sortKeysBy");
  }

  @Test
  void parse_badOptions_sayWhichOption() {
    assertThatThrownBy(() -> KeyFieldBasedComparator.parse("-k1,1 -kx", "\t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-kx");
    assertThatThrownBy(() -> KeyFieldBasedPartitioner.parse("-k0,1", "\t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start at 1");
    assertThatThrownBy(() -> KeyFieldBasedComparator.parse("--foo", "\t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--foo");
    assertThatThrownBy(() -> KeyFieldBasedComparator.parse("-k1", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("separator");
    assertThatThrownBy(() -> StreamingMapper.builder(StreamingProgram.of("cat")).outputKeyFields("\t", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
  }
}
