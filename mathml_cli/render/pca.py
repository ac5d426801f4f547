"""`mathml pca` as a View (every format but JSON) and as JSON data."""

from __future__ import annotations

from typing import Any

from mathml_cli.core.pca import Pca
from mathml_cli.render import view as v
from mathml_cli.render.common import step_heading

MAX_SHOWN = 8  # columns (and matrix rows) shown before a cut


def _shown(count: int) -> list[int | None]:
    if count <= MAX_SHOWN:
        return list(range(count))
    return [*range(MAX_SHOWN - 2), None, count - 2, count - 1]


def _matrix(name: v.Math, rows: tuple[tuple[float, ...], ...], role: Any = None) -> v.Matrix:
    columns = _shown(len(rows[0]))
    cells = tuple(
        tuple("⋮" if c is not None else "⋱" for c in columns)
        if r is None
        else tuple("…" if c is None else rows[r][c] for c in columns)
        for r in _shown(len(rows))
    )
    return v.Matrix(cells, name, role)


def _columns_table(names: tuple[str, ...], rows: list[tuple[Any, ...]], first: v.Column) -> v.Table:
    """A table with one column per data column (cut to MAX_SHOWN of them)."""
    shown = _shown(len(names))
    columns = (first, *(v.Column(names[j] if j is not None else "…") for j in shown))
    body = tuple((row[0], *("…" if j is None else row[1 + j] for j in shown)) for row in rows)
    return v.Table(columns, body)


def view(result: Pca, *, plot: bool = False, scores_file: str | None = None) -> v.View:
    """Means and centring, the covariance, its eigenvectors, the variance explained, scores."""
    p = len(result.columns)
    matrix_name = "correlation matrix" if result.standardized else "covariance matrix"
    intro = (
        "PCA finds the orthogonal directions along which the data vary most: the "
        f"eigenvectors of the {matrix_name}, ordered by their eigenvalues (the variance "
        + (
            "along each, in units of each column's own variance)."
            if result.standardized
            else "along each)."
        )
    )
    blocks: list[v.Block] = [
        v.Paragraph(
            (
                v.Span(f"Principal component analysis of {v.count(p, 'column')}"),
                f" ({result.source}, n = {result.n:,} rows), on the {matrix_name}",
            )
        ),
        v.Note((intro,)),
        _centring(result),
        _covariance(result),
        _decomposition(result),
        _explained(result),
        _projection(result, scores_file),
        _svd(result),
    ]
    for warning in result.warnings:
        blocks.append(v.Note((warning,), "warning"))
    if plot:
        blocks += plots(result)
    return v.View("mathml pca", tuple(blocks), "mathml pca")


def _centring(result: Pca) -> v.Section:
    first = len(result.first_rows)
    means = _columns_table(
        result.columns,
        [
            (v.Math("mean x̄", r"\text{mean } \bar{x}"), *result.means),
            (v.Math("std s", r"\text{std } s"), *result.std),
        ],
        v.Column("", align="left", format="text"),
    )
    # With --standardize, what the covariance is taken of: (x - x̄)/s.
    scales = result.std if result.standardized else (1.0,) * len(result.means)
    centred = [
        tuple(
            (value - mean) / scale
            for value, mean, scale in zip(row, result.means, scales, strict=True)
        )
        for row in result.first_rows
    ]
    rows_table = _columns_table(
        result.columns,
        [(i + 1, *row) for i, row in enumerate(centred)],
        v.Column("row", format="integer"),
    )
    blocks: list[v.Block] = [
        step_heading(1, "Centre the data: ", v.Math("X_c = X - x̄", r"X_c = X - \bar{x}")),
        v.Note(
            (
                "subtract each column's mean, so every column of X_c averages 0 "
                "(s is the sample standard deviation, dividing by n - 1)",
            ),
            indent=1,
        ),
        means,
    ]
    if result.standardized:
        blocks.append(
            v.Note(
                (
                    "--standardize: each column is also divided by its s, so every column has "
                    "variance 1 and the covariance of the result is the correlation matrix. Do "
                    "this when the columns are in different units (metres and grams, dollars "
                    "and years): otherwise the column with the largest numbers dominates.",
                ),
                indent=1,
            )
        )
    shown = "standardised rows, (x - x̄)/s" if result.standardized else "centred rows"
    blocks.append(v.Paragraph((f"the first {first} {shown}:",), indent=1))
    blocks.append(rows_table)
    return v.Section(None, tuple(blocks))


