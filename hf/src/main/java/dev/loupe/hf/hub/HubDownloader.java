package dev.loupe.hf.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.io.JsonLimits;
import dev.loupe.api.spi.Progress;
import dev.loupe.json.LoupeJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Downloads a model's files from a Hugging Face hub endpoint ({@code {endpoint}/{repo}/resolve/{revision}/{file}})
 * into the hub's cache layout: each file to {@code blobs/<etag>} (resumed with a Range request after a dropped
 * connection, then checked against its etag: sha256 for LFS files, the git blob sha1 for others), linked from
 * {@code snapshots/<commit>/<file>}, and {@code refs/<revision>} written last. A corrupt file is deleted and
 * refused; nothing is left at its target.
 */
final class HubDownloader {
    static final List<String> OPTIONAL = List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json",
            "special_tokens_map.json");
    private static final int ATTEMPTS = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = LoupeJson.mapper();

    private final String endpoint;
    private final String token;
    private final Progress progress;
    private final Duration stall;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** @param stall how long a response may send nothing before it is dropped and resumed */
    HubDownloader(String endpoint, String token, Duration stall, Progress progress) {
        this.endpoint = endpoint.replaceAll("/+$", "");
        this.token = token;
        this.stall = stall;
        this.progress = progress;
    }

    /** Every file the model needs, into {@code root}; returns the snapshot folder. */
    Path download(HubModel model, Path root) {
        Path repo = root.resolve(model.folder());
        Remote config = head(model, model.revision(), "config.json");
        if (config == null) {
            throw new LoupeException(url(model, model.revision(), "config.json") + ": not found (HTTP 404): is '"
                    + model.repo() + "' a model repository, and '" + model.revision() + "' a revision of it?");
        }
        String commit = config.commit() != null ? config.commit() : model.pinned() ? model.revision() : null;
        if (commit == null) {
            throw new LoupeException(url(model, model.revision(), "config.json")
                    + ": the response has no X-Repo-Commit header, so the snapshot cannot be named");
        }
        Path snapshot = repo.resolve("snapshots").resolve(commit);
        fetch(model, commit, "config.json", config, repo, snapshot);
        List<String> weights = new ArrayList<>();
        Remote index = head(model, commit, "model.safetensors.index.json");
        if (index != null) {
            Path file = fetch(model, commit, "model.safetensors.index.json", index, repo, snapshot);
            weights.addAll(shards(file));
        } else {
            weights.add("model.safetensors");
        }
        for (String w : weights) {
            Remote r = head(model, commit, w);
            if (r == null) {
                throw new LoupeException(url(model, commit, w) + ": not found (HTTP 404); Loupe loads safetensors "
                        + "weights only (no pickles)");
            }
            fetch(model, commit, w, r, repo, snapshot);
        }
        for (String f : OPTIONAL) {
            Remote r = head(model, commit, f);
            if (r != null) {
                fetch(model, commit, f, r, repo, snapshot);
            }
        }
        if (!model.pinned()) {
            writeAtomically(repo.resolve("refs").resolve(model.revision()), commit);
        }
        return snapshot;
    }

    /** What a HEAD request says of one file; null for 404. */
    record Remote(String etag, long size, String commit) {}

    private Remote head(HubModel model, String revision, String file) {
        HttpRequest req = request(url(model, revision, file)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> r = send(req, HttpResponse.BodyHandlers.discarding(), url(model, revision, file));
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new LoupeException(url(model, revision, file) + ": HTTP " + r.statusCode()
                    + (token == null ? " (a gated or private model: set HF_TOKEN)" : " (HF_TOKEN is not allowed to read it)"));
        }
        if (r.statusCode() / 100 != 2) {
            throw new LoupeException(url(model, revision, file) + ": HTTP " + r.statusCode());
        }
        String etag = r.headers().firstValue("X-Linked-Etag").or(() -> r.headers().firstValue("ETag")).orElse(null);
        if (etag == null) {
            throw new LoupeException(url(model, revision, file) + ": the response has no ETag, so the download "
                    + "cannot be checked");
        }
        long size = r.headers().firstValueAsLong("X-Linked-Size")
                .orElse(r.headers().firstValueAsLong("Content-Length").orElse(-1));
        return new Remote(etag.replaceFirst("^W/", "").replace("\"", ""), size,
                r.headers().firstValue("X-Repo-Commit").orElse(null));
    }

    private Path fetch(HubModel model, String commit, String file, Remote remote, Path repo, Path snapshot) {
        Path blob = repo.resolve("blobs").resolve(remote.etag());
        Path target = snapshot.resolve(file);
        try {
            if (!Files.isRegularFile(blob)) {
                Files.createDirectories(blob.getParent());
                Path partial = blob.resolveSibling(remote.etag() + ".incomplete");
                receive(url(model, commit, file), partial, remote, file);
                String actual = Checksums.verify(partial, remote.etag());
                if (actual != null) {
                    Files.deleteIfExists(partial);
                    throw new LoupeException(url(model, commit, file) + ": downloaded file does not match its etag "
                            + remote.etag() + " (got " + actual + "); deleted, nothing was written");
                }
                Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            try {
                Files.createSymbolicLink(target, target.getParent().relativize(blob));
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(blob, target);
            }
            return target;
        } catch (IOException e) {
            throw new LoupeException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /** Streams the file into {@code partial}, resuming from its length after a dropped or stalled connection. */
    private void receive(String url, Path partial, Remote remote, String file) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long have = Files.exists(partial) ? Files.size(partial) : 0;
            if (remote.size() >= 0 && have == remote.size()) {
                return;
            }
            try {
                receiveOnce(url, partial, have, remote, file);
                if (remote.size() < 0 || Files.size(partial) == remote.size()) {
                    return;
                }
                last = new IOException("connection closed at " + Files.size(partial) + " of " + remote.size() + " bytes");
            } catch (IOException e) {
                last = e;
            }
        }
        throw new LoupeException(url + ": download failed after " + ATTEMPTS + " attempts (" + last.getMessage()
                + "); the partial file " + partial + " is kept and resumed next time");
    }

    /** One GET from byte {@code have} on, streamed into {@code partial} until the body ends, fails or stalls. */
    private void receiveOnce(String url, Path partial, long have, Remote remote, String file) throws IOException {
        HttpRequest.Builder b = request(url).GET();
        if (have > 0) {
            b.header("Range", "bytes=" + have + "-");
        }
        CompletableFuture<FileBodySink> headers = new CompletableFuture<>();
        HttpResponse.BodyHandler<Void> handler = info -> {
            if (info.statusCode() != 200 && info.statusCode() != 206) {
                headers.complete(null);
                return HttpResponse.BodySubscribers.discarding();
            }
            try {
                FileBodySink sink = new FileBodySink(partial, info.statusCode() == 206, have,
                        done -> progress.update("download " + file, done, Math.max(remote.size(), done), ""));
                headers.complete(sink);
                return HttpResponse.BodySubscribers.fromSubscriber(sink);
            } catch (IOException e) {
                headers.completeExceptionally(e);
                return HttpResponse.BodySubscribers.discarding();
            }
        };
        CompletableFuture<HttpResponse<Void>> response = http.sendAsync(b.build(), handler);
        response.whenComplete((r, e) -> {
            if (e != null) {
                headers.completeExceptionally(e);
            }
        });
        try {
            FileBodySink sink = headers.get();
            if (sink == null) {
                throw new LoupeException(url + ": HTTP " + response.get().statusCode());
            }
            sink.await(stall);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException(url + ": interrupted");
        }
    }

    private static List<String> shards(Path index) throws LoupeException {
        try {
            JsonNode map = JSON.readTree(JsonLimits.check(index, JsonLimits.CONFIG).toFile()).get("weight_map");
            if (map == null || !map.isObject()) {
                throw new LoupeException(index + ": expected an object field 'weight_map'");
            }
            TreeSet<String> files = new TreeSet<>();
            map.forEach(v -> files.add(v.asText()));
            for (String f : files) {
                if (f.contains("..") || f.startsWith("/")) {
                    throw new LoupeException(index + ": shard name '" + f + "' leaves the repository");
                }
            }
            return new ArrayList<>(files);
        } catch (IOException e) {
            throw new LoupeException(index + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                .header("User-Agent", "loupe");
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String url) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            throw new LoupeException(url + ": cannot reach the hub (" + e.getMessage() + "); set HF_HUB_OFFLINE=1 "
                    + "to use only the local cache");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException(url + ": interrupted");
        }
    }

    private String url(HubModel model, String revision, String file) {
        return endpoint + "/" + model.repo() + "/resolve/" + URLEncoder.encode(revision, StandardCharsets.UTF_8) + "/" + file;
    }

    private static void writeAtomically(Path file, String text) {
        try {
            dev.loupe.io.AtomicFiles.write(file, tmp -> Files.writeString(tmp, text));
        } catch (java.io.UncheckedIOException e) {
            throw new LoupeException(e.getMessage());
        }
    }
}
