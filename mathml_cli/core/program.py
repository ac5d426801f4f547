"""Programs of named steps: `h = x**2; y = h + 3; z = y*2` as one computational graph.

A program is statements separated by `;` or newlines, each `name = expression`
or an augmented assignment (`+=`, `-=`, `*=`, `/=`); `#` starts a comment.
Each right-hand side is parsed by `core.expr.parse_syntax` (the same scanner,
whitelist and limits as every expression) and added to one graph by
`core.graph.GraphBuilder`, so nothing is ever evaluated as Python.

The graph stays a DAG of values: assigning a name again makes a new node
(`c`, then `c′`, `c″`, ...), and a name read before any assignment is an input.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mathml_cli.core.expr import FUNCTIONS, parse_syntax
from mathml_cli.core.graph import (
    CONSTANT_VALUES,
    OPERATIONS,
    Backward,
    Graph,
    GraphBuilder,
    UndefinedError,
)
from mathml_cli.errors import ExpressionError, InputError, did_you_mean

MAX_STATEMENTS = 10_000

_ASSIGNMENT = re.compile(r"\s*([^\W\d]\w*)\s*(\+=|-=|\*=|/=|=)(?!=)")
_AUGMENTED = {"+=": "add", "-=": "sub", "*=": "mul", "/=": "div"}
_PRIMES = ["", "′", "″", "‴"]


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based, in the order written
    line: int  # 1-based line of the program where it starts
    target: str
    operator: str  # "=", "+=", "-=", "*=" or "/="
    text: str  # the statement as written, on one line
    offset: int  # where the right-hand side starts in `text` (0-based)

    @property
    def expression(self) -> str:
        return self.text[self.offset :]


@dataclass(frozen=True)
class Program:
    statements: tuple[Statement, ...]
    graph: Graph
    first_use: dict[str, int]  # input -> the statement that first reads it
    assigned: dict[str, tuple[int, ...]]  # name -> the statements that assign it
    notes: tuple[str, ...]


# Functions only layers have (core.tensor); the language's functions apply elementwise there.
LAYER_FUNCTIONS = (
    "sum", "mean", "transpose", "softmax", "log_softmax", "mse", "cross_entropy", "bce",
)  # fmt: skip


def reads_layers(text: str) -> bool:
    """Whether `text` is written for vectors and matrices: @, .T or a layer function."""
    if "@" in text or re.search(r"\.T\b", text):
        return True
    return re.search(rf"\b({'|'.join(LAYER_FUNCTIONS)})\s*\(", text) is not None


def is_program(text: str) -> bool:
    """Whether `text` is a program: the expression language itself has no '='."""
    return "=" in text


def shadowing_note(statement: Statement, versions: Mapping[str, int]) -> list[str]:
    """The note for a statement that first assigns a constant's name (pi, e), if it does."""
    target = statement.target
    if target not in CONSTANT_VALUES or target in versions:
        return []
    return [
        f"statement {statement.number} assigns {target}: from there on {target} is that "
        f"value, not the constant {target} = {CONSTANT_VALUES[target]:.6g}"
    ]


def next_version(versions: dict[str, int], target: str, *, is_input: bool) -> None:
    """Count an assignment to `target`: x, x₂, x₃ ... (x₁ is the input when x is one)."""
    if target not in versions:
        versions[target] = 1 if is_input else 0
    versions[target] += 1


def display_name(name: str, version: int) -> str:
    """c, c′, c″, c‴, then c@5, ...: the version-th value a program gives the name c."""
    return name + _PRIMES[version - 1] if version <= len(_PRIMES) else f"{name}@{version}"


