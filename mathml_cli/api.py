"""The Python API: every command as a function, for scripts and notebooks.

Each function takes the command's options as keyword arguments of the same
names (`--wrt` is `wrt`, `--weight-decay` is `weight_decay`), as text the way
the command line takes it or as Python values (numbers, lists, dicts, NumPy
arrays; where the command reads a file, a path, a pandas DataFrame or a 2-D
array), and returns an `Explanation`: the result object (its fields read
through) with every rendering of it. Bad input raises `mathml_cli.MathmlError`
(an `InputError`) with the CLI's message. Each function calls the same core
entry point as its command (e.g. core.normal.normal_input), which reads and
checks the options, so the two cannot disagree.

SymPy, NumPy and the renderers are imported when a function is called, not
when this module is.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fractions import Fraction


class Explanation:
    """A command's result and its renderings.

    `result` is the core object (a Derivation, Descent, SoftmaxBatch, DotProduct,
    Regression, Backprop or LayerBackprop, Description (stats), Normal, Bayes, Explanation or
    Comparison (explain), Eigen or Pca; a list of Descents for
    `descend(..., compare=...)`, a tuple of catalogue entries for `explain(list=True)`),
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
        elif isinstance(self.result, tuple):
            name = f"catalogue of {len(self.result)} entries"
        return f"<mathml {name}: .to_text(), .to_dict(), .to_latex(), .to_markdown(), .to_html()>"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.result, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *dir(self.result)})


class GraphExplanation(Explanation):
    """backprop's explanation, which can also be drawn: `to_dot()` is what
    `--format dot` prints, Graphviz's description of the graph."""

    def __init__(
        self,
        result: Any,
        *,
        data: Callable[[], dict[str, Any]],
        view: Callable[[], Any],
        dot: Callable[[], str],
    ) -> None:
        super().__init__(result, data=data, view=view)
        self._dot = dot

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language (`dot -Tsvg` draws it)."""
        return self._dot()


def derive(
    expression: str,
    wrt: str | Sequence[str] | None = None,
    *,
    order: int = 1,
    at: str | Mapping[str, float] | None = None,
    steps: bool = True,
    plot: bool = False,
    plot_range: str | tuple[float, float] | None = None,
) -> Explanation:
    """Differentiate `expression`, every rule named and checked (`mathml derive`).

    >>> d = derive("sigmoid(w*x + b)", wrt="w", at={"w": 0.5, "x": 2, "b": 0.1})
    >>> round(d.derivative_values["w"], 6)
    0.37474
    >>> d.to_dict()["value"]["derivatives"]["w"] == d.derivative_values["w"]
    True
    """
    from mathml_cli.core.derive import derive as run
    from mathml_cli.core.derive import read_plot_range
    from mathml_cli.render import derive as render

    window = read_plot_range(plot_range, plot)
    result = run(expression, wrt, order, at)
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, steps=steps, plot=plot, plot_range=window),
    )


def descend(
    expression: str,
    start: str | Mapping[str, float] | None = None,
    *,
    optimizer: str | None = None,
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
    optimizer is sgd unless named; with compare (e.g. "sgd,adam"), one run per
    optimizer. Options that would have no effect together (compare with optimizer,
    every or verbose) are errors, as on the command line.
    """
    from mathml_cli.core.descend import check_options, minimise
    from mathml_cli.render import descend as render

    check_options(
        compare=compare is not None,
        optimizer_given=optimizer is not None,
        every=every,
        verbose=verbose,
    )
    outcome = minimise(
        expression,
        start,
        optimizer=optimizer or "sgd",
        compare=compare,
        steps=steps,
        tol=tol,
        schedule=schedule,
        **settings,
    )
    view, data = render.presentation(outcome, every=every, verbose=verbose, plot=plot)
    return Explanation(outcome, data=data, view=view)


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
    lr: float | None = None,
    steps: int | None = None,
    predict: str | Mapping[str, float] | None = None,
    no_header: bool = False,
    drop_missing: bool = False,
    no_intercept: bool = False,
    ridge: float | None = None,
    standardize: bool = False,
    brief: bool = False,
    every: int | None = None,
    plot: bool = False,
) -> Explanation:
    """Linear regression of `target` on `features` (`mathml regress`).

    data: a path to a CSV file ("-" for stdin), a pandas DataFrame (its column
    names are the variables), or a NumPy array (columns x1, x2, ..., y).
    """
    from mathml_cli.core.regress import check_every, split_features
    from mathml_cli.core.regress import regress as run
    from mathml_cli.core.sources import open_table
    from mathml_cli.core.table import CsvTable
    from mathml_cli.render import regress as render

    check_every(every, method)
    with open_table(data, header=False if no_header else None, command="regress") as (
        stream,
        source,
        header,
    ):
        result = run(
            CsvTable(stream, source, header=header),
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
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, show_steps=not brief, every=every, plot=plot),
    )


