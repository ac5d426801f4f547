"""Record torch.autograd gradients (float64) for tests/test_backprop_fixtures.py.

    /tmp/venv/bin/python tests/data/backprop/record.py   # needs torch==2.13.0

Each case names a function twice: as mathml text, and as the same function
written with torch operations (typed here by hand), so torch's autograd is the
oracle. The output and gradients go to torch_gradients.json, committed so
that CI compares with torch's numbers without installing torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own convention

HERE = Path(__file__).resolve().parent


def micrograd_more_ops(a, b):
    """micrograd's test_more_ops, in torch (its `+=` rebinds a name to a new tensor)."""
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + F.relu(b + a)
    d = d + 3 * d + F.relu(b - a)
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def micrograd_sanity(x):
    z = 2 * x + 2 + x
    q = F.relu(z) + z * x
    h = F.relu(z * z)
    return h + q + q * x


def neuron_step(b, t, w1, w2, x1, x2):
    s = b
    s = s + w1 * x1
    s = s + w2 * x2
    o = torch.tanh(s)
    loss = (o - t) ** 2
    loss = loss * 0.5
    return loss


# name, mathml text (an expression or a program), torch function (keyword
# arguments: the inputs), point
CASES = [
    (
        "program-issue-example",
        "h = x**2; y = h + 3; z = y*2",
        lambda x: (x**2 + 3) * 2,
        {"x": 2.0},
    ),
    (
        "program-micrograd-more-ops",
        """c = a + b
d = a*b + b**3
c += c + 1
c += 1 + c + (-a)
d += d*2 + relu(b + a)
d += 3*d + relu(b - a)
e = c - d
f = e**2
g = f/2.0
g += 10.0/f""",
        micrograd_more_ops,
        {"a": -4.0, "b": 2.0},
    ),
    (
        "program-micrograd-sanity",
        "z = 2*x + 2 + x; q = relu(z) + z*x; h = relu(z*z); y = h + q + q*x",
        micrograd_sanity,
        {"x": -4.0},
    ),
    (
        "program-neuron-step",
        "s = b\ns += w1*x1\ns += w2*x2\no = tanh(s)\nL = (o - t)**2\nL *= 0.5",
        neuron_step,
        {"x1": 2.0, "x2": -1.0, "w1": -0.6, "w2": 0.4, "b": 0.3, "t": 1.0},
    ),
    (
        "seed-neuron",
        "sigmoid(w1*x1 + w2*x2 + b)",
        lambda b, w1, w2, x1, x2: torch.sigmoid(w1 * x1 + w2 * x2 + b),
        {"x1": 1.0, "x2": 2.0, "w1": 0.5, "w2": -0.3, "b": 0.1},
    ),
    (
        "karpathy",
        "(a*b + c)*f",
        lambda a, b, c, f: (a * b + c) * f,
        {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0},
    ),
    (
        "tanh-neuron",
        "tanh(x1*w1 + x2*w2 + b)",
        lambda b, w1, w2, x1, x2: torch.tanh(x1 * w1 + x2 * w2 + b),
        {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432},
    ),
    (
        "shared-product",
        "x*y + sin(x*y)",
        lambda x, y: x * y + torch.sin(x * y),
        {"x": 1.0, "y": 2.0},
    ),
    (
        "shared-sigmoid",
        "sigmoid(w*x)*(1 - sigmoid(w*x))",
        lambda w, x: torch.sigmoid(w * x) * (1 - torch.sigmoid(w * x)),
        {"w": 0.7, "x": -1.3},
    ),
    (
        "relu-at-zero",
        "relu(x)*y + relu(y - 2)",
        lambda x, y: F.relu(x) * y + F.relu(y - 2),
        {"x": 0.0, "y": 2.0},
    ),
    (
        "log-loss",
        "-(t*log(sigmoid(w*x + b)) + (1 - t)*log(1 - sigmoid(w*x + b)))",
        lambda b, t, w, x: (
            -(
                t * torch.log(torch.sigmoid(w * x + b))
                + (1 - t) * torch.log(1 - torch.sigmoid(w * x + b))
            )
        ),
        {"w": 0.8, "x": 1.5, "b": -0.4, "t": 1.0},
    ),
    (
        "two-hidden-units",
        "tanh(v1*relu(a*x + c) + v2*softplus(d*x - c))",
        lambda a, c, d, v1, v2, x: torch.tanh(v1 * F.relu(a * x + c) + v2 * F.softplus(d * x - c)),
        {"a": 0.6, "c": 0.2, "d": -1.1, "v1": 0.9, "v2": -0.7, "x": 1.3},
    ),
    (
        "powers-and-division",
        "x**y/(1 + x**2) + exp(-y)*cos(x)",
        lambda x, y: x**y / (1 + x**2) + torch.exp(-y) * torch.cos(x),
        {"x": 1.7, "y": 2.5},
    ),
    (
        "squared-error",
        "(w*x + b - t)**2/2",
        lambda b, t, w, x: (w * x + b - t) ** 2 / 2,
        {"w": 1.5, "x": 2.0, "b": -0.5, "t": 4.0},
    ),
    (
        "log-softplus-sin",
        "log(softplus(x) + 1)*sin(x*y) - x/y",
        lambda x, y: torch.log(F.softplus(x) + 1) * torch.sin(x * y) - x / y,
        {"x": -0.8, "y": 1.9},
    ),
]


