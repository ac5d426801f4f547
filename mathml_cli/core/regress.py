"""Least squares from a stream of rows, with the statistics of statsmodels' OLS.

The rows are read once. What is kept is the triangular factor R of the shifted
and scaled design (see `mathml_cli.core.lstsq`: Householder QR, block by block),
O(p²) memory whatever the number of rows; for small tables the fit is then
recomputed exactly in rational arithmetic. The normal equation XᵀXβ = Xᵀy is
still shown, because it is the formula; it is not how the numbers are computed,
because forming XᵀX squares the condition number.

The model is y = β₀ + Σ βⱼ xⱼ + ε (or without β₀, `intercept=False`), fitted by
ordinary least squares, by ridge regression (`ridge=λ`: minimise
‖y − Xβ‖² + λ‖β‖², the intercept not penalised) or by gradient descent on
J = (1/n)Σ(ŷ − y)² as the textbooks write it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from typing import Any

import numpy as np

from mathml_cli.core import stats
from mathml_cli.core.inputs import check_point, read_point
from mathml_cli.core.lstsq import (
    StreamedQR,
    back_substitute,
    exact_gram,
    exact_least_squares,
    triangular_factor,
)
from mathml_cli.core.table import CsvTable, out_of_bounds, outside_bounds, within_bounds
from mathml_cli.errors import InputError
from mathml_cli.records import Record

EXACT_ROWS = 100_000  # rows kept for an exact residual summary and plot
SAMPLE_ROWS = 10_000  # beyond that, a uniform random sample of rows is kept
SHOWN_ROWS = 10  # at most this many rows: the step-by-step shows X and y themselves
# A feature whose part not explained by the earlier ones is below this share of
# its own size (√ of the unexplained share of its variance) is collinear with
# them: exact collinearity leaves ~1e-16 after rounding, while Filip's nearly
# collinear x¹⁰ still has 6e-8.
COLLINEAR_TOLERANCE = 1e-10
VIF_WARNING = 1000.0
# Above this condition number κ of X, κ² (that of XᵀX) exceeds 1/ε = 4.5e15 of
# double precision: the normal equation solved as written would keep no digit.
CONDITION_WARNING = 1 / math.sqrt(np.finfo(float).eps)
DEFAULT_LEARNING_RATE = 0.1
DEFAULT_MAX_STEPS = 10_000
QR_ALGORITHM = (
    "Householder QR of the centred and scaled columns, streamed block by block "
    "(XᵀX is never formed)"
)
EXACT_ALGORITHM = (
    "exact rational arithmetic on the numbers as read: XᵀX formed and solved without "
    "rounding (a small table; larger ones use a Householder QR streamed block by block)"
)


class Coefficient(Record):
    name: str  # "intercept" or the feature's column name
    estimate: float  # nan for a feature left out of the fit
    std_error: float  # nan where it does not apply (ridge)
    t_value: float
    p_value: float
    conf_low: float
    conf_high: float


class NormalEquation(Record):
    """The working of the closed form, in the numbers a reader can check."""

    design_rows: tuple[tuple[float, ...], ...] | None  # X (with its column of ones) for small data
    target_values: tuple[float, ...] | None
    xtx: tuple[tuple[float, ...], ...]  # XᵀX (+ λI' with ridge): n, Σx and Σxxᵀ
    xty: tuple[float, ...]  # Xᵀy: Σy and Σxy
    means: tuple[float, ...]  # x̄ (each feature) then ȳ
    fitted: tuple[str, ...]  # the features solved for
    sxx: tuple[tuple[float, ...], ...]  # co-moments of the fitted features (+ λI with ridge)
    sxy: tuple[float, ...]
    syy: float
    slopes: tuple[float, ...]
    intercept: float  # 0 without an intercept
    ridge: float | None = None  # λ, when the equation is the ridge one


class DescentRow(Record):
    iteration: int
    loss: float
    coefficients: tuple[float, ...]  # intercept first (when fitted), in original units
    gradient_norm: float  # |∇J| at these coefficients (on the features descended on)


class GradientFit(Record):
    """regress --method gd: gradient descent on the least-squares loss, step by step."""

    learning_rate: float
    max_steps: int
    steps: int  # updates made
    status: str  # "converged", "max_steps" or "diverged"
    standardized: bool  # descended on z = (x − x̄)/s rather than on x
    table: tuple[DescentRow, ...]  # every step, 0 (the start) to `steps`
    losses: tuple[float, ...]
    coefficients: tuple[float, ...]  # where descent ended, intercept first, original units
    closed_form: tuple[float, ...]
    max_difference: float  # largest |gd − closed form| over the coefficients
    relative_differences: tuple[float, ...]  # |gd − closed| / |closed|, each coefficient
    relative_distance: float  # ‖gd − closed‖ / ‖closed‖
    largest_eigenvalue: float  # L of the Hessian (2/n)XᵀX of J on the features descended on
    stable_below: float  # 2 / L: learning rates under this converge
    # XᵀX singular: closed_form is the least-squares solution of least norm
    minimum_norm: bool = False


class ResidualSummary(Record):
    minimum: float
    first_quartile: float
    median: float
    third_quartile: float
    maximum: float
    exact: bool  # False: estimated from a uniform random sample of rows
    rows_used: int


class Prediction(Record):
    point: tuple[tuple[str, float], ...]
    terms: tuple[tuple[str, float, float], ...]  # (feature, coefficient, value)
    intercept: float
    value: float
    std_error_mean: float  # of the fitted mean at the point (nan with ridge)
    conf_int: tuple[float, float]  # 95% for the mean
    pred_int: tuple[float, float]  # 95% for a new observation
    note: str = ""  # why there are no intervals (nan), when there are none


class Regression(Record):
    n: int
    target: str
    features: tuple[str, ...]
    method: str
    coefficients: tuple[Coefficient, ...]  # intercept first (when fitted)
    r_squared: float
    adj_r_squared: float
    residual_std_error: float
    f_statistic: float
    f_p_value: float
    df_model: int
    df_resid: int
    log_likelihood: float
    aic: float
    bic: float
    condition_number: float
    scaled_condition_number: float  # with X's columns scaled to unit length
    residuals: ResidualSummary
    warnings: tuple[str, ...]
    dropped_rows: int
    normal: NormalEquation
    descent: GradientFit | None
    prediction: Prediction | None
    points: tuple[tuple[float, float, float], ...]  # (first feature, actual, fitted) rows
    intercept: bool = True
    ridge: float | None = None
    algorithm: str = QR_ALGORITHM
    exact: bool = False  # the numbers come from the exact rational solve
    closed_form: tuple[float, ...] = ()  # least squares (or ridge) coefficients, as fitted
    expressions: tuple[str, ...] = ()  # the features computed from columns (--features "x**2")
    expression_columns: tuple[str, ...] = ()  # the columns they read (a column "pi" is no π)


class RowKeeper:
    """All rows while there are few; beyond EXACT_ROWS a uniform random sample of them.

    The sample is the SAMPLE_ROWS rows with the smallest random keys. Candidates
    gather until there are twice that many, then the larger keys go; the largest
    key kept then bounds every key that can still enter, so most rows of a long
    table are turned away by one comparison.
    """

    def __init__(self, width: int) -> None:
        self._rng = np.random.default_rng(0)  # a fixed seed: the same input, the same output
        self.all_rows: list[np.ndarray] | None = []
        self.count = 0
        self._keys: list[np.ndarray] = []
        self._candidates: list[np.ndarray] = []
        self._pending = 0
        self._bound = 1.0

    def add(self, block: np.ndarray) -> None:
        self.count += len(block)
        if self.all_rows is not None:
            if self.count <= EXACT_ROWS:
                self.all_rows.append(block)
            else:
                self.all_rows = None
        keys = self._rng.random(len(block))
        entering = keys < self._bound
        self._keys.append(keys[entering])
        self._candidates.append(block[entering])
        self._pending += int(np.count_nonzero(entering))
        if self._pending > 2 * SAMPLE_ROWS:
            self._prune()

    def _prune(self) -> None:
        keys, rows = np.concatenate(self._keys), np.concatenate(self._candidates)
        if len(keys) > SAMPLE_ROWS:
            keep = np.argpartition(keys, SAMPLE_ROWS)[:SAMPLE_ROWS]
            keys, rows = keys[keep], rows[keep]
            self._bound = float(keys.max())
        self._keys, self._candidates, self._pending = [keys], [rows], len(keys)

    def rows(self) -> tuple[np.ndarray, bool]:
        """The kept rows and whether they are all of them."""
        if self.all_rows is not None:
            return np.concatenate(self.all_rows), True
        self._prune()
        return self._candidates[0], False


def regress(
    table: CsvTable,
    *,
    target: str | None = None,
    features: list[str] | None = None,
    drop_missing: bool = False,
    method: str = "normal",
    learning_rate: float | None = None,
    max_steps: int | None = None,
    predict: str | Mapping[str, float] | None = None,
    intercept: bool = True,
    ridge: float | None = None,
    standardize: bool = False,
) -> Regression:
    """Fit target ~ features by least squares, streaming the table once.

    target: a column name (default: the last column); features: column names
    (default: every other column); predict: a point like "sqft=1600,rooms=3";
    intercept: fit β₀ (else the line goes through the origin); ridge: λ of
    ridge regression; standardize: gradient descent on standardised features;
    learning_rate and max_steps (gradient descent's; default 0.1 and 10000).
    """
    method = method.strip().lower()  # GD and gd alike
    _check_settings(method, learning_rate, max_steps, intercept, ridge, standardize)
    target_name, feature_names = choose_columns(table, target, features)
    if features is None:
        table.text_hint = "choose the columns with --features (and --target)"
    if intercept and "intercept" in feature_names:
        raise InputError(
            "a feature named 'intercept' would share its name with β₀ (the intercept "
            "the fit adds): leave the column out with --features, or fit through the "
            "origin with --no-intercept"
        )
    specs = [_feature(table, name, target_name) for name in feature_names]
    derived = any(spec.function is not None for spec in specs)
    # Plain columns are read as they are; expressions need their columns, once each.
    sources = (
        sorted({column for spec in specs for column in spec.columns})
        if derived
        else [spec.columns[0] for spec in specs]
    )
    point = None
    if predict is not None and not derived:
        point = parse_point(predict, feature_names)
    elif predict is not None:
        given = parse_point(predict, [table.names[c] for c in sources])
        point = {spec.name: spec.at(given, table.names) for spec in specs}
    for name, value in (point or {}).items():
        if not within_bounds(value):
            raise InputError(f"--predict: {name} = {value:g} is {out_of_bounds(value)}")
    read = [*sources, table.column_index(target_name, "--target")]
    factor = StreamedQR(len(specs) + 1, intercept)
    keeper = RowKeeper(len(specs) + 1)
    with closing(table.blocks(read, drop_missing=drop_missing, bounded=True)) as blocks:
        for block in blocks:
            if derived:
                block = _derive(block, specs, sources, table)
            factor.add(block)
            keeper.add(block)
    fitted = fit(
        factor,
        keeper,
        source=table.source,
        target=target_name,
        features=feature_names,
        dropped=table.counts.dropped,
        method=method,
        learning_rate=DEFAULT_LEARNING_RATE if learning_rate is None else learning_rate,
        max_steps=DEFAULT_MAX_STEPS if max_steps is None else max_steps,
        predict=point,
        ridge=ridge,
        standardize=standardize,
    )
    expressions = tuple(spec.name for spec in specs if spec.function is not None)
    if not expressions:
        return fitted
    read_by_them = {table.names[c] for spec in specs if spec.function for c in spec.columns}
    return fitted.replace(expressions=expressions, expression_columns=tuple(sorted(read_by_them)))


def choose_columns(
    table: CsvTable, target: str | None, features: list[str] | None
) -> tuple[str, list[str]]:
    """The target's name and the features' names, checked against the table."""
    names = list(table.names)
    target_name = names[-1] if target is None else target
    table.column_index(target_name, "--target")
    if features is None:
        chosen = [name for name in names if name != target_name]
    else:
        chosen = features
        for name in chosen:
            if name.isidentifier():  # a column's name; anything else is an expression
                table.column_index(name, "--features")
        if target_name in chosen:
            raise InputError(f"--features includes the target '{target_name}'")
        repeated = sorted({name for name in chosen if chosen.count(name) > 1})
        if repeated:
            raise InputError(f"--features names {', '.join(repeated)} more than once")
        if not chosen:
            raise InputError("--features is empty: name at least one column")
    return target_name, chosen


class _Feature(Record):
    """A feature: a column of the table, or an expression of columns (`log(z)`, `x*z`)."""

    name: str
    columns: tuple[int, ...]  # the table columns it reads, in the order `function` takes them
    function: Callable[..., Any] | None  # None: the column itself

    def at(self, values: Mapping[str, float], names: tuple[str, ...]) -> float:
        """The feature's value where the columns have `values`."""
        if self.function is None:
            return values[names[self.columns[0]]]
        with np.errstate(all="ignore"):
            result = float(self.function(*(values[names[c]] for c in self.columns)))
        if not math.isfinite(result):
            raise InputError(f"--predict: {self.name} is not a finite number there")
        return result


def _check_settings(
    method: str,
    learning_rate: float | None,
    max_steps: int | None,
    intercept: bool,
    ridge: float | None,
    standardize: bool,
) -> None:
    """Settings that cannot work, or would be ignored, are errors (CLI and Python API alike)."""
    if method not in ("normal", "gd"):
        raise InputError(f"--method must be normal or gd, got {method!r}")
    for option, value in (("--lr", learning_rate), ("--steps", max_steps)):
        if value is not None and method != "gd":
            raise InputError(
                f"{option} is gradient descent's: it applies to --method gd only "
                "(the normal equation takes no steps)"
            )
    if learning_rate is not None and not (0 < learning_rate < math.inf):
        raise InputError(f"--lr must be a positive finite number, got {learning_rate:g}")
    if max_steps is not None and not 1 <= max_steps <= 1_000_000:
        raise InputError(f"--steps must be between 1 and 1000000, got {max_steps}")
    if ridge is not None and not (0 <= ridge <= 1e300):
        raise InputError(f"--ridge must be a finite number >= 0, got {ridge:g}")
    if ridge is not None and method == "gd":
        raise InputError("--ridge works with --method normal, not gd")
    if standardize and method != "gd":
        raise InputError("--standardize applies to --method gd only")
    if standardize and not intercept:
        raise InputError(
            "--standardize centres the features, which needs an intercept: "
            "drop --no-intercept or --standardize"
        )


def split_features(text: str) -> list[str]:
    """The features of `--features "x, x**2, log(z, 2)"`: split at commas outside brackets."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _feature(table: CsvTable, text: str, target: str) -> _Feature:
    if text in table.names:
        return _Feature(text, (table.names.index(text),), None)
    from mathml_cli.core.expr import free_variables, numeric_function, parse_expression
    from mathml_cli.errors import ExpressionError

    try:
        # A column named e, pi or exp is that column here, not the constant or function.
        expression = parse_expression(text, names=table.names)
    except ExpressionError as error:
        raise InputError(f"--features: {error}") from None
    variables = free_variables(expression)
    for name in variables:
        if name == target:
            raise InputError(f"--features: '{text}' uses the target '{target}'")
        table.column_index(name, f"--features: in '{text}'")
    return _Feature(
        text,
        tuple(table.names.index(name) for name in variables),
        numeric_function(expression, variables),
    )


def _derive(
    block: np.ndarray, specs: list[_Feature], sources: list[int], table: CsvTable
) -> np.ndarray:
    """The block's feature columns (expressions evaluated) and its target, last."""
    position = {column: i for i, column in enumerate(sources)}
    derived = np.empty((len(block), len(specs) + 1))
    derived[:, -1] = block[:, -1]
    for j, spec in enumerate(specs):
        arguments = [block[:, position[c]] for c in spec.columns]
        if spec.function is None:
            derived[:, j] = arguments[0]
            continue
        with np.errstate(all="ignore"):
            derived[:, j] = np.broadcast_to(
                np.asarray(spec.function(*arguments), float), len(block)
            )
        column = derived[:, j]
        finite = np.isfinite(column)
        bad = np.flatnonzero(~finite | outside_bounds(np.where(finite, column, 0.0)))
        if len(bad):
            row = table.counts.rows - len(block) + int(bad[0]) + 1
            values = ", ".join(
                f"{table.names[c]} = {block[bad[0], position[c]]:g}" for c in spec.columns
            )
            value = float(column[bad[0]])
            why = out_of_bounds(value) if math.isfinite(value) else "not a finite number"
            raise InputError(f"--features: '{spec.name}' is {why} in row {row} ({values})")
    return derived


def fit(  # noqa: C901 - the fit and its statistics, in the order a textbook gives them
    factor: StreamedQR,
    keeper: RowKeeper,
    *,
    source: str,
    target: str,
    features: list[str],
    dropped: int,
    method: str,
    learning_rate: float,
    max_steps: int,
    predict: Mapping[str, float] | None,
    ridge: float | None = None,
    standardize: bool = False,
) -> Regression:
    n, p = factor.n, len(features)
    intercept = factor.intercept
    if n == 0 and dropped:
        columns_used = ", ".join([*features, target])
        raise InputError(
            f"every row of {source} ({dropped}) has a missing value in a column the fit "
            f"uses ({columns_used}), so --drop-missing left none; choose columns that hold "
            "numbers with --target and --features"
        )
    if n == 0:
        raise InputError(f"{source} has no data rows, only a header")
    parameters_named = (
        f"intercept and {p} feature{'s' if p != 1 else ''}"
        if intercept
        else f"{p} feature{'s' if p != 1 else ''}, no intercept"
    )
    if n <= p + intercept:
        raise InputError(
            f"{n} row{'s' if n != 1 else ''} for {p + intercept} parameters ({parameters_named}): "
            "least squares needs more rows than parameters to estimate the noise"
        )
    warnings: list[str] = []
    if ridge == 0:
        ridge = None
        warnings.append(
            "--ridge 0 is ordinary least squares (λ = 0 adds nothing to XᵀX), so this is "
            "the least-squares fit, with its standard errors"
        )
    if dropped:
        warnings.append(
            f"{dropped} row{'s' if dropped != 1 else ''} with missing values "
            "left out (--drop-missing)"
        )
    offset = int(intercept)  # column of R holding feature 0
    target_column = offset + p
    means = factor.sums / n
    independent, dependent = _independent_features(features, factor, means)
    how = "ridge" if ridge is not None else "dropped" if method == "normal" else "descent"
    if how == "descent" and standardize:
        how = "descent, standardized"
    warnings.extend(_explain_dependent(dependent, features, intercept, how))
    # Ridge fits every column (XᵀX + λI' is invertible); least squares, and the
    # closed form gradient descent is compared with, only the independent ones.
    kept = list(range(p)) if ridge is not None else independent
    columns = ([0] if intercept else []) + [offset + j for j in kept]
    raw = factor.raw_factor()
    # A factor of the centred kept features and target (FᵀF = their co-moments):
    # rows 1.. of F are the part orthogonal to the column of ones. Without an
    # intercept nothing is centred, and F itself is used.
    centred = (raw[1:] if intercept else raw)[:, [*columns[offset:], target_column]]
    tss = float(centred[:, -1] @ centred[:, -1])

    algorithm, exact = QR_ALGORITHM, False
    exact_r_squared = None
    if ridge is None:
        beta, inverse, rss = _solve_scaled(factor, columns, target_column)
        if keeper.all_rows is not None:
            rows, _ = keeper.rows()
            solution = exact_least_squares(rows[:, kept], rows[:, p], intercept)
            if solution is not None:
                beta = np.array(solution.beta)
                inverse = np.array(solution.inverse)
                rss, tss = solution.rss, solution.tss
                exact_r_squared = solution.r_squared
                algorithm, exact = EXACT_ALGORITHM, True
    else:
        beta, rss = _solve_ridge(centred, ridge, means[kept], means[p], intercept)
        inverse = np.full((len(columns), len(columns)), math.nan)
        algorithm = "Householder QR of the centred columns stacked over √λ·I (ridge)"

    k = len(kept)
    df_resid = n - k - offset
    sigma2 = rss / df_resid
    std_errors = np.sqrt(np.maximum(sigma2 * np.diag(inverse), 0.0))
    # Of X as read, every column; and with its columns scaled to unit length, which is
    # what costs digits: units alone (metres or millimetres) change κ but no solver's
    # accuracy (van der Sluis).
    condition, scaled_condition = _condition_numbers(raw[:, :target_column])
    if ridge is None:
        _warn_collinearity(features, kept, inverse, centred, intercept, warnings)
        if scaled_condition > CONDITION_WARNING and not dependent:
            warnings.append(
                f"the condition number of X is {condition:.3g} ({scaled_condition:.3g} with "
                f"its columns scaled to unit length), so κ(XᵀX) ≈ {scaled_condition**2:.2g}, "
                "beyond the 1/ε = 4.5e15 of double precision: the normal equation solved in "
                f"floating point would keep no correct digit; these numbers come from {algorithm}"
            )
    if tss == 0:
        warnings.append(f"the target '{target}' is constant: R² and the F-test are undefined")
    elif ridge is None and rss <= 1e-20 * tss:
        warnings.append(
            f"the features predict '{target}' exactly (the residuals are rounding error), so the "
            "standard errors, t values, p-values and intervals carry no information"
        )

    quantile = stats.t_quantile(0.975, df_resid)
    names = (["intercept"] if intercept else []) + [features[j] for j in kept]
    fitted = {
        name: (float(b), float(s)) for name, b, s in zip(names, beta, std_errors, strict=True)
    }
    coefficients = []
    for name in (["intercept"] if intercept else []) + features:
        if name not in fitted:
            coefficients.append(Coefficient(name, *(math.nan,) * 6))
        elif ridge is not None:
            coefficients.append(Coefficient(name, fitted[name][0], *(math.nan,) * 5))
        else:
            coefficients.append(_coefficient(name, *fitted[name], df_resid, quantile))

    r_squared = 1 - rss / tss if tss > 0 else math.nan
    if exact_r_squared is not None:
        r_squared = exact_r_squared
    denominator = (n - 1) if intercept else n
    adj = 1 - (1 - r_squared) * denominator / df_resid if tss > 0 else math.nan
    if ridge is not None:
        f_statistic, f_p = math.nan, math.nan
    elif k and tss > 0 and rss > 0:
        f_statistic = ((tss - rss) / k) / sigma2
        f_p = stats.f_survival(f_statistic, k, df_resid)
    elif k and tss > 0:
        f_statistic, f_p = math.inf, 0.0
    else:
        f_statistic, f_p = math.nan, math.nan
    if ridge is not None:
        log_likelihood = math.nan
    elif rss > 0:
        log_likelihood = -n / 2 * (math.log(2 * math.pi) + math.log(rss / n) + 1)
    else:
        log_likelihood = math.inf
    parameters = k + offset

    rows, exact_rows = keeper.rows()
    all_slopes = np.zeros(p)
    all_slopes[kept] = beta[offset:]
    intercept_value = float(beta[0]) if intercept else 0.0
    fitted_values = intercept_value + rows[:, :p] @ all_slopes
    residuals = rows[:, p] - fitted_values
    low, q1, median, q3, high = five_numbers(residuals)

    normal = _normal_equation(factor, keeper, raw, means, features, kept, beta, ridge)
    closed = tuple(map(float, beta))
    descent = None
    used = kept
    no_intervals = (
        "No intervals: they need the OLS standard errors, which ridge estimates do not have."
        if ridge is not None
        else ""
    )
    if method == "gd":
        # The textbook loop runs on every column as given, dependent ones too.
        descent = _descend(
            raw,
            n,
            means[:p],
            (raw[1:] if intercept else raw)[:, offset:],  # centred features and target
            intercept=intercept,
            learning_rate=learning_rate,
            max_steps=max_steps,
            standardize=standardize,
            closed=None if dependent else closed,
            rank=len(columns),
        )
        closed = descent.closed_form
        if dependent:
            algorithm = (
                "the SVD of X's triangular factor, for the least-squares solution of least "
                f"norm (XᵀX is singular); R² and the residuals by {algorithm}"
            )
        all_names = (["intercept"] if intercept else []) + features
        coefficients = _replace_estimates(
            coefficients, all_names, descent.coefficients, keep_errors=not dependent
        )
        used = list(range(p))
        no_intervals = _descent_intervals(descent, bool(dependent))
    prediction = (
        _predict(
            predict,
            features,
            used,
            coefficients,
            inverse,
            sigma2,
            quantile,
            intercept,
            no_intervals,
        )
        if predict is not None
        else None
    )
    return Regression(
        n=n,
        target=target,
        features=tuple(features),
        method=method,
        coefficients=tuple(coefficients),
        r_squared=r_squared,
        adj_r_squared=adj,
        residual_std_error=math.sqrt(sigma2),
        f_statistic=f_statistic,
        f_p_value=f_p,
        df_model=k,
        df_resid=df_resid,
        log_likelihood=log_likelihood,
        aic=-2 * log_likelihood + 2 * parameters,
        bic=-2 * log_likelihood + math.log(n) * parameters,
        condition_number=condition,
        scaled_condition_number=scaled_condition,
        residuals=ResidualSummary(low, q1, median, q3, high, exact_rows, len(residuals)),
        warnings=tuple(warnings),
        dropped_rows=dropped,
        normal=normal,
        descent=descent,
        prediction=prediction,
        points=tuple(
            (float(a), float(b), float(c))
            for a, b, c in zip(rows[:, 0], rows[:, p], fitted_values, strict=True)
        ),
        intercept=intercept,
        ridge=ridge,
        algorithm=algorithm,
        exact=exact,
        closed_form=closed,
    )


def five_numbers(values: np.ndarray) -> tuple[float, float, float, float, float]:
    """Minimum, quartiles and maximum, bit for bit as np.percentile's default (linear)
    method gives them, without its import of numpy.ma (a tenth of regress's start-up).

    The q-th quantile lies at position h = (n − 1)q of the sorted values, between
    v[⌊h⌋] and the next, and is interpolated as NumPy's _lerp does it.
    """
    n = len(values)
    if np.isnan(values).any():
        return (math.nan,) * 5
    positions = [(n - 1) * q for q in (0.0, 0.25, 0.5, 0.75, 1.0)]
    below = [math.floor(h) for h in positions]
    above = [min(i + 1, n - 1) for i in below]
    ordered = np.partition(values, sorted({*below, *above}))
    numbers = []
    for h, i, j in zip(positions, below, above, strict=True):
        a, b = float(ordered[i]), float(ordered[j])
        t = h - i
        numbers.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)
    low, q1, median, q3, high = numbers
    return low, q1, median, q3, high


