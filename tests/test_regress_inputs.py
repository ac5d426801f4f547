"""`mathml regress --features` with expressions of columns, and whitespace-delimited tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm


def xz_table(tmp_path: Path, rows: int = 60) -> tuple[Path, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)
    x = rng.uniform(1, 5, rows)
    z = rng.uniform(1, 3, rows)
    y = 1 + 2 * x - 0.3 * x**2 + 1.5 * np.log(z) + 0.2 * x * z + rng.normal(0, 0.1, rows)
    path = tmp_path / "xz.csv"
    np.savetxt(path, np.column_stack([x, z, y]), delimiter=",", header="x,z,y", comments="")
    return path, x, z, y


def test_features_may_be_expressions_of_columns(run, tmp_path):
    path, x, z, y = xz_table(tmp_path)
    result = run("regress", str(path), "-x", "x, x**2, log(z), x*z", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["features"] == ["x", "x**2", "log(z)", "x*z"]
    design = sm.add_constant(np.column_stack([x, x**2, np.log(z), x * z]))
    model = sm.OLS(y, design).fit()
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)
    np.testing.assert_allclose(list(data["std_errors"].values()), model.bse, rtol=1e-9)
    # --predict then takes the columns, and the features follow from them.
    result = run("regress", str(path), "-x", "x, x**2, log(z), x*z", "--predict", "x=2,z=1.5")
    at = np.array([[1.0, 2.0, 4.0, np.log(1.5), 3.0]])
    assert f"= {float(model.predict(at)[0]):.6g}" in result.stdout


def test_an_expression_with_two_arguments_and_a_plain_column_mix(run, tmp_path):
    path, x, z, y = xz_table(tmp_path)
    data = json.loads(run("regress", str(path), "-x", "z, log(x, 2)", "-f", "json").stdout)
    model = sm.OLS(y, sm.add_constant(np.column_stack([z, np.log2(x)]))).fit()
    assert list(data["coefficients"]) == ["intercept", "z", "log(x, 2)"]
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)


@pytest.mark.parametrize(
    ("features", "fragment"),
    [
        ("x, log(q)", "--features: in 'log(q)': no column named 'q'"),
        ("x, y*2", "'y*2' uses the target 'y'"),
        ("x, x +* 2", "--features: unexpected '*' at column 4"),
        ("x, log(x - 3)", "'log(x - 3)' is not a finite number in row"),
        ("x, __import__('os')", "--features:"),
    ],
)
def test_bad_feature_expressions(run, tmp_path, features, fragment):
    path, x, _, _ = xz_table(tmp_path)
    result = run("regress", str(path), "-x", features)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert fragment in result.stderr, result.stderr
    if "log(x - 3)" in features:
        row = int(np.flatnonzero(x - 3 <= 0)[0]) + 1
        assert f"in row {row} (x = {x[row - 1]:g})" in result.stderr


def test_whitespace_delimited_tables_read_like_csv(run, tmp_path):
    rng = np.random.default_rng(4)
    table = np.column_stack([rng.normal(size=(40, 2)), rng.normal(size=40)])
    spaced, comma = tmp_path / "data.txt", tmp_path / "data.csv"
    np.savetxt(spaced, table)  # NumPy's default: '%.18e', one space between
    np.savetxt(comma, table, delimiter=",", fmt="%.18e")
    from_spaces = json.loads(run("regress", str(spaced), "-f", "json").stdout)
    from_commas = json.loads(run("regress", str(comma), "-f", "json").stdout)
    assert from_spaces == from_commas
    model = sm.OLS(table[:, -1], sm.add_constant(table[:, :-1])).fit()
    np.testing.assert_allclose(list(from_spaces["coefficients"].values()), model.params, rtol=1e-10)
    # A header, runs of spaces and tabs, and leading blanks are fine too.
    text = "a \t b   y\n" + "\n".join(
        "  " + "   ".join(repr(float(v)) for v in row) for row in table
    )
    named = json.loads(run("regress", "-", "-f", "json", input=text).stdout)
    assert named["features"] == ["a", "b"]
    np.testing.assert_allclose(list(named["coefficients"].values()), model.params, rtol=1e-10)


def test_a_ragged_whitespace_table_names_the_row(run):
    result = run("regress", "-", input="a b y\n1 2 3\n2 1 4\n3 5\n4 4 4\n")
    assert result.exit_code == 2
    assert "row 3 (line 4) has 2 fields, but the table has 3 columns (a, b, y)" in result.stderr


def test_savetxt_header_and_any_line_ending_read_like_csv(run, tmp_path):
    """savetxt's '# x z y' header names the columns; CR, CRLF and LF files give the
    same fit, statsmodels' on the numbers NumPy wrote."""
    rng = np.random.default_rng(5)
    table = np.column_stack([rng.normal(size=(30, 2)), rng.normal(size=30)])
    path = tmp_path / "saved.txt"
    np.savetxt(path, table, header="x z y")
    model = sm.OLS(table[:, -1], sm.add_constant(table[:, :-1])).fit()
    lf = path.read_text()
    assert lf.startswith("# x z y\n")
    fits = []
    for ending in ["\n", "\r\n", "\r"]:
        result = run("regress", "-", "-f", "json", input=lf.replace("\n", ending))
        assert result.exit_code == 0, result.stderr
        fits.append(json.loads(result.stdout))
    assert fits[0] == fits[1] == fits[2]
    assert fits[0]["features"] == ["x", "z"] and fits[0]["target"] == "y"
    np.testing.assert_allclose(list(fits[0]["coefficients"].values()), model.params, rtol=1e-10)


