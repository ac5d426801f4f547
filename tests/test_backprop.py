"""mathml backprop: gradients against SymPy's diff, hand-derived classics and finite differences."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mathml_cli.core.backprop import backprop
from mathml_cli.core.expr import parse_expression
from mathml_cli.core.functions import to_elementary
from mathml_cli.core.graph import build_graph
from mathml_cli.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
NEURON = "sigmoid(w1*x1 + w2*x2 + b)"
NEURON_AT = {"x1": 1.0, "x2": 2.0, "w1": 0.5, "w2": -0.3, "b": 0.1}


def sympy_gradient(text: str, point: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The oracle: plain sympy.diff of the elementary form, evaluated by SymPy itself."""
    expression = to_elementary(parse_expression(text))
    values = {sympy.Symbol(name, real=True): sympy.Float(v, 30) for name, v in point.items()}
    value = float(expression.xreplace(values).evalf(30))
    gradient = {
        name: float(
            sympy.diff(expression, sympy.Symbol(name, real=True)).xreplace(values).evalf(30)
        )
        for name in point
    }
    return value, gradient


def close(a: float, b: float, tolerance: float = 1e-9) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


# --- The classic cases -------------------------------------------------------


def test_karpathy_expression():
    result = backprop("(a*b + c)*f", {"a": 2, "b": -3, "c": 10, "f": -2})
    assert result.output == -8
    assert result.gradients == {"a": 6, "b": -4, "c": -2, "f": 4}
    assert result.verified is True


def test_tanh_neuron():
    at = {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432}
    result = backprop("tanh(x1*w1 + x2*w2 + b)", at)
    assert result.output == pytest.approx(math.sqrt(0.5), abs=1e-12)
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    for name, value in expected.items():
        assert result.gradient(name) == pytest.approx(value, abs=1e-9)
    _, oracle = sympy_gradient("tanh(x1*w1 + x2*w2 + b)", {k: float(v) for k, v in at.items()})
    for name, value in oracle.items():
        assert close(result.gradient(name), value)


def test_seed_neuron_against_sympy():
    result = backprop(NEURON, NEURON_AT)
    value, oracle = sympy_gradient(NEURON, NEURON_AT)
    assert close(result.output, value)
    for name in NEURON_AT:
        assert close(result.gradient(name), oracle[name])
    assert result.verified is True
    assert [check.verified for check in result.checks] == [True, True]


# --- Generated expressions against SymPy's diff -------------------------------

UNARY = ["sin", "cos", "tanh", "sigmoid", "softplus", "exp", "atan", "sinh", "-"]
SAFE_UNARY = ["log", "sqrt"]  # applied to x**2 + 1 so they stay defined


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "y", "z", "x", "y", "2", "0.5", "3"]))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        function = draw(st.sampled_from(UNARY))
        inner = draw(expressions(depth - 1))
        return f"-({inner})" if function == "-" else f"{function}({inner})"
    if kind == 1:
        function = draw(st.sampled_from(SAFE_UNARY))
        return f"{function}(({draw(expressions(depth - 1))})**2 + 1)"
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    operator = draw(st.sampled_from(["+", "-", "*", "/"]))
    if operator == "/":
        return f"({left})/(({right})**2 + 1)"
    return f"({left}) {operator} ({right})"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=expressions(),
    x=st.floats(-2, 2),
    y=st.floats(-2, 2),
    z=st.floats(-2, 2),
)
def test_generated_expressions_match_sympy_diff(text, x, y, z):
    names = set(str(s) for s in parse_expression(text).free_symbols)
    point = {name: value for name, value in {"x": x, "y": y, "z": z}.items() if name in names}
    try:
        result = backprop(text, point)
    except InputError:
        assume(False)
    assume(all(math.isfinite(v) and abs(v) < 1e12 for v in result.values))
    value, oracle = sympy_gradient(text, point)
    assert close(result.output, value, 1e-8)
    for name in point:
        assert close(result.gradient(name), oracle[name], 1e-7), (text, name)
    assert result.verified is not False


