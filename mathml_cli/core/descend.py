"""Gradient descent on an expression, every iterate recorded, and a diagnosis of how it went.

`descend` parses the function (or a preset), differentiates it symbolically
with the same rules `derive` uses, compiles f and ∇f once to plain-float
functions, and runs one of the torch.optim optimizers (core/optimizers.py)
from a start point. The run stops when the gradient or the step falls below
the tolerance (converged), when it leaves the region where f is defined
(undefined), when it blows up (diverged), or after the step limit (max_steps).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from mathml_cli.core.derive import sympy_derivative
from mathml_cli.core.expr import (
    evaluate,
    free_variables,
    numeric_function,
    parse_expression,
    to_text,
)
from mathml_cli.core.inputs import check_point, read_point
from mathml_cli.core.optimizers import (
    HYPERPARAMETERS,
    Optimizer,
    RuleLine,
    applies_to,
    optimizer_class,
    settle_hyperparameters,
)
from mathml_cli.core.schedules import OPTIONS as SCHEDULE_OPTIONS
from mathml_cli.core.schedules import Schedule, make_schedule
from mathml_cli.errors import InputError, did_you_mean

MAX_STEPS = 10_000_000
# f that moved this many times its starting size (plus 1) away has exploded.
EXPLOSION = 1e12
# f rising on this many consecutive updates, and above its start, is diverging.
GROWTH_RUN = 20
# ... and so is f rising on a few consecutive updates to orders of magnitude above
# its start (x**2 with lr 1.5: 1, 4, 16, 64, 256): said at once, not 20 steps later.
FAST_GROWTH_RUN = 3
FAST_GROWTH = 100.0
# A coordinate whose step changes sign this many times in a row is oscillating.
OSCILLATION_RUN = 10


@dataclass(frozen=True)
class Preset:
    name: str
    formula: str
    start: dict[str, float]
    minima: tuple[dict[str, float], ...]
    minimum_value: float
    note: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "bowl",
            "(x - 3)**2 + 10*(y + 1)**2",
            {"x": -2.0, "y": 1.0},
            ({"x": 3.0, "y": -1.0},),
            0.0,
            "an elongated quadratic bowl: curvature 2 along x, 20 along y",
        ),
        Preset(
            "rosenbrock",
            "(1 - x)**2 + 100*(y - x**2)**2",
            {"x": -1.2, "y": 1.0},
            ({"x": 1.0, "y": 1.0},),
            0.0,
            "a curved, flat-bottomed valley: easy to find, slow to follow",
        ),
        Preset(
            "himmelblau",
            "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            {"x": 0.0, "y": 0.0},
            (
                {"x": 3.0, "y": 2.0},
                {"x": -2.805118, "y": 3.131312},
                {"x": -3.779310, "y": -3.283186},
                {"x": 3.584428, "y": -1.848126},
            ),
            0.0,
            "four equal minima: the start decides which one you reach",
        ),
        Preset(
            "rastrigin",
            "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
            {"x": 2.2, "y": -1.3},
            ({"x": 0.0, "y": 0.0},),
            0.0,
            "a grid of local minima: gradient descent stops in the nearest one",
        ),
        Preset(
            "beale",
            "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
            {"x": 1.0, "y": 1.0},
            ({"x": 3.0, "y": 0.5},),
            0.0,
            "sharp ridges and flat plateaus around a minimum in a narrow valley",
        ),
    )
}


@dataclass(frozen=True)
class Curvature:
    """The Hessian at the start and what it says about the learning rate."""

    largest_eigenvalue: float  # L
    bound: float | None  # 2/L: plain gradient descent needs lr below it (None if L ≤ 0)
    suggested_lr: float | None


@dataclass(frozen=True)
class Oscillation:
    variable: str
    from_step: int
    length: int  # updates in a row whose step in `variable` changed sign


@dataclass(frozen=True)
class Kink:
    """The run reached a point where f is not differentiable (a kink of abs, relu, max, ...)."""

    step: int
    where: str  # e.g. "x = 0, where sign(x) jumps"


@dataclass(frozen=True)
class Descent:
    text: str
    preset: str | None
    expression: Any
    variables: tuple[str, ...]
    gradient: tuple[Any, ...]  # ∂f/∂v for each variable, as SymPy expressions
    optimizer: str
    torch_name: str
    hyperparameters: dict[str, float | bool]
    rule: tuple[RuleLine, ...]
    schedule: Schedule
    state_names: tuple[str, ...]
    max_steps: int
    tol: float
    # One entry per iterate; index 0 is the start (its step, rate and state are empty).
    points: tuple[tuple[float, ...], ...]
    values: tuple[float, ...]
    gradients: tuple[tuple[float, ...], ...]
    rates: tuple[float, ...]  # the learning rate of the update that reached the iterate
    states: tuple[tuple[tuple[float, ...], ...], ...]
    status: str  # converged, max_steps, diverged, undefined
    reason: str
    curvature: Curvature | None
    oscillation: Oscillation | None
    kink: Kink | None = None

    @property
    def steps_taken(self) -> int:
        return len(self.points) - 1

    def step_vector(self, index: int) -> tuple[float, ...]:
        """θ_index − θ_(index−1) (zeros at the start)."""
        if index == 0:
            return tuple(0.0 for _ in self.variables)
        return tuple(b - a for a, b in zip(self.points[index - 1], self.points[index], strict=True))


@dataclass(frozen=True)
class Problem:
    """A parsed function with its gradient compiled, ready to descend from a start."""

    text: str
    preset: str | None
    expression: Any
    variables: tuple[str, ...]
    gradient: tuple[Any, ...]
    start: tuple[float, ...]
    value: Callable[..., Any]
    gradient_function: Callable[..., Any]
    # The arguments of the jumps (sign, step) in ∇f, compiled; None when ∇f has none.
    jumps: tuple[Any, ...] = ()
    jump_function: Callable[..., Any] | None = None


def prepare(text: str, start: str | Mapping[str, float] | None) -> Problem:
    """Parse `text` (an expression or a preset name), differentiate and compile it.

    start: "x=5,y=-1" or a dict; the variables keep its order. Raises InputError
    for an unknown preset, missing or extra start values, or a start where f or
    its gradient is undefined.
    """
    preset = PRESETS.get(text.strip().lower())
    if preset is None and text.strip().isidentifier() and len(text.strip()) > 2:
        close = did_you_mean(text.strip().lower(), PRESETS)
        if close:
            raise InputError(f"unknown preset '{text.strip()}'{close}; see mathml descend --list")
    expression = parse_expression(preset.formula if preset else text)
    names = free_variables(expression)
    if not names:
        raise InputError(f"{text!r} has no variables: there is nothing to descend on")
    if start is None:
        if preset is None:
            example = ",".join(f"{name}=1" for name in names)
            raise InputError(
                f'--start is missing: give a value for each variable, e.g. "{example}"'
            )
        start = preset.start
    given = read_point(start, "--start")
    check_point(given, names, "--start", owner="f")
    # In the user's order: a start "w=0,b=0" is shown and reported as w, b.
    variables = tuple(given)
    symbols = [sympy.Symbol(name, real=True) for name in variables]
    gradient = tuple(sympy_derivative(expression, symbol) for symbol in symbols)
    value = numeric_function(expression, list(variables), backend="math")
    gradient_function = numeric_function(sympy.Tuple(*gradient), list(variables), backend="math")
    point = tuple(float(given[name]) for name in variables)
    where = ", ".join(f"{name} = {given[name]:g}" for name in variables)
    try:
        f0, g0 = _evaluate(value, gradient_function, point)
    except _UndefinedError as problem:
        raise InputError(
            f"f or its gradient is undefined at the start ({where}): {problem}"
        ) from None
    if not math.isfinite(f0) or not all(math.isfinite(g) for g in g0):
        raise InputError(f"f or its gradient is not finite at the start ({where})")
    jumps = _jumps(gradient)
    jump_function = (
        numeric_function(
            sympy.Tuple(*[term.args[0] for term in jumps]), list(variables), backend="math"
        )
        if jumps
        else None
    )
    return Problem(
        text.strip(),
        preset.name if preset else None,
        expression,
        variables,
        gradient,
        point,
        value,
        gradient_function,
        jumps,
        jump_function,
    )


def _jumps(gradient: Sequence[Any]) -> tuple[Any, ...]:
    """The sign(...) and step(...) terms of ∇f: where their argument is 0, f may have a kink."""
    from mathml_cli.core.functions import step

    found: dict[Any, None] = {}
    for component in gradient:
        for node in sympy.preorder_traversal(component):
            if isinstance(node, (sympy.sign, sympy.Heaviside, step)):
                found[node] = None
    return tuple(found)


class _UndefinedError(Exception):
    """f or ∇f cannot be evaluated at a point (a domain error)."""


def _evaluate(
    value: Callable[..., Any], gradient: Callable[..., Any], point: Sequence[float]
) -> tuple[float, list[float]]:
    try:
        f = float(value(*point))
        g = [float(component) for component in gradient(*point)]
    except OverflowError:
        return math.inf, [math.inf] * len(point)
    except (ValueError, ZeroDivisionError, TypeError) as error:
        # TypeError: float() of a complex number, e.g. (-1)**0.5.
        raise _UndefinedError(_domain_message(error)) from None
    return f, g


def _domain_message(error: Exception) -> str:
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, TypeError):
        return "the value is not a real number"
    return "outside the domain of a function in it (such as log or sqrt of a negative number)"


def descend(
    problem: Problem,
    optimizer: str = "sgd",
    hyperparameters: Mapping[str, float | bool] | None = None,
    *,
    steps: int = 1000,
    tol: float = 1e-8,
    schedule: str = "constant",
    schedule_parameters: Mapping[str, float] | None = None,
) -> Descent:
    """Minimise the problem's function from its start with one torch.optim optimizer."""
    cls = optimizer_class(optimizer)
    hyper = settle_hyperparameters(cls, hyperparameters or {})
    if not 1 <= steps <= MAX_STEPS:
        raise InputError(f"--steps must be between 1 and {MAX_STEPS:,}, got {steps}")
    if not tol >= 0:
        raise InputError(f"--tol must be ≥ 0, got {tol:g}")
    plan = make_schedule(schedule, float(hyper["lr"]), schedule_parameters or {}, steps)
    engine = cls(hyper, len(problem.variables))
    run = _run(problem, engine, plan, steps, tol)
    points, values, gradients, rates, states, status, reason = run
    kink = _first_kink(problem, points)
    if kink is not None:
        reason += (
            f"; f is not differentiable at step {kink.step} ({kink.where}): the gradient used "
            "there is torch's convention (sign(0) = 0, relu'(0) = 0)"
        )
    oscillation = _oscillation(points, problem.variables)
    curvature = None
    if status == "diverged" or oscillation is not None:
        curvature = _curvature(problem)
        reason = _explain(reason, status, curvature, oscillation, float(hyper["lr"]), cls.name)
    return Descent(
        text=problem.text,
        preset=problem.preset,
        expression=problem.expression,
        variables=problem.variables,
        gradient=problem.gradient,
        optimizer=cls.name,
        torch_name=cls.torch_name,
        hyperparameters=hyper,
        rule=tuple(engine.rule()),
        schedule=plan,
        state_names=engine.state_names,
        max_steps=steps,
        tol=tol,
        points=tuple(points),
        values=tuple(values),
        gradients=tuple(gradients),
        rates=tuple(rates),
        states=tuple(states),
        status=status,
        reason=reason,
        curvature=curvature,
        oscillation=oscillation,
        kink=kink,
    )


