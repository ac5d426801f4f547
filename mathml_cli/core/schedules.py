"""Learning-rate schedules, as torch.optim.lr_scheduler defines them (closed forms).

The scheduler is stepped once per update, so update t (1-based) uses the rate
of epoch t − 1: γ_t = schedule(t − 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from mathml_cli.errors import InputError, did_you_mean

# name -> (its parameters with defaults, the torch class it mirrors)
SCHEDULES: dict[str, tuple[dict[str, float], str]] = {
    "constant": ({}, "(none)"),
    "step": ({"step_size": 100.0, "gamma": 0.1}, "StepLR"),
    "exponential": ({"gamma": 0.99}, "ExponentialLR"),
    "cosine": ({"t_max": 0.0, "eta_min": 0.0}, "CosineAnnealingLR"),
}

OPTIONS = {
    "step_size": "--step-size",
    "gamma": "--gamma",
    "t_max": "--t-max",
    "eta_min": "--eta-min",
}


@dataclass(frozen=True)
class Schedule:
    name: str
    lr: float
    parameters: dict[str, float]

    def rate(self, epoch: int) -> float:
        """The learning rate after `epoch` scheduler steps."""
        p = self.parameters
        if self.name == "step":
            return self.lr * p["gamma"] ** (epoch // int(p["step_size"]))
        if self.name == "exponential":
            return self.lr * p["gamma"] ** epoch
        if self.name == "cosine":
            eta_min = p["eta_min"]
            return eta_min + (self.lr - eta_min) * (1 + math.cos(math.pi * epoch / p["t_max"])) / 2
        return self.lr

    def formula(self) -> tuple[str, str] | None:
        """γ_t as text and LaTeX, or None when it is constant."""
        if self.name == "step":
            return "γ_t = γ·Γ^⌊(t − 1)/k⌋", r"\gamma_t &= \gamma\,\Gamma^{\lfloor (t-1)/k \rfloor}"
        if self.name == "exponential":
            return "γ_t = γ·Γ^(t − 1)", r"\gamma_t &= \gamma\,\Gamma^{t-1}"
        if self.name == "cosine":
            return (
                "γ_t = η_min + (γ − η_min)·(1 + cos(π·(t − 1)/T_max))/2",
                r"\gamma_t &= \eta_{min} + (\gamma - \eta_{min})"
                r"\frac{1 + \cos(\pi (t-1)/T_{max})}{2}",
            )
        return None

    def symbols(self) -> dict[str, float]:
        """The schedule's parameters under the names its formula uses."""
        names = {"step_size": "k", "gamma": "Γ", "t_max": "T_max", "eta_min": "η_min"}
        return {names[key]: value for key, value in self.parameters.items()}


def make_schedule(name: str, lr: float, given: Mapping[str, float], steps: int) -> Schedule:
    key = name.strip().lower()
    if key not in SCHEDULES:
        hint = did_you_mean(key, SCHEDULES)
        raise InputError(f"unknown schedule '{name}'{hint}; known: {', '.join(SCHEDULES)}")
    defaults, _ = SCHEDULES[key]
    for option in given:
        if option not in defaults:
            users = [s for s, (d, _) in SCHEDULES.items() if option in d]
            raise InputError(
                f"{OPTIONS[option]} does not apply to --schedule {key} "
                f"(it applies to: {', '.join(users)})"
            )
    parameters = {**defaults, **given}
    if key == "cosine" and "t_max" not in given:
        parameters["t_max"] = float(max(steps, 1))
    if key == "step" and not (parameters["step_size"] >= 1 and parameters["step_size"] % 1 == 0):
        raise InputError(f"--step-size must be a whole number ≥ 1, got {parameters['step_size']:g}")
    if key in ("step", "exponential") and not parameters["gamma"] > 0:
        raise InputError(f"--gamma must be positive, got {parameters['gamma']:g}")
    if key == "cosine":
        if not parameters["t_max"] > 0:
            raise InputError(f"--t-max must be positive, got {parameters['t_max']:g}")
        if not 0 <= parameters["eta_min"] < lr:
            raise InputError(
                f"--eta-min must be at least 0 and below --lr ({lr:g}), "
                f"got {parameters['eta_min']:g}"
            )
    return Schedule(key, lr, parameters)