# --- The graph reads like what was typed, and shares sub-expressions ----------


def test_operations_read_like_the_input():
    graph = build_graph("x - y/z + -w")
    ops = [node.op for node in graph.nodes if node.op not in ("input", "constant")]
    assert ops == ["div", "sub", "neg", "add"]


def test_a_repeated_subexpression_is_one_node_and_its_gradient_is_summed():
    text = "sigmoid(w*x)*(1 - sigmoid(w*x))"
    result = backprop(text, {"w": 0.7, "x": -1.3})
    sigmoid_nodes = [n for n in result.graph.nodes if n.op == "sigmoid"]
    assert len(sigmoid_nodes) == 1
    index = result.graph.nodes.index(sigmoid_nodes[0])
    arriving = [c for c in result.backward.contributions if c.target == index]
    assert [c.path for c in arriving] == [1, 2] and all(c.paths == 2 for c in arriving)
    assert arriving[-1].accumulated == pytest.approx(sum(c.contribution for c in arriving))
    _, oracle = sympy_gradient(text, {"w": 0.7, "x": -1.3})
    assert close(result.gradient("w"), oracle["w"])


def test_x_times_x_sends_two_contributions_to_x():
    result = backprop("x*x", {"x": 3})
    x = result.graph.index("x")
    arriving = [c for c in result.backward.contributions if c.target == x]
    assert [c.contribution for c in arriving] == [3, 3]
    assert result.gradient("x") == 6


def test_wrt_limits_the_gradients_reported():
    result = backprop(NEURON, NEURON_AT, ["w1", "w2", "b"])
    assert list(result.gradients) == ["w1", "w2", "b"]


def test_learning_rate_step():
    result = backprop(NEURON, NEURON_AT, ["w1", "w2", "b"], 0.1)
    _, oracle = sympy_gradient(NEURON, NEURON_AT)
    assert result.update is not None
    for name in ("w1", "w2", "b"):
        assert close(result.update.values[name], NEURON_AT[name] - 0.1 * oracle[name])
    assert result.update.output is not None and result.update.output < result.output


def test_relu_at_zero_uses_the_stated_convention():
    result = backprop("relu(x)*y", {"x": 0, "y": 2})
    assert result.gradient("x") == 0
    assert any("relu'(0) is taken as 0" in note for note in result.backward.conventions)
    assert result.verified is not False


def test_big_sum_is_fast_and_right():
    terms = 2000
    text = " + ".join(f"w{i}*x{i}" for i in range(terms))
    point = {f"w{i}": 0.001 * i for i in range(terms)} | {f"x{i}": 1.0 + i for i in range(terms)}
    start = time.perf_counter()
    result = backprop(text, point)
    elapsed = time.perf_counter() - start
    assert len(result.graph.nodes) == 3 * terms + 1
    # d/dw_i of sum w_j x_j is x_i, and d/dx_i is w_i.
    assert all(result.gradient(f"w{i}") == 1.0 + i for i in range(terms))
    assert all(result.gradient(f"x{i}") == 0.001 * i for i in range(terms))
    assert result.checks[0].verified is None and result.checks[1].verified is True
    assert elapsed < 3.0  # about 0.3 s on a quiet machine; generous for a busy one


# --- The command -------------------------------------------------------------


def test_text_output(run):
    result = run("backprop", NEURON, "--at", "x1=1,x2=2,w1=0.5,w2=-0.3,b=0.1")
    assert result.exit_code == 0, result.output
    for expected in ("Forward pass", "Backward pass"):
        assert expected in result.stdout
    # The local derivative of the sigmoid at its input 0 (up to rounding) is 1/4.
    row = next(line for line in result.stdout.splitlines() if "sigmoid(n3)*(1 -" in line)
    assert row.split()[-3] == "0.25"
    assert "✓ symbolic" in result.stdout and "✓ finite differences" in result.stdout


