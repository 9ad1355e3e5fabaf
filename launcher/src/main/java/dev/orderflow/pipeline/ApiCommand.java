package dev.orderflow.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.dynamodblocal.iam.IamPolicy;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "api", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "The query API alone: the packaged Lambda function behind a local API Gateway (port 8080).",
        description = "Serves the packaged function (query-lambda/target/function.zip) as AWS Lambda does: HTTP"
                + " requests become API Gateway v2 events for AWS's Java runtime client. DynamoDB endpoint and table"
                + " come from the environment (QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE, ORDERFLOW_TABLE), by default"
                + " http://127.0.0.1:8000 (./pipeline dynamodb) and orderflow; the function reaches it through an IAM"
                + " front that enforces the query function's policy of template.yaml. Cursors are signed with"
                + " ORDERFLOW_CURSOR_KEY, by default a key made for this run.")
final class ApiCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "2",
            description = "function processes, each serving one request at a time (default: ${DEFAULT-VALUE})")
    int instances;

    @Override
    public Integer call() throws InterruptedException {
        Components components = new Components().closeOnExit();
        Home home = Home.locate();
        String table = LocalAws.tableFromEnv();
        IamFront front = components.add(LocalAws.front(home, LocalAws.endpointFromEnv(), IamPolicy.QUERY_FUNCTION,
                table));
        Map<String, String> env = LocalAws.unlessSet(LocalAws.queryFunction(LocalAws.DEFAULT_DYNAMODB, table));
        env.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", front.endpoint().toString());
        LocalLambda api = start(components, home, port, instances, env);
        System.out.println("Ctrl-C stops it.");
        return new Foreground(components).watch(api.functions()).await();
    }

    /** Starts the front door and the function processes, waits until they serve, and prints where. */
    static LocalLambda start(Components components, Home home, int port, int instances, Map<String, String> env)
            throws InterruptedException {
        Ports.requireFree(port, "query API", "--port");
        long started = System.nanoTime();
        LocalLambda api = components.add(LocalLambda.start(home.functionZip(), home.lambdaRuntimeDir(),
                Home.QUARKUS_HANDLER, port, instances, env, System.out));
        api.awaitReady(Duration.ofSeconds(60));
        System.out.printf("query API        http://localhost:%d   %d function process%s of"
                        + " query-lambda/target/function.zip, ready in %d ms%n", api.port(), instances,
                instances == 1 ? "" : "es", Duration.ofNanos(System.nanoTime() - started).toMillis());
        return api;
    }

    static List<String> examples(int port) {
        return List.of("curl 'http://localhost:" + port + "/v1/pairs'",
                "curl 'http://localhost:" + port + "/v1/events?pair=btcusd&channel=orders&format=ndjson'");
    }
}
