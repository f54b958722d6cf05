#!/usr/bin/env python3
"""Independent check of a `rollstream export`: reads the exported directory as a Hugging Face loader
would (config.json; model.safetensors, or model.safetensors.index.json and its shards; F32/BF16/F16)
with its own safetensors reader, and scores id sequences with the NumPy reference forward pass of
make_hf_fixtures.py (written from transformers' modeling code, float64). Compares with the log-probs
`rollstream model logprobs` printed for the same export. With --peft ADAPTER --base DIR it also reads
a PEFT adapter (adapter_config.json, adapter_model.safetensors with PEFT's tensor names), merges it
into the base as PEFT does (W + lora_alpha / r * B @ A on every target module) and checks that the
merged export is that model. NumPy only; prints one JSON line; exit 0 when everything agrees.

    python3 src/test/python/check_hf_export.py --model RUN/final-model-hf \
        --rollstream LOGPROBS_JSON_LINE [--peft RUN/final-adapter-peft --base MODEL_DIR]
"""

import argparse
import json
import os
import re
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import make_hf_fixtures as reference  # noqa: E402  (the reference forward pass)

PEFT_NAME = re.compile(r"^base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+_proj)\.lora_([AB])\.weight$")


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        raw = data[begin:end]
        if e["dtype"] == "F32":
            v = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif e["dtype"] == "F16":
            v = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        elif e["dtype"] == "BF16":
            v = reference.bf16_bits_to_f32(np.frombuffer(raw, dtype="<u2")).astype(np.float64)
        else:
            raise ValueError("%s: %s is %s" % (path, name, e["dtype"]))
        out[name] = v.reshape(e["shape"])
    return out


def read_weights(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        weights = {}
        for shard in sorted(set(weight_map.values())):
            weights.update(read_safetensors(os.path.join(directory, shard)))
        assert set(weights) == set(weight_map), "the index and the shards name different tensors"
        return weights
    return read_safetensors(os.path.join(directory, "model.safetensors"))


def fixture_of(directory):
    """make_hf_fixtures' description of a model, from its config.json (the keys transformers reads)."""
    with open(os.path.join(directory, "config.json")) as f:
        c = json.load(f)
    return dict(model_type=c["model_type"], hidden=c["hidden_size"], heads=c["num_attention_heads"],
                kv_heads=c.get("num_key_value_heads", c["num_attention_heads"]), head_dim=c.get("head_dim"),
                intermediate=c["intermediate_size"], layers=c["num_hidden_layers"],
                tie=c.get("tie_word_embeddings", False), rope_theta=c.get("rope_theta", 10000.0),
                rope_scaling=c.get("rope_scaling"), rms_eps=c.get("rms_norm_eps", 1e-6)), c


def merge_peft(base, adapter_dir):
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        config = json.load(f)
    for key in ("base_model_name_or_path", "r", "lora_alpha", "target_modules", "lora_dropout", "task_type",
                "peft_type"):
        assert key in config, "adapter_config.json lacks " + key
    assert config["task_type"] == "CAUSAL_LM" and config["peft_type"] == "LORA"
    tensors = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    pairs = {}
    for name, value in tensors.items():
        m = PEFT_NAME.match(name)
        assert m, "not a PEFT LoRA tensor name: " + name
        assert m.group(3) in config["target_modules"], name + " is not in target_modules"
        pairs.setdefault((m.group(1), m.group(2), m.group(3)), {})[m.group(4)] = value
    merged = dict(base)
    scale = config["lora_alpha"] / config["r"]
    for (layer, module, proj), ab in pairs.items():
        a, b = ab["A"], ab["B"]
        assert a.shape[0] == config["r"] and b.shape[1] == config["r"], "A is (r, in), B is (out, r)"
        key = "model.layers.%s.%s.%s.weight" % (layer, module, proj)
        merged[key] = base[key] + scale * (b @ a)
    return merged, len(pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="an exported Hugging Face model directory")
    parser.add_argument("--rollstream", required=True, help="`rollstream model logprobs --ids ...` output (JSON)")
    parser.add_argument("--peft", help="a PEFT adapter directory to merge into --base and compare")
    parser.add_argument("--base", help="the adapter's base model directory")
    args = parser.parse_args()
    rollstream = json.loads(args.rollstream)
    ids = rollstream["token_ids"]
    f, config = fixture_of(args.model)
    assert config["architectures"][0] in ("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
                                          "Qwen3ForCausalLM"), config["architectures"]
    weights = read_weights(args.model)
    expected = reference.reference_logprobs(f, weights, ids)
    worst = max(abs(a - b) for a, b in zip(expected[1:], rollstream["logprobs"][1:]))
    result = {"model": args.model, "reference_vs_rollstream_max_abs_diff": worst}
    ok = worst < 1e-4
    if args.peft:
        base_f, _ = fixture_of(args.base)
        merged, modules = merge_peft(read_weights(args.base), args.peft)
        peft = reference.reference_logprobs(base_f, merged, ids)
        peft_worst = max(abs(a - b) for a, b in zip(expected[1:], peft[1:]))
        result.update({"peft_modules": modules, "merged_export_vs_base_plus_peft_max_abs_diff": peft_worst})
        ok = ok and peft_worst < 1e-4 and modules > 0
    result["agrees"] = ok
    print(json.dumps(result))
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
