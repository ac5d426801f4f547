"""`mathml explain`: one catalogue entry with its derivative, behaviour and values.

The formula is parsed by core/expr.py and differentiated by derive's engine
(core/derive.py), so the rule tree is the one `mathml derive` shows. The
closed form people quote is then checked against that derivative at points
across the entry's window, and the behaviour that matters for training (the
largest slope, saturation, dead regions, kinks, monotonicity, convexity) is
read off the computed derivative rather than copied from a book. Everything
is evaluated in plain floats: an entry needs SymPy but never NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mathml_cli.core.catalogue import (
    CATEGORIES,
    SYMBOL_LATEX,
    SYMBOL_TEXT,
    Entry,
    by_name,
    entries,
)
from mathml_cli.errors import InputError, did_you_mean
from mathml_cli.records import Record

# The grid the behaviour is read from, and the one a plot draws.
GRID_POINTS = 1201
PLOT_POINTS = 241
MAX_POINTS = 50  # --at points in one table
MAX_COMPARE = 8
# The closed form and derive's derivative must agree this closely (relatively).
AGREEMENT = 1e-9
# How far either side of a kink the one-sided slopes are read.
KINK_STEP = 1e-7


class ValueRow(Record):
    """The function and its derivative at one point; `convention` marks a kink."""

    point: dict[str, float]
    value: float
    derivative: float
    derived: float  # derive's derivative there (the mean of the two slopes at a kink)
    convention: bool = False


class Kink(Record):
    at: float
    left_slope: float
    right_slope: float
    left_value: float
    right_value: float

    @property
    def jumps(self) -> bool:
        return not _close(self.left_value, self.right_value, 1e-5)

    @property
    def smooth(self) -> bool:
        return not self.jumps and _close(self.left_slope, self.right_slope, 1e-5)


class Behaviour(Record):
    """What the derivative shows on the entry's window, as numbers and as sentences."""

    window: tuple[float, float]
    largest_derivative: float
    largest_at: tuple[float, float]  # an interval when the largest slope holds on one
    smallest_derivative: float
    smallest_at: tuple[float, float]
    lowest_value: float
    lowest_at: float
    highest_value: float
    monotonic: str  # "increasing", "decreasing" or "no"
    convex: bool
    kinks: tuple[Kink, ...]
    flat: tuple[tuple[float, float], ...]  # where the derivative is exactly 0
    facts: tuple[str, ...]


class ClosedFormCheck(Record):
    points: int
    largest_difference: float  # relative

    @property
    def agrees(self) -> bool:
        return self.points > 0 and self.largest_difference <= AGREEMENT


class Explanation(Record):
    """What `mathml explain NAME` computes."""

    entry: Entry
    parameters: dict[str, float]
    given: dict[str, float]
    expression: Any
    formula_latex: str
    derivation: Any  # derive's Differentiation: steps, result, finite-difference check
    derivative_text: str
    derivative_latex: str
    closed_form: Any
    closed_form_latex: str
    closed_form_check: ClosedFormCheck
    behaviour: Behaviour
    rows: tuple[ValueRow, ...]
    approximation_difference: tuple[float, float] | None  # (largest |difference|, where)
    show_steps: bool = False
    plot: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] | None = None

    @property
    def variable(self) -> str:
        return self.entry.variable


class Comparison(Record):
    """Several entries of one variable side by side: `mathml explain a,b --compare`."""

    explanations: tuple[Explanation, ...]
    points: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]  # per entry, the value at each point
    derivatives: tuple[tuple[float, ...], ...]


def find(name: str) -> Entry:
    """The entry named `name` (or an alias), forgiving case and '-' for '_'."""
    key = name.strip().lower().replace("-", "_")
    table = by_name()
    if key in table:
        return table[key]
    hint = did_you_mean(key, table, cutoff=0.6)
    raise InputError(f"unknown entry {name!r}{hint}; 'mathml explain --list' shows them all")


def listing(category: str | None = None) -> tuple[Entry, ...]:
    """The entries of one category, or all: no SymPy needed."""
    if category is not None and category not in CATEGORIES:
        hint = did_you_mean(category, CATEGORIES, cutoff=0.5)
        raise InputError(
            f"--category must be one of {', '.join(CATEGORIES)}, got {category!r}{hint}"
        )
    return entries(category)


