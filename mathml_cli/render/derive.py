"""`mathml derive` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

import math
from typing import Any

from mathml_cli.core.derive import Derivation, Differentiation, Partial, Step
from mathml_cli.core.expr import to_latex, to_text
from mathml_cli.core.rules import RULES, written_for
from mathml_cli.core.verify import Verification
from mathml_cli.render import view as v
from mathml_cli.render.common import derivative_operator, math_of

# A sum of 200 terms has 200 sub-derivations; the text shows the first few and
# the last, and says how many it left out (JSON always has every step).
MAX_SUBSTEPS_SHOWN = 8


def view(
    derivation: Derivation,
    *,
    steps: bool = True,
    plot: bool = False,
    plot_range: tuple[float, float] | None = None,
) -> v.View:
    """The derivation: each pass's steps as a tree, its result and check, then the summary."""
    partial = _is_partial(derivation)
    blocks: list[v.Block] = [v.Paragraph(_function_line(derivation))]
    if derivation.text.strip() != to_text(derivation.expression):
        blocks.append(v.Note((f"(read from {derivation.text.strip()!r})",), "info"))
    blocks.extend(v.Note((f"Warning: {warning}",), "warning") for warning in derivation.warnings)
    for item in derivation.partials:
        for one_pass in item.passes:
            blocks.append(_pass_section(one_pass, derivation.variables, steps))
    summary = _summary(derivation, partial)
    if summary:
        blocks.append(v.Section(None, tuple(summary)))
    if plot:
        blocks.append(plot_view(derivation, plot_range))
    source = f"mathml derive: {derivation.text.strip()}"
    return v.View(title=source, blocks=tuple(blocks), source=source)


def _is_partial(derivation: Derivation) -> bool:
    return len(derivation.variables) > 1


def _function_line(derivation: Derivation) -> v.Line:
    names = derivation.variables or ("x",)
    head = v.Math(
        f"f({', '.join(names)}) = ",
        "f(" + ", ".join(v.name_latex(n) for n in names) + ") =",
        "strong",
    )
    return (head, math_of(derivation.expression))


def _step_operator(step: Step, variables: tuple[str, ...]) -> v.Math:
    # ∂ for f's own variables when it has several; a chain rule's outer function
    # is of its inner letter alone: d/du.
    return derivative_operator(step.variable, len(variables) > 1 and step.variable in variables)


def _applied_to(operator: v.Math, expr: Any) -> v.Math:
    inner = math_of(expr)
    return v.Math(
        f"{operator.text}[{inner.text}]", lambda: rf"{operator.latex}\left[{inner.latex}\right]"
    )


def _pass_section(one_pass: Differentiation, variables: tuple[str, ...], steps: bool) -> v.Section:
    partial = len(variables) > 1
    label = "Partial derivative" if partial else "Derivative"
    ordinal = f" (order {one_pass.order})" if one_pass.order > 1 else ""
    heading: list[Any] = [
        f"{label} with respect to ",
        v.Math(one_pass.variable, v.name_latex(one_pass.variable)),
        ordinal,
    ]
    if one_pass.constants:
        held = ", ".join(one_pass.constants)
        verb = "is" if len(one_pass.constants) == 1 else "are"
        heading.append(v.Span(f"  ({held} {verb} held constant)", "note"))
    operator = derivative_operator(one_pass.variable, partial)
    blocks: list[v.Block] = []
    if steps:
        blocks.append(steps_tree(one_pass, variables))
    failed = one_pass.verification.verified is False
    result_label = (
        v.Span("Result (✗ failed its check, see below): ", "bad") if failed else v.Span("Result: ")
    )
    blocks.append(
        v.Paragraph(
            (
                result_label,
                _applied_to(operator, one_pass.expression),
                v.Math(" = ", "="),
                math_of(one_pass.result, "result"),
            )
        )
    )
    blocks.append(check_note(one_pass.verification))
    return v.Section(v.Heading(tuple(heading)), tuple(blocks))


