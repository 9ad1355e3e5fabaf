package dev.orderflow.pipeline;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

import dev.orderflow.parentwatch.ParentWatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./pipeline}: runs the pipeline's parts on this machine, together ({@code run}) or one at a time, and the
 * benchmarks. Started separately with default flags, the parts find each other on loopback: DynamoDB Local on
 * 8000, the simulator on 9090, the capture service's health and metrics on 8081, the query API on 8080.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        versionProvider = Pipeline.Version.class,
        description = "Bitstamp order-flow pipeline on this machine: no AWS account, no Docker.",
        subcommands = {RunCommand.class, DynamoDbCommand.class, SimulateCommand.class, CaptureCommand.class,
                ApiCommand.class, ArchiveCommand.class, BenchCommand.class},
        footer = {"", "Start with: ./pipeline run --simulate"})
public final class Pipeline implements Runnable {
    /**
     * jboss-logmanager, without a configuration, leaves every level enabled below its handlers: each library's DEBUG
     * and TRACE messages are formatted and then dropped (parquet-java's record writer logs every value: the archive
     * ran 100 times slower; Netty traces every WebSocket frame the simulator sends). INFO on the root logger, held here
     * so that the level outlives garbage collection (JUL keeps loggers weakly); taken once the log manager is chosen.
     */
    private static java.util.logging.Logger rootLog;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // jboss-logmanager (on the classpath with Quarkus' event server) wants to be the JUL manager from the start
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        rootLog = java.util.logging.Logger.getLogger("");
        rootLog.setLevel(java.util.logging.Level.INFO);
        // -Dorderflow.parent-pid (the ./pipeline script's $$): gone, however it ended, this JVM stops as on Ctrl-C
        ParentWatch.watchFromProperty();
        System.exit(commandLine().execute(args));
    }

    /** The command line with the launcher's error handling: a {@link LaunchException} is one line, exit 1. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Pipeline());
        line.setExecutionExceptionHandler((e, command, parsed) -> {
            PrintWriter err = command.getErr();
            if (e instanceof LaunchException || e instanceof IllegalStateException
                    || e instanceof UncheckedIOException || e instanceof IllegalArgumentException) {
                // a part could not start, or a value was refused: its message says why
                err.println("pipeline: " + e.getMessage());
            } else {
                err.println("pipeline: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return line;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Pipeline.class.getPackage().getImplementationVersion();
            return new String[] {"pipeline " + (version == null ? "(development build)" : version)};
        }
    }
}
