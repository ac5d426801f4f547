"""mathml softmax: values against SciPy, the CLI, and its error messages."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import softmax as scipy_softmax

from mathml_cli.core.softmax import softmax, softmax_array
from mathml_cli.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
BATCH = ROOT / "tests" / "data" / "softmax" / "batch.csv"

logits_lists = st.lists(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=12
)
temperatures = st.floats(min_value=0.05, max_value=50)


# --- core against SciPy -------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(logits_lists, temperatures)
def test_matches_scipy(logits, temperature):
    result = softmax(logits, temperature)
    scaled = np.array(logits) / temperature
    np.testing.assert_allclose(result.probabilities, scipy_softmax(scaled), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(
        result.log_probabilities, scipy_log_softmax(scaled), rtol=1e-12, atol=1e-9
    )
    assert math.isclose(sum(result.probabilities), 1.0, rel_tol=1e-12)
    assert result.prediction == int(np.argmax(scaled))
    assert all(math.isfinite(v) for v in (*result.probabilities, *result.log_probabilities))


@settings(max_examples=60, deadline=None)
@given(logits_lists.filter(lambda xs: len(xs) >= 2), temperatures, st.data())
def test_loss_and_gradient(logits, temperature, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    result = softmax(logits, temperature, target)
    scaled = np.array(logits) / temperature
    # Oracles: the loss is −log_softmax from SciPy; its gradient is (p − onehot)/T.
    assert math.isclose(
        result.loss, -scipy_log_softmax(scaled)[target], rel_tol=1e-12, abs_tol=1e-9
    )
    onehot = np.eye(len(logits))[target]
    expected = (scipy_softmax(scaled) - onehot) / temperature
    np.testing.assert_allclose(result.gradient, expected, rtol=1e-10, atol=1e-12)


def test_gradient_by_finite_differences():
    logits = np.array([0.3, -1.2, 2.0, 0.5])
    temperature, target, h = 1.7, 1, 1e-6

    def loss(z):
        return -scipy_log_softmax(z / temperature)[target]

    numeric = [(loss(logits + h * e) - loss(logits - h * e)) / (2 * h) for e in np.eye(4)]
    result = softmax(logits.tolist(), temperature, target)
    np.testing.assert_allclose(result.gradient, numeric, atol=1e-8)


@pytest.mark.parametrize("logits", [[1000, 1001, 1002], [-1000, -1001, -1005], [1e300, -1e300]])
def test_extreme_logits_stay_exact(logits):
    result = softmax(logits)
    np.testing.assert_allclose(result.probabilities, scipy_softmax(np.array(logits)), rtol=1e-14)
    assert not any(math.isnan(v) for v in result.probabilities + result.log_probabilities)


def test_overflow_flag():
    assert softmax([1000, 1001]).would_overflow
    assert not softmax([2, 1, 0.1]).would_overflow
    assert not softmax([1000, 1001], temperature=10).would_overflow


def test_loss_is_finite_when_target_probability_underflows():
    result = softmax([0, 2000], target=0)
    assert result.probabilities[0] == 0.0
    assert result.loss == pytest.approx(2000.0)


def test_softmax_array_rows_match_scipy():
    values = np.array([[1.0, 2.0, 3.0], [1000.0, -1000.0, 0.0]])
    np.testing.assert_allclose(softmax_array(values), scipy_softmax(values, axis=-1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"logits": []}, "no logits given"),
        ({"logits": [1, 2], "temperature": 0}, "--temperature must be a positive number, got 0"),
        ({"logits": [1, 2], "temperature": -1}, "got -1"),
        ({"logits": [1, 2], "target": 2}, "--target 2 is out of range: there are 2 classes"),
        ({"logits": [1e300, 1], "temperature": 1e-10}, "too small for these logits"),
    ],
)
def test_core_errors(kwargs, message):
    with pytest.raises(InputError, match=message):
        softmax(**kwargs)


# --- CLI ----------------------------------------------------------------------


def _json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_text_explains_every_step(run):
    result = run("softmax", "2", "1", "0.1")
    assert result.exit_code == 0
    out = result.stdout
    for phrase in (
        "softmax(z)_i = exp(z_i) / Σ_j exp(z_j)",
        "Subtract the maximum: m = max(z) = 2",
        "Exponentiate",
        "Sum: S = 1 + 0.367879 + 0.149569 = 1.51745",
        "✓ sums to 1",
        "Prediction: class 0",
    ):
        assert phrase in out
    assert "0.659001" in out  # scipy.special.softmax([2, 1, 0.1])[0] = 0.65900114...
    assert "nan" not in out.lower()


@pytest.mark.parametrize(
    "args",
    [
        ["1", "-2", "3"],
        ["1,-2,3"],
        ["1", "-2", "3", "-t", "1"],
        ["-t", "1", "1", "-2", "3"],
        ["1", "-t", "1", "-2", "3"],
        ["1", "--", "-2", "3"],
        ["1", "-2", "--temperature=1", "3"],
    ],
)
def test_negative_numbers_as_arguments(run, args):
    data = _json(run("softmax", "-f", "json", *args))
    assert data["logits"] == [1.0, -2.0, 3.0]
    np.testing.assert_allclose(data["probabilities"], scipy_softmax([1.0, -2.0, 3.0]))


def test_negative_scientific_and_options_mixed_in(run):
    data = _json(run("softmax", "-2.5e-3", "1", "-.5", "-t", "2", "--format", "json"))
    assert data["logits"] == [-0.0025, 1.0, -0.5]
    assert data["temperature"] == 2.0
    np.testing.assert_allclose(data["probabilities"], scipy_softmax(np.array(data["logits"]) / 2))


def test_negative_temperature_value_is_read_as_the_option_value(run):
    result = run("softmax", "1", "-2", "3", "-t", "-2")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --temperature must be a positive number, got -2")


def test_json_keys_and_values(run):
    data = _json(run("softmax", "2", "1", "0.1", "-t", "0.5", "-y", "1", "--log", "-f", "json"))
    for key in (
        "logits",
        "temperature",
        "shifted",
        "exp",
        "sum",
        "probabilities",
        "prediction",
        "target",
        "loss",
        "gradient",
        "log_probabilities",
    ):
        assert key in data
    scaled = np.array([2, 1, 0.1]) / 0.5
    np.testing.assert_allclose(data["shifted"], scaled - scaled.max())
    np.testing.assert_allclose(data["exp"], np.exp(scaled - scaled.max()))
    assert data["sum"] == pytest.approx(np.exp(scaled - scaled.max()).sum())
    np.testing.assert_allclose(data["probabilities"], scipy_softmax(scaled))
    np.testing.assert_allclose(data["log_probabilities"], scipy_log_softmax(scaled))
    assert data["loss"] == pytest.approx(-scipy_log_softmax(scaled)[1])
    np.testing.assert_allclose(data["gradient"], (scipy_softmax(scaled) - [0, 1, 0]) / 0.5)
    assert data["prediction"] == 0 and data["target"] == 1


def test_large_logits_show_the_overflow(run):
    result = run("softmax", "1000", "1001", "1002")
    assert result.exit_code == 0
    assert "exp(1002) overflows" in result.stdout
    assert "nan" not in result.stdout.lower()
    assert "overflows" not in run("softmax", "1", "2").stdout


def test_temperature_is_explained(run):
    assert "sharpens" in run("softmax", "1", "2", "-t", "0.5").stdout
    assert "flattens" in run("softmax", "1", "2", "-t", "3").stdout
    assert "temperature" not in run("softmax", "1", "2").stdout


def test_labels_and_target_by_name(run):
    result = run("softmax", "2,1,0.1", "--labels", "cat,dog,bird", "--target", "dog")
    assert result.exit_code == 0
    assert "Cross-entropy loss for target 1 (dog)" in result.stdout
    assert "Prediction: class 0 (cat)" in result.stdout
    expected_loss = -scipy_log_softmax([2, 1, 0.1])[1]
    assert f"{expected_loss:.6g}" in result.stdout


def test_stdin_one_list_across_lines_and_commas(run):
    data = _json(run("softmax", "-", "-f", "json", input="2\n1,\n0.1\n"))
    assert data["logits"] == [2.0, 1.0, 0.1]
    data = _json(run("softmax", "-", "-f", "json", input="2 1 0.1\n"))
    assert data["logits"] == [2.0, 1.0, 0.1]


def test_stdin_rows_are_a_batch(run):
    data = _json(run("softmax", "-", "-y", "0,1", "-f", "json", input="1 2 3\n1000 0 -1000\n"))
    assert data["rows"] == 2
    np.testing.assert_allclose(
        data["probabilities"], scipy_softmax([[1, 2, 3], [1000, 0, -1000]], axis=1)
    )
    assert data["target"] == [0, 1]


def test_rows_file_batch(run):
    result = run("softmax", "--rows", str(BATCH), "--target", "2")
    assert result.exit_code == 0
    assert "Softmax of 3 rows of 3 logits" in result.stdout
    assert "Mean loss" in result.stdout
    data = _json(run("softmax", "--rows", str(BATCH), "-f", "json"))
    expected = scipy_softmax(np.loadtxt(BATCH, delimiter=","), axis=1)
    np.testing.assert_allclose(data["probabilities"], expected, rtol=1e-14)


@pytest.mark.parametrize("output_format", ["latex", "markdown", "html"])
def test_other_formats(run, output_format):
    result = run("softmax", "2", "1", "0.1", "-y", "0", "--log", "-f", output_format)
    assert result.exit_code == 0
    assert "0.659001" in result.stdout
    assert "nan" not in result.stdout.lower()


def test_plot(run):
    result = run("softmax", "3", "1", "0", "--plot", "--labels", "a,b,c")
    assert result.exit_code == 0
    assert "softmax probabilities" in result.stdout
    assert "█" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["1", "abc"], None, "Error: 'abc' is not a number (logit 2)"),
        (["1,x,3"], None, "Error: 'x' is not a number (logit 2, in argument 1 '1,x,3')"),
        (["1", "nan"], None, "Error: 'nan' is not a number: nan is not allowed (logit 2)"),
        (["inf"], None, "Error: 'inf' is infinite: only finite numbers are allowed (logit 1)"),
        (["1", "-inf"], None, "Error: '-inf' is infinite"),
        ([], None, "Error: no logits given"),
        (["-"], "\n", "Error: no logits given: stdin holds no numbers"),
        (["1", "2", "-t", "0"], None, "Error: --temperature must be a positive number, got 0"),
        (["1", "2", "-t", "-1"], None, "Error: --temperature must be a positive number, got -1"),
        (["1", "2", "-t", "x"], None, "Error: 'x' is not a number (--temperature)"),
        (
            ["1", "2", "-y", "2"],
            None,
            "Error: --target 2 is out of range: there are 2 classes, indices 0 to 1",
        ),
        (["1", "2", "-y", "-1"], None, "Error: --target -1 is out of range"),
        (
            ["1", "2", "--labels", "a,b", "-y", "c"],
            None,
            "Error: --target 'c' is not one of the labels a, b",
        ),
        (
            ["1", "2", "-y", "cat"],
            None,
            "Error: --target 'cat' is not a class index; to name classes, give --labels",
        ),
        (
            ["1", "2", "--labels", "a,b,c"],
            None,
            "Error: --labels names 3 classes, but there are 2 logits",
        ),
        (["-"], "1 2\n3\n", "Error: row 2 has 1 logits, row 1 has 2"),
        (["-"], "1 2\nx 3\n", "Error: 'x' is not a number (stdin, line 2, value 1)"),
        (["1", "-"], None, "Error: - (read stdin) cannot be mixed"),
        (["-"], "1 2\n3 4\n", None),  # a batch is fine; --plot below is not
    ],
)
def test_bad_input_is_one_line_exit_2(run, args, stdin, message):
    if message is None:
        args, message = [*args, "--plot"], "Error: --plot draws one row of logits"
    result = run("softmax", *args, input=stdin)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_unknown_option_is_still_an_error(run):
    result = run("softmax", "1", "2", "--bogus")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def _loaded_modules(*args: str) -> list[str]:
    code = (
        "import sys\n"
        "from mathml_cli.cli import main\n"
        f"sys.argv = ['mathml', {', '.join(repr(a) for a in args)}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'plotext', 'sympy') if m in sys.modules]\n"
        "print(','.join(heavy), file=sys.stderr)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    last_line = (done.stderr.strip().splitlines() or [""])[-1]
    return [name for name in last_line.split(",") if name]


def test_no_sympy_or_plotext_without_plot():
    assert _loaded_modules("softmax", "1", "-2", "3", "-y", "0") == ["numpy"]
    assert "sympy" not in _loaded_modules("softmax", "1", "2", "--plot")


def test_plot_with_a_non_text_format_is_an_error(run):
    result = run("softmax", "1", "2", "--plot", "-f", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --plot draws in the terminal or a page and works only with --format text or html, "
        "not --format json\n"
    )


def test_logits_too_far_apart_for_float64_are_an_error_not_a_warning():
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "mathml_cli", "softmax", "1e308", "-1e308", "--target", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("Error: the logits 1e+308 and -1e+308 are too far apart")
    assert completed.stderr.count("\n") == 1  # no RuntimeWarning from NumPy