def steps_tree(one_pass: Differentiation, variables: tuple[str, ...]) -> v.Tree:
    """One pass's rule tree (what --steps shows), for commands built on derive."""
    operator = derivative_operator(one_pass.variable, len(variables) > 1)
    root = _applied_to(operator, one_pass.expression)
    return v.Tree((root,), tuple(_step_node(step, variables) for step in one_pass.steps))


def steps_data(one_pass: Differentiation) -> list[dict[str, Any]]:
    """One pass's steps as JSON data, as `derive --format json` writes them."""
    return [_step_data(step) for step in one_pass.steps]


def _step_node(step: Step, variables: tuple[str, ...]) -> v.TreeNode:
    rule = RULES[step.rule]
    head: list[Any] = [v.Span(f"{step.id} ", "muted"), v.Span(rule.name, "rule"), ": "]
    if step.rule == "simplify":
        head += [v.Math("= ", "="), math_of(step.result, "result")]
        return v.TreeNode((tuple(head),))
    head += [_applied_to(_step_operator(step, variables), step.expression), v.Math(" = ", "=")]
    head.append(math_of(step.result, "result"))
    if step.rule == "reference":
        head.append(v.Span(f"  (derived in step {step.reference})", "muted"))
        return v.TreeNode((tuple(head),))
    text, latex = step.formula or (rule.formula, rule.latex)
    formula: list[Any] = [v.Math(text, latex, "formula")]
    if step.formula is not None:  # the variable's name typeset as everywhere else
        formula = [v.Math(text, lambda: _formula_latex(step), "formula")]
    if step.substitution is not None:
        letter, inner = step.substitution
        name, outer = step.parts[0]  # f, or the letter that stands for it
        formula += ["   with ", _equation(letter, inner), ", "]
        formula.append(_equation(f"{name}({letter})", outer))
    elif step.parts:
        formula.append("   with ")
        for index, (name, value) in enumerate(step.parts):
            formula += [", " if index else "", _equation(name, value)]
    lines: list[v.Line] = [tuple(head), tuple(formula)]
    if step.applied is not None and to_text(step.applied) != to_text(step.result):
        lines.append(
            (
                v.Math("= ", "="),
                math_of(step.applied),
                v.Math(" = ", "="),
                math_of(step.result, "result"),
            )
        )
    if step.note:
        lines.append((v.Span(step.note, "note"),))
    first, last, omitted = v.head_and_tail(step.substeps, MAX_SUBSTEPS_SHOWN - 1, 1)
    children = [_step_node(sub, variables) for sub in first]
    if omitted:
        words = f"… {omitted} more parts, by the same rules (--format json lists every step)"
        children.append(v.TreeNode(((v.Span(words, "muted"),),)))
    children.extend(_step_node(sub, variables) for sub in last)
    return v.TreeNode(tuple(lines), tuple(children))


def _equation(name: str, value: Any) -> v.Math:
    """`name = value` as one piece of math (a rule's f, g, n or substitution)."""
    shown = math_of(value)
    if "(" in name:  # f(u)
        letter = name[2:-1]
        name_tex = f"f({v.name_latex(letter)})"
    else:
        name_tex = v.name_latex(name)
    return v.Math(f"{name} = {shown.text}", lambda: f"{name_tex} = {shown.latex}")


def _formula_latex(step: Step) -> str:
    rule = RULES[step.rule]
    return written_for(rule, step.variable, dict(step.letters), v.name_latex)[1]


def check_note(verification: Verification) -> v.Note:
    """The line saying whether the answer agrees with finite differences."""
    if verification.verified is True:
        return v.Note((f"✓ {verification.summary}",), "check")
    if verification.verified is False:
        return v.Note((f"✗ {verification.summary}",), "failure")
    return v.Note((f"? {verification.summary}",), "warning")


