package io.mapreduce.launcher.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mapreduce.s3.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/**
 * The ec2 provider against {@link FakeEc2Server} (EC2's Query API and XML on loopback) and s3proxy:
 * what it asks EC2 for, in which order, with which tags and rules, and that no secret is in any of it.
 */
class Ec2LauncherTest {
  private static final String NEWEST_AL2023 = "ami-0aaa00000000000a2";
  private static S3ProxyServer s3;

  @TempDir
  Path dir;
  private FakeEc2Server ec2;
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

  @BeforeAll
  static void startS3(@TempDir Path s3Dir) throws IOException, InterruptedException {
    s3 = S3ProxyServer.start(s3Dir);
    s3.createBucket("staging");
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void startEc2() throws IOException {
    ec2 = FakeEc2Server.start();
    ec2.bootDelayMillis = 100;
    ec2.addImage("ami-0aaa00000000000a1", "amazon", "al2023-ami-2023.5.20240701.0-kernel-6.1-x86_64",
        "2024-07-01T10:00:00.000Z");
    ec2.addImage(NEWEST_AL2023, "amazon", "al2023-ami-2023.6.20241111.0-kernel-6.1-x86_64", "2024-11-11T10:00:00.000Z");
    ec2.addImage("ami-0aaa00000000000a3", "amazon", "al2023-ami-minimal-2023.6.20241201.0-kernel-6.1-x86_64",
        "2024-12-01T10:00:00.000Z");
    ec2.addImage("ami-0dddd000000000d12", "136693071363", "debian-12-amd64-20241201-1949", "2024-12-01T20:00:00.000Z");
  }

  @org.junit.jupiter.api.AfterEach
  void stopEc2() {
    ec2.close();
  }

  private Ec2Launcher.Builder builder() throws IOException {
    Path jar = dir.resolve("app.jar");
    if (!Files.exists(jar)) {
      Files.write(jar, "not really a jar, but bytes with a hash".getBytes(StandardCharsets.UTF_8));
    }
    return Ec2Launcher.builder().name("lab").region("us-east-1").keyName("lab-key").staging("s3://staging/mr")
        .accessFrom("198.51.100.7/32").workers(2).jar(jar).stateRoot(dir.resolve("state"))
        .ec2Endpoint(ec2.endpoint()).s3Endpoint(URI.create(s3.endpoint()), true)
        .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
            S3ProxyServer.SECRET_KEY)))
        .poll(Duration.ofMillis(50)).bootTimeout(Duration.ofSeconds(20))
        .progress(new PrintStream(progress, true, StandardCharsets.UTF_8));
  }

  private Properties state() throws IOException {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(dir.resolve("state/lab/cluster.properties"))) {
      p.load(r);
    }
    return p;
  }

  private static Map<String, String> tags(Map<String, String> spec) {
    Map<String, String> tags = new java.util.TreeMap<>();
    for (Map<String, String> t : FakeEc2Server.members(spec, "Tag")) {
      tags.put(t.get("Key"), t.get("Value"));
    }
    return tags;
  }

  @Test
  void provision_makesTheGroupThenTheMasterThenWorkersNamingItsPrivateAddress() throws Exception {
    builder().build().provision();

    // The image: looked up, the newest of the family by creation date (the 'minimal' one's name does not match).
    FakeEc2Server.Request images = ec2.requests("DescribeImages").get(0);
    assertThat(images.get("Owner.1")).isEqualTo("amazon");
    assertThat(images.params()).containsEntry("Filter.1.Name", "name")
        .containsEntry("Filter.1.Value.1", "al2023-ami-2023.*-x86_64");

    FakeEc2Server.Request create = ec2.requests("CreateSecurityGroup").get(0);
    assertThat(create.get("GroupName")).isEqualTo("mapreduce-lab");
    assertThat(create.members("TagSpecification")).singleElement().satisfies(spec -> {
      assertThat(spec).containsEntry("ResourceType", "security-group");
      assertThat(tags(spec)).containsEntry("mapreduce:cluster", "lab");
    });
    String group = ec2.groups().keySet().iterator().next();

    // The rules: every port among the group's members, and only ssh, the master and the status page from the user.
    // One request a rule, so that a rule already there (an up cut short) refuses only itself.
    List<Map<String, String>> rules = ec2.requests("AuthorizeSecurityGroupIngress").stream()
        .flatMap(r -> r.members("IpPermissions").stream()).toList();
    assertThat(ec2.requests("AuthorizeSecurityGroupIngress")).hasSize(4);
    assertThat(rules).hasSize(4);
    assertThat(rules.get(0)).containsEntry("IpProtocol", "tcp").containsEntry("FromPort", "0")
        .containsEntry("ToPort", "65535").containsEntry("Groups.1.GroupId", group)
        .doesNotContainKey("IpRanges.1.CidrIp");
    List<String> fromUser = new ArrayList<>();
    for (Map<String, String> r : rules.subList(1, 4)) {
      assertThat(r).containsEntry("IpRanges.1.CidrIp", "198.51.100.7/32").doesNotContainKey("Groups.1.GroupId");
      assertThat(r.get("FromPort")).isEqualTo(r.get("ToPort"));
      fromUser.add(r.get("FromPort"));
    }
    assertThat(fromUser).containsExactly("22", "7077", "8080");
    assertThat(ec2.requests().stream().flatMap(r -> r.params().values().stream())).doesNotContain("0.0.0.0/0");

    // The master first, alone; the workers only once it ran, each told the master's private address.
    List<FakeEc2Server.Request> runs = ec2.requests("RunInstances");
    assertThat(runs).hasSize(3);
    List<String> nodes = new ArrayList<>();
    for (FakeEc2Server.Request run : runs) {
      assertThat(run.params()).containsEntry("ImageId", NEWEST_AL2023).containsEntry("KeyName", "lab-key")
          .containsEntry("SecurityGroupId.1", group).containsEntry("MinCount", "1").containsEntry("MaxCount", "1")
          .containsEntry("MetadataOptions.HttpTokens", "required");
      List<Map<String, String>> specs = run.members("TagSpecification");
      assertThat(specs).extracting(s -> s.get("ResourceType")).containsExactly("instance", "volume");
      for (Map<String, String> spec : specs) {
        assertThat(tags(spec)).containsEntry("mapreduce:cluster", "lab").containsKey("mapreduce:node");
      }
      nodes.add(tags(specs.get(0)).get("mapreduce:node"));
    }
    assertThat(nodes).containsExactly("master", "worker-1", "worker-2");
    FakeEc2Server.Instance master = ec2.instances().get(0);
    int masterRun = ec2.requests().indexOf(runs.get(0));
    int workerRun = ec2.requests().indexOf(runs.get(1));
    assertThat(ec2.requests().subList(masterRun, workerRun)).anySatisfy(r -> {
      assertThat(r.action()).isEqualTo("DescribeInstances");
      assertThat(r.get("InstanceId.1")).isEqualTo(master.id);
    });
    for (FakeEc2Server.Instance w : ec2.instances().subList(1, 3)) {
      assertThat(w.userData).contains("'--master' '" + master.privateAddress() + ":7077'");
      assertThat(w.tags).containsEntry("mapreduce:master", master.privateAddress());
    }
    assertThat(master.userData).contains("'master'").contains("user='ec2-user'");

    // Nothing secret anywhere EC2 keeps it: not in user data, tags or any parameter.
    String secret = Files.readString(dir.resolve("state/lab/secret")).strip();
    String token = Files.readString(dir.resolve("state/lab/http-token")).strip();
    assertThat(secret).hasSize(64);
    for (FakeEc2Server.Request r : ec2.requests()) {
      assertThat(r.params().toString()).doesNotContain(secret).doesNotContain(token);
    }
    for (FakeEc2Server.Instance i : ec2.instances()) {
      assertThat(i.userData).doesNotContain(secret).doesNotContain(token);
    }

    // Each node recorded with both addresses: ssh at the public one, the daemons at the private one.
    Properties state = state();
    assertThat(state).containsEntry("provider", "ec2").containsEntry("node.master", "203.0.113.11")
        .containsEntry("node.master.internal", master.privateAddress()).containsEntry("master.host", "203.0.113.11")
        .containsEntry("ssh.user", "ec2-user").containsEntry("nodes", "master,worker-1,worker-2")
        .containsEntry("ec2.securityGroup", group);
  }

  @Test
  void provision_stagesTheJarOnceBehindAPresignedUrlThatFetchesIt() throws Exception {
    builder().build().provision();
    String sha = io.mapreduce.launcher.ProvisionedCluster.sha256(dir.resolve("app.jar"));
    assertThat(s3.keys("staging", "mr/")).containsExactly("mr/jars/" + sha + ".jar");
    Matcher url = Pattern.compile("u='([^']+)'").matcher(ec2.instances().get(1).userData);
    assertThat(url.find()).isTrue();
    assertThat(url.group(1)).contains("X-Amz-Signature=").contains("X-Amz-Expires=3600");
    HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.group(1))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(Files.readAllBytes(dir.resolve("app.jar")));
    // A changed URL is refused: it is the signature, not the bucket, that lets the instance read.
    HttpResponse<byte[]> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        url.group(1).replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(forged.statusCode()).isEqualTo(403);

    builder().build().provision();
    assertThat(progress.toString()).contains("[s3] jar present");
  }

  @Test
  void provision_again_launchesOnlyTheSpotWorkerEc2TookBack() throws Exception {
    builder().spot(true).build().provision();
    List<FakeEc2Server.Request> runs = ec2.requests("RunInstances");
    assertThat(runs.get(0).params()).doesNotContainKey("InstanceMarketOptions.MarketType");
    for (FakeEc2Server.Request worker : runs.subList(1, 3)) {
      assertThat(worker.params()).containsEntry("InstanceMarketOptions.MarketType", "spot")
          .containsEntry("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
    }
    FakeEc2Server.Instance lost = ec2.instances().get(2);
    ec2.takeBack(lost.id);

    builder().spot(true).build().provision();
    List<FakeEc2Server.Request> again = ec2.requests("RunInstances");
    assertThat(again).hasSize(4);
    assertThat(tags(again.get(3).members("TagSpecification").get(0))).containsEntry("mapreduce:node", "worker-2");
    assertThat(ec2.requests("CreateSecurityGroup")).hasSize(1);
    FakeEc2Server.Instance replacement = ec2.instances().get(3);
    assertThat(state()).containsEntry("node.worker-2.internal", replacement.privateAddress());
  }

  @Test
  void down_terminatesByTagWaitsThenDeletesTheGroup() throws Exception {
    Ec2Launcher launcher = builder().build();
    launcher.provision();
    // EC2 refuses the group's deletion while an instance uses it: the order of down matters.
    try (var client = builder().ec2Client()) {
      String group = ec2.groups().keySet().iterator().next();
      assertThatThrownBy(() -> client.deleteSecurityGroup(r -> r.groupId(group))).isInstanceOf(Ec2Exception.class)
          .satisfies(e -> assertThat(((Ec2Exception) e).awsErrorDetails().errorCode()).isEqualTo("DependencyViolation"));
    }
    launcher.down();

    assertThat(ec2.instances()).allSatisfy(i -> assertThat(i.state()).isEqualTo("terminated"));
    assertThat(ec2.groups()).isEmpty();
    FakeEc2Server.Request terminate = ec2.requests("TerminateInstances").get(0);
    assertThat(FakeEc2Server.list(terminate.params(), "InstanceId")).containsExactlyInAnyOrderElementsOf(
        ec2.instances().stream().map(i -> i.id).toList());
    FakeEc2Server.Request byTag = ec2.requests("DescribeInstances").stream()
        .filter(r -> r.params().containsValue("tag:mapreduce:cluster")).findFirst().orElseThrow();
    assertThat(byTag.params()).containsValue("lab");
    assertThat(Files.exists(dir.resolve("state/lab"))).isFalse();
  }

  @Test
  void clustersDown_ofAnEc2Cluster_terminatesWithTheRegionAndEndpointItWasMadeWith() throws Exception {
    builder().build().provision();
    // 'cluster down' has no builder: the SDK's default credentials, here from system properties.
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
    try {
      io.mapreduce.launcher.Clusters.down(dir.resolve("state"), "lab", new PrintStream(progress, true,
          StandardCharsets.UTF_8));
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
    assertThat(ec2.instances()).allSatisfy(i -> assertThat(i.state()).isEqualTo("terminated"));
    assertThat(ec2.groups()).isEmpty();
    assertThat(progress.toString()).contains("cluster lab is down");
  }

  @Test
  void debianImages_areLookedUpFromDebiansAccount_andLogInAsAdmin() throws Exception {
    builder().imageFamily(ImageFamily.DEBIAN_12).workers(1).build().provision();
    assertThat(ec2.requests("DescribeImages").get(0).get("Owner.1")).isEqualTo("136693071363");
    assertThat(ec2.requests("RunInstances").get(0).get("ImageId")).isEqualTo("ami-0dddd000000000d12");
    assertThat(ec2.instances().get(0).userData).contains("user='admin'");
    assertThat(state()).containsEntry("ssh.user", "admin");
  }

  @Test
  void userData_isAShellScriptWithinEc2sLimit() throws Exception {
    builder().build().provision();
    for (FakeEc2Server.Instance i : ec2.instances()) {
      Path script = dir.resolve(i.id + ".sh");
      Files.writeString(script, i.userData);
      Process sh = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
      String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(sh.waitFor()).as(out).isZero();
      assertThat(i.userData.getBytes(StandardCharsets.UTF_8).length).isLessThan(FakeEc2Server.USER_DATA_LIMIT);
    }
  }

  @Test
  void badSettings_failInOneLineNamingTheSetting() {
    assertThatThrownBy(() -> Ec2Launcher.builder().region("narnia")).hasMessageContaining("region 'narnia'");
    assertThatThrownBy(() -> Ec2Launcher.builder().accessFrom("0.0.0.0")).hasMessageContaining("CIDR");
    assertThatThrownBy(() -> Ec2Launcher.builder().staging("http://bucket/x")).hasMessageContaining("s3://BUCKET");
    assertThatThrownBy(() -> Ec2Launcher.builder().image("ubuntu")).hasMessageContaining("AMI id");
    assertThatThrownBy(() -> Ec2Launcher.builder().name("lab").build())
        .hasMessage("the ec2 cluster needs a region, a key pair (keyName), a staging location (s3://BUCKET/PREFIX),"
            + " the user's address (accessFrom, a CIDR)");
  }

  @Test
  void ec2Errors_nameTheStepAndEc2sCode() throws Exception {
    assertThatThrownBy(() -> builder().image("ami-0fff00000000000f1").build().provision())
        .hasMessageContaining("launching master").hasMessageContaining("InvalidAMIID.NotFound");
  }
}
