"""`mathml explain`: every formula against PyTorch and SciPy, every derivative
against finite differences and derive's engine, every entry in every format."""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mathml_cli.cli import app
from mathml_cli.core.catalogue import ENTRIES, by_name
from mathml_cli.core.explain import compare_entries, explain, find, listing
from mathml_cli.core.expr import parse_expression, point_evaluator
from mathml_cli.errors import InputError

HERE = Path(__file__).resolve().parent
REFERENCE = json.loads((HERE / "data" / "explain" / "torch_reference.json").read_text())
NAMES = [entry.name for entry in ENTRIES]
runner = CliRunner()


@cache
def _function(name: str, which: str = "formula"):
    """The entry's formula (or closed form) as a float function of its variable and
    given inputs, its parameters at their defaults."""
    entry = by_name()[name]
    expression = parse_expression(getattr(entry, which))
    parameters = {p.name: p.default for p in entry.parameters}
    names = [entry.variable, *(n for n, _ in entry.given), *parameters]
    evaluate = point_evaluator(expression, names)

    def function(point: dict[str, float]) -> float:
        values = {**dict(entry.given), **parameters, **point}
        return evaluate(*(values[n] for n in names))

    return function


def _close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# --- PyTorch (recorded) -------------------------------------------------------


TORCH_CASES = [(name, row) for name, rows in REFERENCE["cases"].items() for row in rows]


