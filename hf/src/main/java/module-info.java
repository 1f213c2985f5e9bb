/**
 * Reads Hugging Face checkpoints for every engine: config.json → ModelSpec, safetensors (single or sharded) →
 * TransformerLens-named weights through one small declarative adapter per architecture family, and
 * tokenizer.json through DJL's tokenizers.
 */
module dev.loupe.hf {
    requires transitive dev.loupe.api;
    requires transitive dev.loupe.io;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;
    requires ai.djl.tokenizers;
    requires ai.djl.api;
    requires java.net.http;

    exports dev.loupe.hf;
    exports dev.loupe.hf.arch;
    exports dev.loupe.hf.hub;

    uses dev.loupe.hf.ArchitectureAdapter;

    provides dev.loupe.hf.ArchitectureAdapter with
            dev.loupe.hf.arch.Gpt2Adapter,
            dev.loupe.hf.arch.NeoXAdapter,
            dev.loupe.hf.arch.LlamaAdapter,
            dev.loupe.hf.arch.Qwen3Adapter,
            dev.loupe.hf.arch.GemmaAdapter,
            dev.loupe.hf.arch.Olmo2Adapter,
            dev.loupe.hf.arch.Phi3Adapter,
            dev.loupe.hf.arch.PhiAdapter,
            dev.loupe.hf.arch.GptJAdapter,
            dev.loupe.hf.arch.GptNeoAdapter,
            dev.loupe.hf.arch.OptAdapter;
}
