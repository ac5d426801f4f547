"""The safe expression parser: user text -> SymPy expression, never `eval`.

The text is scanned first (characters, tokens, nesting, implicit
multiplication, `^`), then parsed by `ast.parse(mode="eval")` and walked
against a whitelist of node types that builds SymPy objects directly.
Nothing in the text is ever executed, and every size that could make SymPy
hang or exhaust memory is bounded before SymPy sees it. See
docs/expressions.md for the language and its limits.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from mathml_cli.core.functions import FUNCTION_TABLE
from mathml_cli.errors import ExpressionError, InputError, did_you_mean

MAX_LENGTH = 50_000
MAX_NESTING = 100
MAX_UNARY_RUN = 20
MAX_INTEGER_DIGITS = 100
MAX_EXPONENT = 1000
MAX_INTEGER_BITS = 10_000


# The parser's whitelist: name -> (SymPy constructor, fewest and most arguments; None: any).
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    spec.name: (spec.construct, *spec.arity) for spec in FUNCTION_TABLE
}

CONSTANTS: dict[str, Any] = {"pi": sympy.pi, "e": sympy.E}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<power>\*\*|\^)
  | (?P<op>[-+*/(),])
    """,
    re.VERBOSE,
)

_NOT_ALLOWED = {
    "=": "'=' (assignment or keyword arguments) is not allowed",
    ".": "'.' (attribute access) is not allowed",
    "[": "'[' (subscripts and lists) is not allowed",
    "]": "']' (subscripts and lists) is not allowed",
    "{": "'{' is not allowed",
    "}": "'}' is not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    ":": "':' is not allowed",
    ";": "';' is not allowed",
    "@": "'@' is not allowed: write * for products",
    "%": "'%' is not allowed",
    "!": "'!' is not allowed (no factorials)",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "&": "'&' is not allowed",
    "|": "'|' is not allowed: write abs(x)",
    "~": "'~' is not allowed",
    "#": "comments are not allowed",
    "\\": "'\\' is not allowed",
    "$": "'$' is not allowed",
    "?": "'?' is not allowed",
}

