"""`mathml explain` as a View (every format but JSON) and as JSON data.

Three results: one entry (an Explanation), several side by side (a
Comparison), and the catalogue itself (a tuple of entries, for --list). The
list needs no SymPy: it only reads the catalogue's text.
"""

from __future__ import annotations

import math
from typing import Any

from mathml_cli.core.catalogue import SYMBOL_LATEX, Entry
from mathml_cli.core.explain import Comparison, Explanation, ValueRow, text_name
from mathml_cli.render.view import (
    Block,
    Column,
    Formula,
    Heading,
    Line,
    Math,
    Note,
    Paragraph,
    Plot,
    Section,
    Series,
    Span,
    Table,
    View,
    name_latex,
    num,
    number,
)

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


def view(result: Explanation, *, plot: bool = False) -> View:
    """Formula, derivative (with --steps its rule tree), closed form, behaviour, values."""
    entry = result.entry
    blocks: list[Block] = [
        Heading((f"{entry.name}: {entry.category}",), level=1),
        Paragraph((_sentence(entry.summary),)),
        Formula(
            f"{_signature(entry)} = {entry.formula}",
            f"{_signature_latex(entry)} = {result.formula_latex}",
        ),
    ]
    blocks.extend(_settings(result))
    blocks.append(_derivative_section(result))
    blocks.append(
        Section(
            Heading(("Behaviour",)),
            tuple(Paragraph((fact,)) for fact in result.behaviour.facts),
        )
    )
    blocks.append(Section(Heading(("Values",)), tuple(_values(result))))
    blocks.append(Section(Heading(("About",)), tuple(_about(result))))
    if plot and result.plot is not None:
        blocks.append(_plot(result))
    source = f"mathml explain {entry.name}"
    return View(title=source, blocks=tuple(blocks), source=source)


def _name_latex(entry: Entry) -> str:
    return r"\operatorname{" + entry.name.replace("_", r"\_") + "}"


def _variables(entry: Entry) -> list[str]:
    return [entry.variable, *(name for name, _ in entry.given)]


def _signature(entry: Entry) -> str:
    return f"{entry.name}({', '.join(_variables(entry))})"


def _symbol_latex(name: str) -> str:
    return SYMBOL_LATEX.get(name, name_latex(name))


def _signature_latex(entry: Entry) -> str:
    inputs = ", ".join(_symbol_latex(name) for name in _variables(entry))
    return rf"{_name_latex(entry)}\left({inputs}\right)"


def _setting(name: str, value: float, meaning: str) -> Line:
    shown = num(value)
    return (
        Math(f"{name} = {shown.text}", f"{_symbol_latex(name)} = {shown.latex}"),
        f"  {meaning}",
    )


def _settings(result: Explanation) -> list[Block]:
    entry = result.entry
    lines: list[Block] = []
    if entry.category == "loss":
        what = "the logit (before the sigmoid)" if entry.variable == "z" else "the prediction ŷ"
        lines.append(Paragraph((f"{entry.variable} is {what}, y the target.",)))
    for parameter in entry.parameters:
        value = result.parameters[parameter.name]
        lines.append(Paragraph(_setting(parameter.name, value, parameter.meaning), indent=1))
    for name, value in result.given.items():
        lines.append(
            Paragraph(
                _setting(name, value, "in the behaviour, and in the table unless --at gives it"), 1
            )
        )
    return lines


def _derivative_math(result: Explanation) -> Math:
    variable = result.variable
    partial = result.entry.category == "loss"
    symbol, latex_symbol = ("∂", r"\partial") if partial else ("d", "d")
    return Math(
        f"{symbol}/{symbol}{variable} {result.entry.name}",
        rf"\frac{{{latex_symbol}}}{{{latex_symbol} {_symbol_latex(variable)}}}"
        f" {_name_latex(result.entry)}",
    )


