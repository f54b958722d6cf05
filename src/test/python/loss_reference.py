#!/usr/bin/env python3
"""Reference vectors for Rollstream's losses, advantages and reward shaping, written in NumPy from the
papers' own definitions -- never from the Java code under test.

Writes src/test/resources/reference/loss_vectors.json, which io.rollstream.learner.LossVectorsTest and
io.rollstream.batch.AdvantagesTest read. Run from the repository root:

    python3 src/test/python/loss_reference.py

Each loss case gives the objective's value and its gradient with respect to every token's log-prob
under the current policy. Gradients are central finite differences (float64) of the paper's objective
with every stop-gradient quantity (sg) frozen at the evaluation point -- that is what sg means -- so
they check the Java autograd independently of any hand derivation.

Definitions used (per token t of sequence i; r = pi/mu the ratio to the behaviour policy mu,
A_i the sequence's advantage, |o_i| its length, G the number of sequences):
  DAPO (Yu et al. 2025, eq. 8): J = 1/sum|o_i| * sum_i sum_t min(r A, clip(r, 1-e_low, 1+e_high) A)
  GRPO (Shao et al. 2024, eq. 3, without KL): J = 1/G sum_i 1/|o_i| sum_t min(r A, clip(r) A)
  Dr. GRPO (Liu et al. 2025): J = 1/G sum_i sum_t min(r A, clip(r) A) / L   (L a constant budget)
  GSPO (Zheng et al. 2025, eq. 5-7): s_i = exp(1/|o_i| sum_t log r), J = 1/G sum_i min(s_i A, clip(s_i) A)
  CISPO (MiniMax-M1 2025, eq. 4): J = 1/sum|o_i| sum_i sum_t sg(clip(r, 1-e_low, 1+e_high)) A log pi
  Truncated IS (Yao et al. 2025): the gradient of token t carries min(w, C) instead of r, with w the token
    ratio, or the sequence ratio rho_i = prod_t r (sequence level): J = sum sg(min(w,C)/r) r A / sum|o|
  Masking (rejection): tokens (or whole sequences) whose ratio -- token r, sequence rho_i, or geometric
    mean rho_i^(1/|o_i|) -- lies outside [low, high] leave the loss (the normaliser keeps them).
  Reverse-KL distillation, off-policy (Agarwal et al. / Thinking Machines; importance-weighted):
    J = 1/sum|o| sum sg(w) (log T - sg(log pi)) log pi,  w = min(r, C) or min(rho_i, C)
  KL to a reference (Schulman's estimators, d = log pi - log ref): k1 = d, k2 = d^2/2,
    k3 = exp(-d) - 1 + d; loss = beta/sum|o| sum k
  RLOO (Ahmadian et al. 2024): A_i = r_i - 1/(G-1) sum_{j != i} r_j
  GRPO advantage: (r_i - mean) / (std + 1e-6), population std; Dr. GRPO / group mean: r_i - mean
  DAPO soft overlong punishment (eq. 13): 0 if |y| <= L_max - L_cache,
    ((L_max - L_cache) - |y|) / L_cache if |y| <= L_max, -1 beyond.
"""
import json
import math
import os

import numpy as np

# Three sequences over width 3 (the third has one token): current and behaviour probabilities.
P = np.array([[0.5, 0.3, 0.9], [0.2, 0.6, 0.1], [0.7, 0.5, 0.5]])
MU = np.array([[0.4, 0.5, 0.6], [0.24, 0.3, 0.5], [0.7, 0.5, 0.5]])
TEACHER = np.array([[0.6, 0.1, 0.8], [0.3, 0.3, 0.2], [0.9, 0.5, 0.5]])
REFERENCE = np.array([[0.45, 0.35, 0.7], [0.25, 0.5, 0.2], [0.6, 0.5, 0.5]])
MASK = np.array([[1, 1, 1], [1, 1, 1], [1, 0, 0]], dtype=float)
ADV = np.array([[1.0] * 3, [-0.5] * 3, [2.0] * 3])
L_BUDGET = 4
LOGP = np.log(P)
LOGMU = np.log(MU)


def clip(x, low, high):
    return np.minimum(np.maximum(x, 1 - low), 1 + high)


