"""Peer measurement for `loupe bench --generate` (a measuring tool, never a dependency of Loupe).

HF transformers `generate` on a random GPT-2-small-shaped model (GPT2Config's defaults: 12 layers, d_model 768,
vocabulary 50,257), greedy, 16-token prompts, 32 new tokens, with and without its KV cache; median of N runs
after one warm-up, torch on the same number of threads as the machine has cores.

    python -m venv /tmp/peer && /tmp/peer/bin/pip install torch transformers   # the machine's wheel mirror
    /tmp/peer/bin/python scripts/peer/hf_generate_bench.py --batches 1,8 --iterations 5
"""
import argparse
import os
import statistics
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--prompt-tokens", type=int, default=16)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--batches", default="1,8")
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = GPT2LMHeadModel(GPT2Config()).eval()
    print(f"torch {torch.__version__}, threads {a.threads}; greedy, {a.prompt_tokens}-token prompts, "
          f"{a.new_tokens} new tokens, median of {a.iterations}")
    print("batch  path      prefill ms  total ms  decode tok/s")
    for batch in [int(b) for b in a.batches.split(",")]:
        ids = torch.randint(0, model.config.vocab_size, (batch, a.prompt_tokens))
        mask = torch.ones_like(ids)
        for cache in (True, False):
            def run(n):
                start = time.perf_counter()
                with torch.inference_mode():
                    out = model.generate(ids, attention_mask=mask, max_new_tokens=n, min_new_tokens=n,
                                         do_sample=False, use_cache=cache, pad_token_id=0)
                assert out.shape[1] == a.prompt_tokens + n
                return (time.perf_counter() - start) * 1000
            run(a.new_tokens)
            prefill = statistics.median(run(1) for _ in range(a.iterations))
            total = statistics.median(run(a.new_tokens) for _ in range(a.iterations))
            decode = batch * (a.new_tokens - 1) / ((total - prefill) / 1000)
            print(f"{batch:<6} {'kv-cache' if cache else 'rerun':<9} {prefill:<11.1f} {total:<9.1f} {decode:.1f}")


if __name__ == "__main__":
    main()
