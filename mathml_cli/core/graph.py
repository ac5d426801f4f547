"""Computational graphs: an expression as a DAG of operations, run forward and backward.

The graph is built from the Python AST of the user's own text (the same
scanner and limits as `core.expr.parse_expression`), not from SymPy's
canonical form, so it reads like what was typed: `x - y` is a `−` node and
`a/b` a `÷` node. Repeated sub-expressions become one shared node, which is
what makes the backward pass sum the gradients arriving along each path.

Each operation keeps its forward value, its local derivatives and their
formulas side by side (as micrograd does), in plain float64 arithmetic.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from mathml_cli.core.expr import FUNCTIONS, MAX_INTEGER_DIGITS, check_call, parse_syntax
from mathml_cli.core.functions import FUNCTION_TABLE, FunctionSpec
from mathml_cli.core.rules import RULES
from mathml_cli.errors import ExpressionError, InputError

# Labels of nodes are the sub-expression's text, cut at this length.
LABEL_MAX = 60

CONSTANT_VALUES = {"pi": math.pi, "e": math.e}


class UndefinedError(Exception):
    """An operation has no (real, finite) value or derivative at its inputs."""


# --- Operations: forward value, local derivatives, their formulas -------------

# A local derivative is a float, or the reason it does not exist.
Local = float | str


@dataclass(frozen=True)
class Operation:
    name: str  # as in JSON: "add", "mul", "sigmoid", ...
    symbol: str  # as in the graph: "+", "×", "sigmoid", ...
    precedence: int  # for writing labels: 1 sum, 2 product, 3 sign, 4 power, 5 call
    forward: Callable[[Sequence[float]], float]
    local: Callable[[Sequence[float], float], list[Local]]  # (inputs, output) -> ∂out/∂input_i
    formulas: Callable[[Sequence[str]], list[str]]  # input names -> text of each ∂out/∂input_i
    # A note when the inputs sit where the derivative needs a convention (relu at 0).
    kink: Callable[[Sequence[float]], str | None] = lambda args: None


def _rule_formula(rule: str) -> Callable[[Sequence[str]], list[str]]:
    """The right-hand side of a derivative rule of derive's, in the input's name."""
    text = RULES[rule].formula
    rhs = text.split(" = ")[1].split("  ")[0]
    return lambda names: [re.sub(r"\bx\b", names[0], rhs)]


def _product_of_others(args: Sequence[float]) -> list[Local]:
    # Prefix and suffix products: linear time, and exact when a factor is 0.
    prefix = [1.0]
    for value in args[:-1]:
        prefix.append(prefix[-1] * value)
    result: list[Local] = [0.0] * len(args)
    suffix = 1.0
    for i in range(len(args) - 1, -1, -1):
        result[i] = prefix[i] * suffix
        suffix *= args[i]
    return result


def _others_formula(names: Sequence[str]) -> list[str]:
    formulas = []
    for i in range(len(names)):
        others = [name for j, name in enumerate(names) if j != i]
        if len(others) > 4:
            formulas.append(f"the product of the other {len(others)} factors")
        else:
            formulas.append("*".join(others))
    return formulas


def _divide(args: Sequence[float]) -> float:
    if args[1] == 0:
        raise UndefinedError("division by zero: the divisor is 0")
    return args[0] / args[1]


def _power(args: Sequence[float]) -> float:
    base, exponent = args
    if base == 0 and exponent < 0:
        raise UndefinedError(f"0 to the negative power {exponent:g} (a division by zero)")
    if base < 0 and not float(exponent).is_integer():
        raise UndefinedError(f"{base:g} to the non-integer power {exponent:g} is not a real number")
    try:
        return math.pow(base, exponent)
    except OverflowError:
        raise UndefinedError(f"{base:g}**{exponent:g} overflows float64") from None


def _power_local(args: Sequence[float], out: float) -> list[Local]:
    base, exponent = args
    by_base: Local
    if exponent == 0:
        by_base = 0.0
    elif base == 0 and exponent < 1:
        by_base = f"n*x**(n - 1) is infinite at x = 0 with n = {exponent:g}"
    else:
        by_base = exponent * _power([base, exponent - 1])
    by_exponent: Local = (
        out * math.log(base)
        if base > 0
        else f"x**y*log(x) needs x > 0 (here x = {base:g}): the derivative in the exponent is "
        "not real"
    )
    return [by_base, by_exponent]


def _log(args: Sequence[float]) -> float:
    if args[0] <= 0:
        raise UndefinedError(f"log needs a positive input, got {args[0]:g}")
    if len(args) == 1:
        return math.log(args[0])
    base = args[1]
    if base <= 0 or base == 1:
        raise UndefinedError(f"log base {base:g} is undefined (it must be positive and not 1)")
    return math.log(args[0]) / math.log(base)


def _log_local(args: Sequence[float], out: float) -> list[Local]:
    if len(args) == 1:
        return [1.0 / args[0]]
    x, base = args
    ln_base = math.log(base)
    return [1.0 / (x * ln_base), -math.log(x) / (base * ln_base**2)]


def _log_formulas(names: Sequence[str]) -> list[str]:
    if len(names) == 1:
        return _rule_formula("log")(names)
    x, base = names
    return [f"1/({x}*log({base}))", f"-log({x})/({base}*log({base})**2)"]


def _extreme(pick: Callable[..., float], word: str) -> Operation:
    def local(args: Sequence[float], out: float) -> list[Local]:
        winners = [i for i, value in enumerate(args) if value == out]
        share = 1.0 / len(winners)
        return [share if i in winners else 0.0 for i in range(len(args))]

    def formulas(names: Sequence[str]) -> list[str]:
        return [f"1 if {name} is the {word}, else 0" for name in names]

    def kink(args: Sequence[float]) -> str | None:
        if len(set(args)) < len(args) and args.count(pick(args)) > 1:
            return (
                f"a tie for the {word}: the tied inputs share the gradient equally "
                "(as PyTorch's maximum and minimum do)"
            )
        return None

    return Operation(
        pick.__name__, pick.__name__, 5, lambda args: pick(args), local, formulas, kink
    )


def _call(spec: FunctionSpec) -> Operation:
    """The operation of a function of the table: its value, local derivatives and kinks."""
    name = spec.name
    value = spec.value
    local = spec.local
    assert value is not None and local is not None

    def forward(args: Sequence[float]) -> float:
        try:
            return value(*args)
        except OverflowError:
            raise UndefinedError(f"{name}({args[0]:g}) overflows float64") from None
        except ZeroDivisionError:
            raise UndefinedError(f"{name}({args[0]:g}) divides by zero") from None
        except ValueError:
            if spec.domain is not None:
                raise UndefinedError(f"{name} needs {spec.domain}, got {args[0]:g}") from None
            raise UndefinedError(f"{name}({args[0]:g}) is undefined") from None

    def kink(args: Sequence[float]) -> str | None:
        return spec.kink_note if args[0] in spec.kinks else None

    formulas = spec.local_formulas or _rule_formula(spec.rule or name)
    return Operation(name, name, 5, forward, local, formulas, kink)


_OPERATIONS = [
    Operation(
        "add", "+", 1, lambda args: math.fsum(args), lambda a, o: [1.0] * len(a),
        lambda names: ["1"] * len(names),
    ),
    Operation(
        "sub", "−", 1, lambda args: args[0] - args[1], lambda a, o: [1.0, -1.0],
        lambda names: ["1", "-1"],
    ),
    Operation("mul", "×", 2, math.prod, lambda a, o: _product_of_others(a), _others_formula),
    Operation(
        "div", "÷", 2, _divide, lambda a, o: [1.0 / a[1], -a[0] / (a[1] * a[1])],
        lambda n: [f"1/{n[1]}", f"-{n[0]}/{n[1]}**2"],
    ),
    Operation(
        "pow", "^", 4, _power, _power_local,
        lambda n: [f"{n[1]}*{n[0]}**({n[1]} - 1)", f"{n[0]}**{n[1]}*log({n[0]})"],
    ),
    Operation("neg", "neg", 3, lambda args: -args[0], lambda a, o: [-1.0], lambda n: ["-1"]),
    # log takes a base too: log(x, b) = ln(x)/ln(b).
    Operation("log", "log", 5, _log, _log_local, _log_formulas),
    *[_call(spec) for spec in FUNCTION_TABLE if spec.local is not None],
    _extreme(max, "largest"),
    _extreme(min, "smallest"),
    # A program's `y = x`: y is a new name for x's value.
    Operation("copy", "=", 5, lambda a: a[0], lambda a, o: [1.0], lambda n: ["1"]),
]  # fmt: skip

OPERATIONS: dict[str, Operation] = {operation.name: operation for operation in _OPERATIONS}

# Operations whose inputs may be reordered without changing the value.
_COMMUTATIVE = {"add", "mul", "max", "min"}


# --- The graph ---------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One node: an input variable, a constant, or an operation on earlier nodes."""

    id: str
    op: str  # "input", "constant" or an OPERATIONS name
    inputs: tuple[int, ...]  # indices of earlier nodes
    label: str  # the sub-expression, as text (shortened past LABEL_MAX)
    constant: float | None = None
    name: str | None = None  # in a program, the name a statement assigns it (id adds primes)

    @property
    def symbol(self) -> str:
        return OPERATIONS[self.op].symbol if self.op in OPERATIONS else self.op


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order (every node after its inputs); `output` is the root."""

    nodes: tuple[Node, ...]
    output: int
    variables: tuple[str, ...]  # sorted by name
    needs_grad: tuple[bool, ...]  # whether a node depends on some variable

    positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.positions.update((node.id, i) for i, node in enumerate(self.nodes))

    def index(self, node_id: str) -> int:
        return self.positions[node_id]


def build_graph(text: str) -> Graph:
    """The computational graph of `text`, with equal sub-expressions as one node.

    Equal numbers are separate leaves: the 2 of x**2 and the 2 of 2*y are two constants.
    """
    tree, columns = parse_syntax(text)
    builder = GraphBuilder(text, columns)
    return builder.finish(builder.build(tree))


_Plan = tuple[str, list[ast.expr]]


class GraphBuilder:
    """Adds the nodes of one expression after another to one graph.

    A program (core.program) builds each statement in turn: `scope` maps the
    names assigned so far to their nodes, and `statement` keeps equal
    sub-expressions of different statements apart, so each unnamed node
    belongs to one statement.
    """

    def __init__(self, text: str, columns: list[int]) -> None:
        self.text = text
        self.columns = columns
        self.nodes: list[_Draft] = []
        self.known: dict[tuple[object, ...], int] = {}
        self.precedence: list[int] = []
        # How a parent writes each node: its label, or for a named node its name.
        self.refs: list[str] = []
        self.scope: dict[str, int] = {}
        self.statement = 0
        self.first_use: dict[str, int] = {}  # input name -> statement that first reads it

    def error(self, problem: str, node: ast.AST) -> ExpressionError:
        offset = getattr(node, "col_offset", None)
        column = self.columns[offset] if offset is not None and offset < len(self.columns) else None
        return ExpressionError(problem, self.text, column)

    def build(self, tree: ast.expr) -> int:
        """Add the nodes of `tree`; return the index of its root."""
        # An explicit stack, not recursion: `a - b - c - ...` may be thousands deep.
        done: dict[int, int] = {}
        stack: list[tuple[ast.expr, _Plan | None]] = [(tree, None)]
        while stack:
            node, plan = stack.pop()
            if plan is None:
                leaf = self.leaf(node)
                if leaf is not None:
                    done[id(node)] = leaf
                    continue
                plan = self.plan(node)
                stack.append((node, plan))
                stack.extend((child, None) for child in reversed(plan[1]))
                continue
            op, children = plan
            inputs = [done[id(child)] for child in children]
            done[id(node)] = inputs[0] if op == "pos" else self.operation(op, inputs)
        return done[id(tree)]

    def leaf(self, node: ast.expr) -> int | None:
        if isinstance(node, ast.Constant):
            return self.constant(self.number(node), self.number_text(node))
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
        ):
            value = -self.number(node.operand)
            return self.constant(value, "-" + self.number_text(node.operand))
        if isinstance(node, ast.Name):
            if node.id in self.scope:
                return self.scope[node.id]
            if node.id in CONSTANT_VALUES:
                return self.constant(CONSTANT_VALUES[node.id], node.id)
            if node.id in FUNCTIONS:
                raise self.error(f"'{node.id}' is a function: write {node.id}(...)", node)
            return self.variable(node.id)
        return None

    def variable(self, name: str) -> int:
        self.first_use.setdefault(name, self.statement)
        return self.add(("input", name), _Draft(name, "input", (), name), 5)

    def plan(self, node: ast.expr) -> _Plan:
        if isinstance(node, ast.BinOp):
            kinds = {
                ast.Add: "add",
                ast.Sub: "sub",
                ast.Mult: "mul",
                ast.Div: "div",
                ast.Pow: "pow",
            }
            op = kinds.get(type(node.op))
            if op is None:
                raise self.error(f"the operator {type(node.op).__name__} is not allowed", node)
            if op in ("add", "mul"):
                return op, self.chain(node, type(node.op))
            return op, [node.left, node.right]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return ("neg" if isinstance(node.op, ast.USub) else "pos"), [node.operand]
        if isinstance(node, ast.Call):
            return self.call(node)
        what = "a tuple" if isinstance(node, ast.Tuple) else type(node).__name__
        raise self.error(f"{what} is not allowed", node)

    def chain(self, node: ast.BinOp, kind: type) -> list[ast.expr]:
        """a + b + c (parsed as (a + b) + c) as the terms [a, b, c]: one n-ary node."""
        terms: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, kind):
            terms.append(current.right)
            current = current.left
        terms.append(current)
        return terms[::-1]

    def call(self, node: ast.Call) -> _Plan:
        name = check_call(node, self.error)
        return name, list(node.args)

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"the literal {value!r} is not allowed", node)
        if isinstance(value, int) and value.bit_length() > 4 * MAX_INTEGER_DIGITS:
            raise self.error(f"integer too large (limit {MAX_INTEGER_DIGITS} digits)", node)
        if isinstance(value, int) and len(str(value)) > MAX_INTEGER_DIGITS:
            raise self.error(f"integer too large (limit {MAX_INTEGER_DIGITS} digits)", node)
        number = float(value)
        if not math.isfinite(number):
            raise self.error("number too large for a float", node)
        return number

    def number_text(self, node: ast.Constant) -> str:
        value = node.value
        return str(value) if isinstance(value, int) else repr(float(value))  # type: ignore[arg-type]

    def constant(self, value: float, text: str) -> int:
        precedence = 3 if text.startswith("-") else 5
        # Keyed by position: equal numbers are separate leaves, never one shared node.
        draft = _Draft(text, "constant", (), text, value)
        return self.add(("constant", len(self.nodes)), draft, precedence)

    def operation(self, op: str, inputs: list[int]) -> int:
        operation = OPERATIONS[op]
        key_inputs = tuple(sorted(inputs)) if op in _COMMUTATIVE else tuple(inputs)
        label = self.label(operation, inputs)
        return self.add(
            (op, key_inputs, self.statement),
            _Draft("", op, tuple(inputs), label),
            operation.precedence,
        )

    def add(self, key: tuple[object, ...], draft: _Draft, precedence: int) -> int:
        if key in self.known:
            return self.known[key]
        self.nodes.append(draft)
        self.precedence.append(precedence)
        self.refs.append(draft.label)
        self.known[key] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def name(self, index: int, name: str, display: str) -> None:
        """Give node `index` the user's `name` (shown as `display`, c′ for a re-assigned c)."""
        draft = self.nodes[index]
        self.nodes[index] = _Draft(
            display, draft.op, draft.inputs, draft.label, draft.constant, name
        )
        self.refs[index] = display
        self.precedence[index] = 5
        self.scope[name] = index

    def label(self, operation: Operation, inputs: list[int]) -> str:
        def part(index: int, below: int) -> str:
            text = self.refs[index]
            return f"({text})" if self.precedence[index] < below else text

        return node_label(operation.name, inputs, part, lambda i: self.refs[i])

    def finish(self, output: int, keep: Sequence[int] | None = None) -> Graph:
        """The graph of the nodes in `keep` (default all), in order; `output` is its root."""
        kept = list(range(len(self.nodes))) if keep is None else list(keep)
        position = {old: new for new, old in enumerate(kept)}
        drafts = [self.nodes[i] for i in kept]
        variables = sorted({draft.id for draft in drafts if draft.op == "input"})
        prefix = _free_prefix([*variables, *self.scope])
        nodes: list[Node] = []
        needs_grad: list[bool] = []
        count = 0
        repeats: dict[str, int] = {}
        for draft in drafts:
            node_id = draft.id
            inputs = tuple(position[i] for i in draft.inputs)
            if draft.name is None and draft.op == "constant":
                # Equal numbers are separate leaves; ids stay unique: 2, 2#2, 2#3.
                repeats[node_id] = repeats.get(node_id, 0) + 1
                if repeats[node_id] > 1:
                    node_id = f"{node_id}#{repeats[node_id]}"
            elif draft.name is None and draft.op != "input":
                count += 1
                node_id = f"{prefix}{count}"
            nodes.append(Node(node_id, draft.op, inputs, draft.label, draft.constant, draft.name))
            needs_grad.append(draft.op == "input" or any(needs_grad[i] for i in inputs))
        return Graph(tuple(nodes), position[output], tuple(variables), tuple(needs_grad))


