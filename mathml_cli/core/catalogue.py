"""The catalogue `mathml explain` teaches from: activations, losses and regularizers.

Each entry is plain data. Its formula and the closed form of its derivative
are text in mathml's expression language (parsed by core/expr.py, never
evaluated as Python); the derivative itself is computed by derive's engine,
and a test proves the closed form people quote equal to it. Importing this
module costs nothing (no SymPy), so `mathml explain --list` starts fast.

Parameters (leaky_relu's slope, huber's δ, ...) stay names in the formula, so
the derivative shows them; their defaults are PyTorch's where PyTorch has one.
Losses are functions of the prediction (yhat, or z for logits) and the target
y, written per element: the loss of a batch is their mean (or sum).
"""

from __future__ import annotations

from typing import Literal

from mathml_cli.records import Record

Category = Literal["activation", "loss", "regularizer"]
CATEGORIES: tuple[Category, ...] = ("activation", "loss", "regularizer")

# How names in formulas are typeset (LaTeX) and written for people (text).
SYMBOL_LATEX = {
    "yhat": r"\hat{y}",
    "lam": r"\lambda",
    "delta": r"\delta",
    "alpha": r"\alpha",
    "mix": r"\rho",
}
SYMBOL_TEXT = {"yhat": "ŷ", "lam": "λ", "delta": "δ", "alpha": "α", "mix": "ρ"}


class Parameter(Record):
    name: str  # as it appears in the formula
    default: float
    meaning: str
    # The values the formula and its description hold for: "> 0", "≥ 0",
    # "between 0 and 1", or "" for any finite number.
    allowed: str = ""


class Entry(Record):
    """One function of the catalogue.

    `variable` is what the derivative is taken with respect to (the input of an
    activation, the prediction of a loss, the weight of a regularizer);
    `given` are the other inputs with the values the examples use (a loss's
    target y). `kinks` are expressions for the points where the function is not
    differentiable; `points` are where the default table evaluates it and
    `window` the interval the behaviour is read from and plotted over.
    """

    name: str
    category: Category
    summary: str
    formula: str
    variable: str
    closed_form: str
    quote: str  # the derivative as people quote it, in words and symbols
    quote_latex: str
    range: str
    used_in: str
    reference: str  # the independent implementation the tests compare with
    aliases: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    given: tuple[tuple[str, float], ...] = ()
    kinks: tuple[str, ...] = ()
    points: tuple[float, ...] = (-3.0, -1.0, 0.0, 1.0, 3.0)
    window: tuple[float, float] = (-6.0, 6.0)
    notes: tuple[str, ...] = ()
    see: str = ""
    approximation: str = ""  # a formula often used instead, compared on the window

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

