#!/usr/bin/env python3
"""Tiny random Hugging Face causal LMs and their expected log-probabilities, for Rollstream's tests.

An independent reference for src/main/java/io/rollstream/model/DecoderModel.java, written from the
Hugging Face modeling code (transformers' modeling_llama / modeling_mistral / modeling_qwen2 /
modeling_qwen3 and modeling_rope_utils), not from the Java code. NumPy only, float64 throughout.

For every fixture it writes, under src/test/resources/hf-models/<name>/, a model directory in
Hugging Face layout (config.json, generation_config.json, model.safetensors or an index and shards)
and expected.json: for each of a few fixed id sequences, {"token_ids": [...], "logprobs": [null,
lp1, ...]} where logprobs[i] = log p(ids[i] | ids[:i]) — the format of `rollstream model logprobs`.

The weights are drawn in float32, rounded to the storage dtype (BF16: round to nearest even in the
upper 16 bits; F16: IEEE half), and the reference computes with the rounded values, which are what
any loader sees.

    python3 src/test/python/make_hf_fixtures.py            # writes the fixtures (deterministic)
    python3 src/test/python/make_hf_fixtures.py --check    # compares with transformers, where installed
"""

import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np

VOCAB = 384
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "hf-models")
# The tiny byte-level BPE tokenizer (362 ids) the fixtures' special-token ids refer to; the fixtures with
# "tokenizer": True get a copy of its files, making them complete model directories.
TOKENIZER = os.path.join(os.path.dirname(__file__), "..", "resources", "hf-tokenizer")
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"]
BOS, EOS = 356, [358, 356]

# Fixed id sequences scored for every fixture (ids < VOCAB; lengths 1, short, long-ish).
SEQUENCES = [
    [1, 17, 250, 3, 99, 383, 42, 42, 7, 310, 5, 128],
    [0, 383, 1],
    [5],
    [200, 13, 77, 160, 2, 301, 45, 88, 12, 9, 250, 111, 64, 32, 16, 8, 4, 2, 1, 0, 333, 334],
]

FIXTURES = [
    # Llama, tied embeddings, grouped-query attention (4 heads, 2 key/value heads), F32.
    dict(name="llama-tied", model_type="llama", architecture="LlamaForCausalLM", hidden=16, heads=4, kv_heads=2,
         head_dim=None, intermediate=24, layers=2, tie=True, dtype="F32", rope_theta=10000.0, rope_scaling=None,
         rms_eps=1e-5, max_pos=128, shards=1),
    # Mistral, untied, one key/value head, F16, a sliding window shorter than max_position_embeddings.
    dict(name="mistral-f16", model_type="mistral", architecture="MistralForCausalLM", hidden=16, heads=4, kv_heads=1,
         head_dim=None, intermediate=24, layers=2, tie=False, dtype="F16", rope_theta=1e6, rope_scaling=None,
         rms_eps=1e-6, max_pos=128, sliding_window=96, shards=1),
    # Qwen2: q/k/v biases, untied head, BF16, linear rope scaling, two shards with an index.
    dict(name="qwen2-bf16-sharded", model_type="qwen2", architecture="Qwen2ForCausalLM", hidden=16, heads=4,
         kv_heads=2, head_dim=None, intermediate=24, layers=2, tie=False, dtype="BF16", rope_theta=10000.0,
         rope_scaling={"type": "linear", "factor": 2.0}, rms_eps=1e-6, max_pos=128, shards=2),
    # Qwen3: per-head q/k RMSNorm, head_dim 6 != hidden / heads = 4, tied, F32; with the tokenizer files.
    dict(name="qwen3-headdim", model_type="qwen3", architecture="Qwen3ForCausalLM", hidden=16, heads=4, kv_heads=2,
         head_dim=6, intermediate=24, layers=2, tie=True, dtype="F32", rope_theta=1e6, rope_scaling=None,
         rms_eps=1e-6, max_pos=128, shards=1, tokenizer=True),
    # Llama 3 rope scaling (low, medium and high frequencies all present with head_dim 8), untied, BF16.
    dict(name="llama3-rope", model_type="llama", architecture="LlamaForCausalLM", hidden=16, heads=2, kv_heads=1,
         head_dim=8, intermediate=24, layers=2, tie=False, dtype="BF16", rope_theta=10000.0,
         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                       "original_max_position_embeddings": 64}, rms_eps=1e-5, max_pos=512, shards=1),
]


