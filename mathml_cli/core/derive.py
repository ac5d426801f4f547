"""Differentiation as a tree of named rule applications.

`differentiate` walks a SymPy expression and returns a `Step` for the rule
that applies at its top (sum, product, chain, ...) holding the steps for its
parts, in the spirit of SymPy's manualintegrate. Every step's `result` is
SymPy's own derivative of that step's expression, so the steps can never
disagree with the answer; the rule only explains how it comes about. What a
rule says, its formula and how that is filled in with the parts, is its entry
in core/rules.py; this module decides which rule applies and what its parts are.
`derive` is the whole command: parse, one pass per variable and order, the
gradient, values at a point, and a numeric check of every answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from mathml_cli.core.expr import (
    as_typed_terms,
    evaluate,
    free_variables,
    parse_expression,
    to_text,
    why_undefined,
)
from mathml_cli.core.functions import BY_CLASS, step
from mathml_cli.core.inputs import check_point, choose_variables, read_names, read_point
from mathml_cli.core.rules import (
    CHAIN,
    CONSTANT,
    CONSTANT_MULTIPLE,
    EXPONENTIAL,
    IDENTITY,
    LOG_DERIVATIVE,
    POWER,
    PRODUCT,
    QUOTIENT,
    RULES,
    SUM,
    StructuralRule,
    added,
    multiplied,
    placeholder_names,
    written_for,
)
from mathml_cli.core.verify import Verification, check_derivative
from mathml_cli.errors import InputError

MAX_ORDER = 10
# Each partial is a whole derivation with its own check: past this many, the
# user names the variables they want.
MAX_PARTIALS = 30
# simplify() can take very long on large expressions; past this size the
# derivative is shown as the rules produce it.
SIMPLIFY_MAX_OPS = 60

# The chain rule names inner functions with these letters, in this order.
LETTERS = ("u", "v", "w", "s", "t", "p", "q", "r", "g", "h", "k", "m")

# Where a derivative teaches something about training a model: rule id -> note.
ML_NOTES = {spec.rule: spec.note for spec in BY_CLASS.values() if spec.rule and spec.note}


@dataclass(frozen=True)
class Step:
    """One rule applied to one expression.

    `parts` names the pieces the rule's formula speaks of (f, g, n, c, ...);
    `applied` is the formula with those pieces and their derivatives put in,
    before SymPy tidies it into `result`.
    """

    id: str
    rule: str
    variable: str
    expression: Any
    result: Any
    parts: tuple[tuple[str, Any], ...] = ()
    applied: Any = None
    substeps: tuple[Step, ...] = ()
    substitution: tuple[str, Any] | None = None  # chain rule: (letter, inner function)
    reference: str | None = None  # rule "reference": the id of the step shown before
    note: str | None = None
    # The rule's formula (text, LaTeX) for this variable, its placeholder letters
    # renamed away from the user's variables; `parts` use the same letters.
    formula: tuple[str, str] | None = None
    letters: tuple[tuple[str, str], ...] = ()  # placeholder -> the letter written for it


@dataclass(frozen=True)
class Differentiation:
    """One pass: d/d(variable) of `expression`, the `order`-th derivative overall."""

    expression: Any
    variable: str
    order: int
    constants: tuple[str, ...]
    steps: tuple[Step, ...]
    result: Any
    verification: Verification


@dataclass(frozen=True)
class Partial:
    """All passes for one variable: order 1 up to the requested order."""

    variable: str
    passes: tuple[Differentiation, ...]

    @property
    def result(self) -> Any:
        return self.passes[-1].result


@dataclass(frozen=True)
class Derivation:
    """What `mathml derive` computes: every partial, the gradient, values at a point."""

    text: str
    expression: Any
    variables: tuple[str, ...]
    wrt: tuple[str, ...]
    order: int
    partials: tuple[Partial, ...]
    point: dict[str, float] | None = None
    value: float | None = None
    derivative_values: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def verified(self) -> bool | None:
        outcomes = [p.verification.verified for q in self.partials for p in q.passes]
        if any(outcome is False for outcome in outcomes):
            return False
        if outcomes and all(outcome is True for outcome in outcomes):
            return True
        return None


def derive(
    text: str,
    wrt: str | Sequence[str] | None = (),
    order: int = 1,
    at: str | Mapping[str, float] | None = None,
) -> Derivation:
    """Differentiate the expression `text` with every step named and checked.

    wrt: the variables to differentiate by ("w", "w,b" or ["w", "b"]; default all);
    at: a point ("x=3,y=pi/2" or {"x": 3, "y": 1.57}) where f and its derivatives
    are evaluated.
    """
    # As typed: x*x is explained by the product rule, not read as x**2.
    expression = parse_expression(text, as_typed=True)
    variables = tuple(free_variables(expression))
    if order < 1 or order > MAX_ORDER:
        raise InputError(f"--order must be between 1 and {MAX_ORDER}, got {order}")
    targets = _targets(wrt, variables)
    partials = tuple(_partial(expression, name, order, variables) for name in targets)
    if at is None:
        return Derivation(text, expression, variables, targets, order, partials)
    point = check_point(read_point(at, "--at"), variables, "--at")
    value = evaluate(expression, point)
    if value != value:
        reason = why_undefined(expression, point)
        raise InputError(f"{text} cannot be evaluated at {_describe_point(point)}: {reason}")
    derivative_values = {p.variable: evaluate(p.result, point) for p in partials}
    warnings = _kinks_at(expression, point, targets)
    return Derivation(
        text,
        expression,
        variables,
        targets,
        order,
        partials,
        point,
        value,
        derivative_values,
        warnings,
    )


def read_plot_range(value: str | Sequence[float] | None, plot: bool) -> tuple[float, float] | None:
    """--range ("a:b", e.g. "-5:5", or from Python a pair of numbers) as (a, b) with a < b;
    an error without --plot, where it would do nothing."""
    if value is None:
        return None
    if not plot:
        raise InputError("--range only applies with --plot")
    from mathml_cli.core.inputs import read_value

    if isinstance(value, str):
        text = value
        low_text, sep, high_text = text.partition(":")
        if not sep:
            raise InputError(f"--range must look like a:b, e.g. -5:5, got {text!r}")
    else:
        bounds = [str(bound) for bound in value]
        text = ":".join(bounds)
        if len(bounds) != 2:
            raise InputError(f"--range must be a pair (a, b), e.g. (-5, 5), got {text!r}")
        low_text, high_text = bounds
    low = read_value(low_text, "--range start")
    high = read_value(high_text, "--range end")
    if not low < high:
        raise InputError(f"--range start must be below its end, got {text!r}")
    return low, high


def _targets(wrt: str | Sequence[str] | None, variables: tuple[str, ...]) -> tuple[str, ...]:
    if not read_names(wrt):
        if len(variables) > MAX_PARTIALS:
            raise InputError(
                f"the expression has {len(variables):,} variables; name the ones to "
                f"differentiate by with --wrt (a whole gradient is derived for at most "
                f"{MAX_PARTIALS})"
            )
        # A constant expression still has a derivative: 0 with respect to x.
        return variables or ("x",)
    if not variables:
        # A constant: its derivative by any variable is 0 (the constant rule), and
        # there is no name the user could have meant instead.
        variables = tuple(dict.fromkeys(read_names(wrt)))
    targets = choose_variables(wrt, variables)
    if len(targets) > MAX_PARTIALS:
        raise InputError(f"--wrt names {len(targets)} variables; at most {MAX_PARTIALS} at once")
    return targets


def _kinks_at(
    expression: Any, point: Mapping[str, float], targets: Sequence[str]
) -> tuple[str, ...]:
    """Where the point sits on a kink: relu or abs of 0, or a max/min whose tied
    arguments have different slopes. The derivative there is a convention."""
    found: list[str] = []
    symbols = [sympy.Symbol(name, real=True) for name in targets]
    for node in sympy.preorder_traversal(expression):
        spec = BY_CLASS.get(node.func)
        if spec is not None and spec.kinks and node.args[0].has(*symbols):
            if evaluate(node.args[0], point) in spec.kinks:
                found.append(
                    f"{to_text(node)} has a kink here ({to_text(node.args[0])} = "
                    f"{evaluate(node.args[0], point):g}): it is not differentiable there, and "
                    f"mathml, like PyTorch, takes the slope {spec.kink_slope}"
                )
        elif isinstance(node, (sympy.Max, sympy.Min)):
            f, g = _split_extreme(node)
            if not _ties(f, g, point):
                continue
            slopes = [
                (evaluate(sympy_derivative(f, s), point), evaluate(sympy_derivative(g, s), point))
                for s in symbols
            ]
            if any(not _ties_value(a, b) for a, b in slopes):
                found.append(
                    f"{to_text(node)} has a kink here: its arguments tie "
                    f"({to_text(f)} = {to_text(g)}) with different slopes, so it is not "
                    "differentiable there; mathml, like PyTorch, takes the mean of the two slopes"
                )
    return tuple(dict.fromkeys(found))


def _ties(f: Any, g: Any, point: Mapping[str, float]) -> bool:
    return _ties_value(evaluate(f, point), evaluate(g, point))


def _ties_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def _describe_point(point: Mapping[str, float]) -> str:
    return ", ".join(f"{name} = {value:g}" for name, value in point.items())


def _partial(expression: Any, variable: str, order: int, variables: tuple[str, ...]) -> Partial:
    constants = tuple(name for name in variables if name != variable)
    passes: list[Differentiation] = []
    current = expression
    for k in range(1, order + 1):
        passes.append(differentiate(current, variable, order=k, constants=constants))
        current = passes[-1].result
    return Partial(variable, tuple(passes))


def differentiate(
    expression: Any, variable: str, *, order: int = 1, constants: tuple[str, ...] = ()
) -> Differentiation:
    """One derivative of `expression` with respect to `variable`, as named steps."""
    symbol = sympy.Symbol(variable, real=True)
    taken = {str(s) for s in expression.free_symbols} | {variable}
    builder = _StepBuilder(taken)
    root = builder.step(expression, symbol, str(order))
    steps = [root]
    result = root.result
    simpler = _simplify(result)
    if simpler is not None:
        steps.append(Step(f"{root.id}.s", "simplify", variable, result, simpler, applied=simpler))
        result = simpler
    verification = check_derivative(expression, result, variable)
    return Differentiation(
        expression, variable, order, constants, tuple(steps), result, verification
    )


def _simplify(expression: Any) -> Any | None:
    """A simpler form of `expression`, or None when there is none to show.

    Only cheap rewrites (common factors, one common denominator): sympy.simplify
    can take seconds, and start-up speed is part of the product.
    """
    size = _complexity(expression)
    if sympy.count_ops(expression) > SIMPLIFY_MAX_OPS:
        return None
    candidates = [sympy.factor_terms(expression)]
    if any(_is_reciprocal(power) for power in expression.atoms(sympy.Pow)):
        candidates.append(sympy.together(expression))
    best = min(candidates, key=lambda c: (_complexity(c), len(to_text(c))))
    if _complexity(best) >= size or to_text(best) == to_text(expression):
        return None
    return best


def _complexity(expression: Any) -> int:
    # Operations, plus a charge per division: (a - b/c)/d reads worse than (a*c - b)/(c*d).
    divisions = sum(1 for node in sympy.preorder_traversal(expression) if _is_reciprocal(node))
    return int(sympy.count_ops(expression)) + 2 * divisions


def sympy_derivative(expression: Any, symbol: Any) -> Any:
    """SymPy's derivative, with Heaviside written in mathml's functions.

    Heaviside(u, 0) is mathml's step(u). SymPy differentiates max and min
    with Heaviside(u) = 1/2 at u = 0 (the mean at a tie, and the right
    derivative where the arguments agree on a whole interval): that is
    (1 + sign(u))/2, never step(u), which is 0 there.
    """
    if expression.has(sympy.Max, sympy.Min):
        expression = expression.replace(
            lambda e: isinstance(e, (sympy.Max, sympy.Min)) and len(e.args) > 2,
            lambda e: e.func(*_split_extreme(e)),
        )
    result = sympy.diff(expression, symbol)
    if result.has(sympy.Heaviside):
        result = result.replace(sympy.Heaviside, _heaviside)
    if result.has(sympy.Derivative):
        # SymPy leaves d/dx sign(1/x) unevaluated; a sign's slope is 0 wherever
        # it is defined, as for step.
        result = result.replace(
            lambda e: isinstance(e, sympy.Derivative) and isinstance(e.expr, (sympy.sign, step)),
            lambda e: sympy.S.Zero,
        )
    if result.has(sympy.re, sympy.im):
        # SymPy writes d|u| with re(u) and im(u) when it cannot prove u real
        # (abs(x**x)); mathml works over the reals, where they are u and 0.
        result = result.replace(sympy.im, lambda arg: sympy.S.Zero).replace(
            sympy.re, lambda arg: arg
        )
    if result.has(sympy.DiracDelta):
        # The derivative of a step is 0 wherever it is defined.
        result = result.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return result


class _StepBuilder:
    def __init__(self, taken: set[str]) -> None:
        # A formula's c, f, g, ... never read as one of the user's variables.
        self.names = placeholder_names(taken)
        self.taken = set(taken) | {new for old, new in self.names.items() if new != old}
        self.seen: dict[tuple[Any, Any], str] = {}
        self.letters = iter(self._letters())

    def _letters(self) -> Any:
        yield from LETTERS
        index = 1
        while True:
            yield f"u{index}"
            index += 1

    def fresh_letter(self) -> Any:
        for letter in self.letters:
            if letter not in self.taken:
                self.taken.add(letter)
                return sympy.Symbol(letter, real=True)
        raise AssertionError("unreachable: the letter supply is endless")

    def step(self, expr: Any, x: Any, id: str) -> Step:
        key = (expr, x)
        if key in self.seen:
            return Step(
                id, "reference", str(x), expr, sympy_derivative(expr, x), reference=self.seen[key]
            )
        made = self.make(expr, x, id)
        if made.substeps:
            self.seen[key] = id
        return made

    def make(self, expr: Any, x: Any, id: str) -> Step:
        return self.written_out(self.apply_rule(expr, x, id))

    def written_out(self, step: Step) -> Step:
        """The step with its rule's formula in its variable and safe placeholder letters."""
        names = self.names
        if step.substitution is not None:
            names = {**names, "u": step.substitution[0]}
        parts = tuple((names.get(name, name), value) for name, value in step.parts)
        formula = written_for(RULES[step.rule], step.variable, names)
        return replace(step, parts=parts, formula=formula, letters=tuple(names.items()))

    def apply_rule(self, expr: Any, x: Any, id: str) -> Step:
        name = str(x)
        result = sympy_derivative(expr, x)

        def make_step(rule: str, **kwargs: Any) -> Step:
            return Step(id, rule, name, expr, result, **kwargs)

        if not expr.has(x):
            note = _held_constant(expr, name)
            return make_step(
                CONSTANT.id, parts=_parts(CONSTANT, expr), applied=CONSTANT.fill_in(), note=note
            )
        if expr == x:
            return make_step(IDENTITY.id, applied=IDENTITY.fill_in())
        if isinstance(expr, sympy.Add):
            subs = self.children(as_typed_terms(expr), x, id)
            return make_step(SUM.id, substeps=subs, applied=SUM.fill_in(*[s.result for s in subs]))
        if isinstance(expr, sympy.Mul):
            return self.product(expr, x, id, result)
        if isinstance(expr, sympy.Pow):
            return self.power(expr, x, id, result)
        if isinstance(expr, (sympy.Max, sympy.Min)):
            return self.extreme(expr, x, id, result)
        rule = _function_rule(expr, x)
        if rule is not None:
            inner = expr.args[0]
            if inner == x:
                return make_step(rule, applied=result, note=ML_NOTES.get(rule))
            return self.chain(expr, x, id, result, rule)
        return make_step(
            "fallback",
            applied=result,
            note=f"mathml has no rule for {type(expr).__name__}; the result is SymPy's",
        )

    def children(self, parts: Sequence[Any], x: Any, id: str) -> tuple[Step, ...]:
        return tuple(self.step(part, x, f"{id}.{i}") for i, part in enumerate(parts, 1))

    def extreme(self, expr: Any, x: Any, id: str, result: Any) -> Step:
        """max(f, g) or min(f, g); more arguments are taken two at a time."""
        f, g = _split_extreme(expr)
        rule = "max" if isinstance(expr, sympy.Max) else "min"
        df, dg = self.children((f, g), x, id)
        # SymPy's H(f - g) with H(0) = 1/2, written with sign: at a tie the
        # mean of f' and g' (as PyTorch's maximum and minimum share it), and
        # where f = g on a whole interval their common derivative.
        first, second = (f - g, g - f) if rule == "max" else (g - f, f - g)
        applied = added(
            multiplied(df.result, _half_step(first)), multiplied(dg.result, _half_step(second))
        )
        return Step(
            id,
            rule,
            str(x),
            expr,
            result,
            parts=(("f", f), ("g", g)),
            applied=applied,
            substeps=(df, dg),
            note=f"{rule} is not differentiable where f = g with f' ≠ g' (a kink); there "
            "mathml takes the mean (f' + g')/2, as PyTorch does",
        )

    def product(self, expr: Any, x: Any, id: str, result: Any) -> Step:
        name = str(x)
        factors = list(expr.args) if _is_as_typed_product(expr) else expr.as_ordered_factors()
        constants = [f for f in factors if not f.has(x)]
        varying = [f for f in factors if f.has(x)]
        if constants:
            constant = _product(constants)
            rest = _product(varying)
            (sub,) = self.children([rest], x, id)
            return Step(
                id,
                CONSTANT_MULTIPLE.id,
                name,
                expr,
                result,
                parts=_parts(CONSTANT_MULTIPLE, constant, rest),
                applied=CONSTANT_MULTIPLE.fill_in(c=constant, df=sub.result),
                substeps=(sub,),
                note=_held_constant(constant, name),
            )
        numerator = [f for f in varying if not _is_reciprocal(f)]
        denominator = [_reciprocal(f) for f in varying if _is_reciprocal(f)]
        if numerator and denominator:
            parts = (_product(numerator), _product(denominator))
            return self.two_parts(QUOTIENT, expr, x, id, result, parts)
        return self.two_parts(PRODUCT, expr, x, id, result, (varying[0], _product(varying[1:])))

    def two_parts(
        self, rule: StructuralRule, expr: Any, x: Any, id: str, result: Any, parts: tuple[Any, Any]
    ) -> Step:
        """A rule about parts f and g: derive both, then fill the formula in with them."""
        f, g = parts
        df, dg = self.children([f, g], x, id)
        return Step(
            id,
            rule.id,
            str(x),
            expr,
            result,
            parts=_parts(rule, f, g),
            applied=rule.fill_in(f=f, g=g, df=df.result, dg=dg.result),
            substeps=(df, dg),
        )

    def power(self, expr: Any, x: Any, id: str, result: Any) -> Step:
        name = str(x)
        base, exponent = expr.args
        if not exponent.has(x):
            if base == x:
                applied = POWER.fill_in(x=x, n=exponent)
                parts = _parts(POWER, exponent)
                return Step(id, POWER.id, name, expr, result, parts=parts, applied=applied)
            return self.chain(expr, x, id, result, POWER.id)
        if not base.has(x):
            if exponent == x:
                applied = EXPONENTIAL.fill_in(a=base, x=x)
                parts = _parts(EXPONENTIAL, base)
                return Step(id, EXPONENTIAL.id, name, expr, result, parts=parts, applied=applied)
            return self.chain(expr, x, id, result, EXPONENTIAL.id)
        return self.two_parts(LOG_DERIVATIVE, expr, x, id, result, (base, exponent))

    def chain(self, expr: Any, x: Any, id: str, result: Any, outer_rule: str) -> Step:
        """f(g(x)): name g with a fresh letter u, derive f(u) in u, derive g, multiply."""
        name = str(x)
        u = self.fresh_letter()
        if isinstance(expr, sympy.Pow):
            base, exponent = expr.args
            inner = base if outer_rule == "power" else exponent
            outer = sympy.Pow(u, exponent) if outer_rule == "power" else sympy.Pow(base, u)
        else:
            # f(g(x), a): the parameters after the first argument stay as they are.
            inner = expr.args[0]
            outer = expr.func(u, *expr.args[1:])
        outer_step = self.make(outer, u, f"{id}.1")
        inner_step = self.step(inner, x, f"{id}.2")
        applied = CHAIN.fill_in(df=outer_step.result.subs(u, inner), du=inner_step.result)
        return Step(
            id,
            CHAIN.id,
            name,
            expr,
            result,
            # u is named by a fresh letter (v, w, ... when u is taken).
            parts=(("f", outer), (str(u), inner)),
            applied=applied,
            substeps=(outer_step, inner_step),
            substitution=(str(u), inner),
        )


