"""Single-step recurrent cells, as `torch.nn`: `RNNCell`, `LSTMCell`, `GRUCell`.

Parameters (weight_ih, weight_hh, bias_ih, bias_hh), gate order and init are PyTorch's; the
step arithmetic is shared with the layers of `nn.rnn` (`nn._rnn_steps`).
"""
import math

import autograd
from autograd.ops import nn as _nnops
from autograd.tensor import Tensor

from . import init
from ._rnn_steps import gru_step, lstm_step, rnn_relu_step, rnn_tanh_step
from .module import Module
from .parameter import Parameter

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_STEPS = {"RNN_TANH": rnn_tanh_step, "RNN_RELU": rnn_relu_step, "LSTM": lstm_step,
          "GRU": gru_step}


class RNNCellBase(Module):
    """What the cells share: weight_ih (G, input_size), weight_hh (G, hidden_size), optional
    bias_ih and bias_hh (G,), all U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""

    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(autograd.empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(autograd.empty(gates, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(autograd.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(autograd.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def forward(self, input, hx=None):
        """Shapes: input: (N, input_size) or (input_size,)  hx: (N, hidden_size) or
        (hidden_size,) (LSTMCell: a pair of them), None for zeros  ->  h' (LSTMCell: (h', c'))"""
        name = type(self).__name__
        lstm = self._mode == "LSTM"
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if hx is not None:
            hx = tuple(hx) if lstm else (hx,)
            for h in hx:
                if h.ndim not in (1, 2):
                    raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.ndim}D "
                                     f"instead")
                if h.ndim != input.ndim:
                    raise RuntimeError(f"{name}: input is {input.ndim}-D but a hidden state "
                                       f"is {h.ndim}-D (both batched or both unbatched)")
        unbatched = input.ndim == 1
        if unbatched:
            input = input.unsqueeze(0)
            hx = None if hx is None else tuple(h.unsqueeze(0) for h in hx)
        batch = input.shape[0]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        if input.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"{name}: input dtype ({input.dtype}) does not match weight "
                               f"dtype ({self.weight_ih.dtype})")
        if hx is None:
            hx = tuple(autograd.zeros(batch, self.hidden_size, dtype=input.dtype)
                       for _ in range(2 if lstm else 1))
        for k, h in enumerate(hx):
            if h.shape[0] != batch:
                raise RuntimeError(f"Input batch size {batch} doesn't match hidden{k} batch "
                                   f"size {h.shape[0]}")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {self.hidden_size}")
            if h.dtype != input.dtype:
                raise RuntimeError(f"{name}: hidden{k} dtype ({h.dtype}) does not match input "
                                   f"dtype ({input.dtype})")
        xg = _nnops.linear(input, self.weight_ih, self.bias_ih)
        out = _STEPS[self._mode](xg, hx, self.weight_hh, self.bias_hh)
        if unbatched:
            out = tuple(o.squeeze(0) for o in out)
        return out if lstm else out[0]


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh) (or relu).

    Shapes: input: (N, input_size)  hx: (N, hidden_size)  ->  (N, hidden_size)

    Example:
        >>> cell = nn.RNNCell(10, 20)
        >>> cell(autograd.randn(3, 10)).shape
        (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity, self._mode = nonlinearity, modes[nonlinearity]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o); hx is the pair (h, c) and so is the result.

    Shapes: input: (N, input_size)  hx: ((N, H), (N, H))  ->  ((N, H), (N, H))

    Example:
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(autograd.randn(3, 10))
    """

    _mode = "LSTM"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n, r applied to W_hn h + b_hn).

    Shapes: input: (N, input_size)  hx: (N, hidden_size)  ->  (N, hidden_size)

    Example:
        >>> cell = nn.GRUCell(10, 20)
        >>> cell(autograd.randn(3, 10)).shape
        (3, 20)
    """

    _mode = "GRU"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)
