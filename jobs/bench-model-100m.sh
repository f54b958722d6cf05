#!/usr/bin/env bash
# `bench model` on a ~110M-parameter Llama (12 layers, hidden 768, 12 heads, MLP 2048, vocabulary
# 32000, tied embeddings) that `model init` writes into a temporary directory, deleted afterwards:
# decode and training speed (MFU), peak memory of training in a fresh JVM, and the same with LoRA.
# Prints one JSON line. Extra arguments go to `bench model` (e.g. --repeats 1, --lora-rank 16).
# On a shared machine run it under the heavy lock: flock /work/locks/heavy jobs/bench-model-100m.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/rollstream-bench-model.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$root/jobs/rollstream" model init --arch llama --layers 12 --hidden 768 --heads 12 --intermediate 2048 \
  --vocab 32000 --out "$work/llama-110m" >&2
"$root/jobs/rollstream" bench model --model "$work/llama-110m" --lora "$@"
