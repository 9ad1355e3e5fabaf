package dev.orderflow.pipeline;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "capture", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "The packaged capture service alone.",
        description = "DynamoDB endpoint and table come from the environment (QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE,"
                + " ORDERFLOW_TABLE), by default DynamoDB Local on http://127.0.0.1:8000 (./pipeline dynamodb) and"
                + " table orderflow, created if missing. The service reaches that endpoint through an IAM front that"
                + " enforces the capture role of template.yaml. The journal is kept in ./data/journal"
                + " (CAPTURE_JOURNAL_DIR).")
final class CaptureCommand implements Callable<Integer> {
    @Option(names = "--feed", paramLabel = "URL", defaultValue = "wss://ws.bitstamp.net",
            description = "WebSocket feed, e.g. ws://127.0.0.1:9090 for the simulator (default: ${DEFAULT-VALUE})")
    URI feed;

    @Option(names = "--pairs", paramLabel = "PAIRS", defaultValue = Pairs.DEFAULT,
            description = "pairs to capture, or all (default: ${DEFAULT-VALUE})")
    String pairs;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8081",
            description = "the service's health and metrics port (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--host-id", paramLabel = "NAME", defaultValue = "a",
            description = "this capture host's name among those writing the same table (CAPTURE_HOST_ID); a host"
                    + " other than a keeps its journal in ./data/journal-NAME and writes each window"
                    + " CAPTURE_WRITE_DELAY (default 5s) after the first host (default: ${DEFAULT-VALUE})")
    String hostId;

    @Option(names = "--replay-dead-letters",
            description = "put what DynamoDB refused earlier (kept in <journal>/dead-letter) back on the write path"
                    + " at start; run once the cause is fixed (CAPTURE_DEAD_LETTER_REPLAY=true)")
    boolean replayDeadLetters;

    @Override
    public Integer call() throws InterruptedException {
        Home home = Home.locate();
        Map<String, String> env = new LinkedHashMap<>(
                CaptureProcess.feedEnvironment(feed, Pairs.parse(pairs).captureValue()));
        String table = LocalAws.tableFromEnv();
        LocalAws.createTable(LocalAws.endpointFromEnv(), table);
        Components components = new Components().closeOnExit();
        IamFront front = components.add(LocalAws.front(home, LocalAws.endpointFromEnv(), IamPolicy.CAPTURE_ROLE,
                table));
        env.putAll(LocalAws.unlessSet(LocalAws.dynamoDb(LocalAws.DEFAULT_DYNAMODB, table)));
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", front.endpoint().toString());
        env.putAll(LocalAws.unlessSet(CaptureProcess.journalEnvironment(
                CaptureProcess.journalDir(home.dataDir(), hostId))));
        env.putAll(LocalAws.unlessSet(CaptureProcess.hostEnvironment(hostId, hostId.equals("a") ? 0 : 1)));
        if (replayDeadLetters) {
            env.put("CAPTURE_DEAD_LETTER_REPLAY", "true");
        }
        CaptureProcess capture = start(components, home, env, httpPort);
        return new Foreground(components).watch(List.of(capture.process())).await();
    }

    /** Starts the packaged capture service, registers it for stopping and prints where to look. */
    static CaptureProcess start(Components components, Home home, Map<String, String> env, int httpPort) {
        Ports.requireFree(httpPort, "capture service HTTP", "--http-port");
        CaptureProcess capture = components.add(CaptureProcess.start(home.captureJar(), env, httpPort, System.out));
        System.out.printf("capture service  %s   feed %s, pairs %s, DynamoDB %s table %s%n", capture.healthUrl(),
                env.getOrDefault("CAPTURE_FEED_URL", "?"), env.getOrDefault("CAPTURE_PAIRS", "?"),
                env.getOrDefault("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", "?"), env.getOrDefault("ORDERFLOW_TABLE", "?"));
        return capture;
    }
}
