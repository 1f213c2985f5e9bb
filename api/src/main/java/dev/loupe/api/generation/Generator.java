package dev.loupe.api.generation;

import dev.loupe.api.Capability;
import dev.loupe.api.HookPoint;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Model;
import dev.loupe.api.Tensor;
import dev.loupe.api.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Text generation on any engine, as Hugging Face's {@code generate} and TransformerLens's {@code generate} do it:
 * left-padded batches with per-sequence stopping, greedy or seeded sampling ({@link Sampling}), stop tokens and
 * stop strings, streaming through a {@link TokenListener}, interventions at every step, and the trajectory's
 * activations on request. Engines with {@link Capability#KV_CACHE} run the prompt once and then one position per
 * step; others (or {@code kvCache(false)}) rerun the whole sequence, which the cached path equals.
 */
public final class Generator {
    private Generator() {}

    public static GenerationResult generate(Model model, GenerationRequest request) {
        return generate(model, request, TokenListener.NONE);
    }

    public static GenerationResult generate(Model model, GenerationRequest request, TokenListener listener) {
        int batch = request.prompts().size();
        int promptLength = request.promptLength();
        int nCtx = model.spec().nCtx();
        if (promptLength >= nCtx) {
            throw new LoupeException("a prompt of " + promptLength + " tokens fills the model's context of " + nCtx
                    + " (n_ctx): nothing can be generated");
        }
        Tokenizer tokenizer = model.tokenizer();
        boolean hasTokenizer = tokenizer != Tokenizer.missing();
        if (!request.stopStrings().isEmpty() && !hasTokenizer) {
            throw new LoupeException("stop strings need the model's tokenizer, and this model has none");
        }
        int choices = hasTokenizer ? Math.min(model.spec().dVocab(), tokenizer.vocabSize()) : model.spec().dVocab();
        int budget = Math.min(request.maxTokens(), nCtx - promptLength);
        boolean cached = request.kvCache() && model.capabilities().contains(Capability.KV_CACHE);
        List<int[]> generated = new ArrayList<>();
        Sampler[] samplers = new Sampler[batch];
        GenerationResult.Finish[] finish = new GenerationResult.Finish[batch];
        for (int i = 0; i < batch; i++) {
            generated.add(new int[0]);
            samplers[i] = new Sampler(request.sampling(), i);
        }
        Map<HookPoint, Tensor> trajectory = Map.of();
        List<Tensor> kept = new ArrayList<>();
        int steps = 0;
        try (Steps decoding = cached ? new CachedSteps(model, request) : new FullSteps(model, request)) {
            Tensor logits = decoding.first();
            boolean hooks = !request.cache().isEmpty();
            boolean perPass = hooks && listener != TokenListener.NONE;
            if (perPass) {
                listener.onActivations(0, decoding.added());
            }
            int[] chosen = new int[batch];
            while (steps < budget) {
                if (request.keepLogits()) {
                    kept.add(logits);
                }
                for (int i = 0; i < batch; i++) {
                    int[] mine = generated.get(i);
                    if (finish[i] != null) {
                        chosen[i] = mine[mine.length - 1]; // a filler: the stopped sequence's last token
                        continue;
                    }
                    int[] prompt = request.prompts().get(i);
                    int[] context = concat(prompt, mine);
                    chosen[i] = samplers[i].next(logits.select(i).toArray(), choices, context);
                    mine = Arrays.copyOf(mine, mine.length + 1);
                    mine[mine.length - 1] = chosen[i];
                    generated.set(i, mine);
                    listener.onToken(i, chosen[i]);
                    finish[i] = stopped(request, chosen[i], prompt, mine, tokenizer, hasTokenizer);
                }
                steps++;
                if (steps == budget || Arrays.stream(finish).allMatch(java.util.Objects::nonNull)) {
                    break;
                }
                logits = decoding.next(chosen);
                if (perPass) {
                    listener.onActivations(steps, decoding.added());
                }
            }
            if (hooks) {
                decoding.next(chosen); // the last token's own activations
                if (perPass) {
                    listener.onActivations(steps, decoding.added());
                }
                trajectory = decoding.trajectory();
            }
        }
        List<GenerationResult.Completion> completions = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            GenerationResult.Finish f = finish[i] != null ? finish[i]
                    : budget < request.maxTokens() ? GenerationResult.Finish.CONTEXT : GenerationResult.Finish.MAX_TOKENS;
            int[] tokens = generated.get(i);
            String text = hasTokenizer ? tokenizer.decodeContinuation(request.prompts().get(i), tokens) : "";
            completions.add(new GenerationResult.Completion(tokens, text, f));
        }
        return new GenerationResult(completions, trajectory, steps, kept);
    }

    private static GenerationResult.Finish stopped(GenerationRequest r, int token, int[] prompt, int[] tokens,
                                                   Tokenizer tokenizer, boolean hasTokenizer) {
        if (r.stopIds().contains(token)) {
            return GenerationResult.Finish.STOP_TOKEN;
        }
        if (!r.stopStrings().isEmpty() && hasTokenizer) {
            String text = tokenizer.decodeContinuation(prompt, tokens);
            if (r.stopStrings().stream().anyMatch(text::contains)) {
                return GenerationResult.Finish.STOP_STRING;
            }
        }
        return null;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