def _derivative_name(order: int, variable: str, partial: bool) -> v.Math:
    symbol, latex_symbol = ("∂", r"\partial") if partial else ("d", "d")
    name = v.name_latex(variable)
    if order == 1:
        return v.Math(
            f"{symbol}f/{symbol}{variable}",
            rf"\frac{{{latex_symbol} f}}{{{latex_symbol} {name}}}",
        )
    return v.Math(
        f"{symbol}^{order}f/{symbol}{variable}^{order}",
        rf"\frac{{{latex_symbol}^{{{order}}} f}}{{{latex_symbol} {name}^{{{order}}}}}",
    )


def _summary(derivation: Derivation, partial: bool) -> list[v.Block]:
    blocks: list[v.Block] = []
    if len(derivation.partials) > 1 and derivation.order == 1:
        names = [_derivative_name(1, p.variable, True) for p in derivation.partials]
        gradient = v.Math(
            "∇f = (" + ", ".join(n.text for n in names) + ")",
            r"\nabla f = \left(" + ", ".join(n.latex for n in names) + r"\right)",
        )
        blocks.append(v.Paragraph((v.Span("Gradient: "), gradient)))
        for item, name in zip(derivation.partials, names, strict=True):
            blocks.append(
                v.Paragraph((name, v.Math(" = ", "="), math_of(item.result, "result")), indent=1)
            )
    if derivation.point is not None:
        where: list[Any] = [v.Span("At ")]
        for index, (k, coordinate) in enumerate(derivation.point.items()):
            where += [
                ", " if index else "",
                v.Math(
                    f"{k} = {v.number(coordinate)}",
                    f"{v.name_latex(k)} = {v.num(coordinate).latex}",
                ),
            ]
        where.append(v.Span(":"))
        blocks.append(v.Paragraph(tuple(where)))
        value = v.num(derivation.value)
        blocks.append(v.Paragraph((v.Math(f"f = {value.text}", f"f = {value.latex}"),), indent=1))
        for item in derivation.partials:
            name = _derivative_name(derivation.order, item.variable, partial)
            value = v.num(derivation.derivative_values[item.variable])
            blocks.append(
                v.Paragraph(
                    (v.Math(f"{name.text} = {value.text}", f"{name.latex} = {value.latex}"),),
                    indent=1,
                )
            )
    return blocks


# --- the plot ----------------------------------------------------------------


def plot_view(derivation: Derivation, plot_range: tuple[float, float] | None) -> v.Plot:
    """f, its derivative and (with --at) the tangent, over a range where f is finite."""
    from mathml_cli.core.expr import sample
    from mathml_cli.errors import InputError

    if len(derivation.variables) > 1 or len(derivation.partials) != 1:
        raise InputError(
            "--plot needs a function of one variable (use --wrt and fix the others "
            "with a plain number in the expression)"
        )
    partial = derivation.partials[0]
    variable = partial.variable
    if plot_range is None:
        centre = derivation.point[variable] if derivation.point else 0.0
        low, high = _finite_window(derivation.expression, variable, centre - 5.0, centre + 5.0)
    else:
        low, high = plot_range
    xs, fs = sample(derivation.expression, variable, low, high)
    _, dfs = sample(partial.result, variable, low, high)
    bottom, top = _shown_band([*fs, *dfs])
    fs, dfs = _clip(fs, bottom, top), _clip(dfs, bottom, top)
    name = "f'" if derivation.order == 1 else f"f^({derivation.order})"
    series = [
        v.Series(f"f = {to_text(derivation.expression)}", tuple(xs), tuple(fs)),
        v.Series(f"{name} = {to_text(partial.result)}", tuple(xs), tuple(dfs)),
    ]
    if derivation.point is not None and derivation.order == 1 and derivation.value is not None:
        x0, y0 = derivation.point[variable], derivation.value
        slope = derivation.derivative_values[variable]
        # Only the part of the tangent inside the curves' own range, so it does not
        # squash them.
        tangent = _clip([y0 + slope * (x - x0) for x in xs], bottom, top)
        series.append(v.Series(f"tangent at {variable} = {x0:g}", tuple(xs), tuple(tangent)))
        series.append(v.Series("point", (x0,), (y0,), style="scatter"))
    return v.Plot(f"f and {name}", tuple(series), xlabel=variable)


