package dev.orderflow.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.dictionary.DictionaryValuesWriter;
import org.apache.parquet.column.values.factory.DefaultV2ValuesWriterFactory;
import org.apache.parquet.column.values.factory.ValuesWriterFactory;
import org.apache.parquet.column.values.fallback.FallbackValuesWriter;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Rows of plain values ({@code Long}, {@code String}, {@code Boolean}, {@code byte[]} for a string's UTF-8 bytes or
 * a decimal's unscaled bytes; {@code null} for absent) written as one Parquet file in memory, through parquet-java's
 * column writers on its Hadoop-free paths ({@link OutputFile}, {@link ZstdCodecs}). The schema is flat, so a row's
 * values go straight to the column writers (definition level 0 for absent, the column's maximum for present):
 * parquet-java's record layer ({@code RecordConsumer}), which works out levels field by field for nested data, was
 * most of the time spent here.
 * The bytes depend only on the rows and the metadata: no clock, no host, no random ids go into a file.
 */
final class ParquetBytes implements AutoCloseable {
    /** A row group holds at most this many buffered bytes: an hour of the busiest pair fits in one. */
    private static final long ROW_GROUP_BYTES = 128L * 1024 * 1024;
    /**
     * Rows held before they go to the column writers, one column at a time: a column's writer, its encoder and its
     * levels' encoder then stay hot for a thousand values, where row by row each value went to another column's.
     */
    private static final int BATCH_ROWS = 1024;
    /** How often (in rows, a multiple of {@link #BATCH_ROWS}) the buffered size is compared with
     * {@link #ROW_GROUP_BYTES}. */
    private static final int SIZE_CHECK_ROWS = 10 * BATCH_ROWS;
    private static final ZstdCodecs CODECS = new ZstdCodecs();

    private final Buffer buffer = new Buffer();
    private final MessageType schema;
    private final ParquetProperties properties;
    private final ParquetFileWriter file;
    private final int[] present;
    /**
     * Per column, the last string written and its UTF-8 bytes (encoding them was a third of the time here), or the
     * last array, and the {@link Binary} of either.
     */
    private final String[] lastText;
    private final byte[][] lastBytes;
    private final Binary[] lastBinary;
    private final Object[][] batch = new Object[BATCH_ROWS][];
    private int batched;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore columns;
    private ColumnWriter[] writers;
    private long rows;
    private boolean finished;
    /** The first failure of a write, after which the file cannot be finished. */
    private RuntimeException failed;

    /** The writer failed (not a row's data): what was written is not a file. */
    static final class Failed extends RuntimeException {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    ParquetBytes(MessageType schema) {
        this(schema, Set.of(), Set.of(), Set.of());
    }

    /**
     * @param noMinMax      columns no engine prunes by (the exchange's strings and ids): no min/max statistics
     * @param noDictionary  columns whose values hardly repeat: a dictionary would cost time and save nothing
     * @param prefixStrings string columns without a dictionary whose values share long prefixes from row to row:
     *                      DELTA_BYTE_ARRAY (the other strings without a dictionary are PLAIN)
     */
    ParquetBytes(MessageType schema, Set<String> noMinMax, Set<String> noDictionary, Set<String> prefixStrings) {
        this.schema = schema;
        ParquetProperties.Builder settings = ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                .withDictionaryEncoding(true)
                // page size histograms: an optional hint no engine we serve needs, and a fifth of the time
                .withSizeStatisticsEnabled(false)
                .withValuesWriterFactory(new Encodings(prefixStrings));
        noMinMax.forEach(column -> settings.withStatisticsEnabled(column, false));
        noDictionary.forEach(column -> settings.withDictionaryEncoding(column, false));
        properties = settings.build();
        List<ColumnDescriptor> descriptors = schema.getColumns();
        present = new int[descriptors.size()];
        lastText = new String[present.length];
        lastBytes = new byte[present.length][];
        lastBinary = new Binary[present.length];
        for (int i = 0; i < present.length; i++) {
            present[i] = descriptors.get(i).getMaxDefinitionLevel();
        }
        try {
            file = new ParquetFileWriter(buffer, schema, ParquetFileWriter.Mode.OVERWRITE, ROW_GROUP_BYTES, 0, null,
                    properties);
            file.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startRowGroup();
    }

    /**
     * Writes one row; the row's array is kept until the row is written, so it must not be changed afterwards. A
     * failure here is the writer's, not the row's (it may be an earlier row's, held in the batch): parquet-java's
     * column writers stop writing pages after one, so the file is not finished afterwards ({@link Failed}).
     */
    void write(Object[] row) {
        if (failed != null) {
            throw new Failed("an earlier row failed", failed);
        }
        batch[batched++] = row;
        if (batched == BATCH_ROWS) {
            writeBatch();
        }
    }

    private void writeBatch() {
        try {
            for (int i = 0; i < writers.length; i++) {
                writeColumn(i);
            }
            for (int r = 0; r < batched; r++) {
                columns.endRecord(); // a column's page ends at a row that every column has written
            }
            rows += batched;
        } catch (RuntimeException e) {
            failed = e;
            throw new Failed("writing a row failed", e);
        } finally {
            Arrays.fill(batch, 0, batched, null);
            batched = 0;
        }
        if (rows % SIZE_CHECK_ROWS == 0 && columns.getBufferedSize() > ROW_GROUP_BYTES) {
            endRowGroup();
            startRowGroup();
        }
    }

    private void writeColumn(int i) {
        ColumnWriter column = writers[i];
        int level = present[i];
        for (int r = 0; r < batched; r++) {
            Object value = batch[r][i];
            if (value == null) {
                column.writeNull(0, 0);
            } else if (value instanceof Long l) {
                column.write(l.longValue(), 0, level);
            } else if (value instanceof String text) {
                if (!text.equals(lastText[i])) { // a column's value often repeats the row before's
                    lastText[i] = text;
                    lastBytes[i] = null;
                    // a Binary over an array: dictionaries hash and compare it much faster than fromString's ByteBuffer
                    lastBinary[i] = Binary.fromConstantByteArray(text.getBytes(StandardCharsets.UTF_8));
                }
                column.write(lastBinary[i], 0, level);
            } else if (value instanceof Boolean b) {
                column.write(b.booleanValue(), 0, level);
            } else {
                if (value != lastBytes[i]) { // the same array as the row before's: a memo's (EventView.TextMemo)
                    lastBytes[i] = (byte[]) value;
                    lastText[i] = null;
                    lastBinary[i] = Binary.fromConstantByteArray(lastBytes[i]);
                }
                column.write(lastBinary[i], 0, level);
            }
        }
    }

    /** Adds {@code metadata} to the file's key-value metadata (sorted, so that the same entries give the same
     * bytes), ends the file and returns its bytes. */
    byte[] finish(Map<String, String> metadata) {
        if (failed != null) {
            throw new Failed("a row failed: the file is not finished", failed);
        }
        if (batched > 0) {
            writeBatch();
        }
        endRowGroup();
        try {
            file.end(new TreeMap<>(metadata));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        finished = true;
        return buffer.bytes.toByteArray();
    }

    @Override
    public void close() {
        if (!finished && columns != null) {
            columns.close();
            pages.close();
            columns = null;
        }
    }

    private void startRowGroup() {
        pages = new ColumnChunkPageWriteStore(CODECS.getCompressor(CompressionCodecName.ZSTD), schema,
                properties.getAllocator(), properties.getColumnIndexTruncateLength(),
                properties.getPageWriteChecksumEnabled());
        columns = properties.newColumnWriteStore(schema, pages, pages);
        List<ColumnDescriptor> descriptors = schema.getColumns();
        writers = new ColumnWriter[descriptors.size()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = columns.getColumnWriter(descriptors.get(i));
        }
    }

    private void endRowGroup() {
        try {
            if (rows > 0) {
                file.startBlock(rows);
                columns.flush();
                pages.flushToFileWriter(file);
                file.endBlock();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (columns != null) {
                columns.close();
                pages.close();
                columns = null;
            }
            rows = 0;
        }
    }

    /**
     * parquet-java's version-2 encodings, except for strings without a dictionary and fixed-length values (the
     * decimals). Strings without a dictionary are PLAIN unless they share long prefixes from row to row: for the
     * others DELTA_BYTE_ARRAY's prefix search cost more time than its bytes saved once ZSTD has compressed the page,
     * and every engine reads PLAIN. For the decimals a dictionary
     * that grows too large falls back to PLAIN rather than to DELTA_BYTE_ARRAY, which DuckDB does not read for them
     * ("Delta Byte Array encoding is only supported for string/blob data"); an hour with many distinct amounts
     * would otherwise be unreadable there. Without a dictionary they are PLAIN.
     */
    private static final class Encodings implements ValuesWriterFactory {
        private final ValuesWriterFactory standard = new DefaultV2ValuesWriterFactory();
        private final Set<String> prefixStrings;
        private ParquetProperties properties;

        Encodings(Set<String> prefixStrings) {
            this.prefixStrings = prefixStrings;
        }

        @Override
        public void initialize(ParquetProperties properties) {
            this.properties = properties;
            standard.initialize(properties);
        }

        @Override
        public ValuesWriter newValuesWriter(ColumnDescriptor column) {
            PrimitiveTypeName type = column.getPrimitiveType().getPrimitiveTypeName();
            if (type == PrimitiveTypeName.BINARY && !properties.isDictionaryEnabled(column)
                    && !prefixStrings.contains(column.getPath()[0])) {
                return PlainBytesWriter.binary();
            }
            if (type != PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY) {
                return standard.newValuesWriter(column);
            }
            int length = column.getPrimitiveType().getTypeLength();
            PlainBytesWriter plain = PlainBytesWriter.fixed(length);
            if (!properties.isDictionaryEnabled(column)) {
                return plain;
            }
            return FallbackValuesWriter.of(new DictionaryValuesWriter.PlainFixedLenArrayDictionaryValuesWriter(
                    properties.getDictionaryPageSizeThreshold(), length, Encoding.RLE_DICTIONARY, Encoding.PLAIN,
                    properties.getAllocator()), plain);
        }
    }

    /** An {@link OutputFile} in memory. */
    private static final class Buffer implements OutputFile {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return createOrOverwrite(blockSizeHint);
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            bytes.reset();
            return new PositionOutputStream() {
                @Override
                public long getPos() {
                    return bytes.size();
                }

                @Override
                public void write(int b) {
                    bytes.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes.write(b, off, len);
                }
            };
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return "memory";
        }
    }
}
