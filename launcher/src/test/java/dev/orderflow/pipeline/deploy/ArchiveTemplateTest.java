package dev.orderflow.pipeline.deploy;

import static dev.orderflow.dynamodblocal.iam.CfnTemplate.list;
import static dev.orderflow.dynamodblocal.iam.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.archive.CoverageSchema;
import dev.orderflow.archive.EventSchema;
import dev.orderflow.archive.GapSchema;
import dev.orderflow.archive.SnapshotSchema;
import dev.orderflow.archive.Hour;
import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.storage.Channel;

/**
 * The archive's part of template.yaml held to the archive's code: the Glue tables' partition projection and
 * columns to the layout and schemas the archiver writes, the archiver's grants to what it does, the bucket's
 * protections.
 */
@Timeout(60)
class ArchiveTemplateTest {
    private static final Pattern PROJECTED = Pattern.compile("\\$\\{!([a-z]+)}");
    private final CfnTemplate template = CfnTemplate.loadRepositoryTemplate();
    private final Map<String, Map<String, Object>> tables = template.resourcesOfType("AWS::Glue::Table");

    @Test
    void shouldProjectExactlyThePartitionsTheArchiverWrites() {
        Map<String, String> kinds = Map.of("EventsTable", Hour.EVENTS, "GapsTable", Hour.GAPS,
                "CoverageTable", Hour.COVERAGE_ROWS, "SnapshotsTable", Hour.SNAPSHOTS);
        assertEquals(kinds.keySet(), tables.keySet());
        kinds.forEach((id, kind) -> {
            Map<String, Object> input = map(tables.get(id).get("TableInput"));
            Map<String, Object> parameters = map(input.get("Parameters"));
            String location = String.valueOf(map(parameters.get("storage.location.template")).get("Fn::Sub"));
            List<String> keys = list(input.get("PartitionKeys")).stream()
                    .map(k -> String.valueOf(map(k).get("Name"))).toList();
            for (Channel channel : Channel.values()) {
                for (long hourStart : List.of(1_795_464_000_000_000L, 1_795_460_000_000_000L - 3_200_000_000L)) {
                    Hour hour = Hour.of("btcusd", channel, hourStart);
                    Map<String, String> values = partitionValues(hour.partition(kind));
                    assertEquals(keys, new ArrayList<>(values.keySet()), id + ": partition keys in layout order");
                    Matcher m = PROJECTED.matcher(location);
                    StringBuilder resolved = new StringBuilder();
                    while (m.find()) {
                        m.appendReplacement(resolved, Matcher.quoteReplacement(values.get(m.group(1))));
                    }
                    m.appendTail(resolved);
                    assertEquals("s3://${ArchiveBucket}/" + hour.partition(kind), resolved.toString(), id);
                    assertTrue(values.get("date").matches("\\d{4}-\\d{2}-\\d{2}"), "yyyy-MM-dd");
                }
            }
            assertEquals("enum", parameters.get("projection.channel.type"), id);
            assertEquals(List.of(Channel.values()).stream().map(Channel::apiName).toList(),
                    List.of(String.valueOf(parameters.get("projection.channel.values")).split(",")), id);
            assertEquals("yyyy-MM-dd", parameters.get("projection.date.format"), id);
            assertEquals("0,23", parameters.get("projection.hour.range"), id);
            assertEquals("2", String.valueOf(parameters.get("projection.hour.digits")), id + ": hour=07, not hour=7");
            assertEquals("true", String.valueOf(parameters.get("projection.enabled")), id);
            assertEquals("s3://${ArchiveBucket}/" + kind + "/",
                    map(map(input.get("StorageDescriptor")).get("Location")).get("Fn::Sub"), id);
        });
    }

    @Test
    void shouldDeclareTheColumnsTheArchiverWritesWithTheirTypes() {
        assertEquals(hiveColumns(EventSchema.SCHEMA), columns("EventsTable"));
        assertEquals(hiveColumns(GapSchema.SCHEMA), columns("GapsTable"));
        assertEquals(hiveColumns(CoverageSchema.SCHEMA), columns("CoverageTable"));
        assertEquals(hiveColumns(SnapshotSchema.SCHEMA), columns("SnapshotsTable"));
        assertEquals(String.valueOf(EventSchema.VERSION), String.valueOf(map(map(tables.get("EventsTable")
                .get("TableInput")).get("Parameters")).get("orderflow.schema_version")));
    }