def backprop(
    expression: str,
    at: str | Mapping[str, Any] | None = None,
    *,
    wrt: str | Sequence[str] | None = None,
    lr: float | None = None,
    output: str | None = None,
) -> GraphExplanation:
    """A forward and a backward pass through `expression`'s graph at `at` (`mathml backprop`).

    expression: an expression, a program of named steps ("h = x**2; y = h + 3"),
    or "@file" / "-" holding one; output: the program's step to differentiate.
    at: "x=1,y=2" or a dict; vectors and matrices (lists, NumPy arrays, or text
    such as "W=[[1,2],[3,4]],x=[1,2]") run the layer engine, as on the command line.

    >>> g = backprop("x*y + sin(x*y)", at={"x": 1, "y": 2})
    >>> round(g.to_dict()["gradients"]["x"], 6)
    1.167706
    """
    from mathml_cli.core.backprop import Backprop, backprop_input

    result = backprop_input(expression, at, wrt, lr, output)
    if isinstance(result, Backprop):
        from mathml_cli.render import backprop as render
    else:  # vectors and matrices: the layer engine's result
        from mathml_cli.render import layers as render  # type: ignore[no-redef]
    return GraphExplanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result),
        dot=lambda: render.dot(result),
    )


def stats(
    values: Any,
    *,
    column: str | Sequence[str] | None = None,
    drop_missing: bool = False,
    plot: bool = False,
) -> Explanation:
    """Mean, variance (population and sample), quartiles and z-scores of numbers, with
    covariance and correlation for two or more columns (`mathml stats`).

    values: numbers (a list or a NumPy array, or text such as "85 92 78"), a path
    to a file of numbers or a CSV table ("-" for stdin), a pandas DataFrame or a
    2-D NumPy array (one column each); column picks columns ("a,b" or a list).

    >>> s = stats([85, 92, 78, 95, 88])
    >>> s.to_dict()["columns"][0]["mean"]
    87.6
    """
    from mathml_cli.core.describe import describe_input
    from mathml_cli.render import stats as render

    result = describe_input(values, column, drop_missing=drop_missing)
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, plot=plot),
    )


def normal(
    mean: str | float | None = None,
    std: str | float | None = None,
    *,
    x: str | float | None = None,
    between: str | Sequence[float] | None = None,
    p: str | float | None = None,
    fit: Any = None,
    column: str | None = None,
    plot: bool = False,
) -> Explanation:
    """The normal distribution N(mean, std²), 0 and 1 unless given: the density and
    P(X ≤ x) at `x`, P(a < X < b) for `between` = (a, b), the quantile of `p`, or
    the maximum-likelihood fit to the data `fit` (a path, "-", a list or array of
    numbers, or a pandas DataFrame with `column`) (`mathml normal`).

    >>> round(normal(x=1.96).to_dict()["at"]["cdf"], 6)
    0.975002
    """
    from mathml_cli.core.normal import normal_input
    from mathml_cli.render import normal as render

    result = normal_input(mean, std, x=x, between=between, p=p, fit=fit, column=column)
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, plot=plot),
    )


