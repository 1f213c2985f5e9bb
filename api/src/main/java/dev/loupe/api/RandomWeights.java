package dev.loupe.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GPT-2 style initial weights for a {@link ModelSpec}: matrices ~ N(0, std²), norm gains 1, biases 0, under
 * TransformerLens names. For benchmarks, tests and as the starting point of training.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static Map<String, Tensor> of(ModelSpec spec, long seed, double std) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : WeightNames.all(spec)) {
            int[] shape = WeightNames.shape(spec, name);
            boolean gain = name.endsWith(".w") && name.contains("ln");
            if (spec.norm() == ModelSpec.NormKind.RMS_NORM && name.endsWith(".b") && name.contains("ln")) {
                continue;
            }
            float[] data = new float[Math.toIntExact(Tensor.numel(shape))];
            if (gain) {
                java.util.Arrays.fill(data, 1f);
            } else if (!WeightNames.isBias(name)) {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (gaussian(rnd) * std);
                }
            }
            out.put(name, Tensor.adopt(data, shape));
        }
        return out;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
