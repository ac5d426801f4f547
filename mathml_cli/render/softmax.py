"""Renderings of softmax results: Rich text, JSON data, LaTeX and Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mathml_cli.core.softmax import EXP_OVERFLOW, Softmax, SoftmaxBatch
from mathml_cli.render.common import (
    DIM,
    FORMULA,
    GOOD,
    NOTE,
    RESULT,
    RULE,
    TITLE,
    format_number,
    latex_escape,
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


def _vector(values: Sequence[float]) -> str:
    shown = [format_number(values[i]) if i is not None else "…" for i in _shown(len(values))]
    return "[" + ", ".join(shown) + "]"


def _sum_text(values: Sequence[float]) -> str:
    if len(values) > 8:
        return " + ".join(format_number(v) for v in values[:4]) + f" + … ({len(values)} terms)"
    return " + ".join(format_number(v) for v in values)


def _words_temperature(temperature: float) -> str:
    if temperature > 1:
        return "T > 1 flattens the distribution: the logits move closer together."
    return "T < 1 sharpens the distribution: the gaps between logits grow, the top class gains."


# --- Rich text -------------------------------------------------------------


def rich(batch: SoftmaxBatch, *, show_log: bool) -> Any:
    if len(batch.rows) == 1:
        return _rich_one(batch.rows[0], batch.labels, show_log)
    return _rich_batch(batch, show_log)


def _rich_one(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> Any:
    from rich.console import Group
    from rich.text import Text

    count = len(result.logits)
    temperature = result.temperature
    scaled_name = "z/T" if temperature != 1 else "z"
    parts: list[Any] = [
        Text.assemble(
            (f"Softmax of {count} logit{'s' if count != 1 else ''}: ", TITLE),
            f"z = {_vector(result.logits)}",
        ),
        Text(
            "  softmax(z)_i = exp(z_i/T) / Σ_j exp(z_j/T)"
            if temperature != 1
            else "  softmax(z)_i = exp(z_i) / Σ_j exp(z_j)",
            style=FORMULA,
        ),
        Text(""),
    ]
    step = 1
    if temperature != 1:
        parts.append(_step(step, f"Divide by the temperature T = {format_number(temperature)}"))
        parts.append(Text(f"   z/T = {_vector(result.scaled)}"))
        parts.append(Text("   " + _words_temperature(temperature), style=NOTE))
        step += 1
    parts.append(
        _step(
            step, f"Subtract the maximum m = max({scaled_name}) = {format_number(result.maximum)}"
        )
    )
    parts.append(Text(f"   {scaled_name} − m = {_vector(result.shifted)}"))
    if result.would_overflow:
        parts.append(
            Text(
                f"   Without it exp({format_number(result.maximum)}) overflows (float64 ends at "
                f"exp({EXP_OVERFLOW:.2f}) ≈ 1.8e308) and p = ∞/∞ is undefined.",
                style=NOTE,
            )
        )
    parts.append(
        Text(
            "   Why: e^(z−m) = e^z·e^(−m), and e^(−m) cancels top and bottom: the same p, "
            "every exponent ≤ 0.",
            style=DIM,
        )
    )
    step += 1
    parts.append(_step(step, f"Exponentiate: exp({scaled_name} − m) = {_vector(result.exp)}"))
    step += 1
    parts.append(_step(step, f"Sum: S = {_sum_text(result.exp)} = {format_number(result.sum)}"))
    step += 1
    parts.append(_step(step, "Divide: p_i = exp_i / S"))
    parts.append(_table(result, labels, show_log))
    if show_log:
        parts.append(
            Text(
                "   log p = (z − m) − log S (log-sum-exp): exact even where p rounds to 0",
                style=DIM,
            )
        )
    step += 1
    check = Text()
    check.append(f"{step}. ", style=DIM)
    check.append("Check: ", style=RULE)
    check.append(f"Σ p = {_sum_text(result.probabilities)} = {result.total:.12g}  ")
    check.append("✓ sums to 1", style=GOOD)
    parts.append(check)
    step += 1
    parts.append(Text(""))
    winner = _name(result.prediction, labels)
    parts.append(
        Text.assemble(
            ("Prediction: ", TITLE),
            (f"class {winner}", RESULT),
            f" (the argmax), p = {format_number(result.probabilities[result.prediction])}",
        )
    )
    if result.target is not None:
        parts.extend(_rich_loss(result, labels, step))
    return Group(*parts)


def _step(number: int, text: str) -> Any:
    from rich.text import Text

    label = Text()
    label.append(f"{number}. ", style=DIM)
    head, _, rest = text.partition(":")
    label.append(head + ":", style=RULE)
    label.append(rest)
    return label


def _table(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> Any:
    from rich import box
    from rich.table import Table

    temperature = result.temperature
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column("i", justify="right")
    if labels:
        table.add_column("label")
    table.add_column("z", justify="right")
    if temperature != 1:
        table.add_column("z/T", justify="right")
    table.add_column("z/T − m" if temperature != 1 else "z − m", justify="right")
    table.add_column("exp", justify="right")
    table.add_column("p = exp/S", justify="right", style=RESULT)
    if show_log:
        table.add_column("log p", justify="right")
    for index in _shown(len(result.logits)):
        if index is None:
            width = len(table.columns)
            table.add_row(*(["…"] * width), style=DIM)
            continue
        cells = [str(index)]
        if labels:
            cells.append(labels[index])
        cells.append(format_number(result.logits[index]))
        if temperature != 1:
            cells.append(format_number(result.scaled[index]))
        cells += [
            format_number(result.shifted[index]),
            format_number(result.exp[index]),
            format_number(result.probabilities[index]),
        ]
        if show_log:
            cells.append(format_number(result.log_probabilities[index]))
        table.add_row(*cells)
    return table


def _rich_loss(result: Softmax, labels: Sequence[str] | None, step: int) -> list[Any]:
    from rich.text import Text

    assert result.target is not None and result.loss is not None and result.gradient is not None
    target = result.target
    p_target = result.probabilities[target]
    temperature = result.temperature
    lines: list[Any] = [Text("")]
    lines.append(
        _step(
            step,
            f"Cross-entropy loss for target {_name(target, labels)}: "
            f"L = −log p_{target} = −log({format_number(p_target)}) = "
            f"{format_number(result.loss)}",
        )
    )
    lines.append(
        Text(
            "   computed from log p (log-sum-exp): finite even when p_target rounds to 0",
            style=DIM,
        )
    )
    step += 1
    formula = "∂L/∂z_i = p_i − y_i" if temperature == 1 else "∂L/∂z_i = (p_i − y_i) / T"
    lines.append(
        _step(step, f"Gradient with respect to the logits: {formula}, y = onehot({target})")
    )
    for index in _shown(len(result.logits)):
        if index is None:
            lines.append(Text("   …", style=DIM))
            continue
        onehot = 1 if index == target else 0
        value = result.gradient[index]
        line = Text(f"   ∂L/∂z_{index} = ")
        core = f"{format_number(result.probabilities[index])} − {onehot}"
        line.append(f"({core}) / {format_number(temperature)}" if temperature != 1 else core)
        line.append(" = ")
        line.append(format_number(value), style=RESULT)
        if index == target:
            why = "  (the target: descent raises its logit)"
        else:
            why = "  (descent lowers this logit)"
        line.append(why, style=DIM)
        lines.append(line)
    lines.append(
        Text(
            "   Backprop sends this vector into the classifier; it sums to 0 "
            "and vanishes only when p_target = 1.",
            style=NOTE,
        )
    )
    return lines


def _rich_batch(batch: SoftmaxBatch, show_log: bool) -> Any:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    first = batch.rows[0]
    temperature = first.temperature
    classes = len(first.logits)
    parts: list[Any] = [
        Text.assemble(
            (f"Softmax of {len(batch.rows)} rows of {classes} logits", TITLE),
            f" (row by row; T = {format_number(temperature)})" if temperature != 1 else "",
        ),
        Text(
            "  softmax(z)_i = exp(z_i/T − m) / Σ_j exp(z_j/T − m),  m = max_j z_j/T of each row",
            style=FORMULA,
        ),
        Text(
            "  Each row subtracts its own maximum: no exp overflows, and e^(−m) cancels.",
            style=DIM,
        ),
    ]
    if temperature != 1:
        parts.append(Text("  " + _words_temperature(temperature), style=NOTE))
    overflowing = [str(i + 1) for i, row in enumerate(batch.rows) if row.would_overflow]
    if overflowing:
        parts.append(
            Text(
                f"  Row{'s' if len(overflowing) > 1 else ''} {', '.join(overflowing)} would "
                "overflow exp without the shift "
                f"(exponents above {EXP_OVERFLOW:.2f}).",
                style=NOTE,
            )
        )
    parts.append(Text(""))
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column("row", justify="right")
    columns = _shown(classes)
    kind = "log p" if show_log else "p"
    for index in columns:
        name = "…" if index is None else (batch.labels[index] if batch.labels else str(index))
        table.add_column(f"{kind} {name}" if index is not None else name, justify="right")
    table.add_column("Σ p", justify="right")
    table.add_column("prediction", style=RESULT)
    has_loss = first.target is not None
    if has_loss:
        table.add_column("target")
        table.add_column("loss −log p", justify="right")
    for number, row in enumerate(batch.rows, start=1):
        values = row.log_probabilities if show_log else row.probabilities
        cells = [str(number)]
        cells += ["…" if i is None else format_number(values[i]) for i in columns]
        cells.append(f"{row.total:.6g}")
        cells.append(_name(row.prediction, batch.labels))
        if has_loss and row.target is not None:
            cells += [_name(row.target, batch.labels), format_number(row.loss)]
        table.add_row(*cells)
    parts.append(table)
    if has_loss:
        losses = [row.loss for row in batch.rows if row.loss is not None]
        parts.append(
            Text.assemble(
                ("Mean loss: ", TITLE),
                (format_number(sum(losses) / len(losses)), RESULT),
                ("  (the gradient of each row is p − onehot(target); see --format json)", DIM),
            )
        )
    return Group(*parts)


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


# --- LaTeX -----------------------------------------------------------------


def _latex_vector(values: Sequence[float]) -> str:
    shown = [format_number(values[i]) if i is not None else r"\dots" for i in _shown(len(values))]
    return r"\left(" + ", ".join(shown) + r"\right)"


def latex(batch: SoftmaxBatch, *, show_log: bool) -> str:
    lines = [r"\begin{align*}"]
    for number, result in enumerate(batch.rows, start=1):
        if len(batch.rows) > 1:
            lines.append(rf"&\text{{row {number}}} \\")
        lines.extend(_latex_one(result, show_log))
    lines.append(r"\end{align*}")
    return "\n".join(lines)


def _latex_one(result: Softmax, show_log: bool) -> list[str]:
    t = result.temperature
    z = "z/T" if t != 1 else "z"
    lines = [rf"z &= {_latex_vector(result.logits)} \\"]
    if t != 1:
        lines.append(rf"z/T &= {_latex_vector(result.scaled)} \quad (T = {format_number(t)}) \\")
    lines += [
        rf"m &= \max({z}) = {format_number(result.maximum)} \\",
        rf"{z} - m &= {_latex_vector(result.shifted)} \\",
        rf"e^{{{z} - m}} &= {_latex_vector(result.exp)} \\",
        rf"S &= \textstyle\sum_j e^{{{z}_j - m}} = {format_number(result.sum)} \\",
        rf"p &= e^{{{z} - m}} / S = {_latex_vector(result.probabilities)} \\",
        rf"\textstyle\sum_i p_i &= {result.total:.12g} \\",
    ]
    if show_log:
        lines.append(
            rf"\log p &= ({z} - m) - \log S = {_latex_vector(result.log_probabilities)} \\"
        )
    lines.append(rf"\hat{{y}} &= \arg\max_i p_i = {result.prediction} \\")
    if result.target is not None and result.gradient is not None:
        k = result.target
        lines.append(
            rf"L &= -\log p_{{{k}}} = -\log {format_number(result.probabilities[k])}"
            rf" = {format_number(result.loss)} \\"
        )
        over_t = " / T" if t != 1 else ""
        lines.append(
            rf"\frac{{\partial L}}{{\partial z}} &= (p - \mathrm{{onehot}}({k})){over_t}"
            rf" = {_latex_vector(result.gradient)} \\"
        )
    return lines


# --- Markdown --------------------------------------------------------------


def markdown(batch: SoftmaxBatch, *, show_log: bool) -> str:
    lines: list[str] = []
    for number, result in enumerate(batch.rows, start=1):
        if len(batch.rows) > 1:
            lines += [f"### Row {number}", ""]
        lines += _markdown_one(result, batch.labels, show_log)
        lines.append("")
    return "\n".join(lines)


def _markdown_one(result: Softmax, labels: Sequence[str] | None, show_log: bool) -> list[str]:
    t = result.temperature
    z = "z/T" if t != 1 else "z"
    lines = [f"**Softmax:** $p_i = e^{{{z}_i - m}} / \\sum_j e^{{{z}_j - m}}$", ""]
    if t != 1:
        lines.append(
            f"- temperature $T = {format_number(t)}$: ${z} = {_latex_vector(result.scaled)}$"
        )
    lines += [
        f"- maximum $m = {format_number(result.maximum)}$, subtracted so no exponential overflows",
        f"- ${z} - m = {_latex_vector(result.shifted)}$",
        f"- $e^{{{z} - m}} = {_latex_vector(result.exp)}$, sum $S = {format_number(result.sum)}$",
        "",
        "| i | " + ("label | " if labels else "") + "p |" + (" log p |" if show_log else ""),
        "|---:|" + ("---|" if labels else "") + "---:|" + ("---:|" if show_log else ""),
    ]
    for index in _shown(len(result.logits)):
        if index is None:
            lines.append(
                "| … |" + (" … |" if labels else "") + " … |" + (" … |" if show_log else "")
            )
            continue
        row = f"| {index} | " + (f"{latex_escape(labels[index])} | " if labels else "")
        row += f"{format_number(result.probabilities[index])} |"
        if show_log:
            row += f" {format_number(result.log_probabilities[index])} |"
        lines.append(row)
    lines += [
        "",
        f"$\\sum_i p_i = {result.total:.12g}$; "
        f"prediction: class {_name(result.prediction, labels)}",
    ]
    if result.target is not None and result.gradient is not None:
        k = result.target
        lines.append("")
        lines.append(
            f"**Loss:** $L = -\\log p_{{{k}}} = {format_number(result.loss)}$; "
            f"**gradient:** $\\partial L/\\partial z = (p - \\mathrm{{onehot}}({k}))"
            f"{' / T' if t != 1 else ''} = {_latex_vector(result.gradient)}$"
        )
    return lines
