"""`mathml backprop`: a forward and a backward pass through an expression's graph.

`backprop` builds the graph (core.graph), runs it forward at the user's
point, runs it backward from the output, and checks the gradients two
independent ways: against SymPy's symbolic derivative (derive's core) and
against finite differences of SymPy's own evaluation of the expression. A
graph too large for SymPy to handle quickly is checked by finite
differences of its forward pass along random directions instead, and the
result says so.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mathml_cli.core.graph import (
    Backward,
    Graph,
    backward,
    build_graph,
    forward,
    zero_up_to_rounding,
)
from mathml_cli.core.inputs import check_point, choose_variables, read_point
from mathml_cli.core.numeric import richardson_slope
from mathml_cli.core.program import (
    ChainRule,
    Program,
    build_program,
    chain_rules,
    is_program,
    missing_inputs_error,
)
from mathml_cli.errors import InputError

# Past this many nodes SymPy (parse, diff, lambdify) takes longer than the
# whole backward pass by orders of magnitude; see benchmarks/backprop.py.
SYMBOLIC_MAX_NODES = 500
# A program's steps reuse each other, so its one SymPy expression (a tree,
# as lambdify prints it) grows much faster than its graph.
SYMBOLIC_MAX_PROGRAM_NODES = 120
# Each symbolic partial derivative can be as large as the expression, so with
# many variables SymPy checks an evenly spread sample of them.
SYMBOLIC_SAMPLE = 20
# Up to this many variables finite differences check each partial derivative;
# past it, the gradient is checked along random directions.
FD_MAX_VARIABLES = 40
FD_DIRECTIONS = 3
TOLERANCE = 1e-6  # relative, for finite differences (their own error is about 1e-10)
SYMBOLIC_TOLERANCE = 1e-9  # relative: the same math in float64 along two routes

KINK_NOTE = (
    "the point sits on a kink (see the conventions above), where the derivative "
    "depends on a convention"
)


@dataclass(frozen=True)
class Check:
    """One independent check of the gradients: verified True, False, or None (not possible)."""

    method: str
    verified: bool | None
    detail: str
    largest_difference: float | None = None


@dataclass(frozen=True)
class Update:
    learning_rate: float
    values: dict[str, float]  # variable -> its value after one step
    output: float | None  # the output at the new values (None: undefined there)


def output_name(variables: Sequence[str]) -> str:
    """f, or when a variable is called f (as in (a*b + c)*f), L, then out."""
    return next(name for name in ("f", "L", "out", "output") if name not in variables)


@dataclass(frozen=True)
class Backprop:
    """What `mathml backprop` computes."""

    text: str
    graph: Graph
    point: dict[str, float]
    wrt: tuple[str, ...]
    values: tuple[float, ...]
    backward: Backward
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    update: Update | None
    # Nodes whose float64 value is within rounding error of 0: {index: the error bound}.
    rounding_zeros: dict[int, float]
    # A program of named steps (None for one expression), and its chain rule in the user's names.
    program: Program | None = None
    chain_rules: tuple[ChainRule, ...] = ()

    @property
    def output(self) -> float:
        return self.values[self.graph.output]

    @property
    def output_name(self) -> str:
        """What the output is called: a program's name for it, else f (L if f is a variable)."""
        if self.program is not None:
            return self.graph.nodes[self.graph.output].id
        return output_name(self.graph.variables)

    @property
    def notes(self) -> tuple[str, ...]:
        return () if self.program is None else self.program.notes

    @property
    def gradients(self) -> dict[str, float]:
        return {name: self.gradient(name) for name in self.wrt}

    def gradient(self, variable: str) -> float:
        value = self.backward.gradients[self.graph.index(variable)]
        return 0.0 if value is None else value

    @property
    def verified(self) -> bool | None:
        outcomes = [check.verified for check in self.checks]
        if False in outcomes:
            return False
        return True if True in outcomes else None