@dataclass(frozen=True)
class _Draft:
    id: str
    op: str
    inputs: tuple[int, ...]
    label: str
    constant: float | None = None
    name: str | None = None


def _free_prefix(variables: Sequence[str]) -> str:
    """A prefix for operation ids (n1, n2, ...) that no variable's name can be taken for."""
    for prefix in ("n", "node", "op", "t"):
        pattern = re.compile(rf"{prefix}\d+")
        if not any(pattern.fullmatch(name) for name in variables):
            return prefix
    return "node_"


# --- Forward and backward ----------------------------------------------------


def forward(graph: Graph, point: Mapping[str, float]) -> list[float]:
    """Every node's value at `point` (which must give every variable), in topological order."""
    values: list[float] = []
    for node in graph.nodes:
        if node.op == "input":
            values.append(float(point[node.id]))
            continue
        if node.op == "constant":
            values.append(float(node.constant))  # type: ignore[arg-type]
            continue
        args = [values[i] for i in node.inputs]
        try:
            value = OPERATIONS[node.op].forward(args)
        except UndefinedError as reason:
            message = str(reason)
            if node.op == "div":
                divisor = graph.nodes[node.inputs[1]].label
                message = f"division by zero: the divisor {divisor} is 0"
            raise _undefined(node, message, graph) from None
        except (OverflowError, ValueError, ZeroDivisionError) as error:
            raise _undefined(node, str(error), graph) from None
        if not math.isfinite(value):
            raise _undefined(node, f"its value overflows float64 ({value})", graph)
        values.append(value)
    return values