def two_layer_batch(W1, W2, X, b1, b2, y):
    h = F.relu(X @ W1.T + b1)
    z = h @ W2.T + b2
    return F.cross_entropy(z, y)


def two_layer_vector(W1, W2, b1, b2, x, y):
    h = F.relu(W1 @ x + b1)
    z = W2 @ h + b2
    return F.cross_entropy(z.unsqueeze(0), y.unsqueeze(0))


def regression_layer(W, X, b, t):
    return F.mse_loss(torch.tanh(X @ W + b), t)


def logistic_batch(X, t, w):
    return F.binary_cross_entropy(torch.sigmoid(X @ w), t)


def one_hot_softmax(W, x, y):
    return F.cross_entropy((W @ x).unsqueeze(0), y.unsqueeze(0))


def mixed_elementwise(A, B, c):
    u = A * B - A / (B * B + 1) + c
    return torch.mean(torch.exp(-(u**2)) + torch.log(1 + torch.sigmoid(u))) + torch.sum(
        torch.log_softmax(u, dim=-1)[:, 0]
    )


# Layers: name, mathml program, torch function, point (lists), the inputs that are
# data (loss targets: torch computes no gradient for them).
LAYER_CASES = [
    (
        "two-layer-batch-cross-entropy",
        "h = relu(X @ W1.T + b1)\nz = h @ W2.T + b2\nL = cross_entropy(z, y)",
        two_layer_batch,
        {
            "X": [[1.0, 2.0, -1.0], [0.5, -1.5, 2.0], [-0.3, 0.8, 0.1], [2.0, 0.0, -0.7]],
            "W1": [[0.5, -0.3, 0.8], [0.2, 0.4, -0.6], [-0.7, 0.1, 0.3], [0.3, 0.9, 0.2]],
            "b1": [0.1, -0.25, 0.05, 0.3],
            "W2": [[1.0, -1.0, 0.5, 0.2], [0.3, 0.2, -0.4, 0.7], [-0.5, 0.6, 0.1, -0.3]],
            "b2": [0.0, 0.1, -0.1],
            "y": [2, 0, 1, 2],
        },
        ("y",),
    ),
    (
        "two-layer-vector-cross-entropy",
        "h = relu(W1 @ x + b1); z = W2 @ h + b2; L = cross_entropy(z, y)",
        two_layer_vector,
        {
            "W1": [[0.5, -0.3], [0.2, 0.4], [0.1, 0.1]],
            "x": [1.0, 2.0],
            "b1": [0.2, -0.2, 0.4],
            "W2": [[1.0, -1.0, 0.5], [0.3, 0.2, -0.4]],
            "b2": [0.0, 0.1],
            "y": 1,
        },
        ("y",),
    ),
    (
        "tanh-layer-mse-broadcast-bias",
        "L = mse(tanh(X @ W + b), t)",
        regression_layer,
        {
            "X": [[1.0, -2.0], [0.5, 0.3], [-1.2, 0.8]],
            "W": [[0.4, -0.1, 0.3], [0.2, 0.6, -0.5]],
            "b": [0.1, 0.0, -0.2],
            "t": [[0.5, -0.2, 0.1], [0.0, 0.3, 0.9], [-0.4, 0.2, 0.0]],
        },
        ("t",),
    ),
    (
        "logistic-regression-bce",
        "p = sigmoid(X @ w); L = bce(p, t)",
        logistic_batch,
        {"X": [[1.0, 2.0], [-1.0, 0.5], [0.3, -0.8]], "w": [0.4, -0.6], "t": [1.0, 0.0, 1.0]},
        ("t",),
    ),
    (
        "one-hot-target",
        "L = cross_entropy(W @ x, y)",
        one_hot_softmax,
        {"W": [[0.2, -0.5], [0.7, 0.1], [-0.3, 0.4]], "x": [1.5, -0.5], "y": [0.0, 0.0, 1.0]},
        ("y",),
    ),
    (
        "elementwise-and-log-softmax",
        "u = A*B - A/(B*B + 1) + c\n"
        "L = mean(exp(-u**2) + log(1 + sigmoid(u))) + sum(log_softmax(u) @ e0)",
        lambda A, B, c, e0: (
            torch.mean(
                torch.exp(-((A * B - A / (B * B + 1) + c) ** 2))
                + torch.log(1 + torch.sigmoid(A * B - A / (B * B + 1) + c))
            )
            + torch.sum(torch.log_softmax(A * B - A / (B * B + 1) + c, dim=-1) @ e0)
        ),
        {
            "A": [[0.5, -1.0, 2.0], [1.5, 0.2, -0.7]],
            "B": [[1.0, 0.3, -0.4], [-2.0, 0.8, 0.6]],
            "c": [0.1, -0.1, 0.2],
            "e0": [1.0, 0.0, 0.0],
        },
        (),
    ),
]


