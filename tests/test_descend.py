"""mathml descend: the core against closed forms, NumPy and finite differences; the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathml_cli.core.descend import PRESETS, descend, hessian_at, prepare, thin
from mathml_cli.errors import InputError

# --- the core --------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    a=st.floats(0.5, 5),
    c=st.floats(-3, 3),
    x0=st.floats(-5, 5),
    lr=st.floats(0.01, 0.15),
)
def test_sgd_on_a_parabola_follows_the_closed_form(a, c, x0, lr):
    # f = a(x - c)²: x_t - c = (1 - 2aγ)^t (x_0 - c) exactly.
    result = descend(
        prepare(f"{a!r}*(x - ({c!r}))**2", {"x": x0}), "sgd", {"lr": lr}, steps=30, tol=0
    )
    for t, (x,) in enumerate(result.points):
        expected = c + (1 - 2 * a * lr) ** t * (x0 - c)
        assert math.isclose(x, expected, rel_tol=1e-9, abs_tol=1e-9)


def numpy_adam(gradient, start, lr, steps, b1=0.9, b2=0.999, eps=1e-8):
    """The Adam of Kingma & Ba as its paper writes it, in NumPy."""
    x = np.array(start, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    points = [x.copy()]
    for t in range(1, steps + 1):
        g = gradient(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        points.append(x.copy())
    return points


def test_adam_matches_the_paper_written_in_numpy():
    result = descend(prepare("bowl", None), "adam", {"lr": 0.1}, steps=200, tol=0)
    expected = numpy_adam(lambda p: np.array([2 * (p[0] - 3), 20 * (p[1] + 1)]), [-2, 1], 0.1, 200)
    np.testing.assert_allclose(np.array(result.points), np.array(expected), rtol=1e-9, atol=1e-12)


def test_gradient_values_agree_with_finite_differences():
    result = descend(prepare("rosenbrock", None), "adam", {"lr": 0.01}, steps=20, tol=0)
    f = lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2  # noqa: E731
    h = 1e-6
    for (x, y), (gx, gy), value in zip(result.points, result.gradients, result.values, strict=True):
        assert math.isclose(value, f(x, y), rel_tol=1e-12)
        assert math.isclose(gx, (f(x + h, y) - f(x - h, y)) / (2 * h), rel_tol=1e-5, abs_tol=1e-5)
        assert math.isclose(gy, (f(x, y + h) - f(x, y - h)) / (2 * h), rel_tol=1e-5, abs_tol=1e-5)


def test_hessian_agrees_with_numpy_finite_differences():
    problem = prepare("himmelblau", {"x": 1.0, "y": -0.5})
    matrix = np.array(hessian_at(problem, problem.start))
    f = lambda p: (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2  # noqa: E731
    h = 1e-4
    numeric = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            p = np.array(problem.start)
            numeric[i, j] = (
                f(p + e_i + e_j) - f(p + e_i - e_j) - f(p - e_i + e_j) + f(p - e_i - e_j)
            ) / (4 * h * h)
    np.testing.assert_allclose(matrix, numeric, rtol=1e-5)


def test_converges_and_says_why():
    result = descend(prepare("bowl", None), "sgd", {"lr": 0.04}, steps=5000, tol=1e-8)
    assert result.status == "converged"
    assert result.reason.startswith("|∇f|") or "step" in result.reason
    assert math.hypot(*(a - b for a, b in zip(result.points[-1], (3, -1), strict=True))) < 1e-6


def test_divergence_names_the_2_over_L_bound():
    # The bowl's Hessian is diag(2, 20): plain gradient descent needs lr < 2/20 = 0.1.
    result = descend(prepare("bowl", None), "sgd", {"lr": 0.11}, steps=1000)
    assert result.status == "diverged"
    assert result.curvature is not None
    assert math.isclose(result.curvature.largest_eigenvalue, 20)
    assert math.isclose(result.curvature.bound, 0.1)
    assert result.curvature.suggested_lr == 0.05
    assert "2/L = 0.1" in result.reason and "try --lr 0.05" in result.reason
    assert result.oscillation is not None and result.oscillation.variable == "y"
    assert result.steps_taken < 1000


def test_overflow_is_divergence_not_a_crash():
    result = descend(prepare("exp(x**2)", {"x": 2.0}), "sgd", {"lr": 1.0}, steps=100)
    assert result.status == "diverged"


def test_max_steps():
    result = descend(prepare("bowl", None), "sgd", {"lr": 0.001}, steps=10)
    assert result.status == "max_steps" and result.steps_taken == 10


def test_undefined_point_during_the_run_is_a_status():
    result = descend(prepare("sqrt(x)", {"x": 1.0}), "sgd", {"lr": 1.0}, steps=10)
    assert result.status == "undefined"
    assert "undefined at step 2" in result.reason


def test_oscillation_is_named_at_the_edge_of_stability():
    # lr = 1 on x²: x flips between 1 and -1 for ever.
    result = descend(prepare("x**2", {"x": 1.0}), "sgd", {"lr": 1.0}, steps=50)
    assert result.status == "max_steps"
    assert result.oscillation is not None and result.oscillation.length >= 40
    assert "oscillating" in result.reason


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_have_their_stated_minima(name):
    preset = PRESETS[name]
    problem = prepare(name, None)
    for minimum in preset.minima:
        point = [minimum[v] for v in problem.variables]
        assert abs(problem.value(*point) - preset.minimum_value) < 1e-9
        assert all(abs(g) < 1e-4 for g in problem.gradient_function(*point))


def test_ml_functions_work():
    result = descend(
        prepare("softplus(x) + relu(y - 1) + sigmoid(x*y)", {"x": 1.0, "y": 2.0}),
        "adam",
        {"lr": 0.1},
        steps=50,
    )
    assert result.status in ("max_steps", "converged")


@pytest.mark.parametrize(
    "count, every, expected",
    [
        (5, None, [0, 1, 2, 3, 4]),
        (10, 3, [0, 3, 6, 9]),
        (11, 5, [0, 5, 10]),
        (12, 5, [0, 5, 10, 11]),
    ],
)
def test_thin(count, every, expected):
    assert thin(count, every) == expected


def test_thin_long_runs_keep_the_ends():
    rows = thin(100_001)
    assert rows[:10] == list(range(10)) and rows[-5:] == list(range(99_996, 100_001))
    assert len(rows) < 40


@pytest.mark.parametrize(
    "text, start, message",
    [
        ("x*y", {"x": 1.0}, "--start gives no value for y"),
        ("x", {"x": 1.0, "z": 2.0}, "--start names z, which f does not use; its variables: x"),
        ("log(x)", {"x": -1.0}, "f or its gradient is undefined at the start (x = -1)"),
        ("rosenbrok", None, "unknown preset 'rosenbrok' (did you mean 'rosenbrock'?)"),
        ("x**2", None, "--start is missing"),
        ("3", None, "has no variables"),
    ],
)
def test_bad_problems(text, start, message):
    with pytest.raises(InputError, match=None) as error:
        prepare(text, start)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "optimizer, hyper, message",
    [
        ("sgd", {"lr": 0.0}, "--lr must be a positive number"),
        ("sgd", {"lr": -1.0}, "--lr must be a positive number"),
        ("adm", {}, "unknown optimizer 'adm' (did you mean 'adam'?)"),
        ("sgd", {"beta1": 0.5}, "--beta1 does not apply to sgd (it applies to: adam, adamw)"),
        ("adam", {"momentum": 0.5}, "--momentum does not apply to adam"),
        ("adam", {"beta2": 1.0}, "--beta2 must be in [0, 1)"),
        ("nesterov", {"momentum": 0.0}, "--momentum must be > 0"),
    ],
)
def test_bad_hyperparameters(optimizer, hyper, message):
    with pytest.raises(InputError) as error:
        descend(prepare("bowl", None), optimizer, hyper)
    assert message in str(error.value)


# --- the CLI ---------------------------------------------------------------


def test_text_output_shows_function_gradient_rule_table_and_status(run):
    result = run("descend", "(x-3)**2", "--start", "x=0", "--lr", "0.1", "--steps", "500")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "f(x) = (x - 3)**2" in out
    assert "df/dx = 2*x - 6" in out
    assert "θ_t = θ_{t-1} − γ·g_t" in out and "γ = 0.1" in out
    assert "Status: converged" in out


def test_adam_rule_and_verbose_state(run):
    result = run("descend", "bowl", "-o", "adam", "--lr", "0.1", "--steps", "20", "--verbose")
    assert result.exit_code == 0
    assert "m̂_t = m_t / (1 − β1^t)" in result.stdout
    assert "m[x]" in result.stdout and "v[y]" in result.stdout


def test_json_keys_and_every_iteration(run):
    result = run("descend", "bowl", "--lr", "0.01", "--steps", "300", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for key in (
        "status",
        "reason",
        "optimizer",
        "hyperparameters",
        "gradient",
        "iterations",
        "final",
    ):
        assert key in data
    assert data["gradient"] == {"x": "2*x - 6", "y": "20*y + 20"}
    assert data["hyperparameters"]["lr"] == 0.01
    assert len(data["iterations"]) == 301
    first = data["iterations"][0]
    assert first == {
        "step": 0,
        "point": {"x": -2.0, "y": 1.0},
        "value": 65.0,
        "gradient": {"x": -10.0, "y": 40.0},
    }
    assert data["final"]["step"] == 300


def test_long_runs_are_thinned_and_say_so(run):
    result = run("descend", "bowl", "--lr", "0.001", "--steps", "2000")
    assert "showing" in result.stdout and "of 2001 rows" in result.stdout


def text_table(output: str) -> list[list[str]]:
    """The cells of the first table in the text output: the lines between its rule and a blank."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("───"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("showing"):
            break
        rows.append(line.split())
    return rows


