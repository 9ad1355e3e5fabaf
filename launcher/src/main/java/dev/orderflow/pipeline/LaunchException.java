package dev.orderflow.pipeline;

/** A reason the launcher cannot go on that the user can act on; printed as one line, without a stack trace. */
public class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
