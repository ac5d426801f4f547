"""Gradients against torch.autograd in float64 (skipped when torch is not installed).

Each generated expression is a small tree written out twice: as mathml text,
and as the same computation in torch operations, so torch's autograd (an
engine that shares no code with ours) is the oracle for every gradient.
tests/test_backprop_fixtures.py compares with recorded torch numbers when
torch is absent.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from mathml_cli.core.backprop import backprop  # noqa: E402
from mathml_cli.errors import InputError  # noqa: E402

F = torch.nn.functional
RELATIVE = 1e-9
# Past torch's default threshold (20) its softplus returns x itself, 2e-9 (relative) from
# log(1 + e^x) in its gradient; at 50 the two agree to the last bit in float64.
SOFTPLUS_THRESHOLD = 50.0


def same(ours: float, theirs: float, scale: float = 1.0) -> bool:
    """Equal to relative 1e-9, or within rounding residue of a cancelling sum.

    `scale` is the size of what cancelled (see `rounding_scales`): two engines that
    add the same large terms in a different order may leave residues around
    1e-16 × scale that differ, even in sign, where the exact answer is 0.
    """
    return math.isclose(ours, theirs, rel_tol=RELATIVE, abs_tol=1e-13 * max(1.0, scale))


def rounding_scales(result) -> tuple[float, dict[str, float]]:
    """How large the cancelling terms can be: f's and each gradient's sum of |path products|.

    Runs the backward pass again with every local derivative replaced by its
    absolute value; this sizes the tolerance only, the values compared are torch's.
    """
    nodes = result.graph.nodes
    absolute = [0.0] * len(nodes)
    absolute[result.graph.output] = 1.0
    for step in result.backward.contributions:  # in reverse topological order
        absolute[step.target] += absolute[step.source] * abs(step.local)
    output_scale = sum(a * abs(v) for a, v in zip(absolute, result.values, strict=True))
    return output_scale, {name: absolute[result.graph.index(name)] for name in result.gradients}


def torch_gradients(function, point: dict[str, float]) -> tuple[float, dict[str, float]]:
    names = sorted(point)
    params = {n: torch.tensor(point[n], dtype=torch.float64, requires_grad=True) for n in names}
    output = function(**params)
    grads = torch.autograd.grad(output, [params[n] for n in names], allow_unused=True)
    return output.item(), {
        n: 0.0 if g is None else g.item() for n, g in zip(names, grads, strict=True)
    }


def assert_matches_torch(text: str, function, point: dict[str, float]) -> None:
    result = backprop(text, point)
    value, gradients = torch_gradients(function, point)
    assert same(result.output, value), (text, result.output, value)
    for name, expected in gradients.items():
        assert same(result.gradient(name), expected), (text, name, result.gradient(name), expected)


# --- The classic cases -------------------------------------------------------


def test_seed_neuron():
    assert_matches_torch(
        "sigmoid(w1*x1 + w2*x2 + b)",
        lambda b, w1, w2, x1, x2: torch.sigmoid(w1 * x1 + w2 * x2 + b),
        {"x1": 1.0, "x2": 2.0, "w1": 0.5, "w2": -0.3, "b": 0.1},
    )


def test_karpathy_expression():
    assert_matches_torch(
        "(a*b + c)*f", lambda a, b, c, f: (a * b + c) * f, {"a": 2, "b": -3, "c": 10, "f": -2}
    )


def test_tanh_neuron():
    assert_matches_torch(
        "tanh(x1*w1 + x2*w2 + b)",
        lambda b, w1, w2, x1, x2: torch.tanh(x1 * w1 + x2 * w2 + b),
        {"x1": 2, "x2": 0, "w1": -3, "w2": 1, "b": 6.8813735870195432},
    )


def test_shared_subexpression_sums_like_torch():
    assert_matches_torch(
        "sigmoid(w*x)*(1 - sigmoid(w*x))",
        lambda w, x: torch.sigmoid(w * x) * (1 - torch.sigmoid(w * x)),
        {"w": 0.7, "x": -1.3},
    )


def test_relu_at_exactly_zero_follows_torchs_convention():
    # relu'(0) = 0 in both: the convention mathml states in its output.
    assert_matches_torch("relu(x)*y", lambda x, y: F.relu(x) * y, {"x": 0.0, "y": 2.0})
    assert backprop("relu(x)*y", {"x": 0.0, "y": 2.0}).backward.conventions


# --- Generated expressions -----------------------------------------------------

VARIABLES = ["x", "y", "z"]
CONSTANTS = [2.0, 0.5, 3.0, -1.5]
UNARY = {
    "exp": torch.exp,
    "log": torch.log,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "softplus": lambda t: F.softplus(t, threshold=SOFTPLUS_THRESHOLD),
    "sin": torch.sin,
    "cos": torch.cos,
}


@st.composite
def trees(draw, depth: int = 3) -> tuple:
    """("var", name) | ("const", c) | (function, child) | (operator, left, right)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return ("var", draw(st.sampled_from(VARIABLES)))
        return ("const", draw(st.sampled_from(CONSTANTS)))
    kind = draw(st.sampled_from(["unary", "neg", "binary", "power"]))
    if kind == "unary":
        return (draw(st.sampled_from(sorted(UNARY))), draw(trees(depth - 1)))
    if kind == "neg":
        return ("neg", draw(trees(depth - 1)))
    if kind == "power":
        base = draw(trees(depth - 1))
        if draw(st.booleans()):
            return ("**", base, ("const", draw(st.sampled_from([2.0, 3.0, -1.0]))))
        # A variable exponent needs a positive base: (base**2 + 1)**exponent.
        positive = ("+", ("**", base, ("const", 2.0)), ("const", 1.0))
        return ("**", positive, draw(trees(depth - 1)))
    operator = draw(st.sampled_from(["+", "-", "*", "/"]))
    return (operator, draw(trees(depth - 1)), draw(trees(depth - 1)))