# ---------------------------------------------------------------------------------------------
# Weights


def head_dim(f):
    return f["head_dim"] if f["head_dim"] is not None else f["hidden"] // f["heads"]


def parameter_shapes(f):
    """Names and shapes as in the Hugging Face state dict (Linear weights are [out, in])."""
    h, hd = f["hidden"], head_dim(f)
    q, kv, inter = f["heads"] * hd, f["kv_heads"] * hd, f["intermediate"]
    shapes = {"model.embed_tokens.weight": (VOCAB, h)}
    for i in range(f["layers"]):
        p = "model.layers.%d." % i
        shapes[p + "input_layernorm.weight"] = (h,)
        shapes[p + "self_attn.q_proj.weight"] = (q, h)
        shapes[p + "self_attn.k_proj.weight"] = (kv, h)
        shapes[p + "self_attn.v_proj.weight"] = (kv, h)
        if f["model_type"] == "qwen2":
            shapes[p + "self_attn.q_proj.bias"] = (q,)
            shapes[p + "self_attn.k_proj.bias"] = (kv,)
            shapes[p + "self_attn.v_proj.bias"] = (kv,)
        shapes[p + "self_attn.o_proj.weight"] = (h, q)
        if f["model_type"] == "qwen3":
            shapes[p + "self_attn.q_norm.weight"] = (hd,)
            shapes[p + "self_attn.k_norm.weight"] = (hd,)
        shapes[p + "post_attention_layernorm.weight"] = (h,)
        shapes[p + "mlp.gate_proj.weight"] = (inter, h)
        shapes[p + "mlp.up_proj.weight"] = (inter, h)
        shapes[p + "mlp.down_proj.weight"] = (h, inter)
    shapes["model.norm.weight"] = (h,)
    if not f["tie"]:
        shapes["lm_head.weight"] = (VOCAB, h)
    return shapes


def draw_weights(f, seed):
    """float32 weights large enough that every parameter visibly moves the log-probabilities."""
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in parameter_shapes(f).items():
        if name.endswith("norm.weight"):
            w = 1.0 + 0.3 * rng.standard_normal(shape)
        elif name.endswith(".bias"):
            w = 0.3 * rng.standard_normal(shape)
        elif "embed_tokens" in name or "lm_head" in name:
            w = 0.8 * rng.standard_normal(shape)
        else:
            w = rng.standard_normal(shape) / math.sqrt(shape[1]) * 1.2
        weights[name] = w.astype(np.float32)
    return weights


