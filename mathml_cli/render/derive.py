"""Renderings of a `Derivation`: Rich text, JSON data, LaTeX and Markdown."""

from __future__ import annotations

from typing import Any

from mathml_cli.core.derive import Derivation, Differentiation, Partial, Step
from mathml_cli.core.expr import to_latex, to_text
from mathml_cli.core.rules import RULES
from mathml_cli.core.verify import Verification
from mathml_cli.render.common import (
    BAD,
    DIM,
    FORMULA,
    GOOD,
    NOTE,
    RESULT,
    RULE,
    TITLE,
    format_number,
    head_and_tail,
    latex_escape,
)

# A sum of 200 terms has 200 sub-derivations; the text shows the first few and
# the last, and says how many it left out (JSON always has every step).
MAX_SUBSTEPS_SHOWN = 8


def _shown_substeps(step: Step) -> tuple[list[Step], int]:
    """The substeps to display, and how many are left out (between them and the last)."""
    first, last, omitted = head_and_tail(step.substeps, MAX_SUBSTEPS_SHOWN - 1, 1)
    return first + last, omitted


def _omitted_words(count: int) -> str:
    return f"… {count} more parts, by the same rules (--format json lists every step)"


def _d(variable: str, partial: bool) -> str:
    return f"∂/∂{variable}" if partial else f"d/d{variable}"


def _is_partial(derivation: Derivation) -> bool:
    return len(derivation.variables) > 1


def _derivative_name(order: int, variable: str, partial: bool) -> str:
    symbol = "∂" if partial else "d"
    if order == 1:
        return f"{symbol}f/{symbol}{variable}"
    return f"{symbol}^{order}f/{symbol}{variable}^{order}"


# --- Rich text -------------------------------------------------------------


def rich(derivation: Derivation, show_steps: bool = True) -> Any:
    from rich.console import Group
    from rich.text import Text

    partial = _is_partial(derivation)
    parts: list[Any] = [
        Text.assemble(
            ("f", TITLE),
            (f"({', '.join(derivation.variables) or 'x'}) = ", TITLE),
            to_text(derivation.expression),
        )
    ]
    if derivation.text.strip() != to_text(derivation.expression):
        parts.append(Text(f"  (read from {derivation.text.strip()!r})", style=DIM))
    for warning in derivation.warnings:
        parts.append(Text(f"Warning: {warning}", style=NOTE))
    for item in derivation.partials:
        for one_pass in item.passes:
            parts.append(Text(""))
            parts.append(_pass_heading(one_pass, partial))
            if show_steps:
                parts.append(_step_tree(one_pass, partial))
            parts.append(_pass_result(one_pass, partial))
            parts.append(_check_line(one_pass.verification))
    summary = _summary(derivation, partial)
    if summary:
        parts.append(Text(""))
        parts.extend(summary)
    return Group(*parts)


def _pass_heading(one_pass: Differentiation, partial: bool) -> Any:
    from rich.text import Text

    heading = Text()
    label = "Partial derivative" if partial else "Derivative"
    ordinal = f" (order {one_pass.order})" if one_pass.order > 1 else ""
    heading.append(f"{label} with respect to {one_pass.variable}{ordinal}", style=TITLE)
    if one_pass.constants:
        held = ", ".join(one_pass.constants)
        verb = "is" if len(one_pass.constants) == 1 else "are"
        heading.append(f"  ({held} {verb} held constant)", style=NOTE)
    return heading


def _step_tree(one_pass: Differentiation, partial: bool) -> Any:
    from rich.tree import Tree

    tree = Tree(
        f"{_d(one_pass.variable, partial)} [{to_text(one_pass.expression)}]", guide_style=DIM
    )
    for step in one_pass.steps:
        _add_step(tree, step, partial)
    return tree


def _add_step(parent: Any, step: Step, partial: bool) -> None:
    from rich.text import Text

    branch = parent.add(_step_label(step, partial))
    shown, omitted = _shown_substeps(step)
    for index, sub in enumerate(shown):
        if omitted and index == len(shown) - 1:
            branch.add(Text(_omitted_words(omitted), style=DIM))
        _add_step(branch, sub, partial)


