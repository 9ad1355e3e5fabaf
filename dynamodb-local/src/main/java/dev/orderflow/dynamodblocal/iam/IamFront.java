package dev.orderflow.dynamodblocal.iam;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP front for DynamoDB Local that enforces one role's IAM policy, as AWS does before DynamoDB sees a call:
 * it reads the operation from {@code X-Amz-Target} and the tables (and index) from the body, and answers a call
 * the policy does not allow exactly as DynamoDB answers it (HTTP 400, {@code AccessDeniedException}); every
 * other call is forwarded unchanged. Listens on loopback. The policy can be changed while it runs
 * ({@link #policy(IamPolicy)}, {@link #deny}, {@link #allow}); a test can also make it answer instead of
 * DynamoDB ({@link #intercept}), or give eventually consistent reads a replica's lag ({@link #staleReads}). When
 * DynamoDB Local does not answer, the front closes the connection.
 */
public final class IamFront implements AutoCloseable {
    private static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final String JSON_1_0 = "application/x-amz-json-1.0";
    /** Headers the JDK client sets itself, and hop-by-hop ones. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive", "date");
    /** Operations whose IAM resource is "*" (no table). */
    private static final Set<String> ACCOUNT_OPERATIONS = Set.of("ListTables", "DescribeLimits",
            "DescribeEndpoints", "ListBackups", "ListGlobalTables", "ListExports", "ListImports");
    /** The items of TransactWriteItems / TransactGetItems and the action IAM checks for each. */
    private static final Map<String, String> TRANSACT_ACTIONS = Map.of("ConditionCheck", "ConditionCheckItem",
            "Put", "PutItem", "Delete", "DeleteItem", "Update", "UpdateItem", "Get", "GetItem");
    private static final String CRC32_HEADER = "x-amz-crc32";
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        // The JDK server sends a response's headers and body in separate writes; with Nagle's algorithm on, the
        // client's delayed ACK then holds every answer back for tens of milliseconds. Read once, when the JDK
        // server is first used (nothing else here uses it).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * What the front answers in DynamoDB's place. With {@code afterForwarding}, the call still reaches DynamoDB (and
     * takes effect there); only its answer is replaced, as when a response is lost on its way back.
     */
    public record Answer(int status, String body, boolean afterForwarding) {
        public Answer(int status, String body) {
            this(status, body, false);
        }
    }

    /** Decides, per call the policy allowed, whether the front answers it itself (non-null) or forwards it. */
    @FunctionalInterface
    public interface Interceptor {
        Answer answer(String operation);
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient client;
    private final URI target;
    private final AtomicLong denied = new AtomicLong();
    private volatile IamPolicy policy;
    private volatile Interceptor interceptor;
    private volatile StaleReads staleReads;

    private IamFront(HttpServer server, ExecutorService workers, URI target, IamPolicy policy) {
        this.server = server;
        this.workers = workers;
        this.target = target;
        this.policy = policy;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).executor(workers).build();
    }

    /**
     * Starts a front on loopback in front of {@code target} (a DynamoDB endpoint such as DynamoDB Local's).
     *
     * @param port a port, or 0 for a free one
     */
    public static IamFront start(URI target, IamPolicy policy, int port) {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "iam-front-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            IamFront front = new IamFront(server, workers, target, policy);
            server.createContext("/", front::handle);
            server.setExecutor(workers);
            server.start();
            return front;
        } catch (IOException e) {
            workers.shutdownNow();
            throw new UncheckedIOException("cannot listen on loopback port " + port, e);
        }
    }

    /**
     * A front on a free port for one role of template.yaml, with the local region and account
     * ({@link IamPolicy#LOCAL_REGION}, {@link IamPolicy#LOCAL_ACCOUNT}).
     *
     * @param template  the repository's template.yaml
     * @param logicalId {@link IamPolicy#CAPTURE_ROLE} or {@link IamPolicy#QUERY_FUNCTION}
     * @param table     the local name of the template's table
     */
    public static IamFront forRole(URI target, Path template, String logicalId, String table) {
        return start(target, IamPolicy.fromTemplate(template, logicalId, table, IamPolicy.LOCAL_REGION,
                IamPolicy.LOCAL_ACCOUNT), 0);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** The DynamoDB endpoint calls are forwarded to. */
    public URI target() {
        return target;
    }

    public IamPolicy policy() {
        return policy;
    }

    /** Enforces {@code policy} from the next call on. */
    public void policy(IamPolicy policy) {
        this.policy = policy;
    }

    /** Denies {@code actions} (e.g. {@code dynamodb:Query}) on every resource from the next call on. */
    public synchronized void deny(String... actions) {
        policy = policy.withDeny(actions);
    }

    /** Lifts a {@link #deny} of {@code actions}, and grants them on every resource. */
    public synchronized void allow(String... actions) {
        policy = policy.withAllow(actions);
    }

    /** Calls the front answered with AccessDeniedException so far. */
    public long denied() {
        return denied.get();
    }

    /** Answers calls the policy allows with {@code interceptor}'s answer where it gives one; null forwards all. */
    public void intercept(Interceptor interceptor) {
        this.interceptor = interceptor;
    }

    /**
     * Records the writes this front forwards in {@code reads}, and leaves what it holds as not yet replicated out of
     * the eventually consistent reads it forwards; null ends both.
     */
    public void staleReads(StaleReads reads) {
        this.staleReads = reads;
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String amzTarget = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = null;
            Answer instead = null;
            if (amzTarget != null && amzTarget.startsWith(TARGET_PREFIX)) {
                operation = amzTarget.substring(TARGET_PREFIX.length());
                String refusal = refusal(operation, body);
                if (refusal != null) {
                    denied.incrementAndGet();
                    answer(exchange, new Answer(400, "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\","
                            + "\"Message\":\"" + refusal.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}"));
                    return;
                }
                Interceptor current = interceptor;
                instead = current == null ? null : current.answer(operation);
                if (instead != null && !instead.afterForwarding()) {
                    answer(exchange, instead);
                    return;
                }
            }
            forward(exchange, body, operation, instead);
        } finally {
            exchange.close();
        }
    }

    /** The access-denied message for this call, or null when the policy allows all it touches. */
    String refusal(String operation, byte[] body) {
        IamPolicy current = policy;
        Map<?, ?> request = request(body);
        if (request == null) {
            return null; // DynamoDB answers with its own SerializationException
        }
        for (String[] check : checks(current, operation, request)) {
            String action = "dynamodb:" + check[0];
            switch (current.decide(action, check[1])) {
                case ALLOW -> {
                }
                case EXPLICIT_DENY -> {
                    return "User: " + current.principal() + " is not authorized to perform: " + action
                            + " on resource: " + check[1] + " with an explicit deny in an identity-based policy";
                }
                case IMPLICIT_DENY -> {
                    return "User: " + current.principal() + " is not authorized to perform: " + action
                            + " on resource: " + check[1] + " because no identity-based policy allows the " + action
                            + " action";
                }
            }
        }
        return null;
    }

    /** The (action without prefix, resource ARN) pairs IAM checks for one call. */
    private static List<String[]> checks(IamPolicy policy, String operation, Map<?, ?> request) {
        List<String[]> checks = new ArrayList<>();
        if (ACCOUNT_OPERATIONS.contains(operation)) {
            checks.add(new String[] {operation, "*"});
        } else if (request.get("RequestItems") instanceof Map<?, ?> items) {
            for (Object table : items.keySet()) {
                checks.add(new String[] {operation, arn(policy, String.valueOf(table))});
            }
        } else if (request.get("TransactItems") instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> m) {
                    m.forEach((kind, value) -> {
                        String action = TRANSACT_ACTIONS.getOrDefault(String.valueOf(kind), operation);
                        Object table = value instanceof Map<?, ?> v ? v.get("TableName") : null;
                        checks.add(new String[] {action, table == null ? "*" : arn(policy, String.valueOf(table))});
                    });
                }
            }
        } else if (request.get("TableName") != null) {
            String arn = arn(policy, String.valueOf(request.get("TableName")));
            Object index = request.get("IndexName");
            checks.add(new String[] {operation, index == null ? arn : arn + "/index/" + index});
        } else {
            checks.add(new String[] {operation, "*"});
        }
        return checks;
    }

    /** A table name or ARN (DynamoDB accepts either) as its ARN. */
    private static String arn(IamPolicy policy, String table) {
        return table.startsWith("arn:") ? table : policy.tableArn(table);
    }

    /**
     * Records a write in {@code reads}, or gives an eventually consistent read's answer without what is not yet
     * replicated (its CRC-32 header, which the SDK checks, worked out again).
     */
    private static byte[] stale(StaleReads reads, String operation, Map<?, ?> request, byte[] answer,
            HttpExchange exchange) {
        if (request == null) {
            return answer;
        }
        reads.wrote(operation, request);
        Map<?, ?> given = request(answer);
        Map<String, Object> instead = given == null ? null : reads.answer(operation, request, given);
        if (instead == null) {
            return answer;
        }
        byte[] changed = RequestJson.write(instead).getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(changed);
        if (exchange.getResponseHeaders().containsKey(CRC32_HEADER)) {
            exchange.getResponseHeaders().set(CRC32_HEADER, Long.toString(crc.getValue()));
        }
        return changed;
    }

    /** A JSON body as an object (empty when it is JSON but no object), or null when it is not JSON. */
    private static Map<?, ?> request(byte[] body) {
        try {
            return RequestJson.parse(new String(body, StandardCharsets.UTF_8)) instanceof Map<?, ?> m ? m : Map.of();
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** Forwards the call; answers with DynamoDB's answer, or with {@code instead} once DynamoDB answered. */
    private void forward(HttpExchange exchange, byte[] body, String operation, Answer instead) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException unreachable) {
            return; // closing the exchange unanswered drops the connection: as if DynamoDB did not answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (instead != null) {
            answer(exchange, instead);
            return;
        }
        response.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] answer = response.body();
        StaleReads reads = staleReads;
        if (reads != null && operation != null && response.statusCode() == 200) {
            answer = stale(reads, operation, request(body), answer, exchange);
        }
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private static void answer(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON_1_0);
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId());
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A request id of DynamoDB's shape: 52 characters of A-Z and 0-9. */
    private static String requestId() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder id = new StringBuilder(52);
        for (int i = 0; i < 52; i++) {
            id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}