def split_program(text: str) -> list[Statement]:
    """The statements of `text`, each with its target and where its expression starts."""
    pieces = _split(text)
    if not pieces:
        raise InputError('the program has no statements: write e.g. "h = x**2; y = h + 3"')
    if len(pieces) > MAX_STATEMENTS:
        raise InputError(f"the program has {len(pieces):,} statements (limit {MAX_STATEMENTS:,})")
    several_lines = len({line for line, _ in pieces}) > 1
    statements = []
    for number, (line, piece) in enumerate(pieces, start=1):
        where = f"statement {number}" + (f" (line {line})" if several_lines else "")
        match = _ASSIGNMENT.match(piece)
        if match is None:
            raise InputError(f'{where}: {_not_an_assignment(piece)} in "{piece.strip()}"')
        target, operator = match.group(1), match.group(2)
        check_target(target, where)
        if not piece[match.end() :].strip():
            raise InputError(f"{where}: nothing after '{operator}' in \"{piece.strip()}\"")
        statements.append(Statement(number, line, target, operator, piece, match.end()))
    return statements


def _split(text: str) -> list[tuple[int, str]]:
    """(line, text) of each non-empty statement; a newline inside parentheses continues one."""
    pieces: list[tuple[int, str]] = []
    current: list[str] = []
    depth = 0
    line = start = 1
    comment = False
    for char in text:
        if char == "\n":
            comment = False
        elif comment:
            current.append(" ")
            continue
        elif char == "#":
            comment = True
            current.append(" ")
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" or (char == "\n" and depth <= 0):
            if "".join(current).strip():
                pieces.append((start, "".join(current)))
            current = []
            depth = 0
        else:
            current.append(" " if char in "\r\n\t" else char)
        if char == "\n":
            line += 1
        if not "".join(current).strip():
            start = line
    if "".join(current).strip():
        pieces.append((start, "".join(current)))
    return pieces


def _not_an_assignment(piece: str) -> str:
    if "==" in piece:
        return "comparisons are not allowed"
    if "=" in piece:
        left = piece.split("=")[0].strip()
        return f"the left side of '=' must be one name, got {left!r}"
    return "not an assignment: every statement is name = expression"


def check_target(name: str, where: str) -> None:
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise InputError(f"{where}: '{name}' is a Python keyword and cannot be assigned")
    if name.startswith("__"):
        raise InputError(f"{where}: names starting with '__' ({name}) are not allowed")
    if name in FUNCTIONS:
        raise InputError(f"{where}: '{name}' is a function of the language and cannot be assigned")


def build_program(text: str, output: str | None = None) -> Program:
    """The graph of the program `text`; its output is `output` (default: the last name assigned).

    Only the statements the output depends on are kept; a note names the others.
    """
    statements = split_program(text)
    several_lines = len({s.line for s in statements}) > 1
    builder = GraphBuilder(text, [])
    versions: dict[str, int] = {}
    assigned: dict[str, list[int]] = {}
    notes: list[str] = []
    roots: list[int] = []
    for statement in statements:
        where = f"statement {statement.number}" + (
            f" (line {statement.line})" if several_lines else ""
        )
        builder.statement = statement.number
        try:
            tree, columns = parse_syntax(statement.expression)
            builder.text = statement.text
            builder.columns = [column + statement.offset for column in columns]
            root = builder.build(tree)
            if statement.operator != "=":
                left = builder.scope.get(statement.target)
                if left is None and statement.target in CONSTANT_VALUES:
                    value = CONSTANT_VALUES[statement.target]
                    left = builder.constant(value, statement.target)
                elif left is None:
                    left = builder.variable(statement.target)
                root = builder.operation(_AUGMENTED[statement.operator], [left, root])
        except ExpressionError as error:
            raise InputError(f"{where}: {in_statement(error, statement)}") from None
        target = statement.target
        notes.extend(shadowing_note(statement, versions))
        next_version(versions, target, is_input=target in builder.first_use)
        display = display_name(target, versions[target])
        draft = builder.nodes[root]
        if draft.name is not None or draft.op == "input":
            root = builder.operation("copy", [root])  # y = x: y is a node of its own
        builder.name(root, target, display)
        roots.append(root)
        assigned.setdefault(target, []).append(statement.number)
    output_index = _output(builder, statements, output, assigned)
    keep = _ancestors(builder, output_index)
    kept = set(keep)
    unused = [
        f"{s.target} (statement {s.number})"
        for s, root in zip(statements, roots, strict=True)
        if root not in kept
    ]
    if unused:
        out = builder.nodes[output_index].id
        notes.append(f"{out} does not depend on {', '.join(unused)}: left out of the graph")
    graph = builder.finish(output_index, keep)
    inputs = set(graph.variables)
    first_use = {name: s for name, s in builder.first_use.items() if name in inputs}
    return Program(
        tuple(statements),
        graph,
        first_use,
        {name: tuple(numbers) for name, numbers in assigned.items()},
        tuple(notes),
    )