ACTIVATIONS = (
    Entry(
        "sigmoid",
        "activation",
        "squashes any number into (0, 1): a probability",
        "1/(1 + exp(-x))",
        "x",
        "sigmoid(x)*(1 - sigmoid(x))",
        "σ′(x) = σ(x)·(1 − σ(x))",
        r"\sigma'(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)",
        "(0, 1)",
        "binary classification outputs (logistic regression), gates of LSTMs and GRUs",
        "torch.sigmoid, scipy.special.expit",
        aliases=("logistic", "expit"),
        notes=(
            "Not zero-centred: every output is positive, so the gradients of a layer's "
            "weights all share one sign.",
        ),
    ),
    Entry(
        "tanh",
        "activation",
        "squashes any number into (-1, 1), centred on 0",
        "(exp(2*x) - 1)/(exp(2*x) + 1)",
        "x",
        "1 - tanh(x)**2",
        "tanh′(x) = 1 − tanh²(x)",
        r"\tanh'(x) = 1 - \tanh^{2}(x)",
        "(-1, 1)",
        "hidden layers of RNNs and LSTMs, older MLPs",
        "torch.tanh, numpy.tanh",
        notes=(
            "(e^(2x) − 1)/(e^(2x) + 1) is (e^x − e^−x)/(e^x + e^−x) multiplied through by e^x.",
            "tanh(x) = 2σ(2x) − 1: a sigmoid stretched to (-1, 1) and centred on 0.",
        ),
    ),
    Entry(
        "relu",
        "activation",
        "max(0, x): passes positives, zeroes negatives",
        "max(0, x)",
        "x",
        "step(x)",
        "relu′(x) = 1 for x > 0, 0 for x < 0 (PyTorch uses 0 at x = 0)",
        r"\operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        "[0, ∞)",
        "the default for hidden layers of deep networks and CNNs",
        "torch.nn.functional.relu",
        aliases=("rectifier",),
        kinks=("0",),
        notes=(
            "A unit whose input stays negative gets no gradient at all and stops learning "
            "(a dead relu); leaky_relu, elu and gelu keep a little slope there.",
        ),
    ),
    Entry(
        "leaky_relu",
        "activation",
        "relu with a small slope a for negative inputs",
        "max(0, x) + a*min(0, x)",
        "x",
        "a + (1 - a)*step(x)",
        "leaky_relu′(x) = 1 for x > 0, a for x ≤ 0",
        r"\operatorname{leaky\_relu}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        "(-∞, ∞)",
        "hidden layers where dead relus are a problem; GAN discriminators (a = 0.2)",
        "torch.nn.functional.leaky_relu",
        aliases=("lrelu",),
        parameters=(Parameter("a", 0.01, "the slope for negative inputs (negative_slope)"),),
        kinks=("0",),
    ),
    Entry(
        "elu",
        "activation",
        "x for x > 0, α(eˣ − 1) below: smooth, negative outputs down to −α",
        "max(0, x) + min(0, alpha*(exp(x) - 1))",
        "x",
        "step(x) + (1 - step(x))*alpha*exp(x)",
        "elu′(x) = 1 for x > 0, α·eˣ = elu(x) + α for x ≤ 0",
        r"\operatorname{elu}'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} "
        r"= \operatorname{elu}(x) + \alpha & x \le 0 \end{cases}",
        "(-α, ∞)",
        "deep networks that train faster with mean activations near 0",
        "torch.nn.functional.elu",
        parameters=(Parameter("alpha", 1.0, "the value negative inputs saturate at is −α", "> 0"),),
        kinks=("0",),
        notes=("With α = 1 the slope is continuous at 0 (1 on both sides); other α make a kink.",),
    ),
    Entry(
        "selu",
        "activation",
        "a scaled elu whose constants keep activations at mean 0 and variance 1",
        "scale*(max(0, x) + min(0, alpha*(exp(x) - 1)))",
        "x",
        "scale*(step(x) + (1 - step(x))*alpha*exp(x))",
        "selu′(x) = λ for x > 0, λ·α·eˣ for x ≤ 0",
        r"\operatorname{selu}'(x) = \begin{cases} \lambda & x > 0 \\ \lambda\alpha e^{x}"
        r" & x \le 0 \end{cases}",
        "(-λα, ∞) ≈ (-1.758, ∞)",
        "self-normalising networks (with lecun_normal initialisation and alpha dropout)",
        "torch.nn.functional.selu",
        parameters=(
            Parameter("alpha", SELU_ALPHA, "α of Klambauer et al. (2017)", "> 0"),
            Parameter("scale", SELU_SCALE, "λ of Klambauer et al. (2017)", "> 0"),
        ),
        kinks=("0",),
    ),
    Entry(
        "gelu",
        "activation",
        "x·Φ(x): x weighted by the probability that a standard normal is below it",
        "x/2*(1 + erf(x/sqrt(2)))",
        "x",
        "(1 + erf(x/sqrt(2)))/2 + x*exp(-x**2/2)/sqrt(2*pi)",
        "gelu′(x) = Φ(x) + x·φ(x)",
        r"\operatorname{gelu}'(x) = \Phi(x) + x\,\varphi(x)",
        "[≈ -0.17, ∞)",
        "transformers (BERT, GPT-2 and later), vision transformers",
        "torch.nn.functional.gelu (approximate='none')",
        notes=(
            "Φ is the standard normal CDF, (1 + erf(x/√2))/2, and φ its density e^(−x²/2)/√(2π).",
            "The tanh approximation, gelu(x) ≈ x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))), "
            "is PyTorch's approximate='tanh' and what the original GPT-2 code uses.",
        ),
        approximation="x/2*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))",
    ),
    Entry(
        "silu",
        "activation",
        "x·σ(x): a smooth relu that dips below 0 for negative inputs",
        "x/(1 + exp(-x))",
        "x",
        "sigmoid(x)*(1 + x*(1 - sigmoid(x)))",
        "silu′(x) = σ(x)·(1 + x·(1 − σ(x)))",
        r"\operatorname{silu}'(x) = \sigma(x)\bigl(1 + x(1 - \sigma(x))\bigr)",
        "[≈ -0.278, ∞)",
        "EfficientNet, YOLO, the SwiGLU blocks of LLaMA-style transformers",
        "torch.nn.functional.silu",
        aliases=("swish",),
    ),
    Entry(
        "softplus",
        "activation",
        "ln(1 + eˣ): a smooth relu, always positive",
        "log(1 + exp(x))",
        "x",
        "sigmoid(x)",
        "softplus′(x) = σ(x)",
        r"\operatorname{softplus}'(x) = \sigma(x)",
        "(0, ∞)",
        "outputs that must be positive (a variance, a rate), inside mish",
        "torch.nn.functional.softplus",
        notes=(
            "Computed as max(x, 0) + ln(1 + e^(−|x|)) so that eˣ never overflows; PyTorch "
            "returns x itself for x > 20.",
        ),
    ),
    Entry(
        "mish",
        "activation",
        "x·tanh(softplus(x)): smooth, non-monotonic, like silu",
        "x*tanh(log(1 + exp(x)))",
        "x",
        "tanh(softplus(x)) + x*sigmoid(x)*(1 - tanh(softplus(x))**2)",
        "mish′(x) = tanh(sp(x)) + x·σ(x)·(1 − tanh²(sp(x))), sp = softplus",
        r"\operatorname{mish}'(x) = \tanh(\operatorname{sp}(x)) + x\,\sigma(x)"
        r"\bigl(1 - \tanh^{2}(\operatorname{sp}(x))\bigr)",
        "[≈ -0.309, ∞)",
        "YOLOv4 and some CNNs",
        "torch.nn.functional.mish",
    ),
    Entry(
        "hard_sigmoid",
        "activation",
        "a piecewise-linear sigmoid: cheap to compute on phones",
        "max(0, min(1, x/6 + 1/2))",
        "x",
        "step(x + 3)*step(3 - x)/6",
        "hard_sigmoid′(x) = 1/6 for -3 < x < 3, else 0",
        r"\operatorname{hard\_sigmoid}'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 "
        r"& \text{otherwise} \end{cases}",
        "[0, 1]",
        "MobileNetV3 (inside hard_swish), quantised models",
        "torch.nn.functional.hardsigmoid",
        aliases=("hardsigmoid",),
        kinks=("-3", "3"),
        notes=("PyTorch's form, relu6(x + 3)/6; Keras 2 used max(0, min(1, 0.2x + 0.5)).",),
    ),
    Entry(
        "softsign",
        "activation",
        "x/(1 + |x|): like tanh, but approaching ±1 polynomially, not exponentially",
        "x/(1 + abs(x))",
        "x",
        "1/(1 + abs(x))**2",
        "softsign′(x) = 1/(1 + |x|)²",
        r"\operatorname{softsign}'(x) = \frac{1}{(1 + |x|)^{2}}",
        "(-1, 1)",
        "an alternative to tanh whose gradient decays slower",
        "torch.nn.functional.softsign",
    ),
    Entry(
        "step",
        "activation",
        "the unit step: 1 for x > 0, else 0",
        "step(x)",
        "x",
        "0",
        "step′(x) = 0 wherever it is defined (everywhere but 0)",
        r"\operatorname{step}'(x) = 0 \quad (x \neq 0)",
        "{0, 1}",
        "the perceptron (Rosenblatt, 1958); not trainable by gradient descent",
        "torch.heaviside(x, 0)",
        aliases=("heaviside", "threshold"),
        kinks=("0",),
        notes=(
            "Its derivative is 0 everywhere it exists, so gradient descent learns nothing "
            "through it: the reason sigmoid replaced it.",
        ),
    ),
    Entry(
        "softmax",
        "activation",
        "exponentiate and normalise a vector of logits into probabilities",
        "exp(z)/(exp(z) + c)",
        "z",
        "exp(z)/(exp(z) + c)*(1 - exp(z)/(exp(z) + c))",
        "∂p_i/∂z_i = p_i·(1 − p_i); ∂p_i/∂z_j = −p_i·p_j",
        r"\frac{\partial p_i}{\partial z_i} = p_i(1 - p_i), \quad "
        r"\frac{\partial p_i}{\partial z_j} = -p_i p_j",
        "(0, 1), the outputs sum to 1",
        "the output layer of multi-class classifiers, attention weights",
        "torch.softmax",
        parameters=(
            Parameter(
                "c", 1.0, "Σ exp(z_j) over the other logits j ≠ i (1: one other at 0)", "> 0"
            ),
        ),
        points=(-3.0, -1.0, 0.0, 1.0, 3.0),
        notes=(
            "Shown as one output p_i against its own logit z_i; with two classes and the "
            "other logit 0 (c = 1) it is exactly sigmoid(z).",
        ),
        see="mathml softmax 2 1 0.1 (the whole vector, step by step, with its loss)",
    ),
)