def _run(
    problem: Problem, engine: Optimizer, plan: Schedule, steps: int, tol: float
) -> tuple[list[Any], list[float], list[Any], list[float], list[Any], str, str]:
    value, gradient = problem.value, problem.gradient_function
    theta = list(problem.start)
    f, g = _evaluate(value, gradient, theta)
    points: list[tuple[float, ...]] = [tuple(theta)]
    values = [f]
    gradients: list[tuple[float, ...]] = [tuple(g)]
    rates = [math.nan]
    states: list[tuple[tuple[float, ...], ...]] = [()]
    f0 = f
    limit = EXPLOSION * (1 + abs(f0))
    start_size = math.hypot(*theta)
    rising = 0
    constant_rate = plan.rate(0) if plan.name == "constant" else None
    gradient_norm = math.hypot(*g)
    if gradient_norm < tol:
        return (
            points,
            values,
            gradients,
            rates,
            states,
            "converged",
            _small_gradient(gradient_norm, tol, 0),
        )
    for t in range(1, steps + 1):
        lr = constant_rate if constant_rate is not None else plan.rate(t - 1)
        new_theta = engine.step(theta, g, lr, t)
        try:
            new_f, g = _evaluate(value, gradient, new_theta)
        except _UndefinedError as problem_there:
            where = ", ".join(
                f"{name} = {x:.6g}" for name, x in zip(problem.variables, new_theta, strict=True)
            )
            reason = (
                f"f or its gradient is undefined at step {t} ({where}): {problem_there}; "
                "the run stopped there"
            )
            return points, values, gradients, rates, states, "undefined", reason
        points.append(tuple(new_theta))
        values.append(new_f)
        gradients.append(tuple(g))
        rates.append(lr)
        states.append(engine.state())
        step_norm = math.hypot(*[b - a for a, b in zip(theta, new_theta, strict=True)])
        gradient_norm = math.hypot(*g)
        if not (math.isfinite(new_f) and math.isfinite(gradient_norm) and math.isfinite(step_norm)):
            reason = f"f or its gradient stopped being finite at step {t}"
            return points, values, gradients, rates, states, "diverged", reason
        if abs(new_f - f0) > limit or math.hypot(*new_theta) > EXPLOSION * (1 + start_size):
            direction = "grew" if new_f > f0 else "fell"
            reason = f"f {direction} from {f0:.6g} to {new_f:.6g} by step {t}"
            if new_f < f0:
                reason += " (f may have no minimum: it keeps decreasing)"
            return points, values, gradients, rates, states, "diverged", reason
        rising = rising + 1 if new_f > f else 0
        growing_fast = rising >= FAST_GROWTH_RUN and new_f - f0 > FAST_GROWTH * (1 + abs(f0))
        if (rising >= GROWTH_RUN and new_f > f0) or growing_fast:
            reason = (
                f"f rose on each of the {rising} updates up to step {t}, "
                f"from {f0:.6g} at the start to {new_f:.6g}"
            )
            return points, values, gradients, rates, states, "diverged", reason
        if gradient_norm < tol:
            reason = _small_gradient(gradient_norm, tol, t)
            return points, values, gradients, rates, states, "converged", reason
        if step_norm < tol:
            reason = f"the step at update {t} was {step_norm:.3g} < --tol {tol:g}"
            return points, values, gradients, rates, states, "converged", reason
        theta, f = new_theta, new_f
    reason = f"stopped after --steps {steps} updates; |∇f| = {gradient_norm:.3g} > --tol {tol:g}"
    return points, values, gradients, rates, states, "max_steps", reason