def _held_constant(constant: Any, variable: str) -> str | None:
    """ "y is held constant with respect to x", for the variables in `constant`."""
    held = sorted(str(s) for s in constant.free_symbols)
    if not held:
        return None
    verb = "is" if len(held) == 1 else "are"
    return f"{', '.join(held)} {verb} held constant with respect to {variable}"


def _function_rule(expr: Any, x: Any) -> str | None:
    """The rule of the function table for a call whose parameters do not depend on x."""
    spec = BY_CLASS.get(expr.func)
    if spec is None or not expr.args or any(arg.has(x) for arg in expr.args[1:]):
        return None
    return spec.rule


def _split_extreme(expr: Any) -> tuple[Any, Any]:
    """max(a, b, c) as max(a, max(b, c)): the two parts the rule speaks of."""
    first, *rest = expr.args
    second = rest[0] if len(rest) == 1 else expr.func(*rest, evaluate=False)
    return first, second


def _heaviside(arg: Any, at_zero: Any = sympy.S.Half) -> Any:
    if at_zero == 0:
        return step(arg)
    if at_zero == sympy.S.Half:
        return _half_step(arg)
    return sympy.Heaviside(arg, at_zero)


def _half_step(arg: Any) -> Any:
    """H(u) with H(0) = 1/2: 1 for u > 0, 0 for u < 0, 1/2 at a tie."""
    # Max's two terms hold H(f - g) and H(g - f). Negating g - f rebuilds f by SymPy's
    # rules (the typed sqrt(2x)**3 becomes (2x)**(3/2)), and two forms of one f round
    # differently: where f = g everywhere, sign(f - g) and sign(g - f) would both be -1
    # at some points instead of cancelling. One evaluated form keeps them exact negatives.
    arg = _evaluated(arg)
    if arg.could_extract_minus_sign():
        # H(g - f) = (1 - sign(f - g))/2: one sign in the result, not two.
        return (1 - sympy.sign(-arg)) / 2
    return (1 + sympy.sign(arg)) / 2


def _is_as_typed_product(expr: Any) -> bool:
    return bool(sympy.Mul(*expr.args).args != expr.args)


def _product(factors: Sequence[Any]) -> Any:
    """The factors as one product, as they stand (never re-read: x*x stays x*x)."""
    if not factors:
        return sympy.S.One
    if len(factors) == 1:
        return factors[0]
    return sympy.Mul(*factors, evaluate=False)


def _reciprocal(factor: Any) -> Any:
    base, exponent = factor.args
    return base if exponent == -1 else sympy.Pow(base, -exponent, evaluate=False)


def _is_reciprocal(factor: Any) -> bool:
    return bool(isinstance(factor, sympy.Pow) and factor.exp.is_number and factor.exp.is_negative)


def _parts(rule: StructuralRule, *values: Any) -> tuple[tuple[str, Any], ...]:
    """The expression's parts, named by the rule's placeholder letters (f = x**2, g = sin(x))."""
    return tuple(zip(rule.letters, values, strict=True))


def _evaluated(expr: Any) -> Any:
    """`expr` rebuilt bottom-up with SymPy's evaluation (a typed expression is kept as written)."""
    if not expr.args:
        return expr
    return expr.func(*(_evaluated(arg) for arg in expr.args))
