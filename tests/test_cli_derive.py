"""`mathml derive` as a user runs it: exit codes, what is printed, every format."""

from __future__ import annotations

import json
import math
import re

import pytest
import sympy
from sympy.parsing.sympy_parser import parse_expr

from mathml_cli.core.functions import relu, sigmoid, softplus, step

ANSI = re.compile(r"\x1b\[")


def test_text_output_names_rules_and_checks(run):
    result = run("derive", "x**2*sin(x)")
    assert result.exit_code == 0
    out = result.stdout
    for phrase in ["product rule", "power rule", "sine", "d/dx[f*g] = f'*g + f*g'"]:
        assert phrase in out
    assert "Result: d/dx[x**2*sin(x)] = x*(x*cos(x) + 2*sin(x))" in out
    assert "✓ checked: agrees with finite differences at 5 points" in out
    assert not ANSI.search(out)


def test_chain_rule_shows_the_substitution(run):
    out = run("derive", "sqrt(1 + x**2)").stdout
    assert "chain rule" in out
    assert "with u = x**2 + 1, f(u) = sqrt(u)" in out
    assert "d/du[sqrt(u)]" in out


def test_no_steps_is_short(run):
    out = run("derive", "x**2*sin(x)", "--no-steps").stdout
    assert "product rule" not in out
    assert "Result:" in out


def test_gradient_for_several_variables(run):
    out = run("derive", "x**2*y + exp(y)").stdout
    assert "Partial derivative with respect to x  (y is held constant)" in out
    assert "∂f/∂x = 2*x*y" in out
    assert "∂f/∂y = x**2 + exp(y)" in out


def test_wrt_repeated_and_comma_separated(run):
    one = run("derive", "x*y*z", "-w", "x", "-w", "z", "-f", "json")
    two = run("derive", "x*y*z", "--wrt", "x,z", "-f", "json")
    assert json.loads(one.stdout)["variables"] == ["x", "z"]
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_at_shows_values(run):
    result = run("derive", "x**2*sin(x)", "--at", "x=3")
    assert result.exit_code == 0
    f = 9 * math.sin(3)
    df = 9 * math.cos(3) + 6 * math.sin(3)
    assert f"f = {f:.6g}" in result.stdout
    assert f"df/dx = {df:.6g}" in result.stdout


def test_order(run):
    data = json.loads(run("derive", "x**3", "-n", "2", "-f", "json").stdout)
    assert data["result"] == "6*x"
    assert data["order"] == 2


def _sympy_reads(text: str):
    local = {"sigmoid": sigmoid, "relu": relu, "softplus": softplus, "step": step, "e": sympy.E}
    return parse_expr(text, local_dict=local)


