"""Live comparison with torch.optim in float64 (skipped when torch is not installed)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from mathml_cli.core.descend import descend, prepare  # noqa: E402

F = torch.nn.functional

OPTIMIZER_SETTINGS = {
    "sgd": st.fixed_dictionaries(
        {"lr": st.floats(0.001, 0.05)},
        optional={
            "momentum": st.floats(0, 0.95),
            "dampening": st.floats(0, 0.5),
            "weight_decay": st.floats(0, 0.1),
        },
    ),
    "nesterov": st.fixed_dictionaries(
        {"lr": st.floats(0.001, 0.05), "momentum": st.floats(0.1, 0.95)},
        optional={"weight_decay": st.floats(0, 0.1)},
    ),
    "rmsprop": st.fixed_dictionaries(
        {"lr": st.floats(0.001, 0.05)},
        optional={
            "alpha": st.floats(0.8, 0.999),
            "eps": st.floats(1e-8, 1e-3),
            "momentum": st.floats(0, 0.9),
            "centered": st.booleans(),
            "weight_decay": st.floats(0, 0.1),
        },
    ),
    "adagrad": st.fixed_dictionaries(
        {"lr": st.floats(0.01, 0.5)},
        optional={
            "lr_decay": st.floats(0, 0.1),
            "initial_accumulator_value": st.floats(0, 1),
            "eps": st.floats(1e-10, 1e-4),
            "weight_decay": st.floats(0, 0.1),
        },
    ),
    "adam": st.fixed_dictionaries(
        {"lr": st.floats(0.001, 0.2)},
        optional={
            "beta1": st.floats(0, 0.99),
            "beta2": st.floats(0.9, 0.9999),
            "eps": st.floats(1e-8, 1e-4),
            "amsgrad": st.booleans(),
            "weight_decay": st.floats(0, 0.1),
        },
    ),
}
OPTIMIZER_SETTINGS["momentum"] = OPTIMIZER_SETTINGS["sgd"]
OPTIMIZER_SETTINGS["adamw"] = OPTIMIZER_SETTINGS["adam"]


def torch_points(function, start, name, hyper, steps):
    hyper = dict(hyper)
    if "beta1" in hyper or "beta2" in hyper:
        hyper["betas"] = (hyper.pop("beta1", 0.9), hyper.pop("beta2", 0.999))
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    if name in ("sgd", "momentum", "nesterov"):
        defaults = {"momentum": 0.9} if name != "sgd" else {}
        extra = {"nesterov": True} if name == "nesterov" else {}
        opt = torch.optim.SGD(params, **{**defaults, **hyper, **extra})
    else:
        classes = {
            "rmsprop": torch.optim.RMSprop,
            "adagrad": torch.optim.Adagrad,
            "adam": torch.optim.Adam,
            "adamw": torch.optim.AdamW,
        }
        opt = classes[name](params, **hyper)
    points = [[p.item() for p in params]]
    for _ in range(steps):
        opt.zero_grad()
        function(*params).backward()
        opt.step()
        points.append([p.item() for p in params])
    return points


@st.composite
def problems(draw):
    a = draw(st.floats(0.5, 5))
    b = draw(st.floats(0.5, 5))
    c = draw(st.floats(-2, 2))
    d = draw(st.floats(-2, 2))
    k = draw(st.floats(-0.4, 0.4))
    text = f"{a!r}*(x - ({c!r}))**2 + {b!r}*(y - ({d!r}))**2 + {k!r}*x*y + softplus(x - y)"

    def function(x, y):
        return a * (x - c) ** 2 + b * (y - d) ** 2 + k * x * y + F.softplus(x - y)

    start = (draw(st.floats(-3, 3)), draw(st.floats(-3, 3)))
    return text, function, start


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problem=problems(),
    name=st.sampled_from(sorted(OPTIMIZER_SETTINGS)),
    data=st.data(),
)
def test_trajectories_match_torch(problem, name, data):
    text, function, start = problem
    hyper = data.draw(OPTIMIZER_SETTINGS[name])
    # Compared until the gradient falls below 1e-7. Past that, at the minimum,
    # RMSprop and Adam divide a gradient that is rounding noise by the root of
    # its own running square: each step is noise of size lr, and two correct
    # implementations whose gradients differ in the last bit (SymPy's formula
    # against torch's autograd) wander apart. Before it, they agree to 1e-6.
    result = descend(prepare(text, {"x": start[0], "y": start[1]}), name, hyper, steps=60, tol=1e-7)
    expected = torch_points(function, start, name, hyper, 60)
    assert len(result.points) <= len(expected), result.reason
    # Some runs are chaotic before that: an oscillating RMSprop step multiplies a
    # difference in the last bit several times over each step, so after twenty
    # steps it is visible. Such steps are where torch disagrees with itself started
    # 1e-12 away; up to them, rounding cannot explain a difference.
    nudged = torch_points(function, [v * (1 + 1e-12) + 1e-12 for v in start], name, hyper, 60)
    compared = 0
    for ours, theirs, near in zip(result.points, expected, nudged, strict=False):
        if any(
            not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
            for a, b in zip(theirs, near, strict=True)
        ):
            break
        for a, b in zip(ours, theirs, strict=True):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)
        compared += 1
    assert compared >= min(len(result.points), 10)


@pytest.mark.parametrize(
    "text, function, start, lr",
    [
        ("relu(x) + abs(y)", lambda x, y: F.relu(x) + torch.abs(y), (1.0, 0.25), 0.5),
        ("abs(x - 1) + y**2", lambda x, y: torch.abs(x - 1) + y**2, (1.0, 1.0), 0.1),
        ("max(x, -x) + y**2", lambda x, y: torch.maximum(x, -x) + y**2, (1.0, 1.0), 0.5),
    ],
)
def test_kinks_take_torchs_gradient_convention(text, function, start, lr):
    # At a kink (reached exactly) torch uses sign(0) = 0, relu'(0) = 0, max ties split.
    result = descend(prepare(text, {"x": start[0], "y": start[1]}), "sgd", {"lr": lr}, steps=6)
    assert result.kink is not None
    expected = torch_points(function, start, "sgd", {"lr": lr}, len(result.points) - 1)
    for ours, theirs in zip(result.points, expected, strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
