package io.mapreduce.netty.protocol;

import io.mapreduce.netty.protocol.Message.MapLocation;
import io.mapreduce.netty.protocol.Message.MapOutput;
import io.mapreduce.netty.protocol.Message.MapOutputs;
import io.mapreduce.netty.protocol.Message.ShuffleAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's copy of one job's shuffle addresses, as the master numbered them: turns each
 * {@link MapOutputs} into the {@link MapLocation}s it names. Not thread-safe.
 *
 * <p>A message's addresses replace those the book holds from {@code addressesFrom} on: a master
 * restarted from its journal numbers addresses again from its log, which may end earlier than the
 * one the worker heard from, and it sends from where the two agree.
 */
public final class MapOutputBook {
  private final List<ShuffleAddress> addresses = new ArrayList<>();

  /**
   * The message's outputs, resolved (word of a lost output as {@link MapLocation#gone}).
   *
   * @throws IllegalArgumentException when it names addresses this book was never sent
   */
  public List<MapLocation> take(MapOutputs m) {
    learnAddresses(m);
    List<MapLocation> locations = new ArrayList<>(m.outputs().size());
    for (MapOutput o : m.outputs()) {
      if (o.source() == MapOutput.GONE) {
        locations.add(MapLocation.gone(o.mapIndex(), o.attempt()));
        continue;
      }
      if (o.source() < 0 || o.source() >= addresses.size()) {
        throw new IllegalArgumentException("map output " + o.mapIndex() + " of job " + m.jobId()
            + " names address number " + o.source() + " of " + addresses.size());
      }
      ShuffleAddress a = addresses.get(o.source());
      locations.add(new MapLocation(o.mapIndex(), o.attempt(), a.host(), a.port()));
    }
    return locations;
  }

  /**
   * Takes in only the message's addresses (a reader that resolves its outputs itself, later).
   *
   * @throws IllegalArgumentException when they start past the addresses sent before
   */
  public void learnAddresses(MapOutputs m) {
    if (m.addressesFrom() > addresses.size()) {
      throw new IllegalArgumentException("map outputs of job " + m.jobId() + " bring addresses from number "
          + m.addressesFrom() + ", but only " + addresses.size() + " were sent before");
    }
    addresses.subList(m.addressesFrom(), addresses.size()).clear();
    addresses.addAll(m.addresses());
  }

  /** The address of this number. */
  public ShuffleAddress address(int source) {
    return addresses.get(source);
  }

  /** How many addresses it holds. */
  public int size() {
    return addresses.size();
  }
}
