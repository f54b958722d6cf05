#!/usr/bin/env bash
# The real cluster test: a standalone Flink session cluster from Maven artifacts (a job manager, a CPU
# task manager and a GPU task manager whose GPU is declared by a fake discovery script, all JVMs on
# loopback addresses), driven only through the REST API the way users do:
#   1. submit the thin job jar with configs/ci/cluster.yaml; it trains (metrics.jsonl grows), and
#      the rollout subtasks log the device they chose from the task manager's GPU index;
#   2. stop it with a savepoint by its run directory (`jobs/rollstream stop RUN`, through the job.json
#      the cluster job wrote), resubmit from the savepoint: training continues from the savepoint;
#   3. SIGKILL the task manager running the learner: the job restarts from its last checkpoint on the
#      surviving task manager and trains on;
#   4. cancel it and resubmit from its newest retained checkpoint with Flink's CLI (`flink run -s`,
#      ClusterJob's main() then runs in the client);
#   5. stop with a savepoint by its run directory again and check the run's invariants
#      (jobs/cluster/check-run.py).
# Every JVM it starts is stopped on exit. ~2-3 min on 2 cores. Needs Java 17, Maven, curl, python3.
#   jobs/cluster-test.sh [--keep]     # --keep leaves the work directory (logs, run) behind
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
keep=false; [[ ${1:-} == --keep ]] && keep=true
work=$(mktemp -d /tmp/rollstream-cluster-test.XXXXXX)
run="$work/run"
start=$(date +%s)

