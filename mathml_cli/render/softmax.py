"""`mathml softmax` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mathml_cli.core.softmax import EXP_OVERFLOW, Softmax, SoftmaxBatch
from mathml_cli.render import view as v
from mathml_cli.render.common import step_heading

# More classes than this are shown as the first and last few, with a marker between.
MAX_SHOWN = 20


def _shown(count: int) -> list[int | None]:
    """Indices to display; None marks the gap where some were left out."""
    if count <= MAX_SHOWN:
        return list(range(count))
    return [*range(10), None, *range(count - 5, count)]


def _name(index: int, labels: Sequence[str] | None) -> str:
    return f"{index} ({labels[index]})" if labels else str(index)


def _vector(name: str, name_latex: str, values: Sequence[float]) -> v.Math:
    """`name = [a, b, …]` with long vectors thinned, in both forms."""
    shown = _shown(len(values))
    text = [v.number(values[i]) if i is not None else "…" for i in shown]
    latex = [v.number_latex(values[i]) if i is not None else r"\dots" for i in shown]
    return v.Math(
        f"{name} = [{', '.join(text)}]", rf"{name_latex} = \left({', '.join(latex)}\right)"
    )


def _sum_text(values: Sequence[float]) -> v.Math:
    if len(values) > 8:
        head = values[:4]
        return v.Math(
            " + ".join(v.number(x) for x in head) + f" + … ({len(values)} terms)",
            " + ".join(v.number_latex(x) for x in head)
            + rf" + \dots\ \text{{({len(values)} terms)}}",
        )
    return v.Math(
        " + ".join(v.number(x) for x in values), " + ".join(v.number_latex(x) for x in values)
    )


def _words_temperature(temperature: float) -> str:
    if temperature > 1:
        return "T > 1 flattens the distribution: the logits move closer together."
    return "T < 1 sharpens the distribution: the gaps between logits grow, the top class gains."


def _equals(left: v.Math, right: v.Math) -> v.Math:
    return v.Math(f"{left.text} = {right.text}", f"{left.latex} = {right.latex}", right.role)


def view(batch: SoftmaxBatch, *, show_log: bool, plot: bool = False) -> v.View:
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
        bars = v.Series("p", indices, tuple(row.probabilities))
        blocks.append(
            v.Plot("softmax probabilities", (bars,), kind="bars", bar_labels=tuple(names))
        )
    return v.View("mathml softmax", tuple(blocks), "mathml softmax")


def _formula(temperature: float) -> v.Formula:
    if temperature != 1:
        return v.Formula(
            "softmax(z)_i = exp(z_i/T) / Σ_j exp(z_j/T)",
            r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}",
        )
    return v.Formula(
        "softmax(z)_i = exp(z_i) / Σ_j exp(z_j)",
        r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
    )


def _one(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> list[v.Block]:
    count = len(result.logits)
    temperature = result.temperature
    scaled, scaled_latex = ("z/T", "z/T") if temperature != 1 else ("z", "z")
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span(f"Softmax of {count} logit{'s' if count != 1 else ''}: "),
                _vector("z", "z", result.logits),
            )
        ),
        _formula(temperature),
    ]
    steps: list[v.Block] = []
    step = 1
    if temperature != 1:
        t = v.Math(f"T = {v.number(temperature)}", f"T = {v.number_latex(temperature)}")
        steps.append(step_heading(step, "Divide by the temperature:", " ", t))
        steps.append(v.Paragraph((_vector("z/T", "z/T", result.scaled),), indent=1))
        steps.append(v.Note((_words_temperature(temperature),), "warning", indent=1))
        step += 1
    maximum = v.Math(
        f"m = max({scaled}) = {v.number(result.maximum)}",
        rf"m = \max({scaled_latex}) = {v.number_latex(result.maximum)}",
    )
    steps.append(step_heading(step, "Subtract the maximum:", " ", maximum))
    steps.append(
        v.Paragraph((_vector(f"{scaled} − m", f"{scaled_latex} - m", result.shifted),), indent=1)
    )
    if result.would_overflow:
        steps.append(
            v.Note(
                (
                    f"Without it exp({v.number(result.maximum)}) overflows (float64 ends at "
                    f"exp({EXP_OVERFLOW:.2f}) ≈ 1.8e308) and p = ∞/∞ is undefined.",
                ),
                "warning",
                indent=1,
            )
        )
    steps.append(
        v.Note(
            (
                "Why: e^(z−m) = e^z·e^(−m), and e^(−m) cancels top and bottom: the same p, "
                "every exponent ≤ 0.",
            ),
            indent=1,
        )
    )
    step += 1
    exp_name = v.Math(f"exp({scaled} − m)", f"e^{{{scaled_latex} - m}}")
    exps = _vector(exp_name.text, exp_name.latex, result.exp)
    steps.append(step_heading(step, "Exponentiate:", " ", exps))
    step += 1
    total = v.Math(
        f"S = {_sum_text(result.exp).text} = {v.number(result.sum)}",
        f"S = {_sum_text(result.exp).latex} = {v.number_latex(result.sum)}",
    )
    steps.append(step_heading(step, "Sum:", " ", total))
    step += 1
    steps.append(
        step_heading(step, "Divide:", " ", v.Math("p_i = exp_i / S", r"p_i = e^{z_i - m} / S"))
    )
    steps.append(_table(result, labels, show_log))
    if show_log:
        steps.append(
            v.Note(
                ("log p = (z − m) − log S (log-sum-exp): exact even where p rounds to 0",), indent=1
            )
        )
    step += 1
    probabilities = _sum_text(result.probabilities)
    check = v.Math(
        f"Σ p = {probabilities.text} = {result.total:.12g}",
        rf"\sum p = {probabilities.latex} = {result.total:.12g}",
    )
    steps.append(step_heading(step, "Check:", " ", check, "  ", v.Span("✓ sums to 1", "good")))
    step += 1
    blocks.append(v.Section(None, tuple(steps)))
    p_top = v.number(result.probabilities[result.prediction])
    prediction: v.Line = (
        v.Span("Prediction: "),
        v.Span(f"class {_name(result.prediction, labels)}", "result"),
        " (the argmax), ",
        v.Math(f"p = {p_top}", f"p = {v.number_latex(result.probabilities[result.prediction])}"),
    )
    blocks.append(v.Section(None, (v.Paragraph(prediction),)))
    if result.target is not None:
        blocks.append(v.Section(None, tuple(_loss(result, labels, step))))
    return blocks


def _table(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> v.Table:
    temperature = result.temperature
    columns = [v.Column("i", format="integer")]
    if labels:
        columns.append(v.Column("label", align="left"))
    columns.append(v.Column(v.Math("z", "z")))
    if temperature != 1:
        columns.append(v.Column(v.Math("z/T", "z/T"), droppable=True))
    shifted = "z/T − m" if temperature != 1 else "z − m"
    columns.append(v.Column(v.Math(shifted, shifted.replace("−", "-")), droppable=True))
    columns.append(v.Column(v.Math("exp", r"e^{z - m}"), droppable=True))
    columns.append(v.Column(v.Math("p = exp/S", "p = e^{z - m}/S"), role="result", short="p"))
    if show_log:
        columns.append(v.Column(v.Math("log p", r"\log p")))
    rows: list[Any] = []
    for index in _shown(len(result.logits)):
        if index is None:
            rows.append(v.Gap(len(result.logits) - 15, "classes"))
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
    return v.Table(tuple(columns), tuple(rows))


def _loss(result: Softmax, labels: Sequence[str] | None, step: int) -> list[v.Block]:
    assert result.target is not None and result.loss is not None and result.gradient is not None
    target = result.target
    p_target = result.probabilities[target]
    temperature = result.temperature
    loss = v.Math(
        f"L = −log p_{target} = −log({v.number(p_target)}) = {v.number(result.loss)}",
        rf"L = -\log p_{{{target}}} = -\log({v.number_latex(p_target)}) = "
        + v.number_latex(result.loss),
    )
    blocks: list[v.Block] = [
        step_heading(step, f"Cross-entropy loss for target {_name(target, labels)}:", " ", loss),
        v.Note(
            ("computed from log p (log-sum-exp): finite even when p_target rounds to 0",), indent=1
        ),
    ]
    step += 1
    if temperature == 1:
        formula = v.Math("∂L/∂z_i = p_i − y_i", r"\frac{\partial L}{\partial z_i} = p_i - y_i")
    else:
        formula = v.Math(
            "∂L/∂z_i = (p_i − y_i) / T", r"\frac{\partial L}{\partial z_i} = (p_i - y_i) / T"
        )
    onehot = v.Math(f"y = onehot({target})", rf"y = \operatorname{{onehot}}({target})")
    blocks.append(
        step_heading(step, "Gradient with respect to the logits:", " ", formula, ", ", onehot)
    )
    for index in _shown(len(result.logits)):
        if index is None:
            blocks.append(v.Paragraph((v.Span("…", "muted"),), indent=1))
            continue
        y = 1 if index == target else 0
        p = result.probabilities[index]
        core, core_latex = f"{v.number(p)} − {y}", f"{v.number_latex(p)} - {y}"
        if temperature != 1:
            core = f"({core}) / {v.number(temperature)}"
            core_latex = rf"({core_latex}) / {v.number_latex(temperature)}"
        line = v.Math(
            f"∂L/∂z_{index} = {core} = {v.number(result.gradient[index])}",
            rf"\frac{{\partial L}}{{\partial z_{{{index}}}}} = {core_latex} = "
            + v.number_latex(result.gradient[index]),
        )
        why = (
            "the target: descent raises its logit"
            if index == target
            else "descent lowers this logit"
        )
        blocks.append(v.Paragraph((line, v.Span(f"  ({why})", "muted")), indent=1))
    blocks.append(
        v.Note(
            (
                "Backprop sends this vector into the classifier; it sums to 0 "
                "and vanishes only when p_target = 1.",
            ),
            "warning",
            indent=1,
        )
    )
    return blocks


def _batch(batch: SoftmaxBatch, show_log: bool) -> list[v.Block]:
    first = batch.rows[0]
    temperature = first.temperature
    classes = len(first.logits)
    title: v.Line = (
        v.Span(f"Softmax of {len(batch.rows)} rows of {classes} logits"),
        f" (row by row; T = {v.number(temperature)})" if temperature != 1 else "",
    )
    blocks: list[v.Block] = [
        v.Paragraph(title),
        v.Formula(
            "softmax(z)_i = exp(z_i/T − m) / Σ_j exp(z_j/T − m),  m = max_j z_j/T of each row",
            r"\operatorname{softmax}(z)_i = \frac{e^{z_i/T - m}}{\sum_j e^{z_j/T - m}},"
            r"\quad m = \max_j z_j/T \text{ of each row}",
        ),
        v.Note(
            ("Each row subtracts its own maximum: no exp overflows, and e^(−m) cancels.",), indent=1
        ),
    ]
    if temperature != 1:
        blocks.append(v.Note((_words_temperature(temperature),), "warning", indent=1))
    overflowing = [str(i + 1) for i, row in enumerate(batch.rows) if row.would_overflow]
    if overflowing:
        blocks.append(
            v.Note(
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
    columns = [v.Column("row", format="integer")]
    for index in shown:
        if index is None:
            columns.append(v.Column("…"))
            continue
        name = batch.labels[index] if batch.labels else str(index)
        columns.append(
            v.Column(v.Math(f"{kind} {name}", rf"{kind_latex}_{{\text{{{v.latex_escape(name)}}}}}"))
        )
    columns.append(v.Column(v.Math("Σ p", r"\sum p"), droppable=True))
    columns.append(v.Column("prediction", align="left", role="result", short="pred"))
    has_loss = first.target is not None
    if has_loss:
        columns.append(v.Column("target", align="left"))
        columns.append(v.Column(v.Math("loss −log p", r"-\log p"), short="loss"))
    rows: list[Any] = []
    for number_, row in enumerate(batch.rows, start=1):
        values = row.log_probabilities if show_log else row.probabilities
        cells: list[Any] = [number_]
        cells += ["…" if i is None else values[i] for i in shown]
        cells.append(v.Math(f"{row.total:.6g}", f"{row.total:.6g}"))
        cells.append(_name(row.prediction, batch.labels))
        if has_loss:
            cells += [_name(row.target, batch.labels) if row.target is not None else "", row.loss]
        rows.append(tuple(cells))
    blocks.append(v.Section(None, (v.Table(tuple(columns), tuple(rows)),)))
    if has_loss:
        losses = [row.loss for row in batch.rows if row.loss is not None]
        mean = sum(losses) / len(losses)
        blocks.append(
            v.Paragraph(
                (
                    v.Span("Mean loss: "),
                    v.Math(v.number(mean), v.number_latex(mean), "result"),
                    v.Span(
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
