package dev.loupe.api.generation;

import dev.loupe.api.HookPoint;
import dev.loupe.api.HookSite;
import dev.loupe.api.Model;
import dev.loupe.api.RunResult;
import dev.loupe.api.Tensor;
import dev.loupe.api.spi.DecodeSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Generation on an engine's {@link DecodeSession}: the prompt once, then one position per step. */
final class CachedSteps implements Steps {
    private final GenerationRequest request;
    private final DecodeSession session;
    private final Map<HookPoint, List<Tensor>> pieces = new LinkedHashMap<>();
    private int length;
    private Map<HookPoint, Tensor> added = Map.of();

    CachedSteps(Model model, GenerationRequest request) {
        this.request = request;
        this.session = model.decoder();
        request.cache().forEach(h -> pieces.put(h, new ArrayList<>()));
    }

    @Override
    public Tensor first() {
        length = request.promptLength();
        return keep(session.prefill(request.prompts(), Steps.at(request.interventions(), length, 0, length),
                request.cache())).logits();
    }

    @Override
    public Tensor next(int[] tokens) {
        RunResult r = session.step(tokens, Steps.at(request.interventions(), request.promptLength(), length,
                length + 1), request.cache());
        length++;
        return keep(r).logits();
    }

    @Override
    public Map<HookPoint, Tensor> added() {
        return added;
    }

    @Override
    public Map<HookPoint, Tensor> trajectory() {
        Map<HookPoint, Tensor> out = new LinkedHashMap<>();
        pieces.forEach((hook, parts) -> out.put(hook, join(hook, parts, length)));
        return out;
    }

    private RunResult keep(RunResult r) {
        Map<HookPoint, Tensor> now = new LinkedHashMap<>();
        pieces.forEach((hook, parts) -> {
            parts.add(r.activation(hook));
            now.put(hook, r.activation(hook));
        });
        added = now;
        return r;
    }

    /**
     * The pieces joined along the hook's position axis; attention scores and patterns also get the keys each piece
     * could not see yet, as a full forward has them (−∞ scores, 0 pattern).
     */
    static Tensor join(HookPoint hook, List<Tensor> parts, int length) {
        boolean attention = hook.site().shape() == HookSite.ActivationShape.PATTERN;
        float fill = hook.site() == HookSite.ATTN_SCORES ? Float.NEGATIVE_INFINITY : 0f;
        int axis = hook.site().shape().positionAxis();
        int[] shape = parts.get(0).shape().clone();
        shape[axis] = parts.stream().mapToInt(t -> t.size(axis)).sum();
        if (attention) {
            shape[shape.length - 1] = length;
        }
        float[] out = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        int inner = out.length / outer / shape[axis]; // values per position in the output
        int offset = 0;
        for (Tensor part : parts) {
            int positions = part.size(axis);
            int partInner = part.numel() / outer / positions;
            java.nio.FloatBuffer src = part.buffer();
            for (int o = 0; o < outer; o++) {
                for (int p = 0; p < positions; p++) {
                    int dst = (o * shape[axis] + offset + p) * inner;
                    int from = (o * positions + p) * partInner;
                    for (int k = 0; k < inner; k++) {
                        out[dst + k] = k < partInner ? src.get(from + k) : fill;
                    }
                }
            }
            offset += positions;
        }
        return Tensor.of(out, shape);
    }

    @Override
    public void close() {
        session.close();
    }
}
