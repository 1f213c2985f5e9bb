"""The peer side of `loupe bench --compare-peer`: HF transformers on PyTorch eager, timed case by case.

A measuring tool, never a dependency of Loupe. Loupe starts it (`python peer_server.py`), sends one JSON request a
line on stdin and reads one JSON reply a line on stdout; Loupe and the peer take turns, so both see the same load.
Requests:
  {"op": "load", "model": "gpt2-small" | DIR, "threads": N}  -> {"vocab": V, "layers": L, "torch": ..., "transformers": ...}
  {"op": "time", "case": C, "ids": [[...], ...], ...}          -> {"ms": wall-clock milliseconds of the case}
  {"op": "quit"}
Cases: "forward" (logits "all" or "last"), "resid" (every layer's residual stream: output_hidden_states),
"full" (hidden states and attention patterns: the most eager HF gives), "gradient" (d log p(target | last position)
/ d v for a zero vector v added to block `layer`'s input), "generate" (greedy, `new_tokens` with the KV cache),
"train" (no model: `steps` steps of a plain PyTorch transcoder loop, Loupe's SparseMlpTrainer rule without ghost
grads: ReLU encoder, MSE + l1 * L1, decoder gradient made orthogonal to its unit rows, Adam, rows renormalised, the
losses and firing counts read back every step).
"""
import json
import sys
import time

import torch
import transformers


def load(req):
    torch.set_num_threads(int(req["threads"]))
    torch.manual_seed(1)
    if req["model"] == "gpt2-small":
        config = transformers.GPT2Config(n_layer=int(req.get("layers", 12)))
        config._attn_implementation = "eager"
        model = transformers.GPT2LMHeadModel(config)
    else:
        model = transformers.AutoModelForCausalLM.from_pretrained(req["model"], attn_implementation="eager",
                                                                  torch_dtype=torch.float32)
    for p in model.parameters():  # gradients w.r.t. the added vector only, as Loupe computes them
        p.requires_grad_(False)
    return model.eval()


def train(req):
    g = torch.Generator().manual_seed(int(req.get("seed", 0)))
    d_in, d_out, d_sae, n = (int(req[k]) for k in ("d_in", "d_out", "d_sae", "batch"))
    x = torch.randn(n, d_in, generator=g)
    y = torch.randn(n, d_out, generator=g)
    w_enc = (torch.randn(d_in, d_sae, generator=g) / d_in ** 0.5).requires_grad_()
    w_dec = torch.nn.functional.normalize(torch.randn(d_sae, d_out, generator=g), dim=1).requires_grad_()
    b_enc, b_dec, b_out = (torch.zeros(k, requires_grad=True) for k in (d_sae, d_in, d_out))
    params = [w_enc, b_enc, w_dec, b_dec, b_out]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999))
    since_fired = torch.zeros(d_sae)
    start = time.perf_counter()
    for _ in range(int(req["steps"])):
        z = torch.relu((x - b_dec) @ w_enc + b_enc)
        out = z @ w_dec + b_out
        mse = (out - y).square().sum(1).mean()
        l1 = z.abs().sum(1).mean()
        opt.zero_grad()
        (mse + float(req["l1"]) * l1).backward()
        with torch.no_grad():
            w_dec.grad -= w_dec * (w_dec.grad * w_dec).sum(1, keepdim=True)
            opt.step()
            w_dec /= w_dec.norm(dim=1, keepdim=True) + 1e-12
            fired = (z > 0).float().sum(0)
            since_fired = torch.where(fired > 0, torch.zeros_like(since_fired), since_fired + 1)
        mse.item(), l1.item(), fired.sum().item()
    return (time.perf_counter() - start) * 1000


def case(model, req):
    kind = req["case"]
    if kind == "train":
        return train(req)
    ids = torch.tensor(req["ids"], dtype=torch.long)
    if kind == "gradient":
        block = model.base_model.h[req["layer"]] if hasattr(model.base_model, "h") else model.base_model.layers[req["layer"]]
        v = torch.zeros(model.config.hidden_size, requires_grad=True)
        def add(module, args, kwargs):
            if args:
                return (args[0] + v,) + tuple(args[1:]), kwargs
            return args, {**kwargs, "hidden_states": kwargs["hidden_states"] + v}
        handle = block.register_forward_pre_hook(add, with_kwargs=True)
        try:
            start = time.perf_counter()
            logits = model(ids, logits_to_keep=1).logits[:, -1]
            loss = torch.log_softmax(logits, -1)[:, req["target"]].sum()
            loss.backward()
            ms = (time.perf_counter() - start) * 1000
        finally:
            handle.remove()
        return ms
    with torch.inference_mode():
        start = time.perf_counter()
        if kind == "forward":
            model(ids, logits_to_keep=1 if req.get("logits") == "last" else 0)
        elif kind == "resid":
            model(ids, output_hidden_states=True)
        elif kind == "full":
            model(ids, output_hidden_states=True, output_attentions=True)
        elif kind == "generate":
            n = int(req["new_tokens"])
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, min_new_tokens=n,
                                 do_sample=False, use_cache=True, pad_token_id=0)
            assert out.shape[1] == ids.shape[1] + n
        else:
            raise ValueError(f"unknown case {kind!r}")
        return (time.perf_counter() - start) * 1000


def main():
    model = None
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] == "quit":
                break
            if req["op"] == "load":
                model = load(req)
                reply = {"vocab": model.config.vocab_size, "torch": torch.__version__,
                         "transformers": transformers.__version__}
            else:
                reply = {"ms": case(model, req)}
        except Exception as e:  # the bench prints it as one line
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