def aggregate(per_token, how):
    n = MASK.sum(axis=1)
    g = (n > 0).sum()
    if how == "token_mean":
        return (per_token * MASK).sum() / MASK.sum()
    if how == "seq_mean_token_sum":
        return (per_token * MASK).sum() / (g * L_BUDGET)
    if how == "seq_mean_token_mean":
        return ((per_token * MASK).sum(axis=1) / n).sum() / g
    raise ValueError(how)


def keep_mask(logp, base, case):
    """1 where a token stays in the loss under the case's masking (decided on frozen base values)."""
    mode = case.get("mask", "none")
    log_r = (base - LOGMU) * MASK
    if mode == "none":
        return MASK.copy()
    if mode == "token":
        level = log_r
    elif mode == "sequence":
        level = np.repeat(log_r.sum(axis=1, keepdims=True), 3, axis=1)
    else:
        level = np.repeat(log_r.sum(axis=1, keepdims=True) / MASK.sum(axis=1, keepdims=True), 3, axis=1)
    inside = (level >= math.log(case["mask_low"])) & (level <= math.log(case["mask_high"]))
    return inside * MASK


def is_weight(base, case):
    """The truncated importance weight, from frozen base values."""
    log_r = (base - LOGMU) * MASK
    mode = case.get("truncate", "none")
    if mode == "token":
        return np.minimum(np.exp(log_r), case["cap"])
    if mode == "sequence":
        return np.repeat(np.minimum(np.exp(log_r.sum(axis=1, keepdims=True)), case["cap"]), 3, axis=1)
    return np.exp(log_r)


def objective(logp, base, case):
    """The loss (= -J) at log-probs logp, with every sg() quantity taken at base."""
    kind = case["loss"]
    r = np.exp(logp - LOGMU)
    keep = keep_mask(logp, base, case)
    how = case["aggregation"]
    if kind == "ppo_clip":
        lo, hi = case["clip_low"], case["clip_high"]
        factor = is_weight(base, case) / np.exp(base - LOGMU)  # sg(w / r): truncated IS, 1 without it
        per_token = np.minimum(r * ADV, clip(r, lo, hi) * ADV) * factor * keep
        return -aggregate(per_token, how)
    if kind == "dppo":
        factor = is_weight(base, case) / np.exp(base - LOGMU)
        return -aggregate(r * ADV * factor * keep, how)
    if kind == "gspo":
        lo, hi = case["clip_low"], case["clip_high"]
        n = MASK.sum(axis=1)
        s = np.exp(((logp - LOGMU) * MASK).sum(axis=1) / n)
        a = ADV[:, 0]
        keep_seq = keep[:, 0]
        per_seq = np.minimum(s * a, clip(s, lo, hi) * a) * keep_seq
        assert how == "seq_mean_token_mean"
        return -per_seq.sum() / len(n)
    if kind == "cispo":
        lo, hi = case["clip_low"], case["clip_high"]
        w = clip(np.exp(base - LOGMU), lo, hi)
        return -aggregate(w * ADV * logp * keep, how)
    if kind == "reverse_kl":
        reward = np.log(TEACHER) - base
        return -aggregate(is_weight(base, case) * reward * logp * keep, how)
    if kind.startswith("kl_"):
        d = logp - np.log(REFERENCE)
        k = {"kl_k1": d, "kl_k2": d * d / 2, "kl_k3": np.exp(-d) - 1 + d}[kind]
        return aggregate(case["coefficient"] * k, how)
    raise ValueError(kind)


def gradient(case, eps=1e-6):
    g = np.zeros_like(LOGP)
    for idx in zip(*np.nonzero(MASK)):
        up, down = LOGP.copy(), LOGP.copy()
        up[idx] += eps
        down[idx] -= eps
        g[idx] = (objective(up, LOGP, case) - objective(down, LOGP, case)) / (2 * eps)
    return g


