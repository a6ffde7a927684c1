package io.mapreduce.launcher.ec2;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;

/**
 * A cluster's EC2 resources, found by their tag {@code mapreduce:cluster=NAME}: its security group
 * and its instances, one per node (tagged {@code mapreduce:node=master}, {@code worker-1}, ...).
 * Every call names what failed in one line, with EC2's error code.
 */
final class Ec2Machines {
  static final String CLUSTER_TAG = "mapreduce:cluster";
  static final String NODE_TAG = "mapreduce:node";
  /** On a worker: the master's private address its user data names (a new master needs new workers). */
  static final String MASTER_TAG = "mapreduce:master";

  private final Ec2Client ec2;
  private final String cluster;
  private final PrintStream progress;
  private final Duration poll;

  Ec2Machines(Ec2Client ec2, String cluster, PrintStream progress, Duration poll) {
    this.ec2 = ec2;
    this.cluster = cluster;
    this.progress = progress;
    this.poll = poll;
  }

  /** The newest available x86_64 image of the family, by creation date. */
  String newestImage(ImageFamily family) {
    List<Image> images = call("looking up the " + family + " image", () -> ec2.describeImages(b -> b
        .owners(family.owner())
        .filters(filter("name", family.namePattern()), filter("state", "available"), filter("architecture", "x86_64")))
        .images());
    return images.stream().max(Comparator.comparing(Image::creationDate))
        .orElseThrow(() -> new IllegalStateException("no " + family + " image (owner " + family.owner() + ", name "
            + family.namePattern() + ") in this region: name one with image(...)"))
        .imageId();
  }

  /** The VPC of a subnet: the security group must be made there. */
  String vpcOf(String subnet) {
    return call("looking up subnet " + subnet, () -> ec2.describeSubnets(b -> b.subnetIds(subnet)).subnets())
        .stream().findFirst().orElseThrow(() -> new IllegalArgumentException("no subnet " + subnet)).vpcId();
  }

  String groupName() {
    return "mapreduce-" + cluster;
  }

  /** The cluster's security group's id, if it exists. */
  Optional<String> group() {
    return call("looking up security group " + groupName(), () -> ec2.describeSecurityGroups(b -> b.filters(
        filter("group-name", groupName()), filter("tag:" + CLUSTER_TAG, cluster))).securityGroups())
        .stream().map(SecurityGroup::groupId).findFirst();
  }