def in_statement(error: ExpressionError, statement: Statement) -> ExpressionError:
    """The error placed in the whole statement, `y = x +* 3`, with the column there."""
    column = error.column
    if column is not None and error.text != statement.text:
        column += statement.offset  # an error of the scanner, within the right-hand side
    shown = statement.text.lstrip()
    lead = len(statement.text) - len(shown)
    return ExpressionError(error.problem, shown.rstrip(), None if column is None else column - lead)


def _output(
    builder: GraphBuilder,
    statements: Sequence[Statement],
    output: str | None,
    assigned: dict[str, list[int]],
) -> int:
    if output is None:
        return builder.scope[statements[-1].target]
    if output in builder.scope:
        return builder.scope[output]
    if output in builder.first_use:
        raise InputError(
            f"--output names {output}, an input of the program (it is never assigned); "
            f"name an assigned value: {', '.join(assigned)}"
        )
    hint = did_you_mean(output, list(assigned))
    raise InputError(
        f"--output names {output}, which the program does not assign{hint} "
        f"(it assigns {', '.join(assigned)})"
    )


def _ancestors(builder: GraphBuilder, output: int) -> list[int]:
    """The nodes `output` depends on, itself included, in topological order."""
    needed = {output}
    for index in range(output, -1, -1):
        if index in needed:
            needed.update(builder.nodes[index].inputs)
    return sorted(needed)


def missing_inputs_error(program: Program, missing: Sequence[str]) -> InputError:
    """--at left out some inputs: say which, and where each is first read."""
    parts = []
    for name in missing:
        used = program.first_use.get(name, 1)
        later = [n for n in program.assigned.get(name, ()) if n > used]
        if later:
            parts.append(
                f"{name} (read in statement {used} before statement {later[0]} assigns it: "
                "a program runs top to bottom, so its first value is an input)"
            )
        else:
            parts.append(f"{name} (first read in statement {used})")
    inputs = ", ".join(program.graph.variables)
    return InputError(f"--at gives no value for {'; '.join(parts)}; the program's inputs: {inputs}")


# --- The chain rule in the user's names --------------------------------------


@dataclass(frozen=True)
class Factor:
    """∂of/∂wrt: one named node's derivative by another, through its own statement."""

    of: int
    wrt: int
    value: float


@dataclass(frozen=True)
class ChainRule:
    """∂out/∂node as a sum over terms, each a product of factors between named nodes."""

    node: int
    terms: tuple[tuple[Factor, ...], ...]
    value: float  # the gradient from the backward pass (the terms' sum, up to rounding)
    expanded: bool  # True: each term is a whole path to the output; False: one step

    def text(self, graph: Graph, output: str, number: Callable[[float], str]) -> str:
        """∂z/∂x = ∂z/∂y · ∂y/∂x = 2 · 4 = 8, in the nodes' ids."""
        ids = [node.id for node in graph.nodes]

        def symbol(factor: Factor) -> str:
            of = output if factor.of == graph.output else ids[factor.of]
            return f"∂{of}/∂{ids[factor.wrt]}"

        def signed(value: float) -> str:
            text = number(value)
            return f"({text})" if text.startswith("-") else text

        symbols = " + ".join(" · ".join(symbol(f) for f in term) for term in self.terms)
        values = " + ".join(" · ".join(signed(f.value) for f in term) for term in self.terms)
        left = f"∂{output}/∂{ids[self.node]}"
        if symbols == left:
            return f"{left} = {number(self.value)}"
        return f"{left} = {symbols} = {values} = {number(self.value)}"


# Whole paths are written out while they are few and short; past that, one step
# (∂z/∂x = ∂z/∂h · ∂h/∂x with ∂z/∂h from its own line) keeps each line short.
MAX_PATHS = 3
MAX_PATH_LENGTH = 5


