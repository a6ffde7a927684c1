package io.mapreduce.launcher.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A small EC2 for tests, on 127.0.0.1: speaks the Query API (form-encoded POSTs, version
 * 2016-11-15) for the calls the {@code ec2} provider makes, answers in EC2's XML (namespace
 * {@code http://ec2.amazonaws.com/doc/2016-11-15/}) or with EC2's error document and codes, keeps
 * images, subnets, groups and instances in memory, and records every request for assertions. It
 * checks what real EC2 checks that matters here: required parameters, that what a request names
 * exists, duplicate groups and rules, the user data's size and encoding, and that a group still
 * used by an instance not yet terminated cannot be deleted.
 *
 * <p>Instances go pending, then running after {@link #bootDelayMillis}; shutting-down, then
 * terminated likewise. A {@link Hosts} decides an instance's addresses, and may boot it for real.
 */
public final class FakeEc2Server implements AutoCloseable {
  static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  /** EC2's limit on user data, before base64. */
  static final int USER_DATA_LIMIT = 16 * 1024;

  /** Where instances run: their addresses, and what happens when they start and end. */
  public interface Hosts {
    /** The private and public (or null) address of a new instance, which may be started from here. */
    String[] place(Instance instance) throws Exception;

    default void terminated(Instance instance) throws Exception {}
  }

  /** One recorded request: its action and its parameters as sent. */
  public record Request(String action, Map<String, String> params) {
    public String get(String name) {
      return params.get(name);
    }

    /** The numbered members {@code PREFIX.1.*}, {@code PREFIX.2.*}, ... each as its own parameters. */
    public List<Map<String, String>> members(String prefix) {
      return FakeEc2Server.members(params, prefix);
    }
  }

  /** An instance as the fake keeps it. */
  public static final class Instance {
    public final String id;
    public final String image;
    public final String type;
    public final String userData;
    public final Map<String, String> tags;
    public final List<String> groups;
    public final boolean spot;
    public final Instant launched = Instant.now();
    volatile String state = "pending";
    volatile long changedAt = System.currentTimeMillis();
    volatile String reasonCode;
    volatile String reasonMessage;
    String privateAddress;
    String publicAddress;

    Instance(String id, String image, String type, String userData, Map<String, String> tags, List<String> groups,
        boolean spot) {
      this.id = id;
      this.image = image;
      this.type = type;
      this.userData = userData;
      this.tags = tags;
      this.groups = groups;
      this.spot = spot;
    }

    public String state() {
      return state;
    }

    public String privateAddress() {
      return privateAddress;
    }
  }

  record Group(String id, String name, String description, String vpc, Map<String, String> tags,
      List<Map<String, String>> rules) {}

  record Image(String id, String owner, String name, String created) {}

  private final HttpServer http;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final List<Image> images = new ArrayList<>();
  private final Map<String, String> subnets = new LinkedHashMap<>();
  private final Hosts hosts;
  private final List<String> hostFailures = new CopyOnWriteArrayList<>();
  private int counter;
  public volatile long bootDelayMillis = 200;

  private FakeEc2Server(Hosts hosts) throws IOException {
    this.hosts = hosts;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(Executors.newFixedThreadPool(2));
    http.createContext("/", this::handle);
    subnets.put("subnet-0default0", "vpc-0default0");
    http.start();
  }

  /** Instances get 10.0.0.N and 203.0.113.N and run nothing. */
  public static FakeEc2Server start() throws IOException {
    return start(new Hosts() {
      private int n;

      @Override
      public synchronized String[] place(Instance instance) {
        n++;
        return new String[] {"10.0.0." + (n + 10), "203.0.113." + (n + 10)};
      }
    });
  }

  public static FakeEc2Server start(Hosts hosts) throws IOException {
    return new FakeEc2Server(hosts);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  public synchronized void addImage(String id, String owner, String name, String created) {
    images.add(new Image(id, owner, name, created));
  }

  public synchronized void addSubnet(String id, String vpc) {
    subnets.put(id, vpc);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requests(String action) {
    return requests.stream().filter(r -> r.action().equals(action)).toList();
  }

  public synchronized List<Instance> instances() {
    return List.copyOf(instances.values());
  }

  public synchronized Map<String, Group> groups() {
    return Map.copyOf(groups);
  }

  /** What a {@link Hosts} threw, if anything (a failed boot). */
  public List<String> hostFailures() {
    return List.copyOf(hostFailures);
  }

  /** EC2 takes a spot instance back: it is terminated at once, with EC2's reason. */
  public synchronized void takeBack(String instanceId) {
    Instance i = instances.get(instanceId);
    i.state = "terminated";
    i.reasonCode = "Server.SpotInstanceTermination";
    i.reasonMessage = "Server.SpotInstanceTermination: Spot instance termination";
    ended(i);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> params = new TreeMap<>();
      for (String pair : body.split("&")) {
        if (!pair.isEmpty()) {
          int eq = pair.indexOf('=');
          params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
      }
      String action = params.getOrDefault("Action", "");
      requests.add(new Request(action, Map.copyOf(params)));
      int status = 200;
      String xml;
      try {
        if (!"2016-11-15".equals(params.get("Version"))) {
          throw new Fault("InvalidParameterValue", "unsupported Version " + params.get("Version"));
        }
        if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
          throw new Fault("AuthFailure", "the request is not signed");
        }
        String inner;
        synchronized (this) {
          advance();
          inner = answer(action, params);
        }
        xml = "<" + action + "Response xmlns=\"" + NS + "\"><requestId>" + requestId() + "</requestId>" + inner
            + "</" + action + "Response>";
      } catch (Fault f) {
        status = 400;
        xml = "<Response><Errors><Error><Code>" + f.code + "</Code><Message>" + esc(f.getMessage())
            + "</Message></Error></Errors><RequestID>" + requestId() + "</RequestID></Response>";
      }
      byte[] out = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
      exchange.sendResponseHeaders(status, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String requestId() {
    return java.util.UUID.randomUUID().toString();
  }

  /** An EC2 error: its code and message. */
  static final class Fault extends RuntimeException {
    final String code;

    Fault(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** Moves instances along their life as time passes. */
  private void advance() {
    long now = System.currentTimeMillis();
    for (Instance i : instances.values()) {
      if (now - i.changedAt < bootDelayMillis) {
        continue;
      }
      if (i.state.equals("pending")) {
        i.state = "running";
        i.changedAt = now;
      } else if (i.state.equals("shutting-down")) {
        i.state = "terminated";
        i.changedAt = now;
        ended(i);
      }
    }
  }

  private void ended(Instance i) {
    try {
      hosts.terminated(i);
    } catch (Exception e) {
      hostFailures.add(i.id + " terminated: " + e);
    }
  }

  private String answer(String action, Map<String, String> p) {
    return switch (action) {
      case "DescribeImages" -> describeImages(p);
      case "DescribeSubnets" -> describeSubnets(p);
      case "CreateSecurityGroup" -> createSecurityGroup(p);
      case "AuthorizeSecurityGroupIngress" -> authorize(p);
      case "DescribeSecurityGroups" -> describeSecurityGroups(p);
      case "DeleteSecurityGroup" -> deleteSecurityGroup(p);
      case "RunInstances" -> runInstances(p);
      case "DescribeInstances" -> describeInstances(p);
      case "TerminateInstances" -> terminateInstances(p);
      case "CreateTags" -> createTags(p);
      default -> throw new Fault("InvalidAction", "The action " + action + " is not valid for this web service.");
    };
  }

  private static String require(Map<String, String> p, String name) {
    String v = p.get(name);
    if (v == null || v.isEmpty()) {
      throw new Fault("MissingParameter", "The request must contain the parameter " + name);
    }
    return v;
  }

  /** {@code PREFIX.N} values, in N's order. */
  static List<String> list(Map<String, String> p, String prefix) {
    Pattern re = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)");
    return p.entrySet().stream().filter(e -> re.matcher(e.getKey()).matches())
        .sorted((a, b) -> Integer.compare(index(a.getKey()), index(b.getKey()))).map(Map.Entry::getValue).toList();
  }

  private static int index(String key) {
    return Integer.parseInt(key.substring(key.lastIndexOf('.') + 1));
  }

  /** {@code PREFIX.N.rest} parameters grouped by N, in N's order, each keyed by {@code rest}. */
  static List<Map<String, String>> members(Map<String, String> p, String prefix) {
    Pattern re = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)\\.(.+)");
    TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
    p.forEach((k, v) -> {
      var m = re.matcher(k);
      if (m.matches()) {
        byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new TreeMap<>()).put(m.group(2), v);
      }
    });
    return List.copyOf(byIndex.values());
  }

  /** The {@code Filter.N} parameters: name to values. */
  private static Map<String, List<String>> filters(Map<String, String> p, List<String> known) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map<String, String> f : members(p, "Filter")) {
      String name = f.get("Name");
      if (name == null || !(known.contains(name) || name.startsWith("tag:") && known.contains("tag:"))) {
        throw new Fault("InvalidParameterValue", "The filter '" + name + "' is invalid");
      }
      out.put(name, list(f, "Value"));
    }
    return out;
  }

  private static boolean matches(List<String> patterns, String value) {
    return value != null && patterns.stream().anyMatch(glob -> Pattern.compile(
        Pattern.quote(glob).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q")).matcher(value).matches());
  }

  private static boolean tagsMatch(Map<String, List<String>> filters, Map<String, String> tags) {
    return filters.entrySet().stream().filter(e -> e.getKey().startsWith("tag:"))
        .allMatch(e -> matches(e.getValue(), tags.get(e.getKey().substring(4))));
  }

  /** The tags of {@code TagSpecification.N} for this resource type; another type is refused. */
  private static Map<String, String> tagsFor(Map<String, String> p, List<String> types) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Map<String, String> spec : members(p, "TagSpecification")) {
      String type = require(spec, "ResourceType");
      if (!types.contains(type)) {
        throw new Fault("InvalidParameterValue", "'" + type + "' is not a valid taggable resource type for this"
            + " operation.");
      }
      if (type.equals(types.get(0))) {
        for (Map<String, String> t : members(spec, "Tag")) {
          tags.put(require(t, "Key"), t.getOrDefault("Value", ""));
        }
      }
    }
    return tags;
  }

  private String describeImages(Map<String, String> p) {
    List<String> owners = list(p, "Owner");
    Map<String, List<String>> f = filters(p, List.of("name", "state", "architecture"));
    String items = images.stream()
        .filter(i -> owners.isEmpty() || owners.contains(i.owner()))
        .filter(i -> !f.containsKey("name") || matches(f.get("name"), i.name()))
        .filter(i -> !f.containsKey("state") || f.get("state").contains("available"))
        .filter(i -> !f.containsKey("architecture") || f.get("architecture").contains("x86_64"))
        .map(i -> "<item><imageId>" + i.id() + "</imageId><imageOwnerId>" + i.owner() + "</imageOwnerId><name>"
            + esc(i.name()) + "</name><imageState>available</imageState><architecture>x86_64</architecture>"
            + "<creationDate>" + i.created() + "</creationDate></item>")
        .collect(Collectors.joining());
    return "<imagesSet>" + items + "</imagesSet>";
  }

  private String describeSubnets(Map<String, String> p) {
    StringBuilder items = new StringBuilder();
    for (String id : list(p, "SubnetId")) {
      if (!subnets.containsKey(id)) {
        throw new Fault("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
      }
      items.append("<item><subnetId>").append(id).append("</subnetId><vpcId>").append(subnets.get(id))
          .append("</vpcId><state>available</state></item>");
    }
    return "<subnetSet>" + items + "</subnetSet>";
  }

  private String createSecurityGroup(Map<String, String> p) {
    String name = require(p, "GroupName");
    String description = require(p, "GroupDescription");
    String vpc = p.getOrDefault("VpcId", "vpc-0default0");
    if (!subnets.containsValue(vpc)) {
      throw new Fault("InvalidVpcID.NotFound", "The vpc ID '" + vpc + "' does not exist");
    }
    if (groups.values().stream().anyMatch(g -> g.name().equals(name) && g.vpc().equals(vpc))) {
      throw new Fault("InvalidGroup.Duplicate", "The security group '" + name + "' already exists for VPC '" + vpc
          + "'");
    }
    String id = "sg-" + hex(++counter);
    groups.put(id, new Group(id, name, description, vpc, tagsFor(p, List.of("security-group")),
        new CopyOnWriteArrayList<>()));
    return "<return>true</return><groupId>" + id + "</groupId>";
  }

  private Group group(String id) {
    Group g = groups.get(id);
    if (g == null) {
      throw new Fault("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
    }
    return g;
  }

  private String authorize(Map<String, String> p) {
    Group g = group(require(p, "GroupId"));
    List<Map<String, String>> rules = members(p, "IpPermissions");
    if (rules.isEmpty()) {
      throw new Fault("MissingParameter", "The request must contain the parameter IpPermissions");
    }
    for (Map<String, String> r : rules) {
      require(r, "IpProtocol");
      for (Map<String, String> pair : members(r, "Groups")) {
        group(require(pair, "GroupId"));
      }
      if (g.rules().contains(r)) {
        throw new Fault("InvalidPermission.Duplicate", "the specified rule already exists");
      }
    }
    g.rules().addAll(rules);
    return "<return>true</return>";
  }

  private String describeSecurityGroups(Map<String, String> p) {
    List<String> ids = list(p, "GroupId");
    Map<String, List<String>> f = filters(p, List.of("group-name", "vpc-id", "tag:"));
    for (String id : ids) {
      group(id);
    }
    StringBuilder items = new StringBuilder();
    for (Group g : groups.values()) {
      if ((!ids.isEmpty() && !ids.contains(g.id())) || (f.containsKey("group-name")
          && !matches(f.get("group-name"), g.name())) || (f.containsKey("vpc-id") && !f.get("vpc-id").contains(g.vpc()))
          || !tagsMatch(f, g.tags())) {
        continue;
      }
      items.append("<item><ownerId>123456789012</ownerId><groupId>").append(g.id()).append("</groupId><groupName>")
          .append(esc(g.name())).append("</groupName><groupDescription>").append(esc(g.description()))
          .append("</groupDescription><vpcId>").append(g.vpc()).append("</vpcId><ipPermissions>");
      for (Map<String, String> r : g.rules()) {
        items.append("<item><ipProtocol>").append(r.get("IpProtocol")).append("</ipProtocol><fromPort>")
            .append(r.get("FromPort")).append("</fromPort><toPort>").append(r.get("ToPort")).append("</toPort><groups>");
        for (Map<String, String> pair : members(r, "Groups")) {
          items.append("<item><groupId>").append(pair.get("GroupId")).append("</groupId></item>");
        }
        items.append("</groups><ipRanges>");
        for (Map<String, String> range : members(r, "IpRanges")) {
          items.append("<item><cidrIp>").append(range.get("CidrIp")).append("</cidrIp></item>");
        }
        items.append("</ipRanges></item>");
      }
      items.append("</ipPermissions>").append(tagSet(g.tags())).append("</item>");
    }
    return "<securityGroupInfo>" + items + "</securityGroupInfo>";
  }

  private String deleteSecurityGroup(Map<String, String> p) {
    Group g = group(require(p, "GroupId"));
    for (Instance i : instances.values()) {
      if (i.groups.contains(g.id()) && !i.state.equals("terminated")) {
        throw new Fault("DependencyViolation", "resource " + g.id() + " has a dependent object");
      }
    }
    groups.remove(g.id());
    return "<return>true</return><groupId>" + g.id() + "</groupId>";
  }

  private String runInstances(Map<String, String> p) {
    String image = require(p, "ImageId");
    String type = require(p, "InstanceType");
    int min = Integer.parseInt(require(p, "MinCount"));
    int max = Integer.parseInt(require(p, "MaxCount"));
    if (min < 1 || max < min) {
      throw new Fault("InvalidParameterValue", "MinCount " + min + " and MaxCount " + max);
    }
    if (images.stream().noneMatch(i -> i.id().equals(image))) {
      throw new Fault("InvalidAMIID.NotFound", "The image id '[" + image + "]' does not exist");
    }
    String subnet = p.getOrDefault("SubnetId", "subnet-0default0");
    if (!subnets.containsKey(subnet)) {
      throw new Fault("InvalidSubnetID.NotFound", "The subnet ID '" + subnet + "' does not exist");
    }
    List<String> groupIds = list(p, "SecurityGroupId");
    for (String id : groupIds) {
      if (!group(id).vpc().equals(subnets.get(subnet))) {
        throw new Fault("InvalidParameter", "Security group " + id + " and subnet " + subnet
            + " belong to different networks.");
      }
    }
    String userData = "";
    if (p.containsKey("UserData")) {
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(p.get("UserData"));
      } catch (IllegalArgumentException e) {
        throw new Fault("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
      }
      if (raw.length > USER_DATA_LIMIT) {
        throw new Fault("InvalidParameterValue", "User data is limited to 16384 bytes");
      }
      userData = new String(raw, StandardCharsets.UTF_8);
    }
    Map<String, String> tags = tagsFor(p, List.of("instance", "volume", "network-interface"));
    boolean spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
    StringBuilder items = new StringBuilder();
    String reservation = "r-" + hex(++counter);
    for (int n = 0; n < max; n++) {
      Instance i = new Instance("i-" + hex(++counter), image, type, userData, tags, groupIds, spot);
      try {
        String[] addresses = hosts.place(i);
        i.privateAddress = addresses[0];
        i.publicAddress = addresses[1];
      } catch (Exception e) {
        hostFailures.add(i.id + " placed: " + e);
        throw new Fault("InsufficientInstanceCapacity", "no host for the instance: " + e.getMessage());
      }
      instances.put(i.id, i);
      items.append(instanceXml(i));
    }
    return "<reservationId>" + reservation + "</reservationId><ownerId>123456789012</ownerId><groupSet/>"
        + "<instancesSet>" + items + "</instancesSet>";
  }

  private String describeInstances(Map<String, String> p) {
    List<String> ids = list(p, "InstanceId");
    for (String id : ids) {
      if (!instances.containsKey(id)) {
        throw new Fault("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
      }
    }
    Map<String, List<String>> f = filters(p, List.of("instance-state-name", "tag:"));
    StringBuilder items = new StringBuilder();
    for (Instance i : instances.values()) {
      if ((ids.isEmpty() || ids.contains(i.id)) && (!f.containsKey("instance-state-name")
          || f.get("instance-state-name").contains(i.state)) && tagsMatch(f, i.tags)) {
        items.append("<item><reservationId>r-").append(i.id.substring(2)).append("</reservationId>")
            .append("<ownerId>123456789012</ownerId><instancesSet>").append(instanceXml(i))
            .append("</instancesSet></item>");
      }
    }
    return "<reservationSet>" + items + "</reservationSet>";
  }

  private String terminateInstances(Map<String, String> p) {
    List<String> ids = list(p, "InstanceId");
    if (ids.isEmpty()) {
      throw new Fault("MissingParameter", "The request must contain the parameter InstanceId");
    }
    StringBuilder items = new StringBuilder();
    for (String id : ids) {
      Instance i = instances.get(id);
      if (i == null) {
        throw new Fault("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
      }
      String before = i.state;
      if (!before.equals("terminated")) {
        i.state = "shutting-down";
        i.changedAt = System.currentTimeMillis();
      }
      items.append("<item><instanceId>").append(id).append("</instanceId><currentState>").append(stateXml(i.state))
          .append("</currentState><previousState>").append(stateXml(before)).append("</previousState></item>");
    }
    return "<instancesSet>" + items + "</instancesSet>";
  }

  private String createTags(Map<String, String> p) {
    List<String> ids = list(p, "ResourceId");
    if (ids.isEmpty()) {
      throw new Fault("MissingParameter", "The request must contain the parameter ResourceId");
    }
    for (String id : ids) {
      Map<String, String> tags = instances.containsKey(id) ? instances.get(id).tags
          : groups.containsKey(id) ? groups.get(id).tags() : null;
      if (tags == null) {
        throw new Fault("InvalidID", "The ID '" + id + "' is not valid");
      }
      for (Map<String, String> t : members(p, "Tag")) {
        tags.put(require(t, "Key"), t.getOrDefault("Value", ""));
      }
    }
    return "<return>true</return>";
  }

  private static String stateXml(String state) {
    int code = switch (state) {
      case "pending" -> 0;
      case "running" -> 16;
      case "shutting-down" -> 32;
      case "terminated" -> 48;
      default -> 80;
    };
    return "<code>" + code + "</code><name>" + state + "</name>";
  }

  private String instanceXml(Instance i) {
    StringBuilder x = new StringBuilder("<item><instanceId>").append(i.id).append("</instanceId><imageId>")
        .append(i.image).append("</imageId><instanceState>").append(stateXml(i.state)).append("</instanceState>")
        .append("<instanceType>").append(i.type).append("</instanceType><launchTime>").append(i.launched)
        .append("</launchTime>");
    if (!i.state.equals("terminated")) {
      x.append("<privateIpAddress>").append(i.privateAddress).append("</privateIpAddress>");
      if (i.publicAddress != null) {
        x.append("<ipAddress>").append(i.publicAddress).append("</ipAddress>");
      }
    }
    x.append("<groupSet>");
    for (String g : i.groups) {
      x.append("<item><groupId>").append(g).append("</groupId></item>");
    }
    x.append("</groupSet>");
    if (i.spot) {
      x.append("<instanceLifecycle>spot</instanceLifecycle>");
    }
    if (i.reasonCode != null) {
      x.append("<stateReason><code>").append(i.reasonCode).append("</code><message>").append(esc(i.reasonMessage))
          .append("</message></stateReason>");
    }
    return x.append(tagSet(i.tags)).append("</item>").toString();
  }

  private static String tagSet(Map<String, String> tags) {
    return tags.entrySet().stream().map(t -> "<item><key>" + esc(t.getKey()) + "</key><value>" + esc(t.getValue())
        + "</value></item>").collect(Collectors.joining("", "<tagSet>", "</tagSet>"));
  }

  private static String hex(int n) {
    return String.format("%017x", 0x0abc000L + n);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  @Override
  public void close() {
    http.stop(0);
    ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
  }
}
