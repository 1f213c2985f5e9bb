package dev.loupe.hf.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A hub on 127.0.0.1 that serves one repository's files as the Hugging Face hub does:
 * {@code /{repo}/resolve/{revision}/{file}}, HEAD with {@code ETag} (sha256 for *.safetensors, as for LFS files;
 * the git blob sha1 otherwise) and {@code X-Repo-Commit}, GET honouring {@code Range}. It can drop the connection
 * once mid-file, go silent once mid-file, or serve bytes that do not match the etag.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    final String repo;
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile String dropOnce;
    volatile String stallOnce;
    private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();
    volatile String corrupt;
    private final HttpServer server;

    FakeHub(String repo, Path folder, String... names) throws IOException {
        this.repo = repo;
        for (String n : names) {
            files.put(n, Files.readAllBytes(folder.resolve(n)));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String etag(String name, byte[] data) {
        try {
            if (name.endsWith(".safetensors")) {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            }
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + data.length + "\0").getBytes());
            return HexFormat.of().formatHex(sha1.digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
        String prefix = "/" + repo + "/resolve/";
        byte[] data = null;
        String name = null;
        if (path.startsWith(prefix)) {
            String rest = path.substring(prefix.length());
            String revision = rest.substring(0, rest.indexOf('/'));
            name = rest.substring(rest.indexOf('/') + 1);
            if (revision.equals("main") || revision.equals(COMMIT)) {
                data = files.get(name);
            }
        }
        if (data == null) {
            ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("ETag", "\"" + etag(name, data) + "\"");
        ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(data.length));
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        if (name.equals(corrupt)) {
            data = data.clone();
            data[data.length / 2] ^= 0x5a;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
        boolean drop = name.equals(dropOnce);
        boolean stall = name.equals(stallOnce);
        ex.sendResponseHeaders(range == null ? 200 : 206, data.length - from);
        OutputStream out = ex.getResponseBody();
        if (drop || stall) {
            // The full length announced, half of it sent; then the connection closed, or silent for 5 s.
            dropOnce = null;
            stallOnce = null;
            out.write(data, from, (data.length - from) / 2);
            out.flush();
            if (drop) {
                throw new IOException("dropped on purpose"); // the server closes the connection
            }
            try {
                Thread.sleep(5000);
                out.close();
            } catch (InterruptedException | IOException expected) {
                // stopped, or "insufficient bytes written": the exchange is abandoned, as intended
            }
            return;
        }
        try (out) {
            out.write(data, from, data.length - from);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
