package io.mapreduce;

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
}
