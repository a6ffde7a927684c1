/**
 * Key and value encodings: deterministic, order-preserving codecs for key types, and Kryo for
 * other values and for the job's mapper, reducer and combiner templates. Depends on Kryo and Guava.
 */
package io.mapreduce.internal.codec;
