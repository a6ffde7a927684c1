package io.mapreduce.launcher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The written manifests and compose file, validated offline: Kubernetes objects against the API's
 * schemas (kubernetes-models) and field lists (the official client's models, which reject a field
 * the API does not have), the compose file against the compose specification's JSON schema. The
 * validator is {@code src/test/k8s-validator/validate.mjs}, run with Node.js; its npm packages are
 * pinned by its package-lock.json and installed under {@code target/} with {@code npm ci}.
 *
 * <p>Needs {@code node} and {@code npm}: skipped without them, except under CI ({@code CI} set),
 * where their absence fails the test ({@code apt-get install -y nodejs npm} brings them).
 */
class ManifestValidationTest {
  private static final Path SOURCE = Path.of("src/test/k8s-validator");
  private static final Path VALIDATOR = Path.of("target/k8s-validator").toAbsolutePath();
  private static final List<String> FILES = List.of("package.json", "package-lock.json", "validate.mjs");

  @TempDir
  Path dir;

  /** The validator's exit code and output. */
  record Result(int exitCode, String output) {}

  @BeforeAll
  static void installValidator() throws Exception {
    boolean haveNode = runs("node", "--version") && runs("npm", "--version");
    if (!haveNode && System.getenv("CI") != null) {
      throw new AssertionError("node and npm are needed to validate the manifests: apt-get install -y nodejs npm");
    }
    Assumptions.assumeTrue(haveNode, "node and npm not found: the manifests are not validated (apt-get install -y "
        + "nodejs npm)");
    Files.createDirectories(VALIDATOR);
    for (String f : FILES) {
      Files.copy(SOURCE.resolve(f), VALIDATOR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    // npm ci again only when the pinned packages changed (it empties node_modules first).
    Path installed = VALIDATOR.resolve("node_modules/.mapreduce-installed-lock.json");
    if (!Files.exists(installed) || Files.mismatch(installed, SOURCE.resolve("package-lock.json")) != -1) {
      Result r = run(VALIDATOR, 300, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
      assertThat(r.exitCode()).as("npm ci in %s: %s", VALIDATOR, r.output()).isZero();
      Files.copy(SOURCE.resolve("package-lock.json"), installed, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void writtenManifestsAndComposeFile_areValid() throws Exception {
    ClusterFiles.write(ClusterFilesTest.golden(), dir, ClusterFilesTest.newSecret(), null, false);

    Result kube = validate("kube", dir.resolve("k8s/00-namespace.yaml"), dir.resolve("k8s/10-secret.yaml"),
        dir.resolve("k8s/20-master.yaml"), dir.resolve("k8s/30-workers.yaml"));
    assertThat(kube.exitCode()).as(kube.output()).isZero();
    assertThat(kube.output()).isEqualTo("valid: 5 documents\n");

    Result compose = validate("compose", dir.resolve("compose.yaml"));
    assertThat(compose.exitCode()).as(compose.output()).isZero();
    assertThat(compose.output()).isEqualTo("valid: 1 documents\n");
  }

  /** The same validator refuses a manifest with one thing wrong, and says where. */
  @Test
  void brokenManifests_areRejected() throws Exception {
    String workers = Manifests.workers(ClusterFilesTest.golden());
    Map<String, String[]> breakages = Map.of(
        "misspelled field", new String[] {"          readinessProbe:\n", "          readinesProbe:\n",
            "/spec/template/spec/containers/0/readinesProbe: unknown field"},
        "wrong type", new String[] {"  replicas: 3\n", "  replicas: \"3\"\n", "/spec/replicas must be integer"},
        "missing required field", new String[] {"        - name: worker\n          image:", "        - image:",
            "/spec/template/spec/containers/0 must have required property name"},
        "bad enum value", new String[] {"whenUnsatisfiable: ScheduleAnyway", "whenUnsatisfiable: Sometimes",
            "whenUnsatisfiable must be equal to one of the allowed values"});
    for (Map.Entry<String, String[]> b : breakages.entrySet()) {
      String[] change = b.getValue();
      assertThat(workers).as(b.getKey()).contains(change[0]);
      Path broken = Files.writeString(dir.resolve("broken.yaml"), workers.replace(change[0], change[1]));

      Result r = validate("kube", broken);

      assertThat(r.exitCode()).as("%s: %s", b.getKey(), r.output()).isEqualTo(1);
      assertThat(r.output()).as(b.getKey()).contains("document 1 (Deployment workers)").contains(change[2]);
    }
  }

  @Test
  void brokenComposeFile_isRejected() throws Exception {
    String compose = ComposeFile.render(ClusterFilesTest.golden(), "1000:1000");
    for (String[] change : List.of(
        new String[] {"    read_only: true\n", "    readonly: true\n", "must NOT have additional properties 'readonly'"},
        new String[] {"        condition: service_healthy\n", "        condition: when_ready\n",
            "must be equal to one of the allowed values"})) {
      assertThat(compose).contains(change[0]);
      Path broken = Files.writeString(dir.resolve("compose.yaml"), compose.replaceFirst(
          java.util.regex.Pattern.quote(change[0]), java.util.regex.Matcher.quoteReplacement(change[1])));

      Result r = validate("compose", broken);

      assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
      assertThat(r.output()).contains(change[2]);
    }
  }

  private Result validate(String mode, Path... files) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", VALIDATOR.resolve("validate.mjs").toString(), mode));
    for (Path f : files) {
      command.add(f.toString());
    }
    return run(VALIDATOR, 60, command.toArray(String[]::new));
  }

  private static boolean runs(String... command) {
    try {
      return run(Path.of("."), 30, command).exitCode() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Runs a command in {@code dir}, for at most {@code seconds}; its output and error together. */
  private static Result run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
    Path output = Files.createTempFile("validator", ".out");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