_OPERAND_END = {"number", "name", ")"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "power", or the operator character itself
    text: str
    column: int  # 1-based, in the user's text


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
_BASE_BEFORE = re.compile(r"(?:[\w.]+|\))$")
_PRODUCT_SIGNS = {"·": "·", "×": "×", "⋅": "⋅", "∙": "∙"}


def _check_typography(text: str) -> None:
    """Math as typeset (x², x·y, −1) is not the language: say what to type instead."""
    superscript = _SUPERSCRIPT_RUN.search(text)
    if superscript is not None:
        # The base is looked for in the few characters before: linear time on any text.
        before = _BASE_BEFORE.search(text[max(0, superscript.start() - 40) : superscript.start()])
        base = before.group() if before else "x"
        base = "(...)" if base == ")" else base
        power = superscript.group().translate(_SUPERSCRIPTS)
        raise ExpressionError(
            f"superscripts are not allowed: write {base}**{power}", text, superscript.start() + 1
        )
    for position, char in enumerate(text):
        if char in _PRODUCT_SIGNS:
            left = text[:position].rstrip().split(" ")[-1] or "x"
            right = text[position + 1 :].lstrip().split(" ")[0] or "y"
            raise ExpressionError(
                f"{char!r} is not allowed: write * for products ({left}*{right})",
                text,
                position + 1,
            )
        if char == "−":
            raise ExpressionError(
                "'−' (a typographic minus) is not allowed: write -", text, position + 1
            )


# Complex by nature (a tokenizer: one branch per token kind and check).
def _scan(text: str) -> list[_Token]:  # noqa: C901
    """Split `text` into tokens, rejecting what the language does not have."""
    _check_typography(text)
    tokens: list[_Token] = []
    position = 0
    depth = 0
    unary_run = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        column = position + 1
        if match is None:
            char = text[position]
            problem = _NOT_ALLOWED.get(char, f"unexpected character {char!r}")
            raise ExpressionError(problem, text, column)
        kind = match.lastgroup or ""
        value = match.group()
        position = match.end()
        if kind == "space":
            continue
        if kind == "op":
            kind = value
        previous = tokens[-1] if tokens else None
        if kind == "number" and "__" in value:
            raise ExpressionError(f"malformed number {value!r}", text, column)
        if kind == "name":
            _check_name(value, text, column)
        if previous is not None and previous.kind in _OPERAND_END:
            # A name before '(' is a call; anything else side by side is a
            # missing operator, which mathml never guesses at.
            is_call = previous.kind == "name" and kind == "("
            if kind in ("number", "name", "(") and not is_call:
                if previous.kind == "name" and previous.text in FUNCTIONS:
                    raise ExpressionError(
                        f"missing parentheses: write {previous.text}({value}) "
                        f"({previous.text} is a function)",
                        text,
                        column,
                    )
                hint = f"write {previous.text}*{value}"
                raise ExpressionError(
                    f"missing operator before {value!r} ({hint}; "
                    "mathml has no implicit multiplication)",
                    text,
                    column,
                )
        if kind in "+-" and (previous is None or previous.kind not in _OPERAND_END):
            unary_run += 1
            if unary_run > MAX_UNARY_RUN:
                raise ExpressionError(f"more than {MAX_UNARY_RUN} signs in a row", text, column)
        else:
            unary_run = 0
        if kind == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionError(
                    f"too deeply nested: more than {MAX_NESTING} levels of parentheses",
                    text,
                    column,
                )
        elif kind == ")":
            depth -= 1
            if depth < 0:
                raise ExpressionError("unmatched ')'", text, column)
        tokens.append(_Token(kind, value, column))
    if depth > 0:
        opening = _last_unclosed(tokens)
        raise ExpressionError("'(' is never closed", text, opening)
    return tokens


def _last_unclosed(tokens: list[_Token]) -> int:
    stack: list[int] = []
    for token in tokens:
        if token.kind == "(":
            stack.append(token.column)
        elif token.kind == ")":
            stack.pop()
    return stack[-1]


def _check_name(name: str, text: str, column: int) -> None:
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        what = "a Python keyword" if keyword.iskeyword(name) else "a reserved word"
        hint = "; as a variable, write lambda_" if name == "lambda" else ""
        raise ExpressionError(f"'{name}' is {what} and not allowed{hint}", text, column)
    if name.startswith("__"):
        raise ExpressionError(f"names starting with '__' ({name}) are not allowed", text, column)


def _normalise(tokens: list[_Token]) -> tuple[str, list[int]]:
    """Python source for the tokens (`^` becomes `**`) and, per character, its user column."""
    parts: list[str] = []
    columns: list[int] = []
    for token in tokens:
        piece = "**" if token.kind == "power" else token.text
        if parts:
            parts.append(" ")
            columns.append(token.column)
        parts.append(piece)
        columns.extend([token.column] * len(piece))
    return "".join(parts), columns


def parse_expression(text: str, *, as_typed: bool = False, names: Collection[str] = ()) -> Any:
    """Parse mathml's expression language into a SymPy expression.

    Raises ExpressionError, naming the problem and its column, for anything
    outside the language or beyond its limits.

    With `as_typed`, the expression keeps the shape the user typed (SymPy
    without automatic evaluation): x*x stays a product, not x**2, and
    exp(log(x)) stays a composition, so derive explains what was written.
    It is built only after the evaluated form has passed every check, and it
    evaluates to that form, so the limits hold for it too.
    `names` are variables even where the language has a constant or a function
    of that name: a table's column `e` is the column, not 2.718.
    """
    tree, columns = parse_syntax(text)
    evaluated = _Builder(text, columns, names=names).build(tree)
    if not as_typed:
        return evaluated
    return _Builder(text, columns, evaluate=False, names=names).walk(tree, 0)


def parse_syntax(text: str) -> tuple[ast.expr, list[int]]:
    """The scanned, length- and nesting-checked Python syntax tree of `text`.

    Also returns, for each character of the normalised source the tree's
    offsets refer to, its column in `text`. The tree still has to be walked
    against the whitelist (parse_expression does; backprop's graph builder too).
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression too long: {len(text):,} characters (limit {MAX_LENGTH:,})",
            text,
        )
    tokens = _scan(text)
    if not tokens:
        raise ExpressionError("empty expression", text)
    source, columns = _normalise(tokens)
    return _parse_python(source, columns, tokens, text), columns


def _parse_python(source: str, columns: list[int], tokens: list[_Token], text: str) -> ast.expr:
    limit = sys.getrecursionlimit()
    # Long flat sums are deep trees to the ast module; the scan has already
    # bounded true nesting, so a higher limit here is safe.
    sys.setrecursionlimit(max(limit, 4 * len(tokens) + 1000))
    try:
        return ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise _syntax_error(error, source, columns, text) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression too deeply nested", text) from None
    finally:
        sys.setrecursionlimit(limit)


def _syntax_error(
    error: SyntaxError, source: str, columns: list[int], text: str
) -> ExpressionError:
    offset = (error.offset or 0) - 1
    if offset < 0 or offset >= len(source) or "never closed" in (error.msg or ""):
        return ExpressionError("unexpected end of expression", text)
    if source[offset] == " " and offset + 1 < len(source):
        offset += 1
    rest = source[offset:]
    match = re.match(r"\*\*|\w+|\S", rest)
    shown = match.group() if match else rest[:1]
    user_column = columns[offset]
    if shown == "**":
        shown = text[user_column - 1 : user_column + 1].rstrip() or "**"
    return ExpressionError(f"unexpected {shown!r}", text, user_column)


class _Builder:
    """Walk a whitelisted Python AST and build the SymPy expression."""

    def __init__(
        self, text: str, columns: list[int], *, evaluate: bool = True, names: Collection[str] = ()
    ) -> None:
        self.text = text
        self.columns = columns
        self.names = frozenset(names)  # variables whatever the language calls them
        self.symbols: dict[str, sympy.Symbol] = {}
        # False: build the tree as typed, once the evaluated build has passed
        # every check (so the checks are skipped here).
        self.evaluate = evaluate

    def error(self, problem: str, node: ast.AST) -> ExpressionError:
        offset = getattr(node, "col_offset", None)
        column = self.columns[offset] if offset is not None and offset < len(self.columns) else None
        return ExpressionError(problem, self.text, column)

    def build(self, tree: ast.expr) -> Any:
        result = self.walk(tree, 0)
        self.check_defined(result, tree)
        return result

    def walk(self, node: ast.AST, depth: int) -> Any:
        if depth > 2 * MAX_NESTING:
            raise self.error(f"too deeply nested (more than {2 * MAX_NESTING} levels)", node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return self.walk_sum(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            return self.walk_product(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.walk_power(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.walk(node.operand, depth + 1)
            return self.negate(operand) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.error(f"{_describe(node)} is not allowed", node)

    def walk_sum(self, node: ast.BinOp, depth: int) -> Any:
        # a + b - c + d is a left-leaning chain; walk its spine with a loop so
        # that a sum of thousands of terms is not thousands of levels deep.
        terms: list[Any] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Add, ast.Sub)):
            right = self.walk(current.right, depth + 1)
            terms.append(self.negate(right) if isinstance(current.op, ast.Sub) else right)
            current = current.left
        terms.append(self.walk(current, depth + 1))
        return sympy.Add(*reversed(terms), evaluate=self.evaluate)

    def negate(self, value: Any) -> Any:
        if self.evaluate or value.is_Number:
            return -value
        return sympy.Mul(sympy.S.NegativeOne, value, evaluate=False)

    def walk_product(self, node: ast.BinOp, depth: int) -> Any:
        factors: list[Any] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Mult, ast.Div)):
            right = self.walk(current.right, depth + 1)
            if isinstance(current.op, ast.Div):
                if self.evaluate and right.is_zero:
                    raise self.error("division by zero", current.right)
                right = sympy.Pow(right, -1, evaluate=self.evaluate)
            factors.append(right)
            current = current.left
        factors.append(self.walk(current, depth + 1))
        return self.bounded(sympy.Mul(*reversed(factors), evaluate=self.evaluate), node)

    def walk_power(self, node: ast.BinOp, depth: int) -> Any:
        base = self.walk(node.left, depth + 1)
        exponent = self.walk(node.right, depth + 1)
        if not self.evaluate:
            return sympy.Pow(base, exponent, evaluate=False)
        if exponent.is_number and not exponent.has(sympy.zoo, sympy.nan):
            # Plain numbers convert directly; anything else (exp(exp(9))) in float64.
            size = abs(float(exponent)) if exponent.is_Number else abs(safe_float(exponent))
            if not size <= MAX_EXPONENT and not _is_unit(base):
                raise self.error(
                    f"exponent {_short(exponent)} is too large (limit {MAX_EXPONENT})", node.right
                )
            if isinstance(base, sympy.Rational) and isinstance(exponent, sympy.Integer):
                bits = max(abs(int(base.p)).bit_length(), int(base.q).bit_length())
                self.check_bits(bits * abs(int(exponent)), node)
            if base.is_zero and exponent.is_negative:
                raise self.error("division by zero (0 to a negative power)", node)
        return self.bounded(sympy.Pow(base, exponent), node)

    def bounded(self, value: Any, node: ast.AST) -> Any:
        if not self.evaluate:
            return value
        for number in value.atoms(sympy.Rational):
            bits = max(abs(int(number.p)).bit_length(), abs(int(number.q)).bit_length())
            self.check_bits(bits, node)
        return value

    def check_bits(self, bits: int, node: ast.AST) -> None:
        if bits > MAX_INTEGER_BITS:
            raise self.error(
                f"number too large: about {int(bits * math.log10(2)):,} digits "
                f"(limit {int(MAX_INTEGER_BITS * math.log10(2)):,})",
                node,
            )

    def number(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"{_describe(node)} is not allowed", node)
        if isinstance(value, int):
            digits = len(str(value)) if value.bit_length() < 4 * MAX_INTEGER_DIGITS else None
            if digits is None or digits > MAX_INTEGER_DIGITS:
                raise self.error(f"integer too large (limit {MAX_INTEGER_DIGITS} digits)", node)
            return sympy.Integer(value)
        if not math.isfinite(value):
            raise self.error("number too large for a float", node)
        return sympy.Float(repr(value))

    def name(self, node: ast.Name) -> Any:
        name = node.id
        if name in CONSTANTS and name not in self.names:
            return CONSTANTS[name]
        if name in FUNCTIONS and name not in self.names:
            raise self.error(f"'{name}' is a function: write {name}(...)", node)
        if name not in self.symbols:
            self.symbols[name] = sympy.Symbol(name, real=True)
        return self.symbols[name]

    def call(self, node: ast.Call, depth: int) -> Any:
        name = check_call(node, self.error)
        constructor = FUNCTIONS[name][0]
        args = [self.walk(arg, depth + 1) for arg in node.args]
        if not self.evaluate:
            return constructor(*args, evaluate=False)
        for arg, arg_node in zip(args, node.args, strict=True):
            if arg.is_number and arg.is_extended_real is False:
                # acos(2): max and min cannot even compare it, and mathml works over the reals.
                raise self.error(self.imaginary(name, args), arg_node)
        if name in ("log", "ln") and args[0].is_zero:
            raise self.error(f"{name}(0) is undefined", node)
        if name == "log" and len(args) == 2 and (args[1].is_zero or args[1] == 1):
            raise self.error(f"log base {args[1]} is undefined", node.args[1])
        value = constructor(*args)
        if value.is_number and value.is_extended_real is False:
            raise self.error(self.imaginary(name, args), node)
        return self.bounded(value, node)

    @staticmethod
    def imaginary(name: str, args: list[Any]) -> str:
        call = f"{name}({', '.join(to_text(arg) for arg in args)})"
        return f"{call} has an imaginary value; mathml works over the real numbers"

    def check_defined(self, result: Any, tree: ast.AST) -> None:
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise ExpressionError(
                "the expression is undefined (it contains a division by zero or log(0))", self.text
            )
        if result.has(sympy.I):
            raise ExpressionError(
                "the expression has an imaginary value; mathml works over the real numbers",
                self.text,
            )


def check_call(node: ast.Call, error: Callable[[str, ast.AST], ExpressionError]) -> str:
    """The called function's name, once the call is one the language allows.

    `error(problem, node)` makes the exception raised otherwise (with its column).
    """
    if not isinstance(node.func, ast.Name):
        raise error("only named functions such as sin(x) can be called", node)
    name = node.func.id
    if name not in FUNCTIONS:
        known = ", ".join(sorted(FUNCTIONS))
        hint = (
            f" (did you mean '{name.lower()}'?)"
            if name.lower() in FUNCTIONS
            else did_you_mean(name, FUNCTIONS) or f" (to multiply, write {name}*(...))"
        )
        raise error(f"unknown function '{name}'{hint}; known: {known}", node)
    if node.keywords:
        raise error("keyword arguments are not allowed", node.keywords[0])
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise error("starred arguments are not allowed", arg)
    _, fewest, most = FUNCTIONS[name]
    count = len(node.args)
    if count < fewest or (most is not None and count > most):
        raise error(f"{name}() takes {_arity(fewest, most)}, got {count}", node)
    return name


def _is_unit(base: Any) -> bool:
    return bool(base.is_number and (base == 1 or base == -1 or base.is_zero))


def _short(value: Any) -> str:
    text = to_text(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _arity(fewest: int, most: int | None) -> str:
    if most is None:
        return f"at least {fewest} arguments"
    if fewest == most:
        return f"{fewest} argument" + ("s" if fewest != 1 else "")
    return f"{fewest} or {most} arguments"


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripting",
        ast.Lambda: "a lambda",
        ast.IfExp: "a conditional expression",
        ast.Compare: "a comparison",
        ast.BoolOp: "a boolean operator",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment",
    }
    for kind, description in names.items():
        if isinstance(node, kind):
            return description
    if isinstance(node, ast.Constant):
        return f"the literal {node.value!r}"
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__}"
    return type(node).__name__


def free_variables(expr: Any) -> list[str]:
    """The expression's variables, sorted by name."""
    return sorted(str(symbol) for symbol in expr.free_symbols)


def parse_number(text: str, *, what: str = "number") -> float:
    """A real number from text such as "3", "-1.5e-3", "pi/2" or "sqrt(2)"."""
    if not text:
        raise InputError(f"{what} is empty")
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise InputError(f"{what} is not finite: {text!r}")
        return value
    try:
        expr = parse_expression(text)
    except ExpressionError as error:
        raise InputError(f"{what}: {error}") from None
    if expr.free_symbols:
        raise InputError(f"{what} must be a number, got {text!r}")
    value = safe_float(expr)
    if not math.isfinite(value):
        raise InputError(f"{what} is not finite: {text!r}")
    return value


def as_typed_terms(expr: Any) -> tuple[Any, ...]:
    """A sum's terms in the order to show them: as typed for an expression
    parsed `as_typed`, SymPy's usual order (x**2 + 2*x + 1) otherwise."""
    if _is_as_typed(expr):
        return tuple(expr.args)
    return tuple(expr.as_ordered_terms())


def _is_as_typed(expr: Any) -> bool:
    # Evaluation would reorder or combine the terms of a sum built as typed
    # (1 + x, x + x); an evaluated sum is its own evaluation.
    return bool(expr.is_Add and sympy.Add(*expr.args).args != expr.args)


class InOrderAdd(sympy.Add):
    """A sum printed with its terms in the order given: a rule's formula filled in.

    Build it with `in_order_sum`. SymPy's printers sort the terms of a sum, and an
    unevaluated sum whose terms happen to be in SymPy's own order cannot be told
    from an evaluated one; this class can.
    """


class InOrderMul(sympy.Mul):
    """A product printed with its factors in the order given (see InOrderAdd)."""


def in_order_sum(*terms: Any) -> Any:
    """terms[0] + terms[1] + ..., unevaluated and printed in that order."""
    return InOrderAdd(*terms, evaluate=False)


def in_order_product(*factors: Any) -> Any:
    """factors[0]*factors[1]*..., unevaluated and printed in that order."""
    return InOrderMul(*factors, evaluate=False)


class _InputLanguagePrinter(StrPrinter):
    """Prints SymPy expressions in mathml's own input language."""

    def _print_Add(self, expr: Any, order: str | None = None) -> str:
        return str(super()._print_Add(expr, order="none" if _is_as_typed(expr) else order))

    def _print_InOrderAdd(self, expr: Any) -> str:
        return str(super()._print_Add(expr, order="none"))

    def _print_InOrderMul(self, expr: Any) -> str:
        level = precedence(expr)
        return "*".join(self.parenthesize(factor, level, strict=False) for factor in expr.args)

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: Any) -> str:
        return "max(%s)" % ", ".join(self._print(a) for a in expr.args)

    def _print_Min(self, expr: Any) -> str:
        return "min(%s)" % ", ".join(self._print(a) for a in expr.args)

    def _print_Heaviside(self, expr: Any) -> str:
        return f"step({self._print(expr.args[0])})"