def explain(
    name: str,
    at: Sequence[Mapping[str, float]] | None = None,
    steps: bool = False,
    parameters: Mapping[str, float] | None = None,
    plot: bool = False,
) -> Explanation:
    """Explain one catalogue entry: formula, derivative, closed form, behaviour, values.

    `at` gives points of your own (each a mapping with the entry's variable and,
    for a loss, optionally its target); `parameters` overrides the defaults.
    """
    from mathml_cli.core.derive import differentiate
    from mathml_cli.core.expr import parse_expression, to_text

    entry = find(name)
    values = _parameter_values(entry, parameters or {})
    expression = parse_expression(entry.formula, as_typed=True)
    constants = tuple(sorted({str(s) for s in expression.free_symbols} - {entry.variable}))
    derivation = differentiate(expression, entry.variable, constants=constants)
    closed_form = parse_expression(entry.closed_form)
    given = dict(entry.given)
    fixed = {**values, **given}
    function = _evaluator(expression, entry.variable, fixed)
    derived = _evaluator(derivation.result, entry.variable, fixed)
    closed = _evaluator(closed_form, entry.variable, fixed)
    kinks = _kink_points(entry, fixed)
    rows = _rows(entry, at, values, expression, derivation.result, closed_form)
    approximation = None
    if entry.approximation:
        approximate = _evaluator(parse_expression(entry.approximation), entry.variable, fixed)
        approximation = _largest_gap(function, approximate, entry.window)
    return Explanation(
        entry=entry,
        parameters=values,
        given=given,
        expression=expression,
        # The evaluated form typesets better (1/(1 + e^-x), not 1·1/(…)).
        formula_latex=latex(parse_expression(entry.formula)),
        derivation=derivation,
        derivative_text=to_text(derivation.result),
        derivative_latex=latex(derivation.result),
        closed_form=closed_form,
        closed_form_latex=latex(closed_form),
        closed_form_check=_check_closed_form(derived, closed, entry.window, kinks),
        behaviour=_behaviour(entry, function, closed, kinks),
        rows=rows,
        approximation_difference=approximation,
        show_steps=steps,
        plot=_samples(function, closed, entry.window) if plot else None,
    )


def compare_entries(
    names: Sequence[str],
    at: Sequence[Mapping[str, float]] | None = None,
    parameters: Mapping[str, float] | None = None,
) -> Comparison:
    """Several entries on one table and one plot; they must share their variable."""
    unique = list(dict.fromkeys(find(name).name for name in names))
    if len(unique) < 2:
        raise InputError("--compare needs at least two different entries, e.g. relu,gelu,silu")
    if len(unique) > MAX_COMPARE:
        raise InputError(f"--compare takes at most {MAX_COMPARE} entries, got {len(unique)}")
    found = [find(name) for name in unique]
    variables = {entry.variable for entry in found}
    if len(variables) > 1 or len({entry.given for entry in found}) > 1:
        listed = ", ".join(f"{e.name} ({_inputs(e)})" for e in found)
        raise InputError(
            f"--compare needs entries of the same inputs; these differ: {listed}. "
            "Compare activations with activations, mse with mae and huber, ..."
        )
    known = {p.name for entry in found for p in entry.parameters}
    unknown = sorted(set(parameters or {}) - known)
    if unknown:
        raise InputError(f"--param {unknown[0]}: none of these entries has that parameter")
    explanations = tuple(
        explain(
            entry.name,
            at=at,
            parameters={
                k: v for k, v in (parameters or {}).items() if k in _parameter_names(entry)
            },
            plot=True,
        )
        for entry in found
    )
    points = tuple(row.point[found[0].variable] for row in explanations[0].rows)
    return Comparison(
        explanations,
        points,
        tuple(tuple(row.value for row in item.rows) for item in explanations),
        tuple(tuple(row.derivative for row in item.rows) for item in explanations),
    )


def _inputs(entry: Entry) -> str:
    return ", ".join([entry.variable, *(name for name, _ in entry.given)])


def _parameter_names(entry: Entry) -> set[str]:
    return {parameter.name for parameter in entry.parameters}


