package dev.orderflow.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
            row.decimal(EventRow.PRICE, EventRow.PRICE_TEXT, price);
            row.decimal(EventRow.AMOUNT, EventRow.AMOUNT_TEXT, amount);
            row.set(EventRow.EVENT_ID, "event-" + i);
            row.finish();
            rows.add(row.values.clone());
        }

        byte[] bytes = write(rows);
        Path file = dir.resolve("hour.parquet");
        Files.write(file, bytes);

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            try (ResultSet rs = sql.executeQuery("SELECT count(*), sum(price), sum(amount), count(DISTINCT amount), "
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
        assertArrayEquals(bytes, write(rows), "the same rows give the same bytes");
    }

    @Test
    void shouldRefuseToFinishAFileAfterAFailedWrite() {
        try (ParquetBytes file = new ParquetBytes(EventSchema.SCHEMA, EventSchema.NO_MIN_MAX,
                EventSchema.NO_DICTIONARY, EventSchema.PREFIX_STRINGS)) {
            EventRow row = new EventRow();
            row.start(1L, 1L);
            row.values[EventRow.MICROTIMESTAMP] = "not a number"; // a bug in a caller, not damaged data
            assertThrows(ParquetBytes.Failed.class, () -> file.write(row.values));
            assertThrows(ParquetBytes.Failed.class, () -> file.finish(Map.of()));
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
