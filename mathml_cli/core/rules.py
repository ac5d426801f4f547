"""The vocabulary of differentiation rules: id, name and general formula.

Every `Step` names one of these ids; docs/derive.md lists them. A formula is
kept as text (in mathml's input language, with ' for "derivative of") and as
LaTeX, so each renderer shows the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    formula: str
    latex: str


_RULES = [
    Rule("constant", "constant rule", "d/dx[c] = 0", r"\frac{d}{dx} c = 0"),
    Rule("identity", "identity rule", "d/dx[x] = 1", r"\frac{d}{dx} x = 1"),
    Rule(
        "constant_multiple",
        "constant multiple rule",
        "d/dx[c*f] = c*f'",
        r"\frac{d}{dx}\left[c f\right] = c f'",
    ),
    Rule("sum", "sum rule", "d/dx[f + g] = f' + g'", r"\frac{d}{dx}\left[f + g\right] = f' + g'"),
    Rule("power", "power rule", "d/dx[x**n] = n*x**(n - 1)", r"\frac{d}{dx} x^{n} = n x^{n - 1}"),
    Rule(
        "product",
        "product rule",
        "d/dx[f*g] = f'*g + f*g'",
        r"\frac{d}{dx}\left[f g\right] = f' g + f g'",
    ),
    Rule(
        "quotient",
        "quotient rule",
        "d/dx[f/g] = (f'*g - f*g')/g**2",
        r"\frac{d}{dx} \frac{f}{g} = \frac{f' g - f g'}{g^{2}}",
    ),
    Rule(
        "chain",
        "chain rule",
        "d/dx[f(u)] = f'(u)*u'",
        r"\frac{d}{dx} f(u) = f'(u) \cdot u'",
    ),
    Rule("exp", "exponential function", "d/dx[exp(x)] = exp(x)", r"\frac{d}{dx} e^{x} = e^{x}"),
    Rule(
        "exponential",
        "exponential rule",
        "d/dx[a**x] = a**x*log(a)",
        r"\frac{d}{dx} a^{x} = a^{x} \ln a",
    ),
    Rule("log", "natural logarithm", "d/dx[log(x)] = 1/x", r"\frac{d}{dx} \ln x = \frac{1}{x}"),
    Rule("sin", "sine", "d/dx[sin(x)] = cos(x)", r"\frac{d}{dx} \sin x = \cos x"),
    Rule("cos", "cosine", "d/dx[cos(x)] = -sin(x)", r"\frac{d}{dx} \cos x = -\sin x"),
    Rule(
        "tan",
        "tangent",
        "d/dx[tan(x)] = 1 + tan(x)**2 = 1/cos(x)**2",
        r"\frac{d}{dx} \tan x = 1 + \tan^{2} x = \sec^{2} x",
    ),
    Rule(
        "asin",
        "arcsine",
        "d/dx[asin(x)] = 1/sqrt(1 - x**2)",
        r"\frac{d}{dx} \arcsin x = \frac{1}{\sqrt{1 - x^{2}}}",
    ),
    Rule(
        "acos",
        "arccosine",
        "d/dx[acos(x)] = -1/sqrt(1 - x**2)",
        r"\frac{d}{dx} \arccos x = -\frac{1}{\sqrt{1 - x^{2}}}",
    ),
    Rule(
        "atan",
        "arctangent",
        "d/dx[atan(x)] = 1/(1 + x**2)",
        r"\frac{d}{dx} \arctan x = \frac{1}{1 + x^{2}}",
    ),
    Rule("sinh", "hyperbolic sine", "d/dx[sinh(x)] = cosh(x)", r"\frac{d}{dx} \sinh x = \cosh x"),
    Rule("cosh", "hyperbolic cosine", "d/dx[cosh(x)] = sinh(x)", r"\frac{d}{dx} \cosh x = \sinh x"),
    Rule(
        "tanh",
        "hyperbolic tangent",
        "d/dx[tanh(x)] = 1 - tanh(x)**2",
        r"\frac{d}{dx} \tanh x = 1 - \tanh^{2} x",
    ),
    Rule(
        "erf",
        "error function",
        "d/dx[erf(x)] = 2/sqrt(pi)*exp(-x**2)",
        r"\frac{d}{dx} \operatorname{erf} x = \frac{2}{\sqrt{\pi}} e^{-x^{2}}",
    ),
    Rule(
        "sigmoid",
        "sigmoid",
        "d/dx[sigmoid(x)] = sigmoid(x)*(1 - sigmoid(x))",
        r"\frac{d}{dx} \sigma(x) = \sigma(x)\left(1 - \sigma(x)\right)",
    ),
    Rule(
        "relu",
        "ReLU",
        "d/dx[relu(x)] = step(x)  (1 for x > 0, 0 for x < 0; mathml uses 0 at x = 0)",
        r"\frac{d}{dx} \operatorname{relu}(x) = \operatorname{step}(x)",
    ),
    Rule(
        "softplus",
        "softplus",
        "d/dx[softplus(x)] = sigmoid(x)",
        r"\frac{d}{dx} \operatorname{softplus}(x) = \sigma(x)",
    ),
    Rule(
        "abs",
        "absolute value",
        "d/dx[abs(x)] = sign(x)  (undefined at x = 0)",
        r"\frac{d}{dx} |x| = \operatorname{sign}(x)",
    ),
    Rule(
        "step",
        "step and sign",
        "d/dx[step(x)] = d/dx[sign(x)] = 0  (for x != 0)",
        r"\frac{d}{dx} \operatorname{step}(x) = 0 \quad (x \neq 0)",
    ),
    Rule(
        "max",
        "maximum",
        "d/dx[max(f, g)] = f'*H(f - g) + g'*H(g - f),  H(u) = (1 + sign(u))/2"
        "  (f' where f > g, g' where g > f, the mean at a tie)",
        r"\frac{d}{dx} \max(f, g) = f' H(f - g) + g' H(g - f),"
        r" \quad H(u) = \tfrac{1}{2}\left(1 + \operatorname{sign}(u)\right)",
    ),
    Rule(
        "min",
        "minimum",
        "d/dx[min(f, g)] = f'*H(g - f) + g'*H(f - g),  H(u) = (1 + sign(u))/2"
        "  (f' where f < g, g' where g < f, the mean at a tie)",
        r"\frac{d}{dx} \min(f, g) = f' H(g - f) + g' H(f - g),"
        r" \quad H(u) = \tfrac{1}{2}\left(1 + \operatorname{sign}(u)\right)",
    ),
    Rule(
        "log_derivative",
        "logarithmic differentiation",
        "d/dx[f**g] = f**g*(g'*log(f) + g*f'/f)",
        r"\frac{d}{dx} f^{g} = f^{g} \left(g' \ln f + \frac{g f'}{f}\right)",
    ),
    Rule(
        "reference",
        "shown before",
        "the same derivative as an earlier step",
        r"\text{as in an earlier step}",
    ),
    Rule(
        "simplify",
        "simplify",
        "the same derivative, rewritten in a simpler form",
        r"\text{simplify}",
    ),
    Rule(
        "fallback",
        "SymPy's derivative",
        "no rule of mathml's applies; SymPy computed this derivative",
        r"\text{(SymPy)}",
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