def test_stats_reads_classic_mac_line_endings(run):
    result = run("stats", "-", "-f", "json", input="1\r2\r3\r4\r10\r")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    summary = data["columns"][0] if "columns" in data else data
    assert summary["n"] == 5
    assert summary["mean"] == pytest.approx(np.mean([1, 2, 3, 4, 10]))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# nothing\n# here\n", "holds only comment lines"),
        ("x,y\n1,2\n#N/A,3\n3,6\n", "missing value in row 2 (line 3), column 'x'"),
    ],
)
def test_comment_only_input_and_excel_missing_marker(run, text, fragment):
    result = run("regress", "-", input=text)
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_stats_reads_numbers_separated_by_spaces_on_one_line_as_one_list(run):
    """'1 2 3' on stdin is three numbers, not a table of three columns of one row."""
    result = run("stats", "-", "-f", "json", input="1 2 3\n")
    assert result.exit_code == 0, result.stderr
    (column,) = json.loads(result.stdout)["columns"]
    assert column["n"] == 3 and column["mean"] == 2.0


def odd_names_table(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    design = rng.uniform(1, 9, (12, 3))
    y = 1 + design @ np.array([2.0, -0.5, 0.3]) + rng.normal(0, 0.2, 12)
    path = tmp_path / "odd.csv"
    rows = "".join(
        ",".join(repr(float(v)) for v in [*row, t]) + "\n" for row, t in zip(design, y, strict=True)
    )
    path.write_text('"price ($)",a&b,x y,y\n' + rows)
    return path, design, y


def test_predict_names_columns_that_are_not_identifiers_as_they_are(run, tmp_path):
    path, design, y = odd_names_table(tmp_path)
    model = sm.OLS(y, sm.add_constant(design)).fit()
    expected = float(model.predict(np.array([[1.0, 2.0, 3.0, 4.5]]))[0])
    result = run("regress", str(path), "-f", "json", "--predict", "price ($)=2, a&b=3;x y=4.5")
    assert result.exit_code == 0, result.stderr
    prediction = json.loads(result.stdout)["prediction"]
    assert prediction["point"] == {"price ($)": 2.0, "a&b": 3.0, "x y": 4.5}
    assert prediction["value"] == pytest.approx(expected, rel=1e-10)
    # The same from Python, with a dict.
    from mathml_cli.api import regress

    point = {"price ($)": 2, "a&b": 3, "x y": 4.5}
    assert regress(str(path), predict=point).to_dict()["prediction"]["value"] == pytest.approx(
        expected, rel=1e-10
    )


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ("price ($)=2, a&b=3", "--predict gives no value for x y"),
        ("price ($)=2, a&b=3, x y=1, x y=2", "--predict: x y is given twice"),
        ("price ($)=2, a&b=3, x y=zz", "--predict value of x y must be a number, got 'zz'"),
        ("price=2, a&b=3, x y=1", "--predict names price, which the model does not use"),
    ],
)
def test_predict_errors_name_such_columns_as_they_are(run, tmp_path, point, message):
    path, _, _ = odd_names_table(tmp_path)
    result = run("regress", str(path), "--predict", point)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {message}"), result.stderr


