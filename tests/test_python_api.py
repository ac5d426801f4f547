"""The Python API: every command as a function, checked against independent oracles,
against the CLI it mirrors, in doctests, and in a real Jupyter kernel."""

from __future__ import annotations

import doctest
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

import mathml_cli
from mathml_cli import MathmlError, api, backprop, derive, descend, dot, regress, softmax

ROOT = Path(__file__).resolve().parent.parent
HOUSES = ROOT / "docs" / "data" / "houses.csv"


# --- doctests: the package docstring, the API module and docs/python.md ------


@pytest.mark.parametrize("module", [mathml_cli, api], ids=lambda m: m.__name__)
def test_module_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_python_md_doctests(monkeypatch):
    monkeypatch.chdir(ROOT)  # the page reads docs/data/houses.csv from the repository's root
    result = doctest.testfile(
        str(ROOT / "docs" / "python.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted >= 15 and result.failed == 0


# --- importing is cheap -------------------------------------------------------


def test_importing_the_api_loads_no_heavy_library():
    probe = (
        "import sys; import mathml_cli; from mathml_cli import derive, regress, MathmlError; "
        "from mathml_cli import stats, normal, bayes, explain, eigen, pca; "
        "print([m for m in ('sympy', 'numpy', 'rich', 'typer', 'plotext') if m in sys.modules])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == "[]"


# --- each function against an independent oracle -----------------------------


def test_derive_against_sympy():
    x, w, b = sympy.symbols("x w b", real=True)
    result = derive("sigmoid(w*x + b)", wrt=["w"], at="w=0.5, x=2, b=pi/10")
    oracle = sympy.diff(1 / (1 + sympy.exp(-(w * x + b))), w)
    expected = float(oracle.subs({w: 0.5, x: 2, b: sympy.pi / 10}))
    assert result.derivative_values["w"] == pytest.approx(expected, rel=1e-12)
    assert result.to_dict()["value"]["derivatives"]["w"] == pytest.approx(expected, rel=1e-12)


def test_descend_against_a_hand_written_sgd_loop():
    result = descend("(x - 3)**2 + 10*(y + 1)**2", start={"y": 1, "x": -2}, lr=0.01, steps=25)
    theta = np.array([-2.0, 1.0])  # x, y
    for _ in range(25):
        theta = theta - 0.01 * np.array([2 * (theta[0] - 3), 20 * (theta[1] + 1)])
    final = result.to_dict()["final"]["point"]
    assert list(final) == ["y", "x"]  # the order the start was given in
    assert final["x"] == pytest.approx(theta[0], rel=1e-12)
    assert final["y"] == pytest.approx(theta[1], rel=1e-12)


def test_descend_settings_use_the_option_names():
    run = descend("x**2", start="x=1", optimizer="adam", lr=0.1, beta1=0.8, weight_decay=0.01)
    assert run.to_dict()["hyperparameters"]["beta1"] == 0.8
    assert run.to_dict()["hyperparameters"]["weight_decay"] == 0.01
    with pytest.raises(MathmlError, match="unknown setting 'beta_1'"):
        descend("x**2", start="x=1", beta_1=0.8)


@pytest.mark.parametrize(
    "logits", [[2, 1, 0.1], (2, 1, 0.1), np.array([2, 1, 0.1]), "2,1,0.1", "[2 1 0.1]"]
)
def test_softmax_takes_any_form_of_vector(logits):
    exps = np.exp(np.array([2, 1, 0.1]) - 2)
    np.testing.assert_allclose(
        softmax(logits).to_dict()["probabilities"], exps / exps.sum(), rtol=1e-12
    )


def test_softmax_batch_and_target_against_numpy():
    logits = np.array([[1.0, 2.0, 3.0], [3.0, 0.0, -1.0]])
    result = softmax(logits, target=[2, 0], temperature=2)
    scaled = logits / 2
    p = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    data = result.to_dict()
    np.testing.assert_allclose(data["probabilities"], p, rtol=1e-12)
    np.testing.assert_allclose(data["loss"], -np.log(p[[0, 1], [2, 0]]), rtol=1e-12)


def test_dot_dense_layer_against_numpy():
    w = np.array([[0.2, -0.5, 1.0], [1.5, 0.3, -0.2]])
    x = np.array([1.0, 2.0, 3.0])
    result = dot(w, x, bias=np.array([0.1, -3.0]), activation="relu", cell=(1,))
    np.testing.assert_allclose(result.to_dict()["result"], np.maximum(w @ x + [0.1, -3.0], 0))


def test_regress_dataframe_array_and_path_agree_with_lstsq():
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(HOUSES)
    design = np.column_stack([np.ones(len(frame)), frame[["sqft", "rooms", "age"]].to_numpy()])
    beta = np.linalg.lstsq(design, frame["price"].to_numpy(), rcond=None)[0]
    for data in (frame, str(HOUSES), HOUSES, frame.to_numpy()):
        fitted = regress(data).to_dict()["coefficients"]
        np.testing.assert_allclose(list(fitted.values()), beta, rtol=1e-9)
    fit = regress(frame, features="sqft,rooms", predict="sqft=1600, rooms=3")
    assert fit.to_dict()["features"] == ["sqft", "rooms"]


def test_backprop_against_finite_differences():
    at = {"x1": 1.0, "x2": 2.0, "w1": 0.5, "w2": -0.3, "b": 0.1}
    result = backprop("tanh(w1*x1 + w2*x2 + b)", at=at, wrt="w1,w2,b", lr=0.1)

    def f(point):
        return math.tanh(point["w1"] * point["x1"] + point["w2"] * point["x2"] + point["b"])

    for name in ("w1", "w2", "b"):
        h = 1e-6
        slope = (f({**at, name: at[name] + h}) - f({**at, name: at[name] - h})) / (2 * h)
        assert result.to_dict()["gradients"][name] == pytest.approx(slope, rel=1e-7)
    assert set(result.to_dict()["updated"]) == {"w1", "w2", "b"}


# --- the API mirrors the CLI: same JSON, same text, same errors ---------------


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (
            lambda: derive("x**2*y", wrt="x", at="x=1,y=2"),
            ["derive", "x**2*y", "--wrt", "x", "--at", "x=1,y=2"],
        ),
        (
            lambda: descend("bowl", optimizer="adam", lr=0.5, steps=20),
            ["descend", "bowl", "-o", "adam", "--lr", "0.5", "--steps", "20"],
        ),
        (lambda: softmax([2, 1, 0.1], log=True), ["softmax", "2", "1", "0.1", "--log"]),
        (lambda: dot("[[1,2],[3,4]]", [5, 6]), ["dot", "[[1,2],[3,4]]", "5,6"]),
        (lambda: regress(str(HOUSES), brief=True), ["regress", str(HOUSES), "--brief"]),
        (
            lambda: backprop("x*y", at="x=1,y=2", lr=0.1),
            ["backprop", "x*y", "--at", "x=1,y=2", "--lr", "0.1"],
        ),
    ],
    ids=["derive", "descend", "softmax", "dot", "regress", "backprop"],
)
def test_every_rendering_matches_the_cli(run, call, args):
    result = call()
    assert result.to_dict() == json.loads(run(*args, "-f", "json").stdout)
    assert result.to_latex() == run(*args, "-f", "latex").stdout
    assert result.to_markdown() == run(*args, "-f", "markdown").stdout
    assert result.to_text() == run(*args).stdout
    assert str(result) == result.to_text()
    assert result._repr_markdown_() == result.to_markdown()
    assert result._repr_latex_() == result.to_latex()
    page = run(*args, "-f", "html").stdout
    assert result.to_html() == page
    assert result._repr_html_() in page and "<html" not in result._repr_html_()


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (lambda: derive("x +* 3"), ["derive", "x +* 3"]),
        (lambda: derive("x*y", at={"x": 1}), ["derive", "x*y", "--at", "x=1"]),
        (
            lambda: backprop("x*y", at="x=1,y=2", wrt="z"),
            ["backprop", "x*y", "--at", "x=1,y=2", "--wrt", "z"],
        ),
        (
            lambda: descend("x**2", start="x=1", optimizer="adma"),
            ["descend", "x**2", "--start", "x=1", "-o", "adma"],
        ),
        (lambda: softmax(["1", "abc"]), ["softmax", "1", "abc"]),
        (lambda: dot([1, 2], [1, 2, 3]), ["dot", "1,2", "1,2,3"]),
        (lambda: regress(HOUSES, method="sgd"), ["regress", str(HOUSES), "--method", "sgd"]),
    ],
)
def test_errors_carry_the_cli_message(run, call, args):
    with pytest.raises(MathmlError) as error:
        call()
    assert run(*args).stderr == f"Error: {error.value}\n"