def _covariance(result: Pca) -> v.Section:
    blocks: list[v.Block] = [
        step_heading(
            2,
            "The covariance matrix: ",
            v.Math("C = X_cᵀX_c / (n - 1)", r"C = \frac{X_c^{\top} X_c}{n - 1}"),
        ),
        v.Paragraph(
            (
                v.Math(
                    "C[i,j] = Σ_rows (x_i - x̄_i)(x_j - x̄_j) / (n - 1)",
                    r"C_{ij} = \frac{1}{n-1}\sum_{r} (x_{ri} - \bar{x}_i)(x_{rj} - \bar{x}_j)",
                ),
            ),
            indent=1,
        ),
        v.Note(
            (
                "the diagonal holds each column's variance, the rest how two columns vary "
                "together; computed in one pass over the rows (running means and co-moments, "
                "merged block by block), so memory does not grow with n",
            ),
            indent=1,
        ),
        _matrix(v.Math("C", "C"), result.covariance),
    ]
    if result.standardized:
        blocks.append(
            v.Paragraph(
                (
                    v.Math(
                        "R = D⁻¹CD⁻¹, D = diag(s): R[i,j] = C[i,j] / (s_i·s_j)",
                        r"R = D^{-1} C D^{-1},\ D = \operatorname{diag}(s)",
                    ),
                ),
                indent=1,
            )
        )
        blocks.append(_matrix(v.Math("R", "R"), result.decomposed))
    return v.Section(None, tuple(blocks))


def _decomposition(result: Pca) -> v.Section:
    name = "R" if result.standardized else "C"
    loadings = _columns_table(
        result.columns,
        [(f"PC{c.number}", *c.loadings) for c in result.components[:MAX_SHOWN]],
        v.Column("", align="left", format="text"),
    )
    return v.Section(
        None,
        (
            step_heading(
                3,
                "Its eigenvectors are the principal components: ",
                v.Math(f"{name} = VΛVᵀ", rf"{name} = V \Lambda V^{{\top}}"),
            ),
            v.Note(
                (
                    f"{name} is symmetric, so its eigenvalues are real and its eigenvectors "
                    "orthogonal (mathml eigen shows why); NumPy's eigh finds them. Sorted by "
                    "eigenvalue, largest first. Each eigenvector (its loadings: one weight per "
                    "column) is unique only up to sign; the largest loading is made positive, "
                    "as scikit-learn does.",
                ),
                indent=1,
            ),
            v.Paragraph(("loadings (rows: components; columns: the data's columns):",), indent=1),
            loadings,
        ),
    )


def _explained(result: Pca) -> v.Section:
    table = v.Table(
        (
            v.Column("component", align="left", format="text"),
            v.Column(v.Math("variance λ", r"\text{variance } \lambda"), role="result"),
            v.Column(v.Math("ratio λ/Σλ", r"\text{ratio } \lambda / \sum \lambda")),
            v.Column("cumulative"),
        ),
        tuple((f"PC{c.number}", c.variance, c.ratio, c.cumulative) for c in result.components),
    )
    total = sum(c.variance for c in result.components)
    kept = result.components[result.kept - 1]
    return v.Section(
        None,
        (
            step_heading(
                4, "Explained variance: ", v.Math("λ_i / Σλ", r"\lambda_i / \sum \lambda")
            ),
            v.Note(
                (
                    "the eigenvalues add up to the total variance (the trace: ",
                    v.Math(v.number(total), v.number_latex(total)),
                    "), so each one's share is the part of the data's spread its component carries",
                ),
                indent=1,
            ),
            table,
            v.Note(
                (
                    f"the first {result.kept} component{'s' if result.kept != 1 else ''} "
                    f"(--components) {'keep' if result.kept != 1 else 'keeps'} "
                    f"{v.number(100 * kept.cumulative, 4)}% of the variance",
                ),
                "check",
                indent=1,
            ),
        ),
    )