def _solve_scaled(
    factor: StreamedQR, columns: list[int], target_column: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """β, (XᵀX)⁻¹ and the residual sum of squares, from R of the scaled design.

    The triangular factor of the chosen columns (and the target) gives the
    scaled coefficients γ by back substitution; with x = c + s·z they map back
    to β = s_y·A⁻¹γ (+ c_y in the intercept), and (XᵀX)⁻¹ = (A⁻¹T⁻¹)(A⁻¹T⁻¹)ᵀ.
    """
    triangle = triangular_factor(factor.r[:, [*columns, target_column]])
    upper, rhs = triangle[:-1, :-1], triangle[:-1, -1]
    gamma = back_substitute(upper, rhs)
    inverse_factor = back_substitute(upper, np.eye(len(upper)))
    offset = int(factor.intercept)
    features = [c - offset for c in columns[offset:]]
    shift, scale = factor.shift[features], factor.scale[features]
    y_shift, y_scale = factor.shift[-1], factor.scale[-1]
    mapped = inverse_factor.copy()
    beta = gamma * y_scale
    mapped[offset:] = inverse_factor[offset:] / scale[:, None]
    beta[offset:] = gamma[offset:] * y_scale / scale
    if offset:
        mapped[0] = inverse_factor[0] - (shift / scale) @ inverse_factor[1:]
        beta[0] = y_shift + y_scale * gamma[0] - float(shift @ beta[1:])
    rss = float(triangle[-1, -1] ** 2) * y_scale**2
    return beta, mapped @ mapped.T, rss


def _solve_ridge(
    centred: np.ndarray, ridge: float, mean_x: np.ndarray, mean_y: float, intercept: bool
) -> tuple[np.ndarray, float]:
    """Ridge: minimise ‖y_c − X_c β‖² + λ‖β‖² as least squares on [X_c; √λ·I], then β₀.

    `centred` is a factor of the centred [X, y] (uncentred without an
    intercept), so the stacked matrix has the same normal equation
    (Sxx + λI)β = Sxy without ever forming Sxx.
    """
    k = centred.shape[1] - 1
    penalty = np.zeros((k, k + 1))
    penalty[:, :k] = math.sqrt(ridge) * np.eye(k)
    triangle = triangular_factor(np.vstack([centred, penalty]))
    slopes = back_substitute(triangle[:-1, :-1], triangle[:-1, -1]) if k else np.zeros(0)
    slopes = slopes + 0.0  # a constant column's slope is 0, not the -0.0 rounding can give
    residual = centred @ np.append(slopes, -1.0)
    rss = float(residual @ residual)
    if intercept:
        return np.concatenate([[mean_y - float(mean_x @ slopes)], slopes]), rss
    return slopes, rss


def _coefficient(name: str, estimate: float, se: float, df: int, quantile: float) -> Coefficient:
    t_value = (
        estimate / se if se > 0 else math.copysign(math.inf, estimate) if estimate else math.nan
    )
    return Coefficient(
        name,
        estimate,
        se,
        t_value,
        stats.t_two_sided_p(t_value, df),
        estimate - quantile * se,
        estimate + quantile * se,
    )


def _replace_estimates(
    coefficients: list[Coefficient],
    names: list[str],
    estimates: tuple[float, ...],
    *,
    keep_errors: bool,
) -> list[Coefficient]:
    """Gradient descent's estimates in place of the closed form's.

    The standard errors stay those of least squares (none when XᵀX is singular:
    keep_errors False); t, p and the intervals, which are about the
    least-squares estimate, do not apply to where descent stopped and are left out.
    """
    by_name = dict(zip(names, estimates, strict=True))
    return [
        Coefficient(
            c.name, by_name[c.name], c.std_error if keep_errors else math.nan, *(math.nan,) * 4
        )
        if c.name in by_name
        else c
        for c in coefficients
    ]


def _descent_intervals(descent: GradientFit, singular: bool) -> str:
    """Why a prediction after gradient descent has no intervals ("" when it may have them).

    The intervals are about the least-squares estimate: they apply only where
    descent reached it.
    """
    if singular:
        return (
            "No intervals: XᵀX is singular (collinear features), so the OLS standard errors "
            "they need are undefined."
        )
    if descent.status != "converged" or not descent.relative_distance <= 1e-6:
        return (
            "No intervals: they are about the least-squares estimate, and gradient descent "
            + (
                "diverged"
                if descent.status == "diverged"
                else f"ended at a relative distance of {descent.relative_distance:.3g} from it"
            )
            + "."
        )
    return ""


class _Dependent(Record):
    """A feature that is constant or a combination of earlier ones: what it is, in words."""

    index: int
    description: str  # "'b' is collinear with a (b = 1·a)", "'z' is constant (3 in every row)"
    involved: str  # the earlier features it is a combination of ("" when constant)
    constant: bool


def _independent_features(
    features: list[str], factor: StreamedQR, means: np.ndarray
) -> tuple[list[int], list[_Dependent]]:
    """Features least squares can fit: in order, each that is not constant nor a
    combination of earlier ones; and the others, described.

    The test is on R: the part of a feature's (scaled, centred) column that the
    earlier ones leave unexplained is the last diagonal entry of the triangular
    factor of those columns.
    """
    intercept = factor.intercept
    offset = int(intercept)
    r = factor.r
    kept: list[int] = []
    dependent: list[_Dependent] = []
    for j, name in enumerate(features):
        column = offset + j
        size = float(np.linalg.norm(r[offset:, column]))  # centred (rows 1.. of R), in z units
        spread = size * factor.scale[j]
        # Spread below the data's own rounding (1e-12 of the values) is no spread.
        if spread == 0 or (
            intercept and spread <= 1e-12 * abs(means[j]) * math.sqrt(len(features) or 1)
        ):
            what = f"constant ({means[j]:.6g} in every row)" if intercept else "0 in every row"
            dependent.append(_Dependent(j, f"'{name}' is {what}", "", True))
            continue
        if kept:
            earlier = ([0] if intercept else []) + [offset + i for i in kept]
            triangle = triangular_factor(r[:, [*earlier, column]])
            if abs(triangle[-1, -1]) < COLLINEAR_TOLERANCE * size:
                weights = back_substitute(triangle[:-1, :-1], triangle[:-1, -1])[offset:]
                raw_weights = weights * factor.scale[j] / factor.scale[kept]
                spreads = np.linalg.norm(r[offset:][:, [offset + i for i in kept]], axis=0)
                explained = weights * spreads / size  # in units of correlation
                terms = [
                    (features[i], w)
                    for i, w, e in zip(kept, raw_weights, explained, strict=True)
                    if abs(e) > 1e-6
                ]
                formula = " ".join(
                    f"{'+' if w >= 0 or t == 0 else '-'} {abs(w):.6g}·{n}"
                    for t, (n, w) in enumerate(terms)
                ).lstrip("+ ")
                if intercept:
                    # x_j = c + Σ wᵢxᵢ holds at the means too
                    constant = float(means[j] - raw_weights @ means[kept])
                    scale = abs(means[j]) + abs(float(raw_weights @ means[kept]))
                    if abs(constant) > 1e-9 * scale:
                        formula += f" {'+' if constant > 0 else '-'} {abs(constant):.6g}"
                involved = ", ".join(n for n, _ in terms)
                dependent.append(
                    _Dependent(
                        j,
                        f"'{name}' is collinear with {involved} ({name} = {formula})",
                        involved,
                        False,
                    )
                )
                continue
        kept.append(j)
    return kept, dependent


def _explain_dependent(
    dependent: list[_Dependent], features: list[str], intercept: bool, how: str
) -> list[str]:
    """Warnings for features that least squares cannot tell apart, by what the fit did.

    how: "dropped" (least squares: left out), "ridge" (λ makes them solvable) or
    "descent" (gradient descent runs on every column as given).
    """
    warnings = []
    for item in dependent:
        name = features[item.index]
        if how == "dropped" and item.constant:
            reason = (
                "so its effect cannot be told apart from the intercept"
                if intercept
                else "so it has no effect to estimate"
            )
            warnings.append(
                f"{item.description}, {reason}; it was left out of the fit (remove it with "
                "--features)"
            )
        elif how == "dropped":
            alternatives = f"one of {item.involved}" if ", " in item.involved else item.involved
            warnings.append(
                f"{item.description}, so their effects cannot be told apart; '{name}' was left "
                f"out of the fit (drop it or {alternatives} with --features)"
            )
        elif how == "ridge" and item.constant:
            warnings.append(
                f"{item.description}: it has no spread for a slope to act on, so ridge gives it "
                "0 (least squares could not fit it at all)"
            )
        elif how == "ridge":
            warnings.append(
                f"{item.description}: least squares cannot tell them apart (XᵀX is singular), "
                "but XᵀX + λI' is invertible for λ > 0, so ridge fits every column and the "
                "collinear ones share the weight"
            )
        else:
            warnings.append(
                f"{item.description}, so XᵀX is singular and least squares has many solutions; "
                "gradient descent from zeros runs on every column as given and heads for the "
                "one of least norm"
                + (" (in standardised units)" if how == "descent, standardized" else "")
                + ", which is the closed form it is compared with; standard errors are undefined"
            )
    return warnings


def _warn_collinearity(
    features: list[str],
    kept: list[int],
    inverse: np.ndarray,
    centred: np.ndarray,
    intercept: bool,
    warnings: list[str],
) -> None:
    """Warn about near collinearity: variance inflation factors above VIF_WARNING.

    VIFⱼ = [(XᵀX)⁻¹]ⱼⱼ·Sⱼⱼ (with the intercept in the model, the feature block
    of (XᵀX)⁻¹ is Sxx⁻¹).
    """
    if not intercept or not kept:
        return
    sums_of_squares = np.sum(centred[:, :-1] ** 2, axis=0)
    vif = np.diag(inverse)[1:] * sums_of_squares
    inflated = [
        f"{features[j]} ({v:.3g})" for j, v in zip(kept, vif, strict=True) if v > VIF_WARNING
    ]
    if inflated:
        warnings.append(
            "strong multicollinearity: variance inflation factor above "
            f"{VIF_WARNING:g} for {', '.join(inflated)}; their coefficients are unstable "
            "(large standard errors); consider removing or combining those features"
        )


def _condition_numbers(design_factor: np.ndarray) -> tuple[float, float]:
    """cond(X) of the design (with its column of ones), as statsmodels reports it, and
    cond(X) with X's columns scaled to unit length.

    X = Q·F with F small, so X and F share their singular values (and column lengths);
    F never forms XᵀX, whose rounding would swamp the smallest one.
    """
    lengths = np.linalg.norm(design_factor, axis=0)
    lengths = np.where(lengths > 0, lengths, 1.0)  # a column of zeros stays as it is
    unit = design_factor / lengths
    scaled = _ratio(np.linalg.svd(unit, compute_uv=False))
    if scaled > 1e15:
        scaled = math.inf  # singular: beyond 1/ε is rounding error's reciprocal
    singular = np.linalg.svd(design_factor, compute_uv=False)
    rows, columns = design_factor.shape
    if singular[-1] > 1e-12 * singular[0] or rows < columns or np.any(design_factor[columns:]):
        return _ratio(singular), scaled
    # σ_min is below what the SVD resolves (its error is ε·σ_max): with columns of
    # very different scales (1 and 1e-40) the design may still be far from singular.
    # F = F_u·D with unit-length columns F_u, so ‖F⁻¹‖ = ‖D⁻¹F_u⁻¹‖, and F_u⁻¹ is as
    # accurate as F_u is well conditioned.
    if math.isinf(scaled):
        return math.inf, scaled
    with np.errstate(all="ignore"):
        scaled_inverse = np.linalg.inv(unit[:columns]) / lengths[:, None]
        if not np.all(np.isfinite(scaled_inverse)):
            return math.inf, scaled
        return float(singular[0] * np.linalg.norm(scaled_inverse, 2)), scaled


def _ratio(singular: np.ndarray) -> float:
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else math.inf


def _normal_equation(
    factor: StreamedQR,
    keeper: RowKeeper,
    raw: np.ndarray,
    means: np.ndarray,
    features: list[str],
    kept: list[int],
    beta: np.ndarray,
    ridge: float | None,
) -> NormalEquation:
    n, p = factor.n, len(features)
    offset = int(factor.intercept)
    gram = raw.T @ raw  # [1, X, y]ᵀ[1, X, y], for display
    if keeper.all_rows is not None:  # small enough to keep: the sums exactly
        rows, _ = keeper.rows()
        exact = exact_gram([np.ones(n)] * offset + list(rows.T))
        gram = gram if exact is None else exact
    xtx = gram[:-1, :-1].copy()
    xty = gram[:-1, -1]
    design_rows = target_values = None
    if n <= SHOWN_ROWS and keeper.all_rows is not None:
        rows, _ = keeper.rows()
        design_rows = tuple((*((1.0,) * offset), *map(float, row[:p])) for row in rows)
        target_values = tuple(float(v) for v in rows[:, p])
    centred = (raw[1:] if offset else raw)[:, [offset + j for j in kept] + [offset + p]]
    comoments = centred.T @ centred
    sxx = comoments[:-1, :-1].copy()
    if ridge is not None:
        penalised = np.arange(offset, p + offset)
        xtx[penalised, penalised] += ridge
        sxx[np.diag_indices_from(sxx)] += ridge
    return NormalEquation(
        design_rows=design_rows,
        target_values=target_values,
        xtx=_matrix(xtx),
        xty=tuple(map(float, xty)),
        means=tuple(map(float, means)),
        fitted=tuple(features[j] for j in kept),
        sxx=_matrix(sxx),
        sxy=tuple(map(float, comoments[:-1, -1])),
        syy=float(comoments[-1, -1]),
        slopes=tuple(map(float, beta[offset:])),
        intercept=float(beta[0]) if offset else 0.0,
        ridge=ridge,
    )


def _matrix(values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(map(float, row)) for row in values)


def _descend(
    factor: np.ndarray,
    n: int,
    mean_x: np.ndarray,
    centred: np.ndarray,
    *,
    intercept: bool,
    learning_rate: float,
    max_steps: int,
    standardize: bool,
    closed: tuple[float, ...] | None,
    rank: int,
) -> GradientFit:
    """Batch gradient descent as the textbooks write it, from zeros.

    J(θ) = (1/n)Σ(ŷ − y)² with ŷ = b + xᵀw, ∂J/∂w = (2/n)Σ(ŷ − y)x and
    ∂J/∂b = (2/n)Σ(ŷ − y); each step θ ← θ − α∇J. `factor` is F with
    [1, X, y] = QF, so Σ(ŷ − y)² = ‖F[θ; −1]‖² and Xᵀ(ŷ − y) = F_Xᵀ F[θ; −1]:
    every step is the exact full-batch step over all rows, at O(p²) cost.
    With `standardize`, the features are z = (x − x̄)/s (s the population
    standard deviation; a constant column is only centred) and the coefficients
    are mapped back to x's units.

    `closed` is the least-squares solution descent is compared with; None when
    XᵀX is singular (`rank` below the columns), where least squares has many
    solutions: descent from zeros never leaves the row space of the design, so
    it heads for the one of least norm, which is then computed here instead.
    """
    offset = int(intercept)
    design, target = factor[:, :-1].copy(), factor[:, -1]
    spread = np.ones(len(mean_x))
    if standardize:
        spread = np.sqrt(np.sum(centred[:, :-1] ** 2, axis=0) / n)
        spread[spread == 0] = 1.0
        design[:, offset:] = (design[:, offset:] - np.outer(design[:, 0], mean_x)) / spread

    def original(theta: np.ndarray) -> tuple[float, ...]:
        if not standardize:
            return tuple(map(float, theta))
        slopes = theta[offset:] / spread
        return (float(theta[0] - mean_x @ slopes), *map(float, slopes))

    left, singular, right = np.linalg.svd(design, full_matrices=False)
    largest = 2 / n * float(singular[0] ** 2) if len(singular) else 0.0
    minimum_norm = closed is None
    if closed is None:
        # θ⁺ = V_r Σ_r⁻¹ U_rᵀ t over the rank's nonzero singular values
        theta_plus = right[:rank].T @ ((left[:, :rank].T @ target) / singular[:rank])
        closed = original(theta_plus)
    theta = np.zeros(design.shape[1])
    rows: list[DescentRow] = []
    status = "max_steps"
    first_loss = math.nan
    # A diverging run overflows: that is its result, diagnosed below, not a warning.
    with np.errstate(all="ignore"):
        for step in range(max_steps + 1):
            residual = design @ theta - target
            loss = float(residual @ residual) / n
            gradient = 2 / n * (design.T @ residual)
            gradient_norm = float(np.linalg.norm(gradient))
            if step == 0:
                first_loss = loss
            if not math.isfinite(loss) or (first_loss > 0 and loss > 1e12 * first_loss):
                status = "diverged"
                rows.append(DescentRow(step, loss, original(theta), gradient_norm))
                break
            rows.append(DescentRow(step, loss, original(theta), gradient_norm))
            if step == max_steps:
                break
            update = learning_rate * gradient
            if step and float(np.linalg.norm(update)) <= 1e-13 * float(np.linalg.norm(theta)):
                status = "converged"
                break
            theta = theta - update
    if status == "max_steps" and learning_rate * largest > 2 * (1 + 1e-9):
        # Above 2/L the error along the steepest direction grows by |1 − αL| a
        # step: slowly when α is just above, but it never converges.
        status = "diverged"
    final = rows[-1].coefficients
    closed_array = np.array(closed)
    with np.errstate(all="ignore"):
        difference = np.abs(np.array(final) - closed_array)
        relative = np.where(closed_array != 0, difference / np.abs(closed_array), difference)
        distance = float(np.linalg.norm(np.array(final) - closed_array))
    closed_norm = float(np.linalg.norm(closed_array))
    return GradientFit(
        learning_rate=learning_rate,
        max_steps=max_steps,
        steps=rows[-1].iteration,
        status=status,
        standardized=standardize,
        table=tuple(rows),
        losses=tuple(row.loss for row in rows),
        coefficients=final,
        closed_form=closed,
        max_difference=float(difference.max()) if len(difference) else 0.0,
        relative_differences=tuple(map(float, relative)),
        relative_distance=distance / closed_norm if closed_norm else distance,
        largest_eigenvalue=largest,
        stable_below=2 / largest if largest > 0 else math.inf,
        minimum_norm=minimum_norm,
    )


def parse_point(value: str | Mapping[str, float], features: Iterable[str]) -> dict[str, float]:
    """'sqft=1600,rooms=3' (or a dict) -> {'sqft': 1600.0, 'rooms': 3.0}, every feature once.

    A column whose name is not an identifier ("price ($)", "a b") is written as
    it is: "price ($)=3, a b=2".
    """
    names = list(features)
    # Such names become stand-in identifiers for read_point, and are put back after.
    stand_ins = {name: f"column_{i}_" for i, name in enumerate(names) if not name.isidentifier()}
    if isinstance(value, str):
        for name in sorted(stand_ins, key=len, reverse=True):  # "a b c" before "a b"
            pattern = r"(^|[,;])(\s*)" + re.escape(name) + r"(?=\s*=)"
            value = re.sub(pattern, rf"\g<1>\g<2>{stand_ins[name]}", value)
    elif isinstance(value, Mapping):
        value = {stand_ins.get(str(key), key): number for key, number in value.items()}
    try:
        point = read_point(value, "--predict")
    except InputError as error:
        message = str(error)
        for name, stand_in in stand_ins.items():
            message = message.replace(stand_in, name)
        raise InputError(message) from None
    originals = {stand_in: name for name, stand_in in stand_ins.items()}
    point = {originals.get(key, key): number for key, number in point.items()}
    return check_point(point, names, "--predict", owner="the model", kind="feature")


def _predict(
    point: Mapping[str, float],
    features: list[str],
    kept: list[int],
    coefficients: list[Coefficient],
    inverse: np.ndarray,
    sigma2: float,
    quantile: float,
    intercept: bool,
    no_intervals: str,
) -> Prediction:
    """ŷ at the point, with 95% intervals unless `no_intervals` says why there are none."""
    by_name = {c.name: c.estimate for c in coefficients}
    terms = tuple((features[j], by_name[features[j]], point[features[j]]) for j in kept)
    start = by_name["intercept"] if intercept else 0.0
    value = start + sum(b * x for _, b, x in terms)
    at = np.array(([1.0] if intercept else []) + [point[features[j]] for j in kept])
    mean_variance = math.nan if no_intervals else sigma2 * float(at @ inverse @ at)
    se_mean = math.sqrt(mean_variance) if mean_variance >= 0 else math.nan
    se_new = math.sqrt(mean_variance + sigma2) if mean_variance >= 0 else math.nan
    return Prediction(
        point=tuple((name, point[name]) for name in features),
        terms=terms,
        intercept=start,
        value=value,
        std_error_mean=se_mean,
        conf_int=(value - quantile * se_mean, value + quantile * se_mean),
        pred_int=(value - quantile * se_new, value + quantile * se_new),
        note=no_intervals,
    )


def check_every(every: int | None, method: str = "gd", json_output: bool = False) -> None:
    """--every picks every k-th row of the gradient-descent table: k ≥ 1, with --method gd,
    and not with JSON, which holds every iteration (as in descend; the CLI and the API)."""
    if every is None:
        return
    if every < 1:
        raise InputError(f"--every must be at least 1, got {every}")
    if method.strip().lower() != "gd":
        raise InputError("--every thins gradient descent's table: it applies to --method gd only")
    if json_output:
        raise InputError("--every thins the table; --format json always has every iteration")