Point = str | float | Mapping[str, Any]


def _items(value: Point | Sequence[Point] | None) -> list[Point]:
    """A repeatable option's values: one value or a list of them."""
    if value is None:
        return []
    if isinstance(value, (str, int, float, Mapping)):
        return [value]
    return list(value)


def read_points(name: str, values: Point | Sequence[Point] | None) -> list[dict[str, float]]:
    """--at values for entry `name`: "x=1.5", "yhat=5,y=3", or plain numbers "-2,0,2"
    (values of the entry's variable); from Python also dicts and numbers."""
    from mathml_cli.core.expr import parse_number
    from mathml_cli.core.inputs import read_point

    entry = find(name)
    points: list[dict[str, float]] = []
    for item in _items(values):
        if isinstance(item, Mapping) or (isinstance(item, str) and "=" in item):
            points.append(read_point(item))
            continue
        text = item if isinstance(item, str) else repr(item)
        for part in (part.strip() for part in text.split(",")):
            value = parse_number(part, what=f"--at value of {entry.variable}")
            points.append({entry.variable: value})
    return points


def read_parameters(values: Point | Sequence[Point] | None) -> dict[str, float]:
    """--param values such as "a=0.2" or "delta=2,lam=0.1" (from Python also a dict)."""
    from mathml_cli.core.inputs import read_point

    parameters: dict[str, float] = {}
    for item in _items(values):
        if not isinstance(item, (str, Mapping)):
            raise InputError(f'--param takes name=value, such as "a=0.2", got {item!r}')
        for key, value in read_point(item, option="--param").items():
            if key in parameters:
                raise InputError(f"--param: {key} is given twice")
            parameters[key] = value
    return parameters


def _allowed(value: float, allowed: str) -> bool:
    return {
        "": True,
        "> 0": value > 0,
        "≥ 0": value >= 0,
        "between 0 and 1": 0 <= value <= 1,
    }[allowed]


def _parameter_values(entry: Entry, overrides: Mapping[str, float]) -> dict[str, float]:
    names = [parameter.name for parameter in entry.parameters]
    for name, value in overrides.items():
        if name not in names:
            if not names:
                raise InputError(f"--param {name}: {entry.name} has no parameters")
            hint = did_you_mean(name, names, cutoff=0.5)
            raise InputError(
                f"--param {name}: {entry.name} has no parameter {name!r}{hint}; "
                f"its parameters: {', '.join(names)}"
            )
        if not math.isfinite(value):
            raise InputError(f"--param {name} must be finite, got {value}")
        allowed = next(p.allowed for p in entry.parameters if p.name == name)
        if not _allowed(value, allowed):
            raise InputError(f"--param {name} of {entry.name} must be {allowed}, got {value:g}")
    return {p.name: float(overrides.get(p.name, p.default)) for p in entry.parameters}


def latex(expression: Any) -> str:
    """LaTeX with the catalogue's names typeset (ŷ, λ, δ, ...)."""
    from mathml_cli.core.expr import to_latex_named

    names = {s: SYMBOL_LATEX[str(s)] for s in expression.free_symbols if str(s) in SYMBOL_LATEX}
    return to_latex_named(expression, names)


def text_name(name: str) -> str:
    """A variable's name as people write it: yhat -> ŷ, lam -> λ."""
    return SYMBOL_TEXT.get(name, name)


def _evaluator(expression: Any, variable: str, fixed: Mapping[str, float]) -> Callable[..., float]:
    from mathml_cli.core.expr import point_evaluator

    names = [variable, *fixed]
    evaluate = point_evaluator(expression, names)
    rest = [fixed[name] for name in names[1:]]
    return lambda x: evaluate(x, *rest)


def _kink_points(entry: Entry, fixed: Mapping[str, float]) -> tuple[float, ...]:
    from mathml_cli.core.expr import evaluate, parse_expression

    points = (evaluate(parse_expression(kink), fixed) for kink in entry.kinks)
    return tuple(sorted(point for point in points if math.isfinite(point)))


