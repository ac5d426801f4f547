"""The installed command answers, and fails cleanly."""

from __future__ import annotations


def test_derive_product(run):
    result = run("derive", "x**2*sin(x)")
    assert result.exit_code == 0
    assert "product rule" in result.stdout
    assert "✓ checked" in result.stdout


def test_bad_expression_is_one_line_exit_2(run):
    result = run("derive", "x +* 3")
    assert result.exit_code == 2
    assert result.stderr == "Error: unexpected '*' at column 4 in \"x +* 3\"\n"
    assert result.stdout == ""
