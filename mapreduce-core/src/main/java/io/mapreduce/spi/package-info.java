/**
 * The service provider interfaces: {@link io.mapreduce.spi.ExecutionEngine} (where tasks run) and
 * {@link io.mapreduce.spi.Storage} (where input and output live). Depends on nothing but the JDK
 * and {@code io.mapreduce}; implementations outside the core are found with
 * {@link java.util.ServiceLoader}.
 */
package io.mapreduce.spi;
