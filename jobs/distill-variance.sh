#!/usr/bin/env bash
# The distillation variance experiment, end to end (25 distillation runs of ~20-60 s each on 2 cores):
#   1. the teacher: SFT of a larger model on string reversal      (configs/distill-teacher.yaml)
#   2. the student start: an SFT (1000 steps) of a small model     (configs/distill-student-start.yaml)
#   3. 10 prompts x 16 epochs of on-policy distillation with 1, 4, 8, 16 and 32 rollouts per prompt, each
#      over sampling seeds 1-5, from that same start and teacher, then table.md / table.json /
#      kl-per-epoch.png (configs/distill-variance.yaml)
# Steps 1 and 2 are skipped when their checkpoints exist and were trained from the configs as they
# are now. Extra arguments go to step 3, e.g.
#   jobs/distill-variance.sh --out runs/my-variance --rollouts 1,4,8 --seeds 1,2,3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# An SFT start is reused only when it was trained from the config as it is now (its checksum is kept
# beside it, in DIR.config.sha256): a finished one as it is, an interrupted one continued
# (sft --resume). A start from another version of the config is trained again.
sft_start() {
  local config=$1 dir=$2 sum
  sum=$(sha256sum "$config" | cut -d' ' -f1)
  if [[ "$(cat "$dir.config.sha256" 2>/dev/null)" == "$sum" && -f $dir/config.yaml ]]; then
    if [[ -f $dir/final-model.rsckpt ]]; then
      echo "distill-variance: reusing $dir (trained from $config as it is now)"
    else
      jobs/rollstream sft --config "$config" --run-dir "$dir" --resume
    fi
    return
  fi
  if [[ -e $dir ]]; then
    echo "distill-variance: $dir was trained from another version of $config: training it again"
    rm -rf "$dir"
  fi
  mkdir -p "$(dirname "$dir")"
  echo "$sum" > "$dir.config.sha256"
  jobs/rollstream sft --config "$config" --run-dir "$dir"
}
sft_start configs/distill-teacher.yaml runs/distill-teacher
sft_start configs/distill-student-start.yaml runs/distill-student-start
exec jobs/rollstream experiment distill-variance --config configs/distill-variance.yaml "$@"