def _undefined(node: Node, reason: str, graph: Graph, what: str = "the graph") -> InputError:
    return InputError(f"{what} is undefined at node {node.id} = {node.label}: {reason}")


# Half the gap between 1 and the next float64: the relative error of one rounding.
UNIT_ROUNDOFF = 2.0**-53


def zero_up_to_rounding(graph: Graph, values: Sequence[float]) -> dict[int, float]:
    """The operation nodes whose value is nonzero but within float64 rounding error of 0.

    Returns {node index: its error bound}.
    A first-order running error bound: every input and constant carries the
    error of rounding the decimal typed to binary (0.1 has no exact binary
    form), each operation passes its inputs' errors on through its local
    derivatives and adds one rounding of its own. `0.5 - 0.6 + 0.1` is
    2.78e-17 in float64 with a bound of 1.3e-16, so it is 0 up to rounding.
    """
    bounds: list[float] = []
    flagged: dict[int, float] = {}
    for index, node in enumerate(graph.nodes):
        value = values[index]
        if not node.inputs:
            bounds.append(UNIT_ROUNDOFF * abs(value))
            continue
        args = [values[i] for i in node.inputs]
        try:
            locals_ = OPERATIONS[node.op].local(args, value)
        except (UndefinedError, ArithmeticError, ValueError):
            locals_ = [0.0] * len(args)
        carried = math.fsum(
            abs(local) * bounds[i]
            for local, i in zip(locals_, node.inputs, strict=True)
            if isinstance(local, float)
        )
        bound = carried + len(args) * UNIT_ROUNDOFF * abs(value)
        bounds.append(bound)
        if value != 0 and abs(value) <= bound:
            flagged[index] = bound
    return flagged