def layer_gradients(function, point: dict, data: tuple[str, ...]) -> tuple[float, dict]:
    params = {}
    for name, value in point.items():
        if name in data:
            dtype = (
                torch.long
                if isinstance(value, int)
                or (isinstance(value, list) and all(isinstance(v, int) for v in value))
                else torch.float64
            )
            params[name] = torch.tensor(value, dtype=dtype)
        else:
            params[name] = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    output = function(**params)
    output.backward()
    return output.item(), {n: p.grad.tolist() for n, p in params.items() if n not in data}


def gradients(function, point: dict[str, float]) -> tuple[float, dict[str, float]]:
    names = sorted(point)
    params = {n: torch.tensor(point[n], dtype=torch.float64, requires_grad=True) for n in names}
    output = function(**params)
    output.backward()
    return output.item(), {n: params[n].grad.item() for n in names}


def main() -> None:
    cases = []
    for name, text, function, point in CASES:
        output, grads = gradients(function, point)
        cases.append(
            {"name": name, "expression": text, "at": point, "output": output, "gradients": grads}
        )
    layers = []
    for name, text, function, point, data in LAYER_CASES:
        output, grads = layer_gradients(function, point, data)
        layers.append(
            {"name": name, "program": text, "at": point, "output": output, "gradients": grads}
        )
    document = {"torch": torch.__version__, "dtype": "float64", "cases": cases, "layers": layers}
    (HERE / "torch_gradients.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {HERE / 'torch_gradients.json'}")


if __name__ == "__main__":
    main()