def _finite_window(expr: Any, variable: str, low: float, high: float) -> tuple[float, float]:
    """The part of [low, high] where f is defined: log(x) is plotted on (0, 5], not [-5, 5]."""
    from mathml_cli.core.expr import sample

    xs, ys = sample(expr, variable, low, high)
    finite = [x for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
    if len(finite) < 2:
        return low, high
    return finite[0], finite[-1]


def _shown_band(values: list[float]) -> tuple[float, float]:
    """The y band to show: the bulk of the values, so a pole (1/x at 0) cannot flatten them."""
    finite = sorted(y for y in values if math.isfinite(y))
    if not finite:
        return -1.0, 1.0
    low, high = finite[len(finite) // 20], finite[-1 - len(finite) // 20]
    spread = max(high - low, 1e-9)
    return max(finite[0], low - spread), min(finite[-1], high + spread)


def _clip(values: list[float], bottom: float, top: float) -> list[float]:
    return [y if bottom <= y <= top else math.nan for y in values]


# --- JSON ------------------------------------------------------------------


def data(derivation: Derivation) -> dict[str, Any]:
    common: dict[str, Any] = {
        "expression": to_text(derivation.expression),
        "expression_latex": to_latex(derivation.expression),
        "order": derivation.order,
    }
    if len(derivation.partials) == 1:
        common.update(_partial_data(derivation.partials[0]))
    else:
        common["variables"] = [p.variable for p in derivation.partials]
        common["gradient"] = {p.variable: to_text(p.result) for p in derivation.partials}
        common["gradient_latex"] = {p.variable: to_latex(p.result) for p in derivation.partials}
        common["partials"] = [_partial_data(p) for p in derivation.partials]
    if derivation.point is not None:
        common["point"] = derivation.point
        common["value"] = {
            "function": derivation.value,
            "derivatives": dict(derivation.derivative_values),
        }
    common["verified"] = derivation.verified
    common["warnings"] = list(derivation.warnings)
    return common


def _partial_data(item: Partial) -> dict[str, Any]:
    passes = item.passes
    return {
        "variable": item.variable,
        "result": to_text(item.result),
        "latex": to_latex(item.result),
        "held_constant": list(passes[0].constants),
        "steps": [step for one_pass in passes for step in steps_data(one_pass)],
        "checks": [_verification_data(one_pass) for one_pass in passes],
        "verified": _all_verified(passes),
    }


def _all_verified(passes: tuple[Differentiation, ...]) -> bool | None:
    outcomes = [p.verification.verified for p in passes]
    if False in outcomes:
        return False
    return True if all(o is True for o in outcomes) else None


def _verification_data(one_pass: Differentiation) -> dict[str, Any]:
    verification = one_pass.verification
    return {
        "order": one_pass.order,
        "verified": verification.verified,
        "method": verification.method,
        "points": [
            {
                "point": p.point,
                "derivative": p.derivative,
                "finite_difference": p.finite_difference,
            }
            for p in verification.points
        ],
    }


def _step_data(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "rule": step.rule,
        "variable": step.variable,
        "expression": to_text(step.expression),
        "result": to_text(step.result),
        "formula": (step.formula or (RULES[step.rule].formula,))[0],
        "parts": {name: to_text(value) for name, value in step.parts},
        "applied": to_text(step.applied) if step.applied is not None else None,
        "substitution": (
            {"letter": step.substitution[0], "inner": to_text(step.substitution[1])}
            if step.substitution
            else None
        ),
        "reference": step.reference,
        "note": step.note,
        "substeps": [_step_data(sub) for sub in step.substeps],
    }