def _derivative_section(result: Explanation) -> Section:
    from mathml_cli.render.derive import check_note, steps_tree

    entry = result.entry
    operator = _derivative_math(result)
    blocks: list[Block] = []
    if result.show_steps:
        blocks.append(steps_tree(result.derivation, (entry.variable,)))
    blocks.append(
        Paragraph(
            (
                Span("Derived: "),
                operator,
                Math(" = ", "="),
                Math(result.derivative_text, result.derivative_latex, "result"),
            )
        )
    )
    blocks.append(check_note(result.derivation.verification))
    blocks.append(
        Paragraph(
            (
                Span("Closed form: "),
                Math(entry.quote, entry.quote_latex, "result"),
            )
        )
    )
    blocks.append(
        Paragraph(
            (
                "in mathml's language: ",
                Math(entry.closed_form, result.closed_form_latex),
            ),
            indent=1,
        )
    )
    check = result.closed_form_check
    low, high = entry.window
    where = f"at {check.points} points of [{number(low)}, {number(high)}]"
    if check.agrees:
        blocks.append(
            Note(
                (
                    f"✓ the closed form equals the derived derivative {where} (largest relative "
                    f"difference {check.largest_difference:.1e})",
                ),
                "check",
            )
        )
    else:
        blocks.append(
            Note(
                (
                    f"✗ the closed form differs from the derived derivative {where} (largest "
                    f"relative difference {check.largest_difference:.1e})",
                ),
                "failure",
            )
        )
    heading = "Derivative (derive's engine" + (", every rule)" if result.show_steps else ")")
    if not result.show_steps:
        blocks.append(Note(("--steps shows every rule of the derivation.",), "info"))
    return Section(Heading((heading,)), tuple(blocks))


def _values(result: Explanation) -> list[Block]:
    entry = result.entry
    columns = [Column(Math(text_name(name), _symbol_latex(name))) for name in _variables(entry)]
    columns += [
        Column(Math(entry.name, _name_latex(entry))),
        Column(Math("derivative", r"\text{derivative}")),
    ]
    rows = [
        (*(row.point[name] for name in _variables(entry)), row.value, row.derivative)
        for row in result.rows
    ]
    blocks: list[Block] = [Table(tuple(columns), tuple(rows))]
    blocks.extend(_kink_note(result, row) for row in result.rows if row.convention)
    return blocks


def _kink_note(result: Explanation, row: ValueRow) -> Note:
    name = text_name(result.variable)
    at = number(row.point[result.variable])
    return Note(
        (
            f"At {name} = {at} {result.entry.name} has no derivative; the table shows "
            f"{number(row.derivative)}, the value PyTorch's backward uses (derive's max/min "
            f"rule takes the mean of the two slopes, {number(row.derived)}).",
        ),
        "info",
    )


def _about(result: Explanation) -> list[Block]:
    entry = result.entry
    blocks: list[Block] = [
        Paragraph((Span("Range: "), entry.range)),
        *([Paragraph((Span("Also called: "), ", ".join(entry.aliases)))] if entry.aliases else []),
        Paragraph((Span("Used in: "), entry.used_in)),
    ]
    blocks.extend(Paragraph((note,)) for note in entry.notes)
    if result.approximation_difference is not None:
        gap, at = result.approximation_difference
        low, high = entry.window
        blocks.append(
            Paragraph(
                (
                    Span("Approximation: "),
                    Math(entry.approximation, entry.approximation),
                    f" differs from it by at most {number(gap, 3)} on "
                    f"[{number(low)}, {number(high)}] (at {entry.variable} = {number(at, 3)}).",
                )
            )
        )
    blocks.append(Paragraph((Span("Checked against: "), entry.reference)))
    if entry.see:
        blocks.append(Paragraph((Span("See also: "), entry.see)))
    return blocks


