#!/usr/bin/env bash
# The distillation variance experiment, end to end (25 distillation runs of ~20-60 s each on 2 cores):
#   1. the teacher: SFT of a larger model on string reversal      (configs/distill-teacher.yaml)
#   2. the student start: a short SFT of a small model             (configs/distill-student-start.yaml)
#   3. 10 prompts x 16 epochs of on-policy distillation with 1, 4, 8, 16 and 32 rollouts per prompt, each
#      over sampling seeds 1-5, from that same start and teacher, then table.md / table.json /
#      kl-per-epoch.png (configs/distill-variance.yaml)
# Steps 1 and 2 are skipped when their checkpoints exist. Extra arguments go to step 3, e.g.
#   jobs/distill-variance.sh --out runs/my-variance --rollouts 1,4,8 --seeds 1,2,3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ ! -f runs/distill-teacher/final-model.rsckpt ]]; then
  jobs/rollstream sft --config configs/distill-teacher.yaml --run-dir runs/distill-teacher
fi
if [[ ! -f runs/distill-student-start/final-model.rsckpt ]]; then
  jobs/rollstream sft --config configs/distill-student-start.yaml --run-dir runs/distill-student-start
fi
exec jobs/rollstream experiment distill-variance --config configs/distill-variance.yaml "$@"