def _step_label(step: Step, partial: bool) -> Any:
    from rich.text import Text

    rule = RULES[step.rule]
    d = _d(step.variable, partial and len(step.variable) == 1 and step.substitution is None)
    label = Text()
    label.append(f"{step.id} ", style=DIM)
    label.append(rule.name, style=RULE)
    label.append(": ")
    if step.rule == "simplify":
        label.append(f"= {to_text(step.result)}", style=RESULT)
        return label
    label.append(f"{d}[{to_text(step.expression)}] = ")
    label.append(to_text(step.result), style=RESULT)
    if step.rule == "reference":
        label.append(f"  (derived in step {step.reference})", style=DIM)
        return label
    label.append("\n")
    label.append(rule.formula, style=FORMULA)
    if step.substitution is not None:
        letter, inner = step.substitution
        outer = dict(step.parts)["f"]
        label.append(f"   with {letter} = {to_text(inner)}, f({letter}) = {to_text(outer)}")
    elif step.parts:
        names = ", ".join(f"{name} = {to_text(value)}" for name, value in step.parts)
        label.append(f"   with {names}")
    if step.applied is not None and to_text(step.applied) != to_text(step.result):
        label.append("\n= ")
        label.append(to_text(step.applied))
        label.append(" = ")
        label.append(to_text(step.result), style=RESULT)
    if step.note:
        label.append("\n")
        label.append(step.note, style=NOTE)
    return label


def _pass_result(one_pass: Differentiation, partial: bool) -> Any:
    from rich.text import Text

    prefix = _d(one_pass.variable, partial)
    failed = one_pass.verification.verified is False
    return Text.assemble(
        ("Result (✗ failed its check, see below): ", BAD) if failed else ("Result: ", TITLE),
        f"{prefix}[{to_text(one_pass.expression)}] = ",
        (to_text(one_pass.result), RESULT),
    )


def _check_line(verification: Verification) -> Any:
    from rich.text import Text

    if verification.verified is True:
        return Text(f"✓ {verification.summary}", style=GOOD)
    if verification.verified is False:
        return Text(f"✗ {verification.summary}", style=BAD)
    return Text(f"? {verification.summary}", style=NOTE)


def _summary(derivation: Derivation, partial: bool) -> list[Any]:
    from rich.text import Text

    lines: list[Any] = []
    if len(derivation.partials) > 1 and derivation.order == 1:
        names = ", ".join(f"∂f/∂{p.variable}" for p in derivation.partials)
        lines.append(Text.assemble(("Gradient: ", TITLE), f"∇f = ({names})"))
        for item in derivation.partials:
            lines.append(Text.assemble(f"  ∂f/∂{item.variable} = ", (to_text(item.result), RESULT)))
    if derivation.point is not None:
        where = ", ".join(f"{k} = {format_number(v)}" for k, v in derivation.point.items())
        lines.append(Text.assemble((f"At {where}:", TITLE)))
        lines.append(Text(f"  f = {format_number(derivation.value)}"))
        for item in derivation.partials:
            name = _derivative_name(derivation.order, item.variable, partial)
            lines.append(
                Text(f"  {name} = {format_number(derivation.derivative_values[item.variable])}")
            )
    return lines


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
        "steps": [_step_data(step) for one_pass in passes for step in one_pass.steps],
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
        "formula": RULES[step.rule].formula,
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


# --- LaTeX -----------------------------------------------------------------


def _latex_d(variable: str, partial: bool, order: int = 1) -> str:
    symbol = r"\partial" if partial else "d"
    power = f"^{{{order}}}" if order > 1 else ""
    return rf"\frac{{{symbol}{power}}}{{{symbol} {variable}{power}}}"


def latex(derivation: Derivation, show_steps: bool = True) -> str:
    partial = _is_partial(derivation)
    variables = ", ".join(derivation.variables) or "x"
    lines = [
        f"% mathml derive: {derivation.text.strip()}",
        r"\begin{align*}",
        rf"f({variables}) &= {to_latex(derivation.expression)} \\",
    ]
    for item in derivation.partials:
        for one_pass in item.passes:
            d = _latex_d(one_pass.variable, partial)
            if show_steps:
                for step in one_pass.steps:
                    lines.extend(_latex_steps(step, partial))
            lines.append(
                rf"{d}\left[{to_latex(one_pass.expression)}\right] &= "
                rf"{to_latex(one_pass.result)} \\"
            )
    if len(derivation.partials) > 1 and derivation.order == 1:
        components = ", ".join(to_latex(p.result) for p in derivation.partials)
        lines.append(rf"\nabla f &= \left({components}\right) \\")
    if derivation.point is not None:
        where = ", ".join(f"{k} = {format_number(v)}" for k, v in derivation.point.items())
        lines.append(
            rf"&\text{{at {latex_escape(where)}: }} f = {format_number(derivation.value)} \\"
        )
        for item in derivation.partials:
            d = _latex_d(item.variable, partial, derivation.order)
            value = format_number(derivation.derivative_values[item.variable])
            lines.append(rf"&\phantom{{\text{{at}}}} {d} f = {value} \\")
    lines.append(rf"&\text{{{latex_escape(_verified_words(derivation))}}}")
    lines.append(r"\end{align*}")
    return "\n".join(lines)


