"""Record reference trajectories with torch.optim (float64) for tests/test_descend_fixtures.py.

    /tmp/venv/bin/python tests/data/descend/record.py   # needs torch==2.13.0

Each case names a function twice: as mathml text, and as the same function
written with torch operations (typed here by hand, so torch's autograd is the
oracle for the gradient too). The trajectories go to trajectories.json, which
is committed so that CI checks them without torch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own convention

HERE = Path(__file__).resolve().parent

BOWL = "(x - 3)**2 + 10*(y + 1)**2"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
RASTRIGIN = "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)"
BEALE = "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2"


def bowl(x, y):
    return (x - 3) ** 2 + 10 * (y + 1) ** 2


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def rastrigin(x, y):
    two_pi = 2 * math.pi
    return 20 + x**2 - 10 * torch.cos(two_pi * x) + y**2 - 10 * torch.cos(two_pi * y)


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


# name, mathml text, torch function, start, optimizer, torch class, torch kwargs (our names),
# schedule, schedule parameters, steps
CASES = [
    ("bowl-sgd", BOWL, bowl, {"x": -2.0, "y": 1.0}, "sgd", {"lr": 0.04}, "constant", {}, 100),
    (
        "bowl-momentum-dampening-decay",
        BOWL,
        bowl,
        {"x": -2.0, "y": 1.0},
        "momentum",
        {"lr": 0.01, "dampening": 0.1, "weight_decay": 0.1},
        "exponential",
        {"gamma": 0.98},
        150,
    ),
    (
        "rosenbrock-nesterov",
        ROSENBROCK,
        rosenbrock,
        {"x": -1.2, "y": 1.0},
        "nesterov",
        {"lr": 0.0005, "momentum": 0.8},
        "constant",
        {},
        300,
    ),
    (
        "himmelblau-rmsprop",
        HIMMELBLAU,
        himmelblau,
        {"x": 0.0, "y": 0.0},
        "rmsprop",
        {},
        "constant",
        {},
        200,
    ),
    (
        "beale-rmsprop-centered-momentum",
        BEALE,
        beale,
        {"x": 1.0, "y": 1.0},
        "rmsprop",
        {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.01, "alpha": 0.9},
        "constant",
        {},
        # Past about step 135 centered RMSprop divides by √(v − g_ave²) with v ≈ g_ave²:
        # the cancellation amplifies one-ulp differences (torch's CPU kernels use fused
        # multiply-adds, Python cannot) about tenfold per step, so the comparison stops here.
        130,
    ),
    (
        "rastrigin-adagrad",
        RASTRIGIN,
        rastrigin,
        {"x": 2.2, "y": -1.3},
        "adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
        "constant",
        {},
        200,
    ),
    ("bowl-adam", BOWL, bowl, {"x": -2.0, "y": 1.0}, "adam", {"lr": 0.1}, "constant", {}, 200),
    (
        "rosenbrock-adam-amsgrad-l2",
        ROSENBROCK,
        rosenbrock,
        {"x": -1.2, "y": 1.0},
        "adam",
        {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1, "beta1": 0.8, "beta2": 0.99},
        "constant",
        {},
        300,
    ),
    (
        "himmelblau-adamw-amsgrad",
        HIMMELBLAU,
        himmelblau,
        {"x": 0.0, "y": 0.0},
        "adamw",
        {"lr": 0.05, "amsgrad": True, "eps": 1e-6},
        "constant",
        {},
        200,
    ),
    (
        "ml-functions-adam-cosine",
        "sigmoid(3*x - 1)**2 + softplus(y) + 0.1*y**2",
        lambda x, y: torch.sigmoid(3 * x - 1) ** 2 + F.softplus(y) + 0.1 * y**2,
        {"x": 0.5, "y": 2.0},
        "adam",
        {"lr": 0.1},
        "cosine",
        {"t_max": 80},
        150,
    ),
    (
        "relu-sgd-step-schedule",
        "relu(x - 1) + 3*(y + 2)**2 + 0.1*x**2",
        lambda x, y: F.relu(x - 1) + 3 * (y + 2) ** 2 + 0.1 * x**2,
        {"x": 4.3, "y": 0.7},
        "sgd",
        {"lr": 0.1},
        "step",
        {"step_size": 10, "gamma": 0.5},
        100,
    ),
    (
        "quartic-1d-momentum",
        "x**4 - 3*x**2 + x",
        lambda x: x**4 - 3 * x**2 + x,
        {"x": 2.0},
        "momentum",
        {"lr": 0.01, "momentum": 0.7},
        "constant",
        {},
        200,
    ),
    (
        "log-exp-adagrad",
        "log(1 + x**2) + exp(0.1*y) + 0.05*y**2",
        lambda x, y: torch.log(1 + x**2) + torch.exp(0.1 * y) + 0.05 * y**2,
        {"x": 3.0, "y": 4.0},
        "adagrad",
        {},
        "constant",
        {},
        200,
    ),
    (
        "three-variables-adamw",
        "(a - 1)**2 + 3*(b + 2)**2 + (a*c - 1)**2",
        lambda a, b, c: (a - 1) ** 2 + 3 * (b + 2) ** 2 + (a * c - 1) ** 2,
        {"a": 0.0, "b": 0.0, "c": 0.5},
        "adamw",
        {"lr": 0.01},
        "constant",
        {},
        300,
    ),
]


def torch_optimizer(name: str, params: list, hyper: dict):
    hyper = dict(hyper)
    if "beta1" in hyper or "beta2" in hyper:
        hyper["betas"] = (hyper.pop("beta1", 0.9), hyper.pop("beta2", 0.999))
    if name == "sgd":
        return torch.optim.SGD(params, **hyper)
    if name == "momentum":
        return torch.optim.SGD(params, **{"momentum": 0.9, **hyper})
    if name == "nesterov":
        return torch.optim.SGD(params, **{"momentum": 0.9, **hyper, "nesterov": True})
    classes = {
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }
    return classes[name](params, **hyper)


def torch_scheduler(name: str, optimizer, parameters: dict):
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=int(parameters["step_size"]), gamma=parameters["gamma"]
        )
    if name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=parameters["gamma"])
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=int(parameters["t_max"]), eta_min=parameters.get("eta_min", 0.0)
        )
    return None


def trajectory(
    function, start: dict, optimizer: str, hyper: dict, schedule: str, parameters: dict, steps: int
):
    """The iterates θ_0 .. θ_steps of torch.optim, one scalar tensor per variable."""
    names = sorted(start)
    params = [torch.tensor(start[n], dtype=torch.float64, requires_grad=True) for n in names]
    opt = torch_optimizer(optimizer, params, hyper)
    scheduler = torch_scheduler(schedule, opt, parameters)
    points = [[p.item() for p in params]]
    for _ in range(steps):
        opt.zero_grad()
        function(*params).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        points.append([p.item() for p in params])
    return points


def main() -> None:
    cases = []
    for name, text, function, start, optimizer, hyper, schedule, parameters, steps in CASES:
        cases.append(
            {
                "name": name,
                "expression": text,
                "start": start,
                "optimizer": optimizer,
                "hyperparameters": hyper,
                "schedule": schedule,
                "schedule_parameters": parameters,
                "steps": steps,
                "points": trajectory(
                    function, start, optimizer, hyper, schedule, parameters, steps
                ),
            }
        )
    document = {"torch": torch.__version__, "dtype": "float64", "cases": cases}
    (HERE / "trajectories.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} trajectories to {HERE / 'trajectories.json'}")


if __name__ == "__main__":
    main()
