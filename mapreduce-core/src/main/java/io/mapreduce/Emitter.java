package io.mapreduce;

import java.nio.charset.StandardCharsets;

/**
 * Receives the pairs a {@link Mapper} or {@link Reducer} produces.
 *
 * <p>The key and value are encoded to bytes before {@code emit} returns, so callers may reuse or
 * mutate the objects they pass afterwards.
 */
@FunctionalInterface
public interface Emitter<K, V> {

  /**
   * Emits one pair.
   *
   * @throws NullPointerException if {@code key} is null and the key type is not {@link Void}
   */
  void emit(K key, V value);

  /**
   * Emits a pair whose key is the {@code String} these UTF-8 bytes encode, for an
   * {@code Emitter<String, V>}: the same as {@code emit(new String(utf8, offset, length, UTF_8),
   * value)}, but a map task's emitter takes well-formed bytes as they are and makes no
   * {@code String} (see {@link BytesMapper}). Bytes that are not well-formed UTF-8 are decoded
   * as {@code new String} decodes them, each bad sequence becoming U+FFFD.
   *
   * @throws ClassCastException if the key type is not {@code String}
   */
  @SuppressWarnings("unchecked")
  default void emitUtf8(byte[] utf8, int offset, int length, V value) {
    emit((K) new String(utf8, offset, length, StandardCharsets.UTF_8), value);
  }
}
