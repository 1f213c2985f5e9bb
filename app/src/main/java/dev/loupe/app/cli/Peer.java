package dev.loupe.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.api.LoupeException;
import dev.loupe.json.LoupeJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The measuring peer of {@code loupe bench --compare-peer}: HF transformers on PyTorch eager in a Python process
 * ({@code peer_server.py}, shipped in this jar), one JSON request and reply a line. A measuring tool only: Loupe
 * never needs Python to build, test or run.
 */
final class Peer implements AutoCloseable {
    private static final ObjectMapper JSON = LoupeJson.mapper();
    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final Path script;

    private Peer(Process process, Path script) {
        this.process = process;
        this.script = script;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code python} on the peer script; a one-line error when it cannot import torch and transformers. */
    static Peer start(String python) {
        try {
            Path script = Files.createTempFile("loupe-peer-", ".py");
            try (InputStream s = Peer.class.getResourceAsStream("peer_server.py")) {
                Files.write(script, s.readAllBytes());
            }
            Process p = new ProcessBuilder(python, script.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new Peer(p, script);
        } catch (IOException e) {
            throw new LoupeException("--python " + python + ": cannot start it (" + e.getMessage() + ")");
        }
    }

    /** Loads the peer's model: {@code gpt2-small} (random, {@code layers} deep) or an HF checkpoint folder. */
    JsonNode load(String model, int layers, int threads) {
        return call(Map.of("op", "load", "model", model, "layers", layers, "threads", threads));
    }

    /** Milliseconds the peer took for one run of {@code request}'s case, timed inside the peer. */
    double time(Map<String, Object> request) {
        return call(request).get("ms").asDouble();
    }

    private JsonNode call(Map<String, Object> request) {
        try {
            in.println(JSON.writeValueAsString(request));
            String line = out.readLine();
            if (line == null) {
                throw new LoupeException("the peer exited: run the python given to --python with "
                        + "'import torch, transformers' to see why (pip install torch transformers)");
            }
            JsonNode reply = JSON.readTree(line);
            if (reply.has("error")) {
                throw new LoupeException("the peer failed on " + request.get("op") + " " + request.getOrDefault(
                        "case", request.get("model")) + ": " + reply.get("error").asText());
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        in.println("{\"op\": \"quit\"}");
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            Files.deleteIfExists(script);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // a temp file the OS cleans up
        } finally {
            process.destroy();
        }
    }
}