def test_json_keys_and_values(run):
    result = run(
        "derive", "sigmoid(w*x + b)", "--wrt", "w", "--at", "w=0.5,x=2,b=0.1", "-f", "json"
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for key in ["expression", "variable", "result", "latex", "steps", "value", "verified"]:
        assert key in data
    assert data["variable"] == "w"
    assert data["verified"] is True
    step_keys = {"rule", "expression", "result", "formula", "substeps"}
    assert step_keys <= set(data["steps"][0])
    # The result is text SymPy can read; its value matches an independent computation.
    w, x, b = 0.5, 2.0, 0.1
    s = 1 / (1 + math.exp(-(w * x + b)))
    expected = x * s * (1 - s)
    reread = _sympy_reads(data["result"]).subs({"w": w, "x": x, "b": b})
    assert float(reread) == pytest.approx(expected)
    assert data["value"]["derivatives"]["w"] == pytest.approx(expected)
    assert data["value"]["function"] == pytest.approx(s)


def test_json_for_a_gradient(run):
    data = json.loads(run("derive", "x**2*y", "-f", "json").stdout)
    assert data["variables"] == ["x", "y"]
    assert data["gradient"] == {"x": "2*x*y", "y": "x**2"}
    assert [p["variable"] for p in data["partials"]] == ["x", "y"]


def test_json_is_plain_even_on_a_terminal_colour_setting(run, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    out = run("derive", "x**2", "-f", "json").stdout
    assert not ANSI.search(out)
    json.loads(out)


def test_latex_is_a_document_fragment(run):
    out = run("derive", "x**2*sin(x)", "--at", "x=1", "-f", "latex").stdout
    assert out.startswith("% mathml derive: x**2*sin(x)")
    assert "\\documentclass" not in out
    assert out.count("\\left[") == out.count("\\right]")
    assert out.count("{") == out.count("}")
    assert "product rule" in out


def test_markdown_has_math(run):
    out = run("derive", "x**2*y", "-f", "markdown").stdout
    assert "$f(x, y) = x^{2} y$" in out
    assert "**Gradient:**" in out
    assert out.count("$") % 2 == 0


def test_plot(run):
    result = run("derive", "sin(x)", "--plot", "--at", "x=1", "--range", "-3:3")
    assert result.exit_code == 0
    assert "tangent at x = 1" in result.stdout
    assert not ANSI.search(result.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x +* 3"], "Error: unexpected '*' at column 4 in \"x +* 3\""),
        (["2x"], "write 2*x"),
        (["sigmod(x)"], "did you mean 'sigmoid'?"),
        (["__import__('os').system('echo hi')"], "not allowed at column 1"),
        (["x*y", "--at", "x=1"], "--at gives no value for y"),
        (["x", "--at", "x=1,z=2"], "--at names z, which the expression does not use"),
        (["x", "--at", "x"], "expected name=value"),
        (["x", "--order", "0"], "--order must be between 1 and 10"),
        (["x*y", "--plot"], "--plot needs a function of one variable"),
        (["x", "--plot", "--range", "3:1"], "--range start must be below its end"),
        (["x", "--range", "1:3"], "--range only applies with --plot"),
        (
            ["x", "--plot", "-f", "json"],
            "--plot draws in the terminal or a page and works only with --format text or html",
        ),
        (["x", "--format", "yaml"], "Invalid value for '--format'"),
        (["x", "--bogus"], "No such option: --bogus"),
        (["log(x)", "--at", "x=-1"], "cannot be evaluated at x = -1: it is outside"),
        (["9**9**9**9"], "exponent 387420489 is too large"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(run, args, message):
    result = run("derive", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr


def test_missing_argument_is_a_usage_error(run):
    result = run("derive")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_internal_errors_are_one_line_unless_debugging(run, monkeypatch):
    import mathml_cli.core.derive as core

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(core, "derive", broken)
    result = run("derive", "x")
    assert result.exit_code == 1
    assert "internal error (ZeroDivisionError: boom)" in result.stderr
    assert "MATHML_DEBUG=1" in result.stderr
    monkeypatch.setenv("MATHML_DEBUG", "1")
    result = run("derive", "x")
    assert isinstance(result.exception, ZeroDivisionError)


def test_interrupt_exits_130(run, monkeypatch):
    import mathml_cli.core.derive as core

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(core, "derive", interrupted)
    result = run("derive", "x")
    assert result.exit_code == 130


def test_version_and_help(run):
    from mathml_cli import __version__

    assert run("--version").stdout == f"mathml {__version__}\n"
    top = run("--help")
    assert top.exit_code == 0
    assert "derive" in top.stdout
    assert run().exit_code == 0  # no arguments: the help, as asked


def test_every_command_has_help_with_an_example(run):
    from typer.main import get_command

    from mathml_cli.cli import app

    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert "derive" in commands
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert f"mathml {name} " in result.stdout, f"{name} --help shows no example"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-x**2"], "-2*x"),
        (["-(x + 1)**2", "--at", "x=-1"], "-2*x - 2"),
        (["-w*x", "-w", "w"], "-x"),
        (["-2.5*x", "-n1"], "-2.5"),
        (["--", "-x"], "-1"),
        (["-x", "--format=json"], "-1"),
    ],
)
def test_expressions_may_start_with_a_minus(run, args, expected):
    result = run("derive", "-f", "json", *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["result"] == expected


def test_unknown_long_options_are_still_reported(run):
    result = run("derive", "x", "--bogus")
    assert result.exit_code == 2
    assert "No such option: --bogus" in result.stderr


def test_a_large_derivation_is_thinned_in_text_but_whole_in_json(run):
    text = " + ".join(f"sin({i}*x)" for i in range(1, 41))
    out = run("derive", text).stdout
    assert "… 32 more parts, by the same rules" in out
    data = json.loads(run("derive", text, "-f", "json").stdout)
    assert len(data["steps"][0]["substeps"]) == 40


def test_json_writes_nan_as_null_and_large_output_compactly():
    from mathml_cli.render.output import INDENT_LIMIT, to_json

    assert json.loads(to_json({"a": float("nan"), "b": [1.0, float("inf")]})) == {
        "a": None,
        "b": [1.0, None],
    }
    small = to_json({"a": [1, 2]})
    assert "\n" in small
    big = to_json({"values": list(range(INDENT_LIMIT // 5))})
    assert "\n" not in big
    assert json.loads(big)["values"][-1] == INDENT_LIMIT // 5 - 1
