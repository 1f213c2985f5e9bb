package dev.loupe.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@code loupetest:///path}), found by Hadoop's ServiceLoader: stands in for
 * hdfs:// or s3a:// so the tests take the path a remote corpus and output take (listing, copying to local disk,
 * writing through the FileSystem), with no server.
 */
public final class OtherSchemeFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "loupetest";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }
}
