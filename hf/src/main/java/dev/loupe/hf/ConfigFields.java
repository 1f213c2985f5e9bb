package dev.loupe.hf;

import java.util.Map;
import java.util.Set;

/**
 * The {@code config.json} fields every family shares that never change the forward pass of a float32 causal LM
 * (token ids, generation defaults, dropout, bookkeeping), and the shared fields that would, with the only value
 * Loupe computes. Everything else an adapter must read, list as harmless, or refuse.
 */
public final class ConfigFields {
    private ConfigFields() {}

    /** Fields no adapter needs to read. */
    public static final Set<String> HARMLESS = Set.of(
            "architectures", "model_type", "transformers_version", "torch_dtype", "dtype", "_name_or_path",
            "use_cache", "initializer_range", "init_std", "bos_token_id", "eos_token_id", "pad_token_id",
            "sep_token_id", "decoder_start_token_id", "unk_token_id", "attention_dropout", "hidden_dropout",
            "embd_pdrop", "attn_pdrop", "resid_pdrop", "embed_dropout", "resid_dropout", "dropout",
            "activation_dropout", "classifier_dropout", "summary_first_dropout", "layerdrop", "output_attentions",
            "output_hidden_states", "return_dict", "torchscript", "use_bfloat16", "tf_legacy_loss",
            "chunk_size_feed_forward", "tie_encoder_decoder", "max_length", "min_length", "do_sample",
            "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p",
            "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
            "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
            "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
            "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "finetuning_task",
            "id2label", "label2id", "tokenizer_class", "prefix", "task_specific_params", "problem_type",
            "attn_implementation", "_attn_implementation", "_attn_implementation_autoset", "gradient_checkpointing",
            "auto_map", "pretraining_tp", "cross_attention_hidden_size", "use_return_dict", "is_decoder",
            "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels",
            "_commit_hash", "custom_pipelines", "keys_to_ignore_at_inference", "output_router_logits",
            "max_position_embeddings_original");

    /** Shared fields that change the forward, with the one value Loupe computes (absent or null also passes). */
    public static final Map<String, Object> FIXED = Map.of(
            "is_encoder_decoder", false,
            "add_cross_attention", false,
            "pruned_heads", Map.of(),
            "quantization_config", "none",
            "use_bidirectional_attention", false);
}
