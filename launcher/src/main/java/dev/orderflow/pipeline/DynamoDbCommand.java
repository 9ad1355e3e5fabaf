package dev.orderflow.pipeline;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.pipeline.process.Components;
import dev.orderflow.pipeline.process.Ports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dynamodb", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "DynamoDB Local alone (port 8000, data in ./data/dynamodb).")
final class DynamoDbCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8000", description = "port on loopback (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data", paramLabel = "DIR", description = "data folder (default: ./data/dynamodb)")
    Path data;

    @Option(names = "--in-memory", description = "keep nothing on disk")
    boolean inMemory;

    @Override
    public Integer call() throws InterruptedException {
        Home home = Home.locate();
        Path dataDir = inMemory ? null : data != null ? data : home.dataDir().resolve("dynamodb");
        Ports.requireFree(port, "DynamoDB Local", "--port");
        Components components = new Components().closeOnExit();
        System.out.println("Starting DynamoDB Local ...");
        DynamoDbLocal db = components.add(DynamoDbLocal.start(port, dataDir));
        System.out.printf("DynamoDB Local  %s  %s%nCtrl-C stops it.%n", db.endpoint(),
                dataDir == null ? "(in memory)" : "(data in " + dataDir + ")");
        return new Foreground(components).watch("DynamoDB Local", db::isAlive).await();
    }
}
