package dev.loupe.method.obsprop;

import dev.loupe.api.Tensor;
import java.util.List;
import java.util.Random;

/**
 * How far the √d·W⊙y rule strays from the exact LayerNorm gradient: the mean cosine and angle between the two
 * over a set of inputs. The paper's theorem bounds the mean angle for Gaussian inputs by √(π / 2d) radians (its
 * figures: 9° at d = 64, 4.5° at d = 256); the exact gradient differs from W⊙y by projecting out the input's
 * direction u, a random direction of a (d − 1)-sphere, and the mean, so the angle shrinks as 1/√d.
 *
 * @param meanCosine mean cosine between the exact gradient and the rule
 * @param meanAngleDegrees mean angle between them
 * @param boundDegrees the theorem's bound for this d, √(π / 2d) in degrees
 * @param samples inputs averaged over
 * @param dimension d
 */
public record LayerNormCheck(double meanCosine, double meanAngleDegrees, double boundDegrees, int samples,
                             int dimension) {

    public static LayerNormCheck over(List<float[]> inputs, Tensor gain, Tensor y) {
        Tensor rule = FeatureVectors.throughLayerNorm(y, gain);
        double cos = 0;
        double angle = 0;
        for (float[] x : inputs) {
            double c = Coupling.cosine(FeatureVectors.exactLayerNormGradient(x, gain, y), rule);
            cos += c / inputs.size();
            angle += Math.toDegrees(Math.acos(Math.min(1, c))) / inputs.size();
        }
        return new LayerNormCheck(cos, angle, bound(gain.numel()), inputs.size(), gain.numel());
    }

    /**
     * The same over standard Gaussian inputs and a standard Gaussian y with its mean removed: a mean component of y
     * is invisible to a LayerNorm (it centres its input), so the exact gradient never has one; unembeddings are
     * centred for the same reason. Left in, it alone tilts the rule by arcsin(√d·|mean(y)|/‖y‖), about 5° at
     * d = 128 for a typical draw.
     */
    public static LayerNormCheck gaussian(Tensor gain, int samples, long seed) {
        Random rnd = new Random(seed);
        int d = gain.numel();
        List<float[]> xs = new java.util.ArrayList<>();
        for (int i = 0; i < samples; i++) {
            xs.add(gaussian(rnd, d));
        }
        float[] y = gaussian(rnd, d);
        double mean = 0;
        for (float v : y) {
            mean += v / d;
        }
        for (int i = 0; i < d; i++) {
            y[i] -= (float) mean;
        }
        return over(xs, gain, Tensor.vector(y));
    }

    /** √(π / 2d) in degrees. */
    public static double bound(int d) {
        return Math.toDegrees(Math.sqrt(Math.PI / (2.0 * d)));
    }

    private static float[] gaussian(Random rnd, int d) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
