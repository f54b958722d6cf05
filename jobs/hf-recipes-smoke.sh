#!/usr/bin/env bash
# The two "post-train your own Hugging Face model" recipes (configs/hf-gsm8k.yaml, configs/hf-distill.yaml)
# run end to end on the tiny Qwen3 fixture and a few made-up problems, through the launcher as a user runs
# them: GRPO with LoRA, then distillation from a teacher made by `model init` with the same tokenizer, then
# `export` of the GRPO run as a PEFT adapter. Checks each run finished its steps and left its exports.
# ~1 min per run on 2 cores. CI (.ci/run) calls it; `jobs/hf-recipes-smoke.sh --keep` keeps the run directories.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep=false
[[ "${1:-}" == --keep ]] && keep=true
work="$(mktemp -d)"
$keep || trap 'rm -rf "$work"' EXIT

# The recipes as they are, pointed at the fixture; smaller sizes so a run takes seconds, not hours.
tiny=(--set model.path=src/test/resources/hf-models/qwen3-headdim
      --set data.path=src/test/resources/data/made-up-gsm8k.jsonl --set data.epochs=40
      --set data.system_prompt=null --set model.lora.rank=2 --set model.lora.alpha=8
      --set job.max_steps=3 --set job.max_minutes=3 --set job.web_ui=false --set job.checkpoint_interval_s=5
      --set rollout.max_new_tokens=12 --set learner.micro_batch_size=16 --set learner.learning_rate=5.0e-2)

finished() { # run directory, steps: the run logged its RL steps and left its exports
  local steps
  steps="$(grep -c '"phase":"rl"' "$1/metrics.jsonl" || true)"
  [[ "$steps" == "$2" ]] || { echo "hf-recipes: $1 logged $steps RL steps, expected $2" >&2; exit 1; }
  for f in final-model.rsckpt final-model-hf/config.json final-model-hf/model.safetensors \
           final-model-hf/tokenizer.json final-adapter-peft/adapter_config.json; do
    [[ -f "$1/$f" ]] || { echo "hf-recipes: $1/$f is missing" >&2; exit 1; }
  done
}

# GRPO with LoRA. A random model never writes "#### N": the made-up problems are scored by their last number
# against the plain number each line also carries, so that some groups carry a gradient.
jobs/rollstream run --config configs/hf-gsm8k.yaml "${tiny[@]}" --set data.verifier=last_number_match \
  --set 'data.fields={prompt: question, answer: number}' --set rollout.rollouts_per_example=8 \
  --set buffer.batch_size=16 --run-dir "$work/gsm8k"
finished "$work/gsm8k" 3

# An independent reading of the exports: NumPy's reference forward pass (written from transformers' modeling
# code) on the merged export agrees with Rollstream's log-probs, and the base with the PEFT adapter merged as
# PEFT merges it is the merged export.
if python3 -c "import numpy" 2>/dev/null; then
  logprobs="$(jobs/rollstream model logprobs --model "$work/gsm8k/final-model-hf" --ids 356,40,50,60,70,80,90)"
  python3 src/test/python/check_hf_export.py --model "$work/gsm8k/final-model-hf" --rollstream "$logprobs" \
    --peft "$work/gsm8k/final-adapter-peft" --base src/test/resources/hf-models/qwen3-headdim
else
  echo "hf-recipes: NumPy is not installed here: the independent check of the exports is skipped" >&2
fi

# On-policy distillation from a Hugging Face teacher with the student's tokenizer.
jobs/rollstream model init --arch llama --layers 2 --hidden 32 --heads 4 --kv-heads 2 --vocab 384 \
  --tokenizer src/test/resources/hf-tokenizer --out "$work/teacher"
jobs/rollstream run --config configs/hf-distill.yaml "${tiny[@]}" --set teacher.path="$work/teacher" \
  --set rollout.rollouts_per_example=4 --set buffer.batch_size=8 --run-dir "$work/distill"
finished "$work/distill" 3

# The GRPO run's final policy as a PEFT adapter, by hand.
jobs/rollstream export --policy "$work/gsm8k" --adapter --out "$work/peft"
[[ -f "$work/peft/adapter_model.safetensors" ]] || { echo "hf-recipes: no PEFT adapter written" >&2; exit 1; }
echo "hf-recipes: both recipes ran and exported$($keep && echo " (kept in $work)")"
