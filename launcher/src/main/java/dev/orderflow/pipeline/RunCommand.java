package dev.orderflow.pipeline;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.pipeline.capture.CaptureProcess;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import dev.orderflow.simulator.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Everything together: DynamoDB Local, the simulator (--simulate), the capture service, the query API,"
                + " the Parquet archive.",
        description = "DynamoDB Local on 8000 (data in ./data/dynamodb, kept between runs), the simulator on 9090"
                + " with --simulate (otherwise the capture reads wss://ws.bitstamp.net), the capture service (health"
                + " and metrics on 8081) and the query API on 8080; sealed hours are archived as Parquet under"
                + " ./data/archive as they come (./pipeline archive). Ctrl-C stops everything.")
final class RunCommand implements Callable<Integer> {
    static final int DYNAMODB_PORT = 8000;
    static final int SIMULATOR_PORT = 9090;
    static final int API_PORT = 8080;
    static final URI EXCHANGE = URI.create("wss://ws.bitstamp.net");

    @Option(names = "--simulate", arity = "0..1", paramLabel = "EVENTS_PER_S", fallbackValue = "70",
            description = "feed from the bundled simulator instead of the exchange, at EVENTS_PER_S order events"
                    + " per second per pair (default 70)")
    Double simulate;

    @Option(names = "--pairs", paramLabel = "PAIRS", defaultValue = Pairs.DEFAULT,
            description = "pairs to capture, or all (default: ${DEFAULT-VALUE})")
    String pairs;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "2",
            description = "query function processes (default: ${DEFAULT-VALUE})")
    int instances;

    @Option(names = "--data", paramLabel = "DIR",
            description = "where DynamoDB Local's files and the capture's journal are kept (default: ./data)")
    Path data;

    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "" + API_PORT,
            description = "the query API's port (default: ${DEFAULT-VALUE})")
    int apiPort;

    @Option(names = "--dynamodb-port", paramLabel = "PORT", defaultValue = "" + DYNAMODB_PORT,
            description = "DynamoDB Local's port (default: ${DEFAULT-VALUE})")
    int dynamoDbPort;

    @Option(names = "--simulator-port", paramLabel = "PORT", defaultValue = "" + SIMULATOR_PORT,
            description = "the simulator's port, with --simulate (default: ${DEFAULT-VALUE})")
    int simulatorPort;

    @Option(names = "--capture-port", paramLabel = "PORT", defaultValue = "" + CaptureProcess.DEFAULT_HTTP_PORT,
            description = "the capture service's health and metrics port (default: ${DEFAULT-VALUE}); with"
                    + " --captures, host a's, then the next ports")
    int capturePort;

    @Option(names = "--captures", paramLabel = "N", defaultValue = "1",
            description = "capture processes writing the same table, as hosts a, b, ... with journals of their own"
                    + " (./data/journal, ./data/journal-b, ...): the table holds the union of what they receive"
                    + " (default: ${DEFAULT-VALUE})")
    int captures;

    @Override
    public Integer call() throws InterruptedException {
        Home home = Home.locate();
        Pairs chosen = Pairs.parse(pairs);
        // every artifact and port is checked before anything starts
        Path captureJar = home.captureJar();
        home.functionZip();
        home.lambdaRuntimeDir();
        Ports.requireFree(dynamoDbPort, "DynamoDB Local", "--dynamodb-port");
        if (simulate != null) {
            Ports.requireFree(simulatorPort, "simulator", "--simulator-port");
        }
        if (captures < 1 || captures > CaptureProcess.MAX_HOSTS) {
            throw new LaunchException("--captures must be 1 to " + CaptureProcess.MAX_HOSTS + ", not " + captures);
        }
        for (int i = 0; i < captures; i++) {
            Ports.requireFree(capturePort + i, "capture service HTTP", "--capture-port");
        }
        Ports.requireFree(apiPort, "query API", "--api-port");

        Components components = new Components().closeOnExit();
        Path dataRoot = data != null ? data.toAbsolutePath() : home.dataDir();
        Path dataDir = dataRoot.resolve("dynamodb");
        System.out.println("Starting DynamoDB Local ...");
        DynamoDbLocal db = components.add(DynamoDbLocal.start(dynamoDbPort, dataDir));
        System.out.printf("DynamoDB Local   %s   data in %s%n", db.endpoint(), dataDir.startsWith(home.root())
                ? "./" + home.root().relativize(dataDir) : dataDir);
        LocalAws.createTable(db.endpoint(), LocalAws.DEFAULT_TABLE);
        // each application reaches DynamoDB Local only through its role's policy from template.yaml
        IamFront captureFront = components.add(LocalAws.front(home, db.endpoint(), IamPolicy.CAPTURE_ROLE,
                LocalAws.DEFAULT_TABLE));
        IamFront queryFront = components.add(LocalAws.front(home, db.endpoint(), IamPolicy.QUERY_FUNCTION,
                LocalAws.DEFAULT_TABLE));
        System.out.printf("IAM fronts       capture %s, query %s   (template.yaml's policies)%n",
                captureFront.endpoint(), queryFront.endpoint());

        URI feed = EXCHANGE;
        if (simulate != null) {
            Simulator simulator = SimulateCommand.start(components,
                    SimulateCommand.options(simulatorPort, simulate, chosen, 1, null, 1));
            feed = URI.create("ws://127.0.0.1:" + simulator.port());
        }

        List<dev.orderflow.pipeline.process.ChildJvm> captureProcesses = new java.util.ArrayList<>();
        for (int i = 0; i < captures; i++) {
            String host = CaptureProcess.hostName(i);
            Map<String, String> env = new LinkedHashMap<>(CaptureProcess.feedEnvironment(feed, chosen.captureValue()));
            env.putAll(LocalAws.dynamoDb(captureFront.endpoint(), LocalAws.DEFAULT_TABLE));
            env.putAll(CaptureProcess.journalEnvironment(CaptureProcess.journalDir(dataRoot, host)));
            env.putAll(CaptureProcess.hostEnvironment(host, i));
            CaptureProcess capture = components.add(CaptureProcess.start(captureJar, env, capturePort + i,
                    System.out));
            captureProcesses.add(capture.process());
            System.out.printf("capture service  %s   feed %s, pairs %s%s%n", capture.healthUrl(), feed,
                    chosen.captureValue(), captures == 1 ? "" : ", host " + host);
        }

        LocalLambda api = ApiCommand.start(components, home, apiPort, instances,
                LocalAws.queryFunction(queryFront.endpoint(), LocalAws.DEFAULT_TABLE));

        Path archiveDir = dataRoot.resolve("archive");
        ArchiveCommand.schedule(components, home, db.endpoint(), archiveDir);
        System.out.printf("archive          %s   sealed hours as Parquet, checked every %d s%n",
                archiveDir.startsWith(home.root()) ? "./" + home.root().relativize(archiveDir) : archiveDir,
                ArchiveCommand.RUN_EVERY.toSeconds());

        System.out.println();
        System.out.println("Try:");
        ApiCommand.examples(api.port()).forEach(example -> System.out.println("  " + example));
        System.out.println("Ctrl-C stops everything (the capture service writes what it holds first).");

        return new Foreground(components).watch("DynamoDB Local", db::isAlive).watch(captureProcesses)
                .watch(api.functions()).await();
    }
}