def _rows(
    entry: Entry,
    at: Sequence[Mapping[str, float]] | None,
    parameters: Mapping[str, float],
    expression: Any,
    derivative: Any,
    closed_form: Any,
) -> tuple[ValueRow, ...]:
    from mathml_cli.core.expr import evaluate

    points = _points(entry, at)
    if len(points) > MAX_POINTS:
        raise InputError(f"--at gives {len(points)} points; at most {MAX_POINTS}")
    rows = []
    for point in points:
        values = {**parameters, **point}
        at_kink = point[entry.variable] in _kink_points(entry, values)
        if at_kink:
            # A join where both slopes agree (huber at |e| = δ) has a derivative.
            fixed = {k: v for k, v in values.items() if k != entry.variable}
            kink = _kink(
                _evaluator(expression, entry.variable, fixed),
                _evaluator(closed_form, entry.variable, fixed),
                point[entry.variable],
            )
            at_kink = not kink.smooth
        value = evaluate(expression, values)
        if not math.isfinite(value) and any(
            math.isfinite(evaluate(expression, {**values, entry.variable: v})) for v in entry.window
        ):
            described = ", ".join(f"{text_name(k)} = {v:g}" for k, v in point.items())
            raise InputError(
                f"{entry.name} is undefined at {described} (its inputs: {entry.range} is its "
                f"range; see the default points with 'mathml explain {entry.name}')"
            )
        rows.append(
            ValueRow(
                point=dict(point),
                value=value,
                derivative=evaluate(closed_form, values),
                derived=evaluate(derivative, values),
                convention=at_kink,
            )
        )
    return tuple(rows)


def _points(entry: Entry, at: Sequence[Mapping[str, float]] | None) -> list[dict[str, float]]:
    given = dict(entry.given)
    if not at:
        return [{entry.variable: x, **given} for x in entry.points]
    allowed = [entry.variable, *given]
    points = []
    for item in at:
        for name in item:
            if name not in allowed:
                hint = did_you_mean(name, allowed, cutoff=0.5)
                raise InputError(
                    f"--at names {name}, which {entry.name} does not have{hint}; "
                    f"its inputs: {', '.join(allowed)}"
                )
        if entry.variable not in item:
            raise InputError(f"--at gives no value for {entry.variable} (e.g. {entry.variable}=1)")
        points.append({entry.variable: float(item[entry.variable]), **given, **item})
    return points


def _grid(window: tuple[float, float], count: int) -> list[float]:
    low, high = window
    return [low + (high - low) * i / (count - 1) for i in range(count)]


def _check_closed_form(
    derived: Callable[[float], float],
    closed: Callable[[float], float],
    window: tuple[float, float],
    kinks: tuple[float, ...],
) -> ClosedFormCheck:
    """Compare the quoted closed form with derive's derivative away from the kinks."""
    worst = 0.0
    count = 0
    for x in _grid(window, 97):
        if any(abs(x - kink) < 1e-6 for kink in kinks):
            continue
        a, b = derived(x), closed(x)
        if not (math.isfinite(a) and math.isfinite(b)):
            continue
        count += 1
        scale = max(abs(a), abs(b), 1e-300)
        worst = max(worst, abs(a - b) / scale if scale > 1e-12 else abs(a - b))
    return ClosedFormCheck(count, worst)


def _largest_gap(
    first: Callable[[float], float], second: Callable[[float], float], window: tuple[float, float]
) -> tuple[float, float]:
    gaps = [(abs(first(x) - second(x)), x) for x in _grid(window, GRID_POINTS)]
    return max(gaps)


