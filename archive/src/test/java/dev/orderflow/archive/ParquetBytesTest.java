package dev.orderflow.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.orderflow.storage.PlainDecimal;

@Timeout(120)
class ParquetBytesTest {
    /** More distinct 12-byte decimals than a dictionary page of parquet-java's default size (1 MiB) holds. */
    private static final int ROWS = 120_000;

    @Test
    void shouldWriteAnHourOfDistinctPricesAndAmountsThatDuckDbReadsExactly(@TempDir Path dir) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        Random random = new Random(11);
        BigDecimal prices = BigDecimal.ZERO;
        BigDecimal amounts = BigDecimal.ZERO;
        for (int i = 0; i < ROWS; i++) {
            String price = (20_000 + i) + "." + String.format("%02d", random.nextInt(100));
            String amount = random.nextInt(5) + "." + String.format("%08d", random.nextInt(100_000_000));
            prices = prices.add(new BigDecimal(price));
            amounts = amounts.add(new BigDecimal(amount));
            EventRow row = new EventRow();
            row.start(1_700_000_000_000_000L + i, 1_700_000_000_000_000L + i);
            row.set(EventRow.TYPE, "order_created");
            row.set(EventRow.ID, Long.toString(1_000_000_000L + i));
            row.decimal(EventRow.PRICE, EventRow.PRICE_TEXT, price.getBytes(StandardCharsets.UTF_8),
                    PlainDecimal.NOT_PLAIN, 0);
            row.decimal(EventRow.AMOUNT, EventRow.AMOUNT_TEXT, amount.getBytes(StandardCharsets.UTF_8),
                    PlainDecimal.NOT_PLAIN, 0);
            row.set(EventRow.EVENT_ID, "event-" + i);
            row.finish();
            rows.add(row.values.clone());
        }

