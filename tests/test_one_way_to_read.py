"""Every command reads points, variable names, vectors and tables the same way.

Each test here failed before core/inputs.py: the commands disagreed on the same input.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathml_cli.core.inputs import read_point
from tests.test_startup import loaded_modules

ROOT = Path(__file__).resolve().parent.parent
HOUSES = str(ROOT / "docs" / "data" / "houses.csv")


def one_line_error(result, message: str) -> None:
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {message}"), result.stderr


# --- unknown names: one error, exit 2, in every command ----------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["derive", "x*y", "--at", "x=1,y=2,z=3"],
            "--at names z, which the expression does not use; its variables: x, y",
        ),
        (
            ["backprop", "x*y", "--at", "x=1,y=2,z=3"],
            "--at names z, which the expression does not use; its variables: x, y",
        ),
        (
            ["descend", "x*y", "--start", "x=1,y=2,z=3"],
            "--start names z, which f does not use; its variables: x, y",
        ),
        (
            ["regress", HOUSES, "--predict", "sqft=1,rooms=2,age=3,size=4"],
            "--predict names size, which the model does not use; its features: sqft, rooms, age",
        ),
    ],
)
def test_an_unknown_point_name_is_the_same_error_everywhere(run, args, message):
    one_line_error(run(*args), message)


@pytest.mark.parametrize("command", ["derive", "backprop"])
def test_an_unknown_wrt_is_the_same_error_in_derive_and_backprop(run, command):
    args = [command, "alpha*x", "--wrt", "alhpa"]
    if command == "backprop":
        args += ["--at", "alpha=1,x=2"]
    one_line_error(
        run(*args),
        "--wrt names alhpa, which the expression does not use (did you mean 'alpha'?); "
        "its variables: alpha, x",
    )


# --- points: the same syntax, constants everywhere ---------------------------


def test_constants_in_every_point_option(run):
    derive = json.loads(run("derive", "sin(x)", "--at", "x=pi/2", "-f", "json").stdout)
    assert derive["point"] == {"x": pytest.approx(math.pi / 2)}
    backprop = json.loads(run("backprop", "sin(x)", "--at", "x=pi/2", "-f", "json").stdout)
    assert backprop["output"] == pytest.approx(1.0)
    descend = json.loads(
        run("descend", "(x-1)**2", "--start", "x=pi/2", "--steps", "1", "-f", "json").stdout
    )
    assert descend["iterations"][0]["point"] == {"x": pytest.approx(math.pi / 2)}
    result = run("regress", HOUSES, "--predict", "sqft=pi*500,rooms=3,age=sqrt(100)", "-f", "json")
    assert result.exit_code == 0, result.stderr
    prediction = json.loads(result.stdout)["prediction"]
    assert prediction["point"] == {
        "sqft": pytest.approx(500 * math.pi),
        "rooms": 3.0,
        "age": pytest.approx(10.0),
    }
    # Independent oracle: the least-squares fit by NumPy, evaluated at that point.
    table = np.loadtxt(HOUSES, delimiter=",", skiprows=1)
    design = np.column_stack([np.ones(len(table)), table[:, :3]])
    beta = np.linalg.lstsq(design, table[:, 3], rcond=None)[0]
    assert prediction["value"] == pytest.approx(beta @ [1, 500 * math.pi, 3, 10])


@given(
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(
            lambda name: name not in {"if", "in", "is", "or", "as", "def", "del", "for", "and"}
        ),
        st.floats(allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=6,
    )
)
def test_points_round_trip_in_the_users_order(point):
    text = ", ".join(f"{name}={value!r}" for name, value in point.items())
    assert list(read_point(text).items()) == list(point.items())
    assert list(read_point(point).items()) == list(point.items())


def test_descend_reports_the_variables_in_the_users_order(run):
    result = run("descend", "(w - 1)**2 + (b + 2)**2", "--start", "w=0,b=0", "--lr", "0.1")
    final = next(line for line in result.stdout.splitlines() if line.startswith("Final:"))
    assert final.index("w = ") < final.index("b = ")
    args = ["(w - 1)**2 + (b + 2)**2", "--start", "w=0,b=0", "--lr", "0.1", "-f", "json"]
    data = json.loads(run("descend", *args).stdout)
    assert data["variables"] == ["w", "b"]
    assert list(data["final"]["point"]) == ["w", "b"]
    assert data["final"]["point"] == {"w": pytest.approx(1, abs=1e-6), "b": pytest.approx(-2)}


# --- vectors: the same forms for softmax and dot -----------------------------


def _softmax(values: list[float]) -> np.ndarray:
    exps = np.exp(np.array(values) - max(values))
    return exps / exps.sum()


@pytest.mark.parametrize("logits", ["[2, 1, 0.1]", "[2 1 0.1]", "2,1,0.1", "2 1 0.1"])
def test_softmax_reads_every_vector_form(run, logits):
    result = run("softmax", logits, "-f", "json")
    assert result.exit_code == 0, result.stderr
    probabilities = json.loads(result.stdout)["probabilities"]
    np.testing.assert_allclose(probabilities, _softmax([2, 1, 0.1]), rtol=1e-12)


def test_softmax_reads_a_matrix_and_a_file(run, tmp_path):
    batch = json.loads(run("softmax", "[[1,2],[3,5]]", "-f", "json").stdout)
    np.testing.assert_allclose(batch["probabilities"][1], _softmax([3, 5]))
    path = tmp_path / "logits.csv"
    path.write_text("2\n1\n0.1\n")
    single = json.loads(run("softmax", f"@{path}", "-f", "json").stdout)
    np.testing.assert_allclose(single["probabilities"], _softmax([2, 1, 0.1]))


@pytest.mark.parametrize(
    ("a", "b"),
    [("[1 2 3]", "[4 5 6]"), ("1 2 3", "4 5 6"), ("[1, 2, 3]", "4,5,6"), ("1, 2 ,3", "[4,5, 6]")],
)
def test_dot_reads_every_vector_form(run, a, b):
    result = run("dot", a, b, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"] == float(np.dot([1, 2, 3], [4, 5, 6]))


def test_dot_reads_a_matrix_with_spaces(run):
    result = run("dot", "[[1 2] [3 4]]", "[5 6]", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"] == np.dot([[1, 2], [3, 4]], [5, 6]).tolist()


# --- tables: whitespace-delimited files, as NumPy's savetxt writes -----------


@pytest.mark.parametrize("delimiter", [" ", "\t", "  "])
def test_regress_reads_whitespace_delimited_files(run, tmp_path, delimiter):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 2))
    y = 1.5 + x @ [2.0, -3.0] + rng.normal(scale=0.1, size=40)
    path = tmp_path / "data.txt"
    np.savetxt(path, np.column_stack([x, y]), delimiter=delimiter)
    for args in ([str(path)], ["-"]):
        stdin = path.read_text() if args == ["-"] else None
        result = run("regress", *args, "-f", "json", input=stdin)
        assert result.exit_code == 0, result.stderr
        estimates = list(json.loads(result.stdout)["coefficients"].values())
        beta = np.linalg.lstsq(np.column_stack([np.ones(40), x]), y, rcond=None)[0]
        np.testing.assert_allclose(estimates, beta, rtol=1e-9)


def test_regress_reads_a_header_over_space_aligned_columns(run, tmp_path):
    path = tmp_path / "aligned.txt"
    path.write_text("  x      y\n  1    2.1\n  2    3.9\n  3    6.2\n  4    7.8\n")
    result = run("regress", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    slope = json.loads(result.stdout)["coefficients"]["x"]
    assert slope == pytest.approx(np.polyfit([1, 2, 3, 4], [2.1, 3.9, 6.2, 7.8], 1)[0])


# --- reading a plain number never loads SymPy --------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["softmax", "[2, 1, 0.1]"],
        ["dot", "[1 2 3]", "4,5,6"],
        ["regress", HOUSES, "--predict", "sqft=1600,rooms=3,age=10"],
    ],
)
def test_plain_numbers_load_no_sympy(args):
    assert "sympy" not in loaded_modules(*args)
