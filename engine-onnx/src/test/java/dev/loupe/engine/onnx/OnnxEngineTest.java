package dev.loupe.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.RunRequest;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.Intervention;
import dev.loupe.api.objective.GradientRequest;
import dev.loupe.api.spi.LoadOptions;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.engine.tck.GoldenFixtures;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What engine-onnx adds to the conformance kit: its file format, and what it refuses. */
class OnnxEngineTest {
    private final OnnxEngine engine = new OnnxEngine();

    @TempDir
    Path tmp;

    private Model golden(String name) {
        return engine.load(ModelSource.directory(GoldenFixtures.directory(name)));
    }

    @Test
    void anExportedFileLoadsBackWithTheSameWeightsAndLogits() throws Exception {
        Path file = tmp.resolve("llama.onnx");
        int[] ids = GoldenFixtures.ids("llama-tiny", 1);
        try (Model m = golden("llama-tiny")) {
            engine.export(m, file);
            try (Model back = engine.load(ModelSource.directory(file))) {
                assertEquals(m.spec(), back.spec());
                assertEquals(m.weights().names(), back.weights().names());
                for (String name : m.weights().names()) {
                    assertEquals(m.weights().get(name), back.weights().get(name), name);
                }
                assertEquals(m.run(RunRequest.of(ids)).logits(), back.run(RunRequest.of(ids)).logits());
            }
        }
    }

    @Test
    void largeModelsKeepTheirWeightsInADataFileBesideTheGraph() throws Exception {
        Path file = tmp.resolve("neox.onnx");
        int[] ids = GoldenFixtures.ids("neox-tiny", 2);
        try (Model m = golden("neox-tiny")) {
            Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
            m.weights().names().forEach(n -> weights.put(n, m.weights().get(n)));
            OnnxModelFile.write(m.spec(), weights, file, 0);
            assertTrue(Files.size(file) < 100_000, "graph only: " + Files.size(file) + " bytes");
            Path data = dataFile(tmp);
            assertTrue(Files.size(data) > 4 * 100_000);
            OnnxModelFile.write(m.spec(), weights, file, 0);
            assertTrue(!Files.exists(data), "a second export deletes the first one's data, once its graph is written");
            assertTrue(Files.size(dataFile(tmp)) > 4 * 100_000);
            Tensor expected = m.run(RunRequest.of(ids)).logits();
            try (Model back = engine.load(ModelSource.directory(file))) {
                for (String name : m.weights().names()) {
                    assertEquals(m.weights().get(name), back.weights().get(name), name);
                }
                assertEquals(expected, back.run(RunRequest.of(ids)).logits());
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
                assertTrue(session.getOutputNames().contains("blocks.1.hook_resid_post"));
            }
        }
    }