def bayes(
    prior: str | float | Fraction,
    likelihood: str | float | Fraction,
    *,
    false_alarm: str | float | Fraction | None = None,
    evidence: str | float | Fraction | None = None,
    times: int = 1,
    labels: str | Sequence[str] | None = None,
) -> Explanation:
    """Bayes' theorem: P(A|B) from P(A) (`prior`), P(B|A) (`likelihood`) and P(B|¬A)
    (`false_alarm`) or P(B) (`evidence`), in exact fractions (`mathml bayes`).

    Probabilities are numbers, Fractions or text ("0.01", "1/100"); a float is read
    as the decimal it prints as, so 0.01 is exactly 1/100.

    >>> b = bayes(0.01, 0.9, false_alarm=0.05)
    >>> b.posterior
    Fraction(2, 13)
    """
    from mathml_cli.core.bayes import bayes_input
    from mathml_cli.render import bayes as render

    result = bayes_input(
        prior,
        likelihood,
        false_alarm=false_alarm,
        evidence=evidence,
        times=times,
        labels=labels,
    )
    return Explanation(result, data=lambda: render.data(result), view=lambda: render.view(result))


def explain(
    name: str | Sequence[str] | None = None,
    *,
    list: bool = False,
    category: str | None = None,
    steps: bool = False,
    at: Any = None,
    param: Any = None,
    compare: bool = False,
    plot: bool = False,
) -> Explanation:
    """An activation, loss or regularizer from the catalogue: formula, derivative,
    behaviour and a table of values (`mathml explain`).

    at: points for the table ("x=1.5", {"yhat": 5, "y": 3}, numbers, or a list of
    those); param: parameters ("a=0.2" or {"a": 0.2}); with compare, several
    entries ("relu,gelu" or a list); with list=True (and category), the catalogue.

    >>> explain("mse", at={"yhat": 5, "y": 3}).to_dict()["values"][0]["derivative"]
    4.0
    """
    from mathml_cli.core.explain import explain_input
    from mathml_cli.render import explain as render

    result = explain_input(
        name,
        show_list=list,
        category=category,
        steps=steps,
        at=at,
        param=param,
        compare=compare,
        plot=plot,
    )
    view, data = render.presentation(result, category=category, plot=plot)
    return Explanation(result, data=data, view=view)


def eigen(
    matrix: Any,
    *,
    power: int | None = None,
    start: Any = None,
    plot: bool = False,
) -> Explanation:
    """Eigenvalues and eigenvectors of a square matrix (a list of rows, a NumPy array or
    text), exactly with every step up to 3×3; with `power`, that many steps of power
    iteration from `start` (`mathml eigen`).

    >>> sorted(e["real"] for e in eigen([[2, 1], [1, 2]]).to_dict()["eigenvalues"])
    [1.0, 3.0]
    """
    from mathml_cli.core.eigen import eigen_input
    from mathml_cli.render import eigen as render

    result = eigen_input(matrix, power=power, start=start, plot=plot)
    return Explanation(
        result,
        data=lambda: render.data(result),
        view=lambda: render.view(result, plot=plot),
    )


def pca(
    data: Any,
    *,
    columns: str | Sequence[str] | None = None,
    standardize: bool = False,
    components: int | None = None,
    scores: str | None = None,
    no_header: bool = False,
    plot: bool = False,
) -> Explanation:
    """Principal component analysis of a table (`mathml pca`): covariance, its
    eigenvectors, the variance each explains, the rows' scores.

    data: a path to a CSV file ("-" for stdin), a pandas DataFrame (its column
    names are the variables) or a 2-D NumPy array (columns x1, x2, ...); scores:
    a CSV file to write every row's scores to.
    """
    from mathml_cli.core.pca import pca_input
    from mathml_cli.render import pca as render

    result = pca_input(
        data,
        columns=columns,
        standardize=standardize,
        components=components,
        scores=scores,
        no_header=no_header,
        plot=plot,
    )
    return Explanation(
        result,
        data=lambda: render.data(result, scores_file=scores),
        view=lambda: render.view(result, plot=plot, scores_file=scores),
    )