def test_json_output(run):
    result = run(
        "backprop", "(a*b + c)*f", "--at", "a=2,b=-3,c=10,f=-2", "--lr", "0.01", "-f", "json"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for key in ("expression", "output", "gradients", "nodes", "verified", "updated"):
        assert key in data
    assert data["output"] == -8 and data["verified"] is True
    assert data["gradients"] == {"a": 6, "b": -4, "c": -2, "f": 4}
    assert set(data["nodes"][0]) >= {"id", "op", "inputs", "value", "grad"}
    assert data["updated"]["a"] == pytest.approx(2 - 0.01 * 6)


def test_summed_paths_are_shown(run):
    result = run("backprop", "x*y + sin(x*y)", "--at", "x=1,y=2")
    row = next(line for line in result.stdout.splitlines() if "cos(n1)" in line)
    assert "1 + (-0.416147) = 0.583853" in row  # 1 + cos(2) by hand
    assert "(path 1 of 2)" in result.stdout and "(path 2 of 2)" in result.stdout


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html"])
def test_other_formats(run, fmt):
    result = run("backprop", "x*y + sin(x*y)", "--at", "x=1,y=2", "-f", fmt)
    assert result.exit_code == 0
    assert ("{longtable}" in result.stdout) == (fmt == "latex")
    assert ("| node |" in result.stdout) == (fmt == "markdown")
    assert ("<table>" in result.stdout) == (fmt == "html")
    # Math, not typewriter text: the local derivative cos(n1) is typeset.
    assert "texttt" not in result.stdout
    if fmt != "html":
        assert "\\cos{" in result.stdout and "n_{1}" in result.stdout


def test_dot_output(run):
    result = run("backprop", "x*y + sin(x*y)", "--at", "x=1,y=2", "-f", "dot")
    assert result.exit_code == 0
    assert result.stdout.startswith("digraph backprop {")
    assert '"n1" [shape=record, label="{ n1 = x*y | value 2 | grad 0.583853 }"];' in result.stdout
    assert result.stdout.rstrip().endswith("}")


def test_big_graph_display_is_truncated(run):
    text = " + ".join(f"w{i}*x{i}" for i in range(300))
    at = ",".join([f"w{i}=0.5" for i in range(300)] + [f"x{i}=2" for i in range(300)])
    result = run("backprop", text, "--at", at)
    assert result.exit_code == 0
    assert "… 861 nodes not shown (--format json" in result.stdout
    assert "… 860 rows not shown (--format json" in result.stdout
    # The marker is a line of its own: it cannot widen a column.
    assert all(len(line) <= 100 for line in result.stdout.splitlines())
    data = json.loads(run("backprop", text, "--at", at, "-f", "json").stdout)
    assert len(data["nodes"]) == 901 and len(data["gradients"]) == 600


def test_extra_variable_is_a_warning(run):
    result = run("backprop", "x*y", "--at", "x=1,y=2,z=3")
    assert result.exit_code == 0
    assert "Warning: --at gives z, which the expression does not use" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x*y", "--at", "x=1"], "Error: --at gives no value for y (every variable needs one"),
        (["x*y"], "Error: --at gives no value for x, y"),
        (
            ["log(x - 3)", "--at", "x=1"],
            "Error: the graph is undefined at node n2 = log(x - 3): "
            "log needs a positive input, got -2",
        ),
        (
            ["x/(y - 2)", "--at", "x=1,y=2"],
            "Error: the graph is undefined at node n2 = x/(y - 2): division by zero: "
            "the divisor y - 2 is 0",
        ),
        (["sqrt(x)", "--at", "x=0"], "Error: the gradient is undefined at node n1 = sqrt(x)"),
        (
            ["cos(y**-1)", "--at", "y=4e-252"],
            "Error: the gradient is undefined at node n1 = y**(-1): 4e-252**-2 overflows float64",
        ),
        (
            ["1e308*x + 1e308*x", "--at", "x=0"],
            "Error: the gradient is undefined at node n1 = 1e+308*x: "
            "the gradient it sends to x overflows float64",
        ),
        (["x*y", "--at", "x=1,y=2", "--wrt", "w"], "Error: --wrt names w, which the expression"),
        (["x +* 3", "--at", "x=1"], "Error: unexpected '*' at column 4"),
        (["x*y", "--at", "x=1,y=2", "--lr", "-1"], "Error: --lr must be a positive number"),
        (["foo(x)", "--at", "x=1"], "Error: unknown function 'foo'"),
    ],
)
def test_bad_input(run, args, message):
    result = run("backprop", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_help_does_not_load_sympy():
    code = "import sys; from mathml_cli.cli import app; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# --- Long lists, in every format ---------------------------------------------------


def big_sum(terms: int) -> tuple[str, str]:
    text = " + ".join(f"w{i}*x{i}" for i in range(terms))
    at = ",".join([f"w{i}=0.5" for i in range(terms)] + [f"x{i}=2" for i in range(terms)])
    return text, at


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_gradient_and_update_lists_say_what_they_leave_out(run, fmt):
    text, at = big_sum(15)  # 30 variables: 20 shown, 10 not
    result = run("backprop", text, "--at", at, "--lr", "0.1", "-f", fmt)
    assert result.exit_code == 0
    out = result.stdout.replace("-{}-", "--")  # LaTeX keeps "--" from becoming a dash
    for what in ("gradients", "updates"):
        assert f"10 {what} not shown (--format json has them all)" in out, what
    gradient_lines = [
        line
        for line in result.stdout.splitlines()
        if "∂f/∂" in line or "partial f}{\\partial w_{" in line
    ]
    assert gradient_lines  # and the first and last variables are both there:
    assert "w0" in result.stdout and "x14" in result.stdout


# --- What a demanding user checks -------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_summed_paths_are_shown_in_every_format(run, fmt):
    result = run("backprop", "x*y + sin(x*y)", "--at", "x=1,y=2", "-f", fmt)
    assert "1 + (-0.416147) = 0.583853" in result.stdout
    assert "path 2 of 2" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_relu_at_zero_states_its_convention_in_every_format(run, fmt):
    result = run("backprop", "relu(x)*y", "--at", "x=0,y=2", "-f", fmt)
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())  # the text view wraps long lines
    assert "relu at exactly 0: relu'(0) is taken as 0 (the convention PyTorch uses)" in words


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_extra_variable_warns_in_every_format(run, fmt):
    result = run("backprop", "x*y", "--at", "x=1,y=2,z=3", "-f", fmt)
    assert result.exit_code == 0
    out = result.stdout.replace("-{}-", "--")  # LaTeX keeps "--" from becoming a dash
    assert "--at gives z, which the expression does not use" in out


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_update_is_written_out_old_to_new(run, fmt):
    result = run("backprop", "(a*b + c)*f", "--at", "a=2,b=-3,c=10,f=-2", "--lr", "0.01", "-f", fmt)
    out = result.stdout
    assert "learning rate 0.01" in out
    # ∂L/∂b = -4 (by hand): b ← -3 − 0.01 × (-4) = -2.96
    assert "-3 − 0.01 × (-4) = -2.96" in out or r"-3 - 0.01 \times (-4) = -2.96" in out
    assert "L after the step: -8 " in out  # the output is L: f is a variable here