        // as events files are written, and with a dictionary on every column (as snapshots files are): there a
        // decimal column's dictionary outgrows its page and falls back
        for (boolean dictionaries : new boolean[] {false, true}) {
            byte[] bytes = dictionaries ? writeWithDictionaries(rows) : write(rows);
            Path file = dir.resolve("hour-" + dictionaries + ".parquet");
            Files.write(file, bytes);
            assertSumsAndTexts(file, prices, amounts);
            assertArrayEquals(bytes, dictionaries ? writeWithDictionaries(rows) : write(rows),
                    "the same rows give the same bytes");
        }
    }

    @Test
    void shouldKeepDictionariesForRepeatingColumnsOnlyAndPrefixEncodeTheEventIds(@TempDir Path dir) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            EventRow row = new EventRow();
            row.start(1_700_000_000_000_000L + i, 1_700_000_000_000_000L + i);
            row.set(EventRow.TYPE, i % 3 == 0 ? "order_deleted" : "order_created");
            row.set(EventRow.ID, Long.toString(1_000_000_000L + i));
            row.set(EventRow.SIDE, i % 2 == 0 ? "buy" : "sell");
            row.decimal(EventRow.PRICE, EventRow.PRICE_TEXT, ("20000." + i % 7).getBytes(StandardCharsets.UTF_8),
                    PlainDecimal.NOT_PLAIN, 0);
            row.decimal(EventRow.AMOUNT, EventRow.AMOUNT_TEXT, ("0." + (1000 + i)).getBytes(StandardCharsets.UTF_8),
                    1000 + i, 4);
            row.set(EventRow.EVENT_ID, String.format("0006589a-5d2d-%04x-0000-000103000020", i));
            row.string(EventRow.Field.of("order_source"), "orderbook");
            row.string(EventRow.Field.of("datetime"), Long.toString(1_700_000_000L + i / 100));
            row.string(EventRow.Field.of("timestamp"), Long.toString(1_700_000_000L + i / 100));
            row.number(EventRow.Field.of("order_subtype"), i % 2);
            row.bool(EventRow.Field.of("is_liquidation"), false);
            row.finish();
            rows.add(row.values);
        }
        Path file = dir.resolve("encodings.parquet");
        Files.write(file, write(rows));

        Map<String, String> encodings = new HashMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement();
             ResultSet rs = sql.executeQuery("SELECT path_in_schema, encodings FROM parquet_metadata('" + file + "')")) {
            while (rs.next()) {
                encodings.put(rs.getString(1), rs.getString(2));
            }
        }
        for (String column : EventSchema.DICTIONARY) {
            assertTrue(encodings.get(column).contains("DICTIONARY"), column + ": " + encodings.get(column));
        }
        for (String column : List.of("id", "price", "price_text", "amount", "amount_text", "microtimestamp")) {
            assertFalse(encodings.get(column).contains("DICTIONARY"), column + ": " + encodings.get(column));
        }
        assertTrue(encodings.get("id").contains("PLAIN"), "id: " + encodings.get("id"));
        assertTrue(encodings.get("event_id").contains("DELTA_BYTE_ARRAY"), "event_id: " + encodings.get("event_id"));
        // in the format's order, not a hash set's: otherwise the same rows could give other bytes in another JVM,
        // and an unchanged hour would be written again (parquet-java sorts them since 1.18)
        encodings.forEach((column, listed) -> {
            List<Integer> order = Arrays.stream(listed.split(", "))
                    .map(name -> org.apache.parquet.format.Encoding.valueOf(name).getValue()).toList();
            assertEquals(order.stream().sorted().toList(), order, column + ": " + listed);
        });
    }

    private static void assertSumsAndTexts(Path file, BigDecimal prices, BigDecimal amounts) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement();
             ResultSet rs = sql.executeQuery("SELECT count(*), sum(price), sum(amount), count(DISTINCT amount), "
                     + "count(*) FILTER (WHERE CAST(price AS VARCHAR) <> CAST(CAST(price_text AS DECIMAL(28, 10)) "
                     + "AS VARCHAR) OR CAST(amount AS VARCHAR) <> CAST(CAST(amount_text AS DECIMAL(28, 10)) AS VARCHAR)) "
                     + "FROM read_parquet('" + file + "')")) {
            rs.next();
            assertEquals(ROWS, rs.getLong(1));
            assertEquals(0, prices.compareTo(rs.getBigDecimal(2)), "sum of prices " + rs.getBigDecimal(2));
            assertEquals(0, amounts.compareTo(rs.getBigDecimal(3)), "sum of amounts " + rs.getBigDecimal(3));
            assertEquals(true, rs.getLong(4) > 100_000, "distinct amounts: " + rs.getLong(4));
            assertEquals(0, rs.getLong(5), "rows whose decimal differs from the exchange's text");
        }
    }

    @Test
    void shouldRefuseToFinishAFileAfterAFailedWrite() {
        try (ParquetBytes file = new ParquetBytes(EventSchema.SCHEMA, EventSchema.NO_MIN_MAX,
                EventSchema.NO_DICTIONARY, EventSchema.PREFIX_STRINGS)) {
            EventRow row = new EventRow();
            row.start(1L, 1L);
            row.values[EventRow.MICROTIMESTAMP] = "not a number"; // a bug in a caller, not damaged data
            // rows go to the column writers a batch at a time: the failure shows at the latest when the file ends
            assertThrows(ParquetBytes.Failed.class, () -> {
                file.write(row.values);
                file.finish(Map.of());
            });
            assertThrows(ParquetBytes.Failed.class, () -> file.finish(Map.of()));
            assertThrows(ParquetBytes.Failed.class, () -> file.write(row.values));
        }
    }

    private static byte[] writeWithDictionaries(List<Object[]> rows) {
        try (ParquetBytes file = new ParquetBytes(EventSchema.SCHEMA)) {
            rows.forEach(file::write);
            return file.finish(Map.of(HourArchiver.META_SCHEMA_VERSION, "1"));
        }
    }

    private static byte[] write(List<Object[]> rows) {
        try (ParquetBytes file = new ParquetBytes(EventSchema.SCHEMA, EventSchema.NO_MIN_MAX,
                EventSchema.NO_DICTIONARY, EventSchema.PREFIX_STRINGS)) {
            rows.forEach(file::write);
            return file.finish(Map.of(HourArchiver.META_SCHEMA_VERSION, "1"));
        }
    }
}