def _projection(result: Pca, scores_file: str | None) -> v.Section:
    k = result.kept
    names = tuple(f"PC{i}" for i in range(1, k + 1))
    rows = [(i + 1, *row) for i, row in enumerate(result.first_scores)]
    formula = (
        v.Math("scores = ((X - x̄)/s)·V_k", r"\text{scores} = \frac{X - \bar{x}}{s} V_k")
        if result.standardized
        else v.Math("scores = X_c·V_k", r"\text{scores} = X_c V_k")
    )
    blocks: list[v.Block] = [
        step_heading(5, "Project onto the first k components: ", formula),
        v.Note(
            (
                f"k = {k}: each row becomes {k} number{'s' if k != 1 else ''}, its coordinates "
                "along the components (V_k: the first k loadings as columns); the first rows:",
            ),
            indent=1,
        ),
        _columns_table(names, rows, v.Column("row", format="integer")),
    ]
    if scores_file is not None:
        blocks.append(
            v.Note(
                (f"the scores of all {result.n:,} rows were written to {scores_file}",),
                "check",
                indent=1,
            )
        )
    return v.Section(None, tuple(blocks))


def _svd(result: Pca) -> v.Section:
    svd = result.svd
    return v.Section(
        None,
        (
            v.Paragraph((v.Span("How libraries do it: the SVD", "rule"),)),
            v.Note(
                (
                    "scikit-learn and most libraries never form C: they take the singular "
                    "value decomposition ",
                    v.Math("X_c = UΣVᵀ", r"X_c = U \Sigma V^{\top}"),
                    ". Then ",
                    v.Math("C = VΣ²Vᵀ/(n - 1)", r"C = V \frac{\Sigma^2}{n-1} V^{\top}"),
                    ": the same V, and eigenvalues ",
                    v.Math("σ²/(n - 1)", r"\sigma^2/(n-1)"),
                    ". The reason is accuracy: forming ",
                    v.Math("X_cᵀX_c", r"X_c^{\top} X_c"),
                    " squares the condition number, so the smallest components lose twice as "
                    "many digits. Here mathml also took the SVD, of the R factor of a QR "
                    "decomposition streamed alongside (the same singular values as X_c): the "
                    "largest difference in the variances is ",
                    v.Math(
                        v.number(svd.max_variance_difference, 2),
                        v.number_latex(svd.max_variance_difference, 2),
                    ),
                    " of the largest, in the loadings ",
                    v.Math(
                        v.number(svd.max_loading_difference, 2),
                        v.number_latex(svd.max_loading_difference, 2),
                    ),
                    ": both routes give the same components.",
                ),
                "check",
                indent=1,
            ),
        ),
    )


def plots(result: Pca) -> list[v.Block]:
    """The scree plot, and the scores in the plane of the first two components."""
    labels = tuple(f"PC{c.number}" for c in result.components)
    scree = v.Plot(
        "scree plot: share of the variance per component",
        (
            v.Series(
                "ratio",
                tuple(float(i) for i in range(len(labels))),
                tuple(c.ratio for c in result.components),
            ),
        ),
        kind="bars",
        bar_labels=labels,
    )
    out: list[v.Block] = [scree]
    if result.kept >= 2 and result.sample_scores:
        how = "" if result.sample_complete else f" (a random {len(result.sample_scores):,} rows)"
        out.append(
            v.Plot(
                f"scores in the plane of PC1 and PC2{how}",
                (
                    v.Series(
                        "rows",
                        tuple(row[0] for row in result.sample_scores),
                        tuple(row[1] for row in result.sample_scores),
                        style="scatter",
                    ),
                ),
                xlabel="PC1",
                ylabel="PC2",
            )
        )
    return out


# --- JSON -----------------------------------------------------------------------


def data(result: Pca, *, scores_file: str | None = None) -> dict[str, Any]:
    """The JSON of docs/json.md; `scores_file`: where --scores wrote the scores."""
    return {
        "source": result.source,
        "n": result.n,
        "columns": list(result.columns),
        "means": list(result.means),
        "std": list(result.std),
        "standardized": result.standardized,
        "covariance": [list(row) for row in result.covariance],
        "correlation": [list(row) for row in result.decomposed] if result.standardized else None,
        "components": [
            {
                "number": c.number,
                "variance": c.variance,
                "ratio": c.ratio,
                "cumulative": c.cumulative,
                "loadings": list(c.loadings),
            }
            for c in result.components
        ],
        "kept": result.kept,
        "first_rows": [list(row) for row in result.first_rows],
        "first_scores": [list(row) for row in result.first_scores],
        "svd": {
            "singular_values": list(result.svd.singular_values),
            "variances": list(result.svd.variances),
            "max_variance_difference": result.svd.max_variance_difference,
            "max_loading_difference": result.svd.max_loading_difference,
        },
        "warnings": list(result.warnings),
        "scores_file": scores_file,
    }
