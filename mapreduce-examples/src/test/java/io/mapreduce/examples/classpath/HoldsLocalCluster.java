package io.mapreduce.examples.classpath;

import io.mapreduce.netty.LocalCluster;

/** Starts a {@link LocalCluster} of two workers, says "ready", and waits to be killed. */
public final class HoldsLocalCluster {
  private HoldsLocalCluster() {}

  public static void main(String[] args) throws Exception {
    LocalCluster cluster = LocalCluster.start(2);
    System.out.println("ready " + cluster.master());
    Thread.sleep(Long.MAX_VALUE);
  }
}
