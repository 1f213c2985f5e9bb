package dev.loupe.app.kill;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.ModelSource;
import dev.loupe.api.spi.Plugins;
import dev.loupe.api.spi.Progress;
import dev.loupe.dictionary.InputConvention;
import dev.loupe.dictionary.Transcoder;
import dev.loupe.dictionary.TranscoderFile;
import dev.loupe.eval.toy.Windows;
import dev.loupe.method.transcoder.ActivationHarvest;
import dev.loupe.method.transcoder.TranscoderTraining;
import dev.loupe.toymodel.EmbeddedModel;
import dev.loupe.vectors.SteeringPlacement;
import dev.loupe.vectors.SteeringVectorFile;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One of Loupe's artifact writers, in a loop, in a JVM of its own, until {@link KillTest} kills it: version n of the
 * artifact is written, then {@code committed n} printed. Also the writes the test itself makes after a kill.
 */
public final class KillTarget {
    static final int D_VECTOR = 4096;
    /** {@code OnnxEngine.EXTERNAL_DATA_ABOVE}: 0 makes every export a graph file and an external-data file. */
    private static final String EXTERNAL_DATA_ABOVE = "loupe.onnx.external-data-above";

    private KillTarget() {}

    /** {@code writer dir first}: writes versions first, first + 1, … of {@code writer}'s artifact into {@code dir}. */
    public static void main(String[] args) throws Exception {
        Writer writer = Writer.valueOf(args[0]);
        Path dir = Path.of(args[1]);
        try (Model model = writer.engine == null ? null
                : Plugins.discover().engine(writer.engine).load(ModelSource.directory(EmbeddedModel.directory()))) {
            for (int n = Integer.parseInt(args[2]); ; n++) {
                write(writer, model, dir, n);
                System.out.println("committed " + n);
                System.out.flush();
            }
        }
    }

    /** The writers of issue 15, with the engine each needs (null: none). */
    enum Writer {
        STEERING(null), TRANSCODER_FILE(null), TRAINING("djl"), HARVEST("onnx"), ONNX_EXPORT("djl");

        final String engine;

        Writer(String engine) {
            this.engine = engine;
        }
    }

    static void write(Writer writer, Model model, Path dir, int n) {
        switch (writer) {
            case STEERING -> {
                Tensor v = vector(n);
                SteeringVectorFile.write(dir.resolve("v"), v,
                        SteeringVectorFile.Metadata.of("kill-test", SteeringPlacement.added(1), null, v, 0, n,
                                "version " + n));
            }
            case TRANSCODER_FILE -> TranscoderFile.write(dir.resolve("tc"), transcoder(n));
            case TRAINING -> TranscoderTraining.train(model, ActivationHarvest.open(dir.resolve("acts")),
                    new TranscoderTraining.Config(2, 1.0, 1e-3, 2, 12, 64, 256, 1000, false, 3, n),
                    dir.resolve("tc"), false, Progress.NONE);
            case HARVEST -> ActivationHarvest.run(model, 1, Windows.toyWorld(model, n), 400 + n, 100,
                    dir.resolve("acts"), Progress.NONE);
            case ONNX_EXPORT -> {
                System.setProperty(EXTERNAL_DATA_ABOVE, "0");
                try {
                    Plugins.discover().engine("onnx").export(model, dir.resolve("model.onnx"));
                } finally {
                    System.clearProperty(EXTERNAL_DATA_ABOVE);
                }
            }
        }
    }

    /** Version n of the steering vector: every entry n. */
    static Tensor vector(int n) {
        float[] v = new float[D_VECTOR];
        Arrays.fill(v, n);
        return Tensor.of(v, D_VECTOR);
    }

    /** Version n of a 64 → 1024 transcoder: every parameter n. */
    static Transcoder transcoder(int n) {
        int d = 64;
        int f = 1024;
        return new Transcoder(HookPoint.of(1, HookSite.LN2_OUT), HookPoint.of(1, HookSite.MLP_OUT),
                InputConvention.NORM_OUTPUT, filled(n, d, f), filled(n, f), filled(n, f, d), filled(n, d),
                filled(n, d));
    }

    private static Tensor filled(int n, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Arrays.fill(v, n);
        return Tensor.of(v, shape);
    }
}