@pytest.mark.parametrize(
    ("name", "row"), TORCH_CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_formula_matches_torch(name, row):
    assert _close(_function(name)(row["point"]), row["value"], rel=1e-12, abs_=1e-12), row


@pytest.mark.parametrize(
    ("name", "row"), TORCH_CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_closed_form_matches_torch_autograd_including_its_value_at_kinks(name, row):
    if row["derivative"] is None:  # the step: autograd has no derivative for heaviside
        assert _function(name, "closed_form")(row["point"]) == 0
        return
    # Torch's hardsigmoid backward multiplies by 1/6 rounded to float32.
    tolerance = 1e-7 if name == "hard_sigmoid" else 1e-10
    assert _close(_function(name, "closed_form")(row["point"]), row["derivative"], tolerance), row


def test_every_activation_and_loss_with_a_torch_function_is_recorded():
    with_torch = {e.name for e in ENTRIES if "torch" in e.reference and e.category != "regularizer"}
    # cross-entropy is checked as a sum over classes below.
    assert with_torch - set(REFERENCE["cases"]) == {"cross_entropy"}


def test_cross_entropy_summed_over_classes_is_torchs_loss():
    term = _function("cross_entropy")
    for case in REFERENCE["cross_entropy"]:
        ours = sum(
            term({"yhat": p, "y": y})
            for p, y in zip(case["probabilities"], case["target"], strict=True)
        )
        assert _close(ours, case["loss"], 1e-12)


def test_l2_gradient_is_sgd_weight_decay_and_adamws_decoupled_step():
    gradient = _function("l2", "closed_form")
    for case in REFERENCE["weight_decay"]:
        w, lr = case["w"], case["lr"]
        step = w - lr * gradient({"w": w, "lam": case["lam"]})
        assert _close(step, case["sgd"], 1e-12)
        # AdamW with a zero gradient: only the decoupled decay w·(1 − γλ) moves w.
        assert _close(step, case["adamw"], 1e-12)


def test_l2_and_adamw_in_mathmls_own_optimizers():
    from mathml_cli.core.optimizers import OPTIMIZERS

    gradient = _function("l2", "closed_form")
    w, lr, lam = [1.5], 0.1, 0.01
    sgd = OPTIMIZERS["sgd"]({"lr": lr, "momentum": 0.0, "dampening": 0.0, "weight_decay": lam}, 1)
    adamw = OPTIMIZERS["adamw"]({**OPTIMIZERS["adamw"].defaults, "lr": lr, "weight_decay": lam}, 1)
    expected = w[0] - lr * gradient({"w": w[0]})
    assert _close(sgd.step(w, [0.0], lr, 1)[0], expected, 1e-12)
    assert _close(adamw.step(w, [0.0], lr, 1)[0], expected, 1e-12)


def test_l1_gradient_is_torch_autograds_including_zero():
    gradient = _function("l1", "closed_form")
    for case in REFERENCE["l1"]:
        assert _close(gradient(case["point"]), case["derivative"], 1e-12)


# --- PyTorch (live) -------------------------------------------------------------


def test_live_torch_agrees_with_the_recorded_reference():
    torch = pytest.importorskip("torch")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "record_explain", HERE / "data" / "explain" / "record.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, function in module.ACTIVATIONS.items():
        for row in REFERENCE["cases"][name]:
            (x,) = row["point"].values()
            live = module._record(function, x, {})
            assert live["value"] == pytest.approx(row["value"], rel=1e-12, abs=1e-15)
    assert torch.__version__.startswith("2.")


@pytest.mark.parametrize("name", ["sigmoid", "gelu", "silu", "mish", "elu", "selu", "softplus"])
def test_live_torch_on_random_points(name):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F  # noqa: N812

    functions = {
        "sigmoid": torch.sigmoid,
        "gelu": F.gelu,
        "silu": F.silu,
        "mish": F.mish,
        "elu": F.elu,
        "selu": F.selu,
        "softplus": F.softplus,
    }
    generator = torch.Generator().manual_seed(0)
    xs = (torch.rand(50, generator=generator, dtype=torch.float64) - 0.5) * 16
    xs.requires_grad_(True)
    values = functions[name](xs)
    values.sum().backward()
    for x, value, grad in zip(xs.tolist(), values.tolist(), xs.grad.tolist(), strict=True):
        assert _close(_function(name)({"x": x}), value, 1e-11, 1e-13)
        assert _close(_function(name, "closed_form")({"x": x}), grad, 1e-10, 1e-13)


# --- SciPy and NumPy ------------------------------------------------------------


xs = st.floats(-20, 20, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(xs)
def test_scipy_references(x):
    import numpy as np
    from scipy import special

    point = {"x": x}
    assert _close(_function("sigmoid")(point), float(special.expit(x)), 1e-12, 1e-300)
    assert _close(_function("tanh")(point), math.tanh(x), 1e-12, 1e-15)
    assert _close(_function("gelu")(point), x * float(special.ndtr(x)), 1e-12, 1e-15)
    # gelu' = Φ + x·φ, with SciPy's normal CDF and density.
    density = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert _close(
        _function("gelu", "closed_form")(point), float(special.ndtr(x)) + x * density, 1e-10, 1e-15
    )
    assert _close(_function("softplus")(point), float(np.logaddexp(0, x)), 1e-12, 1e-15)
    # σ(1 − σ) loses digits to 1 − σ far out: the formula, not the derivative, is inexact.
    assert _close(
        _function("sigmoid", "closed_form")(point),
        float(special.expit(x) * special.expit(-x)),
        1e-6,
        1e-300,
    )


@settings(max_examples=60, deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(0.1, 5))
def test_scipy_loss_references(yhat, y, delta):
    from scipy import special

    point = {"yhat": yhat, "y": y}
    error = yhat - y
    huber = _function("huber")
    assert _close(huber({**point, "delta": delta}), float(special.huber(delta, error)), 1e-9, 1e-12)
    # log(cosh e) written the stable way, |e| + log1p(e^(−2|e|)) − log 2.
    stable = abs(error) + math.log1p(math.exp(-2 * abs(error))) - math.log(2)
    assert _close(_function("log_cosh")(point), stable, 1e-9, 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_kl_term_is_scipys_relative_entropy(yhat, y):
    from scipy import special

    assert _close(_function("kl_div")({"yhat": yhat, "y": y}), float(special.rel_entr(y, yhat)))


# --- derivatives: finite differences and derive's engine -----------------------


def _away_from_kinks(name: str, point: dict[str, float], margin: float) -> bool:
    entry = by_name()[name]
    values = {**dict(entry.given), **{p.name: p.default for p in entry.parameters}, **point}
    for kink in entry.kinks:
        where = point_evaluator(parse_expression(kink), sorted(values))(
            *(values[k] for k in sorted(values))
        )
        if abs(point[entry.variable] - where) < margin:
            return False
    return True


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25, deadline=None)
@given(fraction=st.floats(0.02, 0.98))
def test_closed_form_is_the_central_difference(name, fraction):
    entry = by_name()[name]
    low, high = entry.window
    x = low + (high - low) * fraction
    h = 1e-5 * max(1.0, abs(x))
    if not _away_from_kinks(name, {entry.variable: x}, 10 * h):
        return
    f = _function(name)
    difference = (f({entry.variable: x + h}) - f({entry.variable: x - h})) / (2 * h)
    closed = _function(name, "closed_form")({entry.variable: x})
    assert math.isclose(closed, difference, rel_tol=1e-5, abs_tol=1e-6), (x, closed, difference)


@pytest.fixture(scope="module")
def explanations():
    return {name: explain(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_closed_form_equals_derives_derivative(name, explanations):
    result = explanations[name]
    assert result.closed_form_check.agrees, result.closed_form_check
    assert result.closed_form_check.points > 80
    assert result.derivation.verification.verified is not False


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(fraction=st.floats(0.0, 1.0))
def test_derives_derivative_equals_the_closed_form_anywhere(name, fraction, explanations):
    result = explanations[name]
    entry = result.entry
    low, high = entry.window
    x = low + (high - low) * fraction
    if not _away_from_kinks(name, {entry.variable: x}, 1e-6):
        return
    names = [entry.variable, *result.given, *result.parameters]
    values = [x, *result.given.values(), *result.parameters.values()]
    derived = point_evaluator(result.derivation.result, names)(*values)
    closed = point_evaluator(result.closed_form, names)(*values)
    assert _close(derived, closed, 1e-8, 1e-12)


# --- behaviour: computed, checked against what is known independently ------------


def test_sigmoid_behaviour(explanations):
    behaviour = explanations["sigmoid"].behaviour
    # σ′(0) = 1/4 is the maximum (σ′ = σ(1 − σ) and σ(1 − σ) ≤ 1/4).
    assert behaviour.largest_derivative == pytest.approx(0.25, abs=1e-12)
    assert behaviour.largest_at == (0.0, 0.0)
    assert behaviour.monotonic == "increasing"
    assert any("vanishing" in fact and "9.537e-07" in fact for fact in behaviour.facts)
    assert any(fact.startswith("Saturates") for fact in behaviour.facts)
    assert any(fact == "Not zero-centred: f(0) = 0.5." for fact in behaviour.facts)


def test_relu_dead_region_and_kink(explanations):
    behaviour = explanations["relu"].behaviour
    assert behaviour.flat == ((-6.0, 0.0),)
    (kink,) = behaviour.kinks
    assert (kink.left_slope, kink.right_slope) == (0.0, 1.0)
    zero = next(row for row in explanations["relu"].rows if row.point["x"] == 0)
    assert zero.convention and zero.derivative == 0.0  # torch's relu'(0)
    assert zero.derived == 0.5  # derive's max rule: the mean of the slopes


def test_leaky_relu_slope_and_parameter():
    result = explain("leaky_relu", parameters={"a": 0.2})
    (kink,) = result.behaviour.kinks
    assert kink.left_slope == pytest.approx(0.2) and kink.right_slope == pytest.approx(1.0)
    assert not result.behaviour.flat
    assert result.behaviour.smallest_derivative == pytest.approx(0.2)


def test_gelu_is_not_monotonic_and_its_minimum_is_known(explanations):
    from scipy import optimize, special

    behaviour = explanations["gelu"].behaviour
    found = optimize.minimize_scalar(
        lambda x: x * special.ndtr(x), bounds=(-3, 0), method="bounded"
    )
    assert behaviour.monotonic == "no"
    assert behaviour.lowest_at == pytest.approx(found.x, abs=1e-4)
    assert behaviour.lowest_value == pytest.approx(found.fun, abs=1e-9)
    # gelu′ peaks where its derivative 2φ(x) − x²φ(x) vanishes: x = √2.
    assert behaviour.largest_at[0] == pytest.approx(math.sqrt(2), abs=1e-4)
    gap, _ = explanations["gelu"].approximation_difference
    assert 1e-4 < gap < 1e-3  # the tanh approximation is close, not exact


def test_elu_with_alpha_one_is_smooth_and_other_alphas_kink(explanations):
    (kink,) = explanations["elu"].behaviour.kinks
    assert kink.smooth
    (kink,) = explain("elu", parameters={"alpha": 2.0}).behaviour.kinks
    assert not kink.smooth and kink.left_slope == pytest.approx(2.0, rel=1e-5)


def test_huber_joins_smoothly_and_its_gradient_is_bounded(explanations):
    behaviour = explanations["huber"].behaviour
    assert all(kink.smooth for kink in behaviour.kinks)
    assert behaviour.convex
    assert max(abs(behaviour.largest_derivative), abs(behaviour.smallest_derivative)) == 1.0
    assert not any(row.convention for row in explanations["huber"].rows)


def test_mse_example_from_the_texts():
    result = explain("mse", at=[{"yhat": 5.0, "y": 3.0}])
    (row,) = result.rows
    assert row.derivative == 4.0 == 2 * (5 - 3)
    assert row.value == 4.0


def test_step_jumps(explanations):
    (kink,) = explanations["step"].behaviour.kinks
    assert kink.jumps


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sigmod"], "did you mean 'sigmoid'?"),
        (["ReLU"], None),  # names are case-insensitive: not an error
        (["leaky-relu"], None),
        (["leaky_relu", "--param", "b=1"], "no parameter 'b'"),
        (["mse", "--at", "x=1"], "which mse does not have"),
        (["relu,mse", "--compare"], "same inputs"),
        (["relu,gelu"], "add --compare"),
        (["--list", "--category", "losses"], "did you mean 'loss'?"),
        (["--list", "relu"], "give it no NAME"),
        (["relu", "--category", "loss"], "only applies with --list"),
        (["bce", "--at", "yhat=2"], "undefined at"),
        (["relu", "--plot", "-f", "json"], "--plot"),
        ([], "give an entry"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = runner.invoke(app, ["explain", *args])
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines


def test_find_accepts_aliases():
    assert find("swish").name == "silu"
    assert find("Weight_Decay").name == "l2"
    with pytest.raises(InputError):
        find("nonsense")


# --- every entry in every format -------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_renders_in_every_format(name, explanations):
    from mathml_cli.render import explain as render
    from mathml_cli.render.output import OutputFormat, to_json, write_view

    result = explanations[name]
    view = render.view(result)
    text = write_view(OutputFormat.text, view)
    assert name in text and "Closed form" in text and "✓ the closed form equals" in text
    assert all(line == line.rstrip() for line in text.splitlines())
    latex = write_view(OutputFormat.latex, view)
    assert latex.count("{") == latex.count("}")
    markdown = write_view(OutputFormat.markdown, view)
    assert markdown.count("$") % 2 == 0
    html = write_view(OutputFormat.html, view)
    assert html.startswith("<!DOCTYPE html>") and "<table" in html
    data = json.loads(to_json(render.data(result)))
    assert data["name"] == name
    assert data["closed_form_check"]["agrees"] is True
    assert len(data["values"]) == len(result.entry.points)


def test_json_values_are_torchs_for_relu():
    result = runner.invoke(app, ["explain", "relu", "--at", "-1,0,2", "-f", "json"])
    data = json.loads(result.output)
    torch_rows = {row["point"]["x"]: row for row in REFERENCE["cases"]["relu"]}
    for row in data["values"]:
        reference = torch_rows[row["point"]["x"]]
        assert (row["value"], row["derivative"]) == (reference["value"], reference["derivative"])


def test_steps_show_derives_tree_in_text_and_json():
    text = runner.invoke(app, ["explain", "softplus", "--steps"]).output
    assert "chain rule" in text and "natural logarithm" in text
    data = json.loads(runner.invoke(app, ["explain", "softplus", "--steps", "-f", "json"]).output)

    def rules(steps):
        for step in steps:
            yield step["rule"]
            yield from rules(step.get("substeps", []))

    assert set(rules(data["steps"])) >= {"chain", "log", "sum", "exp"}


def test_list_and_category():
    data = json.loads(runner.invoke(app, ["explain", "--list", "-f", "json"]).output)
    assert [entry["name"] for entry in data["entries"]] == NAMES
    losses = listing("loss")
    assert {e.category for e in losses} == {"loss"} and len(losses) == 10
    text = runner.invoke(app, ["explain", "--list", "--category", "regularizer"]).output
    assert "elastic_net(w)" in text and "mse" not in text


def test_compare_values_are_each_entrys_own():
    result = compare_entries(["relu", "gelu", "silu"], at=[{"x": -1.0}, {"x": 2.0}])
    assert result.points == (-1.0, 2.0)
    for item, values in zip(result.explanations, result.values, strict=True):
        assert values == tuple(row.value for row in item.rows)
    text = runner.invoke(app, ["explain", "relu,gelu,silu", "--compare"]).output
    assert "relu′" in text and "gelu′" in text
    page = runner.invoke(app, ["explain", "relu,gelu", "--compare", "-f", "html"]).output
    assert page.count("<svg") == 1


def test_plot_draws_function_and_derivative():
    result = runner.invoke(app, ["explain", "tanh", "--plot"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "tanh and its derivative" in result.output and "tanh′ (derivative)" in result.output


# --- help examples --------------------------------------------------------------


def _help_examples() -> list[str]:
    result = runner.invoke(app, ["explain", "--help"])
    return [
        line.strip() for line in result.output.splitlines() if re.match(r"\s+mathml explain", line)
    ]


def test_help_has_examples():
    assert len(_help_examples()) >= 5


@pytest.mark.parametrize("example", _help_examples())
def test_each_help_example_runs(example):
    import shlex

    result = runner.invoke(app, shlex.split(example)[1:])
    assert result.exit_code == 0, result.output
    assert result.output.strip()


@settings(max_examples=20, deadline=None)
@given(
    name=st.sampled_from(["leaky_relu", "huber", "elu", "elastic_net", "mse"]),
    value=st.floats(-50, 50, allow_nan=False),
    parameter=st.floats(0.01, 3),
)
def test_any_point_and_parameter_renders_in_every_format(name, value, parameter):
    from mathml_cli.render import explain as render
    from mathml_cli.render.output import OutputFormat, to_json, write_view

    entry = find(name)
    first = entry.parameters[0].name if entry.parameters else None
    result = explain(
        name,
        at=[{entry.variable: value}],
        parameters={first: parameter} if first else None,
    )
    (row,) = result.rows
    # The table's value is the formula's, at the parameter given.
    expected = _function(name)({entry.variable: value, **({first: parameter} if first else {})})
    assert row.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    view = render.view(result)
    for output_format in (OutputFormat.text, OutputFormat.latex, OutputFormat.markdown):
        assert write_view(output_format, view).strip()
    assert "<table" in write_view(OutputFormat.html, view)
    assert json.loads(to_json(render.data(result)))["values"][0]["value"] == pytest.approx(expected)


def test_a_summary_that_opens_with_mathematics_keeps_its_symbols():
    # A capital would turn λ into Λ (another symbol), max into Max, x·Φ into X·Φ.
    from mathml_cli.core.catalogue import ENTRIES
    from mathml_cli.render.explain import _sentence

    entries = ENTRIES.values() if isinstance(ENTRIES, dict) else ENTRIES
    for entry in entries:
        sentence = _sentence(entry.summary)
        assert sentence.lower() == entry.summary.lower() + "."
        first = entry.summary.split(" ")[0]
        if not (first.isascii() and first.isalpha()) or first in {"x", "max", "relu"}:
            assert sentence[0] == entry.summary[0], entry.name
    assert _sentence("λ·|w|, added to the loss") == "λ·|w|, added to the loss."
    assert _sentence("squashes any number") == "Squashes any number."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["huber", "--param", "delta=-1"], "--param delta of huber must be > 0, got -1"),
        (["huber", "--param", "delta=0"], "--param delta of huber must be > 0, got 0"),
        (["l2", "--param", "lam=-0.1"], "--param lam of l2 must be ≥ 0, got -0.1"),
        (
            ["elastic_net", "--param", "mix=1.5"],
            "--param mix of elastic_net must be between 0 and 1, got 1.5",
        ),
        (["huber,mse", "--compare", "--param", "delta=-2"], "must be > 0, got -2"),
    ],
)
def test_a_parameter_outside_where_its_formula_holds_is_refused(args, message):
    # Huber with δ < 0 gave negative losses under "Range: [0, ∞)" and a failed check.
    result = CliRunner().invoke(app, ["explain", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_leaky_relus_slope_may_be_negative_as_torch_allows():
    result = CliRunner().invoke(app, ["explain", "leaky_relu", "--param", "a=-0.2", "-f", "json"])
    assert result.exit_code == 0, result.stderr
