"""Writes SAE and transcoder folders in SAELens 6's on-disk layout (and one 5.x-style cfg, one Gemma Scope
params.npz) with the numbers SAELens computes on them, for Loupe's reader tests.

A tool, not a dependency: run with torch, safetensors and numpy installed (sae-lens itself is not needed).
Layout facts follow SAELens 6.18's code: SAE.save_model writes cfg.json = cfg.to_dict() (dataclass fields in order,
metadata, then architecture) and sae_weights.safetensors = state_dict; sparsity.safetensors holds "sparsity" (log10
feature density). The reference encode/decode below restates SAELens's StandardSAE, JumpReLUSAE, TopKSAE, GatedSAE,
Transcoder, SkipTranscoder and JumpReLUTranscoder (process_sae_in: run-time normalisation, then minus b_dec when
apply_b_dec_to_input; decode: z W_dec + b_dec, then the normalisation undone; transcoders neither centre nor undo;
W_skip is [d_out, d_in] and applied to the raw input), and from_pretrained's folding of an expected_average_only_in
factor (W_enc * s, W_dec / s, b_dec / s). Gemma Scope's params.npz holds W_enc, W_dec, b_enc, b_dec, threshold.

    python3 testdata/saelens-kinds/make_fixtures.py
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
D_IN, D_SAE, N = 64, 32, 5
VERSION = "6.18.0"


def metadata(hook, hook_out=None):
    m = {"sae_lens_version": VERSION, "sae_lens_training_version": VERSION, "model_name": "gpt2-tiny",
         "hook_name": hook, "hook_head_index": None, "prepend_bos": True, "dataset_path": "test", "context_size": 64}
    if hook_out:
        m["hook_name_out"] = hook_out
        m["hook_head_index_out"] = None
    return m


def norm_in(x, kind):
    if kind == "constant_norm_rescale":
        c = (x.shape[-1] ** 0.5) / x.norm(dim=-1, keepdim=True)
        return x * c, lambda y: y / c
    if kind == "layer_norm":
        mu = x.mean(dim=-1, keepdim=True)
        xc = x - mu
        std = xc.std(dim=-1, keepdim=True)
        return xc / (std + 1e-5), lambda y: y * std + mu
    return x, lambda y: y


def reference(arch, w, x, apply_b_dec, norm, k=None):
    transcoder = "transcoder" in arch
    xn, undo = norm_in(x, norm)
    if not transcoder:
        xn = xn - w["b_dec"] * apply_b_dec
    if arch == "gated":
        h = xn @ w["W_enc"] + w["b_gate"]
        z = (h > 0).float() * torch.relu(xn @ (w["W_enc"] * w["r_mag"].exp()) + w["b_mag"])
    else:
        h = xn @ w["W_enc"] + w["b_enc"]
        if arch in ("jumprelu", "jumprelu_transcoder"):
            z = torch.relu(h) * (h > w["threshold"]).float()
        elif arch == "topk":
            top = torch.topk(h, k=k, dim=-1, sorted=False)
            z = torch.zeros_like(h).scatter(-1, top.indices, top.values.relu())
        else:
            z = torch.relu(h)
    y = z @ w["W_dec"] + w["b_dec"]
    if not transcoder:
        y = undo(y)
    if arch == "skip_transcoder":
        y = y + x @ w["W_skip"].T
    return z, y


def weights(arch, g, d_out):
    r = lambda *s: torch.randn(*s, generator=g) * 0.3
    w = {"W_enc": r(D_IN, D_SAE), "W_dec": r(D_SAE, d_out), "b_dec": r(d_out)}
    if arch == "gated":
        w.update(b_gate=r(D_SAE), r_mag=r(D_SAE), b_mag=r(D_SAE))
    else:
        w["b_enc"] = r(D_SAE)
    if "jumprelu" in arch:
        w["threshold"] = torch.rand(D_SAE, generator=g) * 0.4
    if arch == "skip_transcoder":
        w["W_skip"] = r(d_out, D_IN)
    return {k: v.contiguous() for k, v in w.items()}


def write(name, arch, seed, apply_b_dec=True, norm="none", k=None, extra=None, legacy_cfg=None, sparsity=False):
    g = torch.Generator().manual_seed(seed)
    transcoder = "transcoder" in arch
    hook = "blocks.1.ln2.hook_normalized" if transcoder else "blocks.1.hook_resid_pre"
    w = weights(arch, g, D_IN)
    x = torch.randn(N, D_IN, generator=g) * 2 + 0.5
    used = {k2: v.clone() for k2, v in w.items()}
    if norm == "expected_average_only_in":
        s = extra["norm_scaling_factor"]
        used["W_enc"] = used["W_enc"] * s
        used["W_dec"] = used["W_dec"] / s
        used["b_dec"] = used["b_dec"] / s
    z, y = reference(arch, used, x, float(apply_b_dec), "none" if norm == "expected_average_only_in" else norm, k)
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    if legacy_cfg is not None:
        cfg = legacy_cfg
    else:
        cfg = {"d_in": D_IN, "d_sae": D_SAE, "dtype": "float32", "device": "cpu",
               "apply_b_dec_to_input": apply_b_dec, "normalize_activations": norm, "reshape_activations": "none",
               "metadata": metadata(hook, "blocks.1.hook_mlp_out" if transcoder else None)}
        if arch == "topk":
            cfg.update(k=k, rescale_acts_by_decoder_norm=False)
        if transcoder:
            cfg["d_out"] = D_IN
        cfg["architecture"] = arch
        cfg.update(extra or {})
    with open(os.path.join(folder, "cfg.json"), "w") as f:
        json.dump(cfg, f)
    save_file(w, os.path.join(folder, "sae_weights.safetensors"))
    if sparsity:
        save_file({"sparsity": torch.log10(torch.rand(D_SAE, generator=g) * 0.1 + 1e-6)},
                  os.path.join(folder, "sparsity.safetensors"))
    save_file({"x": x, "feature_acts": z, "sae_out": y}, os.path.join(HERE, name + ".expected.safetensors"))


def gemma_scope():
    g = torch.Generator().manual_seed(99)
    w = weights("jumprelu", g, D_IN)
    x = torch.randn(N, D_IN, generator=g) * 2
    z, y = reference("jumprelu", w, x, 0.0, "none")
    folder = os.path.join(HERE, "gemma-scope-2b-pt-res", "layer_1", "width_32", "average_l0_9")
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "params.npz"), **{k: v.numpy() for k, v in w.items()})
    save_file({"x": x, "feature_acts": z, "sae_out": y}, os.path.join(HERE, "gemma-scope.expected.safetensors"))


def circuit_tracer():
    """circuit-tracer's transcoder set (its load_transcoder_set / load_relu_transcoder, June 2025): config.yaml and
    layer_L.safetensors with W_enc [d_sae, d_model] and W_dec [d_model, d_sae] (both transposed on load), b_enc,
    b_dec, W_skip [d_model, d_model] applied as x @ W_skip.T."""
    folder = os.path.join(HERE, "circuit-tracer")
    os.makedirs(folder, exist_ok=True)
    lines = ["model_name: \"gpt2-tiny\"", "feature_input_hook: \"ln2.hook_normalized\"",
             "feature_output_hook: 'hook_mlp_out'", "", "transcoders:"]
    expected = {}
    for layer in (0, 1):
        g = torch.Generator().manual_seed(50 + layer)
        r = lambda *s: (torch.randn(*s, generator=g) * 0.3).contiguous()
        w = {"W_enc": r(D_SAE, D_IN), "W_dec": r(D_IN, D_SAE), "b_enc": r(D_SAE), "b_dec": r(D_IN),
             "W_skip": r(D_IN, D_IN)}
        save_file(w, os.path.join(folder, f"layer_{layer}.safetensors"))
        lines += [f"  - id: \"gpt2-tiny-test-{layer}\"", f"    layer: {layer}",
                  f"    filepath: \"layer_{layer}.safetensors\""]
        x = torch.randn(N, D_IN, generator=g)
        acts = torch.relu(x @ w["W_enc"].T + w["b_enc"])
        expected[f"x{layer}"] = x
        expected[f"feature_acts{layer}"] = acts
        expected[f"out{layer}"] = acts @ w["W_dec"].T + w["b_dec"] + x @ w["W_skip"].T
    with open(os.path.join(folder, "config.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    save_file(expected, os.path.join(HERE, "circuit-tracer.expected.safetensors"))


if __name__ == "__main__":
    write("standard", "standard", 1, sparsity=True)
    write("standard-no-centre", "standard", 2, apply_b_dec=False)
    write("jumprelu", "jumprelu", 3, apply_b_dec=False)
    write("topk", "topk", 4, k=5)
    write("gated", "gated", 5)
    write("transcoder", "transcoder", 6, apply_b_dec=False)
    write("skip-transcoder", "skip_transcoder", 7, apply_b_dec=False)
    write("jumprelu-transcoder", "jumprelu_transcoder", 8, apply_b_dec=False)
    write("constant-norm-rescale", "standard", 9, norm="constant_norm_rescale")
    write("layer-norm", "standard", 10, norm="layer_norm")
    write("expected-average", "standard", 11, norm="expected_average_only_in", extra={"norm_scaling_factor": 1.7})
    # SAELens 5.x-era cfg: top-level hook_point, activation_fn_str "topk" with its k, no architecture, no metadata
    write("topk-v5", "topk", 12, k=3, legacy_cfg={
        "d_in": D_IN, "d_sae": D_SAE, "dtype": "float32", "device": "cpu", "model_name": "gpt2-tiny",
        "hook_point": "blocks.1.hook_resid_pre", "hook_point_layer": 1, "hook_point_head_index": None,
        "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 3}, "apply_b_dec_to_input": True,
        "finetuning_scaling_factor": False, "context_size": 64, "prepend_bos": True, "dataset_path": "test",
        "normalize_activations": "none", "sae_lens_training_version": "3.5.0"})
    gemma_scope()
    circuit_tracer()
