#!/usr/bin/env python3
"""Reference steps of torch.optim.AdamW, written from its documented algorithm in NumPy (float64).

The Java test io.rollstream.learner.AdamWTest embeds the numbers this prints. torch.optim.AdamW
(defaults: amsgrad=False, maximize=False), per step t for a parameter p with gradient g:

    p     <- p * (1 - lr * weight_decay)
    m     <- beta1 * m + (1 - beta1) * g
    v     <- beta2 * v + (1 - beta2) * g^2
    m_hat  = m / (1 - beta1^t)
    v_hat  = v / (1 - beta2^t)
    p     <- p - lr * m_hat / (sqrt(v_hat) + eps)

eps is added after bias-correcting the second moment. Rollstream decays matrices only (names ending
in .w), so the bias "b" below has weight_decay 0.

Run: python3 src/test/python/adamw_reference.py
"""
import numpy as np

LR, BETA1, BETA2, EPS, WD = 0.01, 0.9, 0.99, 1e-3, 0.1
PARAMS = {"layer.w": np.array([0.5, -1.0, 2.0]), "layer.b": np.array([0.1, -0.2])}
# Small gradients, so that eps (1e-3) is comparable to sqrt(v_hat) and its placement matters.
GRADS = [
    {"layer.w": np.array([1e-3, -2e-3, 5e-4]), "layer.b": np.array([3e-3, -1e-4])},
    {"layer.w": np.array([-5e-4, 1e-3, 2e-3]), "layer.b": np.array([1e-3, 4e-4])},
    {"layer.w": np.array([2e-3, 2e-3, -1e-3]), "layer.b": np.array([-2e-3, 1e-4])},
]


def torch_adamw(params, grads_per_step):
    p = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(x) for k, x in params.items()}
    for t, grads in enumerate(grads_per_step, start=1):
        for name in p:
            g = grads[name]
            wd = WD if name.endswith(".w") else 0.0
            p[name] = p[name] * (1 - LR * wd)
            m[name] = BETA1 * m[name] + (1 - BETA1) * g
            v[name] = BETA2 * v[name] + (1 - BETA2) * g * g
            m_hat = m[name] / (1 - BETA1 ** t)
            v_hat = v[name] / (1 - BETA2 ** t)
            p[name] = p[name] - LR * m_hat / (np.sqrt(v_hat) + EPS)
    return p


if __name__ == "__main__":
    out = torch_adamw(PARAMS, GRADS)
    for name, value in out.items():
        print(name, ", ".join(f"{x:.9f}" for x in value))