def _small_gradient(norm: float, tol: float, t: int) -> str:
    return f"|∇f| = {norm:.3g} < --tol {tol:g} at step {t}"


def _first_kink(problem: Problem, points: Sequence[Sequence[float]]) -> Kink | None:
    """The first iterate where a jump term of ∇f sits exactly on its jump and the gradient
    really differs on the two sides (so not, say, |x|³ at 0, which is smooth)."""
    if problem.jump_function is None:
        return None
    for t, point in enumerate(points):
        try:
            arguments = [float(a) for a in problem.jump_function(*point)]
        except (ValueError, ZeroDivisionError, TypeError, OverflowError):
            continue
        for term, argument in zip(problem.jumps, arguments, strict=True):
            if argument == 0 and _gradient_jumps_at(problem, point):
                values = ", ".join(
                    f"{name} = {x:.6g}" for name, x in zip(problem.variables, point, strict=True)
                )
                return Kink(t, f"{values}, where {to_text(term)} jumps")
    return None


def _gradient_jumps_at(problem: Problem, point: Sequence[float]) -> bool:
    """Do the one-sided gradients differ at `point` along some coordinate?"""
    for index in range(len(point)):
        h = 1e-7 * (1 + abs(point[index]))
        sides = []
        for sign in (1, -1):
            moved = list(point)
            moved[index] += sign * h
            try:
                sides.append([float(g) for g in problem.gradient_function(*moved)])
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                return True
        scale = 1 + max(abs(g) for side in sides for g in side)
        if any(abs(a - b) > 1e-4 * scale for a, b in zip(*sides, strict=True)):
            return True
    return False