LOSSES = (
    Entry(
        "mse",
        "loss",
        "squared error (ŷ − y)²; its mean over a batch is the MSE",
        "(yhat - y)**2",
        "yhat",
        "2*(yhat - y)",
        "∂/∂ŷ = 2(ŷ − y)",
        r"\frac{\partial}{\partial \hat{y}} = 2(\hat{y} - y)",
        "[0, ∞)",
        "regression; linear regression by least squares",
        "torch.nn.functional.mse_loss",
        aliases=("squared_error", "l2_loss"),
        given=(("y", 3.0),),
        points=(1.0, 2.0, 3.0, 4.0, 5.0),
        window=(-3.0, 9.0),
        notes=(
            "The gradient grows with the error: an outlier pulls hard on the fit.",
            "Some texts write ½(ŷ − y)² so that the gradient is ŷ − y without the 2.",
        ),
    ),
    Entry(
        "mae",
        "loss",
        "absolute error |ŷ − y|; its mean over a batch is the MAE",
        "abs(yhat - y)",
        "yhat",
        "sign(yhat - y)",
        "∂/∂ŷ = sign(ŷ − y)",
        r"\frac{\partial}{\partial \hat{y}} = \operatorname{sign}(\hat{y} - y)",
        "[0, ∞)",
        "regression robust to outliers; fits the median",
        "torch.nn.functional.l1_loss",
        aliases=("l1_loss", "absolute_error"),
        given=(("y", 3.0),),
        kinks=("y",),
        points=(1.0, 2.0, 3.0, 4.0, 5.0),
        window=(-3.0, 9.0),
        notes=("The gradient has the same size however large the error: outliers pull no harder.",),
    ),
    Entry(
        "huber",
        "loss",
        "squared error for small errors, absolute error (times δ) for large ones",
        "min(abs(yhat - y), delta)**2/2 + delta*relu(abs(yhat - y) - delta)",
        "yhat",
        "max(-delta, min(yhat - y, delta))",
        "∂/∂ŷ = ŷ − y clipped to [−δ, δ]",
        r"\frac{\partial}{\partial \hat{y}} = \operatorname{clip}(\hat{y} - y, -\delta, \delta)",
        "[0, ∞)",
        "regression with outliers; DQN's loss (as smooth_l1)",
        "torch.nn.functional.huber_loss",
        aliases=("huber_loss",),
        parameters=(Parameter("delta", 1.0, "where the quadratic part turns linear", "> 0"),),
        given=(("y", 3.0),),
        kinks=("y - delta", "y + delta"),
        points=(0.0, 2.0, 2.5, 3.0, 3.5, 4.0, 6.0),
        window=(-3.0, 9.0),
        notes=(
            "Written here as ½·min(|e|, δ)² + δ·relu(|e| − δ) with e = ŷ − y: ½e² for "
            "|e| ≤ δ, δ·(|e| − δ/2) beyond.",
            "PyTorch's smooth_l1_loss with beta = δ is huber/δ.",
        ),
    ),
    Entry(
        "log_cosh",
        "loss",
        "log(cosh(ŷ − y)): like ½e² for small errors, like |e| − log 2 for large ones",
        "log(cosh(yhat - y))",
        "yhat",
        "tanh(yhat - y)",
        "∂/∂ŷ = tanh(ŷ − y)",
        r"\frac{\partial}{\partial \hat{y}} = \tanh(\hat{y} - y)",
        "[0, ∞)",
        "regression: a smooth huber with no δ to choose",
        "|e| + log1p(exp(−2|e|)) − log 2 (NumPy)",
        aliases=("logcosh",),
        given=(("y", 3.0),),
        points=(1.0, 2.0, 3.0, 4.0, 5.0),
        window=(-3.0, 9.0),
    ),
    Entry(
        "bce",
        "loss",
        "binary cross-entropy of a probability ŷ against a label y in {0, 1}",
        "-(y*log(yhat) + (1 - y)*log(1 - yhat))",
        "yhat",
        "(yhat - y)/(yhat*(1 - yhat))",
        "∂/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))",
        r"\frac{\partial}{\partial \hat{y}} = \frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}",
        "[0, ∞)",
        "binary classification after a sigmoid; logistic regression",
        "torch.nn.functional.binary_cross_entropy",
        aliases=("binary_cross_entropy", "log_loss"),
        given=(("y", 1.0),),
        points=(0.01, 0.1, 0.5, 0.9, 0.99),
        window=(0.005, 0.995),
        notes=(
            "Defined only for 0 < ŷ < 1: a sigmoid output that rounds to exactly 0 or 1 "
            "makes it infinite (PyTorch clamps log at -100). Prefer bce_logits.",
        ),
        see="mathml explain bce_logits",
    ),
    Entry(
        "bce_logits",
        "loss",
        "binary cross-entropy of a logit z (before the sigmoid), the stable form",
        "max(z, 0) - z*y + log(1 + exp(-abs(z)))",
        "z",
        "sigmoid(z) - y",
        "∂/∂z = σ(z) − y",
        r"\frac{\partial}{\partial z} = \sigma(z) - y",
        "[0, ∞)",
        "binary classification: what BCEWithLogitsLoss computes",
        "torch.nn.functional.binary_cross_entropy_with_logits",
        aliases=("binary_cross_entropy_with_logits", "bce_with_logits", "logistic_loss"),
        given=(("y", 1.0),),
        points=(-10.0, -2.0, 0.0, 2.0, 10.0),
        window=(-8.0, 8.0),
        notes=(
            "It equals bce(σ(z), y) = softplus(z) − y·z, written as max(z, 0) − z·y + "
            "log(1 + e^(−|z|)): no exponential can overflow and σ(z) never rounds to 0 or 1 "
            "inside a log, so a confident wrong answer (z = -40, y = 1) costs 40, not ∞.",
            "Its gradient σ(z) − y is the prediction minus the label: the sigmoid's σ(1 − σ) "
            "cancels the log's 1/σ.",
        ),
    ),
    Entry(
        "cross_entropy",
        "loss",
        "categorical cross-entropy −Σ y_i·log(ŷ_i); one term shown",
        "-y*log(yhat)",
        "yhat",
        "-y/yhat",
        "∂/∂ŷ_i = −y_i/ŷ_i; through a softmax, ∂/∂z = p − y",
        r"\frac{\partial}{\partial \hat{y}_i} = -\frac{y_i}{\hat{y}_i}, \quad "
        r"\frac{\partial}{\partial z} = p - y",
        "[0, ∞)",
        "multi-class classification after a softmax; language models",
        "torch.nn.functional.cross_entropy (probability targets)",
        aliases=("categorical_cross_entropy", "cce", "nll"),
        given=(("y", 1.0),),
        points=(0.01, 0.1, 0.5, 0.9, 1.0),
        window=(0.005, 1.0),
        notes=(
            "The loss of one example is the sum of this term over the classes; with a one-hot "
            "y it is −log of the probability of the true class.",
        ),
        see="mathml softmax 2 1 0.1 --target 0 (the loss from logits, and p − y)",
    ),
    Entry(
        "hinge",
        "loss",
        "max(0, 1 − y·ŷ) for a label y in {−1, 1} and a score ŷ",
        "max(0, 1 - y*yhat)",
        "yhat",
        "-y*step(1 - y*yhat)",
        "∂/∂ŷ = −y where y·ŷ < 1, else 0",
        r"\frac{\partial}{\partial \hat{y}} = \begin{cases} -y & y\hat{y} < 1 \\ 0 "
        r"& \text{otherwise} \end{cases}",
        "[0, ∞)",
        "support vector machines (linear SVMs)",
        "torch.nn.functional.multi_margin_loss (two classes, times 2)",
        aliases=("svm",),
        given=(("y", 1.0),),
        kinks=("1/y",),
        points=(-2.0, 0.0, 0.5, 1.0, 2.0),
        window=(-3.0, 3.0),
        notes=(
            "Zero once an example is on the right side with margin 1: only the examples near "
            "the boundary (the support vectors) move the model.",
        ),
    ),
    Entry(
        "squared_hinge",
        "loss",
        "max(0, 1 − y·ŷ)²: the hinge, smooth at the margin",
        "max(0, 1 - y*yhat)**2",
        "yhat",
        "-2*y*max(0, 1 - y*yhat)",
        "∂/∂ŷ = −2y·max(0, 1 − y·ŷ)",
        r"\frac{\partial}{\partial \hat{y}} = -2y\max(0, 1 - y\hat{y})",
        "[0, ∞)",
        "L2-SVMs (scikit-learn's LinearSVC default)",
        "torch.nn.functional.multi_margin_loss (p = 2, two classes, times 2)",
        given=(("y", 1.0),),
        points=(-2.0, 0.0, 0.5, 1.0, 2.0),
        window=(-3.0, 3.0),
    ),
    Entry(
        "kl_div",
        "loss",
        "Kullback–Leibler divergence Σ y_i·log(y_i/ŷ_i); one term shown",
        "y*log(y/yhat)",
        "yhat",
        "-y/yhat",
        "∂/∂ŷ_i = −y_i/ŷ_i (the same as cross-entropy's)",
        r"\frac{\partial}{\partial \hat{y}_i} = -\frac{y_i}{\hat{y}_i}",
        "[0, ∞) for the sum over a distribution",
        "distillation, variational autoencoders, RLHF's penalty",
        "torch.nn.functional.kl_div (log-probability input)",
        aliases=("kl", "kl_divergence", "kullback_leibler"),
        given=(("y", 0.5),),
        points=(0.1, 0.25, 0.5, 0.75, 1.0),
        window=(0.01, 1.0),
        notes=(
            "KL(y ‖ ŷ) = cross-entropy(y, ŷ) − entropy(y): the two differ by a constant in ŷ, "
            "so they have the same gradient.",
            "A single term can be negative (here for ŷ > y); the sum over a distribution "
            "never is, and is 0 only when ŷ = y.",
        ),
    ),
)