def to_text(tree: tuple) -> str:
    kind = tree[0]
    if kind == "var":
        return tree[1]
    if kind == "const":
        return repr(tree[1])
    if kind == "neg":
        return f"-({to_text(tree[1])})"
    if kind in UNARY:
        return f"{kind}({to_text(tree[1])})"
    return f"({to_text(tree[1])}) {kind} ({to_text(tree[2])})"


def to_torch(tree: tuple, env: dict, relu_inputs: list[float]):
    kind = tree[0]
    if kind == "var":
        return env[tree[1]]
    if kind == "const":
        return torch.tensor(tree[1], dtype=torch.float64)
    if kind == "neg":
        return -to_torch(tree[1], env, relu_inputs)
    if kind in UNARY:
        inner = to_torch(tree[1], env, relu_inputs)
        if kind == "relu":
            relu_inputs.append(inner.item())
        return UNARY[kind](inner)
    left = to_torch(tree[1], env, relu_inputs)
    right = to_torch(tree[2], env, relu_inputs)
    return {
        "+": torch.add,
        "-": torch.sub,
        "*": torch.mul,
        "/": torch.div,
        "**": torch.pow,
    }[kind](left, right)


def variables_of(tree: tuple) -> set[str]:
    if tree[0] == "var":
        return {tree[1]}
    if tree[0] == "const":
        return set()
    return set().union(*(variables_of(child) for child in tree[1:]))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tree=trees(), values=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_generated_expressions_match_torch_autograd(tree, values):
    text = to_text(tree)
    point = {n: v for n, v in zip(VARIABLES, values, strict=True) if n in variables_of(tree)}
    assume(point)
    try:
        result = backprop(text, point)
    except InputError:
        assume(False)  # undefined here (log of a negative, overflow, ...): nothing to compare
    relu_inputs: list[float] = []
    value, gradients = torch_gradients(lambda **env: to_torch(tree, env, relu_inputs), point)
    # Near a relu kink the two engines' last-bit differences could land on either side.
    assume(all(abs(v) > 1e-9 for v in relu_inputs))
    assume(math.isfinite(value) and all(math.isfinite(g) for g in gradients.values()))
    output_scale, gradient_scales = rounding_scales(result)
    assert same(result.output, value, output_scale), (text, point, result.output, value)
    for name, expected in gradients.items():
        ours = result.gradient(name)
        assert same(ours, expected, gradient_scales[name]), (text, point, name, ours, expected)


# --- Programs with re-assignment ------------------------------------------------