def _oscillation(points: Sequence[Sequence[float]], variables: Sequence[str]) -> Oscillation | None:
    """The longest run of sign-alternating steps in one coordinate, if long enough."""
    best: Oscillation | None = None
    for index, name in enumerate(variables):
        run_length = 0
        previous = 0.0
        for t in range(1, len(points)):
            delta = points[t][index] - points[t - 1][index]
            if delta != 0 and previous != 0 and (delta > 0) != (previous > 0):
                run_length += 1
                if run_length >= OSCILLATION_RUN and (best is None or run_length > best.length):
                    best = Oscillation(name, t - run_length, run_length)
            else:
                run_length = 0
            previous = delta
    return best


def _oscillation_words(oscillation: Oscillation) -> str:
    return (
        f"oscillating: the step in {oscillation.variable} changed sign on "
        f"{oscillation.length} updates in a row from step {oscillation.from_step}"
    )


def hessian_at(problem: Problem, point: Sequence[float]) -> list[list[float]]:
    """The Hessian matrix of f at `point` (second derivatives by SymPy)."""
    symbols = [sympy.Symbol(name, real=True) for name in problem.variables]
    values = dict(zip(problem.variables, point, strict=True))
    return [
        [evaluate(sympy_derivative(partial, symbol), values) for symbol in symbols]
        for partial in problem.gradient
    ]


