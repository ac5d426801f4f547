"""The Python API: every command as a function, for scripts and notebooks.

Each function takes the command's options as keyword arguments of the same
names (`--wrt` is `wrt`, `--weight-decay` is `weight_decay`), as text the way
the command line takes it or as Python values (numbers, lists, dicts, NumPy
arrays, a pandas DataFrame for regress), and returns an `Explanation`: the
result object (its fields read through) with every rendering of it. Bad input
raises `mathml_cli.MathmlError` (an `InputError`) with the CLI's message.

SymPy, NumPy and the renderers are imported when a function is called, not
when this module is.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mathml_cli.errors import InputError


class Explanation:
    """A command's result and its renderings.

    `result` is the core object (a Derivation, Descent, SoftmaxBatch, DotProduct,
    Regression or Backprop; a list of Descents for `descend(..., compare=...)`),
    and its attributes read through: `derive("x**2").partials`. The renderings:

    - `to_dict()`: the JSON of `--format json` (docs/json.md), as Python values;
    - `to_latex()`, `to_markdown()`, `to_text()`, `to_html()`: what
      `--format latex|markdown|text|html` prints (`str(explanation)` is the text);
    - `_repr_html_`, `_repr_markdown_` and `_repr_latex_`, which Jupyter shows for
      a cell's value (the HTML, with MathML and SVG plots, where there is one).
    """

    def __init__(
        self,
        result: Any,
        *,
        data: Callable[[], dict[str, Any]],
        view: Callable[[], Any],
    ) -> None:
        # `view` builds the explanation once; every writer prints it.
        self.result = result
        self._data = data
        self._view = view

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `--format json` (NaN and infinities as None)."""
        import json

        from mathml_cli.render.output import to_json

        return dict(json.loads(to_json(self._data())))

    def _write(self, name: str) -> str:
        from mathml_cli.render.output import OutputFormat, write_view

        return write_view(OutputFormat(name), self._view(), io.StringIO())

    def to_latex(self) -> str:
        return self._write("latex")

    def to_markdown(self) -> str:
        return self._write("markdown")

    def to_text(self) -> str:
        """The plain-text explanation (no colour), as `mathml` prints it to a file."""
        return self._write("text")

    def to_html(self) -> str:
        """A whole HTML page, as `--format html` writes it."""
        return self._write("html")

    def _repr_html_(self) -> str:
        from mathml_cli.render import html

        return html.fragment(self._view())

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        # For nbconvert's LaTeX and PDF export; notebooks show the HTML or the Markdown.
        return self.to_latex()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        name = type(self.result).__name__
        if isinstance(self.result, list):
            name = f"comparison of {len(self.result)} runs"
        return f"<mathml {name}: .to_text(), .to_dict(), .to_latex(), .to_markdown(), .to_html()>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.result, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *dir(self.result)})


def derive(
    expression: str,
    wrt: str | Sequence[str] | None = None,
    *,
    order: int = 1,
    at: str | Mapping[str, float] | None = None,
    steps: bool = True,
    plot: bool = False,
    plot_range: tuple[float, float] | None = None,
) -> Explanation:
    """Differentiate `expression`, every rule named and checked (`mathml derive`).

    >>> d = derive("sigmoid(w*x + b)", wrt="w", at={"w": 0.5, "x": 2, "b": 0.1})
    >>> round(d.derivative_values["w"], 6)
    0.37474
    >>> d.to_dict()["value"]["derivatives"]["w"] == d.derivative_values["w"]
    True
    """
    from mathml_cli.core.derive import derive as run
    from mathml_cli.render import derive as render

    result = run(expression, wrt, order, at)
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, steps=steps, plot=plot, plot_range=plot_range),
    )


def descend(
    expression: str,
    start: str | Mapping[str, float] | None = None,
    *,
    optimizer: str = "sgd",
    compare: str | Sequence[str] | None = None,
    steps: int = 1000,
    tol: float = 1e-8,
    schedule: str = "constant",
    every: int | None = None,
    verbose: bool = False,
    plot: bool = False,
    **settings: Any,
) -> Explanation:
    """Minimise `expression` by gradient descent from `start` (`mathml descend`).

    settings: lr, momentum, dampening, beta1, beta2, eps, alpha, weight_decay,
    centered, amsgrad, lr_decay, initial_accumulator (the optimizer's) and
    step_size, gamma, t_max, eta_min (the schedule's), as the options are named.
    With compare (e.g. "sgd,adam"), one run per optimizer.
    """
    from mathml_cli.core.descend import minimise
    from mathml_cli.render import descend as render

    if every is not None and every < 1:
        raise InputError(f"--every must be at least 1, got {every}")
    outcome = minimise(
        expression,
        start,
        optimizer=optimizer,
        compare=compare,
        steps=steps,
        tol=tol,
        schedule=schedule,
        **settings,
    )
    if isinstance(outcome, list):
        runs = outcome
        return Explanation(
            runs,
            data=lambda: render.compare_data(runs),
            view=lambda: render.compare_view(runs, plot=plot),
        )
    result = outcome
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, every=every, verbose=verbose, plot=plot),
    )


