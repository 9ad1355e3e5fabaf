package dev.orderflow.query.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The shape of an {@code application/problem+json} answer (RFC 9457), for the OpenAPI document. */
@Schema(name = "Problem", description = "RFC 9457 problem details.")
public record ProblemBody(
        @Schema(description = "urn:orderflow:problem:<kind>, e.g. urn:orderflow:problem:invalid-parameter.")
        String type,
        @Schema(description = "Short summary of the kind of problem.") String title,
        @Schema(description = "HTTP status.") int status,
        @Schema(description = "What is wrong and what is allowed.") String detail,
        @Schema(description = "The request path.") String instance,
        @Schema(description = "The query parameter (or header) at fault, when there is one.") String parameter,
        @Schema(description = "Lambda request id, to find the request in the logs.") String request_id) {
}
