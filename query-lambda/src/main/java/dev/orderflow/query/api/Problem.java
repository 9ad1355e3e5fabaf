package dev.orderflow.query.api;

/**
 * An answer other than success, sent as RFC 9457 {@code application/problem+json}. Thrown anywhere in a request
 * and turned into the response by {@link ProblemMapper}.
 */
public class Problem extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final String parameter;

    private Problem(int status, String type, String title, String detail, String parameter) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.parameter = parameter;
    }

    /** A 400 naming the query parameter that is wrong and saying what is allowed. */
    public static Problem badParameter(String parameter, String detail) {
        return new Problem(400, "invalid-parameter", "Invalid query parameter", detail, parameter);
    }

    /** A 400 about the request as a whole (e.g. a query string that is not valid percent-encoding). */
    public static Problem badRequest(String detail) {
        return new Problem(400, "bad-request", "Bad request", detail, null);
    }

    public static Problem notAcceptable(String detail) {
        return new Problem(406, "not-acceptable", "Not acceptable", detail, "Accept");
    }

    public static Problem of(int status, String type, String title, String detail) {
        return new Problem(status, type, title, detail, null);
    }

    public int status() {
        return status;
    }

    /** The problem type as a URN, {@code urn:orderflow:problem:<slug>}. */
    public String type() {
        return "urn:orderflow:problem:" + type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** The query parameter (or header) at fault, or {@code null}. */
    public String parameter() {
        return parameter;
    }
}