def softmax(
    logits: Any = None,
    *,
    temperature: float | str = 1.0,
    target: int | str | Sequence[int | str] | None = None,
    labels: str | Sequence[str] | None = None,
    log: bool = False,
    rows: str | None = None,
    plot: bool = False,
) -> Explanation:
    """Softmax of `logits` (a list, a list of rows, a NumPy array or text), with the
    cross-entropy loss and its gradient when `target` is given (`mathml softmax`).

    >>> [round(p, 4) for p in softmax([2, 1, 0.1]).to_dict()["probabilities"]]
    [0.659, 0.2424, 0.0986]
    """
    from mathml_cli.core.softmax import softmax_input
    from mathml_cli.render import softmax as render

    result = softmax_input(logits, temperature=temperature, target=target, labels=labels, rows=rows)
    return Explanation(
        result,
        data=lambda: render.data(result, show_log=log),
        view=lambda: render.view(result, show_log=log, plot=plot),
    )


def dot(
    a: Any,
    b: Any,
    *,
    bias: Any = None,
    activation: str | None = None,
    cell: str | Sequence[int] | None = None,
) -> Explanation:
    """A · B for vectors and matrices (lists, NumPy arrays or text), then the bias and
    the activation of a dense layer if given (`mathml dot`).

    >>> dot([1, 2, 3], [4, 5, 6]).to_dict()["result"]
    32.0
    """
    from mathml_cli.core.linalg import dot_input
    from mathml_cli.render import dot as render

    result = dot_input(a, b, bias=bias, activation=activation, cell=cell)
    return Explanation(result, data=lambda: render.data(result), view=lambda: render.view(result))


def regress(
    data: Any,
    *,
    target: str | None = None,
    features: str | Sequence[str] | None = None,
    method: str = "normal",
    lr: float = 0.1,
    steps: int = 10_000,
    predict: str | Mapping[str, float] | None = None,
    no_header: bool = False,
    drop_missing: bool = False,
    no_intercept: bool = False,
    ridge: float | None = None,
    standardize: bool = False,
    brief: bool = False,
) -> Explanation:
    """Linear regression of `target` on `features` (`mathml regress`).

    data: a path to a CSV file ("-" for stdin), a pandas DataFrame (its column
    names are the variables), or a NumPy array (columns x1, x2, ..., y).
    """
    from mathml_cli.core.regress import regress as run
    from mathml_cli.core.regress import split_features
    from mathml_cli.core.table import CsvTable, open_input
    from mathml_cli.render import regress as render

    stream, source, header = _table_stream(data, no_header)
    try:
        if stream is None:
            stream, source = open_input(source)
        table = CsvTable(stream, source, header=header)
        result = run(
            table,
            target=target,
            features=(
                split_features(features)
                if isinstance(features, str)
                else None
                if features is None
                else list(features)
            ),
            drop_missing=drop_missing,
            method=method,
            learning_rate=lr,
            max_steps=steps,
            predict=predict,
            intercept=not no_intercept,
            ridge=ridge,
            standardize=standardize,
        )
    finally:
        if stream is not None and source != "stdin":
            stream.close()
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, show_steps=not brief),
    )


def _table_stream(data: Any, no_header: bool) -> tuple[Any, str, bool | None]:
    """(a byte stream or None to open the path, a name for messages, header)."""
    header = False if no_header else None
    if isinstance(data, (str, os.PathLike)):
        return None, os.fspath(data), header
    if hasattr(data, "to_csv") and hasattr(data, "columns"):  # a pandas DataFrame
        text = data.to_csv(index=False)
        return io.BytesIO(text.encode("utf-8")), "the DataFrame", True
    import numpy as np

    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            "regress takes a CSV path, a pandas DataFrame or a NumPy array (rows × columns), "
            f"got {type(data).__name__}"
        ) from None
    if array.ndim != 2:
        raise InputError(f"regress needs a table (2 dimensions), got {array.ndim} dimension(s)")
    buffer = io.BytesIO()
    np.savetxt(buffer, array, delimiter=",", fmt="%.17g")
    buffer.seek(0)
    return buffer, "the array", False


def backprop(
    expression: str,
    at: str | Mapping[str, float] | None = None,
    *,
    wrt: str | Sequence[str] | None = None,
    lr: float | None = None,
) -> Explanation:
    """A forward and a backward pass through `expression`'s graph at `at` (`mathml backprop`).

    >>> g = backprop("x*y + sin(x*y)", at={"x": 1, "y": 2})
    >>> round(g.to_dict()["gradients"]["x"], 6)
    1.167706
    """
    from mathml_cli.core.backprop import backprop as run
    from mathml_cli.render import backprop as render

    result = run(expression, at, wrt, lr)
    return Explanation(result, data=lambda: render.data(result), view=lambda: render.view(result))
