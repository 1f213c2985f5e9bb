package dev.loupe.app;

import static dev.loupe.app.CliTest.loupe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Tensor;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code transcoder convert}: Gemma Scope npz → SAELens folder, circuit-tracer set → SAELens folders and back. */
class TranscoderConvertTest {
    @TempDir
    Path tmp;

    private static Path fixtures() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("testdata/saelens-kinds"))) {
            dir = dir.getParent();
        }
        return dir.resolve("testdata/saelens-kinds");
    }

    private static void assertSame(Transcoder a, Transcoder b) {
        float[] x = new float[a.dIn()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(3 * i);
        }
        assertTrue(Tensor.vector(a.forward(x)).maxAbsDiff(Tensor.vector(b.forward(x))) < 1e-5);
        assertEquals(a.hookIn(), b.hookIn());
        assertEquals(a.hookOut(), b.hookOut());
    }

    @Test
    void gemmaScopeAndCircuitTracerConvert() throws Exception {
        Path npz = fixtures().resolve("gemma-scope-2b-pt-res/layer_1/width_32/average_l0_9/params.npz");
        CliTest.Result c = loupe("transcoder", "convert", "--in", npz.toString(), "--out", tmp.resolve("g").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(Files.readString(tmp.resolve("g/cfg.json")).contains("\"architecture\" : \"jumprelu\""));
        assertSame(TranscoderFile.read(npz), TranscoderFile.read(tmp.resolve("g")));

        Path yaml = fixtures().resolve("circuit-tracer/config.yaml");
        c = loupe("transcoder", "convert", "--in", yaml.toString(), "--out", tmp.resolve("s").toString());
        assertEquals(0, c.code(), c.err());
        List<Transcoder> set = TranscoderFile.readAll(yaml);
        assertSame(set.get(1), TranscoderFile.read(tmp.resolve("s/layer_1")));
        assertTrue(Files.readString(tmp.resolve("s/layer_1/cfg.json")).contains("\"skip_transcoder\""));
        c = loupe("transcoder", "convert", "--in", yaml.toString(), "--to", "circuit_tracer", "--model-name", "gpt2",
                "--out", tmp.resolve("ct").toString());
        assertEquals(0, c.code(), c.err());
        assertSame(set.get(0), TranscoderFile.readAll(tmp.resolve("ct/config.yaml")).get(0));

        CliTest.Result bad = loupe("transcoder", "convert", "--in", tmp.resolve("missing").toString(), "--out",
                tmp.resolve("x").toString());
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(Files.notExists(tmp.resolve("x")));
    }
}
