"""Record PyTorch's values and gradients (float64) for tests/test_explain.py.

    python tests/data/explain/record.py   # needs torch==2.13.0

For each catalogue entry PyTorch has, the entry's function written with
torch.nn.functional (typed here by hand, never from mathml's formula) is
evaluated at a set of points, and torch.autograd gives its derivative with
respect to the entry's variable; at a kink that is the value PyTorch's backward
uses. The results go to torch_reference.json, committed so that CI compares
with torch's numbers without installing torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own convention

HERE = Path(__file__).resolve().parent
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

INPUTS = [-6.0, -3.0, -2.0, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 2.0, 3.0, 6.0]
T = torch.tensor


def _two_class_margin(yhat: torch.Tensor, y: float, p: int) -> torch.Tensor:
    # multi_margin_loss of the scores [0, ŷ] with class 1 for y = +1 and class 0 for
    # y = -1 is max(0, 1 − y·ŷ)^p / 2 (the mean over the two classes).
    scores = torch.stack([torch.zeros((), dtype=torch.float64), yhat]).unsqueeze(0)
    target = T([1 if y > 0 else 0])
    return 2 * F.multi_margin_loss(scores, target, p=p, margin=1.0)


# name -> (torch function of (variable, **given), the points: dicts of the variable and given)
ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "elu": lambda x: F.elu(x, 1.0),
    "selu": F.selu,
    "gelu": lambda x: F.gelu(x, approximate="none"),
    "silu": F.silu,
    "softplus": F.softplus,
    "mish": F.mish,
    "hard_sigmoid": F.hardsigmoid,
    "softsign": F.softsign,
    "step": lambda x: torch.heaviside(x, T(0.0, dtype=torch.float64)),
    # One output of a softmax over [z, log c] (c = 1: the other logit is 0).
    "softmax": lambda z: torch.softmax(torch.stack([z, T(0.0, dtype=torch.float64)]), 0)[0],
}

LOSSES = {
    "mse": (
        lambda yhat, y: F.mse_loss(yhat, T(y, dtype=torch.float64), reduction="none"),
        [(p, y) for y in (3.0, -1.0) for p in (-2.0, 1.0, 2.9, 3.0, 5.0, 8.0)],
    ),
    "mae": (
        lambda yhat, y: F.l1_loss(yhat, T(y, dtype=torch.float64), reduction="none"),
        [(p, y) for y in (3.0, -1.0) for p in (-2.0, -1.0, 1.0, 3.0, 5.0)],
    ),
    "huber": (
        lambda yhat, y: F.huber_loss(yhat, T(y, dtype=torch.float64), reduction="none", delta=1.0),
        [(p, y) for y in (3.0, 0.0) for p in (-2.0, 0.0, 2.0, 2.5, 3.0, 3.5, 4.0, 6.0)],
    ),
    "bce": (
        lambda yhat, y: F.binary_cross_entropy(yhat, T(y, dtype=torch.float64), reduction="none"),
        [(p, y) for y in (1.0, 0.0, 0.3) for p in (0.01, 0.1, 0.5, 0.9, 0.99)],
    ),
    "bce_logits": (
        lambda z, y: F.binary_cross_entropy_with_logits(
            z, T(y, dtype=torch.float64), reduction="none"
        ),
        [(p, y) for y in (1.0, 0.0, 0.3) for p in (-40.0, -10.0, -2.0, 0.0, 2.0, 10.0, 40.0)],
    ),
    "hinge": (
        lambda yhat, y: _two_class_margin(yhat, y, 1),
        [(p, y) for y in (1.0, -1.0) for p in (-2.0, -1.0, 0.0, 0.5, 1.0, 2.0)],
    ),
    "squared_hinge": (
        lambda yhat, y: _two_class_margin(yhat, y, 2),
        [(p, y) for y in (1.0, -1.0) for p in (-2.0, -1.0, 0.0, 0.5, 1.0, 2.0)],
    ),
    "kl_div": (
        lambda yhat, y: F.kl_div(torch.log(yhat), T(y, dtype=torch.float64), reduction="none"),
        [(p, y) for y in (0.5, 0.2, 1.0) for p in (0.1, 0.25, 0.5, 0.75, 1.0)],
    ),
}


def _record(function, variable: float, given: dict[str, float]) -> dict[str, float | None]:
    x = T(variable, dtype=torch.float64, requires_grad=True)
    value = function(x, **given)
    try:
        value.backward()
        grad = float(x.grad) if x.grad is not None else None
    except RuntimeError:  # heaviside has no derivative in autograd
        grad = None
    return {"value": float(value.detach()), "derivative": grad}


def main() -> None:
    cases: dict[str, list[dict[str, object]]] = {}
    for name, function in ACTIVATIONS.items():
        variable = "z" if name == "softmax" else "x"
        cases[name] = [{"point": {variable: x}, **_record(function, x, {})} for x in INPUTS]
    for name, (function, points) in LOSSES.items():
        variable = "z" if name == "bce_logits" else "yhat"
        cases[name] = [
            {"point": {variable: p, "y": y}, **_record(function, p, {"y": y})} for p, y in points
        ]
    # Categorical cross-entropy: PyTorch's loss from logits against the sum of
    # mathml's per-class term −y_i·log(ŷ_i) over ŷ = softmax(logits).
    cross_entropy = []
    for logits, target in (([2.0, 1.0, 0.1], [0.0, 1.0, 0.0]), ([0.5, -1.0, 3.0], [0.2, 0.3, 0.5])):
        loss = F.cross_entropy(T([logits], dtype=torch.float64), T([target], dtype=torch.float64))
        probabilities = torch.softmax(T(logits, dtype=torch.float64), 0).tolist()
        cross_entropy.append(
            {"probabilities": probabilities, "target": target, "loss": float(loss)}
        )
    # L2 as weight decay: one torch.optim.SGD step with weight_decay=λ on a loss whose
    # own gradient is 0 moves w by −lr·(the regularizer's gradient).
    decay = []
    for w in (-2.0, -0.5, 0.5, 2.0):
        parameter = torch.nn.Parameter(T([w], dtype=torch.float64))
        optimizer = torch.optim.SGD([parameter], lr=0.1, weight_decay=0.01)
        (parameter * 0).sum().backward()
        optimizer.step()
        adamw_parameter = torch.nn.Parameter(T([w], dtype=torch.float64))
        adamw = torch.optim.AdamW([adamw_parameter], lr=0.1, weight_decay=0.01)
        (adamw_parameter * 0).sum().backward()
        adamw.step()
        decay.append(
            {
                "w": w,
                "lr": 0.1,
                "lam": 0.01,
                "sgd": float(parameter.detach()[0]),
                "adamw": float(adamw_parameter.detach()[0]),
            }
        )
    l1 = []
    for w in (-2.0, 0.0, 0.5):
        x = T(w, dtype=torch.float64, requires_grad=True)
        (0.01 * torch.abs(x)).backward()
        l1.append({"point": {"w": w}, "derivative": float(x.grad)})
    payload = {
        "torch": torch.__version__,
        "cases": cases,
        "cross_entropy": cross_entropy,
        "weight_decay": decay,
        "l1": l1,
    }
    (HERE / "torch_reference.json").write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