def test_non_numeric_python_values_are_input_errors():
    with pytest.raises(MathmlError, match="must be a vector or a matrix of numbers"):
        dot([1, "a"], [1, 2])
    with pytest.raises(MathmlError, match="holds nan"):
        softmax([1.0, float("nan")])
    with pytest.raises(MathmlError, match="only vectors and matrices"):
        dot(np.ones((2, 2, 2)), [1, 2])
    with pytest.raises(MathmlError, match="regress takes a CSV path"):
        regress({"a": 1})


def test_fields_read_through_and_show_in_dir():
    result = derive("x**3")
    assert result.partials is result.result.partials
    assert "partials" in dir(result) and "to_latex" in dir(result)
    with pytest.raises(AttributeError):
        result.no_such_field  # noqa: B018


# --- a real Jupyter kernel ----------------------------------------------------


def test_a_notebook_cell_shows_the_explanation():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(ROOT)!r})"),
        nbformat.v4.new_code_cell(
            'from mathml_cli import derive\nderive("sigmoid(w*x + b)", wrt="w")'
        ),
        nbformat.v4.new_code_cell("from mathml_cli import softmax\nsoftmax([2, 1, 0.1])"),
        nbformat.v4.new_code_cell(
            "from mathml_cli import bayes\nbayes(0.01, 0.9, false_alarm=0.05, labels='A,B')"
        ),
    ]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    derivation = notebook.cells[1].outputs[0]["data"]
    # The notebook shows the HTML: the whole explanation with MathML for the math.
    page = derivation["text/html"]
    assert "<math" in page and "Partial derivative with respect to" in page
    assert "<html" not in page  # a fragment, not a page inside the page
    assert derivation["text/markdown"].startswith("$f(b, w, x) = \\sigma")
    assert "\\sigma" in derivation["text/latex"]
    assert derivation["text/plain"].startswith("<mathml Derivation")
    probabilities = notebook.cells[2].outputs[0]["data"]["text/html"]
    assert "0.659" in probabilities
    posterior = notebook.cells[3].outputs[0]["data"]
    assert "<math" in posterior["text/html"] and "2/13" in posterior["text/html"]
    assert posterior["text/plain"].startswith("<mathml Bayes")
