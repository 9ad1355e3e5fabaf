package dev.orderflow.archive;

import java.util.List;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import dev.orderflow.storage.GapRecord;

/**
 * The columns of a gaps file: the gap and disconnect records touching the hour, as {@code /v1/gaps} lists them.
 * Events may be missing anywhere in {@code [from, to]}.
 */
public final class GapSchema {
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("kind")
            .required(PrimitiveTypeName.INT64).named("from_microtimestamp")
            .required(PrimitiveTypeName.INT64).named("to_microtimestamp")
            .required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
            .named("from_time")
            .required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
            .named("to_time")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("last_event_id")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("first_event_id_after")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("expected_pre_event_id")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("detail")
            .named("gap");

    private GapSchema() {
    }

    static Object[] row(GapRecord gap) {
        return new Object[] {gap.kind().apiName(), gap.fromMicros(), gap.toMicros(), gap.fromMicros(), gap.toMicros(),
            emptyToNull(gap.lastEventId()), emptyToNull(gap.firstEventIdAfter()),
            emptyToNull(gap.expectedPreEventId()), emptyToNull(gap.detail())};
    }

    static List<String> columns() {
        return SCHEMA.getFields().stream().map(f -> f.getName()).toList();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