def _latex_steps(step: Step, partial: bool) -> list[str]:
    rule = RULES[step.rule]
    d = _latex_d(step.variable, partial and step.substitution is None and len(step.variable) == 1)
    name = latex_escape(f"{step.id} {rule.name}")
    if step.rule == "simplify":
        return [rf"&= {to_latex(step.result)} && \text{{{name}}} \\"]
    head = rf"{d}\left[{to_latex(step.expression)}\right] &= {to_latex(step.result)}"
    lines = [rf"{head} && \text{{{name}}} \\"]
    if step.rule == "reference":
        return lines
    if step.substeps:
        detail = ", ".join(f"{n} = {to_latex(v)}" for n, v in step.parts)
        lines.append(rf"&\quad {rule.latex}" + (rf",\ {detail}" if detail else "") + r" \\")
    shown, omitted = _shown_substeps(step)
    for index, sub in enumerate(shown):
        if omitted and index == len(shown) - 1:
            lines.append(rf"&\quad \text{{{latex_escape(_omitted_words(omitted))}}} \\")
        lines.extend(_latex_steps(sub, partial))
    return lines


def _verified_words(derivation: Derivation, *, marked: bool = False) -> str:
    """The check of every pass in one sentence; `marked` puts ✓, ✗ or ? before it."""
    verifications = [p.verification for item in derivation.partials for p in item.passes]
    failed = [v for v in verifications if v.verified is False]
    if failed:
        mark, words = "✗", failed[0].summary
    elif derivation.verified is True:
        worst = max(v.largest_relative_difference or 0.0 for v in verifications)
        mark = "✓"
        words = f"checked against finite differences (largest relative difference {worst:.1e})"
    else:
        mark, words = "?", verifications[0].summary
    return f"{mark} {words}" if marked else words


# --- Markdown --------------------------------------------------------------


def markdown(derivation: Derivation, show_steps: bool = True) -> str:
    partial = _is_partial(derivation)
    variables = ", ".join(derivation.variables) or "x"
    lines = [f"**Function:** $f({variables}) = {to_latex(derivation.expression)}$", ""]
    for item in derivation.partials:
        for one_pass in item.passes:
            kind = "Partial derivative" if partial else "Derivative"
            order = f" (order {one_pass.order})" if one_pass.order > 1 else ""
            held = f" — {', '.join(one_pass.constants)} held constant" if one_pass.constants else ""
            lines.append(f"### {kind} with respect to ${one_pass.variable}${order}{held}")
            lines.append("")
            if show_steps:
                for step in one_pass.steps:
                    lines.extend(_markdown_steps(step, partial, 0))
                lines.append("")
            d = _latex_d(one_pass.variable, partial)
            failed = (
                " (✗ failed its check, see below)"
                if one_pass.verification.verified is False
                else ""
            )
            lines.append(
                f"**Result{failed}:** ${d}\\left[{to_latex(one_pass.expression)}\\right] = "
                f"{to_latex(one_pass.result)}$"
            )
            lines.append("")
    if len(derivation.partials) > 1 and derivation.order == 1:
        components = ", ".join(to_latex(p.result) for p in derivation.partials)
        lines.append(f"**Gradient:** $\\nabla f = \\left({components}\\right)$")
        lines.append("")
    if derivation.point is not None:
        where = ", ".join(f"{k} = {format_number(v)}" for k, v in derivation.point.items())
        lines.append(f"**At {where}:** $f = {format_number(derivation.value)}$")
        for item in derivation.partials:
            d = _latex_d(item.variable, partial, derivation.order)
            value = format_number(derivation.derivative_values[item.variable])
            lines.append(f"- ${d} f = {value}$")
        lines.append("")
    lines.append(f"*{_verified_words(derivation, marked=True)}.*")
    return "\n".join(lines)


def _markdown_steps(step: Step, partial: bool, depth: int) -> list[str]:
    indent = "  " * depth
    rule = RULES[step.rule]
    d = _latex_d(step.variable, partial and step.substitution is None and len(step.variable) == 1)
    if step.rule == "simplify":
        return [f"{indent}- {step.id} **{rule.name}:** $= {to_latex(step.result)}$"]
    line = (
        f"{indent}- {step.id} **{rule.name}:** "
        f"${d}\\left[{to_latex(step.expression)}\\right] = {to_latex(step.result)}$"
    )
    if step.rule == "reference":
        return [line + f" (derived in step {step.reference})"]
    lines = [line]
    detail = ", ".join(f"${n} = {to_latex(v)}$" for n, v in step.parts)
    lines.append(f"{indent}  - rule: ${rule.latex}$" + (f" with {detail}" if detail else ""))
    if step.note:
        lines.append(f"{indent}  - *{step.note}*")
    shown, omitted = _shown_substeps(step)
    for index, sub in enumerate(shown):
        if omitted and index == len(shown) - 1:
            lines.append(f"{indent}  - *{_omitted_words(omitted)}*")
        lines.extend(_markdown_steps(sub, partial, depth + 1))
    return lines
