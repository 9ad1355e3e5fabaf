package dev.orderflow.capture.store;

import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.orderflow.capture.CaptureConfig;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.Guard;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The capture's one retry layer around DynamoDB (SmallRye Fault Tolerance, configured by {@code capture.writer.*}):
 * what the environment can fix (outages, throttling, a missing table, a permission granted late) is retried with
 * exponential backoff for as long as it takes, until the shutdown deadline; what resending cannot fix (an invalid
 * item, a bug) is not retried at all. The SDK's own retries are switched off per request ({@link #NO_SDK_RETRIES}),
 * so that there is exactly one layer.
 */
public final class Retries {
    /** Error codes that a fix of the environment (not of the item) ends: retried. */
    private static final Set<String> ENVIRONMENT = Set.of("AccessDeniedException", "UnrecognizedClientException",
            "ExpiredTokenException", "InvalidSignatureException", "MissingAuthenticationTokenException",
            "ResourceNotFoundException", "RequestLimitExceeded", "ThrottlingException",
            "ProvisionedThroughputExceededException", "LimitExceededException", "TransactionConflictException",
            "TransactionInProgressException", "InternalServerError", "ServiceUnavailable");

    /** Per request: no SDK-level retries beneath this layer. */
    public static final SdkPlugin NO_SDK_RETRIES = config -> config.overrideConfiguration(
            config.overrideConfiguration().toBuilder().retryStrategy(AwsRetryStrategy.doNotRetry()).build());

    private final Guard guard;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private long lastLogNanos;

    public Retries(CaptureConfig.Writer config) {
        this.guard = Guard.create().withDescription("dynamodb")
                .withRetry()
                .maxRetries(-1)
                .maxDuration(3650, ChronoUnit.DAYS)
                .delay(config.retryMinBackoff().toMillis(), ChronoUnit.MILLIS)
                .jitter(Math.max(1, config.retryMinBackoff().toMillis() / 2), ChronoUnit.MILLIS)
                .whenException(e -> retryable(e) && !pastDeadline())
                .beforeRetry(this::log)
                .withExponentialBackoff().maxDelay(config.retryMaxBackoff().toMillis(), ChronoUnit.MILLIS).done()
                .done()
                .build();
    }

    /** Runs one DynamoDB call under the retry layer; what ends it unretried is thrown as it came. */
    public <T> T call(Callable<T> call, Class<T> type) {
        try {
            return guard.call(call, type);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** From now on, retries end {@code nanos} from now (the shutdown budget). */
    public void stopRetryingIn(long nanos) {
        deadlineNanos = System.nanoTime() + nanos;
    }

    public boolean pastDeadline() {
        return System.nanoTime() > deadlineNanos;
    }

    /**
     * Whether the environment may fix it: network and server errors, throttling, permissions, a missing table.
     * Invalid items, conditional-check failures (handled by the caller) and bugs are not retried.
     */
    public static boolean retryable(Throwable e) {
        if (e instanceof ConditionalCheckFailedException) {
            return false;
        }
        if (e instanceof TransactionCanceledException cancelled) {
            return cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream()
                    .anyMatch(r -> "TransactionConflict".equals(r.code()) || "ThrottlingError".equals(r.code()));
        }
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "" : service.awsErrorDetails().errorCode();
            return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 0
                    || ENVIRONMENT.contains(code);
        }
        return e instanceof SdkClientException;
    }

    private void log(Throwable e) {
        long now = System.nanoTime();
        synchronized (this) {
            if (lastLogNanos != 0 && now - lastLogNanos < TimeUnit.SECONDS.toNanos(10)) {
                return;
            }
            lastLogNanos = now;
        }
        Log.warnf("DynamoDB call failed; retrying with backoff (the journal keeps everything meanwhile): %s",
                e.toString());
    }
}