def backprop(
    text: str,
    at: str | Mapping[str, float] | None,
    wrt: str | Sequence[str] | None = (),
    learning_rate: float | None = None,
    output: str | None = None,
) -> Backprop:
    """Run `text` forward at `at` and backward to every variable, and check the result.

    at: a value for every variable ("x=1,w=0.5" or a dict); wrt: the variables whose
    gradients to report and update ("w,b" or a list; default all). `text` is one
    expression, or a program of named steps (core.program) whose output is `output`
    (default: the last name it assigns).
    """
    program = None
    if is_program(text):
        program = build_program(text, output)
        graph = program.graph
    elif output is not None:
        raise InputError("--output names a step of a program; this is one expression")
    else:
        graph = build_graph(text)
    given = read_point(at or {}, "--at")
    missing = [name for name in graph.variables if name not in given]
    if missing and program is not None:
        raise missing_inputs_error(program, missing)
    owner = "the expression" if program is None else "the program's output"
    point = check_point(given, graph.variables, "--at", owner=owner)
    targets = choose_variables(wrt, graph.variables)
    values = forward(graph, point)
    result = backward(graph, values)
    gradients = {name: result.gradients[graph.index(name)] or 0.0 for name in graph.variables}
    checks = _checks(
        text if program is None else None,
        graph,
        point,
        values[graph.output],
        gradients,
        bool(result.conventions),
    )
    update = None
    if learning_rate is not None:
        update = _update(graph, point, gradients, targets, learning_rate)
    rounding_zeros = zero_up_to_rounding(graph, values)
    return Backprop(
        text,
        graph,
        point,
        targets,
        tuple(values),
        result,
        checks,
        (),
        update,
        rounding_zeros,
        program,
        () if program is None else chain_rules(graph, values, result),
    )


def _update(
    graph: Graph,
    point: dict[str, float],
    gradients: dict[str, float],
    targets: tuple[str, ...],
    learning_rate: float,
) -> Update:
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise InputError(f"--lr must be a positive number, got {learning_rate:g}")
    updated = {name: point[name] - learning_rate * gradients[name] for name in targets}
    try:
        output = forward(graph, {**point, **updated})[graph.output]
    except InputError:
        output = None
    return Update(learning_rate, updated, output)


# --- Verification ------------------------------------------------------------


def _checks(
    text: str | None,
    graph: Graph,
    point: dict[str, float],
    output: float,
    gradients: dict[str, float],
    at_kink: bool,
) -> tuple[Check, ...]:
    size = len(graph.nodes)
    limit = SYMBOLIC_MAX_NODES if text is not None else SYMBOLIC_MAX_PROGRAM_NODES
    if size <= limit:
        symbolic, function = _symbolic_check(text, graph, point, output, gradients)
        checks = [symbolic, _finite_difference_check(function, graph, point, gradients)]
    else:
        skipped = Check(
            "symbolic",
            None,
            f"skipped: the graph has {size:,} nodes, more than the {limit:,} "
            "SymPy handles in well under a second",
        )

        def run_forward(values: dict[str, float]) -> float | None:
            try:
                return forward(graph, values)[graph.output]
            except InputError:
                return None

        checks = [skipped, _finite_difference_check(run_forward, graph, point, gradients)]
    if at_kink:
        checks = [
            Check(c.method, None, f"{c.detail}; not conclusive: {KINK_NOTE}", c.largest_difference)
            if c.verified is False
            else c
            for c in checks
        ]
    return tuple(checks)


