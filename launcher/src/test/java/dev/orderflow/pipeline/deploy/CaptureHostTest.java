package dev.orderflow.pipeline.deploy;

import static dev.orderflow.dynamodblocal.iam.CfnTemplate.list;
import static dev.orderflow.dynamodblocal.iam.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.pipeline.capture.CaptureProcess;

/**
 * The capture host as the template describes it: the user data file it includes (cloud-config with the systemd
 * unit and scripts), the container it runs, the metrics its alarms read, and the images it runs.
 */
@org.junit.jupiter.api.Timeout(600)
class CaptureHostTest {
    /** EC2 refuses user data above 16 KB (before base64). */
    private static final int USER_DATA_LIMIT = 16 * 1024;

    private final CfnTemplate template = CfnTemplate.loadRepositoryTemplate();
    private final Path root = CfnTemplate.repositoryRoot();

    @Test
    void shouldIncludeUserDataFromAFileThatSubstitutesOnlyNamesTheTemplateDefines() {
        String text = userDataTemplate();
        List<String> unknown = CfnTemplate.subVariables(text).stream()
                .filter(name -> !template.defines(name.contains(".") && !name.startsWith("AWS::")
                        ? name.substring(0, name.indexOf('.')) : name))
                .distinct().toList();
        assertEquals(List.of(), unknown, "names in the user data that the template does not define");
    }

    @Test
    void shouldRunHostBInAnotherZoneWithAJournalOfItsOwnReplacedOnlyAfterHostA() {
        Map<String, Object> a = map(template.resources().get("CaptureGroup"));
        Map<String, Object> b = map(template.resources().get("CaptureGroupB"));
        assertEquals("TwoHosts", b.get("Condition"));
        assertTrue(list(b.get("DependsOn")).contains("CaptureGroup"), "b is replaced after a");
        for (Map<String, Object> group : List.of(a, b)) {
            Map<String, Object> rolling = map(map(group.get("UpdatePolicy")).get("AutoScalingRollingUpdate"));
            assertEquals(true, rolling.get("WaitOnResourceSignals"), "a deploy waits for the host's signal");
        }
        Map<String, Object> tagsA = tags(a);
        Map<String, Object> tagsB = tags(b);
        assertEquals("a", tagsA.get("orderflow:host"));
        assertEquals("b", tagsB.get("orderflow:host"));
        assertEquals(Map.of("Ref", "JournalVolume"), tagsA.get("orderflow:journal-volume"));
        assertEquals(Map.of("Ref", "JournalVolumeB"), tagsB.get("orderflow:journal-volume"));
        assertEquals("CaptureGroup", tagsA.get("orderflow:signal"), "a signals its own group");
        assertEquals("CaptureGroupB", tagsB.get("orderflow:signal"), "b signals its own group");
        assertEquals(List.of(Map.of("Ref", "CaptureSubnetB")),
                map(b.get("Properties")).get("VPCZoneIdentifier"), "b in its own subnet");
        assertEquals(Map.of("Fn::GetAtt", List.of("CaptureSubnetB", "AvailabilityZone")),
                map(map(template.resources().get("JournalVolumeB")).get("Properties")).get("AvailabilityZone"),
                "b's journal in b's zone");
        String zoneA = String.valueOf(map(map(template.resources().get("CaptureSubnet")).get("Properties"))
                .get("AvailabilityZone"));
        String zoneB = String.valueOf(map(map(template.resources().get("CaptureSubnetB")).get("Properties"))
                .get("AvailabilityZone"));
        assertTrue(zoneA.contains("[0,") && zoneB.contains("[1,"), "the region's first and second zone by default: "
                + zoneA + " / " + zoneB);

        String bootstrap = hostFiles().get("/usr/local/sbin/orderflow-bootstrap");
        for (String tag : List.of("orderflow:host", "orderflow:journal-volume", "orderflow:signal")) {
            assertTrue(bootstrap.contains("tags/instance/" + tag), "the bootstrap reads " + tag);
        }
        assertTrue(bootstrap.contains("CAPTURE_HOST_ID=$host"), "the container is told which host it is");
        assertTrue(bootstrap.contains("CAPTURE_WRITE_DELAY="), "a host other than a reads before it writes");
        assertTrue(bootstrap.contains("capture_journal_backlog_bytes"), "the signal waits for the journal stored");
        assertEquals("enabled", map(map(map(map(template.resources().get("CaptureLaunchTemplate"))
                .get("Properties")).get("LaunchTemplateData")).get("MetadataOptions")).get("InstanceMetadataTags"),
                "the instance reads its tags from the metadata service");
        String policy = String.valueOf(map(template.resources().get("CaptureRole")).get("Properties"));
        assertTrue(policy.contains("${JournalVolumeB}"), "the role may attach b's journal volume");
        assertTrue(policy.contains("${AWS::StackName}-capture-b"), "host b may mark itself unhealthy");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tags(Map<String, Object> group) {
        Map<String, Object> tags = new LinkedHashMap<>();
        for (Object tag : (List<Object>) map(group.get("Properties")).get("Tags")) {
            tags.put(String.valueOf(map(tag).get("Key")), map(tag).get("Value"));
            assertEquals(true, map(tag).get("PropagateAtLaunch"), "the instance carries " + map(tag).get("Key"));
        }
        return tags;
    }

    @Test
    void shouldKeepTheUserDataUnderTheEc2Limit() {
        String text = userDataTemplate();
        Map<String, String> longValues = new LinkedHashMap<>();
        CfnTemplate.subVariables(text).forEach(name -> longValues.put(name, "x".repeat(128)));
        int bytes = CfnTemplate.substitute(text, longValues).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes < USER_DATA_LIMIT, "user data is " + bytes + " bytes, EC2 accepts " + USER_DATA_LIMIT);
    }