def _curvature(problem: Problem) -> Curvature | None:
    import numpy as np

    matrix = np.array(hessian_at(problem, problem.start), dtype=float)
    if not np.all(np.isfinite(matrix)):
        return None
    largest = float(np.linalg.eigvalsh((matrix + matrix.T) / 2).max())
    if largest <= 0:
        return Curvature(largest, None, None)
    return Curvature(largest, 2 / largest, _round_down(1 / largest))


def _round_down(value: float) -> float:
    """`value` rounded down to one significant digit (1/L = 0.047 -> 0.04)."""
    exponent = math.floor(math.log10(value))
    scale = 10.0**exponent
    return float(f"{math.floor(value / scale) * scale:.1g}")


def _explain(
    reason: str,
    status: str,
    curvature: Curvature | None,
    oscillation: Oscillation | None,
    lr: float,
    optimizer: str,
) -> str:
    parts = [reason]
    if oscillation is not None:
        parts.append(_oscillation_words(oscillation))
    if curvature is not None and curvature.bound is not None:
        bound = (
            "the Hessian at the start has largest eigenvalue "
            f"L = {curvature.largest_eigenvalue:.4g}, "
            f"so plain gradient descent needs lr < 2/L = {curvature.bound:.4g}"
        )
        if status == "diverged" or lr >= curvature.bound:
            bound += f" (lr is {lr:g}); try --lr {curvature.suggested_lr:g}"
        if optimizer != "sgd":
            bound += " (the bound is for plain sgd; momentum and adaptive methods differ)"
        parts.append(bound)
    elif curvature is not None and status == "diverged":
        parts.append(
            f"the Hessian at the start has no positive eigenvalue (largest "
            f"{curvature.largest_eigenvalue:.4g}): f curves downward there"
        )
    return "; ".join(parts)


