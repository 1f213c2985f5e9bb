package dev.loupe.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * Which model an artifact (a steering vector, a transcoder, a harvest) was made on. {@code shapes} hashes the
 * architecture and every weight's name and shape: a different value means another kind of model, on which the
 * artifact is refused unless forced. {@code weights} hashes 4,096 evenly spaced values of every weight as well: a
 * different value with the same shapes means other weights of the same kind (a fine-tune, another seed, shuffled
 * weights), which is warned about. Reading a sample, not every value, keeps it fast on billions of parameters.
 *
 * @param shapes  hex SHA-256 of architecture, widths and weight names and shapes
 * @param weights hex SHA-256 of that and the sampled values
 */
public record ModelFingerprint(String shapes, String weights) {
    private static final int SAMPLES = 4096;

    /** The fingerprint of a loaded model (its weights as TransformerLens names them). */
    public static ModelFingerprint of(Model model) {
        MessageDigest shapes = sha256();
        ModelSpec s = model.spec();
        update(shapes, s.architecture() + "|" + s.nLayers() + "|" + s.dModel() + "|" + s.nHeads() + "|" + s.dVocab()
                + "|" + s.nCtx());
        Weights w = model.weights();
        TreeSet<String> names = new TreeSet<>(w.names());
        for (String name : names) {
            update(shapes, name + java.util.Arrays.toString(w.get(name).shape()));
        }
        byte[] shapeHash = shapes.digest();
        MessageDigest values = sha256();
        values.update(shapeHash);
        ByteBuffer chunk = ByteBuffer.allocate(4 * SAMPLES).order(ByteOrder.LITTLE_ENDIAN);
        for (String name : names) {
            FloatBuffer data = w.get(name).buffer();
            int n = data.remaining();
            long step = Math.max(1, n / SAMPLES);
            chunk.clear();
            for (long i = 0; i < n && chunk.remaining() >= 4; i += step) {
                chunk.putFloat(data.get(data.position() + (int) i));
            }
            values.update(chunk.array(), 0, chunk.position());
        }
        HexFormat hex = HexFormat.of();
        return new ModelFingerprint(hex.formatHex(shapeHash), hex.formatHex(values.digest()));
    }

    /** How {@code other} (the model an artifact is applied to) relates to this one (the model it was made on). */
    public Match compare(ModelFingerprint other) {
        if (!shapes.equals(other.shapes)) {
            return Match.OTHER_SHAPES;
        }
        return weights.equals(other.weights) ? Match.SAME : Match.OTHER_WEIGHTS;
    }

    /**
     * The check before an artifact made on this model is applied to {@code here}: the same model, nothing; other
     * weights of the same kind (same shapes), a warning; another kind of model, a one-line refusal naming
     * {@code artifact} unless {@code force} (then a warning).
     */
    public void checkAppliedTo(ModelFingerprint here, Object artifact, boolean force,
                               java.util.function.Consumer<String> warn) {
        switch (compare(here)) {
            case SAME -> { }
            case OTHER_WEIGHTS -> warn.accept(artifact + " was made on other weights of this kind of model (weights "
                    + "fingerprint " + brief(weights) + ", this model " + brief(here.weights) + "): what it does here "
                    + "may not be what it did there");
            case OTHER_SHAPES -> {
                String what = artifact + " was made on another kind of model (shapes fingerprint " + brief(shapes)
                        + ", this model " + brief(here.shapes) + ")";
                if (!force) {
                    throw new LoupeException(what + "; --force applies it anyway");
                }
                warn.accept(what + "; applied because of --force");
            }
        }
    }

    private static String brief(String hex) {
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** Same model, same kind of model with other weights, or another kind. */
    public enum Match { SAME, OTHER_WEIGHTS, OTHER_SHAPES }

    private static void update(MessageDigest d, String s) {
        d.update(s.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
