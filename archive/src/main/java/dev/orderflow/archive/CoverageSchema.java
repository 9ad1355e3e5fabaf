package dev.orderflow.archive;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.Frames;

/**
 * The columns of a coverage file: one row per archived hour, what its {@code _coverage.json} says, so that an engine
 * that reads neither key-value metadata nor files starting with {@code _} (Athena) can pick complete hours.
 */
public final class CoverageSchema {
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
            .named("from_time")
            .required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
            .named("to_time")
            .required(PrimitiveTypeName.BOOLEAN).named("complete")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("reasons")
            .required(PrimitiveTypeName.INT64).named("events")
            .required(PrimitiveTypeName.INT64).named("gaps")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.jsonType()).named("coverage")
            .named("coverage");

    private CoverageSchema() {
    }

    /** The row of an hour's coverage (as {@link HourArchiver} builds it). */
    static Object[] row(JsonNode coverage) {
        StringBuilder reasons = new StringBuilder();
        for (JsonNode reason : coverage.get("reasons")) {
            reasons.append(reasons.length() == 0 ? "" : ",").append(reason.textValue());
        }
        return new Object[] {coverage.get("from_microtimestamp").longValue(),
            coverage.get("to_microtimestamp").longValue(), coverage.get("complete").booleanValue(),
            reasons.toString(), coverage.get("events").longValue(), (long) coverage.get("gaps").size(),
            Frames.toJson(coverage)};
    }
}