def latex_rows(output: str) -> list[list[str]]:
    """The body rows of the LaTeX tables: `$0$ & $-2$ & ... \\` as ['0', '-2', ...]."""
    return [
        [cell.strip().strip("$") for cell in line.removesuffix(r" \\").split(" & ")]
        for line in output.splitlines()
        if line.startswith("$") and " & " in line
    ]


def markdown_rows(output: str) -> list[list[str]]:
    """The body rows of the Markdown tables, their math cells without the $."""
    return [
        [cell.strip().strip("$") for cell in line.strip("|").split("|")]
        for line in output.splitlines()
        if line.startswith("| $")
    ]


def test_every(run):
    result = run("descend", "bowl", "--lr", "0.001", "--steps", "100", "--every", "25")
    steps = [row[0] for row in text_table(result.stdout)]
    assert steps == ["0", "25", "50", "75", "100"]


def test_divergence_in_the_cli(run):
    result = run("descend", "bowl", "--lr", "0.2")
    assert result.exit_code == 0
    assert "Status: diverged" in result.stdout
    assert "2/L = 0.1" in " ".join(result.stdout.split())


def test_divergence_is_said_as_soon_as_f_grows_by_orders_of_magnitude():
    # x**2 with lr 1.5 multiplies x by -2 each step: f = 1, 4, 16, 64, 256, 1024.
    result = descend(prepare("x**2", {"x": 1.0}), "sgd", {"lr": 1.5}, steps=5)
    assert result.status == "diverged"
    assert result.steps_taken == 4 and result.values[-1] == 256
    assert "rose on each of the 4 updates up to step 4, from 1 at the start to 256" in result.reason


