#!/usr/bin/env python
"""Loupe's own HF-transformers fixtures (testdata/loupe-families/<case>/): the variants real checkpoints use that
the shared set does not cover. Made by golden/make_families.py's procedure, UNCHANGED (random init, every parameter
randomised, reference = from_pretrained on the saved folder, float32, eager; the same files and hooks); only its
CASES are replaced by the ones below. A fixture-making tool, never a build, test or runtime dependency.
Usage: make_loupe_families.py OUTDIR   (torch and transformers from the local wheel mirror)
"""
import os, sys

V = 384
L = dict(vocab_size=V, hidden_size=48, intermediate_size=112, num_hidden_layers=3, num_attention_heads=4,
         num_key_value_heads=2, head_dim=12, max_position_embeddings=64, bos_token_id=1, eos_token_id=2)
LOUPE_CASES = {
  # Gemma 3 4B+: linear rope scaling on global layers only, its own base per layer type, explicit layer_types.
  "gemma3-linear-rope": ("gemma3_text", dict(L, sliding_window=8, query_pre_attn_scalar=20, pad_token_id=0,
                          layer_types=["sliding_attention", "full_attention", "sliding_attention"],
                          rope_parameters=dict(full_attention=dict(rope_type="linear", factor=8.0, rope_theta=1e6),
                                               sliding_attention=dict(rope_type="default", rope_theta=1e4)))),
  # Llama 3.2 1B/3B: tied embeddings, llama3 rope at base 500000, head_dim not d_model / heads.
  "llama32-tied": ("llama", dict(L, head_dim=16, tie_word_embeddings=True, max_position_embeddings=256,
                    rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=32.0, low_freq_factor=1.0,
                                         high_freq_factor=4.0, original_max_position_embeddings=16))),
  # Mistral Nemo: head_dim larger than d_model / heads.
  "mistral-head-dim": ("mistral", dict(L, head_dim=16)),
  "qwen3-sliding": ("qwen3", dict(L, use_sliding_window=True, sliding_window=8, max_window_layers=1)),
  "phi3-sliding": ("phi3", dict(L, head_dim=None, num_hidden_layers=2, sliding_window=8, pad_token_id=0)),
  "opt-no-bias": ("opt", dict(vocab_size=V, hidden_size=48, num_attention_heads=4, num_hidden_layers=2, ffn_dim=112,
                   enable_bias=False, word_embed_proj_dim=48, max_position_embeddings=64, bos_token_id=2,
                   eos_token_id=2, pad_token_id=1)),
  "neox-sequential": ("gpt_neox", dict(vocab_size=V, hidden_size=48, num_attention_heads=4, num_hidden_layers=2,
                       intermediate_size=112, max_position_embeddings=64, rotary_pct=1.0, use_parallel_residual=False,
                       bos_token_id=0, eos_token_id=0)),
  "gpt2-relu-n-inner": ("gpt2", dict(vocab_size=V, n_positions=64, n_embd=48, n_head=4, n_layer=2, n_inner=80,
                         activation_function="relu", bos_token_id=0, eos_token_id=0)),
  "gptj-full-rotary": ("gptj", dict(vocab_size=V, n_embd=48, n_layer=2, n_head=4, rotary_dim=12, n_positions=64,
                        bos_token_id=0, eos_token_id=0)),
}

source = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "make_families.py")).read()
start = source.index("CASES = {")
end = source.index("\n}\n", start) + 3
exec(compile(source[:start] + "CASES = LOUPE_CASES\n" + source[end:], "make_families.py", "exec"),
     dict(__name__="__main__", LOUPE_CASES=LOUPE_CASES))
