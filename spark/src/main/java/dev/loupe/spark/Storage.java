package dev.loupe.spark;

import dev.loupe.api.LoupeException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * A folder or file named by a local path or any Hadoop filesystem URI ({@code file:}, {@code hdfs:}, {@code s3a:}
 * with its connector on the class path, …): what the driver and the tasks read and write. Local paths go through
 * Hadoop's raw local filesystem (no {@code .crc} side files). Writes are atomic per file: a temporary in the same
 * folder, then a rename over the final name, so a retried task replaces what a failed attempt left.
 *
 * @param uri the location, made absolute
 */
public record Storage(String uri) implements Serializable {

    /** {@code location}: a URI with a scheme, or a local path. */
    public static Storage at(String location) {
        if (!location.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            return new Storage(Path.of(location).toAbsolutePath().normalize().toUri().toString());
        }
        try {
            return new Storage(new URI(location).toString());
        } catch (java.net.URISyntaxException e) {
            throw new LoupeException(location + ": not a URI (" + e.getReason() + "); a local path needs no scheme");
        }
    }

    /** A file or folder inside this folder. */
    public Storage resolve(String name) {
        return new Storage(uri.endsWith("/") ? uri + name : uri + "/" + name);
    }

    /** The local path when this is on the local filesystem, else null. */
    public Path localPath() {
        URI u = URI.create(uri);
        return "file".equals(u.getScheme()) ? Path.of(u) : null;
    }

    /** The last name in the location. */
    public String name() {
        return hadoopPath().getName();
    }

    public boolean exists() {
        return io(() -> fs().exists(hadoopPath()));
    }

    public boolean isFolder() {
        return io(() -> fs().getFileStatus(hadoopPath()).isDirectory());
    }

    /** The files under this folder, recursively, hidden ones ({@code .name}) skipped, sorted by path. */
    public List<Storage> files() {
        return io(() -> {
            List<Storage> out = new ArrayList<>();
            collect(fs(), hadoopPath(), out);
            out.sort(java.util.Comparator.comparing(Storage::uri));
            return out;
        });
    }

    private static void collect(FileSystem fs, org.apache.hadoop.fs.Path dir, List<Storage> out) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.getPath().getName().startsWith(".")) {
                continue;
            }
            if (s.isDirectory()) {
                collect(fs, s.getPath(), out);
            } else {
                out.add(new Storage(s.getPath().toUri().toString()));
            }
        }
    }

    /** Names in this folder that start with {@code prefix}. */
    public List<String> names(String prefix) {
        return io(() -> {
            List<String> out = new ArrayList<>();
            if (fs().exists(hadoopPath())) {
                for (FileStatus s : fs().listStatus(hadoopPath())) {
                    if (s.getPath().getName().startsWith(prefix)) {
                        out.add(s.getPath().getName());
                    }
                }
            }
            return out;
        });
    }

    /** This file on the local disk: itself when local, else a temporary copy the caller deletes. */
    public Path fetch() {
        Path local = localPath();
        if (local != null) {
            return local;
        }
        return io(() -> {
            Path tmp = Files.createTempFile("loupe-spark-", "-" + name());
            fs().copyToLocalFile(false, hadoopPath(), new org.apache.hadoop.fs.Path(tmp.toUri()), true);
            return tmp;
        });
    }

    /** Copies {@code local} to {@code name} in this folder, atomically. */
    public void put(Path local, String name) {
        write(name, out -> Files.copy(local, out));
    }

    /** Writes {@code bytes} to {@code name} in this folder, atomically. */
    public void write(String name, byte[] bytes) {
        write(name, out -> out.write(bytes));
    }

    /** Removes {@code name} from this folder if it is there. */
    public void delete(String name) {
        io(() -> fs().delete(resolve(name).hadoopPath(), false));
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private void write(String name, Body body) {
        io(() -> {
            FileSystem fs = fs();
            fs.mkdirs(hadoopPath());
            org.apache.hadoop.fs.Path target = resolve(name).hadoopPath();
            org.apache.hadoop.fs.Path tmp = resolve("." + name + ".tmp-" + java.util.UUID.randomUUID()).hadoopPath();
            try (OutputStream out = fs.create(tmp, true)) {
                body.write(out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            return null;
        });
    }

    /** One Hadoop configuration per JVM (its defaults are read once; nothing here changes it). */
    private static final class Hadoop {
        static final Configuration CONF = new Configuration();
    }

    private org.apache.hadoop.fs.Path hadoopPath() {
        return new org.apache.hadoop.fs.Path(URI.create(uri));
    }

    private FileSystem fs() throws IOException {
        FileSystem fs = FileSystem.get(URI.create(uri), Hadoop.CONF);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    private <T> T io(Io<T> op) {
        try {
            return op.run();
        } catch (java.io.FileNotFoundException e) {
            throw new LoupeException(uri + ": not found");
        } catch (IOException e) {
            throw new LoupeException(uri + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }
}
