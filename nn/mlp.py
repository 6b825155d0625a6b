"""`MLP`, the builder most scripts need, and `SwiGLU`, the gated feed-forward block."""

from . import activation as _act
from . import functional as F
from .containers import Sequential
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, LayerNorm

__all__ = ["MLP", "SwiGLU"]

_ACTIVATIONS = {"relu": _act.ReLU, "gelu": _act.GELU, "silu": _act.SiLU, "swish": _act.SiLU,
                "tanh": _act.Tanh, "sigmoid": _act.Sigmoid, "leaky_relu": _act.LeakyReLU,
                "elu": _act.ELU, "selu": _act.SELU, "mish": _act.Mish, "softplus": _act.Softplus,
                "identity": None, "none": None, "linear": None}


def _activation_factory(activation):
    if activation is None:
        return None
    if isinstance(activation, str):
        key = activation.lower()
        if key not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; expected a Module class, "
                             f"a callable returning a Module, or one of {sorted(_ACTIVATIONS)}")
        return _ACTIVATIONS[key]
    if isinstance(activation, Module):
        raise TypeError("MLP: pass the activation class (nn.ReLU) or a factory "
                        "(lambda: nn.LeakyReLU(0.1)), not an instance shared by every layer")
    return activation


class MLP(Sequential):
    """Linear -> [norm] -> activation -> [dropout] per hidden layer, then a final Linear.

    Args:
        in_features: size of each input sample.
        hidden_features: list of hidden layer widths (may be empty: a single Linear).
        out_features: size of each output sample.
        activation: a Module class or factory (default nn.ReLU) or a name ('relu', 'gelu', ...).
        norm: None, 'batch' (BatchNorm1d) or 'layer' (LayerNorm) after each hidden Linear.
        dropout: dropout probability after each hidden activation (0 adds no Dropout layer).
        bias: whether the Linear layers have biases.

    A Sequential, so the state dict keys are `0.weight`, `0.bias`, `2.weight`, ...

    Shapes: input: (*, in_features) ((N, in_features) with norm='batch')  ->  (*, out_features)

    Example:
        >>> model = nn.MLP(784, [256, 128], 10, activation=nn.GELU, dropout=0.1)
        >>> model(autograd.randn(32, 784)).shape
        (32, 10)
    """

    def __init__(self, in_features, hidden_features, out_features, activation=_act.ReLU,
                 norm=None, dropout=0.0, bias=True):
        if norm not in (None, "batch", "layer"):
            raise ValueError(f"MLP: norm must be None, 'batch' or 'layer', got {norm!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        make_act = _activation_factory(activation)
        layers = []
        width = in_features
        for h in list(hidden_features):
            layers.append(Linear(width, h, bias=bias))
            if norm == "batch":
                layers.append(BatchNorm1d(h))
            elif norm == "layer":
                layers.append(LayerNorm(h))
            if make_act is not None:
                layers.append(make_act())
            if dropout > 0:
                layers.append(Dropout(dropout))
            width = h
        layers.append(Linear(width, out_features, bias=bias))
        super().__init__(*layers)
        self.in_features = in_features
        self.hidden_features = list(hidden_features)
        self.out_features = out_features


class SwiGLU(Module):
    """The SwiGLU feed-forward block (Shazeer, 2020): (SiLU(x W) * (x V)) W2.

    W, V and W2 are `gate_proj`, `up_proj` and `down_proj` (Linear layers, PyTorch layouts).

    Args:
        in_features: input size.
        hidden_features: width of the gated hidden layer.
        out_features: output size (default in_features).
        bias: whether the three projections have biases (default False, as in LLaMA).

    Shapes: input: (*, in_features)  ->  (*, out_features)

    Example:
        >>> ffn = nn.SwiGLU(64, 172)
        >>> ffn(autograd.randn(8, 64)).shape
        (8, 64)
    """

    def __init__(self, in_features, hidden_features, out_features=None, bias=False):
        super().__init__()
        out_features = in_features if out_features is None else out_features
        self.in_features = in_features
        self.hidden_features = hidden_features
        self.out_features = out_features
        self.gate_proj = Linear(in_features, hidden_features, bias=bias)
        self.up_proj = Linear(in_features, hidden_features, bias=bias)
        self.down_proj = Linear(hidden_features, out_features, bias=bias)

    def forward(self, input):
        return self.down_proj(F.silu(self.gate_proj(input)) * self.up_proj(input))


