package dev.orderflow.archive;

import java.io.IOException;

import com.github.luben.zstd.Zstd;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * ZSTD for parquet-java's writer straight through zstd-jni. parquet-java's own codec factory builds its codecs
 * through Hadoop's {@code Configuration}, which would put Hadoop on the runtime classpath; this one does not.
 * Writing only: the archive is read by other engines.
 */
final class ZstdCodecs implements CompressionCodecFactory {
    /** Level 3 (zstd's default): most of level 9's ratio on this data at a fraction of its time. */
    static final int LEVEL = 3;

    private final BytesInputCompressor zstd = new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(Zstd.compress(bytes.toByteArray(), LEVEL));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            // holds nothing
        }
    };

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            throw new IllegalArgumentException("the archive writes ZSTD only, not " + codec);
        }
        return zstd;
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("the archive writer does not read Parquet");
    }

    @Override
    public void release() {
        // holds nothing
    }
}
