"""The optimizers of torch.optim (PyTorch 2.13), coordinate by coordinate, on floats.

Each class applies exactly the update its PyTorch counterpart's single-tensor
implementation applies, in the same order of operations, so trajectories agree
with torch to rounding. The parameters are plain Python lists of floats: for
the handful of coordinates a function of a few variables has, that is faster
than NumPy's per-call overhead. Each class also states its rule (`rule`), with
the symbols the docs use, so the formula shown and the code run sit together.
This module imports only the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from mathml_cli.errors import InputError, did_you_mean

Hyperparameters = Mapping[str, float | bool]


@dataclass(frozen=True)
class RuleLine:
    """One line of an update rule, as text and as LaTeX."""

    text: str
    latex: str


@dataclass(frozen=True)
class Hyperparameter:
    key: str  # the name in JSON and in torch (beta1/beta2 are torch's betas)
    option: str  # the command-line option that sets it
    symbol: str
    latex: str
    flag: bool = False  # a switch (centered, amsgrad) rather than a number


HYPERPARAMETERS: dict[str, Hyperparameter] = {
    h.key: h
    for h in (
        Hyperparameter("lr", "--lr", "γ", r"\gamma"),
        Hyperparameter("momentum", "--momentum", "μ", r"\mu"),
        Hyperparameter("dampening", "--dampening", "τ", r"\tau"),
        Hyperparameter("weight_decay", "--weight-decay", "λ", r"\lambda"),
        Hyperparameter("alpha", "--alpha", "α", r"\alpha"),
        Hyperparameter("eps", "--eps", "ε", r"\epsilon"),
        Hyperparameter("centered", "--centered", "centered", r"\text{centered}", flag=True),
        Hyperparameter("lr_decay", "--lr-decay", "η", r"\eta"),
        Hyperparameter("initial_accumulator_value", "--initial-accumulator", "s₀", "s_0"),
        Hyperparameter("beta1", "--beta1", "β1", r"\beta_1"),
        Hyperparameter("beta2", "--beta2", "β2", r"\beta_2"),
        Hyperparameter("amsgrad", "--amsgrad", "amsgrad", r"\text{amsgrad}", flag=True),
    )
}


class Optimizer:
    """Base: `step` maps (θ_{t-1}, g_t, γ_t, t) to θ_t; `state` is what it carries."""

    name = ""
    torch_name = ""
    defaults: dict[str, float | bool] = {}
    state_names: tuple[str, ...] = ()

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        self.hyper = dict(hyper)
        self.size = size

    def step(self, theta: list[float], grad: list[float], lr: float, t: int) -> list[float]:
        raise NotImplementedError

    def state(self) -> tuple[tuple[float, ...], ...]:
        """The optimizer's state after the last step, in the order of `state_names`."""
        return ()

    def rule(self) -> list[RuleLine]:
        raise NotImplementedError


def _zeros(size: int) -> list[float]:
    return [0.0] * size


class SGD(Optimizer):
    """torch.optim.SGD: L2 weight decay, momentum with dampening, Nesterov."""

    name = "sgd"
    torch_name = "SGD"
    defaults = {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0}
    nesterov = False

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        super().__init__(hyper, size)
        self.buffer: list[float] | None = None
        self.state_names = ("b",) if float(self.hyper["momentum"]) != 0 else ()

    def step(self, theta: list[float], grad: list[float], lr: float, t: int) -> list[float]:
        decay = float(self.hyper["weight_decay"])
        momentum = float(self.hyper["momentum"])
        dampening = float(self.hyper["dampening"])
        if decay != 0:
            grad = [g + decay * p for g, p in zip(grad, theta, strict=True)]
        if momentum != 0:
            if self.buffer is None:
                self.buffer = list(grad)  # b_1 = g_1: torch starts the buffer at the gradient
            else:
                self.buffer = [
                    b * momentum + (1 - dampening) * g
                    for b, g in zip(self.buffer, grad, strict=True)
                ]
            if self.nesterov:
                grad = [g + momentum * b for g, b in zip(grad, self.buffer, strict=True)]
            else:
                grad = self.buffer
        return [p - lr * g for p, g in zip(theta, grad, strict=True)]

    def state(self) -> tuple[tuple[float, ...], ...]:
        if not self.state_names:
            return ()
        return (tuple(self.buffer or _zeros(self.size)),)

    def rule(self) -> list[RuleLine]:
        lines = [RuleLine("g_t = ∇f(θ_{t-1})", r"g_t &= \nabla f(\theta_{t-1})")]
        if float(self.hyper["weight_decay"]) != 0:
            lines.append(
                RuleLine("g_t ← g_t + λ·θ_{t-1}", r"g_t &\leftarrow g_t + \lambda\theta_{t-1}")
            )
        if float(self.hyper["momentum"]) != 0:
            lines.append(
                RuleLine(
                    "b_t = μ·b_{t-1} + (1 − τ)·g_t   (b_1 = g_1)",
                    r"b_t &= \mu b_{t-1} + (1 - \tau) g_t \quad (b_1 = g_1)",
                )
            )
            if self.nesterov:
                lines.append(RuleLine("g_t ← g_t + μ·b_t", r"g_t &\leftarrow g_t + \mu b_t"))
            else:
                lines.append(RuleLine("g_t ← b_t", r"g_t &\leftarrow b_t"))
        lines.append(RuleLine("θ_t = θ_{t-1} − γ·g_t", r"\theta_t &= \theta_{t-1} - \gamma g_t"))
        return lines