@pytest.mark.parametrize("command", ["regress", "stats", "pca"])
def test_a_delimiter_ending_every_row_adds_no_empty_column(run, command):
    x = np.array([1.0, 2, 3, 4, 5])
    y = np.array([2.0, 4.1, 5.9, 8.2, 9.8])
    text = "x,y,\n" + "".join(f"{a},{b},\n" for a, b in zip(x, y, strict=True))
    result = run(command, "-", "-f", "json", input=text)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    if command == "regress":
        assert data["target"] == "y" and data["features"] == ["x"]
        model = sm.OLS(y, sm.add_constant(x)).fit()
        np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-12)
    elif command == "stats":
        assert [column["name"] for column in data["columns"]] == ["x", "y"]
    else:
        assert data["columns"] == ["x", "y"]


def test_a_feature_named_intercept_is_refused_unless_there_is_no_intercept(run):
    table = "intercept,x,y\n1,1,2\n1,2,4.1\n1,3,6\n1,4,8.2\n"
    result = run("regress", "-", input=table)
    assert result.exit_code == 2 and result.stdout == ""
    assert "a feature named 'intercept' would share its name with β₀" in result.stderr
    # Through the origin the column of ones is the intercept, and the names are unique.
    x = np.array([1.0, 2, 3, 4])
    y = np.array([2, 4.1, 6, 8.2])
    data = json.loads(run("regress", "-", "--no-intercept", "-f", "json", input=table).stdout)
    model = sm.OLS(y, np.column_stack([np.ones(4), x])).fit()
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-12)
    assert list(data["coefficients"]) == ["intercept", "x"]


def test_columns_named_like_constants_or_functions_are_columns_in_expressions(run):
    e = np.array([1.0, 2, 3, 4, 5, 6])
    pi = np.array([3.0, 1, 4, 1, 5, 9])
    exp = np.array([1.0, 2, 2, 5, 9, 2])
    y = np.array([2, 4.5, 5, 8.1, 9, 11])
    table = "e,pi,exp,y\n" + "".join(
        f"{a},{b},{c},{d}\n" for a, b, c, d in zip(e, pi, exp, y, strict=True)
    )
    result = run("regress", "-", "-x", "e, log(e), pi**2, log(exp)", "-f", "json", input=table)
    assert result.exit_code == 0, result.stderr
    model = sm.OLS(y, sm.add_constant(np.column_stack([e, np.log(e), pi**2, np.log(exp)]))).fit()
    data = json.loads(result.stdout)
    np.testing.assert_allclose(list(data["coefficients"].values()), model.params, rtol=1e-9)


def test_all_rows_dropped_says_which_columns_hold_the_gaps(run):
    result = run("regress", "-", "--drop-missing", input="x,y,note\n1,2,\n2,4.5,\n3,5,\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: every row of stdin (3) has a missing value in a column the fit uses (x, y, note)"
    )


@pytest.mark.parametrize(
    ("command", "chosen", "hint"),
    [
        ("regress", [], "; choose the columns with --features (and --target)"),
        ("regress", ["-x", "name,x"], ""),
        ("pca", [], "; choose the numeric columns with --columns"),
        ("stats", [], "; choose the numeric columns with --column"),
        ("stats", ["-c", "name"], ""),
    ],
)
def test_a_text_column_chosen_by_default_gets_a_hint(run, command, chosen, hint):
    result = run(command, "-", *chosen, input="name,x,y\nann,1,2\nbob,2,4\ncy,3,6.1\n")
    assert result.exit_code == 2
    assert result.stderr == f"Error: row 1 (line 2), column 'name': 'ann' is not a number{hint}\n"


def test_an_expression_of_a_column_named_pi_is_typeset_as_that_column(run):
    table = "pi,x,y\n1,1,2\n2,3,4.5\n3,2,5\n4,5,8.1\n5,4,9.2\n"
    latex = run("regress", "-", "-x", "pi**2, x", "-f", "latex", input=table).stdout
    assert r"\beta_{1} p_{i}^{2}" in latex and r"\pi" not in latex
    # Without such a column, pi in an expression is the constant.
    plain = table.replace("pi,", "w,", 1)
    latex = run("regress", "-", "-x", "w, pi*x", "-f", "latex", input=plain).stdout
    assert r"\pi x" in latex
