"""Ordinary least squares from a stream of rows, with the statistics of statsmodels' OLS.

Only sufficient statistics are kept: the row count, the column means and the
matrix of centred cross-products (co-moments), merged block by block with Chan's
parallel update. Memory is O(p²) whatever the number of rows, and centring
keeps the numbers sound when a feature is 1e6 give or take 1, where the raw
sums of XᵀX would lose every digit of the spread.

The model is y = β₀ + Σ βⱼ xⱼ + ε. Writing S for co-moments (sums of products of
deviations from the means), the normal equation XᵀXβ = Xᵀy splits into
Sxx β = Sxy for the slopes and β₀ = ȳ - x̄ᵀβ for the intercept; Sxx is solved
after scaling to the correlation matrix, with a check that each feature adds
something the others do not (else it is named and left out of the fit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from mathml_cli.core import stats
from mathml_cli.core.streaming import Moments
from mathml_cli.core.table import CsvTable
from mathml_cli.errors import InputError, did_you_mean

EXACT_ROWS = 100_000  # rows kept for an exact residual summary and plot
SAMPLE_ROWS = 10_000  # beyond that, a uniform random sample of rows is kept
SHOWN_ROWS = 10  # at most this many rows: the step-by-step shows X and y themselves
ALIASED_TOLERANCE = 1e-10  # share of a feature's variance the others may leave unexplained
VIF_WARNING = 1000.0


@dataclass(frozen=True)
class Coefficient:
    name: str  # "intercept" or the feature's column name
    estimate: float  # nan for a feature left out of the fit
    std_error: float
    t_value: float
    p_value: float
    conf_low: float
    conf_high: float


@dataclass(frozen=True)
class NormalEquation:
    """The working of the closed form, in the numbers a reader can check."""

    design_rows: tuple[tuple[float, ...], ...] | None  # X with its column of ones (small data)
    target_values: tuple[float, ...] | None
    xtx: tuple[tuple[float, ...], ...]  # XᵀX: n, Σx and Σxxᵀ
    xty: tuple[float, ...]  # Xᵀy: Σy and Σxy
    means: tuple[float, ...]  # x̄ (each feature) then ȳ
    fitted: tuple[str, ...]  # the features solved for
    sxx: tuple[tuple[float, ...], ...]  # co-moments of the fitted features
    sxy: tuple[float, ...]
    syy: float
    slopes: tuple[float, ...]
    intercept: float


@dataclass(frozen=True)
class DescentRow:
    iteration: int
    loss: float
    coefficients: tuple[float, ...]  # intercept first, in original units


@dataclass(frozen=True)
class Descent:
    learning_rate: float
    max_steps: int
    steps: int
    status: str  # "converged", "max_steps" or "diverged"
    table: tuple[DescentRow, ...]
    losses: tuple[float, ...]
    coefficients: tuple[float, ...]  # intercept first, original units
    closed_form: tuple[float, ...]
    max_difference: float  # largest |gd - closed form| over the coefficients
    stable_below: float  # learning rates under this converge (2 / largest eigenvalue)


@dataclass(frozen=True)
class ResidualSummary:
    minimum: float
    first_quartile: float
    median: float
    third_quartile: float
    maximum: float
    exact: bool  # False: estimated from a uniform random sample of rows
    rows_used: int


@dataclass(frozen=True)
class Prediction:
    point: tuple[tuple[str, float], ...]
    terms: tuple[tuple[str, float, float], ...]  # (feature, coefficient, value)
    intercept: float
    value: float
    std_error_mean: float  # of the fitted mean at the point
    conf_int: tuple[float, float]  # 95% for the mean
    pred_int: tuple[float, float]  # 95% for a new observation


@dataclass(frozen=True)
class Regression:
    n: int
    target: str
    features: tuple[str, ...]
    method: str
    coefficients: tuple[Coefficient, ...]  # intercept first
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
    residuals: ResidualSummary
    warnings: tuple[str, ...]
    dropped_rows: int
    normal: NormalEquation
    descent: Descent | None
    prediction: Prediction | None
    points: tuple[tuple[float, float, float], ...]  # (first feature, actual, fitted) rows


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
    learning_rate: float = 0.1,
    max_steps: int = 10_000,
    predict: str | None = None,
) -> Regression:
    """Fit target ~ features by least squares, streaming the table once.

    target: a column name (default: the last column); features: column names
    (default: every other column); predict: a point like "sqft=1600,rooms=3".
    """
    target_name, feature_names = choose_columns(table, target, features)
    point = parse_point(predict, feature_names) if predict is not None else None
    columns = [table.column_index(name, "--features") for name in feature_names]
    columns.append(table.column_index(target_name, "--target"))
    moments = Moments(len(columns))
    keeper = RowKeeper(len(columns))
    for block in table.blocks(columns, drop_missing=drop_missing):
        moments.add(block)
        keeper.add(block)
    return fit(
        moments,
        keeper,
        source=table.source,
        target=target_name,
        features=feature_names,
        dropped=table.counts.dropped,
        method=method,
        learning_rate=learning_rate,
        max_steps=max_steps,
        predict=point,
    )


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
            table.column_index(name, "--features")
        if target_name in chosen:
            raise InputError(f"--features includes the target '{target_name}'")
        repeated = sorted({name for name in chosen if chosen.count(name) > 1})
        if repeated:
            raise InputError(f"--features names {', '.join(repeated)} more than once")
        if not chosen:
            raise InputError("--features is empty: name at least one column")
    return target_name, chosen


def fit(
    moments: Moments,
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
) -> Regression:
    n, p = moments.n, len(features)
    if n == 0:
        left = f" (all {dropped} rows had missing values)" if dropped else ""
        raise InputError(f"{source} has no data rows, only a header{left}")
    if n <= p + 1:
        raise InputError(
            f"{n} row{'s' if n != 1 else ''} for {p + 1} parameters (intercept and {p} "
            f"feature{'s' if p != 1 else ''}): least squares needs more rows than parameters "
            "to estimate the noise"
        )
    mean_x, mean_y = moments.mean[:p], float(moments.mean[p])
    sxx_all, sxy_all = moments.comoment[:p, :p], moments.comoment[:p, p]
    syy = float(moments.comoment[p, p])
    warnings: list[str] = []
    kept = _independent_features(features, mean_x, sxx_all, warnings)
    if dropped:
        warnings.insert(
            0,
            f"{dropped} row{'s' if dropped != 1 else ''} with missing values "
            "left out (--drop-missing)",
        )
    sxx = sxx_all[np.ix_(kept, kept)]
    sxy = sxy_all[kept]
    scale = np.sqrt(np.diag(sxx))
    correlation = sxx / np.outer(scale, scale) if kept else np.zeros((0, 0))
    scaled_slopes = np.linalg.solve(correlation, sxy / scale) if kept else np.zeros(0)
    slopes = scaled_slopes / scale if kept else np.zeros(0)
    intercept = mean_y - float(mean_x[kept] @ slopes)
    k = len(kept)
    df_resid = n - k - 1
    ssr = max(syy - float(scaled_slopes @ (sxy / scale)), 0.0) if kept else syy
    sigma2 = ssr / df_resid
    inverse_sxx = np.linalg.inv(correlation) / np.outer(scale, scale) if kept else np.zeros((0, 0))
    slope_se = np.sqrt(sigma2 * np.diag(inverse_sxx))
    centre = mean_x[kept]
    intercept_se = math.sqrt(sigma2 * (1 / n + float(centre @ inverse_sxx @ centre)))
    if k:
        vif = np.diag(np.linalg.inv(correlation))
        inflated = [
            f"{features[j]} ({v:.3g})" for j, v in zip(kept, vif, strict=True) if v > VIF_WARNING
        ]
        if inflated:
            warnings.append(
                "strong multicollinearity: variance inflation factor above "
                f"{VIF_WARNING:g} for {', '.join(inflated)}; their coefficients are unstable "
                "(large standard errors); consider removing or combining those features"
            )
    if syy == 0:
        warnings.append(f"the target '{target}' is constant: R² and the F-test are undefined")
    elif ssr <= 1e-20 * syy:
        warnings.append(
            f"the features predict '{target}' exactly (the residuals are rounding error), so the "
            "standard errors, t values, p-values and intervals carry no information"
        )

    quantile = stats.t_quantile(0.975, df_resid)
    estimates = {features[j]: float(b) for j, b in zip(kept, slopes, strict=True)}
    errors = {features[j]: float(s) for j, s in zip(kept, slope_se, strict=True)}
    coefficients = [_coefficient("intercept", intercept, intercept_se, df_resid, quantile)]
    for name in features:
        if name in estimates:
            coefficients.append(
                _coefficient(name, estimates[name], errors[name], df_resid, quantile)
            )
        else:
            coefficients.append(Coefficient(name, *(math.nan,) * 6))

    r_squared = 1 - ssr / syy if syy > 0 else math.nan
    adj = 1 - (1 - r_squared) * (n - 1) / df_resid if syy > 0 else math.nan
    if k and syy > 0 and ssr > 0:
        f_statistic = ((syy - ssr) / k) / sigma2
        f_p = stats.f_survival(f_statistic, k, df_resid)
    elif k and syy > 0:
        f_statistic, f_p = math.inf, 0.0
    else:
        f_statistic, f_p = math.nan, math.nan
    log_likelihood = (
        -n / 2 * (math.log(2 * math.pi) + math.log(ssr / n) + 1) if ssr > 0 else math.inf
    )
    parameters = k + 1

    rows, exact = keeper.rows()
    all_slopes = np.zeros(p)
    all_slopes[kept] = slopes
    fitted_values = intercept + rows[:, :p] @ all_slopes
    residuals = rows[:, p] - fitted_values
    low, q1, median, q3, high = (float(q) for q in np.percentile(residuals, [0, 25, 50, 75, 100]))

    normal = _normal_equation(moments, keeper, features, kept, slopes, intercept, syy)
    descent = None
    if method == "gd":
        descent = _descend(moments, kept, learning_rate, max_steps, intercept, slopes, syy)
        if descent.status == "converged":
            estimates_gd = descent.coefficients
            coefficients = _replace_estimates(coefficients, features, kept, estimates_gd)
    prediction = (
        _predict(predict, features, kept, coefficients, n, mean_x, inverse_sxx, sigma2, quantile)
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
        condition_number=_condition_number(n, mean_x[kept], sxx),
        residuals=ResidualSummary(low, q1, median, q3, high, exact, len(residuals)),
        warnings=tuple(warnings),
        dropped_rows=dropped,
        normal=normal,
        descent=descent,
        prediction=prediction,
        points=tuple(
            (float(a), float(b), float(c))
            for a, b, c in zip(rows[:, 0], rows[:, p], fitted_values, strict=True)
        ),
    )


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
    features: list[str],
    kept: list[int],
    estimates: tuple[float, ...],
) -> list[Coefficient]:
    """The closed form's statistics around gradient descent's estimates."""
    by_name = {"intercept": estimates[0]}
    by_name.update({features[j]: b for j, b in zip(kept, estimates[1:], strict=True)})
    result = []
    for c in coefficients:
        if c.name in by_name:
            shift = by_name[c.name] - c.estimate
            result.append(
                Coefficient(
                    c.name,
                    by_name[c.name],
                    c.std_error,
                    c.t_value,
                    c.p_value,
                    c.conf_low + shift,
                    c.conf_high + shift,
                )
            )
        else:
            result.append(c)
    return result


def _independent_features(
    features: list[str], mean_x: np.ndarray, sxx: np.ndarray, warnings: list[str]
) -> list[int]:
    """Features to fit: in order, each that is not constant nor a combination of earlier ones.

    The others are named in `warnings`, with what to do.
    """
    variances = np.diag(sxx)
    kept: list[int] = []
    for j, name in enumerate(features):
        spread = math.sqrt(max(variances[j], 0.0))
        # Spread below the data's own rounding (1e-12 of the values) is no spread.
        if spread == 0 or spread <= 1e-12 * abs(mean_x[j]) * math.sqrt(len(features) or 1):
            warnings.append(
                f"'{name}' is constant ({mean_x[j]:.6g} in every row), so its effect cannot be "
                "told apart from the intercept; it was left out of the fit (remove it with "
                "--features)"
            )
            continue
        if kept:
            scale = np.sqrt(variances[kept])
            correlation = sxx[np.ix_(kept, kept)] / np.outer(scale, scale)
            towards = sxx[kept, j] / (scale * spread)
            explained = np.linalg.solve(correlation, towards)
            unexplained = 1 - float(towards @ explained)
            if unexplained < ALIASED_TOLERANCE:
                weights = explained * spread / scale
                terms = [
                    (features[i], w)
                    for i, w, e in zip(kept, weights, explained, strict=True)
                    if abs(e) > 1e-6
                ]
                formula = " ".join(
                    f"{'+' if w >= 0 or t == 0 else '-'} {abs(w):.6g}·{n}"
                    for t, (n, w) in enumerate(terms)
                ).lstrip("+ ")
                involved = ", ".join(n for n, _ in terms)
                warnings.append(
                    f"'{name}' is collinear with {involved} ({name} = {formula} + constant), "
                    f"so their effects cannot be told apart; '{name}' was left out of the fit "
                    "(drop it or one of "
                    f"{involved} with --features)"
                )
                continue
        kept.append(j)
    return kept


def _condition_number(n: int, mean_x: np.ndarray, sxx: np.ndarray) -> float:
    """cond(X) of the design with its column of ones, as statsmodels reports it.

    XᵀX = GᵀG with G = [[√n, √n x̄ᵀ], [0, F]] for any F with FᵀF = Sxx, so X and
    the small matrix G share their singular values; G never forms the huge raw
    sums whose rounding would swamp the smallest one.
    """
    k = len(mean_x)
    eigenvalues, vectors = np.linalg.eigh(sxx) if k else (np.zeros(0), np.zeros((0, 0)))
    factor = (np.sqrt(np.clip(eigenvalues, 0, None))[:, None] * vectors.T) if k else vectors
    g = np.zeros((k + 1, k + 1))
    g[0, 0] = math.sqrt(n)
    g[0, 1:] = math.sqrt(n) * mean_x
    g[1:, 1:] = factor
    singular = np.linalg.svd(g, compute_uv=False)
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else math.inf


def _normal_equation(
    moments: Moments,
    keeper: RowKeeper,
    features: list[str],
    kept: list[int],
    slopes: np.ndarray,
    intercept: float,
    syy: float,
) -> NormalEquation:
    n, p = moments.n, len(features)
    mean = moments.mean
    raw = moments.comoment + n * np.outer(mean, mean)  # Σ zzᵀ for z = (x, y), for display
    xtx = np.empty((p + 1, p + 1))
    xtx[0, 0] = n
    xtx[0, 1:] = xtx[1:, 0] = n * mean[:p]
    xtx[1:, 1:] = raw[:p, :p]
    xty = np.concatenate([[n * mean[p]], raw[:p, p]])
    design_rows = target_values = None
    if n <= SHOWN_ROWS and keeper.all_rows is not None:
        rows, _ = keeper.rows()
        design_rows = tuple((1.0, *map(float, row[:p])) for row in rows)
        target_values = tuple(float(v) for v in rows[:, p])
    sxx = moments.comoment[np.ix_(kept, kept)]
    return NormalEquation(
        design_rows=design_rows,
        target_values=target_values,
        xtx=_matrix(xtx),
        xty=tuple(map(float, xty)),
        means=tuple(map(float, mean)),
        fitted=tuple(features[j] for j in kept),
        sxx=_matrix(sxx),
        sxy=tuple(float(v) for v in moments.comoment[kept, p]),
        syy=syy,
        slopes=tuple(map(float, slopes)),
        intercept=intercept,
    )


def _matrix(values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(map(float, row)) for row in values)


def _descend(
    moments: Moments,
    kept: list[int],
    learning_rate: float,
    max_steps: int,
    intercept: float,
    slopes: np.ndarray,
    syy: float,
) -> Descent:
    """Batch gradient descent on standardised features, from the sufficient statistics.

    With zⱼ = (xⱼ - x̄ⱼ)/sⱼ (sⱼ the population standard deviation) and the model
    ŷ = b + zᵀw, the loss J = (1/2n) Σ (ŷ - y)² is, exactly,
    ½[(b - ȳ)² + wᵀCw - 2wᵀc + Syy/n] with C the features' correlation matrix and
    c = Szy/n: each step costs O(p²) whatever the number of rows, and is the same
    step the full-batch gradient over every row would take.
    """
    n = moments.n
    p = len(moments.mean) - 1
    mean_x, mean_y = moments.mean[kept], float(moments.mean[p])
    spread = np.sqrt(np.diag(moments.comoment)[kept] / n)
    corr = moments.comoment[np.ix_(kept, kept)] / n / np.outer(spread, spread)
    towards = moments.comoment[kept, p] / n / spread
    b, w = 0.0, np.zeros(len(kept))
    largest = float(np.linalg.eigvalsh(corr)[-1]) if kept else 0.0
    stable_below = 2 / max(largest, 1.0)

    def loss(b: float, w: np.ndarray) -> float:
        return 0.5 * ((b - mean_y) ** 2 + float(w @ corr @ w) - 2 * float(w @ towards) + syy / n)

    def original(b: float, w: np.ndarray) -> tuple[float, ...]:
        beta = w / spread
        return (b - float(mean_x @ beta), *map(float, beta))

    scale = math.sqrt(syy / n + mean_y**2) or 1.0
    losses = [loss(b, w)]
    checkpoints = {0, 1, 2, 5} | {m * 10**e for e in range(1, 8) for m in (1, 2, 5)}
    table = [DescentRow(0, losses[0], original(b, w))]
    status = "max_steps"
    step = 0
    for step in range(1, max_steps + 1):
        grad_b = b - mean_y
        grad_w = corr @ w - towards
        b -= learning_rate * grad_b
        w = w - learning_rate * grad_w
        losses.append(loss(b, w))
        if not math.isfinite(losses[-1]) or losses[-1] > 1e12 * (losses[0] + 1):
            status = "diverged"
            break
        if step in checkpoints:
            table.append(DescentRow(step, losses[-1], original(b, w)))
        if math.sqrt(grad_b**2 + float(grad_w @ grad_w)) < 1e-10 * scale:
            status = "converged"
            break
    if table[-1].iteration != step:
        table.append(DescentRow(step, losses[-1], original(b, w)))
    final = original(b, w)
    closed = (intercept, *map(float, slopes))
    gap = max(abs(a - c) for a, c in zip(final, closed, strict=True))
    return Descent(
        learning_rate=learning_rate,
        max_steps=max_steps,
        steps=step,
        status=status,
        table=tuple(table),
        losses=tuple(losses),
        coefficients=final,
        closed_form=closed,
        max_difference=gap,
        stable_below=stable_below,
    )


def parse_point(text: str, features: Iterable[str]) -> dict[str, float]:
    """'sqft=1600,rooms=3' -> {'sqft': 1600.0, 'rooms': 3.0}, every feature given once."""
    names = list(features)
    point: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise InputError(f'--predict must look like "{names[0]}=1.5,...", got {text!r}')
        if name not in names:
            raise InputError(
                f"--predict: '{name}' is not a feature{did_you_mean(name, names)}; "
                f"the features are: {', '.join(names)}"
            )
        if name in point:
            raise InputError(f"--predict gives '{name}' twice")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or "_" in value:
            raise InputError(f"--predict: '{value}' for {name} is not a number")
        point[name] = number
    missing = [name for name in names if name not in point]
    if missing:
        raise InputError(
            f"--predict needs a value for every feature; missing: {', '.join(missing)}"
        )
    return point


def _predict(
    point: Mapping[str, float],
    features: list[str],
    kept: list[int],
    coefficients: list[Coefficient],
    n: int,
    mean_x: np.ndarray,
    inverse_sxx: np.ndarray,
    sigma2: float,
    quantile: float,
) -> Prediction:
    by_name = {c.name: c.estimate for c in coefficients}
    terms = tuple((features[j], by_name[features[j]], point[features[j]]) for j in kept)
    value = by_name["intercept"] + sum(b * x for _, b, x in terms)
    offset = np.array([point[features[j]] for j in kept]) - mean_x[kept]
    mean_variance = sigma2 * (1 / n + float(offset @ inverse_sxx @ offset))
    se_mean = math.sqrt(mean_variance)
    se_new = math.sqrt(mean_variance + sigma2)
    return Prediction(
        point=tuple((name, point[name]) for name in features),
        terms=terms,
        intercept=by_name["intercept"],
        value=value,
        std_error_mean=se_mean,
        conf_int=(value - quantile * se_mean, value + quantile * se_mean),
        pred_int=(value - quantile * se_new, value + quantile * se_new),
    )