    @Test
    void shouldRunTheCaptureContainerWithTheTablePairsAndJournalOfThisStack() {
        Map<String, String> files = hostFiles();
        Map<String, String> env = envFile(files.get("/etc/orderflow/capture.env"));
        String table = template.onlyResourceOfType("AWS::DynamoDB::Table");
        assertEquals(marker(table), env.get("ORDERFLOW_TABLE"), "ORDERFLOW_TABLE");
        assertEquals(marker("CapturePairs"), env.get("CAPTURE_PAIRS"), "CAPTURE_PAIRS");
        assertEquals("false", env.get("CAPTURE_TABLE_CREATE"), "the stack owns the table");
        String journal = env.get("CAPTURE_JOURNAL_DIR");
        assertNotNull(journal, "CAPTURE_JOURNAL_DIR");

        String unit = files.get("/etc/systemd/system/orderflow-capture.service");
        assertNotNull(unit, "the capture unit");
        List<String> run = execStart(unit);
        assertEquals(List.of("/usr/bin/docker", "run"), run.subList(0, 2));
        assertEquals("/etc/orderflow/capture.env", option(run, "--env-file"));
        assertEquals(journal + ":" + journal, option(run, "--volume"), "the journal directory on the host volume");
        assertTrue(option(run, "--publish").startsWith("127.0.0.1:"), "health and metrics on loopback only");
        assertEquals("awslogs", option(run, "--log-driver"));
        assertTrue(options(run, "--log-opt").contains("awslogs-group=" + marker("CaptureLogGroup")), "log group");
        assertEquals(marker("CaptureImage"), run.get(run.size() - 1), "the image parameter");
        assertTrue(unit.contains("RequiresMountsFor=" + journal), "the unit waits for the journal volume");
        assertTrue(files.get("/usr/local/sbin/orderflow-bootstrap").contains("journal=" + journal + "\n"),
                "the bootstrap mounts the volume where the container's journal lives");

        Map<String, Object> logGroup = template.resourcesOfType("AWS::Logs::LogGroup").get("CaptureLogGroup");
        assertNotNull(logGroup.get("RetentionInDays"), "capture logs must expire");
    }

