#!/usr/bin/env python3
"""Writes the tiny Hugging Face tokenizer fixture of src/test/resources/hf-tokenizer/.

A byte-level BPE tokenizer in the layout of Qwen2/Qwen3 (the same pre-tokenizer regex, ByteLevel
decoder, ChatML special tokens), small enough for tests: 256 byte tokens, MERGES merges learned
from the little corpus below, and the added tokens of ADDED, 362 ids in all (a model using it may
have a larger, padded vocabulary, as Qwen's do). Also writes tokenizer_config.json (the Qwen2.5-Instruct
chat template of src/test/resources/chat-templates/, special tokens) and generation_config.json (an EOS list), the files a model
directory holds next to its weights.

Only python3 and json: no Hugging Face library is needed (or available) to run it.
    python3 src/test/python/make_hf_tokenizer.py [OUT_DIR]
OUT_DIR defaults to src/test/resources/hf-tokenizer; the output is deterministic.
"""
import collections
import json
import os
import re
import sys

MERGES = 100

# Special (control) tokens first, then ordinary added tokens, as in Qwen's tokenizer.json.
ADDED = [
    ("<|endoftext|>", True),
    ("<|im_start|>", True),
    ("<|im_end|>", True),
    ("<|pad|>", True),
    ("<think>", False),
    ("</think>", False),
]

# The Qwen2 pre-tokenizer pattern (digits split one by one, words keep their leading space).
SPLIT_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

CORPUS = """
The answer is the number of apples that Tom has left after he gives some to his friends.
She buys three boxes of pens and each box holds twelve pens, so she has thirty six pens.
A train travels at a speed of sixty miles per hour for two hours and then stops at the station.
How many cookies are there in total if each of the children eats two and there were ten?
Let us think step by step. First we add the numbers, then we multiply the result by four.
The farmer sells eggs at the market every morning and earns money for the week.
You are a helpful assistant. Please reason step by step, and put your final answer within boxed.
What is the total cost of the tickets for the whole family at the theater on Saturday?
"""

# The chat template: the faithful copy of Qwen2.5-Instruct's that the template tests also use.
CHAT_TEMPLATE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "chat-templates",
                                  "qwen2.5-instruct.jinja")


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable characters (what ByteLevel uses)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def words(text, byte_map):
    """Rough pre-tokenization for learning merges: a word keeps its leading space, digits stay alone."""
    for piece in re.findall(r" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+", text):
        yield tuple(byte_map[b] for b in piece.encode("utf-8"))


def learn_merges(byte_map, count):
    counts = collections.Counter(words(CORPUS, byte_map))
    vocab = {w: n for w, n in counts.items()}
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for word, n in vocab.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        # Most frequent pair; ties broken by the pair itself so the output is deterministic.
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        merged = {}
        for word, n in vocab.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        vocab = merged
    return merges


def tokenizer_json(byte_map, merges):
    vocab = {}
    for b in range(256):
        vocab[byte_map[b]] = b
    for a, b in merges:
        vocab[a + b] = len(vocab)
    added = []
    for content, special in ADDED:
        added.append({"id": len(vocab) + len(added), "content": content, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": special})
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


def tokenizer_config(added_ids, chat_template):
    decoder = {}
    for content, special in ADDED:
        decoder[str(added_ids[content])] = {"content": content, "lstrip": False, "normalized": False,
                                            "rstrip": False, "single_word": False, "special": special}
    return {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "chat_template": chat_template,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 32768,
        "pad_token": "<|pad|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "test", "resources", "hf-tokenizer")
    os.makedirs(out, exist_ok=True)
    byte_map = bytes_to_unicode()
    merges = learn_merges(byte_map, MERGES)
    tok = tokenizer_json(byte_map, merges)
    ids = {t["content"]: t["id"] for t in tok["added_tokens"]}
    files = {
        "tokenizer.json": tok,
        "tokenizer_config.json": tokenizer_config(ids, open(CHAT_TEMPLATE_FILE, encoding="utf-8").read()),
        "generation_config.json": {"bos_token_id": ids["<|endoftext|>"],
                                   "eos_token_id": [ids["<|im_end|>"], ids["<|endoftext|>"]],
                                   "pad_token_id": ids["<|pad|>"], "do_sample": True, "temperature": 0.7,
                                   "transformers_version": "4.51.0"},
    }
    for name, content in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False, indent=2)
            f.write("\n")
    print("wrote %s: %d merges, %d ids" % (out, len(merges), 256 + len(merges) + len(ADDED)))


if __name__ == "__main__":
    main()
