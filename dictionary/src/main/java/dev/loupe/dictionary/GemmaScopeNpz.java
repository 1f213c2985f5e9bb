package dev.loupe.dictionary;

import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import dev.loupe.api.intervention.SparseActivation;
import dev.loupe.api.intervention.SpliceFunction;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Gemma Scope {@code params.npz} (JumpReLU: W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc, b_dec, threshold),
 * read as SAELens's Gemma Scope loaders read it: b_dec is the output bias only (apply_b_dec_to_input false), the
 * hook comes from the Hugging Face path ({@code gemma-scope-…-res/layer_L/…}: {@code blocks.L.hook_resid_post};
 * {@code -mlp}: {@code blocks.L.hook_mlp_out}; {@code -transcoders}: {@code blocks.L.ln2.hook_normalized} →
 * {@code blocks.L.hook_mlp_out}; an {@code embedding} folder: {@code hook_embed}, with W_enc / √d_in and
 * W_dec · √d_in as SAELens adjusts it). Attention ({@code -att}, hook_z) SAEs are refused.
 */
final class GemmaScopeNpz {
    static final String FILE = "params.npz";
    private static final Pattern REPO = Pattern.compile("gemma-scope-[^/]*?-(res|mlp|att|transcoders)(?:-[^/]*)?");
    private static final Pattern LAYER = Pattern.compile("(?:^|/)layer_(\\d+)(?:/|$)");

    private GemmaScopeNpz() {}

    static Transcoder read(Path file) {
        String path = file.toAbsolutePath().normalize().toString().replace('\\', '/');
        Matcher repo = REPO.matcher(path);
        String kind = null;
        while (repo.find()) {
            kind = repo.group(1);
        }
        if (kind == null) {
            throw new LoupeException(file + ": cannot tell which hook this Gemma Scope SAE reads (expected it under a "
                    + "folder named like its Hugging Face repository, e.g. gemma-scope-2b-pt-res/layer_12/width_16k/"
                    + "average_l0_82/params.npz)");
        }
        boolean embedding = path.contains("/embedding/");
        Matcher layer = LAYER.matcher(path);
        if (!embedding && !layer.find()) {
            throw new LoupeException(file + ": no layer_N folder in its path (expected e.g. layer_12/width_16k/...)");
        }
        int l = embedding ? 0 : Integer.parseInt(layer.group(1));
        HookPoint in;
        HookPoint out;
        switch (kind) {
            case "res" -> in = out = HookPoint.parse(embedding ? "hook_embed" : "blocks." + l + ".hook_resid_post");
            case "mlp" -> in = out = HookPoint.parse("blocks." + l + ".hook_mlp_out");
            case "transcoders" -> {
                in = HookPoint.parse("blocks." + l + ".ln2.hook_normalized");
                out = HookPoint.parse("blocks." + l + ".hook_mlp_out");
            }
            default -> throw new LoupeException(file + ": a Gemma Scope attention SAE (hook_z, one vector per head "
                    + "concatenated) is not implemented; residual, MLP and transcoder SAEs are");
        }
        Map<String, Tensor> arrays = NpzFile.read(file);
        Tensor wEnc = null;
        Tensor wDec = null;
        Tensor bEnc = null;
        Tensor bDec = null;
        Tensor threshold = null;
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            switch (e.getKey().toLowerCase(java.util.Locale.ROOT)) {
                case "w_enc" -> wEnc = e.getValue();
                case "w_dec" -> wDec = e.getValue();
                case "b_enc" -> bEnc = e.getValue();
                case "b_dec" -> bDec = e.getValue();
                case "threshold" -> threshold = e.getValue();
                default -> throw new LoupeException(file + ": array '" + e.getKey() + "' is not one a Gemma Scope "
                        + "JumpReLU SAE has (expected W_enc, W_dec, b_enc, b_dec, threshold)");
            }
        }
        if (wEnc == null || wEnc.rank() != 2) {
            throw new LoupeException(file + ": array 'W_enc' " + (wEnc == null ? "missing" : "has shape "
                    + Arrays.toString(wEnc.shape())) + " (expected [d_in, d_sae])");
        }
        int din = wEnc.size(0);
        int f = wEnc.size(1);
        require(file, "W_dec", wDec, f, din);
        require(file, "b_enc", bEnc, f);
        require(file, "b_dec", bDec, din);
        require(file, "threshold", threshold, f);
        if (embedding) {
            float root = (float) Math.sqrt(din);
            wEnc = wEnc.scale(1 / root);
            wDec = wDec.scale(root);
        }
        SpliceFunction.SparseMlp mlp = new SpliceFunction.SparseMlp(wEnc, bEnc, wDec, Tensor.zeros(din), bDec,
                new SparseActivation.JumpRelu(threshold), null, null);
        return new Transcoder(in, out, InputConvention.of(in), mlp);
    }

    private static void require(Path file, String name, Tensor t, int... shape) {
        if (t == null) {
            throw new LoupeException(file + ": array '" + name + "' missing");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new LoupeException(file + ": array '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
    }
}