class Momentum(SGD):
    """SGD with momentum; torch's momentum default is 0, so this one sets 0.9."""

    name = "momentum"
    defaults = {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}


class Nesterov(SGD):
    """SGD(nesterov=True), which torch allows only with momentum > 0 and no dampening."""

    name = "nesterov"
    defaults = {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0}
    nesterov = True

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        super().__init__({**hyper, "dampening": 0.0}, size)


class RMSprop(Optimizer):
    """torch.optim.RMSprop, including centered and momentum."""

    name = "rmsprop"
    torch_name = "RMSprop"
    defaults = {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        super().__init__(hyper, size)
        self.square_avg = _zeros(size)
        self.grad_avg = _zeros(size)
        self.buffer = _zeros(size)
        names = ["v"]
        if self.hyper["centered"]:
            names.append("g_ave")
        if float(self.hyper["momentum"]) > 0:
            names.append("b")
        self.state_names = tuple(names)

    def step(self, theta: list[float], grad: list[float], lr: float, t: int) -> list[float]:
        alpha = float(self.hyper["alpha"])
        eps = float(self.hyper["eps"])
        decay = float(self.hyper["weight_decay"])
        momentum = float(self.hyper["momentum"])
        centered = bool(self.hyper["centered"])
        result = []
        for i, (p, g) in enumerate(zip(theta, grad, strict=True)):
            if decay != 0:
                g = g + decay * p
            v = self.square_avg[i] * alpha + (1 - alpha) * g * g
            self.square_avg[i] = v
            if centered:
                average = self.grad_avg[i]
                average = average + (1 - alpha) * (g - average)  # torch's lerp
                self.grad_avg[i] = average
                denominator = math.sqrt(v - average * average) + eps
            else:
                denominator = math.sqrt(v) + eps
            if momentum > 0:
                b = self.buffer[i] * momentum + g / denominator
                self.buffer[i] = b
                result.append(p - lr * b)
            else:
                result.append(p - lr * (g / denominator))
        return result

    def state(self) -> tuple[tuple[float, ...], ...]:
        parts = [tuple(self.square_avg)]
        if self.hyper["centered"]:
            parts.append(tuple(self.grad_avg))
        if float(self.hyper["momentum"]) > 0:
            parts.append(tuple(self.buffer))
        return tuple(parts)

    def rule(self) -> list[RuleLine]:
        lines = [RuleLine("g_t = ∇f(θ_{t-1})", r"g_t &= \nabla f(\theta_{t-1})")]
        if float(self.hyper["weight_decay"]) != 0:
            lines.append(
                RuleLine("g_t ← g_t + λ·θ_{t-1}", r"g_t &\leftarrow g_t + \lambda\theta_{t-1}")
            )
        lines.append(
            RuleLine(
                "v_t = α·v_{t-1} + (1 − α)·g_t²", r"v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2"
            )
        )
        root = "√v_t"
        root_latex = r"\sqrt{v_t}"
        if self.hyper["centered"]:
            lines.append(
                RuleLine(
                    "g_ave_t = α·g_ave_{t-1} + (1 − α)·g_t",
                    r"g^{ave}_t &= \alpha g^{ave}_{t-1} + (1 - \alpha) g_t",
                )
            )
            root = "√(v_t − g_ave_t²)"
            root_latex = r"\sqrt{v_t - (g^{ave}_t)^2}"
        if float(self.hyper["momentum"]) > 0:
            lines.append(
                RuleLine(
                    f"b_t = μ·b_{{t-1}} + g_t / ({root} + ε)",
                    rf"b_t &= \mu b_{{t-1}} + \frac{{g_t}}{{{root_latex} + \epsilon}}",
                )
            )
            lines.append(
                RuleLine("θ_t = θ_{t-1} − γ·b_t", r"\theta_t &= \theta_{t-1} - \gamma b_t")
            )
        else:
            lines.append(
                RuleLine(
                    f"θ_t = θ_{{t-1}} − γ·g_t / ({root} + ε)",
                    rf"\theta_t &= \theta_{{t-1}} - \gamma \frac{{g_t}}{{{root_latex} + \epsilon}}",
                )
            )
        return lines


class Adagrad(Optimizer):
    """torch.optim.Adagrad, including lr_decay and the initial accumulator."""

    name = "adagrad"
    torch_name = "Adagrad"
    defaults = {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }
    state_names = ("s",)

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        super().__init__(hyper, size)
        self.sums = [float(self.hyper["initial_accumulator_value"])] * size

    def step(self, theta: list[float], grad: list[float], lr: float, t: int) -> list[float]:
        decay = float(self.hyper["weight_decay"])
        eps = float(self.hyper["eps"])
        clr = lr / (1 + (t - 1) * float(self.hyper["lr_decay"]))
        result = []
        for i, (p, g) in enumerate(zip(theta, grad, strict=True)):
            if decay != 0:
                g = g + decay * p
            s = self.sums[i] + g * g
            self.sums[i] = s
            result.append(p - clr * (g / (math.sqrt(s) + eps)))
        return result

    def state(self) -> tuple[tuple[float, ...], ...]:
        return (tuple(self.sums),)

    def rule(self) -> list[RuleLine]:
        lines = [RuleLine("g_t = ∇f(θ_{t-1})", r"g_t &= \nabla f(\theta_{t-1})")]
        if float(self.hyper["lr_decay"]) != 0:
            lines.append(
                RuleLine(
                    "γ̃_t = γ / (1 + (t − 1)·η)", r"\tilde\gamma_t &= \frac{\gamma}{1 + (t-1)\eta}"
                )
            )
        if float(self.hyper["weight_decay"]) != 0:
            lines.append(
                RuleLine("g_t ← g_t + λ·θ_{t-1}", r"g_t &\leftarrow g_t + \lambda\theta_{t-1}")
            )
        lines.append(RuleLine("s_t = s_{t-1} + g_t²   (s_0 given)", r"s_t &= s_{t-1} + g_t^2"))
        rate = "γ̃_t" if float(self.hyper["lr_decay"]) != 0 else "γ"
        rate_latex = r"\tilde\gamma_t" if float(self.hyper["lr_decay"]) != 0 else r"\gamma"
        lines.append(
            RuleLine(
                f"θ_t = θ_{{t-1}} − {rate}·g_t / (√s_t + ε)",
                rf"\theta_t &= \theta_{{t-1}} - {rate_latex} "
                r"\frac{g_t}{\sqrt{s_t} + \epsilon}",
            )
        )
        return lines


class Adam(Optimizer):
    """torch.optim.Adam (L2 weight decay added to the gradient), with AMSGrad."""

    name = "adam"
    torch_name = "Adam"
    defaults = {
        "lr": 1e-3,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }
    decoupled = False

    def __init__(self, hyper: Hyperparameters, size: int) -> None:
        super().__init__(hyper, size)
        self.m = _zeros(size)
        self.v = _zeros(size)
        self.v_max = _zeros(size)
        self.state_names = ("m", "v", "v_max") if self.hyper["amsgrad"] else ("m", "v")

    def step(self, theta: list[float], grad: list[float], lr: float, t: int) -> list[float]:
        beta1 = float(self.hyper["beta1"])
        beta2 = float(self.hyper["beta2"])
        eps = float(self.hyper["eps"])
        decay = float(self.hyper["weight_decay"])
        amsgrad = bool(self.hyper["amsgrad"])
        # torch computes these per step as below: step size lr/(1 − β1^t), and the
        # denominator √v / √(1 − β2^t) + ε.
        step_size = lr / (1 - beta1**t)
        correction2_sqrt = (1 - beta2**t) ** 0.5
        m, v, v_max = self.m, self.v, self.v_max
        result = []
        for i, (p, g) in enumerate(zip(theta, grad, strict=True)):
            if decay != 0:
                if self.decoupled:
                    p = p * (1 - lr * decay)
                else:
                    g = g + decay * p
            m_i = m[i] + (1 - beta1) * (g - m[i])  # torch's lerp
            v_i = v[i] * beta2 + (1 - beta2) * g * g
            m[i] = m_i
            v[i] = v_i
            if amsgrad:
                # 2.13: the maximum of the raw second moments, corrected afterwards.
                v_i = v_max[i] = max(v_max[i], v_i)
            result.append(p - step_size * (m_i / (math.sqrt(v_i) / correction2_sqrt + eps)))
        return result

    def state(self) -> tuple[tuple[float, ...], ...]:
        if self.hyper["amsgrad"]:
            return (tuple(self.m), tuple(self.v), tuple(self.v_max))
        return (tuple(self.m), tuple(self.v))

    def rule(self) -> list[RuleLine]:
        lines = [RuleLine("g_t = ∇f(θ_{t-1})", r"g_t &= \nabla f(\theta_{t-1})")]
        decay = float(self.hyper["weight_decay"]) != 0
        if decay and self.decoupled:
            lines.append(
                RuleLine(
                    "θ_{t-1} ← θ_{t-1}·(1 − γ·λ)   (decoupled weight decay)",
                    r"\theta_{t-1} &\leftarrow \theta_{t-1}(1 - \gamma\lambda)",
                )
            )
        elif decay:
            lines.append(
                RuleLine("g_t ← g_t + λ·θ_{t-1}", r"g_t &\leftarrow g_t + \lambda\theta_{t-1}")
            )
        lines += [
            RuleLine(
                "m_t = β1·m_{t-1} + (1 − β1)·g_t", r"m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t"
            ),
            RuleLine(
                "v_t = β2·v_{t-1} + (1 − β2)·g_t²", r"v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2"
            ),
            RuleLine("m̂_t = m_t / (1 − β1^t)", r"\hat m_t &= \frac{m_t}{1 - \beta_1^t}"),
        ]
        if self.hyper["amsgrad"]:
            lines += [
                RuleLine(
                    "v_max_t = max(v_max_{t-1}, v_t)",
                    r"v^{max}_t &= \max(v^{max}_{t-1}, v_t)",
                ),
                RuleLine(
                    "v̂_t = v_max_t / (1 − β2^t)", r"\hat v_t &= \frac{v^{max}_t}{1 - \beta_2^t}"
                ),
            ]
        else:
            lines.append(
                RuleLine("v̂_t = v_t / (1 − β2^t)", r"\hat v_t &= \frac{v_t}{1 - \beta_2^t}")
            )
        lines.append(
            RuleLine(
                "θ_t = θ_{t-1} − γ·m̂_t / (√v̂_t + ε)",
                r"\theta_t &= \theta_{t-1} - \gamma \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
            )
        )
        return lines


class AdamW(Adam):
    """torch.optim.AdamW: Adam with the weight decay applied to θ, not to g."""

    name = "adamw"
    torch_name = "AdamW"
    defaults = {**Adam.defaults, "weight_decay": 1e-2}
    decoupled = True


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, RMSprop, Adagrad, Adam, AdamW)
}


