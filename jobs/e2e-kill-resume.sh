#!/usr/bin/env bash
# End-to-end crash test: runs a short config, kills the JVM with SIGKILL at a random learner step,
# resumes from the run directory (its newest retained checkpoint), and checks that the run
# directory's record files are those of one uninterrupted run: learner steps 0..max_steps-1 each
# once, no group logged or trained twice, exact batch sizes, staleness within max_off_policy_steps,
# and no admitted problem lost beyond what the final savepoint still holds.
#   jobs/e2e-kill-resume.sh [CONFIG] [RUN_DIR]     # default: configs/ci/smoke.yaml, a fresh temp dir
# Needs python3. Takes about a minute on 2 cores with the smoke config (40 steps).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$root/configs/ci/smoke.yaml}"
run="${2:-$(mktemp -d /tmp/rollstream-e2e-XXXXXX)/run}"
steps=40
overrides=(--set job.max_steps=$steps --set job.checkpoint_interval_s=1 --set job.web_ui=false --set job.max_minutes=10)
kill_at=$(( 5 + RANDOM % (steps - 12) ))   # a step in [5, steps-8]

rl_steps() { local n; n=$(grep -c '"phase":"rl"' "$run/metrics.jsonl" 2>/dev/null) || true; echo "${n:-0}"; }
checkpoints() { find "$run/checkpoints" -name _metadata 2>/dev/null | wc -l; }

echo "e2e: run directory $run; SIGKILL after step $kill_at of $steps"
"$root/jobs/rollstream" --help >/dev/null   # build once, outside the timed part
"$root/jobs/rollstream" run --config "$config" --run-dir "$run" "${overrides[@]}" > "$run.first.log" 2>&1 &
pid=$!
while (( $(rl_steps) < kill_at || $(checkpoints) < 1 )); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "e2e: the first run ended before the kill"; tail -20 "$run.first.log"; exit 1; fi
  sleep 0.2
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
logged=$(rl_steps)
echo "e2e: killed the JVM after $logged logged steps ($(checkpoints) retained checkpoint(s))"
if (( logged >= steps )); then echo "e2e: the kill came after the last step; rerun (or use a longer config)"; exit 1; fi

"$root/jobs/rollstream" run --config "$config" --resume-from "$run" "${overrides[@]}" > "$run.resume.log" 2>&1 \
  || { echo "e2e: the resumed run failed"; tail -30 "$run.resume.log"; exit 1; }
grep -E "^resuming from|run finished" "$run.resume.log" | sed 's/^/e2e: /'

python3 - "$run" "$steps" <<'PY'
import json, sys, os
run, steps = sys.argv[1], int(sys.argv[2])
def lines(name):
    path = os.path.join(run, name)
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []
import re
cfg = open(os.path.join(run, "config.yaml")).read()
def key(section, name):
    m = re.search(r"^%s:\n(?:  .*\n)*?  %s: (\S+)" % (section, name), cfg, re.M)
    return float(m.group(1))
batch, group = int(key("buffer", "batch_size")), int(key("rollout", "rollouts_per_example"))
max_off, max_async = int(key("async", "max_off_policy_steps")), int(key("async", "max_async_level"))
per_batch = int(key("buffer", "oversampling_factor") * batch / group)
errors = []
rl = [m["step"] for m in lines("metrics.jsonl") if m.get("phase") == "rl"]
if rl != list(range(steps)):
    errors.append("metrics.jsonl rl steps are %s, expected 0..%d once each" % (rl, steps - 1))
seen, per_step, positions, newest_trained = set(), {}, set(), -1
for g in lines("rollouts.jsonl"):
    if g["group_id"] in seen:
        errors.append("group %s logged twice" % g["group_id"])
    seen.add(g["group_id"])
    position = int(g["problem_id"].rsplit("/", 1)[1])
    positions.add(position)
    if "trained_step" in g:
        newest_trained = max(newest_trained, position)
        per_step[g["trained_step"]] = per_step.get(g["trained_step"], 0) + len(g["rewards"])
        stale = g["trained_step"] - g["policy_version"]
        if not 0 <= stale <= max_off:
            errors.append("group %s has staleness %d" % (g["group_id"], stale))
if sorted(per_step) != list(range(steps)) or any(n != batch for n in per_step.values()):
    errors.append("trained rollouts per step: %s (expected %d for each step)" % (per_step, batch))
held = per_batch * (max_async + max_off + 2)
# Up to the newest trained problem every position was admitted (in order); the unlogged ones must be
# groups the final savepoint still holds. Problems read after the learner finished are skipped.
missing = newest_trained + 1 - len([p for p in positions if p <= newest_trained])
if missing > held:
    errors.append("%d admitted problems never logged (at most %d may be held in the final savepoint)" % (missing, held))
print("e2e: %d steps, %d groups logged, %d trained; %d problems held at the end (bound %d)"
      % (len(rl), len(seen), sum(per_step.values()) // group, missing, held))
if errors:
    print("e2e: FAILED\n  " + "\n  ".join(errors)); sys.exit(1)
print("e2e: OK")
PY