cleanup() {
  jobs/local-cluster.sh stop --dir "$work" >/dev/null 2>&1 || true
  if $keep; then echo "cluster-test: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "cluster-test [$(( $(date +%s) - start ))s]: $*"; }
fail() {
  say "FAILED: $*"
  for f in "$work"/log/*.log; do echo "--- last lines of $f"; tail -n 15 "$f"; done
  exit 1
}
for tool in curl python3 java mvn; do command -v $tool >/dev/null || fail "needs $tool"; done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rest="http://localhost:$port"
api() { curl -sS "$rest$1"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
rl_steps() { cat "$run/metrics.jsonl" 2>/dev/null | grep -c '"phase":"rl"' || true; }
last_step() { grep '"phase":"rl"' "$run/metrics.jsonl" | tail -n 1 | json 'd["step"]'; }
job_state() { api "/jobs/$1" | json 'd["state"]'; }

wait_for() { # SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 "$limit"); do
    if "$@"; then return 0; fi
    sleep 1
  done
  fail "waited $limit s for $what"
}
steps_at_least() { [[ $(rl_steps) -ge $1 ]]; }
state_is() { [[ $(job_state "$1") == "$2" ]]; }
completed_checkpoints_at_least() { [[ $(api "/jobs/$1/checkpoints" | json 'd["counts"]["completed"]') -ge $2 ]]; }

submit() { # extra submit.sh arguments; prints the job id
  local out
  out=$(jobs/submit.sh --rest "$rest" --config configs/ci/cluster.yaml --run-dir "$run" "$@") || fail "submit: $out"
  echo "$out" >&2
  sed -n 's/^job \([0-9a-f]*\) submitted.*/\1/p' <<<"$out"
}
say "starting a job manager, a CPU and a GPU task manager (REST $rest)"
jobs/local-cluster.sh start --dir "$work" --rest-port "$port" --slots 4 --cpu-task-managers 1 --gpu-task-managers 1 \
  --discovery-script "$root/jobs/cluster/fake-gpu-discovery.sh" || fail "the cluster did not start"

say "1. submitting the job jar"
job1=$(submit)
[[ -n $job1 ]] || fail "no job id"
wait_for 150 "5 RL steps of job $job1" steps_at_least 5
say "job $job1 trains: $(rl_steps) RL steps"

say "2. stop with a savepoint (jobs/rollstream stop RUN), resubmit from it"
[[ -f $run/job.json ]] || fail "the cluster job wrote no $run/job.json"
out=$(jobs/rollstream stop "$run" 2>&1) || fail "rollstream stop: $out"
savepoint=$(sed -n 's/.*stopped with savepoint //p' <<<"$out")
[[ -n $savepoint ]] || fail "no savepoint: $out"
[[ ! -f $run/job.json && ! -f $run/policy/STOPPING ]] || fail "the stopped cluster job's job.json or stop request is left"
wait_for 30 "job $job1 to finish" state_is "$job1" FINISHED
before=$(rl_steps); stopped_at=$(last_step)
job2=$(submit --resume-from "$savepoint")
wait_for 120 "job $job2 to train after the resume" steps_at_least $((before + 3))
resumed_at=$(grep '"phase":"rl"' "$run/metrics.jsonl" | sed -n "$((before + 1))p" | json 'd["step"]')
# It continues from the savepoint's learner step: not from scratch, and with no step skipped. Steps
# the stopped job reported after the savepoint's barrier passed (generation completing during the
# stop) come again: the JSON-lines sinks are at-least-once, and check-run.py counts last occurrences.
[[ $resumed_at -gt 0 && $resumed_at -le $((stopped_at + 1)) ]] \
  || fail "the resumed job started at step $resumed_at; expected 1..$((stopped_at + 1)) (stopped at $stopped_at)"
say "job $job2 resumed at step $resumed_at from $savepoint (the stopped job reported up to step $stopped_at)"

say "3. SIGKILL the task manager running the learner"
wait_for 60 "a checkpoint of job $job2" completed_checkpoints_at_least "$job2" 1
learner_vertex=$(api "/jobs/$job2" | json '[v["id"] for v in d["vertices"] if v["name"].startswith("learner")][0]')
victim=$(api "/jobs/$job2/vertices/$learner_vertex" | json 'd["subtasks"][0]["taskmanager-id"]')
[[ -f $work/pids/$victim.pid ]] || fail "the learner runs on unknown task manager '$victim'"
kill -9 "$(cat "$work/pids/$victim.pid")"
rm -f "$work/pids/$victim.pid"
at_kill=$(rl_steps)
say "killed $victim at $at_kill RL steps"
wait_for 120 "job $job2 to recover and train 5 more steps" steps_at_least $((at_kill + 5))
restored=$(api "/jobs/$job2/checkpoints" | json '(d["latest"]["restored"] or {}).get("external_path", "")')
[[ $restored == *chk-* ]] || fail "job $job2 was not restored from a checkpoint (latest restore: '$restored')"
[[ $(job_state "$job2") == RUNNING ]] || fail "job $job2 is $(job_state "$job2") after the recovery"
say "job $job2 recovered from $restored and trains on: $(rl_steps) RL steps"

say "4. cancel, resubmit from the newest retained checkpoint with Flink's CLI"
curl -sS -X PATCH "$rest/jobs/$job2?mode=cancel" >/dev/null
wait_for 30 "job $job2 to be cancelled" state_is "$job2" CANCELED
checkpoint=$(api "/jobs/$job2/checkpoints" | json 'd["latest"]["completed"]["external_path"]')
[[ $checkpoint == *chk-* ]] || fail "job $job2 retained no checkpoint ('$checkpoint')"
before=$(rl_steps)
out=$(jobs/local-cluster.sh --dir "$work" flink run -d -s "$checkpoint" target/rollstream-job.jar \
  --config "$root/configs/ci/cluster.yaml" --run-dir "$run" --rest-url "$rest" 2>&1) || fail "flink run: $out"
job3=$(sed -n 's/.*Job has been submitted with JobID \([0-9a-f]*\).*/\1/p' <<<"$out" | head -n 1)
[[ -n $job3 ]] || fail "flink run printed no job id: $out"
[[ $(json 'd["job_id"]' < "$run/job.json") == "$job3" ]] || fail "job.json does not name job $job3"
wait_for 120 "job $job3 to train after resuming from $checkpoint" steps_at_least $((before + 3))
restored=$(api "/jobs/$job3/checkpoints" | json '(d["latest"]["restored"] or {}).get("external_path", "")')
[[ $restored == "$checkpoint" ]] || fail "job $job3 restored '$restored', not $checkpoint"
say "job $job3 (flink run) resumed from the retained checkpoint $checkpoint"

say "5. stop with a savepoint (jobs/rollstream stop RUN, through the job.json flink run wrote) and check the run"
out=$(jobs/rollstream stop "$run" 2>&1) || fail "rollstream stop: $out"
wait_for 30 "job $job3 to finish" state_is "$job3" FINISHED
python3 jobs/cluster/check-run.py "$run" --batch-size 16 --group-size 4 --min-steps 10 || fail "run invariants"

# The device-selection path: the GPU task manager's index reached the rollout operator, which fell
# back to the CPU (no CUDA here); the CPU task manager declares no GPU. Each ran generators at some
# point: the learner's task manager was killed, so the job ran on both.
grep -q "rollout subtask [0-9]* runs on cpu(): task manager GPU index 0 (external resource 'gpu'), but PyTorch sees no CUDA device" \
  "$work/log/tm-gpu-1.log" || fail "the GPU task manager's rollout subtasks did not report GPU index 0"
grep -q "rollout subtask [0-9]* runs on cpu(): no GPU declared" "$work/log/tm-cpu-1.log" \
  || fail "the CPU task manager's rollout subtasks did not report their CPU device"
say "GPU index 0 read from the external resource on tm-gpu-1 (CPU fallback), CPU on tm-cpu-1"
say "PASSED"
