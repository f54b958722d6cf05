#!/usr/bin/env python3
"""Checks a run directory's invariants after failures and resumes (jobs/cluster-test.sh).

usage: check-run.py RUN_DIR --batch-size B --group-size G [--min-steps N]

metrics.jsonl and rollouts.jsonl are appended by at-least-once sinks: after a restore from a
checkpoint, the steps after that checkpoint are written again. The history that counts is
therefore each step's *last* occurrence, and a rewind is only legal back to an earlier step. On
that history it checks docs/invariants.md's invariants 1 and 2: RL steps 0..N contiguous, every step
trained exactly B rollouts in whole groups of G, and no group trained at two steps.
"""
import argparse
import json
import sys


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def fail(message):
    print("check-run: FAILED: " + message)
    sys.exit(1)


def metrics_history(run_dir):
    """Step numbers as written, the number of rewinds, and the surviving step set."""
    steps = [m["step"] for m in lines(run_dir + "/metrics.jsonl") if m.get("phase") == "rl"]
    if not steps:
        fail("metrics.jsonl has no RL step")
    if steps[0] != 0:
        fail("the first RL step is %d, not 0" % steps[0])
    rewinds = 0
    for prev, step in zip(steps, steps[1:]):
        if step == prev + 1:
            continue
        if step <= prev:
            rewinds += 1  # a restore replays the steps after its checkpoint
            continue
        fail("metrics.jsonl jumps from step %d to %d: steps were lost" % (prev, step))
    last = max(steps)
    missing = sorted(set(range(last + 1)) - set(steps))
    if missing:
        fail("RL steps missing from metrics.jsonl: %s" % missing[:10])
    return steps, rewinds, last


def trained_batches(run_dir, groups_per_batch):
    """step -> the group lines of its last (complete) occurrence in rollouts.jsonl."""
    trained = [r for r in lines(run_dir + "/rollouts.jsonl") if "trained_step" in r]
    runs = []  # consecutive lines of one step: [step, [lines]]
    for r in trained:
        if runs and runs[-1][0] == r["trained_step"]:
            runs[-1][1].append(r)
        else:
            runs.append([r["trained_step"], [r]])
    batches = {}
    for step, group_lines in runs:
        # A run longer than one batch is a partial batch of a failed attempt followed by its replay.
        if len(group_lines) >= groups_per_batch:
            batches[step] = group_lines[-groups_per_batch:]
        else:
            batches[step] = group_lines  # incomplete: must be replaced by a later occurrence
    return batches


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run_dir")
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--group-size", type=int, required=True)
    p.add_argument("--min-steps", type=int, default=1)
    a = p.parse_args()
    groups_per_batch = a.batch_size // a.group_size
    steps, rewinds, last = metrics_history(a.run_dir)
    if last + 1 < a.min_steps:
        fail("only %d RL steps, expected at least %d" % (last + 1, a.min_steps))
    batches = trained_batches(a.run_dir, groups_per_batch)
    owner = {}
    for step in range(last + 1):
        batch = batches.get(step)
        if batch is None:
            fail("rollouts.jsonl has no trained groups for step %d" % step)
        rollouts = sum(len(g["rewards"]) for g in batch)
        if len(batch) != groups_per_batch or rollouts != a.batch_size:
            fail("step %d trained %d groups / %d rollouts, expected %d / %d"
                 % (step, len(batch), rollouts, groups_per_batch, a.batch_size))
        for g in batch:
            if g["group_id"] in owner:
                fail("group %s was trained at steps %d and %d" % (g["group_id"], owner[g["group_id"]], step))
            owner[g["group_id"]] = step
    print("check-run: OK: RL steps 0..%d contiguous (%d lines, %d rewinds after restores), %d groups"
          " trained once each, every batch %d rollouts in %d whole groups"
          % (last, len(steps), rewinds, len(owner), a.batch_size, groups_per_batch))


if __name__ == "__main__":
    main()
