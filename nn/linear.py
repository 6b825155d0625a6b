"""`Identity`, `Linear`, `Bilinear`, `Flatten`, `Unflatten`."""
import math

import autograd
from autograd.ops import nn as _nnops

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x @ weight.T + bias.

    weight is (out_features, in_features) and, like bias, starts as PyTorch's default:
    kaiming_uniform_(a=sqrt(5)) for the weight (U(-1/sqrt(in), 1/sqrt(in))) and
    U(-1/sqrt(in), 1/sqrt(in)) for the bias.

    Shapes: input: (*, in_features)  ->  (*, out_features)

    Example:
        >>> fc = nn.Linear(784, 256)
        >>> fc(autograd.randn(32, 784)).shape
        (32, 256)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(autograd.empty(out_features, in_features, dtype=dtype))
        self.register_parameter(
            "bias", Parameter(autograd.empty(out_features, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        init._default_layer_init(self.weight, self.bias)

    def forward(self, input):
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            raise RuntimeError(f"{self!r}: expected input of shape (*, {self.in_features}), got "
                               f"input of shape {tuple(shape)}")
        params = self._parameters
        if "weight" in params and "bias" in params:
            # what `self.weight` and `self.bias` find, without two `Module.__getattr__` calls
            return _nnops.linear(input, params["weight"], params["bias"])
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1 @ weight[k] @ x2 + bias[k]; weight and bias start U(-1/sqrt(in1), 1/sqrt(in1)).

    Shapes: input1: (*, in1_features)  input2: (*, in2_features)  ->  (*, out_features)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(autograd.empty(out_features, in1_features, in2_features,
                                               dtype=dtype))
        if bias:
            self.bias = Parameter(autograd.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        if input1.shape[-1] != self.in1_features or input2.shape[-1] != self.in2_features:
            raise RuntimeError(f"{self!r}: expected inputs of shapes (*, {self.in1_features}) "
                               f"and (*, {self.in2_features}), got {tuple(input1.shape)} and "
                               f"{tuple(input2.shape)}")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one.

    Shapes: input: (N, *dims)  ->  (N, prod(dims)) with the defaults
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dim `dim` into `unflattened_size`.

    Shapes: input: (*, S, *)  ->  (*, *unflattened_size, *)  with prod(unflattened_size) == S
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