def to_bf16_bits(x):
    """float32 -> bfloat16 bits, rounding to nearest even (NaN-free inputs)."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_bits_to_f32(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def stored(w, dtype):
    """(bytes as stored, the float64 values a loader sees)."""
    if dtype == "F32":
        return w.astype("<f4").tobytes(), w.astype(np.float64)
    if dtype == "F16":
        h = w.astype("<f2")
        return h.tobytes(), h.astype(np.float64)
    if dtype == "BF16":
        b = to_bf16_bits(w).astype("<u2")
        return b.tobytes(), bf16_bits_to_f32(b).astype(np.float64)
    raise ValueError(dtype)


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> (dtype, shape, bytes). Raw header JSON + data, header padded to 8 bytes."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for _, (_, _, data) in tensors.items():
            out.write(data)


# ---------------------------------------------------------------------------------------------
# The reference forward pass (float64), from the Hugging Face modeling code


def rms_norm(x, w, eps):
    # LlamaRMSNorm: hidden * rsqrt(mean(hidden^2, -1) + eps), then weight * hidden
    variance = np.mean(x * x, axis=-1, keepdims=True)
    return w * (x / np.sqrt(variance + eps))


def inverse_frequencies(f):
    # modeling_rope_utils._compute_default_rope_parameters (+ linear / llama3)
    dim = head_dim(f)
    inv = 1.0 / (f["rope_theta"] ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
    scaling = f["rope_scaling"]
    if scaling is None:
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        return inv / scaling["factor"]
    if kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        inv_llama = np.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        return np.where(medium, smoothed, inv_llama)
    raise ValueError(kind)


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def silu(x):
    return x / (1.0 + np.exp(-x))


def log_softmax(x):
    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))


def reference_logprobs(f, w, ids):
    """logprobs[i] = log p(ids[i] | ids[:i]) for i >= 1; logprobs[0] = None."""
    t = len(ids)
    hd, nh, nkv = head_dim(f), f["heads"], f["kv_heads"]
    eps = f["rms_eps"]
    x = w["model.embed_tokens.weight"][np.array(ids)]  # (T, H)
    freqs = np.outer(np.arange(t, dtype=np.float64), inverse_frequencies(f))  # (T, hd/2)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)  # (T, hd)
    mask = np.triu(np.full((t, t), -np.inf), k=1)
    for i in range(f["layers"]):
        p = "model.layers.%d." % i
        residual = x
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = h @ w[p + "self_attn.q_proj.weight"].T
        k = h @ w[p + "self_attn.k_proj.weight"].T
        v = h @ w[p + "self_attn.v_proj.weight"].T
        if f["model_type"] == "qwen2":
            q = q + w[p + "self_attn.q_proj.bias"]
            k = k + w[p + "self_attn.k_proj.bias"]
            v = v + w[p + "self_attn.v_proj.bias"]
        q = q.reshape(t, nh, hd)
        k = k.reshape(t, nkv, hd)
        v = v.reshape(t, nkv, hd)
        if f["model_type"] == "qwen3":  # Qwen3Attention: q_norm / k_norm on each head, before rotary
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q = q.transpose(1, 0, 2)  # (heads, T, hd)
        k = k.transpose(1, 0, 2)
        v = v.transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin  # apply_rotary_pos_emb
        k = k * cos + rotate_half(k) * sin
        n_rep = nh // nkv  # repeat_kv: query head j uses key/value head j // n_rep
        k = np.repeat(k, n_rep, axis=0)
        v = np.repeat(v, n_rep, axis=0)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd) + mask
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs = probs / probs.sum(-1, keepdims=True)
        out = (probs @ v).transpose(1, 0, 2).reshape(t, nh * hd)
        x = residual + out @ w[p + "self_attn.o_proj.weight"].T
        residual = x
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = residual + (silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if f["tie"] else w["lm_head.weight"]
    logp = log_softmax(x @ head.T)  # (T, V)
    return [None] + [float(logp[i - 1, ids[i]]) for i in range(1, t)]


# ---------------------------------------------------------------------------------------------
# Files


def config_json(f):
    c = {
        "architectures": [f["architecture"]],
        "model_type": f["model_type"],
        "vocab_size": VOCAB,
        "hidden_size": f["hidden"],
        "intermediate_size": f["intermediate"],
        "num_hidden_layers": f["layers"],
        "num_attention_heads": f["heads"],
        "num_key_value_heads": f["kv_heads"],
        "hidden_act": "silu",
        "max_position_embeddings": f["max_pos"],
        "rms_norm_eps": f["rms_eps"],
        "rope_theta": f["rope_theta"],
        "rope_scaling": f["rope_scaling"],
        "tie_word_embeddings": f["tie"],
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "use_cache": True,
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[f["dtype"]],
        "transformers_version": "4.51.0",
    }
    if f["head_dim"] is not None:
        c["head_dim"] = f["head_dim"]
    if f["model_type"] == "llama":
        c.update(attention_bias=False, mlp_bias=False, pretraining_tp=1)
    if f["model_type"] == "mistral":
        c["sliding_window"] = f.get("sliding_window")
    if f["model_type"] in ("qwen2", "qwen3"):
        c.update(use_sliding_window=False, sliding_window=None, max_window_layers=f["layers"])
    if f["model_type"] == "qwen3":
        c["attention_bias"] = False
    return c


def write_fixture(f, seed):
    directory = os.path.join(OUT, f["name"])
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        os.remove(os.path.join(directory, old))
    raw = draw_weights(f, seed)
    tensors, loaded = {}, {}
    for name, w in raw.items():
        data, values = stored(w, f["dtype"])
        tensors[name] = (f["dtype"], w.shape, data)
        loaded[name] = values
    if f["shards"] == 1:
        write_safetensors(os.path.join(directory, "model.safetensors"), tensors, {"format": "pt"})
    else:
        names = list(tensors)
        per = math.ceil(len(names) / f["shards"])
        weight_map, total = {}, 0
        for s in range(f["shards"]):
            shard = "model-%05d-of-%05d.safetensors" % (s + 1, f["shards"])
            part = {n: tensors[n] for n in names[s * per:(s + 1) * per]}
            write_safetensors(os.path.join(directory, shard), part, {"format": "pt"})
            for n, (_, _, data) in part.items():
                weight_map[n] = shard
                total += len(data)
        with open(os.path.join(directory, "model.safetensors.index.json"), "w") as out:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, out, indent=2)
    with open(os.path.join(directory, "config.json"), "w") as out:
        json.dump(config_json(f), out, indent=2)
    with open(os.path.join(directory, "generation_config.json"), "w") as out:
        json.dump({"bos_token_id": BOS, "eos_token_id": EOS, "transformers_version": "4.51.0"}, out, indent=2)
    if f.get("tokenizer"):
        for name in TOKENIZER_FILES:
            shutil.copyfile(os.path.join(TOKENIZER, name), os.path.join(directory, name))
    expected = {
        "model": f["name"],
        "reference": "src/test/python/make_hf_fixtures.py (NumPy, float64)",
        "sequences": [{"token_ids": ids, "logprobs": reference_logprobs(f, loaded, ids)} for ids in SEQUENCES],
    }
    with open(os.path.join(directory, "expected.json"), "w") as out:
        json.dump(expected, out, indent=1)
    print("wrote", directory)


def check_with_transformers():
    """Cross-check: transformers' own implementation against expected.json (where it is installed)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM
    except ImportError:
        print("transformers/torch are not installed here: nothing to cross-check")
        return 1
    worst = 0.0
    for f in FIXTURES:
        directory = os.path.join(OUT, f["name"])
        model = AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32,
                                                     attn_implementation="eager")
        model.eval()
        with open(os.path.join(directory, "expected.json")) as inp:
            expected = json.load(inp)
        for seq in expected["sequences"]:
            ids = seq["token_ids"]
            with torch.no_grad():
                logits = model(torch.tensor([ids])).logits[0].double()
            logp = torch.log_softmax(logits, dim=-1)
            for i in range(1, len(ids)):
                diff = abs(float(logp[i - 1, ids[i]]) - seq["logprobs"][i])
                worst = max(worst, diff)
        print(json.dumps({"model": f["name"], "max_abs_diff_so_far": worst}))
    print(json.dumps({"transformers_max_abs_logprob_diff": worst, "agrees_within_1e-3": worst < 1e-3}))
    return 0 if worst < 1e-3 else 2


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the fixtures with transformers")
    args = parser.parse_args()
    if args.check:
        sys.exit(check_with_transformers())
    for seed, f in enumerate(FIXTURES):
        write_fixture(f, 1000 + seed)


if __name__ == "__main__":
    main()
