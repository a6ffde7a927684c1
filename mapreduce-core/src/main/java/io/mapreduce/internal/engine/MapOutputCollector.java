package io.mapreduce.internal.engine;

import io.mapreduce.Counters;
import io.mapreduce.Emitter;
import io.mapreduce.Reducer;
import io.mapreduce.internal.codec.ByteSink;
import io.mapreduce.internal.codec.ByteSource;
import io.mapreduce.internal.codec.Utf8;
import io.mapreduce.internal.shuffle.KeyTable;
import io.mapreduce.internal.shuffle.LongSumTable;
import io.mapreduce.lib.LongSumReducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes and partitions map output into the sort buffer of {@link MapSpills}, which spills and
 * merges it. With a combiner, output first goes through a combining table, so that the sort
 * buffer sees a few combined records instead of every emitted pair: an {@link ObjectCombiningTable} for value-like
 * types (combined when full), a {@link KeyTable} of encoded bytes otherwise (which combines the
 * values of a key as soon as {@link #EAGER_COMBINE} are waiting, and all keys when full). When the
 * combiner is {@link LongSumReducer} the table is a {@link LongSumTable} instead: one {@code long}
 * per encoded key, no values kept and no combiner called; with {@link #emitUtf8} a string key goes
 * into it as the bytes the mapper found, so a word count makes no object per word.
 */
final class MapOutputCollector<K, V> implements Emitter<K, V> {
  /** A key's values in the byte table are combined as soon as this many are waiting. */
  private static final int EAGER_COMBINE = 32;
  /** The combining table stays small enough to live in the caches. */
  private static final long MAX_TABLE_BYTES = 16 << 20;

  private final JobPlan<K, V> plan;
  private final TaskAttempt attempt;

  private final ByteSink key = new ByteSink(64);
  private final ByteSink value = new ByteSink(64);
  private final ByteSource source = new ByteSource();
  /** The sort buffer's halves, the spills and their merge. */
  private final MapSpills<K, V> spills;
  /** The spills' combiner (see MapSpills). */
  private final Reducer<K, V> combiner;
  /**
   * The table's combiner: another instance, because a spill can start while it is inside
   * {@code reduce} (its output filled the sort buffer), and combiners need not be re-entrant.
   */
  private final Reducer<K, V> tableCombiner;
  private final KeyTable table;
  /** With {@link LongSumReducer} as the combiner: sums by encoded key, instead of either table. */
  private final LongSumTable sumTable;
  /**
   * With value-like keys and values (strings, numbers, records of those) the table holds them as
   * objects instead, keyed by {@code equals}, as Spark's map-side combine does: nothing is
   * encoded until the table is flushed, so a word count encodes a few thousand keys per flush
   * instead of every word.
   */
  private final ObjectCombiningTable<K, V> objectTable;
  private final long tableBudget;
  private final List<V> tableValues = new ArrayList<>();
  private final CombineOutput combineOutput = new CombineOutput();
  private final ObjectTableCombine objectTableCombine = new ObjectTableCombine();
  private boolean tableInUse;
  private long tableInputs;
  private long outputRecords;
  private long outputBytes;
  private long combineInputs;
  private long combineOutputs;

  MapOutputCollector(JobPlan<K, V> plan, TaskAttempt attempt, Path attemptDirectory) throws Exception {
    this.plan = plan;
    this.attempt = attempt;
    this.combiner = plan.newCombiner();
    long budget = plan.spec.sortBufferSize();
    if (combiner != null && !(combiner instanceof SortedRunCombiner)) {
      // Its sums are exact only over Long values; a Void key encodes as nothing, which is fine.
      boolean sums = combiner instanceof LongSumReducer<?> && plan.valueCodec.type() == (Class<?>) Long.class;
      tableCombiner = sums ? null : plan.newCombiner();
      if (tableCombiner != null) {
        tableCombiner.setup(attempt);
      }
      // The table's arrays may reach twice what it uses: a quarter of the budget holds an eighth.
      tableBudget = Math.min(budget / 8, MAX_TABLE_BYTES);
      // A Void key or value is null, which the object table cannot hold.
      boolean objects = !sums && plan.keyCodec.isValueLike() && plan.keyCodec.type() != (Class<?>) Void.class
          && plan.valueCodec.isValueLike() && plan.valueCodec.type() != (Class<?>) Void.class;
      table = sums || objects ? null : new KeyTable();
      objectTable = objects ? new ObjectCombiningTable<>(plan.keyCodec::encodedSize, plan.valueCodec::encodedSize) : null;
      sumTable = sums ? new LongSumTable() : null;
      tableInUse = true;
      budget -= 2 * tableBudget;
    } else {
      tableCombiner = null;
      tableBudget = 0;
      table = null;
      objectTable = null;
      sumTable = null;
    }
    spills = new MapSpills<>(plan, attempt, attemptDirectory, combiner, budget);
  }

  @Override
  public void emit(K k, V v) {
    // Kept small enough to inline into the mapper's loop: the object table's way first.
    if (objectTable != null && tableInUse) {
      if (k == null || v == null) {
        plan.checkEmitted(k, v, "map");
      }
      attempt.progressed();
      objectTable.add(k, v);
      if (objectTable.footprint() > tableBudget) {
        flushObjectTable();
      }
      return;
    }
    emitEncoded(k, v);
  }

  private void emitEncoded(K k, V v) {
    plan.checkEmitted(k, v, "map");
    attempt.progressed();
    if (sumTable != null && tableInUse) {
      key.clear();
      plan.keyCodec.write(k, key, false);
      addToSumTable(key.array(), 0, key.length(), v);
      return;
    }
    plan.encode(k, v, key, value);
    outputRecords++;
    outputBytes += key.length() + value.length();
    boolean toTable = tableInUse && table != null;
    // A user partitioner needs no hash: the bytes are only hashed for the table or the default.
    int hash = toTable || !plan.partitionsByObject() ? JobPlan.keyHash(key.array(), 0, key.length()) : 0;
    if (toTable) {
      int entry = table.add(key.array(), 0, key.length(), hash, value.array(), 0, value.length());
      tableInputs++;
      if (table.valueCount(entry) >= EAGER_COMBINE) {
        combineEntry(entry, true);
      }
      if (table.footprint() > tableBudget) {
        flushTable();
      }
    } else {
      buffer(k, hash, key, value);
    }
  }

  /**
   * A string key as UTF-8 bytes: well-formed bytes are the key's encoding, so they go into the sum
   * table, or the sort buffer, as they are; anything else takes the way of a {@code String}.
   */
  @Override
  public void emitUtf8(byte[] utf8, int offset, int length, V v) {
    boolean asBytes = v != null && plan.keyBytesAreUtf8() && !plan.partitionsByObject()
        && (sumTable != null || !tableInUse) && Utf8.isWellFormed(utf8, offset, length);
    if (!asBytes) {
      if (plan.keyCodec.type() != (Class<?>) String.class) {
        throw new IllegalStateException("emitUtf8 emits String keys, but the job's key type is "
            + plan.keyCodec.type().getName());
      }
      Emitter.super.emitUtf8(utf8, offset, length, v);
      return;
    }
    attempt.progressed();
    if (sumTable != null && tableInUse) {
      addToSumTable(utf8, offset, length, v);
      return;
    }
    key.clear();
    key.write(utf8, offset, length);
    value.clear();
    plan.valueCodec.write(v, value, false);
    outputRecords++;
    outputBytes += length + value.length();
    buffer(null, JobPlan.keyHash(utf8, offset, length), key, value);
  }

  private void addToSumTable(byte[] k, int offset, int length, V v) {
    outputRecords++;
    outputBytes += length + plan.valueCodec.encodedSize(v);
    sumTable.add(k, offset, length, (Long) v);
    tableInputs++;
    if (sumTable.footprint() > tableBudget) {
      flushSumTable();
    }
  }

  /** Writes each key's sum to the sort buffer and empties the table. */
  @SuppressWarnings("unchecked")
  private void flushSumTable() {
    int keys = sumTable.size();
    for (int e = 0; e < keys; e++) {
      key.clear();
      key.write(sumTable.keyArray(), sumTable.keyOffset(e), sumTable.keyLength(e));
      value.clear();
      plan.valueCodec.write((V) Long.valueOf(sumTable.sum(e)), value, false);
      K k = plan.partitionsByObject() ? plan.keyCodec.decode(source, key.array(), 0, key.length()) : null;
      buffer(k, plan.partitionsByObject() ? 0 : JobPlan.keyHash(key.array(), 0, key.length()), key, value);
    }
    combineInputs += tableInputs;
    combineOutputs += keys;
    // As for the other tables: one that barely reduces its input is bypassed from now on.
    if (keys > tableInputs / 2) {
      tableInUse = false;
    }
    sumTable.clear();
    tableInputs = 0;
  }

  private void buffer(K k, int hash, ByteSink kb, ByteSink vb) {
    spills.add(plan.partition(k, hash, kb.array(), kb.length()), kb, vb);
  }

  /**
   * Runs the combiner on the values a table entry holds. Kept in the table (eagerly), output for
   * the same key goes back into the entry; anything else goes to the sort buffer.
   */
  private void combineEntry(int entry, boolean keep) {
    K k = plan.keyCodec.decode(source, table.keyArray(), table.keyOffset(entry), table.keyLength(entry));
    tableValues.clear();
    for (int node = table.firstValue(entry); node >= 0; node = table.nextValue(node)) {
      tableValues.add(plan.valueCodec.decode(source, table.valueArray(), table.valueOffset(node),
          table.valueLength(node)));
    }
    table.resetValues(entry);
    combineInputs += tableValues.size();
    combineOutput.entry = keep ? entry : -1;
    combine(k, tableValues);
  }

  /** Runs the table's combiner into {@link #combineOutput}, as it was aimed by the caller. */
  private void combine(K k, Iterable<V> values) {
    combine(k, values, combineOutput);
  }

  /** Runs the table's combiner into {@code out}, its checked exceptions as CombinerException. */
  private void combine(K k, Iterable<V> values, Emitter<K, V> out) {
    try {
      tableCombiner.reduce(k, values, out);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new MapTask.CombinerException(e);
    }
  }

  /** Combines every key of the object table into the sort buffer and empties the table. */
  private void flushObjectTable() {
    int keys = objectTable.size();
    long inputs = objectTable.inputs();
    combineOutput.entry = -1;
    outputBytes += objectTable.combineAll(objectTableCombine);
    outputRecords += inputs;
    combineInputs += inputs;
    if (keys > inputs / 2) {
      tableInUse = false;
    }
  }

  /** Combines every key of the table into the sort buffer and empties the table. */
  private void flushTable() {
    int keys = table.size();
    for (int e = 0; e < keys; e++) {
      if (table.valueCount(e) > 0) {
        combineEntry(e, false);
      }
    }
    // A table that barely reduces its input costs more than it saves: Spark bypasses its
    // map-side aggregation the same way. The combiner still runs on each spill.
    if (keys > tableInputs / 2) {
      tableInUse = false;
    }
    table.clear();
    tableInputs = 0;
  }

  /** The object table's combine: into the sort buffer, and folds captured (see ObjectCombiningTable). */
  private final class ObjectTableCombine implements ObjectCombiningTable.Combine<K, V>, Emitter<K, V> {
    private K foldKey;
    private V folded;
    private int foldedCount;

    @Override
    public void combine(K key, Iterable<V> values) {
      MapOutputCollector.this.combine(key, values);
    }

    @Override
    public Object fold(K key, Iterable<V> copies) {
      foldKey = key;
      folded = null;
      foldedCount = 0;
      MapOutputCollector.this.combine(key, copies, this);
      return foldedCount == 0 ? ObjectCombiningTable.NOTHING : foldedCount == 1 ? folded : null;
    }

    /** The fold's output: one value for the key is kept; anything more goes on as combined output. */
    @Override
    public void emit(K k, V v) {
      plan.checkEmitted(k, v, "combiner");
      if (foldedCount == 0 && k.equals(foldKey)) {
        folded = v;
        foldedCount = 1;
        return;
      }
      if (foldedCount == 1) {
        combineOutput.emit(foldKey, folded);
      }
      foldedCount = 2;
      combineOutput.emit(k, v);
    }
  }

  /** Where the combiner's output goes: back into its byte-table entry, or to the sort buffer. */
  private final class CombineOutput implements Emitter<K, V> {
    private final ByteSink ck = new ByteSink(64);
    private final ByteSink cv = new ByteSink(64);
    int entry = -1;

    @Override
    public void emit(K k, V v) {
      plan.checkEmitted(k, v, "combiner");
      plan.encode(k, v, ck, cv);
      combineOutputs++;
      if (entry >= 0 && Arrays.equals(ck.array(), 0, ck.length(),
          table.keyArray(), table.keyOffset(entry), table.keyOffset(entry) + table.keyLength(entry))) {
        table.append(entry, cv.array(), 0, cv.length());
      } else {
        buffer(k, plan.partitionsByObject() ? 0 : JobPlan.keyHash(ck.array(), 0, ck.length()), ck, cv);
      }
    }
  }

  /** Stops the spill thread and waits for it, so it writes nothing after the attempt ends. */
  void close() {
    spills.close();
    MapTask.closeIfCloseable(combiner, attempt);
    MapTask.closeIfCloseable(tableCombiner, attempt);
  }

  MapTask.Output finish() throws Exception {
    if (table != null && table.size() > 0) {
      flushTable();
    }
    if (objectTable != null && !objectTable.isEmpty()) {
      flushObjectTable();
    }
    if (sumTable != null && sumTable.size() > 0) {
      flushSumTable();
    }
    if (tableCombiner != null) {
      // What the table's combiner emits as it ends goes to the sort buffer like its other output.
      combineOutput.entry = -1;
      try {
        tableCombiner.cleanup(combineOutput);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new MapTask.CombinerException(e);
      }
    }
    MapTask.Output output = spills.finish();
    attempt.add(Counters.MAP_OUTPUT_RECORDS, outputRecords);
    attempt.add(Counters.MAP_OUTPUT_BYTES, outputBytes);
    attempt.add(Counters.COMBINE_INPUT_RECORDS, combineInputs);
    attempt.add(Counters.COMBINE_OUTPUT_RECORDS, combineOutputs);
    return output;
  }
}