@dataclass(frozen=True)
class Contribution:
    """One edge of the backward pass: the gradient `source` sends to its input `target`."""

    target: int
    source: int
    upstream: float  # ∂f/∂source
    formula: str  # ∂source/∂target as text, in the nodes' ids
    local: float  # its value
    contribution: float  # upstream × local
    previous: float  # ∂f/∂target before this contribution (0 on the first path)
    accumulated: float  # ∂f/∂target so far, this contribution included
    path: int  # this is the path-th of `paths` contributions target receives
    paths: int


@dataclass(frozen=True)
class Backward:
    gradients: tuple[float | None, ...]  # ∂f/∂node; None for nodes no variable reaches
    contributions: tuple[Contribution, ...]  # in the order they are made
    conventions: tuple[str, ...]  # where a derivative needed a convention (relu at 0, ...)


# Complex by nature (the backward pass, kept in one place to read as micrograd does).
def backward(graph: Graph, values: Sequence[float]) -> Backward:  # noqa: C901
    """Reverse-mode differentiation: seed the output with 1, then walk back edge by edge."""
    nodes = graph.nodes
    paths = [0] * len(nodes)
    for node in nodes:
        for i in node.inputs:
            if graph.needs_grad[i]:
                paths[i] += 1
    gradients: list[float | None] = [0.0 if need else None for need in graph.needs_grad]
    if graph.needs_grad[graph.output]:
        gradients[graph.output] = 1.0
    received = [0] * len(nodes)
    contributions: list[Contribution] = []
    conventions: list[str] = []
    for index in range(len(nodes) - 1, -1, -1):
        node = nodes[index]
        upstream = gradients[index]
        if upstream is None or not node.inputs:
            continue
        operation = OPERATIONS[node.op]
        args = [values[i] for i in node.inputs]
        try:
            locals_ = operation.local(args, values[index])
        except (UndefinedError, OverflowError, ValueError, ZeroDivisionError) as error:
            raise _undefined(node, str(error), graph, "the gradient") from None
        note = operation.kink(args)
        if note is not None:
            conventions.append(f"node {node.id} = {node.label}: {note}")
        # A number reads as itself in a formula (2*x, not 2#2*x).
        names = [
            nodes[i].label if nodes[i].op == "constant" and nodes[i].name is None else nodes[i].id
            for i in node.inputs
        ]
        formulas = operation.formulas(names)
        for slot, target in enumerate(node.inputs):
            if not graph.needs_grad[target]:
                continue
            local = locals_[slot]
            if isinstance(local, str):
                raise _undefined(node, local, graph, "the gradient")
            contribution = upstream * local
            previous: float = gradients[target]  # type: ignore[assignment]
            accumulated = previous + contribution
            if not math.isfinite(accumulated):
                reason = f"the gradient it sends to {nodes[target].id} overflows float64"
                raise _undefined(node, reason, graph, "the gradient")
            gradients[target] = accumulated
            received[target] += 1
            contributions.append(
                Contribution(
                    target, index, upstream, formulas[slot], local, contribution,
                    previous, accumulated, received[target], paths[target],
                )
            )  # fmt: skip
    return Backward(tuple(gradients), tuple(contributions), tuple(conventions))


