package dev.orderflow.pipeline.lambda;

/**
 * A handler class whose initialisation fails, as a Quarkus function's does when the application cannot start.
 * Only ever loaded by a function process of {@link LocalLambdaTest}, never in the test JVM.
 */
public final class FailingHandler {
    static {
        if (Boolean.parseBoolean("true")) {
            throw new IllegalStateException("missing configuration: query.table");
        }
    }

    private FailingHandler() {
    }
}