_PRINTER = _InputLanguagePrinter({"full_prec": False})


@functools.lru_cache(maxsize=4096)
def to_text(expr: Any) -> str:
    """The expression in mathml's input language (parseable by mathml and by SymPy)."""
    # Cached: a derivation prints the same sub-expressions at several steps.
    return str(_PRINTER.doprint(expr))


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX, with sums that were typed in the order they were typed."""

    def _print_Add(self, expr: Any, order: str | None = None) -> str:
        return str(super()._print_Add(expr, order="none" if _is_as_typed(expr) else order))

    def _print_InOrderAdd(self, expr: Any) -> str:
        # SymPy's own sum printer negates a term to write its minus sign, which would
        # evaluate (and reorder) an in-order product; the sign is read off the text.
        tex = ""
        for index, term in enumerate(expr.args):
            term_tex = str(self._print(term))
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            if index == 0:
                tex = term_tex
            elif term_tex.startswith("-"):
                tex += " - " + term_tex[1:]
            else:
                tex += " + " + term_tex
        return tex

    def _print_InOrderMul(self, expr: Any) -> str:
        tex = ""
        last = len(expr.args) - 1
        for index, factor in enumerate(expr.args):
            factor_tex = str(self._print(factor))
            # As the text form: a product or a negative after the first factor is one
            # part of the formula, so it keeps its brackets (sin(x)*(2*x)).
            later_part = index > 0 and (factor.is_Mul or factor_tex.startswith("-"))
            if later_part or self._needs_mul_brackets(factor, first=index == 0, last=index == last):
                factor_tex = r"\left(%s\right)" % factor_tex
            # Two numbers side by side need a dot: 2 \cdot 3, not 23.
            between_numbers = tex[-1:].isdigit() and factor_tex[:1].isdigit()
            tex += (r" \cdot " if between_numbers else " " if tex else "") + factor_tex
        return tex


@functools.lru_cache(maxsize=4096)
def to_latex(expr: Any) -> str:
    return str(_LatexPrinter().doprint(expr))


def to_latex_named(expr: Any, symbol_names: dict[Any, str]) -> str:
    """to_latex, with each symbol written as `symbol_names` says (render's one naming rule)."""
    return str(_LatexPrinter({"symbol_names": symbol_names}).doprint(expr))


def numeric_function(expr: Any, variables: list[str], backend: str = "numpy") -> Callable[..., Any]:
    """A function of `variables` (in that order) computing `expr` (or a list of them).

    backend "numpy" works on arrays; "math" works on floats, raises on a domain
    error, and spares a command the import of NumPy when it needs a few values.
    """
    from mathml_cli.core.functions import MATH_IMPLEMENTATIONS, NUMPY_IMPLEMENTATIONS

    # Rename the variables to plain names once (one xreplace), rather than let
    # lambdify dummify them (one pass per variable: minutes for a few hundred).
    # The plain names also cannot shadow a module such as `math`.
    plain = [sympy.Symbol(f"_v{index}") for index in range(len(variables))]
    renaming = {
        sympy.Symbol(name, real=True): new for name, new in zip(variables, plain, strict=True)
    }

    def rename(item: Any) -> Any:
        return item.xreplace(renaming) if isinstance(item, sympy.Basic) else item

    renamed = [rename(item) for item in expr] if isinstance(expr, (list, tuple)) else rename(expr)
    modules: list[Any] = (
        [NUMPY_IMPLEMENTATIONS, "numpy"] if backend == "numpy" else [MATH_IMPLEMENTATIONS, "math"]
    )
    return sympy.lambdify(plain, renamed, modules=modules, dummify=False)  # type: ignore[no-any-return]


def point_evaluator(expr: Any, variables: list[str]) -> Callable[..., float]:
    """A float function of `variables` that returns nan where `expr` is undefined."""
    compiled = _float_closure(expr, {name: i for i, name in enumerate(variables)})
    if compiled is not None:
        tree = compiled

        def function(*args: float) -> Any:
            return tree(args)

    else:
        try:
            function = numeric_function(expr, variables, backend="math")
        except (TypeError, ValueError, NotImplementedError):
            # SymPy cannot write this expression as code (a DiracDelta of a
            # pole, ...): it has no float value mathml can compute anywhere.
            return lambda *args: math.nan

    def value(*args: float) -> float:
        try:
            result = complex(function(*args))
        except (ArithmeticError, ValueError, TypeError, NameError):
            # NameError: a function the float backend lacks; treated as undefined.
            return math.nan
        if result.imag != 0 or not math.isfinite(result.real):
            return math.nan
        return result.real

    return value


# Complex by nature (one branch per kind of SymPy node).
def _float_closure(expr: Any, index: dict[str, int]) -> Callable[[Any], float] | None:  # noqa: C901
    """expr as nested float closures, or None if it holds something they do not cover.

    For the few points a check or --at needs, this is several times quicker
    than lambdify, which prints and compiles Python source first.
    """
    from mathml_cli.core.functions import MATH_IMPLEMENTATIONS

    if isinstance(expr, (int, float)):
        plain = float(expr)
        return lambda args: plain
    if not isinstance(expr, sympy.Basic):
        return None
    if expr.is_Symbol:
        if str(expr) not in index:
            return None
        position = index[str(expr)]
        return lambda args: args[position]
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        constant = float(expr)
        return lambda args: constant
    parts = [_float_closure(arg, index) for arg in expr.args]
    if any(part is None for part in parts):
        return None
    if expr.is_Add:
        return lambda args: sum(part(args) for part in parts)  # type: ignore[misc]
    if expr.is_Mul:

        def product(args: Any) -> float:
            result = 1.0
            for part in parts:
                result *= part(args)  # type: ignore[misc]
            return result

        return product
    if expr.is_Pow:
        base, exponent = parts
        if expr.exp.is_Integer:
            power = int(expr.exp)
            return lambda args: base(args) ** power  # type: ignore[misc]
        # math.pow raises (-> undefined) where ** would return a complex number.
        return lambda args: math.pow(base(args), exponent(args))  # type: ignore[misc]
    name = type(expr).__name__
    function = MATH_IMPLEMENTATIONS.get(name)
    if function is not None and len(parts) == 1:
        (inner,) = parts
        return lambda args: function(inner(args))  # type: ignore[misc]
    if function is not None:
        return lambda args: function(*[part(args) for part in parts])  # type: ignore[misc]
    if name in ("Max", "Min"):
        pick = max if name == "Max" else min
        return lambda args: pick(part(args) for part in parts)  # type: ignore[misc]
    return None


def why_undefined(expr: Any, values: Mapping[str, float]) -> str:
    """Why `expr` has no float value at `values`: overflow, division by zero or domain."""
    names = sorted(values)
    compiled = _float_closure(expr, {name: i for i, name in enumerate(names)})
    if compiled is None:
        return "it is undefined there"
    try:
        result = complex(compiled([values[name] for name in names]))
    except OverflowError:
        return "its value is beyond float64's range (about 1.8e308)"
    except ZeroDivisionError:
        return "it divides by zero there"
    except (ArithmeticError, ValueError, TypeError):
        return "it is outside a function's domain there (log or sqrt of a negative number, ...)"
    if result.imag == 0 and math.isinf(result.real):
        return "its value is beyond float64's range (about 1.8e308)"
    return "it is undefined there"


def safe_float(expr: Any) -> float:
    """A constant expression as a float, in float64 (never SymPy's arbitrary precision,
    which can take forever on towers such as exp(exp(exp(100))))."""
    return evaluate(expr, {})


def evaluate(expr: Any, values: Mapping[str, float]) -> float:
    """expr at the given point, as a float (nan where it is undefined or overflows)."""
    names = sorted(values)
    return point_evaluator(expr, names)(*[values[name] for name in names])


def sample(
    expr: Any, variable: str, low: float, high: float, count: int = 400
) -> tuple[list[float], list[float]]:
    """expr at `count` evenly spaced points of [low, high]; nan where it is undefined."""
    import numpy as np

    xs = np.linspace(low, high, count)
    function = numeric_function(expr, [variable])
    with np.errstate(all="ignore"):
        ys = np.broadcast_to(np.asarray(function(xs), dtype=complex), xs.shape)
    real = np.where(np.abs(ys.imag) > 1e-12, np.nan, ys.real)
    return xs.tolist(), real.tolist()
