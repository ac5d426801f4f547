"""`mathml explain` as a View (every format but JSON) and as JSON data.

Three results: one entry (an Explanation), several side by side (a
Comparison), and the catalogue itself (a tuple of entries, for --list). The
list needs no SymPy: it only reads the catalogue's text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mathml_cli.core.catalogue import SYMBOL_LATEX, Entry
from mathml_cli.core.explain import Comparison, Explanation, ValueRow, text_name
from mathml_cli.render import view as v

# --- one entry ---------------------------------------------------------------


def _sentence(summary: str) -> str:
    """The summary as a sentence: a capital only on an English first word.

    Many summaries open with mathematics (λ·|w|, x·Φ(x), max(0, x), relu with
    ...), where a capital would change a symbol or a name.
    """
    first, space, _ = summary.partition(" ")
    is_word = first.isalpha() and first.isascii() and first.islower()
    if space and is_word and (len(first) > 1 or first == "a") and first not in _NAMES:
        summary = summary[0].upper() + summary[1:]
    return summary + "."


_NAMES = {"relu", "elu", "max", "min", "ln", "log", "exp", "tanh", "sigmoid", "softplus"}


def view(result: Explanation, *, plot: bool = False) -> v.View:
    """Formula, derivative (with --steps its rule tree), closed form, behaviour, values."""
    entry = result.entry
    blocks: list[v.Block] = [
        v.Heading((f"{entry.name}: {entry.category}",), level=1),
        v.Paragraph((_sentence(entry.summary),)),
        v.Formula(
            f"{_signature(entry)} = {entry.formula}",
            f"{_signature_latex(entry)} = {result.formula_latex}",
        ),
    ]
    blocks.extend(_settings(result))
    blocks.append(_derivative_section(result))
    blocks.append(
        v.Section(
            v.Heading(("Behaviour",)),
            tuple(v.Paragraph((fact,)) for fact in result.behaviour.facts),
        )
    )
    blocks.append(v.Section(v.Heading(("Values",)), tuple(_values(result))))
    blocks.append(v.Section(v.Heading(("About",)), tuple(_about(result))))
    if plot and result.plot is not None:
        blocks.append(_plot(result))
    source = f"mathml explain {entry.name}"
    return v.View(title=source, blocks=tuple(blocks), source=source)


def _name_latex(entry: Entry) -> str:
    return r"\operatorname{" + entry.name.replace("_", r"\_") + "}"


def _variables(entry: Entry) -> list[str]:
    return [entry.variable, *(name for name, _ in entry.given)]


def _call_latex(call: str) -> str:
    """A call such as elu(x, alpha) in LaTeX, its name upright and its arguments typeset."""
    name, arguments = call[:-1].split("(", 1)
    typeset = ", ".join(_symbol_latex(argument) for argument in arguments.split(", "))
    return r"\operatorname{%s}\left(%s\right)" % (name.replace("_", r"\_"), typeset)


def _signature(entry: Entry) -> str:
    return f"{entry.name}({', '.join(_variables(entry))})"


def _symbol_latex(name: str) -> str:
    return SYMBOL_LATEX.get(name, v.name_latex(name))


def _signature_latex(entry: Entry) -> str:
    inputs = ", ".join(_symbol_latex(name) for name in _variables(entry))
    return rf"{_name_latex(entry)}\left({inputs}\right)"


def _setting(name: str, value: float, meaning: str) -> v.Line:
    shown = v.num(value)
    return (
        v.Math(f"{name} = {shown.text}", f"{_symbol_latex(name)} = {shown.latex}"),
        f"  {meaning}",
    )


def _settings(result: Explanation) -> list[v.Block]:
    entry = result.entry
    lines: list[v.Block] = []
    if entry.category == "loss":
        what = "the logit (before the sigmoid)" if entry.variable == "z" else "the prediction ŷ"
        lines.append(v.Paragraph((f"{entry.variable} is {what}, y the target.",)))
    for parameter in entry.parameters:
        value = result.parameters[parameter.name]
        lines.append(v.Paragraph(_setting(parameter.name, value, parameter.meaning), indent=1))
    for name, value in result.given.items():
        lines.append(
            v.Paragraph(
                _setting(name, value, "in the behaviour, and in the table unless --at gives it"), 1
            )
        )
    return lines


def _derivative_math(result: Explanation) -> v.Math:
    variable = result.variable
    # The notation of the entry's closed form, so the two lines agree: ∂ where the
    # catalogue treats the function as one of several variables (losses, softmax,
    # the regularizers with their λ), d otherwise.
    partial = "∂" in result.entry.quote
    symbol, latex_symbol = ("∂", r"\partial") if partial else ("d", "d")
    return v.Math(
        f"{symbol}/{symbol}{variable} {result.entry.name}",
        rf"\frac{{{latex_symbol}}}{{{latex_symbol} {_symbol_latex(variable)}}}"
        f" {_name_latex(result.entry)}",
    )


def _derivative_section(result: Explanation) -> v.Section:
    from mathml_cli.render.derive import check_note, steps_tree

    entry = result.entry
    operator = _derivative_math(result)
    blocks: list[v.Block] = []
    if result.show_steps:
        blocks.append(steps_tree(result.derivation, (entry.variable,)))
    blocks.append(
        v.Paragraph(
            (
                v.Span("Derived: "),
                operator,
                v.Math(" = ", "="),
                v.Math(result.derivative_text, result.derivative_latex, "result"),
            )
        )
    )
    blocks.append(check_note(result.derivation.verification))
    blocks.append(
        v.Paragraph(
            (
                v.Span("Closed form: "),
                v.Math(entry.quote, entry.quote_latex, "result"),
            )
        )
    )
    blocks.append(
        v.Paragraph(
            (
                "in mathml's language: ",
                v.Math(entry.closed_form, result.closed_form_latex),
            ),
            indent=1,
        )
    )
    check = result.closed_form_check
    low, high = entry.window
    where = f"at {check.points} points of [{v.number(low)}, {v.number(high)}]"
    if check.agrees:
        blocks.append(
            v.Note(
                (
                    f"✓ the closed form equals the derived derivative {where} (largest relative "
                    f"difference {check.largest_difference:.1e})",
                ),
                "check",
            )
        )
    else:
        blocks.append(
            v.Note(
                (
                    f"✗ the closed form differs from the derived derivative {where} (largest "
                    f"relative difference {check.largest_difference:.1e})",
                ),
                "failure",
            )
        )
    heading = "Derivative (derive's engine" + (", every rule)" if result.show_steps else ")")
    if not result.show_steps:
        blocks.append(v.Note(("--steps shows every rule of the derivation.",), "info"))
    return v.Section(v.Heading((heading,)), tuple(blocks))


def _values(result: Explanation) -> list[v.Block]:
    entry = result.entry
    columns = [v.Column(v.Math(text_name(name), _symbol_latex(name))) for name in _variables(entry)]
    columns += [
        v.Column(v.Math(entry.name, _name_latex(entry))),
        v.Column(v.Math("derivative", r"\text{derivative}")),
    ]
    rows = [
        (*(row.point[name] for name in _variables(entry)), row.value, row.derivative)
        for row in result.rows
    ]
    blocks: list[v.Block] = [v.Table(tuple(columns), tuple(rows))]
    blocks.extend(_kink_note(result, row) for row in result.rows if row.convention)
    return blocks


def _kink_note(result: Explanation, row: ValueRow) -> v.Note:
    name = text_name(result.variable)
    at = v.number(row.point[result.variable])
    return v.Note(
        (
            f"At {name} = {at} {result.entry.name} has no derivative; the table shows "
            f"{v.number(row.derivative)}, the value PyTorch's backward uses (derive's max/min "
            f"rule takes the mean of the two slopes, {v.number(row.derived)}).",
        ),
        "info",
    )


def _about(result: Explanation) -> list[v.Block]:
    entry = result.entry
    blocks: list[v.Block] = [
        v.Paragraph((v.Span("Range: "), entry.range)),
        *(
            [v.Paragraph((v.Span("Also called: "), ", ".join(entry.aliases)))]
            if entry.aliases
            else []
        ),
        v.Paragraph((v.Span("Used in: "), entry.used_in)),
    ]
    if entry.call:
        blocks.append(
            v.Paragraph(
                (
                    v.Span("In expressions: "),
                    v.Math(entry.call, _call_latex(entry.call)),
                    " (mathml derive, descend and backprop accept it)",
                )
            )
        )
    blocks.extend(v.Paragraph((note,)) for note in entry.notes)
    if result.approximation_difference is not None:
        gap, at = result.approximation_difference
        low, high = entry.window
        blocks.append(
            v.Paragraph(
                (
                    v.Span("Approximation: "),
                    v.Math(entry.approximation, entry.approximation),
                    f" differs from it by at most {v.number(gap, 3)} on "
                    f"[{v.number(low)}, {v.number(high)}] "
                    f"(at {entry.variable} = {v.number(at, 3)}).",
                )
            )
        )
    blocks.append(v.Paragraph((v.Span("Checked against: "), entry.reference)))
    if entry.see:
        blocks.append(v.Paragraph((v.Span("See also: "), entry.see)))
    return blocks


def _plot(result: Explanation) -> v.Plot:
    assert result.plot is not None
    xs, fs, ds = result.plot
    name = result.entry.name
    return v.Plot(
        f"{name} and its derivative",
        (
            v.Series(name, xs, _finite(fs)),
            v.Series(f"{name}′ (derivative)", xs, _finite(ds)),
        ),
        xlabel=result.variable,
    )


def _finite(values: tuple[float, ...]) -> tuple[float, ...]:
    """The values, with a band cut off where a pole would flatten the rest (bce at 0)."""
    finite = sorted(value for value in values if math.isfinite(value))
    if not finite:
        return values
    low, high = finite[len(finite) // 20], finite[-1 - len(finite) // 20]
    spread = max(high - low, 1e-9)
    bottom, top = low - spread, high + spread
    return tuple(value if bottom <= value <= top else math.nan for value in values)


def data(result: Explanation) -> dict[str, Any]:
    entry = result.entry
    behaviour = result.behaviour
    check = result.closed_form_check
    approximation = None
    if result.approximation_difference is not None:
        gap, at = result.approximation_difference
        approximation = {"formula": entry.approximation, "largest_difference": gap, "at": at}
    payload: dict[str, Any] = {
        **_entry_data(entry),
        "formula_latex": result.formula_latex,
        "parameters": dict(result.parameters),
        "given": dict(result.given),
        "derivative": result.derivative_text,
        "derivative_latex": result.derivative_latex,
        "derivative_verified": result.derivation.verification.verified,
        "closed_form": entry.closed_form,
        "closed_form_latex": result.closed_form_latex,
        "closed_form_quote": entry.quote,
        "closed_form_check": {
            "agrees": check.agrees,
            "points": check.points,
            "largest_relative_difference": check.largest_difference,
        },
        "behaviour": {
            "window": list(behaviour.window),
            "largest_derivative": behaviour.largest_derivative,
            "largest_derivative_at": list(behaviour.largest_at),
            "smallest_derivative": behaviour.smallest_derivative,
            "smallest_derivative_at": list(behaviour.smallest_at),
            "lowest_value": behaviour.lowest_value,
            "lowest_value_at": behaviour.lowest_at,
            "highest_value": behaviour.highest_value,
            "monotonic": behaviour.monotonic,
            "convex": behaviour.convex,
            "kinks": [
                {
                    "at": kink.at,
                    "left_slope": kink.left_slope,
                    "right_slope": kink.right_slope,
                    "jumps": kink.jumps,
                    "smooth": kink.smooth,
                }
                for kink in behaviour.kinks
            ],
            "flat": [list(run) for run in behaviour.flat],
            "facts": list(behaviour.facts),
        },
        "values": [
            {
                "point": row.point,
                "value": row.value,
                "derivative": row.derivative,
                "derived_derivative": row.derived,
                "kink": row.convention,
            }
            for row in result.rows
        ],
        "range": entry.range,
        "used_in": entry.used_in,
        "function": entry.call or None,
        "reference": entry.reference,
        "notes": list(entry.notes),
        "see": entry.see or None,
        "approximation": approximation,
    }
    if result.show_steps:
        from mathml_cli.render.derive import steps_data

        payload["steps"] = steps_data(result.derivation)
    return payload


def _entry_data(entry: Entry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "aliases": list(entry.aliases),
        "category": entry.category,
        "summary": entry.summary,
        "formula": entry.formula,
        "variable": entry.variable,
    }


# --- the list ----------------------------------------------------------------


def list_view(found: tuple[Entry, ...], category: str | None) -> v.View:
    """Every entry (or one category's) with its one-line formula."""
    title = f"The {category} entries" if category else "The catalogue"
    # Words, not math: the list runs without SymPy to typeset the formulas, and
    # as text a long formula can break across lines on a page.
    rows = [(_signature(entry), entry.category, entry.formula) for entry in found]
    columns = (
        v.Column("entry", align="left"),
        v.Column("category", align="left", droppable=True, short="kind"),
        v.Column("formula", align="left"),
    )
    blocks: list[v.Block] = [
        v.Heading((title,), level=1),
        v.Table(columns, tuple(rows)),
        v.Note(("mathml explain NAME shows one: its derivative, behaviour and values.",), "info"),
    ]
    source = "mathml explain --list" + (f" --category {category}" if category else "")
    return v.View(title=source, blocks=tuple(blocks), source=source)


def list_data(found: tuple[Entry, ...]) -> dict[str, Any]:
    return {"entries": [{**_entry_data(entry), "range": entry.range} for entry in found]}


# --- several entries -----------------------------------------------------------


def compare_view(result: Comparison) -> v.View:
    """One table of values and derivatives, one plot of the functions and derivatives."""
    first = result.explanations[0].entry
    names = [item.entry.name for item in result.explanations]
    blocks: list[v.Block] = [v.Heading((", ".join(names) + " compared",), level=1)]
    for item in result.explanations:
        entry = item.entry
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        f"{_signature(entry)} = {entry.formula}",
                        f"{_signature_latex(entry)} = {item.formula_latex}",
                    ),
                )
            )
        )
        blocks.append(v.Paragraph((v.Math(entry.quote, entry.quote_latex),), indent=1))
        blocks.append(v.Paragraph((item.behaviour.facts[0],), indent=1))
    given = result.explanations[0].given
    if given:
        blocks.append(
            v.Paragraph(
                tuple(f"{name} = {v.number(value)} (the target)" for name, value in given.items())
            )
        )
    columns = [v.Column(v.Math(text_name(first.variable), _symbol_latex(first.variable)))]
    for item in result.explanations:
        entry = item.entry
        columns.append(v.Column(v.Math(entry.name, _name_latex(entry))))
        columns.append(v.Column(v.Math(f"{entry.name}′", _name_latex(entry) + "'")))
    rows = []
    for index, point in enumerate(result.points):
        row: list[Any] = [point]
        for values, derivatives in zip(result.values, result.derivatives, strict=True):
            row += [values[index], derivatives[index]]
        rows.append(tuple(row))
    blocks.append(
        v.Section(v.Heading(("Values and derivatives",)), (v.Table(tuple(columns), tuple(rows)),))
    )
    series: list[v.Series] = []
    for item in result.explanations:
        assert item.plot is not None
        xs, fs, ds = item.plot
        series.append(v.Series(item.entry.name, xs, _finite(fs)))
        series.append(v.Series(f"{item.entry.name}′", xs, _finite(ds)))
    blocks.append(
        v.Plot(f"{', '.join(names)} and their derivatives", tuple(series), xlabel=first.variable)
    )
    source = f"mathml explain {','.join(names)} --compare"
    return v.View(title=source, blocks=tuple(blocks), source=source)


