package dev.orderflow.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Rows of plain values ({@code Long}, {@code String}, {@code Boolean}, {@code byte[]} for a decimal's unscaled
 * bytes; {@code null} for absent) written as one Parquet file in memory, through parquet-java's writer on its
 * Hadoop-free paths ({@link OutputFile}, {@link PlainParquetConfiguration}, {@link ZstdCodecs}). The bytes depend
 * only on the rows and the metadata: no clock, no host, no random ids go into a file.
 */
final class ParquetBytes implements AutoCloseable {
    /** One row group per file: an hour of the busiest pair is a few tens of MB before encoding. */
    private static final long ROW_GROUP_BYTES = 128L * 1024 * 1024;

    private final Buffer buffer = new Buffer();
    /** Key-value metadata, written in the footer: sorted, so that the same entries give the same bytes. */
    private final Map<String, String> metadata = new TreeMap<>();
    private final ParquetWriter<Object[]> writer;

    ParquetBytes(MessageType schema) {
        this(schema, Set.of());
    }

    /** @param noMinMax columns no engine prunes by (the exchange's strings and ids): no min/max statistics */
    ParquetBytes(MessageType schema, Set<String> noMinMax) {
        try {
            Builder builder = new Builder(buffer, schema, metadata)
                    .withConf(new PlainParquetConfiguration())
                    .withCodecFactory(new ZstdCodecs())
                    .withCompressionCodec(CompressionCodecName.ZSTD)
                    .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
                    .withDictionaryEncoding(true)
                    // page size histograms: an optional hint no engine we serve needs, and a fifth of the time
                    .withSizeStatisticsEnabled(false)
                    .withRowGroupSize(ROW_GROUP_BYTES)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
            for (String column : noMinMax) {
                builder = builder.withStatisticsEnabled(column, false);
            }
            writer = builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(Object[] row) {
        try {
            writer.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code metadata} to the file's key-value metadata, closes the file and returns its bytes. */
    byte[] finish(Map<String, String> metadata) {
        this.metadata.putAll(metadata);
        close();
        return buffer.bytes.toByteArray();
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final MessageType schema;
        private final Map<String, String> metadata;

        Builder(OutputFile file, MessageType schema, Map<String, String> metadata) {
            super(file);
            this.schema = schema;
            this.metadata = metadata;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration conf) {
            return new Rows(schema, metadata);
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new Rows(schema, metadata);
        }
    }

    private static final class Rows extends WriteSupport<Object[]> {
        private final MessageType schema;
        private final Map<String, String> metadata;
        private RecordConsumer out;

        Rows(MessageType schema, Map<String, String> metadata) {
            this.schema = schema;
            this.metadata = metadata;
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public FinalizedWriteContext finalizeWrite() {
            return new FinalizedWriteContext(metadata);
        }

        @Override
        public void prepareForWrite(RecordConsumer consumer) {
            out = consumer;
        }

        @Override
        public void write(Object[] row) {
            out.startMessage();
            for (int i = 0; i < row.length; i++) {
                Object value = row[i];
                if (value == null) {
                    continue;
                }
                Type field = schema.getType(i);
                out.startField(field.getName(), i);
                if (value instanceof Long) {
                    out.addLong((Long) value);
                } else if (value instanceof String) {
                    out.addBinary(Binary.fromString((String) value));
                } else if (value instanceof Boolean) {
                    out.addBoolean((Boolean) value);
                } else {
                    out.addBinary(Binary.fromConstantByteArray((byte[]) value));
                }
                out.endField(field.getName(), i);
            }
            out.endMessage();
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