@st.composite
def programs(draw) -> list[tuple]:
    """Statements as data: (target, "=" | "+=" | "*=", tree over the names defined so far)."""
    defined = list(VARIABLES)
    statements = []
    for _ in range(draw(st.integers(1, 6))):
        target = draw(st.sampled_from(["h", "y", "e", "x"]))
        operator = draw(st.sampled_from(["=", "+=", "*="])) if target in defined else "="
        leaf = st.sampled_from(defined).map(lambda name: ("var", name))
        tree = draw(
            st.one_of(
                leaf,
                st.tuples(st.sampled_from(["tanh", "sigmoid", "sin"]), leaf),
                st.tuples(st.sampled_from(["+", "-", "*"]), leaf, leaf),
            )
        )
        statements.append((target, operator, tree))
        defined.append(target)
    return statements


def run_in_torch(statements: list[tuple], env: dict):
    env = dict(env)
    for target, operator, tree in statements:
        value = to_torch(tree, env, [])
        env[target] = {"=": value, "+=": env.get(target, 0) + value}.get(
            operator, env.get(target, 1) * value
        )
    return env[statements[-1][0]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=programs(), values=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_generated_programs_match_torch_autograd(statements, values):
    text = "; ".join(f"{t} {op} {to_text(tree)}" for t, op, tree in statements)
    point = dict(zip(VARIABLES, values, strict=True))
    # backprop refuses a value for a name the output never reads (a typo, usually).
    from mathml_cli.core.program import build_program

    inputs = build_program(text).first_use
    result = backprop(text, {name: value for name, value in point.items() if name in inputs})
    value, gradients = torch_gradients(lambda **env: run_in_torch(statements, env), point)
    output_scale, gradient_scales = rounding_scales(result)
    assert same(result.output, value, output_scale), (text, point)
    for name in result.gradients:
        assert same(result.gradient(name), gradients[name], gradient_scales[name]), (text, name)


# --- Layers: vectors and matrices ------------------------------------------------

np = pytest.importorskip("numpy")


@pytest.mark.parametrize("seed", range(6))
def test_random_networks_match_torch_autograd(seed):
    from mathml_cli.core.tensor import layer_backprop

    rng = np.random.default_rng(seed)
    batch, inputs, hidden, classes = rng.integers(1, 6), rng.integers(1, 5), 5, 3
    point = {
        "X": rng.standard_normal((batch, inputs)),
        "W1": rng.standard_normal((hidden, inputs)),
        "b1": rng.standard_normal(hidden),
        "W2": rng.standard_normal((classes, hidden)),
        "b2": rng.standard_normal(classes),
        "y": rng.integers(0, classes, batch).astype(float),
    }
    activation = ["relu", "tanh", "sigmoid", "softplus"][seed % 4]
    program = (
        f"h = {activation}(X @ W1.T + b1)\nz = h @ W2.T + b2\nz *= 0.5\n"
        "L = cross_entropy(z, y) + mean(h*h)"
    )
    result = layer_backprop(program, point)
    act = {
        "relu": F.relu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softplus": lambda t: F.softplus(t, threshold=SOFTPLUS_THRESHOLD),
    }[activation]
    params = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=name != "y")
        for name, value in point.items()
    }
    h = act(params["X"] @ params["W1"].T + params["b1"])
    z = (h @ params["W2"].T + params["b2"]) * 0.5
    loss = F.cross_entropy(z, params["y"].long()) + torch.mean(h * h)
    loss.backward()
    assert math.isclose(result.output, loss.item(), rel_tol=1e-10)
    for name, tensor in params.items():
        if name != "y":
            np.testing.assert_allclose(
                result.gradient(name), tensor.grad.numpy(), rtol=1e-9, atol=1e-12
            )


def test_layer_max_at_ties_shares_like_torch():
    from mathml_cli.core.tensor import layer_backprop

    a, b = [1.0, 2.0, 3.0], [3.0, 2.0, 1.0]
    result = layer_backprop("L = sum(max(a, b)*c)", {"a": a, "b": b, "c": [1.0, 2.0, 3.0]})
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    (torch.maximum(ta, tb) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(result.gradient("a"), ta.grad.numpy())
    np.testing.assert_allclose(result.gradient("b"), tb.grad.numpy())