def compare_data(result: Comparison) -> dict[str, Any]:
    return {
        "entries": [
            {
                **_entry_data(item.entry),
                "parameters": dict(item.parameters),
                "closed_form": item.entry.closed_form,
                "largest_derivative": item.behaviour.largest_derivative,
                "values": list(values),
                "derivatives": list(derivatives),
            }
            for item, values, derivatives in zip(
                result.explanations, result.values, result.derivatives, strict=True
            )
        ],
        "variable": result.explanations[0].variable,
        "given": dict(result.explanations[0].given),
        "points": list(result.points),
    }


def presentation(
    result: Explanation | Comparison | tuple[Entry, ...],
    *,
    category: str | None = None,
    plot: bool = False,
) -> tuple[Callable[[], v.View], Callable[[], dict[str, Any]]]:
    """The view and the JSON data of whatever `explain_input` returned (an entry, a
    comparison or the list), for the CLI and the Python API alike."""
    if isinstance(result, tuple):
        entries = result
        return (lambda: list_view(entries, category)), (lambda: list_data(entries))
    if isinstance(result, Comparison):
        comparison = result
        return (lambda: compare_view(comparison)), (lambda: compare_data(comparison))
    explanation = result
    return (lambda: view(explanation, plot=plot)), (lambda: data(explanation))
