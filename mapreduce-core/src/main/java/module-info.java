/**
 * The API of mapreduce (jobs, formats, the streaming library, the SPI, the test harness) and the
 * embedded engine. The {@code internal} packages are exported only to the library's own modules,
 * which build on them (the cluster runtime runs the same tasks, spills and commits); nothing else
 * can reach them on the module path.
 *
 * <p>Kryo, Guava and Commons Compress are the relocated copies of {@code io.mapreduce.thirdparty}.
 * A user's key, value, mapper and reducer classes are read and written reflectively (record
 * components, Kryo's field serializer), so a user's module opens their packages to
 * {@code io.mapreduce} and {@code io.mapreduce.thirdparty}.
 */
module io.mapreduce {
  requires io.mapreduce.thirdparty;
  requires org.lz4.java;
  requires com.github.luben.zstd_jni;
  requires org.slf4j;
  // for the relocated Kryo, Objenesis and Netty (automatic modules, which cannot say so themselves):
  // sun.misc.Unsafe and sun.reflect.ReflectionFactory
  requires jdk.unsupported;

  exports io.mapreduce;
  exports io.mapreduce.format;
  exports io.mapreduce.lib;
  exports io.mapreduce.lib.streaming;
  exports io.mapreduce.spi;
  exports io.mapreduce.testing;

  exports io.mapreduce.internal.codec to io.mapreduce.netty;
  exports io.mapreduce.internal.engine to io.mapreduce.netty, io.mapreduce.launcher;
  exports io.mapreduce.internal.io to io.mapreduce.netty, io.mapreduce.launcher, io.mapreduce.s3;
  exports io.mapreduce.internal.shuffle to io.mapreduce.netty;

  // Kryo encodes the job (the user's mapper and reducer, and the library's own lib and format
  // classes they hold) field by field.
  opens io.mapreduce to io.mapreduce.thirdparty;
  opens io.mapreduce.format to io.mapreduce.thirdparty;
  opens io.mapreduce.lib to io.mapreduce.thirdparty;
  opens io.mapreduce.lib.streaming to io.mapreduce.thirdparty;
  opens io.mapreduce.internal.codec to io.mapreduce.thirdparty;
  opens io.mapreduce.internal.engine to io.mapreduce.thirdparty;

  uses io.mapreduce.spi.ExecutionEngine;
  uses io.mapreduce.spi.Storage;
}