def _symbolic_check(
    text: str | None,
    graph: Graph,
    point: dict[str, float],
    output: float,
    gradients: dict[str, float],
) -> tuple[Check, Callable[[dict[str, float]], float | None]]:
    """Compare with SymPy's diff of the expression; also return SymPy's f for the next check.

    A program (`text` None) has no one text to parse: its SymPy expression is
    its graph's, each statement substituted into the next.
    """
    import sympy

    from mathml_cli.core.derive import sympy_derivative
    from mathml_cli.core.expr import numeric_function, parse_expression

    names = list(graph.variables)
    sampled = _spread_sample(names, SYMBOLIC_SAMPLE)
    expression = parse_expression(text) if text is not None else _sympy_expression(graph)
    derivatives = [sympy_derivative(expression, sympy.Symbol(name, real=True)) for name in sampled]
    evaluate = numeric_function([expression, *derivatives], names, backend="math")
    function = numeric_function(expression, names, backend="math")

    def sympy_value(values: dict[str, float]) -> float | None:
        return _real(function, [values[name] for name in names])

    try:
        expected = [_as_real(v) for v in evaluate(*[point[name] for name in names])]
    except (ArithmeticError, ValueError, TypeError):
        expected = [None] * (len(sampled) + 1)
    ours = [output, *[gradients[name] for name in sampled]]
    f = output_name(graph.variables) if text is not None else graph.nodes[graph.output].id
    labels = [f, *[f"∂{f}/∂{name}" for name in sampled]]
    largest = 0.0
    for label, want, got in zip(labels, expected, ours, strict=True):
        if want is None:
            return Check(
                "symbolic", None, f"SymPy's {label} cannot be evaluated at this point"
            ), sympy_value
        difference = abs(want - got)
        largest = max(largest, difference)
        if difference > SYMBOLIC_TOLERANCE * max(1.0, abs(want), abs(got)):
            return Check(
                "symbolic",
                False,
                f"{label} disagrees with SymPy's derivative: {got!r} here, {want!r} from SymPy",
                difference,
            ), sympy_value
    count = len(names)
    if len(sampled) < count:
        what = f"{f} and {len(sampled)} of the {count} partial derivatives (an even sample)"
    elif count == 1:
        what = f"{f} and its derivative"
    else:
        what = f"{f} and all {count} partial derivatives"
    return Check(
        "symbolic",
        True,
        f"{what} agree with SymPy's diff (derive's core), largest difference {largest:.1e}",
        largest,
    ), sympy_value


def _sympy_expression(graph: Graph) -> Any:
    """The graph's output as one SymPy expression, built node by node (a DAG, so shared)."""
    import sympy

    from mathml_cli.core.expr import FUNCTIONS

    built: list[Any] = []
    for node in graph.nodes:
        args = [built[i] for i in node.inputs]
        if node.op == "input":
            value = sympy.Symbol(node.id, real=True)
        elif node.op == "constant":
            number = float(node.constant)  # type: ignore[arg-type]
            value = sympy.Integer(int(number)) if number.is_integer() else sympy.Float(repr(number))
        elif node.op in _SYMPY_OPERATIONS:
            value = _SYMPY_OPERATIONS[node.op](args)
        else:
            value = FUNCTIONS[node.op][0](*args)
        built.append(value)
    return built[graph.output]


_SYMPY_OPERATIONS: dict[str, Callable[[list[Any]], Any]] = {
    "add": lambda args: sum(args[1:], args[0]),
    "sub": lambda args: args[0] - args[1],
    "mul": lambda args: math.prod(args[1:], start=args[0]),
    "div": lambda args: args[0] / args[1],
    "pow": lambda args: args[0] ** args[1],
    "neg": lambda args: -args[0],
    "copy": lambda args: args[0],
}


def _spread_sample(names: list[str], size: int) -> list[str]:
    """All of `names`, or `size` of them evenly spread from the first to the last."""
    if len(names) <= size:
        return names
    step = (len(names) - 1) / (size - 1)
    return [names[round(i * step)] for i in range(size)]


def _as_real(value: object) -> float | None:
    number = complex(value)  # type: ignore[arg-type,call-overload]
    if number.imag != 0 or not math.isfinite(number.real):
        return None
    return number.real