def _samples(
    function: Callable[[float], float],
    derivative: Callable[[float], float],
    window: tuple[float, float],
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    xs = _grid(window, PLOT_POINTS)
    return tuple(xs), tuple(function(x) for x in xs), tuple(derivative(x) for x in xs)


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def _behaviour(
    entry: Entry,
    function: Callable[[float], float],
    derivative: Callable[[float], float],
    kinks: tuple[float, ...],
) -> Behaviour:
    xs = _grid(entry.window, GRID_POINTS)
    step = xs[1] - xs[0]
    fs = [function(x) for x in xs]
    # The slope at a grid point on a kink is a convention; read it just beside.
    ds = [derivative(x + KINK_STEP if any(x == k for k in kinks) else x) for x in xs]
    finite = [i for i in range(len(xs)) if math.isfinite(fs[i]) and math.isfinite(ds[i])]
    top = max(ds[i] for i in finite)
    bottom = min(ds[i] for i in finite)
    largest_at = _where(xs, ds, top, finite, kinks, step, derivative, maximise=True)
    smallest_at = _where(xs, ds, bottom, finite, kinks, step, derivative, maximise=False)
    if largest_at[0] == largest_at[1]:
        top = derivative(largest_at[0])
    if smallest_at[0] == smallest_at[1]:
        bottom = derivative(smallest_at[0])
    lowest = min(finite, key=lambda i: fs[i])
    lowest_at = _refine(function, xs[lowest], step, entry.window, maximise=False)
    lowest_value = function(lowest_at)
    highest_value = max(fs[i] for i in finite)
    tolerance = 1e-12 * max(1.0, abs(top), abs(bottom))
    if bottom >= -tolerance:
        monotonic = "increasing"
    elif top <= tolerance:
        monotonic = "decreasing"
    else:
        monotonic = "no"
    convex = _is_convex(fs, finite)
    kink_list = tuple(_kink(function, derivative, k) for k in kinks)
    flat = _flat_runs(xs, ds, finite, kinks, step)
    facts = _facts(
        entry,
        function,
        (top, largest_at),
        (bottom, smallest_at),
        (lowest_value, lowest_at),
        monotonic,
        convex,
        kink_list,
        flat,
        (xs, ds, finite),
    )
    return Behaviour(
        entry.window,
        top,
        largest_at,
        bottom,
        smallest_at,
        lowest_value,
        lowest_at,
        highest_value,
        monotonic,
        convex,
        kink_list,
        flat,
        facts,
    )


def _where(
    xs: list[float],
    ds: list[float],
    target: float,
    finite: list[int],
    kinks: tuple[float, ...],
    step: float,
    derivative: Callable[[float], float],
    *,
    maximise: bool,
) -> tuple[float, float]:
    """Where the derivative takes its extreme: a point, or the interval it holds on."""
    tolerance = 1e-9 * max(1.0, abs(target))
    hits = [i for i in finite if abs(ds[i] - target) <= tolerance]
    if len(hits) > 2:
        return (_snap(xs[hits[0]], kinks, step), _snap(xs[hits[-1]], kinks, step))
    x = _refine(derivative, xs[hits[0]], step, (xs[0], xs[-1]), maximise=maximise)
    return (x, x)


def _refine(
    function: Callable[[float], float],
    x: float,
    step: float,
    window: tuple[float, float],
    *,
    maximise: bool,
) -> float:
    """The extreme of `function` near grid point x (inside the window), by golden-section search."""
    sign = -1.0 if maximise else 1.0
    low, high = max(x - step, window[0]), min(x + step, window[1])
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        fa, fb = sign * function(a), sign * function(b)
        if not (math.isfinite(fa) and math.isfinite(fb)):
            return x
        if fa < fb:
            high = b
        else:
            low = a
    best = (low + high) / 2
    value, at_grid = sign * function(best), sign * function(x)
    if not math.isfinite(value) or (math.isfinite(at_grid) and at_grid < value):
        return x
    # A round number when the extreme is one (σ′ peaks at exactly 0).
    rounded = round(best, 6)
    return rounded if sign * function(rounded) <= value + 1e-15 else best


def _snap(x: float, kinks: tuple[float, ...], step: float) -> float:
    for kink in kinks:
        if abs(x - kink) <= 1.5 * step:
            return kink
    return x


def _is_convex(fs: list[float], finite: list[int]) -> bool:
    scale = max((abs(fs[i]) for i in finite), default=1.0)
    for i in finite[1:-1]:
        if i - 1 in finite and i + 1 in finite:
            if fs[i - 1] - 2 * fs[i] + fs[i + 1] < -1e-9 * max(1.0, scale):
                return False
    return True


def _kink(
    function: Callable[[float], float], derivative: Callable[[float], float], at: float
) -> Kink:
    h = KINK_STEP * max(1.0, abs(at))
    return Kink(at, derivative(at - h), derivative(at + h), function(at - h), function(at + h))


def _flat_runs(
    xs: list[float], ds: list[float], finite: list[int], kinks: tuple[float, ...], step: float
) -> tuple[tuple[float, float], ...]:
    """Intervals where the derivative is exactly 0 (relu's dead region)."""
    runs: list[tuple[float, float]] = []
    start: int | None = None
    for i in range(len(xs) + 1):
        zero = i < len(xs) and i in finite and ds[i] == 0.0
        if zero and start is None:
            start = i
        elif not zero and start is not None:
            if i - start > 2:
                runs.append((_snap(xs[start], kinks, step), _snap(xs[i - 1], kinks, step)))
            start = None
    return tuple(runs)


def _g(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.4g}"


def _interval(low: float, high: float, window: tuple[float, float], name: str) -> str:
    if low <= window[0] and high >= window[1]:
        return "everywhere"
    if low <= window[0]:
        return f"for {name} ≤ {_g(high)}"
    if high >= window[1]:
        return f"for {name} ≥ {_g(low)}"
    return f"for {_g(low)} ≤ {name} ≤ {_g(high)}"


# One independent branch per fact it may state; splitting it would only scatter them.
def _facts(  # noqa: C901
    entry: Entry,
    function: Callable[[float], float],
    largest: tuple[float, tuple[float, float]],
    smallest: tuple[float, tuple[float, float]],
    lowest: tuple[float, float],
    monotonic: str,
    convex: bool,
    kinks: tuple[Kink, ...],
    flat: tuple[tuple[float, float], ...],
    samples: tuple[list[float], list[float], list[int]],
) -> tuple[str, ...]:
    """The behaviour in sentences, each from a number computed above."""
    name = text_name(entry.variable)
    window = entry.window
    on = f"on [{_g(window[0])}, {_g(window[1])}]"
    facts: list[str] = []
    top, (a, b) = largest
    where = f"at {name} = {_g(a)}" if a == b else _interval(a, b, window, name)
    if entry.category == "activation":
        facts.append(f"Largest derivative {on}: {_g(top)}, {where}.")
        if 0 < top < 0.9:
            facts.append(
                f"The derivative is at most {_g(top)}: through 10 such layers a gradient is "
                f"multiplied by at most {_g(top)}^10 = {_g(top**10)}, the vanishing-gradient "
                "problem."
            )
        _saturation(facts, samples, top, name)
        for low, high in flat:
            facts.append(
                f"Dead region: the derivative is exactly 0 {_interval(low, high, window, name)}; "
                "a unit whose input stays there receives no gradient and stops learning."
            )
        bottom, (c, d) = smallest
        if monotonic == "increasing" and not flat and bottom > 0:
            facts.append(
                f"Monotonic: the derivative is positive everywhere (at least {_g(bottom)})."
            )
        elif monotonic == "increasing":
            facts.append("Monotonic (non-decreasing).")
        elif monotonic == "no":
            low_value, low_at = lowest
            facts.append(
                f"Not monotonic: it dips to its minimum {_g(low_value)} at {name} = {_g(low_at)} "
                f"(the derivative is as low as {_g(bottom)})."
            )
        centre = function(0.0)
        negatives = lowest[0] < 0
        if centre == 0 and negatives:
            facts.append("Zero-centred: f(0) = 0 and it has outputs of both signs.")
        elif centre == 0:
            facts.append("Not zero-centred: f(0) = 0 but no output is negative.")
        else:
            facts.append(f"Not zero-centred: f(0) = {_g(centre)}.")
    else:
        low_value, low_at = lowest
        if monotonic == "decreasing":
            facts.append(
                f"Decreasing {on}: the loss is smallest at the edge, {name} → {_g(window[1])}."
            )
        else:
            facts.append(f"Minimum {on}: {_g(low_value)} at {name} = {_g(low_at)}.")
        facts.append("Convex: every local minimum is the global one." if convex else "Not convex.")
        xs, ds, finite = samples
        edges = [abs(ds[i]) for i in (finite[0], finite[-1])]
        biggest = max(abs(ds[i]) for i in finite)
        loss = entry.category == "loss"
        if biggest > 0 and max(edges) >= 0.999 * biggest and _grows(xs, ds, finite):
            facts.append(
                "The gradient grows without bound towards an end: "
                + (
                    "large errors dominate training."
                    if loss
                    else "large weights are pulled back hardest."
                )
            )
        elif not _grows(xs, ds, finite):
            facts.append(
                f"The gradient is bounded: |derivative| ≤ {_g(biggest)} {on}, so "
                + (
                    "outliers pull no harder than that."
                    if loss
                    else "a large weight is pulled towards 0 no harder than a small one."
                )
            )
    for kink in kinks:
        if kink.jumps:
            facts.append(
                f"Jumps at {name} = {_g(kink.at)} from {_g(kink.left_value)} to "
                f"{_g(kink.right_value)}: no derivative there."
            )
        elif kink.smooth:
            facts.append(
                f"Smooth at {name} = {_g(kink.at)}: the slope is {_g(kink.left_slope)} on both "
                "sides."
            )
        else:
            facts.append(
                f"Kink at {name} = {_g(kink.at)}: the slope jumps from {_g(kink.left_slope)} to "
                f"{_g(kink.right_slope)}, so there is no derivative there (frameworks pick one "
                "value, shown in the table)."
            )
    if not kinks or all(kink.smooth for kink in kinks):
        facts.append("Smooth: the derivative is continuous.")
    return tuple(facts)


def _grows(xs: list[float], ds: list[float], finite: list[int]) -> bool:
    """Does |derivative| keep growing towards both ends (as for mse)?"""
    quarter = max(1, len(finite) // 4)
    left = [abs(ds[i]) for i in finite[:quarter]]
    right = [abs(ds[i]) for i in finite[-quarter:]]
    return (left[0] > left[-1] * 1.5 or right[-1] > right[0] * 1.5) and not (
        left[0] == left[-1] and right[0] == right[-1]
    )


def _saturation(
    facts: list[str], samples: tuple[list[float], list[float], list[int]], top: float, name: str
) -> None:
    """Where, at either end, the derivative stays below 5% of its largest value."""
    xs, ds, finite = samples
    if top <= 0:
        return
    threshold = 0.05 * top
    sides = []
    left = _run_length(ds, finite, threshold)
    if left:
        sides.append(f"{name} < {_g(xs[finite[left - 1]])}")
    right = _run_length(ds, finite[::-1], threshold)
    if right:
        sides.append(f"{name} > {_g(xs[finite[-right]])}")
    if sides:
        facts.append(
            f"Saturates: the derivative is below 5% of its largest value for "
            f"{' and '.join(sides)}; units there learn very slowly."
        )


def _run_length(ds: list[float], order: list[int], threshold: float) -> int:
    """How many points from the start of `order` have 0 < |derivative| < threshold."""
    count = 0
    for i in order:
        if not 0 < abs(ds[i]) < threshold:
            break
        count += 1
    return count


def explain_input(
    name: str | Sequence[str] | None = None,
    *,
    show_list: bool = False,
    category: str | None = None,
    steps: bool = False,
    at: Point | Sequence[Point] | None = None,
    param: Point | Sequence[Point] | None = None,
    compare: bool = False,
    plot: bool = False,
) -> tuple[Entry, ...] | Explanation | Comparison:
    """`mathml explain`'s options checked and read: the listing (`show_list`), one
    entry's explanation, or with `compare` several entries ("relu,gelu" or a list)."""
    if show_list:
        if name is not None:
            raise InputError("--list shows every entry: give it no NAME")
        return listing(category)
    if category is not None:
        raise InputError("--category only applies with --list")
    if name is None:
        raise InputError("give an entry, e.g. 'mathml explain sigmoid', or --list to see them")
    text = name if isinstance(name, str) else ",".join(name)
    names = [item.strip() for item in text.split(",") if item.strip()]
    parameters = read_parameters(param)
    if compare or len(names) > 1:
        if not compare:
            raise InputError(f"{text!r} names several entries: add --compare")
        if steps:
            raise InputError("--steps shows one entry's derivation, not a --compare")
        return compare_entries(names, at=read_points(names[0], at), parameters=parameters)
    points = read_points(names[0], at)
    return explain(names[0], at=points, steps=steps, parameters=parameters, plot=plot)