def _plot(result: Explanation) -> Plot:
    assert result.plot is not None
    xs, fs, ds = result.plot
    name = result.entry.name
    return Plot(
        f"{name} and its derivative",
        (
            Series(name, xs, _finite(fs)),
            Series(f"{name}′ (derivative)", xs, _finite(ds)),
        ),
        xlabel=result.variable,
    )


def _finite(values: tuple[float, ...]) -> tuple[float, ...]:
    """The values, with a band cut off where a pole would flatten the rest (bce at 0)."""
    finite = sorted(v for v in values if math.isfinite(v))
    if not finite:
        return values
    low, high = finite[len(finite) // 20], finite[-1 - len(finite) // 20]
    spread = max(high - low, 1e-9)
    bottom, top = low - spread, high + spread
    return tuple(v if bottom <= v <= top else math.nan for v in values)


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


def list_view(found: tuple[Entry, ...], category: str | None) -> View:
    """Every entry (or one category's) with its one-line formula."""
    title = f"The {category} entries" if category else "The catalogue"
    # Words, not math: the list runs without SymPy to typeset the formulas, and
    # as text a long formula can break across lines on a page.
    rows = [(_signature(entry), entry.category, entry.formula) for entry in found]
    columns = (
        Column("entry", align="left"),
        Column("category", align="left", droppable=True, short="kind"),
        Column("formula", align="left"),
    )
    blocks: list[Block] = [
        Heading((title,), level=1),
        Table(columns, tuple(rows)),
        Note(("mathml explain NAME shows one: its derivative, behaviour and values.",), "info"),
    ]
    source = "mathml explain --list" + (f" --category {category}" if category else "")
    return View(title=source, blocks=tuple(blocks), source=source)


def list_data(found: tuple[Entry, ...]) -> dict[str, Any]:
    return {"entries": [{**_entry_data(entry), "range": entry.range} for entry in found]}


# --- several entries -----------------------------------------------------------


def compare_view(result: Comparison) -> View:
    """One table of values and derivatives, one plot of the functions and derivatives."""
    first = result.explanations[0].entry
    names = [item.entry.name for item in result.explanations]
    blocks: list[Block] = [Heading((", ".join(names) + " compared",), level=1)]
    for item in result.explanations:
        entry = item.entry
        blocks.append(
            Paragraph(
                (
                    Math(
                        f"{_signature(entry)} = {entry.formula}",
                        f"{_signature_latex(entry)} = {item.formula_latex}",
                    ),
                )
            )
        )
        blocks.append(Paragraph((Math(entry.quote, entry.quote_latex),), indent=1))
        blocks.append(Paragraph((item.behaviour.facts[0],), indent=1))
    given = result.explanations[0].given
    if given:
        blocks.append(
            Paragraph(
                tuple(f"{name} = {number(value)} (the target)" for name, value in given.items())
            )
        )
    columns = [Column(Math(text_name(first.variable), _symbol_latex(first.variable)))]
    for item in result.explanations:
        entry = item.entry
        columns.append(Column(Math(entry.name, _name_latex(entry))))
        columns.append(Column(Math(f"{entry.name}′", _name_latex(entry) + "'")))
    rows = []
    for index, point in enumerate(result.points):
        row: list[Any] = [point]
        for values, derivatives in zip(result.values, result.derivatives, strict=True):
            row += [values[index], derivatives[index]]
        rows.append(tuple(row))
    blocks.append(
        Section(Heading(("Values and derivatives",)), (Table(tuple(columns), tuple(rows)),))
    )
    series: list[Series] = []
    for item in result.explanations:
        assert item.plot is not None
        xs, fs, ds = item.plot
        series.append(Series(item.entry.name, xs, _finite(fs)))
        series.append(Series(f"{item.entry.name}′", xs, _finite(ds)))
    blocks.append(
        Plot(f"{', '.join(names)} and their derivatives", tuple(series), xlabel=first.variable)
    )
    source = f"mathml explain {','.join(names)} --compare"
    return View(title=source, blocks=tuple(blocks), source=source)


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