def _real(function: Callable[..., object], args: list[float]) -> float | None:
    try:
        return _as_real(function(*args))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _finite_difference_check(
    function: Callable[[dict[str, float]], float | None],
    graph: Graph,
    point: dict[str, float],
    gradients: dict[str, float],
) -> Check:
    names = list(graph.variables)
    method = "finite differences"
    if not names:
        return Check(method, None, "no variables: nothing to differentiate")
    if len(names) <= FD_MAX_VARIABLES:
        directions = [{name: 1.0} for name in names]
        what = "each partial derivative"
    else:
        rng = random.Random(20261122)
        directions = []
        for _ in range(FD_DIRECTIONS):
            raw = {name: rng.gauss(0.0, 1.0) for name in names}
            norm = math.sqrt(sum(v * v for v in raw.values()))
            directions.append({name: v / norm for name, v in raw.items()})
        what = f"the gradient along {FD_DIRECTIONS} random directions (too many variables for each)"
    largest = 0.0
    checked = 0
    for direction in directions:
        expected = _directional_difference(function, point, direction)
        if expected is None:
            continue
        got = math.fsum(gradients[name] * weight for name, weight in direction.items())
        difference = abs(expected - got)
        checked += 1
        largest = max(largest, difference)
        if difference > TOLERANCE * max(1.0, abs(expected), abs(got)):
            where = next(iter(direction)) if len(direction) == 1 else "a random direction"
            return Check(
                method,
                False,
                f"disagree along {where}: {got!r} by backprop, {expected!r} by differences",
                difference,
            )
    if checked == 0:
        return Check(
            method, None, "not possible here (a kink or an edge of the domain is too close)"
        )
    return Check(
        method,
        True,
        f"central differences (Richardson-extrapolated) agree for {what}, "
        f"largest difference {largest:.1e}"
        + (
            f" ({len(directions) - checked} skipped near a kink)"
            if checked < len(directions)
            else ""
        ),
        largest,
    )


def _directional_difference(
    function: Callable[[dict[str, float]], float | None],
    point: dict[str, float],
    direction: dict[str, float],
) -> float | None:
    """The derivative of `function` at `point` along `direction`, or None near a kink."""
    h = 1e-3 * max(1.0, max(abs(point[name]) for name in direction))

    def along(t: float) -> float | None:
        shifted = dict(point)
        for name, weight in direction.items():
            shifted[name] += t * weight
        return function(shifted)

    return richardson_slope(along, h)


def backprop_input(
    expression: str,
    at: str | Mapping[str, Any] | None = None,
    wrt: str | Sequence[str] | None = None,
    learning_rate: float | None = None,
    output: str | None = None,
) -> Any:
    """`mathml backprop`'s inputs read, for the command line and the Python API.

    expression: an expression or a program, or @file / - (stdin) holding one.
    at: "x=1,w=0.5", with vectors and matrices in dot's syntax
    ("W=[[0.5,-0.3],[0.2,0.4]],x=[1,2]"), or a dict of numbers, lists and NumPy
    arrays. Vectors, matrices, @, .T or a layer function go to the layer engine
    (core.tensor: a LayerBackprop), anything else to `backprop` (a Backprop).
    """
    from mathml_cli.core.inputs import read_names, read_text
    from mathml_cli.core.program import reads_layers

    if expression.strip() == "-" or expression.startswith("@"):
        expression = read_text(expression.strip())[0]
    values = _read_values(at)
    if reads_layers(expression) or any(not isinstance(v, float) for v in values.values()):
        from mathml_cli.core.tensor import layer_backprop

        return layer_backprop(expression, values, read_names(wrt), learning_rate, output)
    return backprop(expression, values if at is not None else None, wrt, learning_rate, output)


def _read_values(at: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """--at's numbers (floats) and, for the layer engine, vectors and matrices (arrays)."""
    import re

    if at is None:
        return {}
    if isinstance(at, str):
        if "[" in at or "@" in at or re.search(r"=\s*-\s*(,|;|$)", at):
            from mathml_cli.core.tensor import parse_point

            return dict(parse_point(at))  # vectors and matrices, in dot's syntax
        return read_point(at)
    if not isinstance(at, Mapping):
        raise InputError('--at must be a dict or text such as "x=3,y=2"')
    scalars = {name: value for name, value in at.items() if isinstance(value, (str, int, float))}
    values: dict[str, Any] = read_point(scalars)
    for name, value in at.items():
        if name not in scalars:
            from mathml_cli.core.inputs import read_array

            values[str(name)] = read_array(value, f"--at value of {name}")
    return {str(name): values[str(name)] for name in at}  # in the user's order
