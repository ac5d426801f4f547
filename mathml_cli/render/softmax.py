"""`mathml softmax` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mathml_cli.core.softmax import EXP_OVERFLOW, Softmax, SoftmaxBatch
from mathml_cli.render.view import (
    Block,
    Column,
    Formula,
    Gap,
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
    latex_escape,
    number,
    number_latex,
)

# More classes than this are shown as the first and last few, with a marker between.
MAX_SHOWN = 20


def _shown(count: int) -> list[int | None]:
    """Indices to display; None marks the gap where some were left out."""
    if count <= MAX_SHOWN:
        return list(range(count))
    return [*range(10), None, *range(count - 5, count)]


def _name(index: int, labels: Sequence[str] | None) -> str:
    return f"{index} ({labels[index]})" if labels else str(index)


def _vector(name: str, name_latex: str, values: Sequence[float]) -> Math:
    """`name = [a, b, …]` with long vectors thinned, in both forms."""
    shown = _shown(len(values))
    text = [number(values[i]) if i is not None else "…" for i in shown]
    latex = [number_latex(values[i]) if i is not None else r"\dots" for i in shown]
    return Math(f"{name} = [{', '.join(text)}]", rf"{name_latex} = \left({', '.join(latex)}\right)")


def _sum_text(values: Sequence[float]) -> Math:
    if len(values) > 8:
        head = values[:4]
        return Math(
            " + ".join(number(v) for v in head) + f" + … ({len(values)} terms)",
            " + ".join(number_latex(v) for v in head)
            + rf" + \dots\ \text{{({len(values)} terms)}}",
        )
    return Math(" + ".join(number(v) for v in values), " + ".join(number_latex(v) for v in values))


def _words_temperature(temperature: float) -> str:
    if temperature > 1:
        return "T > 1 flattens the distribution: the logits move closer together."
    return "T < 1 sharpens the distribution: the gaps between logits grow, the top class gains."


def _step(number_: int, title: str, *rest: Any) -> Paragraph:
    return Paragraph((Span(f"{number_}. ", "muted"), Span(title, "rule"), " ", *rest))


def _equals(left: Math, right: Math) -> Math:
    return Math(f"{left.text} = {right.text}", f"{left.latex} = {right.latex}", right.role)


def view(batch: SoftmaxBatch, *, show_log: bool, plot: bool = False) -> View:
    """One row: every step of the stable softmax. Several rows: one table, row by row."""
    from mathml_cli.errors import InputError

    blocks = (
        _one(batch.rows[0], batch.labels, show_log)
        if len(batch.rows) == 1
        else _batch(batch, show_log)
    )
    if plot:
        if len(batch.rows) != 1:
            raise InputError("--plot draws one row of logits; this input has several rows")
        row = batch.rows[0]
        names = batch.labels or [str(index) for index in range(len(row.logits))]
        indices = tuple(float(i) for i in range(len(row.logits)))
        bars = Series("p", indices, tuple(row.probabilities))
        blocks.append(Plot("softmax probabilities", (bars,), kind="bars", bar_labels=tuple(names)))
    return View("mathml softmax", tuple(blocks), "mathml softmax")


def _formula(temperature: float) -> Formula:
    if temperature != 1:
        return Formula(
            "softmax(z)_i = exp(z_i/T) / Σ_j exp(z_j/T)",
            r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}",
        )
    return Formula(
        "softmax(z)_i = exp(z_i) / Σ_j exp(z_j)",
        r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
    )


def _one(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> list[Block]:
    count = len(result.logits)
    temperature = result.temperature
    scaled, scaled_latex = ("z/T", "z/T") if temperature != 1 else ("z", "z")
    blocks: list[Block] = [
        Paragraph(
            (
                Span(f"Softmax of {count} logit{'s' if count != 1 else ''}: "),
                _vector("z", "z", result.logits),
            )
        ),
        _formula(temperature),
    ]
    steps: list[Block] = []
    step = 1
    if temperature != 1:
        t = Math(f"T = {number(temperature)}", f"T = {number_latex(temperature)}")
        steps.append(_step(step, "Divide by the temperature:", t))
        steps.append(Paragraph((_vector("z/T", "z/T", result.scaled),), indent=1))
        steps.append(Note((_words_temperature(temperature),), "warning", indent=1))
        step += 1
    maximum = Math(
        f"m = max({scaled}) = {number(result.maximum)}",
        rf"m = \max({scaled_latex}) = {number_latex(result.maximum)}",
    )
    steps.append(_step(step, "Subtract the maximum:", maximum))
    steps.append(
        Paragraph((_vector(f"{scaled} − m", f"{scaled_latex} - m", result.shifted),), indent=1)
    )
    if result.would_overflow:
        steps.append(
            Note(
                (
                    f"Without it exp({number(result.maximum)}) overflows (float64 ends at "
                    f"exp({EXP_OVERFLOW:.2f}) ≈ 1.8e308) and p = ∞/∞ is undefined.",
                ),
                "warning",
                indent=1,
            )
        )
    steps.append(
        Note(
            (
                "Why: e^(z−m) = e^z·e^(−m), and e^(−m) cancels top and bottom: the same p, "
                "every exponent ≤ 0.",
            ),
            indent=1,
        )
    )
    step += 1
    exp_name = Math(f"exp({scaled} − m)", f"e^{{{scaled_latex} - m}}")
    exps = _vector(exp_name.text, exp_name.latex, result.exp)
    steps.append(_step(step, "Exponentiate:", exps))
    step += 1
    total = Math(
        f"S = {_sum_text(result.exp).text} = {number(result.sum)}",
        f"S = {_sum_text(result.exp).latex} = {number_latex(result.sum)}",
    )
    steps.append(_step(step, "Sum:", total))
    step += 1
    steps.append(_step(step, "Divide:", Math("p_i = exp_i / S", r"p_i = e^{z_i - m} / S")))
    steps.append(_table(result, labels, show_log))
    if show_log:
        steps.append(
            Note(
                ("log p = (z − m) − log S (log-sum-exp): exact even where p rounds to 0",), indent=1
            )
        )
    step += 1
    probabilities = _sum_text(result.probabilities)
    check = Math(
        f"Σ p = {probabilities.text} = {result.total:.12g}",
        rf"\sum p = {probabilities.latex} = {result.total:.12g}",
    )
    steps.append(_step(step, "Check:", check, "  ", Span("✓ sums to 1", "good")))
    step += 1
    blocks.append(Section(None, tuple(steps)))
    p_top = number(result.probabilities[result.prediction])
    prediction: Line = (
        Span("Prediction: "),
        Span(f"class {_name(result.prediction, labels)}", "result"),
        " (the argmax), ",
        Math(f"p = {p_top}", f"p = {number_latex(result.probabilities[result.prediction])}"),
    )
    blocks.append(Section(None, (Paragraph(prediction),)))
    if result.target is not None:
        blocks.append(Section(None, tuple(_loss(result, labels, step))))
    return blocks


def _table(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> Table:
    temperature = result.temperature
    columns = [Column("i", format="integer")]
    if labels:
        columns.append(Column("label", align="left"))
    columns.append(Column(Math("z", "z")))
    if temperature != 1:
        columns.append(Column(Math("z/T", "z/T"), droppable=True))
    shifted = "z/T − m" if temperature != 1 else "z − m"
    columns.append(Column(Math(shifted, shifted.replace("−", "-")), droppable=True))
    columns.append(Column(Math("exp", r"e^{z - m}"), droppable=True))
    columns.append(Column(Math("p = exp/S", "p = e^{z - m}/S"), role="result", short="p"))
    if show_log:
        columns.append(Column(Math("log p", r"\log p")))
    rows: list[Any] = []
    for index in _shown(len(result.logits)):
        if index is None:
            rows.append(Gap(len(result.logits) - 15, "classes"))
            continue
        cells: list[Any] = [index]
        if labels:
            cells.append(labels[index])
        cells.append(result.logits[index])
        if temperature != 1:
            cells.append(result.scaled[index])
        cells += [result.shifted[index], result.exp[index], result.probabilities[index]]
        if show_log:
            cells.append(result.log_probabilities[index])
        rows.append(tuple(cells))
    return Table(tuple(columns), tuple(rows))


def _loss(result: Softmax, labels: Sequence[str] | None, step: int) -> list[Block]:
    assert result.target is not None and result.loss is not None and result.gradient is not None
    target = result.target
    p_target = result.probabilities[target]
    temperature = result.temperature
    loss = Math(
        f"L = −log p_{target} = −log({number(p_target)}) = {number(result.loss)}",
        rf"L = -\log p_{{{target}}} = -\log({number_latex(p_target)}) = "
        + number_latex(result.loss),
    )
    blocks: list[Block] = [
        _step(step, f"Cross-entropy loss for target {_name(target, labels)}:", loss),
        Note(
            ("computed from log p (log-sum-exp): finite even when p_target rounds to 0",), indent=1
        ),
    ]
    step += 1
    if temperature == 1:
        formula = Math("∂L/∂z_i = p_i − y_i", r"\frac{\partial L}{\partial z_i} = p_i - y_i")
    else:
        formula = Math(
            "∂L/∂z_i = (p_i − y_i) / T", r"\frac{\partial L}{\partial z_i} = (p_i - y_i) / T"
        )
    onehot = Math(f"y = onehot({target})", rf"y = \operatorname{{onehot}}({target})")
    blocks.append(_step(step, "Gradient with respect to the logits:", formula, ", ", onehot))
    for index in _shown(len(result.logits)):
        if index is None:
            blocks.append(Paragraph((Span("…", "muted"),), indent=1))
            continue
        y = 1 if index == target else 0
        p = result.probabilities[index]
        core, core_latex = f"{number(p)} − {y}", f"{number_latex(p)} - {y}"
        if temperature != 1:
            core = f"({core}) / {number(temperature)}"
            core_latex = rf"({core_latex}) / {number_latex(temperature)}"
        line = Math(
            f"∂L/∂z_{index} = {core} = {number(result.gradient[index])}",
            rf"\frac{{\partial L}}{{\partial z_{{{index}}}}} = {core_latex} = "
            + number_latex(result.gradient[index]),
        )
        why = (
            "the target: descent raises its logit"
            if index == target
            else "descent lowers this logit"
        )
        blocks.append(Paragraph((line, Span(f"  ({why})", "muted")), indent=1))
    blocks.append(
        Note(
            (
                "Backprop sends this vector into the classifier; it sums to 0 "
                "and vanishes only when p_target = 1.",
            ),
            "warning",
            indent=1,
        )
    )
    return blocks


def _batch(batch: SoftmaxBatch, show_log: bool) -> list[Block]:
    first = batch.rows[0]
    temperature = first.temperature
    classes = len(first.logits)
    title: Line = (
        Span(f"Softmax of {len(batch.rows)} rows of {classes} logits"),
        f" (row by row; T = {number(temperature)})" if temperature != 1 else "",
    )
    blocks: list[Block] = [
        Paragraph(title),
        Formula(
            "softmax(z)_i = exp(z_i/T − m) / Σ_j exp(z_j/T − m),  m = max_j z_j/T of each row",
            r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T - m}}{\sum_j e^{z_j/T - m}},"
            r"\quad m = \max_j z_j/T \text{ of each row}",
        ),
        Note(
            ("Each row subtracts its own maximum: no exp overflows, and e^(−m) cancels.",), indent=1
        ),
    ]
    if temperature != 1:
        blocks.append(Note((_words_temperature(temperature),), "warning", indent=1))
    overflowing = [str(i + 1) for i, row in enumerate(batch.rows) if row.would_overflow]
    if overflowing:
        blocks.append(
            Note(
                (
                    f"Row{'s' if len(overflowing) > 1 else ''} {', '.join(overflowing)} would "
                    f"overflow exp without the shift (exponents above {EXP_OVERFLOW:.2f}).",
                ),
                "warning",
                indent=1,
            )
        )
    shown = _shown(classes)
    kind, kind_latex = ("log p", r"\log p") if show_log else ("p", "p")
    columns = [Column("row", format="integer")]
    for index in shown:
        if index is None:
            columns.append(Column("…"))
            continue
        name = batch.labels[index] if batch.labels else str(index)
        columns.append(
            Column(Math(f"{kind} {name}", rf"{kind_latex}_{{\text{{{latex_escape(name)}}}}}"))
        )
    columns.append(Column(Math("Σ p", r"\sum p"), droppable=True))
    columns.append(Column("prediction", align="left", role="result", short="pred"))
    has_loss = first.target is not None
    if has_loss:
        columns.append(Column("target", align="left"))
        columns.append(Column(Math("loss −log p", r"-\log p"), short="loss"))
    rows: list[Any] = []
    for number_, row in enumerate(batch.rows, start=1):
        values = row.log_probabilities if show_log else row.probabilities
        cells: list[Any] = [number_]
        cells += ["…" if i is None else values[i] for i in shown]
        cells.append(Math(f"{row.total:.6g}", f"{row.total:.6g}"))
        cells.append(_name(row.prediction, batch.labels))
        if has_loss:
            cells += [_name(row.target, batch.labels) if row.target is not None else "", row.loss]
        rows.append(tuple(cells))
    blocks.append(Section(None, (Table(tuple(columns), tuple(rows)),)))
    if has_loss:
        losses = [row.loss for row in batch.rows if row.loss is not None]
        mean = sum(losses) / len(losses)
        blocks.append(
            Paragraph(
                (
                    Span("Mean loss: "),
                    Math(number(mean), number_latex(mean), "result"),
                    Span(
                        "  (the gradient of each row is p − onehot(target); see --format json)",
                        "muted",
                    ),
                )
            )
        )
    return blocks


# --- JSON ------------------------------------------------------------------


def _row_data(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "logits": list(result.logits),
        "temperature": result.temperature,
        "scaled": list(result.scaled),
        "max": result.maximum,
        "shifted": list(result.shifted),
        "exp": list(result.exp),
        "sum": result.sum,
        "probabilities": list(result.probabilities),
        "probability_sum": result.total,
        "prediction": result.prediction,
    }
    if labels:
        data["prediction_label"] = labels[result.prediction]
    if show_log:
        data["log_probabilities"] = list(result.log_probabilities)
    if result.target is not None:
        data["target"] = result.target
        data["loss"] = result.loss
        data["gradient"] = list(result.gradient or ())
    return data


def data(batch: SoftmaxBatch, *, show_log: bool) -> dict[str, Any]:
    """One row: its keys. Several rows: the same keys, each holding one entry per row."""
    rows = [_row_data(row, batch.labels, show_log) for row in batch.rows]
    if len(rows) == 1:
        result = rows[0]
    else:
        result = {key: [row[key] for row in rows] for key in rows[0]}
        result["temperature"] = batch.rows[0].temperature
        result["rows"] = len(rows)
    if batch.labels:
        result["labels"] = list(batch.labels)
    return result
