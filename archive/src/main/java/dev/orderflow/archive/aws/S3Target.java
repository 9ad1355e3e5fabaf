package dev.orderflow.archive.aws;

import dev.orderflow.archive.ArchiveTarget;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The archive in an S3 bucket: the layout's paths as object keys. A PUT replaces an object whole. */
public final class S3Target implements ArchiveTarget {
    private final S3Client s3;
    private final String bucket;

    public S3Target(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public byte[] read(String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        } catch (NoSuchKeyException absent) {
            return null;
        }
    }

    @Override
    public void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(bucket).key(key)
                .contentType(key.endsWith(".json") ? "application/json" : "application/vnd.apache.parquet"),
                RequestBody.fromBytes(bytes));
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/";
    }
}