def test_compare(run):
    result = run(
        "descend",
        "bowl",
        "--compare",
        "sgd,momentum,adam",
        "--lr",
        "0.01",
        "--steps",
        "200",
        "--plot",
    )
    assert result.exit_code == 0, result.output
    for name in ("sgd", "momentum", "adam"):
        assert name in result.stdout
    assert "loss f per step" in result.stdout
    data = json.loads(run("descend", "bowl", "--compare", "sgd,adam", "-f", "json").stdout)
    assert [r["optimizer"] for r in data["runs"]] == ["sgd", "adam"]


def test_plots(run):
    one = run("descend", "x**4 - 3*x**2 + x", "--start", "x=2", "--lr", "0.01", "--plot")
    assert one.exit_code == 0 and "f and the descent path" in one.stdout
    two = run("descend", "bowl", "--lr", "0.05", "--plot")
    assert two.exit_code == 0 and "S" in two.stdout and "shades" in two.stdout


def test_list(run):
    result = run("descend", "--list")
    assert result.exit_code == 0
    for name in PRESETS:
        assert name in result.stdout


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_other_formats(run, fmt):
    result = run("descend", "bowl", "-o", "adamw", "--lr", "0.1", "--steps", "50", "-f", fmt)
    assert result.exit_code == 0
    assert "m_t" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["x*y", "--start", "x=1"], "Error: --start gives no value for y (every variable"),
        (
            ["log(x)", "--start", "x=-1"],
            "Error: f or its gradient is undefined at the start (x = -1): ",
        ),
        (["bowl", "--lr", "0"], "Error: --lr must be a positive number for sgd, got 0\n"),
        (["bowl", "--lr", "-0.1"], "Error: --lr must be a positive number for sgd, got -0.1\n"),
        (["bowl", "-o", "adm"], "Error: unknown optimizer 'adm' (did you mean 'adam'?)"),
        (["himmelblau2"], "Error: unknown preset 'himmelblau2' (did you mean 'himmelblau'?)"),
        (["bowl", "--beta1", "0.5"], "Error: --beta1 does not apply to sgd"),
        (
            ["bowl", "--schedule", "cosin"],
            "Error: unknown schedule 'cosin' (did you mean 'cosine'?)",
        ),
        (["bowl", "--gamma", "0.5"], "Error: --gamma does not apply to --schedule constant"),
        (["bowl", "--compare", "sgd,adam", "--centered"], "Error: --centered applies to none of"),
        (["bowl", "--every", "0"], "Error: --every must be at least 1"),
        (["x**2"], "Error: --start is missing"),
        ([], "Error: give a function to minimise"),
    ],
)
def test_bad_input_is_one_line_exit_2(run, args, message):
    result = run("descend", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_undefined_during_the_run_is_reported(run):
    result = run("descend", "sqrt(x)", "--start", "x=1", "--lr", "1")
    assert result.exit_code == 0
    assert "Status: undefined" in result.stdout


def test_the_command_module_imports_nothing_heavy():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, mathml_cli.cli.descend; "
        "heavy = [m for m in ('sympy', 'numpy', 'plotext', 'rich') if m in sys.modules]; "
        "print(heavy)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


# --- options that would have no effect are errors, not ignored ---------------


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["bowl", "--compare", "sgd,adam", "--optimizer", "adam"],
            "Error: --compare and --optimizer do not go together",
        ),
        # The default spelled out is still a contradiction.
        (
            ["bowl", "--compare", "sgd,adam", "-o", "sgd"],
            "Error: --compare and --optimizer do not go together",
        ),
        (["bowl", "--compare", "sgd,adam", "--every", "5"], "Error: --every applies to the"),
        (["bowl", "--compare", "sgd,adam", "--verbose"], "Error: --verbose applies to the"),
        (["bowl", "--plot", "-f", "json"], "Error: --plot draws in the terminal"),
        (["bowl", "--plot", "-f", "latex"], "Error: --plot draws in the terminal"),
        (["bowl", "--plot", "-f", "markdown"], "Error: --plot draws in the terminal"),
        (["bowl", "--compare", "sgd,adam", "--plot", "-f", "json"], "Error: --plot draws"),
        (["bowl", "--every", "5", "-f", "json"], "Error: --every thins the table; --format json"),
        (["bowl", "--verbose", "-f", "json"], "Error: --verbose adds the optimizer state"),
        (["--list", "--plot"], "Error: --list takes no other options (got --plot)"),
        (["--list", "--start", "x=1"], "Error: --list takes no other options (got --start)"),
        (["bowl", "--list"], "Error: --list takes no expression"),
    ],
)
def test_options_that_would_be_ignored_are_errors(run, args, message):
    result = run("descend", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_every_and_verbose_apply_to_every_table(run, fmt):
    result = run(
        "descend", "bowl", "-o", "adam", "--lr", "0.1", "--steps", "40", "-k", "10", "-v", "-f", fmt
    )
    assert result.exit_code == 0, result.output
    rows = {"text": text_table, "latex": latex_rows, "markdown": markdown_rows}[fmt](result.stdout)
    assert [row[0] for row in rows] == ["0", "10", "20", "30", "40"]
    assert ("m[x]" in result.stdout and "v[y]" in result.stdout) or (
        "m[x]" in result.stdout.replace("$", "") and "v[y]" in result.stdout.replace("$", "")
    )
    assert "showing 5 of 41 rows" in result.stdout.lower()


def test_latex_has_a_thinned_iteration_table(run):
    result = run("descend", "bowl", "--lr", "0.001", "--steps", "2000", "-f", "latex")
    assert result.exit_code == 0
    out = result.stdout
    assert out.index(r"\begin{longtable}") < out.index(r"\end{longtable}")
    rows = latex_rows(out)
    assert rows[0][:6] == ["0", "-2", "1", "65", "-10", "40"]  # the start, exact
    assert rows[-1][0] == "2000"
    assert "Showing 30 of 2001 rows" in out or "showing 30 of 2001 rows" in out
    assert r"\partial f/\partial x" in out and r"\Delta" in out
    assert "∇" not in out and "|" not in out.replace("$|$", "")  # pdflatex-safe prose


def test_markdown_has_a_table_with_the_step_taken(run):
    result = run("descend", "(x-3)**2", "--start", "x=0", "--lr", "0.25", "-f", "markdown")
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| step"))
    assert "$\\Delta x$" in header
    # x_1 = 0 - 0.25·(2·0 - 6) = 1.5: the first row's step taken.
    first_update = next(row for row in markdown_rows(result.stdout) if row[0] == "1")
    assert first_update[1:5] == ["1.5", "2.25", "-3", "1.5"]
    capped = run("descend", "bowl", "--lr", "0.001", "-n", "3", "-f", "markdown").stdout
    assert "\\|∇f\\|" in capped  # the reason's pipes cannot break the markdown


LATEX_CASES = [
    ["bowl", "--lr", "0.11"],
    ["bowl", "-o", "adam", "--lr", "0.1", "--steps", "2000", "-v", "--amsgrad"],
    ["x**2+y**2+z**2", "-s", "x=1,y=2,z=3", "-o", "rmsprop", "--centered", "-v", "-n", "5"],
    ["exp(x**2)", "-s", "x=2", "--lr", "1"],
    ["sqrt(x)", "-s", "x=1", "--lr", "1"],
    ["rosenbrock", "--compare", "sgd,adam,adamw", "--lr", "0.001"],
    ["--list"],
]


@pytest.mark.parametrize("args", LATEX_CASES, ids=[" ".join(a) for a in LATEX_CASES])
def test_latex_compiles_with_amsmath_and_longtable(run, pdflatex, args):
    result = run("descend", *args, "-f", "latex")
    assert result.exit_code == 0
    pdflatex(result.stdout)


def test_compare_table_fits_100_columns(run):
    result = run(
        "descend", "rosenbrock", "--compare", "sgd,momentum,nesterov,rmsprop,adagrad,adam,adamw",
        "--lr", "0.001", "--steps", "200",
    )  # fmt: skip
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    for name in ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw"):
        # One table row per optimizer (nothing wrapped onto a second line) ...
        assert sum(1 for row in text_table(result.stdout) if row[0] == name) == 1
    # ... and the hyperparameters listed under the table, in full.
    assert "  adam: γ = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-08, λ = 0, amsgrad = off" in lines
    assert "  adamw: γ = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-08, λ = 0.01, amsgrad = off" in lines


def test_compare_plot_overlays_losses_and_paths(run):
    result = run("descend", "himmelblau", "--compare", "sgd,adam", "--lr", "0.01", "--plot")
    assert result.exit_code == 0
    assert "loss f per step" in result.stdout
    assert "1 sgd, 2 adam; S start, E end" in result.stdout
    one = run("descend", "x**4 - 3*x**2 + x", "-s", "x=2", "--compare", "sgd,adam", "--plot")
    assert "sgd path" in one.stdout and "adam path" in one.stdout


def test_loss_plot_uses_a_log_scale_when_the_loss_spans_decades(run):
    spans = run("descend", "bowl", "--lr", "0.05", "--plot")
    assert "loss f per step (log scale)" in spans.stdout
    flat = run("descend", "x**2 + 10", "-s", "x=1", "--lr", "0.1", "-n", "5", "--plot")
    assert "loss f per step" in flat.stdout and "(log scale)" not in flat.stdout


def test_more_than_two_variables_has_no_path_plot_and_says_so(run):
    result = run("descend", "x**2+y**2+z**2", "-s", "x=1,y=1,z=1", "--lr", "0.1", "--plot")
    assert "no path plot: f has more than two variables" in result.stdout


# --- points where f is not differentiable --------------------------------------


def test_reaching_a_kink_is_reported():
    # relu(x) from x = 1 with lr = 0.5: x = 1 - 0.5·t reaches 0 at step 2, relu's kink.
    result = descend(prepare("relu(x)", {"x": 1.0}), "sgd", {"lr": 0.5}, steps=10)
    assert [p[0] for p in result.points] == [1.0, 0.5, 0.0]
    assert result.kink is not None and result.kink.step == 2
    assert "f is not differentiable at step 2 (x = 0, where step(x) jumps)" in result.reason


def test_a_smooth_point_of_a_jump_term_is_not_a_kink():
    # |x|³ has gradient 3x·|x|, continuous at 0, though SymPy writes it with sign(x).
    result = descend(prepare("abs(x)**3", {"x": 0.0}), "sgd", {"lr": 0.1}, steps=5)
    assert result.kink is None


def test_kink_in_json(run):
    data = json.loads(run("descend", "abs(x-1) + y**2", "-s", "x=1,y=1", "-f", "json").stdout)
    assert data["nondifferentiable"]["step"] == 0
    assert "sign(x - 1)" in data["nondifferentiable"]["where"]
    assert json.loads(run("descend", "bowl", "-f", "json").stdout)["nondifferentiable"] is None