def node_label(
    op: str,
    inputs: Sequence[int],
    part: Callable[[int, int], str],
    plain: Callable[[int], str],
) -> str:
    """A node's sub-expression as text, from its inputs' texts: `part(i, below)` wraps
    input i in parentheses when it binds less tightly than `below`; `plain(i)` is its
    text as is. Shared by the scalar graph and the layer graph (core.tensor)."""
    if op == "add":
        text = " + ".join(part(i, 1) for i in inputs)
    elif op == "sub":
        text = f"{part(inputs[0], 1)} - {part(inputs[1], 2)}"
    elif op == "mul":
        text = "*".join(part(i, 2) for i in inputs)
    elif op == "matmul":
        text = f"{part(inputs[0], 2)} @ {part(inputs[1], 3)}"
    elif op == "div":
        text = f"{part(inputs[0], 2)}/{part(inputs[1], 3)}"
    elif op == "pow":
        text = f"{part(inputs[0], 5)}**{part(inputs[1], 4)}"
    elif op == "neg":
        text = f"-{part(inputs[0], 3)}"
    elif op == "transpose":
        text = f"{part(inputs[0], 5)}.T"
    elif op == "copy":
        text = plain(inputs[0])
    else:
        text = f"{op}({', '.join(plain(i) for i in inputs)})"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"