def settings_from_options(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
    """The optimizer's and the schedule's settings among `options`, keyed as the
    command-line options are named (weight_decay for --weight-decay); None means
    not given. Returns (hyperparameters by torch name, schedule parameters)."""
    by_keyword = {h.option[2:].replace("-", "_"): h.key for h in HYPERPARAMETERS.values()}
    schedule_keywords = {
        option[2:].replace("-", "_"): key for key, option in SCHEDULE_OPTIONS.items()
    }
    hyperparameters: dict[str, Any] = {}
    schedule: dict[str, float] = {}
    for keyword, value in options.items():
        if value is None:
            continue
        if keyword in by_keyword:
            hyperparameters[by_keyword[keyword]] = value
        elif keyword in schedule_keywords:
            schedule[schedule_keywords[keyword]] = float(value)
        else:
            known = ", ".join(sorted([*by_keyword, *schedule_keywords]))
            raise InputError(
                f"unknown setting {keyword!r}{did_you_mean(keyword, by_keyword)}; known: {known}"
            )
    return hyperparameters, schedule


def check_options(
    *,
    compare: bool,
    optimizer_given: bool = False,
    every: int | None = None,
    verbose: bool = False,
    json_output: bool = False,
) -> None:
    """Options that would have no effect in this combination are errors, never ignored.

    One check for the command line and the Python API: `optimizer_given` says the
    user named an optimizer (not the default sgd), `json_output` that the result
    is written as JSON, which always holds every iteration and the optimizer state.
    """
    if every is not None and every < 1:
        raise InputError(f"--every must be at least 1, got {every}")
    if compare and optimizer_given:
        raise InputError(
            "--compare and --optimizer do not go together: "
            "name every optimizer in --compare, e.g. --compare sgd,adam"
        )
    for option, given in (("--every", every is not None), ("--verbose", verbose)):
        if compare and given:
            raise InputError(
                f"{option} applies to the iteration table, which --compare does not show "
                "(run one optimizer for its table)"
            )
    if json_output and every is not None:
        raise InputError("--every thins the table; --format json always has every iteration")
    if json_output and verbose:
        raise InputError(
            "--verbose adds the optimizer state to the table; --format json always has it "
            "(iterations[].state)"
        )


def minimise(
    expression: str,
    start: str | Mapping[str, float] | None = None,
    *,
    optimizer: str = "sgd",
    compare: str | Sequence[str] | None = None,
    steps: int = 1000,
    tol: float = 1e-8,
    schedule: str = "constant",
    **settings: Any,
) -> Descent | list[Descent]:
    """`mathml descend`: one run, or with `compare` one run per optimizer.

    settings: the optimizer's hyperparameters and the schedule's parameters, named
    as the options are (lr, momentum, beta1, weight_decay, step_size, ...).
    """
    hyperparameters, schedule_parameters = settings_from_options(settings)
    problem = prepare(expression, start)
    options: dict[str, Any] = {
        "steps": steps,
        "tol": tol,
        "schedule": schedule,
        "schedule_parameters": schedule_parameters,
    }
    if compare is None:
        return descend(problem, optimizer, hyperparameters, **options)
    names = [name.strip() for name in (compare.split(",") if isinstance(compare, str) else compare)]
    return compare_optimizers(problem, [name for name in names if name], hyperparameters, options)


def compare_optimizers(
    problem: Problem,
    names: Sequence[str],
    hyperparameters: Mapping[str, Any],
    options: Mapping[str, Any],
) -> list[Descent]:
    """One run per optimizer from the same start; each takes the hyperparameters it has."""
    if len(names) < 2:
        raise InputError("--compare needs at least two optimizers, e.g. sgd,adam")
    if len(set(names)) != len(names):
        raise InputError("--compare names an optimizer twice")
    classes = [optimizer_class(name) for name in names]
    for key in hyperparameters:
        if not any(key in cls.defaults for cls in classes):
            users = ", ".join(applies_to(key))
            raise InputError(
                f"{HYPERPARAMETERS[key].option} applies to none of {', '.join(names)} "
                f"(it applies to: {users})"
            )
    # The others are each optimizer's torch defaults.
    return [
        descend(
            problem,
            cls.name,
            {key: value for key, value in hyperparameters.items() if key in cls.defaults},
            **options,
        )
        for cls in classes
    ]


def thin(
    count: int, every: int | None = None, head: int = 10, tail: int = 5, middle: int = 15
) -> list[int]:
    """Which of `count` rows to show: all when few; else the first `head`, every
    k-th (k chosen to show about `middle` rows, or `every`), and the last `tail`.
    With `every`, the rows 0, k, 2k, ... and the last one."""
    if every is not None:
        return sorted({*range(0, count, every), count - 1})
    if count <= head + tail + middle:
        return list(range(count))
    stride = max(1, math.ceil((count - head - tail) / middle))
    chosen = {*range(head), *range(0, count, stride), *range(count - tail, count)}
    return sorted(chosen)


def grid_values(descent: Descent, xs: Sequence[float], ys: Sequence[float]) -> list[list[float]]:
    """f on the grid xs × ys (rows follow ys), nan where it is undefined."""
    import numpy as np

    function = numeric_function(descent.expression, list(descent.variables))
    x, y = np.meshgrid(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(function(x, y), dtype=complex), x.shape)
    real = np.where(np.abs(values.imag) > 1e-12, np.nan, values.real)
    return [[float(v) for v in row] for row in real]