    @Test
    void shouldProvideEveryProgramTheUnitsAndFirstBootRun() {
        Map<String, String> files = hostFiles();
        Set<String> referenced = new HashSet<>();
        Matcher m = Pattern.compile("(/usr/local/sbin/[\\w.-]+)").matcher(String.join("\n", files.values()));
        while (m.find()) {
            referenced.add(m.group(1));
        }
        list(cloudConfig().get("runcmd")).forEach(cmd -> referenced.add(String.valueOf(list(cmd).get(0))));
        for (String unit : files.keySet().stream().filter(f -> f.endsWith(".service")).toList()) {
            Matcher onFailure = Pattern.compile("OnFailure=(\\S+)").matcher(files.get(unit));
            while (onFailure.find()) {
                referenced.add("/etc/systemd/system/" + onFailure.group(1));
            }
        }
        assertFalse(referenced.isEmpty());
        assertEquals(Set.of(), referenced.stream().filter(f -> !files.containsKey(f)).collect(Collectors.toSet()),
                "referenced but not written by the user data");
    }

    @Test
    void shouldAlarmOnlyOnMetricsTheCloudWatchAgentPublishes() {
        Map<String, String> files = hostFiles();
        Map<String, Object> prometheus = map(map(map(map(yaml(files.get("/etc/orderflow/cloudwatch-agent.json")))
                .get("logs")).get("metrics_collected")).get("prometheus"));
        Map<String, Object> emf = map(prometheus.get("emf_processor"));
        String namespace = String.valueOf(emf.get("metric_namespace"));
        List<Pattern> selectors = new ArrayList<>();
        Set<Set<Object>> dimensionSets = new HashSet<>();
        list(emf.get("metric_declaration")).forEach(d -> {
            list(map(d).get("metric_selectors")).forEach(s -> selectors.add(Pattern.compile(String.valueOf(s))));
            list(map(d).get("dimensions")).forEach(set -> dimensionSets.add(new HashSet<>(list(set))));
        });
        Map<String, Object> scrape = map(list(map(yaml(files.get("/etc/orderflow/prometheus.yaml"))).get("scrape_configs")).get(0));
        Map<String, Object> labels = map(map(list(scrape.get("static_configs")).get(0)).get("labels"));

        List<Map<String, Object>> captureMetrics = new ArrayList<>();
        template.resourcesOfType("AWS::CloudWatch::Alarm").values().forEach(alarm -> {
            if (alarm.containsKey("MetricName")) {
                captureMetrics.add(alarm);
            }
            list(alarm.get("Metrics")).stream().map(q -> map(q).get("MetricStat")).filter(s -> s != null)
                    .forEach(s -> captureMetrics.add(map(map(s).get("Metric"))));
        });
        captureMetrics.removeIf(metric -> !namespace.equals(metric.get("Namespace")));
        assertEquals(5, captureMetrics.size(),
                "alarms on disconnection, no writes, gaps, journal backlog and dead letters");
        for (Map<String, Object> metric : captureMetrics) {
            String name = String.valueOf(metric.get("MetricName"));
            assertTrue(selectors.stream().anyMatch(p -> p.matcher(name).find()), name + " is not scraped");
            Map<Object, Object> dimensions = new LinkedHashMap<>();
            list(metric.get("Dimensions")).forEach(d -> dimensions.put(map(d).get("Name"), map(d).get("Value")));
            assertTrue(dimensionSets.contains(dimensions.keySet()), name + " dimensions " + dimensions.keySet()
                    + " are not among the agent's " + dimensionSets);
            dimensions.forEach((label, value) -> assertEquals(Map.of("Ref", "AWS::StackName"), value, name + " " + label));
            dimensions.keySet().forEach(label -> assertEquals(marker("AWS::StackName"), labels.get(label),
                    "the scrape labels " + label + " with the stack name"));
        }
    }

