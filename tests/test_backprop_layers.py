"""mathml backprop through layers (vectors and matrices), against independent oracles.

The oracles: the textbook matrix gradients of a two-layer network written out
here in NumPy, finite differences (in the result's own check, and again here
by the test), torch's autograd recorded in tests/data/backprop/torch_gradients.json
(tests/data/backprop/record.py), and torch live when it is installed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mathml_cli.core.tensor import layer_backprop, parse_point, uses_layers
from mathml_cli.errors import InputError

FIXTURES = json.loads((Path(__file__).parent / "data/backprop/torch_gradients.json").read_text())
LAYERS = FIXTURES["layers"]
NETWORK = "h = relu(W1 @ x + b1); z = W2 @ h + b2; L = cross_entropy(z, y)"
NETWORK_AT = (
    "W1=[[0.5,-0.3],[0.2,0.4],[0.1,0.1]],x=[1,2],b1=[0.2,-0.2,0.4],"
    "W2=[[1,-1,0.5],[0.3,0.2,-0.4]],b2=[0,0.1],y=1"
)


def arrays(point: dict) -> dict:
    return {name: np.asarray(value, dtype=float) for name, value in point.items()}


@pytest.mark.parametrize("case", LAYERS, ids=[case["name"] for case in LAYERS])
def test_layers_match_torch_recorded(case):
    result = layer_backprop(case["program"], arrays(case["at"]))
    assert np.isclose(result.output, case["output"], rtol=1e-9, atol=1e-14)
    for name, expected in case["gradients"].items():
        ours = result.gradient(name)
        assert ours.shape == np.asarray(case["at"][name]).shape, name
        np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-13, err_msg=name)
    assert result.verified is True


def test_two_layer_network_against_the_textbook_matrix_rules():
    point = parse_point(NETWORK_AT)
    W1, x, b1, W2, b2 = (point[n] for n in ("W1", "x", "b1", "W2", "b2"))
    # Written out by hand: forward, then δ = p − onehot, ∂L/∂W = δ·xᵀ, ∂L/∂x = Wᵀ·δ, relu's mask.
    pre = W1 @ x + b1
    h = np.maximum(pre, 0)
    z = W2 @ h + b2
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    onehot = np.array([0.0, 1.0])
    loss = -np.log(p[1])
    delta2 = p - onehot
    delta1 = (W2.T @ delta2) * (pre > 0)
    expected = {
        "W2": np.outer(delta2, h),
        "b2": delta2,
        "W1": np.outer(delta1, x),
        "b1": delta1,
        "x": W1.T @ delta1,
    }
    result = layer_backprop(NETWORK, point)
    assert np.isclose(result.output, loss, rtol=1e-12)
    for name, gradient in expected.items():
        np.testing.assert_allclose(result.gradient(name), gradient, rtol=1e-12, atol=1e-15)
        assert result.gradient(name).shape == point[name].shape
    rules = {
        (result.graph.nodes[e.target].id, result.graph.nodes[e.source].id): e.formula
        for e in result.edges
    }
    assert rules[("W2", "n3")] == "∂L/∂n3 · hᵀ"
    assert rules[("h", "n3")] == "W2ᵀ · ∂L/∂n3"
    assert rules[("z", "L")] == "(softmax(z) − onehot(y))"
    assert "relu's mask" in rules[("n2", "h")]


def test_sgd_step_lowers_the_loss_and_is_old_minus_lr_times_gradient():
    point = parse_point(NETWORK_AT)
    result = layer_backprop(NETWORK, point, ["W1", "b1", "W2", "b2"], learning_rate=0.1)
    assert result.update is not None
    for name, new in result.update.values.items():
        np.testing.assert_allclose(new, point[name] - 0.1 * result.gradient(name))
    again = layer_backprop(NETWORK, {**point, **result.update.values})
    assert result.update.loss == pytest.approx(again.output, rel=1e-12)
    assert result.update.loss < result.output


def test_finite_differences_by_the_test_itself():
    point = arrays(LAYERS[2]["at"])
    result = layer_backprop(LAYERS[2]["program"], point)
    for name in ("W", "b"):
        for flat in range(point[name].size):
            shifted = []
            for sign in (1, -1):
                moved = point[name].copy().ravel()
                moved[flat] += sign * 1e-6
                shifted.append(
                    layer_backprop(
                        LAYERS[2]["program"], {**point, name: moved.reshape(point[name].shape)}
                    ).output
                )
            numeric = (shifted[0] - shifted[1]) / 2e-6
            assert numeric == pytest.approx(result.gradient(name).ravel()[flat], abs=1e-7)


def test_broadcast_bias_gradient_is_summed_over_the_batch():
    X = np.arange(6.0).reshape(3, 2) / 10
    result = layer_backprop("L = sum(X @ W + b)", {"X": X, "W": np.ones((2, 4)), "b": np.zeros(4)})
    np.testing.assert_array_equal(result.gradient("b"), np.full(4, 3.0))  # 3 rows
    np.testing.assert_allclose(result.gradient("W"), np.repeat(X.sum(axis=0)[:, None], 4, axis=1))


def test_transpose_and_reassignment():
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    result = layer_backprop("v = W.T @ u; v *= 2; L = sum(v*v)", {"W": W, "u": np.ones(3)})
    v = 2 * (W.T @ np.ones(3))
    assert result.output == pytest.approx(float(v @ v))
    np.testing.assert_allclose(result.gradient("u"), 2 * W @ (2 * v))
    assert [n.id for n in result.graph.nodes if n.name == "v"] == ["v", "v′"]


def test_relu_on_a_rounding_residue_states_its_convention():
    # 0.1*3 - 0.3 is 5.55e-17 in float64: relu sits on its kink there (just above 0, so
    # its mask passes the gradient, as PyTorch's does).
    result = layer_backprop("L = sum(relu(W @ x - c))", parse_point("W=[[0.1,1]],x=[3,0],c=[0.3]"))
    assert result.conventions and "relu'(0) is taken as 0" in result.conventions[0]
    assert result.verified is not False
    np.testing.assert_array_equal(result.gradient("W"), [[3.0, 0.0]])


def test_uses_layers():
    assert uses_layers("W @ x", {})
    assert uses_layers("sum(x)", {})
    assert uses_layers("x*2", {"x": np.ones(2)})
    assert not uses_layers("x*2 + sin(x)", {"x": 1.0})


# --- Speed -------------------------------------------------------------------------


def test_three_layers_of_256_on_a_batch_of_64_in_under_a_second():
    rng = np.random.default_rng(0)
    point = {
        "X": rng.standard_normal((64, 256)),
        "W1": rng.standard_normal((256, 256)) * 0.06,
        "b1": np.zeros(256),
        "W2": rng.standard_normal((256, 256)) * 0.06,
        "b2": np.zeros(256),
        "W3": rng.standard_normal((256, 10)) * 0.06,
        "b3": np.zeros(10),
        "y": rng.integers(0, 10, 64).astype(float),
    }
    program = (
        "h1 = relu(X @ W1 + b1); h2 = relu(h1 @ W2 + b2); z = h2 @ W3 + b3; L = cross_entropy(z, y)"
    )
    layer_backprop(program, point)  # the first call starts BLAS's threads
    timings = []
    for _ in range(2):  # the better of two: the machine is shared
        start = time.perf_counter()
        result = layer_backprop(program, point)
        timings.append(time.perf_counter() - start)
    # About 0.4 s on a quiet machine (benchmarks/layers.py); generous for a busy one.
    assert min(timings) < 3.0, timings
    assert result.verified is True
    assert result.gradient("W2").shape == (256, 256)


# --- The command line ----------------------------------------------------------------


def test_text_explains_each_layer(run):
    result = run("backprop", NETWORK, "--at", NETWORK_AT, "--lr", "0.1", "--wrt", "W1,b1,W2,b2")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "Layers (output L)",
        "∂L/∂n3 · hᵀ",
        "W2ᵀ · ∂L/∂n3",
        "relu's mask",
        "∂L/∂W1 (3×2, the shape of W1)",
        "L before the step",
        "✓ finite differences",
    ):
        assert text in out, text


def test_json_has_all_entries_and_shapes(run):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((20, 30)).round(3).tolist()
    x = rng.standard_normal(30).round(3).tolist()
    at = f"W={json.dumps(W)},x={json.dumps(x)}".replace(" ", "")
    result = run("backprop", "L = sum(tanh(W @ x))", "--at", at, "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["shapes"] == {"W": [20, 30], "x": [30]}
    assert np.asarray(payload["gradients"]["W"]).shape == (20, 30)
    nodes = {node["id"]: node for node in payload["nodes"]}
    assert nodes["n1"]["shape"] == [20] and len(nodes["n1"]["value"]) == 20
    # The oracle: d/dW sum(tanh(Wx)) = (1 − tanh²(Wx)) xᵀ.
    expected = np.outer(1 - np.tanh(np.asarray(W) @ x) ** 2, x)
    np.testing.assert_allclose(payload["gradients"]["W"], expected, rtol=1e-12)
    text = run("backprop", "L = sum(tanh(W @ x))", "--at", at)
    assert "…" in text.output  # thinned for people


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html", "dot"])
def test_other_formats(run, fmt):
    result = run("backprop", NETWORK, "--at", NETWORK_AT, "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "W1" in result.output


def test_values_from_a_file(run, tmp_path):
    (tmp_path / "w.csv").write_text("0.5,-0.3\n0.2,0.4\n0.1,0.1\n")
    at = NETWORK_AT.replace("W1=[[0.5,-0.3],[0.2,0.4],[0.1,0.1]]", f"W1=@{tmp_path / 'w.csv'}")
    a = json.loads(run("backprop", NETWORK, "--at", at, "-f", "json").output)
    b = json.loads(run("backprop", NETWORK, "--at", NETWORK_AT, "-f", "json").output)
    assert a["gradients"] == b["gradients"]


@pytest.mark.parametrize(
    ("program", "at", "message"),
    [
        ("L = sum(W @ x)", "W=[[1,2],[3,4]],x=[1,2,3]", "shapes 2×2 and 3 do not align"),
        ("L = sum(a + b)", "a=[1,2,3],b=[1,2]", "shapes 3 and 2 do not broadcast"),
        ("L = mse(a, b)", "a=[1,2,3],b=[[1,2,3]]", "shape 3 and the target 1×3"),
        ("L = cross_entropy(z, y)", "z=[1,2,3],y=3", "a whole number from 0 to 2"),
        ("L = cross_entropy(z, y)", "z=[[1,2],[3,4]],y=[1,0,1]", "need 2 class indices"),
        ("L = bce(p, t)", "p=[0.5,1],t=[1,0]", "strictly between 0 and 1"),
        ("h = W @ x", "W=[[1,2]],x=[1,2]", "has shape 1: backprop starts from one number"),
        ("L = sum(W @ q)", "W=[[1,2]],x=[1,2]", "--at gives no value for q"),
        ("L = sum(foo(x))", "x=[1,2]", "unknown function 'foo'"),
        ("L = sum(log(x))", "x=[1,-2]", "log needs positive entries"),
        ("h = x + 1; x = sum(h)", "q=[1]", "read in statement 1 before statement 2 assigns it"),
        ("L = sum(W @ 2)", "W=[[1,2]]", "'@' needs vectors or matrices"),
        ("L = sum(x)", "x=[1,2", "expected ']', found the end"),
    ],
)
def test_bad_layers_exit_2_with_one_line(run, program, at, message):
    result = run("backprop", program, "--at", at)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert message in lines[0]


def test_a_shape_error_names_the_statement_and_column():
    with pytest.raises(InputError, match=r"statement 2: W2 @ h: .* at column 5"):
        layer_backprop(
            "h = relu(W1 @ x); z = W2 @ h; L = sum(z)",
            {"W1": np.ones((3, 2)), "x": np.ones(2), "W2": np.ones((2, 4))},
        )


# --- Generated layers, through every format -----------------------------------------

ACTIVATIONS = {"tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "sin": np.sin}


@st.composite
def layers(draw):
    rows, inner, cols = (draw(st.integers(1, 4)) for _ in range(3))
    values = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3))
    X = np.array(draw(st.lists(values, min_size=rows * inner, max_size=rows * inner)))
    W = np.array(draw(st.lists(values, min_size=inner * cols, max_size=inner * cols)))
    b = np.array(draw(st.lists(values, min_size=cols, max_size=cols)))
    activation = draw(st.sampled_from(sorted(ACTIVATIONS)))
    return X.reshape(rows, inner), W.reshape(inner, cols), b, activation


def loss_by_the_test(X, W, b, activation):
    return float(np.mean(ACTIVATIONS[activation](X @ W + b) ** 2))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(layers())
def test_generated_layers_match_differences_in_every_format(run, case):
    X, W, b, activation = case
    program = f"a = {activation}(X @ W + b); L = mean(a*a)"
    at = f"X={json.dumps(X.tolist())},W={json.dumps(W.tolist())},b={json.dumps(b.tolist())}"
    payload = json.loads(run("backprop", program, "--at", at.replace(" ", ""), "-f", "json").output)
    assert payload["output"] == pytest.approx(loss_by_the_test(X, W, b, activation), rel=1e-12)
    for flat in range(W.size):  # the test's own central differences, in W
        step = np.zeros(W.size)
        step[flat] = 1e-6
        up = loss_by_the_test(X, W + step.reshape(W.shape), b, activation)
        down = loss_by_the_test(X, W - step.reshape(W.shape), b, activation)
        got = np.asarray(payload["gradients"]["W"]).ravel()[flat]
        assert got == pytest.approx((up - down) / 2e-6, abs=1e-7)
    for fmt in ("text", "latex", "markdown", "html", "dot"):
        result = run("backprop", program, "--at", at.replace(" ", ""), "-f", fmt)
        assert result.exit_code == 0, result.output
        assert "W" in result.output


def test_max_min_and_log_base_elementwise():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])
    result = layer_backprop("L = sum(max(a, b) + 2*min(a, b))", {"a": a, "b": b})
    # By hand: max sends 1 to the larger entry, min 2 to the smaller; a tie splits both.
    np.testing.assert_array_equal(result.gradient("a"), [2.0, 1.5, 1.0])
    np.testing.assert_array_equal(result.gradient("b"), [1.0, 1.5, 2.0])
    x = np.array([0.5, 4.0])
    logs = layer_backprop("L = sum(log(x, 2))", {"x": x})
    assert logs.output == pytest.approx(float(np.log2(x).sum()))
    np.testing.assert_allclose(logs.gradient("x"), 1 / (x * np.log(2)))


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("L = sum(x.T.T @ W)", lambda x, W: (x @ W).sum()),
        ("L = sum(W.T**2)", lambda x, W: (W.T**2).sum()),
        ("L = sum(x**2 @ W.T.T)", lambda x, W: ((x**2) @ W).sum()),
        ("L = sum(-W.T @ x)", lambda x, W: (-(W.T) @ x).sum()),
    ],
)
def test_transpose_binds_like_python(program, expected):
    x, W = np.array([1.0, -2.0]), np.array([[0.5, 1.0, -1.0], [2.0, 0.3, 0.1]])
    result = layer_backprop(program, {"x": x, "W": W})
    assert result.output == pytest.approx(float(expected(x, W)))
    assert result.verified is True


def test_erf_entry_by_entry_against_scipy_and_differences(run):
    # erf joined the expression language with `mathml explain`; layers apply it entry by entry.
    from scipy.special import erf

    W = np.array([[0.5, -1.2], [0.3, 0.8], [-0.7, 0.1]])
    x = np.array([1.5, -0.4])
    at = f"W={json.dumps(W.tolist())},x={json.dumps(x.tolist())}".replace(" ", "")
    result = run("backprop", "L = sum(erf(W @ x))", "--at", at, "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["output"] == pytest.approx(float(erf(W @ x).sum()), rel=1e-12)
    for flat in range(W.size):  # the test's own central differences of SciPy's erf, in W
        step = np.zeros(W.size)
        step[flat] = 1e-6
        up = erf((W + step.reshape(W.shape)) @ x).sum()
        down = erf((W - step.reshape(W.shape)) @ x).sum()
        got = np.asarray(payload["gradients"]["W"]).ravel()[flat]
        assert got == pytest.approx((up - down) / 2e-6, abs=1e-8)