def optimizer_class(name: str) -> type[Optimizer]:
    key = name.strip().lower()
    if key not in OPTIMIZERS:
        hint = did_you_mean(key, OPTIMIZERS)
        raise InputError(f"unknown optimizer '{name}'{hint}; known: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key]


def applies_to(key: str) -> list[str]:
    """The optimizers that have hyperparameter `key`."""
    return [name for name, cls in OPTIMIZERS.items() if key in cls.defaults]


def settle_hyperparameters(
    cls: type[Optimizer], given: Mapping[str, float | bool]
) -> dict[str, float | bool]:
    """The optimizer's torch defaults overridden by `given`, checked as torch checks them.

    A given hyperparameter this optimizer does not have is an error, never ignored.
    """
    for key in given:
        if key not in cls.defaults:
            option = HYPERPARAMETERS[key].option
            users = ", ".join(applies_to(key))
            raise InputError(f"{option} does not apply to {cls.name} (it applies to: {users})")
    settled = {**cls.defaults, **given}
    _check(settled, cls.name)
    return settled


def _check(hyper: Mapping[str, float | bool], name: str) -> None:
    def fail(key: str, requirement: str) -> InputError:
        option = HYPERPARAMETERS[key].option
        return InputError(f"{option} must be {requirement} for {name}, got {hyper[key]:g}")

    lr = float(hyper["lr"])
    if not lr > 0 or not math.isfinite(lr):
        raise fail("lr", "a positive number")
    for key in ("momentum", "weight_decay", "eps", "lr_decay", "initial_accumulator_value"):
        if key in hyper and not 0 <= float(hyper[key]) < math.inf:
            raise fail(key, "≥ 0")
    for key in ("beta1", "beta2"):
        if key in hyper and not 0 <= float(hyper[key]) < 1:
            raise fail(key, "in [0, 1)")
    if "alpha" in hyper and not 0 <= float(hyper["alpha"]) <= 1:
        raise fail("alpha", "in [0, 1]")
    if "dampening" in hyper and not 0 <= float(hyper["dampening"]) <= 1:
        raise fail("dampening", "in [0, 1]")
    if name == "nesterov" and not float(hyper["momentum"]) > 0:
        raise fail("momentum", "> 0 (Nesterov momentum needs a momentum)")
