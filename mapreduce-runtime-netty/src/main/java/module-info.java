/**
 * The cluster runtime over Netty. Its API is {@link io.mapreduce.netty.LocalCluster}; the rest (the
 * {@code cluster} engine, found by {@code ServiceLoader}, the master, the worker, the protocol) is
 * reached through the core's API ({@code MapReduceSpecification.Builder#cluster}) and the command
 * line, which runs on the class path.
 *
 * <p>Netty, Kryo and Guava are the relocated copies of {@code io.mapreduce.thirdparty.netty} and
 * {@code io.mapreduce.thirdparty}.
 */
module io.mapreduce.netty {
  requires transitive io.mapreduce;
  requires io.mapreduce.thirdparty;
  requires io.mapreduce.thirdparty.netty;
  requires org.slf4j;
  requires java.management;

  exports io.mapreduce.netty;

  // Kryo encodes the protocol's messages and the master's journal (records, read reflectively).
  opens io.mapreduce.netty.protocol to io.mapreduce.thirdparty;
  opens io.mapreduce.netty.master to io.mapreduce.thirdparty;

  provides io.mapreduce.spi.ExecutionEngine with io.mapreduce.netty.client.ClusterEngine;
}