    @Test
    void shouldRunBothImagesAsTheUserThatOwnsTheJournal() throws IOException {
        Matcher chown = Pattern.compile("chown (\\d+):").matcher(hostFiles().get("/usr/local/sbin/orderflow-bootstrap"));
        assertTrue(chown.find(), "the bootstrap gives the journal directory to the container's user");
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            List<String> users = Files.readAllLines(root.resolve("infra/capture").resolve(dockerfile)).stream()
                    .filter(l -> l.startsWith("USER ")).toList();
            assertEquals("USER " + chown.group(1), users.get(users.size() - 1), dockerfile + " final user");
        }
    }

    @Test
    void shouldGiveTheJournalVolumeRoomForTheJournalsWholeBound() throws IOException {
        long maxBytes = journalMaxBytesDefault();
        Map<String, Object> volume = map(template.parameters().get("JournalVolumeGiB"));
        long smallest = ((Number) volume.get("MinValue")).longValue() << 30;
        long byDefault = ((Number) volume.get("Default")).longValue() << 30;
        // the bound may take at most 80 % of the volume: the rest for XFS and the segment being written
        assertTrue(maxBytes <= smallest * 8 / 10, "capture.journal.max-bytes=" + maxBytes
                + " does not fit the smallest journal volume allowed, " + smallest + " bytes");
        assertTrue(byDefault >= smallest);
        Map<String, String> env = envFile(hostFiles().get("/etc/orderflow/capture.env"));
        assertFalse(env.containsKey("CAPTURE_JOURNAL_MAX_BYTES"), "the host keeps the default bound checked here");
    }

    @Test
    void shouldGiveTheCaptureTheSameHeapInBothImagesAndTheLauncherAndFitItInTheContainer() throws IOException {
        String launcher = String.join(" ", CaptureProcess.JVM_OPTIONS);
        long heap = megabytes(launcher, "-Xmx");
        long direct = megabytes(launcher, "-XX:MaxDirectMemorySize=");
        for (String dockerfile : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            String text = Files.readString(root.resolve("infra/capture").resolve(dockerfile));
            assertEquals(heap, megabytes(text, "-Xmx"), dockerfile + " heap");
            assertEquals(direct, megabytes(text, "-XX:MaxDirectMemorySize="), dockerfile + " direct memory");
            CaptureProcess.MEMORY_ENVIRONMENT.forEach((name, value) -> assertTrue(
                    text.contains("ENV " + name + "=" + value + "\n"), dockerfile + " lacks ENV " + name + "=" + value));
        }
        // the JVM image runs every option the launcher measures, and no other collector
        String jvm = Files.readString(root.resolve("infra/capture/Dockerfile.jvm"));
        Matcher append = Pattern.compile("ENV JAVA_OPTS_APPEND=\"([^\"]*)\"").matcher(jvm);
        assertTrue(append.find(), "no JAVA_OPTS_APPEND in Dockerfile.jvm");
        List<String> appended = Arrays.asList(append.group(1).split("\\s+"));
        for (String option : CaptureProcess.JVM_OPTIONS) {
            assertTrue(appended.contains(option), "Dockerfile.jvm's JAVA_OPTS_APPEND lacks " + option);
        }
        // its Java (21, recent) knows the option the launcher passes only to versions that do
        assertTrue(jvm.contains("FROM registry.access.redhat.com/ubi9/openjdk-21-runtime:"), "Dockerfile.jvm's Java");
        assertTrue(appended.containsAll(CaptureProcess.TRIM_NATIVE_HEAP), "Dockerfile.jvm lacks the native heap trim");
        CaptureProcess.JVM_OPTIONS.stream().filter(o -> o.matches("-XX:\\+Use\\w+GC")).findFirst().ifPresent(gc ->
                assertTrue(jvm.contains("ENV GC_CONTAINER_OPTIONS=\"" + gc + "\""),
                        "Dockerfile.jvm must replace run-java.sh's default collector with " + gc));
        List<String> run = execStart(hostFiles().get("/etc/systemd/system/orderflow-capture.service"));
        long container = megabytes(option(run, "--memory"), "");
        // heap + direct buffers + metaspace, code cache, threads and GC (about 256 MiB) within the container, and
        // at least 1 GiB of the 2 GiB t4g.small left to the system, Docker, the CloudWatch agent and the page cache
        assertTrue(heap + direct + 256 <= container, "container " + container + " MiB, heap " + heap);
        assertTrue(container <= 1024, "container " + container + " MiB on a 2 GiB host");
        assertEquals(option(run, "--memory"), option(run, "--memory-swap"), "no swap");
        assertEquals("t4g.small", map(template.parameters().get("CaptureInstanceType")).get("Default"));
    }

    /** {@code prefix<N>m} or {@code prefix<N>g} in {@code text}, in MiB. */
    private static long megabytes(String text, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "(\\d+)([mg])\\b").matcher(text);
        assertTrue(m.find(), "no " + prefix + "<size> in " + text);
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("g") ? n * 1024 : n;
    }

    /** The default of {@code capture.journal.max-bytes}, from the capture's config interface. */
    private long journalMaxBytesDefault() throws IOException {
        String config = Files.readString(root.resolve(
                "capture-service/src/main/java/dev/orderflow/capture/CaptureConfig.java"));
        Matcher m = Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)\\s+long maxBytes\\(\\)").matcher(config);
        assertTrue(m.find(), "capture.journal.max-bytes default not found in CaptureConfig");
        return Long.parseLong(m.group(1));
    }

    @Test
    void shouldCopyIntoTheJvmImageWhatThePackagedCaptureServiceHolds() throws IOException {
        Path app = root.resolve("capture-service/target/quarkus-app");
        assumeTrue(Files.isRegularFile(app.resolve("quarkus-run.jar")),
                app + " is not built yet: ./mvnw -pl capture-service -am package");
        List<String> sources = Files.readAllLines(root.resolve("infra/capture/Dockerfile.jvm")).stream()
                .filter(l -> l.startsWith("COPY "))
                .map(l -> Arrays.stream(l.split("\\s+")).filter(w -> !w.startsWith("--")).toList())
                .map(words -> words.get(words.size() - 2))
                .toList();
        assertFalse(sources.isEmpty());
        sources.forEach(source -> assertTrue(Files.exists(app.resolve(source)), source + " is not in " + app));
        assertTrue(sources.contains("quarkus-run.jar"), "the image must hold the runner jar");
    }

    /** The Fn::Sub text of the user data file the launch template includes. */
    private String userDataTemplate() {
        List<Object> locations = CfnTemplate.allMaps(template.resources().get("CaptureLaunchTemplate")).stream()
                .filter(m -> "AWS::Include".equals(m.get("Name")))
                .map(m -> map(m.get("Parameters")).get("Location"))
                .toList();
        assertEquals(1, locations.size(), "the launch template includes one user data file");
        Path file = template.file.getParent().resolve(String.valueOf(locations.get(0)));
        assertTrue(Files.isRegularFile(file), file + " does not exist");
        Object snippet = CfnTemplate.loadYaml(file);
        return String.valueOf(map(map(snippet).get("Fn::Base64")).get("Fn::Sub"));
    }

    /** The cloud-config with each ${Name} replaced by a marker naming it. */
    private Map<String, Object> cloudConfig() {
        String text = userDataTemplate();
        assertTrue(text.startsWith("#cloud-config\n"), "user data must be a cloud-config");
        Map<String, String> markers = new LinkedHashMap<>();
        CfnTemplate.subVariables(text).forEach(name -> markers.put(name, marker(name)));
        return map(yaml(CfnTemplate.substitute(text, markers)));
    }

    /** The files the cloud-config writes: path → content. */
    private Map<String, String> hostFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        list(cloudConfig().get("write_files")).forEach(f -> files.put(
                String.valueOf(map(f).get("path")), String.valueOf(map(f).get("content"))));
        return files;
    }

    private static String marker(String name) {
        return "__" + name + "__";
    }

    private static Object yaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    private static Map<String, String> envFile(String content) {
        assertNotNull(content, "the container's environment file");
        Map<String, String> env = new LinkedHashMap<>();
        content.lines().filter(l -> l.contains("=") && !l.startsWith("#"))
                .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return env;
    }

    /** ExecStart of a unit as words, continuation lines joined. */
    private static List<String> execStart(String unit) {
        String joined = unit.replace("\\\n", " ");
        String line = joined.lines().filter(l -> l.startsWith("ExecStart=")).findFirst()
                .orElseThrow(() -> new AssertionError("no ExecStart"));
        return List.of(line.substring("ExecStart=".length()).trim().split("\\s+"));
    }

    private static String option(List<String> words, String name) {
        List<String> values = options(words, name);
        assertEquals(1, values.size(), name + " given " + values.size() + " times");
        return values.get(0);
    }

    private static List<String> options(List<String> words, String name) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < words.size() - 1; i++) {
            if (words.get(i).equals(name)) {
                values.add(words.get(i + 1));
            }
        }
        return values;
    }
}