def dot_statements(source: str) -> tuple[set[str], list[tuple[str, str]]]:
    """A small structural parse of our DOT: the declared nodes and the edges."""
    import re

    lines = [line.strip() for line in source.strip().splitlines()]
    assert lines[0] == "digraph backprop {" and lines[-1] == "}"
    declared: set[str] = set()
    edges: list[tuple[str, str]] = []
    quoted = r'"((?:[^"\\]|\\.)*)"'
    for line in lines[1:-1]:
        assert line.endswith(";"), line
        edge = re.fullmatch(rf"{quoted} -> {quoted};", line)
        if edge:
            edges.append((edge[1], edge[2]))
            continue
        node = re.fullmatch(rf"{quoted} \[(.*)\];", line)
        if node:
            assert node[2].count('"') % 2 == 0 and "label=" in node[2]
            declared.add(node[1])
            continue
        assert re.fullmatch(r"\w+(?: \[.*\])?=?.*;", line), line
    return declared, edges


def test_dot_is_well_formed_and_every_edge_joins_declared_nodes(run):
    text = "sigmoid(w*x)*(1 - sigmoid(w*x)) + relu(x - 1)/(w**2 + 1)"
    result = run("backprop", text, "--at", "w=0.7,x=-1.3", "-f", "dot")
    declared, edges = dot_statements(result.stdout)
    assert all(a in declared and b in declared for a, b in edges)
    # one record per graph node, one op circle per operation node
    data = json.loads(run("backprop", text, "--at", "w=0.7,x=-1.3", "-f", "json").stdout)
    ops = [node for node in data["nodes"] if node["inputs"]]
    assert len(declared) == len(data["nodes"]) + len(ops)
    assert len(edges) == sum(len(node["inputs"]) + 1 for node in ops)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(run, tmp_path):
    result = run("backprop", "x*y + sin(x*y) + log(x)", "--at", "x=1,y=2", "-f", "dot")
    source = tmp_path / "graph.dot"
    source.write_text(result.stdout)
    done = subprocess.run(["dot", "-Tsvg", str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


# --- Values that are 0 up to rounding -------------------------------------------------


def test_a_rounding_residue_is_marked_and_explained(run):
    from fractions import Fraction

    args = ("backprop", NEURON, "--at", "x1=1,x2=2,w1=0.5,w2=-0.3,b=0.1")
    # The exact sum of the binary numbers 0.5·1, -0.3·2 and 0.1 is not 0.
    residue = float(Fraction(0.5) + Fraction(-0.3) * 2 + Fraction(0.1))
    assert residue != 0
    data = json.loads(run(*args, "-f", "json").stdout)
    n3 = next(node for node in data["nodes"] if node["id"] == "n3")
    assert n3["value"] == residue  # JSON keeps the exact float
    assert list(data["zero_up_to_rounding"]) == ["n3"]
    assert abs(residue) <= data["zero_up_to_rounding"]["n3"] < 1e-15
    text = run(*args).stdout
    n3_row = next(line for line in text.splitlines() if line.startswith("n3 "))
    assert n3_row.endswith(" 2.77556e-17 ≈ 0") and "value 2.77556e-17 ≈ 0" in text
    assert "≈ 0 marks a value within float64 rounding error of 0" in text
    for fmt in ("latex", "markdown"):
        assert r"2.77556 \times 10^{-17} \approx 0" in run(*args, "-f", fmt).stdout


@pytest.mark.parametrize(
    ("text", "point", "flagged"),
    [
        ("sin(pi*x)", {"x": 1.0}, ["n2"]),  # sin(π) is 1.2e-16 in float64
        ("x + y - 0.3", {"x": 0.1, "y": 0.2}, ["n2"]),
        ("(x + y - 0.3)*5", {"x": 0.1, "y": 0.2}, ["n2", "n3"]),  # and what is built on it
        ("exp(-x)", {"x": 50.0}, []),  # tiny, but not rounding residue
        ("x - 1e-17", {"x": 0.0}, []),
        ("x*y", {"x": 1e-30, "y": 3.0}, []),
        ("x - y", {"x": 0.5, "y": 0.5}, []),  # exactly 0 needs no mark
    ],
)
def test_zero_up_to_rounding_flags_only_residues(text, point, flagged):
    result = backprop(text, point)
    assert [result.graph.nodes[i].id for i in result.rounding_zeros] == flagged


def test_the_output_is_not_called_f_when_a_variable_is(run):
    out = run("backprop", "(a*b + c)*f", "--at", "a=2,b=-3,c=10,f=-2").stdout
    assert "L = (a*b + c)*f" in out
    assert "∂L/∂f = 4" in out
    assert "∂f/∂f" not in out
    assert "∂f/∂x = " in run("backprop", "x*y", "--at", "x=1,y=2").stdout
