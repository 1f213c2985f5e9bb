package dev.loupe.engine.onnx;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A running model's weights, written once as {@link ExternalData} into a private temporary folder; every graph of
 * the model refers to them and is itself written beside them, so ONNX Runtime reads the weights straight from the file and no graph is ever larger than its nodes (nor bound by
 * protobuf's 2 GB limit). The folder is deleted on {@link #close}, or at JVM exit.
 */
final class ExternalWeights implements AutoCloseable {
    static final String DATA_FILE = "weights.bin";

    private final Path dir;
    private final Thread deleteAtExit = new Thread(this::delete, "loupe-onnx-weights-cleanup");
    private final Map<String, Long> offsets = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private int graphs;

    private ExternalWeights(Path dir) {
        this.dir = dir;
    }

    static ExternalWeights write(Map<String, Tensor> weights) {
        Path dir;
        try {
            dir = Files.createTempDirectory("loupe-onnx-");
        } catch (IOException e) {
            throw new LoupeException("cannot create a temporary folder for ONNX weights: " + e.getMessage());
        }
        ExternalWeights out = new ExternalWeights(dir);
        Runtime.getRuntime().addShutdownHook(out.deleteAtExit);
        try {
            out.offsets.putAll(ExternalData.write(weights, dir.resolve(DATA_FILE)));
        } catch (IOException e) {
            out.close();
            throw new LoupeException("cannot write ONNX weights to " + dir + ": " + e.getMessage());
        }
        weights.forEach((name, t) -> out.shapes.put(name, t.shape()));
        return out;
    }

    /** Declares every weight as an initializer of {@code g} that points into the data file. */
    void declare(GraphBuilder g) {
        offsets.forEach((name, offset) -> g.externalInitializer(name, shapes.get(name), DATA_FILE, offset));
    }

    /** Writes {@code model} beside the data file (where its external references resolve) and returns its path. */
    synchronized Path place(byte[] model) {
        Path file = dir.resolve("graph-" + graphs++ + ".onnx");
        try {
            Files.write(file, model);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** Deletes the folder now; a model left unclosed has it deleted when the JVM exits. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(deleteAtExit);
        } catch (IllegalStateException shuttingDown) {
            return;
        }
        delete();
    }

    private void delete() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
