#!/usr/bin/env bash
# Chaos test: N runs, each SIGKILLed at a random moment and resumed from its run directory, then
# checked against the invariants of one uninterrupted run. A third of the kills land during the SFT
# warm start; the rest in RL, at a random learner step, while a checkpoint is being written, or
# while the final savepoint is being written. Each run is resumed with
# `rollstream run --resume-from RUN_DIR` and checked:
#   - SFT steps 0..S-1 and RL steps 0..T-1 in metrics.jsonl, each once;
#   - no group logged or trained twice; exactly batch_size trained rollouts per step;
#   - every trained group's staleness in [0, max_off_policy_steps];
#   - no group lost: with a fixed problem set (data.max_problems > 0) no gap in a problem's
#     admissions, with fresh problems no unlogged problem below the newest trained one, beyond what
#     the final savepoint may hold (problems_per_batch x (max_async_level + max_off_policy_steps + 2));
#   - no problem generated again after a group put it in the easy or hard pool;
#   - no automatic restart (a clean run restarts zero times), and the resume on record in events.jsonl.
# Prints one table row per run and a summary line; exits 1 if any run failed.
#   jobs/e2e-kill-resume.sh [--runs N] [--config CONFIG] [--dir DIR] [--seed S]
# Defaults: 1 run of configs/ci/chaos.yaml in a fresh temporary directory, a random seed.
# Needs python3. 15-40 s per run on 2 cores (docs/reliability.md has a run with --runs 20).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=1
config="$root/configs/ci/chaos.yaml"
dir=""
seed="$RANDOM"
while (( $# > 0 )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "e2e: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then echo "e2e: --runs must be a positive number, got $runs" >&2; exit 2; fi
if [[ ! -f "$config" ]]; then echo "e2e: --config $config: no such file" >&2; exit 2; fi
config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
dir="${dir:-$(mktemp -d /tmp/rollstream-e2e-XXXXXX)}"
mkdir -p "$dir"
"$root/jobs/rollstream" --help >/dev/null   # build once, outside the timed part
exec python3 - "$root" "$config" "$dir" "$runs" "$seed" <<'PY'
import json, os, random, re, signal, subprocess, sys, time

root, config, out, runs, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
launcher = os.path.join(root, "jobs", "rollstream")
rng = random.Random(seed)


def read_config(path):
    """The resolved config.yaml: {section: {key: text}} (every key is written, two-space indented)."""
    sections, current = {}, None
    for line in open(path):
        m = re.match(r"^(\w+):\s*$", line)
        if m:
            current = sections.setdefault(m.group(1), {})
            continue
        m = re.match(r"^  (\w+): (.*?)\s*$", line)
        if m and current is not None:
            current[m.group(1)] = m.group(2)
    return sections


def number(text):
    return None if text in (None, "null") else float(text)


def lines(path):
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line cut by the kill, at the end of a file the resume rewrote
    return out


def count_phase(run, phase):
    path = os.path.join(run, "metrics.jsonl")
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return f.read().count(b'"phase":"%s"' % phase.encode())


def in_progress(folder, prefix):
    """A checkpoint or savepoint folder being written: created, its _metadata (written last) not yet."""
    if not os.path.isdir(folder):
        return None
    for entry in os.scandir(folder):
        if entry.is_dir():
            if entry.name.startswith(prefix) and not os.path.exists(os.path.join(entry.path, "_metadata")):
                return entry.name
            if prefix == "chk-":
                found = in_progress(entry.path, prefix)  # checkpoints/<job id>/chk-N
                if found:
                    return found
    return None


def mode_of(i):
    """A third of the kills during SFT; the RL ones cycle through a step, a checkpoint, the savepoint."""
    if i % 3 == 0:
        return "sft"
    return ["checkpoint", "rl step", "savepoint", "rl step"][(i - i // 3 - 1) % 4]


def kill_one(run, mode, sft_steps, rl_steps, log):
    """Starts a run and SIGKILLs it at the chosen moment; returns where it was killed."""
    process = subprocess.Popen([launcher, "run", "--config", config, "--run-dir", run],
                               stdout=log, stderr=subprocess.STDOUT, cwd=root)
    target = {"sft": rng.randint(1, sft_steps - 1), "rl step": rng.randint(0, rl_steps - 4),
              "checkpoint": rng.randint(1, rl_steps - 8), "savepoint": None}[mode]
    deadline = time.time() + 600
    where = None
    while where is None:
        if process.poll() is not None:
            return "missed: the run ended (exit %d)" % process.returncode
        if time.time() > deadline:
            where = "timeout"
            break
        sft, rl = count_phase(run, "sft"), count_phase(run, "rl")
        if mode == "sft" and sft >= target:
            where = "sft step %d" % sft
        elif mode == "rl step" and rl > target:
            where = "rl step %d" % rl
        elif mode == "checkpoint" and rl >= target:
            chk = in_progress(os.path.join(run, "checkpoints"), "chk-")
            if chk:
                where = "rl step %d, %s being written" % (rl, chk)
            elif rl >= rl_steps - 2:
                where = "rl step %d (no checkpoint caught in progress)" % rl
        elif mode == "savepoint":
            sp = in_progress(os.path.join(run, "savepoints"), "savepoint-")
            if sp:
                where = "rl step %d, %s being written" % (rl, sp)
        if where is None:
            time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return where


def resumed_at(event):
    """Where a resume continued: phase, step and what it restored (a checkpoint, a savepoint, a saved state)."""
    source = event.get("from", "")
    if "/chk-" in source or "savepoint-" in source or source.endswith(".rsckpt"):
        source = os.path.basename(source.rstrip("/"))
    return "%s step %s (%s)" % (event.get("phase", "?"), event.get("step", "?"), source)


def check(run, sft_steps, rl_steps):
    """The invariants on the run directory's records; returns (errors, facts)."""
    cfg = read_config(os.path.join(run, "config.yaml"))
    batch, group = int(number(cfg["buffer"]["batch_size"])), int(number(cfg["rollout"]["rollouts_per_example"]))
    max_off, max_async = int(number(cfg["async"]["max_off_policy_steps"])), int(number(cfg["async"]["max_async_level"]))
    per_batch = int(number(cfg["buffer"]["oversampling_factor"]) * batch / group)
    easy, hard = number(cfg["buffer"].get("easy_threshold")), number(cfg["buffer"].get("hard_threshold"))
    fixed_set = int(number(cfg["data"]["max_problems"])) > 0
    held = per_batch * (max_async + max_off + 2)
    errors = []
    metrics = lines(os.path.join(run, "metrics.jsonl"))
    sft = [m["step"] for m in metrics if m.get("phase") == "sft"]
    rl = [m["step"] for m in metrics if m.get("phase") == "rl"]
    if sft != list(range(sft_steps)):
        errors.append("sft steps %s, expected 0..%d once each" % (sft, sft_steps - 1))
    if rl != list(range(rl_steps)):
        errors.append("rl steps %s, expected 0..%d once each" % (rl, rl_steps - 1))
    seen, per_step, admissions, positions, newest_trained = set(), {}, {}, set(), -1
    for g in lines(os.path.join(run, "rollouts.jsonl")):
        if g["group_id"] in seen:
            errors.append("group %s logged twice" % g["group_id"])
        seen.add(g["group_id"])
        admissions.setdefault(g["problem_id"], []).append(g)
        position = int(g["problem_id"].rsplit("/", 1)[1])
        positions.add(position)
        if "trained_step" in g:
            newest_trained = max(newest_trained, position)
            per_step[g["trained_step"]] = per_step.get(g["trained_step"], 0) + len(g["rewards"])
            stale = g["trained_step"] - g["policy_version"]
            if not 0 <= stale <= max_off:
                errors.append("group %s has staleness %d" % (g["group_id"], stale))
    if sorted(per_step) != list(range(rl_steps)) or any(n != batch for n in per_step.values()):
        errors.append("trained rollouts per step: %s (expected %d for each step)" % (per_step, batch))
    if fixed_set:
        # Every admission of a problem below its newest logged one must be logged, except groups the
        # final savepoint still holds.
        missing = sum(max(g["admission"] for g in gs) + 1 - len(gs) for gs in admissions.values())
    else:
        # Fresh problems are admitted in input order: up to the newest trained one, every position.
        missing = newest_trained + 1 - len([p for p in positions if p <= newest_trained])
    if missing > held:
        errors.append("%d admitted groups never logged (at most %d may be held in the final savepoint)"
                      % (missing, held))
    pooled = 0
    for problem, gs in admissions.items():
        gs.sort(key=lambda g: g["admission"])
        for i, g in enumerate(gs):
            mean = sum(g["rewards"]) / len(g["rewards"])
            if (easy is not None and mean >= easy) or (hard is not None and mean <= hard):
                pooled += 1
                if i + 1 < len(gs):
                    errors.append("problem %s generated again (admission %d) after admission %d put it in the"
                                  " %s pool" % (problem, gs[i + 1]["admission"], g["admission"],
                                                "easy" if easy is not None and mean >= easy else "hard"))
                break
    events = lines(os.path.join(run, "events.jsonl"))
    restarts = sum(1 for e in events if e.get("event") == "restart")
    if restarts:
        errors.append("%d automatic restart(s): %s" % (restarts, [e.get("cause") for e in events
                                                                   if e.get("event") == "restart"]))
    resumes = [e for e in events if e.get("event") == "resume"]
    if not any(e.get("after") == "interruption" for e in resumes):
        errors.append("events.jsonl has no resume after the interruption: %s" % [e.get("event") for e in events])
    facts = {"groups": len(seen), "trained": sum(per_step.values()) // group, "missing": missing, "held": held,
             "pooled": pooled, "restarts": restarts,
             "resumed": resumed_at(resumes[0]) if resumes else "-"}
    return errors, facts


base = read_config(config)
sft_steps, rl_steps = int(number(base["sft"]["steps"])), int(number(base["job"]["max_steps"]))
if sft_steps < 4 or rl_steps < 10:
    sys.exit("e2e: the config needs sft.steps >= 4 and job.max_steps >= 10 to place kills in both phases")
print("e2e: %d run(s) of %s in %s (seed %d); load average %s" % (runs, os.path.relpath(config, root), out, seed,
                                                                 open("/proc/loadavg").read().split()[:3]))
header = "| run | killed | where | resumed at | SFT | RL | groups | trained | unlogged (bound) | pooled | restarts | s | result |"
print(header)
print("|" + "---|" * (header.count("|") - 1))
results = []
for i in range(runs):
    run = os.path.join(out, "run-%02d" % i)
    mode = mode_of(i)
    started = time.time()
    with open(run + ".first.log", "w") as first:
        where = kill_one(run, mode, sft_steps, rl_steps, first)
    with open(run + ".resume.log", "w") as second:
        rc = subprocess.call([launcher, "run", "--config", os.path.join(run, "config.yaml"), "--resume-from", run],
                             stdout=second, stderr=subprocess.STDOUT, cwd=root)
    errors, facts = ([], {})
    if rc != 0:
        errors = ["the resumed run failed (exit %d): see %s.resume.log" % (rc, run)]
    else:
        errors, facts = check(run, sft_steps, rl_steps)
    if where.startswith("missed") or where == "timeout":
        errors.append("the kill did not happen: " + where)
    results.append((mode, where, errors))
    metrics = lines(os.path.join(run, "metrics.jsonl"))
    print("| %d | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %.0f | %s |" % (
        i, mode, where, facts.get("resumed", "-"),
        sum(1 for m in metrics if m.get("phase") == "sft"), sum(1 for m in metrics if m.get("phase") == "rl"),
        facts.get("groups", "-"), facts.get("trained", "-"),
        "%s (%s)" % (facts["missing"], facts["held"]) if facts else "-", facts.get("pooled", "-"),
        facts.get("restarts", "-"), time.time() - started, "ok" if not errors else "FAILED"), flush=True)
    for e in errors:
        print("e2e: run %d: %s" % (i, e), flush=True)

failed = [r for r in results if r[2]]
kinds = {m: sum(1 for r in results if r[0] == m) for m in ("sft", "rl step", "checkpoint", "savepoint")}
caught = sum(1 for r in results if "being written" in r[1])
print("e2e summary: %d runs killed (%d in SFT, %d at an RL step, %d aimed at a checkpoint and %d at the final"
      " savepoint; %d caught mid-write), resumed and checked: %d passed, %d failed"
      % (len(results), kinds["sft"], kinds["rl step"], kinds["checkpoint"], kinds["savepoint"], caught,
         len(results) - len(failed), len(failed)))
sys.exit(1 if failed else 0)
PY