  /**
   * The cluster's security group, made if missing: every TCP port open between its members (the
   * workers' shuffle ports are chosen at start), and from {@code adminCidr} only ssh, the master's
   * port (jobs submitted from there) and the status page.
   */
  String ensureGroup(String vpcId, String adminCidr, int masterPort, int httpPort) {
    Optional<String> existing = group();
    String id;
    if (existing.isPresent()) {
      id = existing.get();
      progress.println("[ec2] security group " + groupName() + " (" + id + ") is there");
    } else {
      id = call("creating security group " + groupName(), () -> ec2.createSecurityGroup(b -> b
          .groupName(groupName())
          .description("mapreduce cluster " + cluster + ": its nodes among themselves; ssh and status from the user")
          .vpcId(vpcId)
          .tagSpecifications(tags(ResourceType.SECURITY_GROUP, null))).groupId());
      progress.println("[ec2] security group " + groupName() + " (" + id + ") made");
    }
    // Every rule every time, one by one (EC2 refuses a whole request holding one it has): an up cut
    // short after making the group, or a new --access-from, still ends with the rules in place.
    List<IpPermission> rules = new ArrayList<>();
    rules.add(IpPermission.builder().ipProtocol("tcp").fromPort(0).toPort(65535)
        .userIdGroupPairs(UserIdGroupPair.builder().groupId(id).description("the cluster's nodes").build()).build());
    for (int port : List.of(22, masterPort, httpPort)) {
      rules.add(IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port)
          .ipRanges(IpRange.builder().cidrIp(adminCidr).description("the launching user").build()).build());
    }
    for (IpPermission rule : rules) {
      try {
        ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(rule));
      } catch (Ec2Exception e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        if (!"InvalidPermission.Duplicate".equals(code)) {
          call("opening the cluster's ports in " + id, () -> {
            throw e;
          });
        }
      }
    }
    return id;
  }

  /** What one instance is launched with. */
  record Launch(String image, String instanceType, boolean spot, String keyName, String subnet, String group,
      String instanceProfile) {}

  /** Terminates these instances (without waiting). */
  void terminate(List<String> ids, String why) {
    if (!ids.isEmpty()) {
      call("terminating " + ids, () -> ec2.terminateInstances(b -> b.instanceIds(ids)));
      progress.println("[ec2] terminating " + String.join(" ", ids) + ": " + why);
    }
  }

  /** Launches one node's instance, tagged (instance and volumes) with the cluster and the node. */
  Instance launch(Launch l, String node, String userData, String masterAddress) {
    RunInstancesRequest.Builder b = RunInstancesRequest.builder()
        .imageId(l.image()).instanceType(l.instanceType()).minCount(1).maxCount(1)
        .keyName(l.keyName()).securityGroupIds(l.group()).subnetId(l.subnet())
        .userData(UserData.base64(userData))
        // IMDSv2 only: the user data's metadata reads need no more, and v1's open GETs are not offered.
        .metadataOptions(InstanceMetadataOptionsRequest.builder().httpTokens(HttpTokensState.REQUIRED).build())
        .tagSpecifications(tags(ResourceType.INSTANCE, node, masterAddress), tags(ResourceType.VOLUME, node, null));
    if (l.instanceProfile() != null) {
      IamInstanceProfileSpecification.Builder p = IamInstanceProfileSpecification.builder();
      b.iamInstanceProfile((l.instanceProfile().startsWith("arn:") ? p.arn(l.instanceProfile())
          : p.name(l.instanceProfile())).build());
    }
    if (l.spot()) {
      b.instanceMarketOptions(InstanceMarketOptionsRequest.builder().marketType(MarketType.SPOT)
          .spotOptions(SpotMarketOptions.builder().spotInstanceType(SpotInstanceType.ONE_TIME)
              .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE).build()).build());
    }
    Instance i = call("launching " + node + " (" + l.instanceType() + (l.spot() ? ", spot" : "") + ")",
        () -> ec2.runInstances(b.build()).instances().get(0));
    progress.println("[ec2] " + node + ": launched " + i.instanceId() + " (" + l.instanceType()
        + (l.spot() ? ", spot" : "") + ")");
    return i;
  }

  /** The cluster's instances that are pending or running, by node (a node with two keeps the newest). */
  Map<String, Instance> live() {
    Map<String, Instance> out = new LinkedHashMap<>();
    for (Instance i : instances(List.of("pending", "running"))) {
      String node = tag(i, NODE_TAG);
      if (node != null) {
        out.merge(node, i, (a, b) -> a.launchTime().isAfter(b.launchTime()) ? a : b);
      }
    }
    return out;
  }

  /** The cluster's instances in these states, every page. */
  List<Instance> instances(List<String> states) {
    return call("listing the cluster's instances", () -> ec2.describeInstancesPaginator(b -> b.filters(
        filter("tag:" + CLUSTER_TAG, cluster), Filter.builder().name("instance-state-name").values(states).build()))
        .reservations().stream().map(Reservation::instances).flatMap(List::stream).toList());
  }

  /**
   * Waits until every one of the instances runs and has a private address; fails naming the node
   * of one that ended instead (a spot request EC2 could not fill, or took back), with EC2's reason.
   */
  Map<String, Instance> awaitRunning(List<String> ids, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Instance> now;
      try {
        now = ec2.describeInstancesPaginator(b -> b.instanceIds(ids)).reservations().stream()
            .map(Reservation::instances).flatMap(List::stream).toList();
      } catch (Ec2Exception e) {
        // EC2 is eventually consistent: an instance just launched may not be listed yet.
        if (e.awsErrorDetails() == null || !"InvalidInstanceID.NotFound".equals(e.awsErrorDetails().errorCode())
            || System.nanoTime() > deadline) {
          return call("waiting for " + ids, () -> {
            throw e;
          });
        }
        now = List.of();
      }
      Map<String, Instance> running = new LinkedHashMap<>();
      for (Instance i : now) {
        InstanceStateName state = i.state().name();
        if (state == InstanceStateName.RUNNING && i.privateIpAddress() != null) {
          running.put(tag(i, NODE_TAG), i);
        } else if (state != InstanceStateName.PENDING && state != InstanceStateName.RUNNING) {
          throw new IllegalStateException(tag(i, NODE_TAG) + " (" + i.instanceId() + ") is " + state + " instead of"
              + " running" + (i.stateReason() == null ? "" : ": " + i.stateReason().message()));
        }
      }
      if (running.size() == ids.size()) {
        return running;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("instances " + ids + " were not all running within " + timeout.toSeconds()
            + " s");
      }
      Thread.sleep(poll.toMillis());
    }
  }

  /**
   * Terminates every instance of the cluster, waits until they are terminated, then deletes its
   * security group (EC2 refuses while an instance still uses it).
   */
  void terminateAll(Duration timeout) throws InterruptedException {
    List<String> ids = instances(List.of("pending", "running", "stopping", "stopped", "shutting-down")).stream()
        .map(Instance::instanceId).toList();
    terminate(ids, "cluster " + cluster + " goes down");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!instances(List.of("pending", "running", "stopping", "stopped", "shutting-down")).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the instances of cluster " + cluster + " were not terminated within "
            + timeout.toSeconds() + " s: run 'cluster down " + cluster + "' again");
      }
      Thread.sleep(poll.toMillis());
    }
    Optional<String> group = group();
    if (group.isPresent()) {
      call("deleting security group " + group.get(), () -> ec2.deleteSecurityGroup(b -> b.groupId(group.get())));
      progress.println("[ec2] security group " + groupName() + " (" + group.get() + ") deleted");
    }
  }

  private TagSpecification tags(ResourceType type, String node) {
    return tags(type, node, null);
  }

  private TagSpecification tags(ResourceType type, String node, String masterAddress) {
    List<Tag> tags = new ArrayList<>(List.of(tag(CLUSTER_TAG, cluster),
        tag("Name", "mapreduce-" + cluster + (node == null ? "" : "-" + node))));
    if (node != null) {
      tags.add(tag(NODE_TAG, node));
    }
    if (masterAddress != null) {
      tags.add(tag(MASTER_TAG, masterAddress));
    }
    return TagSpecification.builder().resourceType(type).tags(tags).build();
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  static String tag(Instance i, String key) {
    return i.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst().orElse(null);
  }

  private static Filter filter(String name, String value) {
    return Filter.builder().name(name).values(value).build();
  }

  private interface Call<T> {
    T run();
  }

  /** Runs one EC2 call; an error becomes one line naming the step and EC2's code and message. */
  private <T> T call(String step, Call<T> call) {
    try {
      return call.run();
    } catch (Ec2Exception e) {
      String code = e.awsErrorDetails() == null ? "HTTP " + e.statusCode() : e.awsErrorDetails().errorCode();
      String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
      throw new IllegalStateException("ec2: " + step + ": " + code + ": " + message, e);
    }
  }
}