    @Test
    void shouldGrantTheArchiverQueryOnTheTableAndItsPrefixesOfTheBucketOnly() {
        Map<String, Object> function = template.resourcesOfType("AWS::Serverless::Function").get("ArchiveFunction");
        List<String> actions = new ArrayList<>();
        for (Object policy : list(function.get("Policies"))) {
            assertTrue(policy instanceof Map<?, ?> m && m.containsKey("Statement"), "inline statements only: " + policy);
            for (Object statement : list(map(policy).get("Statement"))) {
                Map<String, Object> s = map(statement);
                assertEquals("Allow", s.get("Effect"));
                for (Object action : list(s.get("Action"))) {
                    actions.add(String.valueOf(action));
                }
                for (Object resource : list(s.get("Resource"))) {
                    String text = String.valueOf(resource);
                    assertTrue(text.contains("Table") || text.contains("ArchiveBucket.Arn}/events/*")
                            || text.contains("ArchiveBucket.Arn}/gaps/*") || text.contains("ArchiveBucket.Arn}/coverage/*")
                            || text.contains("ArchiveBucket.Arn}/snapshots/*")
                            || text.equals("{Fn::GetAtt=[ArchiveBucket, Arn]}"),
                            "resource outside the table and the archive's prefixes: " + text);
                }
            }
        }
        assertEquals(List.of("dynamodb:Query", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"),
                actions);
        // S3 answers a GetObject of an absent key 404 only to a caller allowed to list the bucket, and a GetObject
        // carries no s3:prefix, so a listing allowed only under the archive's prefixes would make it a 403
        for (Object policy : list(function.get("Policies"))) {
            for (Object statement : list(map(policy).get("Statement"))) {
                if (list(map(statement).get("Action")).contains("s3:ListBucket")) {
                    assertNull(map(statement).get("Condition"), "ListBucket without a condition: " + statement);
                }
            }
        }
    }

    @Test
    void shouldAlarmWhenAnArchivePassFails() {
        Map<String, Object> alarm = template.resourcesOfType("AWS::CloudWatch::Alarm").get("ArchiveErrorsAlarm");
        assertNotNull(alarm, "ArchiveErrorsAlarm");
        assertEquals("AWS/Lambda", alarm.get("Namespace"));
        assertEquals("Errors", alarm.get("MetricName"));
        assertEquals(List.of(Map.of("Name", "FunctionName", "Value", Map.of("Ref", "ArchiveFunction"))),
                alarm.get("Dimensions"));
    }

    @Test
    void shouldKeepTheArchiveBucketPrivateEncryptedVersionedAndRetained() {
        Map<String, Object> resource = map(template.resources().get("ArchiveBucket"));
        assertEquals("Retain", resource.get("DeletionPolicy"));
        Map<String, Object> bucket = map(resource.get("Properties"));
        Map<String, Object> block = map(bucket.get("PublicAccessBlockConfiguration"));
        for (String flag : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertEquals(Boolean.TRUE, block.get(flag), flag);
        }
        assertEquals("Enabled", map(bucket.get("VersioningConfiguration")).get("Status"));
        assertNotNull(map(bucket.get("BucketEncryption")).get("ServerSideEncryptionConfiguration"));
        String rules = String.valueOf(bucket.get("LifecycleConfiguration"));
        assertTrue(rules.contains("ArchiveInfrequentAccessDays") && rules.contains("ArchiveNoncurrentVersionDays"),
                "the lifecycle rule follows its parameters: " + rules);
        Map<String, Object> workGroup = template.resourcesOfType("AWS::Athena::WorkGroup").values().iterator().next();
        Map<String, Object> config = map(workGroup.get("WorkGroupConfiguration"));
        assertEquals(Map.of("Ref", "AthenaScanLimitBytes"), config.get("BytesScannedCutoffPerQuery"));
        assertEquals(Boolean.TRUE, config.get("EnforceWorkGroupConfiguration"));
    }

    @Test
    void shouldPackageTheArchiverHandlerWithoutHadoop() throws Exception {
        Path zip = CfnTemplate.repositoryRoot().resolve(String.valueOf(
                template.resourcesOfType("AWS::Serverless::Function").get("ArchiveFunction").get("CodeUri")));
        assumeTrue(Files.isRegularFile(zip), zip + " is not built yet: ./mvnw -pl archive -am package");
        String handler = String.valueOf(template.resourcesOfType("AWS::Serverless::Function").get("ArchiveFunction")
                .get("Handler"));
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            assertFalse(archive.stream().anyMatch(e -> e.getName().startsWith("lib/hadoop-")),
                    "no Hadoop jar in " + zip);
            String classFile = handler.split("::")[0].replace('.', '/') + ".class";
            assertNotNull(archive.getEntry(classFile), classFile + " in " + zip);
        }
    }

    private List<String> columns(String id) {
        return list(map(map(map(tables.get(id).get("TableInput")).get("StorageDescriptor"))).get("Columns")).stream()
                .map(c -> map(c).get("Name") + " " + map(c).get("Type")).toList();
    }

    private static List<String> hiveColumns(MessageType schema) {
        List<String> columns = new ArrayList<>();
        for (Type field : schema.getFields()) {
            columns.add(field.getName() + " " + hiveType(field.asPrimitiveType()));
        }
        return columns;
    }

    private static String hiveType(PrimitiveType type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
            LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d =
                    (LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) logical;
            return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
        }
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
            return "timestamp";
        }
        switch (type.getPrimitiveTypeName()) {
            case INT64:
                return "bigint";
            case BOOLEAN:
                return "boolean";
            case BINARY:
                return "string";
            default:
                throw new AssertionError("no Hive type for " + type);
        }
    }

    /** {@code kind/k1=v1/k2=v2/.../} as an ordered map of the Hive keys and values. */
    private static Map<String, String> partitionValues(String partition) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String segment : partition.split("/")) {
            int eq = segment.indexOf('=');
            if (eq > 0) {
                values.put(segment.substring(0, eq), segment.substring(eq + 1));
            }
        }
        return values;
    }
}
