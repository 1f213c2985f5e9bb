package dev.loupe.app.kill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.app.kill.KillTarget.Writer;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.io.SafetensorsFile;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.toymodel.EmbeddedModel;
import dev.loupe.vectors.SteeringVectorFile;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's kill test: each artifact writer runs in a JVM of its own and is SIGKILLed at a random moment, 20 times
 * ({@code -Dloupe.kill.rounds}); after each kill the artifact must be the last complete version or the one being
 * written, read by Loupe's own reader, and after the next write nothing but the artifact's files may remain.
 */
class KillTest {
    private static final int ROUNDS = Integer.getInteger("loupe.kill.rounds", 20);
    private static final long SEED = Long.getLong("loupe.kill.seed", 20261203);
    private static Model djl;
    private static Model onnx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        djl = Plugins.discover().engine("djl").load(ModelSource.directory(EmbeddedModel.directory()));
        onnx = Plugins.discover().engine("onnx").load(ModelSource.directory(EmbeddedModel.directory()));
    }

    @AfterAll
    static void close() {
        djl.close();
        onnx.close();
    }

    @Test
    void aKilledSteeringWriteLeavesTheOldVectorOrTheNew() throws Exception {
        killRepeatedly(Writer.STEERING, (dir, last) -> {
            Tensor v = SteeringVectorFile.readVector(dir.resolve("v"));
            int k = (int) v.get(0);
            assertEquals(KillTarget.vector(k), v, "one version throughout");
            assertVersion(last, k);
        }, dir -> Set.of("v.json", "v.safetensors"));
    }

    @Test
    void aKilledTranscoderWriteLeavesTheOldPairOrTheNew() throws Exception {
        killRepeatedly(Writer.TRANSCODER_FILE, (dir, last) -> {
            Transcoder t = TranscoderFile.read(dir.resolve("tc"));
            int k = (int) t.bDecOut().get(0);
            assertEquals(KillTarget.transcoder(k).saeLensForm(), t, "one version throughout");
            assertVersion(last, k);
        }, dir -> Set.of("tc/cfg.json", "tc/sae_weights.safetensors"));
    }

    @Test
    void aKilledTrainingLeavesTheOldTranscoderOrTheNew() throws Exception {
        Path acts = tmp.resolve(Writer.TRAINING.name()).resolve("acts");
        ActivationHarvest.run(onnx, 1, dev.loupe.eval.toy.Windows.toyWorld(onnx, 0), 600, 200, acts, Progress.NONE);
        killRepeatedly(Writer.TRAINING, (dir, last) -> {
            TranscoderFile.read(dir.resolve("tc"));
            try (SafetensorsFile checkpoint = SafetensorsFile.open(dir.resolve("tc").resolve("checkpoint.safetensors"))) {
                String seed = checkpoint.metadata().get("config").replaceAll(".*/", "");
                assertVersion(last, Integer.parseInt(seed));
            }
        }, dir -> {
            Set<String> names = harvestFiles(dir);
            names.addAll(Set.of("tc/cfg.json", "tc/sae_weights.safetensors", "tc/checkpoint.safetensors"));
            return names;
        });
    }

    @Test
    void aKilledHarvestLeavesTheOldHarvestOrTheNew() throws Exception {
        killRepeatedly(Writer.HARVEST, (dir, last) -> {
            ActivationHarvest h = ActivationHarvest.open(dir.resolve("acts"));
            long rows = 0;
            for (String shard : h.shards()) {
                try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("acts").resolve(shard))) {
                    rows += f.tensor("x").shape()[0];
                }
            }
            assertEquals(h.tokens(), rows, "the manifest's shards hold its rows");
            assertVersion(last, (int) (h.tokens() - 400));
        }, KillTest::harvestFiles);
    }

    @Test
    void aKilledOnnxExportLeavesTheOldExportOrTheNew() throws Exception {
        int[] prompt = djl.tokenizer().encode("Alice gave Bob");
        Tensor expected = djl.run(RunRequest.of(prompt)).logits();
        killRepeatedly(Writer.ONNX_EXPORT, (dir, last) -> {
            try (Model m = Plugins.discover().engine("onnx").load(ModelSource.directory(dir.resolve("model.onnx")))) {
                assertTrue(expected.maxAbsDiff(m.run(RunRequest.of(prompt)).logits()) < 1e-4,
                        "the export computes the model");
            }
        }, dir -> Set.of("model.onnx", dataFileNamedBy(dir.resolve("model.onnx"))));
    }

    /** What an artifact must be after a kill, given the last version the writer said it committed. */
    private interface Check {
        void verify(Path dir, int lastCommitted) throws Exception;
    }

    /** The files (relative to the writer's folder) a completed write leaves. */
    private interface Expected {
        Set<String> files(Path dir) throws Exception;
    }

    private void killRepeatedly(Writer writer, Check check, Expected expected) throws Exception {
        Path dir = tmp.resolve(writer.name());
        Random random = new Random(SEED + writer.ordinal());
        int next = 1;
        java.util.Map<String, Integer> moments = new java.util.TreeMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            int last = killOnce(writer, dir, next, random.nextInt(400));
            moments.merge(moment(files(dir), expected, dir), 1, Integer::sum);
            check.verify(dir, last);
            KillTarget.write(writer, writer.engine == null ? null : writer.engine.equals("onnx") ? onnx : djl, dir,
                    last + 2);
            check.verify(dir, last + 2);
            assertEquals(new TreeSet<>(expected.files(dir)), files(dir), writer + " round " + round
                    + ": after the next write only the artifact remains");
            next = last + 3;
        }
        System.out.println("kill test " + writer + ": " + ROUNDS + " kills, seed " + SEED + ", found " + moments);
    }

    /** Where a write was when it was killed, told by the files it left. */
    private static String moment(Set<String> files, Expected expected, Path dir) throws Exception {
        if (files.stream().anyMatch(f -> f.endsWith(".commit") || f.endsWith(".loupe-commit"))) {
            return "journal written (rolled forward)";
        }
        if (files.stream().anyMatch(f -> f.endsWith(".tmp"))) {
            return "temporaries left";
        }
        return files.equals(new TreeSet<>(expected.files(dir))) ? "between writes" : "files beside the artifact";
    }

    /** Starts the writer at version {@code first}, kills it {@code delayMs} after its first commit; the last commit. */
    private static int killOnce(Writer writer, Path dir, int first, int delayMs) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaCommand(), "-Xmx1g", "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true", "-cp", classpath(), KillTarget.class.getName(), writer.name(), dir.toString(),
                String.valueOf(first)));
        Path log = Files.createTempFile("loupe-kill", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DJL_OFFLINE", "true");
            pb.environment().put("OPT_OUT_TRACKING", "true");
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastCommitted(log, first - 1) < first && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(p.isAlive() && lastCommitted(log, first - 1) >= first,
                    writer + " did not commit a first version:\n" + Files.readString(log));
            Thread.sleep(delayMs);
            p.destroyForcibly();
            p.waitFor();
            return lastCommitted(log, first - 1);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The last {@code committed N} line of the child's output (a file: what a killed process wrote stays there). */
    private static int lastCommitted(Path log, int none) throws IOException {
        int last = none;
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            if (line.matches("committed \\d+")) {
                last = Integer.parseInt(line.substring(10));
            }
        }
        return last;
    }

    private static void assertVersion(int lastCommitted, int found) {
        assertTrue(found == lastCommitted || found == lastCommitted + 1,
                "version " + found + " is neither the last committed (" + lastCommitted + ") nor the one being written");
    }

    private static Set<String> harvestFiles(Path dir) {
        Set<String> names = new TreeSet<>(Set.of("acts/manifest.json"));
        ActivationHarvest.open(dir.resolve("acts")).shards().forEach(s -> names.add("acts/" + s));
        return names;
    }

    /** The external-data file an ONNX graph names (its location strings are plain UTF-8 in the protobuf). */
    private static String dataFileNamedBy(Path onnx) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("model\\.onnx\\.[0-9a-f]+\\.data")
                .matcher(new String(Files.readAllBytes(onnx), StandardCharsets.ISO_8859_1));
        assertTrue(m.find(), onnx + " names no external data file");
        return m.group();
    }

    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    private static String classpath() {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return modules.isEmpty() ? classes : modules + File.pathSeparator + classes;
    }
}