# One walk over the named nodes with a branch per way a path can meet or end.
def chain_rules(  # noqa: C901
    graph: Graph, values: Sequence[float], backward: Backward
) -> tuple[ChainRule, ...]:
    """For each named node and input, ∂out/∂node in the user's names, from the output down."""
    nodes = graph.nodes
    named = [
        i
        for i, node in enumerate(nodes)
        if (node.op == "input" or (node.name is not None and node.inputs))
        and backward.gradients[i] is not None
    ]
    is_named = set(named)
    edges: dict[int, list[Factor]] = {}  # wrt -> the factors ∂consumer/∂wrt
    for root in named:
        if not nodes[root].inputs:
            continue
        for wrt, value in _statement_derivatives(graph, values, root, is_named).items():
            edges.setdefault(wrt, []).append(Factor(root, wrt, value))
    paths: dict[int, int] = {graph.output: 1}
    length: dict[int, int] = {graph.output: 0}
    for index in sorted(is_named, reverse=True):
        if index == graph.output:
            continue
        consumers = [f.of for f in edges.get(index, []) if f.of in paths]
        if consumers:
            paths[index] = min(MAX_PATHS + 1, sum(paths[c] for c in consumers))
            length[index] = 1 + max(length[c] for c in consumers)
    rules = []
    for index in sorted(is_named, reverse=True):
        if index == graph.output or index not in paths:
            continue
        gradient = backward.gradients[index] or 0.0
        if paths[index] <= MAX_PATHS and length[index] <= MAX_PATH_LENGTH:
            terms = _paths(index, graph.output, edges)
            rules.append(ChainRule(index, terms, gradient, True))
            continue
        steps: list[tuple[Factor, ...]] = []
        for factor in edges.get(index, []):
            if factor.of not in paths:
                continue
            if factor.of == graph.output:
                steps.append((factor,))
            else:
                upstream = backward.gradients[factor.of] or 0.0
                steps.append((Factor(graph.output, factor.of, upstream), factor))
        rules.append(ChainRule(index, tuple(steps), gradient, False))
    return tuple(rules)


def _paths(
    start: int, output: int, edges: dict[int, list[Factor]]
) -> tuple[tuple[Factor, ...], ...]:
    """Every path from the output down to `start`, as factors read from the output."""
    found: list[tuple[Factor, ...]] = []
    stack: list[tuple[int, tuple[Factor, ...]]] = [(start, ())]
    while stack:
        index, below = stack.pop()
        if index == output:
            found.append(below)
            continue
        for factor in reversed(edges.get(index, [])):
            stack.append((factor.of, (factor, *below)))
    return tuple(found)


def _statement_derivatives(
    graph: Graph, values: Sequence[float], root: int, named: set[int]
) -> dict[int, float]:
    """∂root/∂leaf for the named leaves of root's statement, through its unnamed nodes."""
    nodes = graph.nodes
    local_grad = {root: 1.0}
    found: dict[int, float] = {}
    for index in sorted(_statement_nodes(graph, root, named), reverse=True):
        node = nodes[index]
        upstream = local_grad.get(index, 0.0)
        args = [values[i] for i in node.inputs]
        try:
            locals_ = OPERATIONS[node.op].local(args, values[index])
        except (UndefinedError, ArithmeticError, ValueError):
            continue  # the backward pass has already reported a real problem
        for slot, target in enumerate(node.inputs):
            local = locals_[slot]
            if not graph.needs_grad[target] or isinstance(local, str):
                continue
            bucket = found if target in named else local_grad
            bucket[target] = bucket.get(target, 0.0) + upstream * local
    return found


def _statement_nodes(graph: Graph, root: int, named: set[int]) -> set[int]:
    members = {root}
    stack = [root]
    while stack:
        for child in graph.nodes[stack.pop()].inputs:
            child_node = graph.nodes[child]
            if child in named or child in members or not child_node.inputs:
                continue
            if child_node.name is not None:
                continue
            members.add(child)
            stack.append(child)
    return members