REGULARIZERS = (
    Entry(
        "l1",
        "regularizer",
        "λ·|w|, added to the loss for each weight (lasso)",
        "lam*abs(w)",
        "w",
        "lam*sign(w)",
        "∂/∂w = λ·sign(w)",
        r"\frac{\partial}{\partial w} = \lambda\operatorname{sign}(w)",
        "[0, ∞)",
        "sparse models: lasso regression, feature selection",
        "torch.abs's gradient (torch.autograd)",
        aliases=("lasso",),
        parameters=(Parameter("lam", 0.01, "the strength λ", "≥ 0"),),
        kinks=("0",),
        points=(-2.0, -0.5, 0.0, 0.5, 2.0),
        window=(-3.0, 3.0),
        notes=(
            "The pull towards 0 is λ whatever the weight's size, so small weights reach "
            "exactly 0: L1 makes models sparse.",
        ),
    ),
    Entry(
        "l2",
        "regularizer",
        "(λ/2)·w², added to the loss for each weight (ridge, weight decay)",
        "lam/2*w**2",
        "w",
        "lam*w",
        "∂/∂w = λ·w",
        r"\frac{\partial}{\partial w} = \lambda w",
        "[0, ∞)",
        "almost every network (weight decay); ridge regression",
        "torch.optim.SGD(weight_decay=λ)",
        aliases=("ridge", "weight_decay"),
        parameters=(Parameter("lam", 0.01, "the strength λ (weight_decay)", "≥ 0"),),
        points=(-2.0, -0.5, 0.0, 0.5, 2.0),
        window=(-3.0, 3.0),
        notes=(
            "The pull towards 0 is proportional to the weight: large weights shrink fast, "
            "small ones hardly, and none reaches exactly 0.",
            "Weight decay: a gradient step of size γ on it multiplies w by (1 − γλ). That is "
            "what torch.optim.SGD(weight_decay=λ) adds (g ← g + λw), and exactly AdamW's "
            "decoupled step w ← w·(1 − γλ) (mathml descend --optimizer adamw).",
            "In Adam the two part ways: Adam(weight_decay=λ) adds λw to g, so it is divided "
            "by √v̂ with the rest of the gradient (weights with large gradients are decayed "
            "less); AdamW decays every weight by the same factor 1 − γλ, outside the "
            "adaptive step (Loshchilov & Hutter, 2019).",
        ),
        see="mathml descend bowl --optimizer adamw --weight-decay 0.1",
    ),
    Entry(
        "elastic_net",
        "regularizer",
        "a mix of l1 and l2: λ·(ρ|w| + (1 − ρ)/2·w²)",
        "lam*(mix*abs(w) + (1 - mix)/2*w**2)",
        "w",
        "lam*(mix*sign(w) + (1 - mix)*w)",
        "∂/∂w = λ·(ρ·sign(w) + (1 − ρ)·w)",
        r"\frac{\partial}{\partial w} = \lambda\bigl(\rho\operatorname{sign}(w) + "
        r"(1 - \rho) w\bigr)",
        "[0, ∞)",
        "sparse models with correlated features (scikit-learn's ElasticNet)",
        "l1 and l2 above (torch.autograd)",
        aliases=("elasticnet",),
        parameters=(
            Parameter("lam", 0.01, "the strength λ (scikit-learn's alpha)", "≥ 0"),
            Parameter("mix", 0.5, "the share ρ of l1 (scikit-learn's l1_ratio)", "between 0 and 1"),
        ),
        kinks=("0",),
        points=(-2.0, -0.5, 0.0, 0.5, 2.0),
        window=(-3.0, 3.0),
    ),
)

ENTRIES: tuple[Entry, ...] = ACTIVATIONS + LOSSES + REGULARIZERS


def by_name() -> dict[str, Entry]:
    """Every name and alias (lower case) -> its entry."""
    return {name: entry for entry in ENTRIES for name in entry.names}


def entries(category: str | None = None) -> tuple[Entry, ...]:
    return tuple(entry for entry in ENTRIES if category is None or entry.category == category)