    @Test
    void everyHookPointIsAGraphOutputThatOnnxRuntimeReturnsDirectly() throws Exception {
        Path file = tmp.resolve("gpt2.onnx");
        int[] ids = GoldenFixtures.ids("gpt2-tiny", 1);
        HookPoint hook = HookPoint.of(1, dev.loupe.api.HookSite.ATTN_PATTERN);
        Tensor expected;
        try (Model m = golden("gpt2-tiny")) {
            engine.export(m, file);
            expected = m.run(RunRequest.of(ids).withCache(hook)).activation(hook);
            ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
            Set<String> outputs = proto.getGraph().getOutputList().stream().map(ValueInfoProto::getName)
                    .collect(Collectors.toSet());
            for (HookPoint h : m.spec().hookPoints()) {
                assertTrue(outputs.contains(h.name()), "output " + h.name());
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] positions = new long[ids.length];
        boolean[][][][] allowed = new boolean[1][1][ids.length][ids.length];
        for (int q = 0; q < ids.length; q++) {
            positions[q] = q;
            for (int k = 0; k <= q; k++) {
                allowed[0][0][q][k] = true;
            }
        }
        long[] shape = {1, ids.length};
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(java.util.Arrays.stream(ids)
                     .asLongStream().toArray()), shape);
             OnnxTensor posTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, allowed);
             OrtSession.Result r = session.run(Map.of(TransformerGraph.INPUT_IDS, idTensor,
                     TransformerGraph.POSITION_IDS, posTensor, TransformerGraph.ALLOWED, mask), Set.of(hook.name()))) {
            FloatBuffer got = ((OnnxTensor) r.get(hook.name()).orElseThrow()).getFloatBuffer();
            float[] data = new float[got.remaining()];
            got.get(data);
            assertEquals(expected, Tensor.of(data, expected.shape()));
        }
    }

    @Test
    void interventionDataIsFedNotBakedIntoTheGraph() {
        try (Model m = golden("gpt2-tiny")) {
            int[] ids = GoldenFixtures.ids("gpt2-tiny", 1);
            HookPoint at = HookPoint.residPre(1);
            float[] v = new float[64];
            v[3] = 1;
            RunResult once = m.run(RunRequest.of(ids).withCache(at)
                    .withInterventions(new Intervention.AddVector(at, Tensor.vector(v))));
            v[3] = 2;
            RunResult twice = m.run(RunRequest.of(ids).withCache(at)
                    .withInterventions(new Intervention.AddVector(at, Tensor.vector(v))));
            RunResult clean = m.run(RunRequest.of(ids).withCache(at));
            float base = clean.activation(at).get(0, 2, 3);
            assertEquals(base + 1, once.activation(at).get(0, 2, 3), 1e-6);
            assertEquals(base + 2, twice.activation(at).get(0, 2, 3), 1e-6);
        }
    }

    @Test
    void aRunWithoutLogitsOrCacheStillChecksItsInput() {
        try (Model m = golden("neox-tiny")) {
            int[] ids = GoldenFixtures.ids("neox-tiny", 1);
            RunResult r = m.run(RunRequest.of(ids).withLogits(RunRequest.LogitsMode.NONE));
            assertThrows(IllegalStateException.class, r::logits);
            assertThrows(LoupeException.class, () -> m.run(RunRequest.of(new int[] {1 << 20})
                    .withLogits(RunRequest.LogitsMode.NONE)));
        }
    }

    @Test
    void anOnnxFileNotWrittenByLoupeIsAOneLineErrorNamingIt() throws Exception {
        Path foreign = tmp.resolve("foreign.onnx");
        Files.write(foreign, new GraphBuilder("empty").model(Map.of()).toByteArray());
        LoupeException e = assertThrows(LoupeException.class, () -> engine.load(ModelSource.directory(foreign)));
        assertTrue(e.getMessage().contains("foreign.onnx") && e.getMessage().contains(OnnxModelFile.SPEC_KEY),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void whatNeedsCodeOrGradientsIsRefusedNamingTheEngineThatCan() {
        try (Model m = golden("gpt2-tiny")) {
            int[] ids = GoldenFixtures.ids("gpt2-tiny", 1);
            LoupeException custom = assertThrows(LoupeException.class, () -> m.run(RunRequest.of(ids)
                    .withInterventions(new Intervention.Custom(HookPoint.residPre(0), (h, x) -> x))));
            assertTrue(custom.getMessage().contains("'djl'") && custom.getMessage().contains("blocks.0.hook_resid_pre"),
                    custom.getMessage());
            UnsupportedOperationException grad = assertThrows(UnsupportedOperationException.class,
                    () -> m.gradients(new GradientRequest(RunRequest.of(ids), null, Set.of(), Set.of())));
            assertTrue(grad.getMessage().contains("djl"), grad.getMessage());
        }
        LoupeException cuda = assertThrows(LoupeException.class, () -> engine.load(
                ModelSource.directory(GoldenFixtures.directory("gpt2-tiny")), new LoadOptions("cuda")));
        assertTrue(cuda.getMessage().contains("djl"), cuda.getMessage());
    }

    /** The one external data file beside an export. */
    private static Path dataFile(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            java.util.List<Path> data = files.filter(p -> p.toString().endsWith(".data")).toList();
            assertEquals(1, data.size(), "data files: " + data);
            return data.get(0);
        }
    }
}