CASES = [
    {"name": "dapo_ppo_clip_token_mean", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "token_mean"},
    {"name": "grpo_ppo_clip_seq_mean_token_mean", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "seq_mean_token_mean"},
    {"name": "dr_grpo_ppo_clip_seq_mean_token_sum", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "seq_mean_token_sum"},
    {"name": "gspo", "loss": "gspo", "clip_low": 0.05, "clip_high": 0.05, "aggregation": "seq_mean_token_mean"},
    {"name": "cispo", "loss": "cispo", "clip_low": 1.0, "clip_high": 0.28, "aggregation": "token_mean"},
    {"name": "dppo_token_tis", "loss": "dppo", "truncate": "token", "cap": 1.3, "aggregation": "token_mean"},
    {"name": "dppo_sequence_tis", "loss": "dppo", "truncate": "sequence", "cap": 1.1, "aggregation": "token_mean"},
    {"name": "ppo_clip_token_mask", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "token_mean", "mask": "token", "mask_low": 0.5, "mask_high": 1.8},
    {"name": "ppo_clip_sequence_mask", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "token_mean", "mask": "sequence", "mask_low": 0.5, "mask_high": 2.0},
    {"name": "gspo_geometric_mask", "loss": "gspo", "clip_low": 0.05, "clip_high": 0.05,
     "aggregation": "seq_mean_token_mean", "mask": "geometric", "mask_low": 0.9, "mask_high": 1.1},
    {"name": "ppo_clip_token_tis_dual", "loss": "ppo_clip", "clip_low": 0.2, "clip_high": 0.28,
     "aggregation": "token_mean", "truncate": "token", "cap": 1.6},
    {"name": "reverse_kl_token_tis", "loss": "reverse_kl", "truncate": "token", "cap": 2.0,
     "aggregation": "token_mean"},
    {"name": "reverse_kl_sequence_tis", "loss": "reverse_kl", "truncate": "sequence", "cap": 1.1,
     "aggregation": "token_mean"},
    {"name": "kl_k1", "loss": "kl_k1", "coefficient": 0.1, "aggregation": "token_mean"},
    {"name": "kl_k2", "loss": "kl_k2", "coefficient": 0.1, "aggregation": "token_mean"},
    {"name": "kl_k3", "loss": "kl_k3", "coefficient": 0.1, "aggregation": "token_mean"},
]


def advantages(rewards, how):
    r = np.array(rewards, dtype=float)
    g = len(r)
    if np.all(r == r[0]):
        return np.zeros(g)
    mean = r.mean()
    if how in ("group_mean", "dr_grpo"):
        return r - mean
    if how == "group_mean_std":
        return (r - mean) / (r.std() + 1e-6)
    if how == "rloo":
        return np.array([r[i] - (r.sum() - r[i]) / (g - 1) for i in range(g)])
    raise ValueError(how)


def soft_overlong(length, l_max, l_cache, penalty=1.0):
    if length <= l_max - l_cache:
        return 0.0
    if length <= l_max:
        return penalty * ((l_max - l_cache) - length) / l_cache
    return -penalty


def main():
    out = {"inputs": {"logp": LOGP.tolist(), "behaviour": LOGMU.tolist(), "teacher": np.log(TEACHER).tolist(),
                      "reference": np.log(REFERENCE).tolist(), "mask": MASK.tolist(), "advantages": ADV.tolist(),
                      "budget": L_BUDGET},
           "losses": []}
    for case in CASES:
        entry = dict(case)
        entry["value"] = float(objective(LOGP, LOGP, case))
        entry["gradient"] = gradient(case).tolist()
        out["losses"].append(entry)
    adv_cases = []
    for rewards in ([1, 0, 0, 1, 1], [0.3, 0.9, 0.1, 0.7], [0.5, 0.5, 0.5]):
        for how in ("group_mean", "group_mean_std", "rloo", "dr_grpo"):
            adv_cases.append({"rewards": rewards, "estimator": how, "advantages": advantages(rewards, how).tolist()})
    out["advantages"] = adv_cases
    out["soft_overlong"] = [{"length": n, "max_tokens": 8, "cache_tokens": 3, "penalty": p,
                             "reward": soft_overlong(n, 8, 3, p)}
                            for n in (2, 5, 6, 7, 8, 9) for p in (1.0, 0.5)]
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "reference", "loss_vectors.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for e in out["losses"]:
        print(f'{e["name"]:40s} value {e["value"]:+.6f}')


if __name__ == "__main__":
    main()
