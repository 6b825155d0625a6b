"""Recurrent layers, as `torch.nn`: `RNN`, `LSTM`, `GRU` (their single-step cells are in
`nn.rnn_cell`).

Parameter names, shapes, registration order (hence `state_dict` keys), gate order and default
init (every weight and bias U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))) are PyTorch's, so a
PyTorch state dict loads as is. The step arithmetic is in `nn._rnn_steps`.
"""
import math
import numbers
import warnings

import autograd
from autograd.ops import nn as _nnops
from autograd.tensor import Tensor

from . import functional as F
from . import init
from ._rnn_steps import gru_step, lstm_step, rnn_relu_step, rnn_tanh_step, run_direction
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_STEPS = {"RNN_TANH": rnn_tanh_step, "RNN_RELU": rnn_relu_step, "LSTM": lstm_step,
          "GRU": gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _check_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, the checks
    and the layer loop. `mode` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if mode not in _STEPS:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
                or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, so "
                          f"non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        _check_int("input_size", input_size)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_int("hidden_size", hidden_size)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, \
            proj_size
        gates = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gates, in_size)), ("weight_hh", (gates, out_size))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = [base + suffix for base, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(autograd.empty(*shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self):
        """A no-op: PyTorch packs the weights into one buffer for cuDNN; there is none here."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists in registration order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _layer_weights(self, layer, direction):
        """(W_ih, b_ih) and (W_hh, b_hh, W_hr) of one layer and direction (None where absent)."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        p = self._parameters
        return ((p["weight_ih" + suffix], p.get("bias_ih" + suffix)),
                (p["weight_hh" + suffix], p.get("bias_hh" + suffix), p.get("weight_hr" + suffix)))

    def _state_shapes(self, batch):
        """The expected shape of each initial state tensor: h (and c for LSTM)."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        shapes = [(layers, batch, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            shapes.append((layers, batch, self.hidden_size))
        return shapes

    def _check_input(self, input, packed):
        weight = self._parameters["weight_ih_l0"]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected = 2 if packed else 3
        if input.ndim != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.ndim}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def _hidden_tuple(self, hx):
        """The initial state as a tuple of Tensors (LSTM takes a pair, the others one)."""
        if self.mode == "LSTM":
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), got "
                                f"{type(hx).__name__}")
            return tuple(hx)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{type(self).__name__}: hx must be a Tensor, got "
                            f"{type(hx).__name__}")
        return (hx,)

    def _check_hidden(self, hx, shapes):
        for k, (h, shape) in enumerate(zip(hx, shapes)):
            if tuple(h.shape) != shape:
                which = f"hidden[{k}] size" if self.mode == "LSTM" else "hidden size"
                raise RuntimeError(f"Expected {which} {shape}, got {list(h.shape)}")
            if h.dtype != self._parameters["weight_ih_l0"].dtype:
                raise RuntimeError(f"{type(self).__name__}: hidden state dtype ({h.dtype}) "
                                   f"does not match weight dtype "
                                   f"({self._parameters['weight_ih_l0'].dtype})")

    def forward(self, input, hx=None):
        """Shapes: input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a
        PackedSequence;  hx: (D * num_layers, N, H_out) (LSTM: a pair, c being
        (D * num_layers, N, hidden_size)), or None for zeros
        ->  (output (L, N, D * H_out) or a PackedSequence, h_n like hx)."""
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        if hx is not None:
            hx = self._hidden_tuple(hx)
        packed = isinstance(input, PackedSequence)
        unbatched = False
        if packed:
            data, sizes = input.data, [int(n) for n in input.batch_sizes._data]
            sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
            self._check_input(data, True)
            if hx is not None:
                self._check_hidden_dims(hx, 3, "batched 3-D")
                if sorted_indices is not None:
                    hx = tuple(autograd.index_select(h, 1, sorted_indices) for h in hx)
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}: input must be a Tensor or a PackedSequence, got "
                                f"{type(input).__name__}")
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                                 f"instead" if lstm or self.mode == "GRU" else
                                 f"RNN: Expected input to be 2D or 3D, got {input.ndim}D "
                                 f"tensor instead")
            unbatched = input.ndim == 2
            if unbatched:
                input = input.unsqueeze(1)
                if hx is not None:
                    self._check_hidden_dims(hx, 2, "unbatched 2-D")
                    hx = tuple(h.unsqueeze(1) for h in hx)
            else:
                if self.batch_first:
                    input = input.transpose(0, 1)
                if hx is not None:
                    self._check_hidden_dims(hx, 3, "batched 3-D")
            self._check_input(input, False)
            steps, batch = input.shape[0], input.shape[1]
            if steps == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            sizes = [batch] * steps
            data = input.reshape(steps * batch, self.input_size)
        shapes = self._state_shapes(sizes[0] if sizes else 0)
        if hx is None:
            hx = tuple(autograd.zeros(*s, dtype=data.dtype) for s in shapes)
        self._check_hidden(hx, shapes)
        output, finals = self._run(data, sizes, hx)
        h_n = tuple(autograd.stack([f[k] for f in finals], 0) for k in range(len(hx)))
        if packed:
            if unsorted_indices is not None:
                h_n = tuple(autograd.index_select(h, 1, unsorted_indices) for h in h_n)
            output = PackedSequence(output, input.batch_sizes, sorted_indices, unsorted_indices)
        else:
            output = output.reshape(steps, batch, output.shape[-1])
            if unbatched:
                output, h_n = output.squeeze(1), tuple(h.squeeze(1) for h in h_n)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, (h_n if lstm else h_n[0])

    def _check_hidden_dims(self, hx, ndim, kind):
        if any(h.ndim != ndim for h in hx):
            if self.mode == "LSTM":
                raise RuntimeError(f"For {kind} input, hx and cx should also be {ndim}-D but got "
                                   f"({hx[0].ndim}-D, {hx[1].ndim}-D) tensors")
            raise RuntimeError(f"For {kind} input, hx should also be {ndim}-D but got "
                               f"{hx[0].ndim}-D tensor")

    def _run(self, data, sizes, hx):
        """Every layer and direction over packed rows `data` (sum(sizes), H_in): the last
        layer's output rows and the final state of each layer and direction, in hx order."""
        step = _STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        finals = []
        x = data
        for layer in range(self.num_layers):
            outs = []
            for direction in range(directions):
                (w_ih, b_ih), weights = self._layer_weights(layer, direction)
                k = layer * directions + direction
                xg = _nnops.linear(x, w_ih, b_ih)  # all time steps in one product
                out, final = run_direction(step, xg, sizes, tuple(h[k] for h in hx), weights,
                                           reverse=direction == 1)
                outs.append(out)
                finals.append(final)
            x = outs[0] if directions == 1 else autograd.cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, finals


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh) (or relu), stacked
    `num_layers` deep, optionally in both directions (outputs concatenated, forward first).

    Arguments as PyTorch: (input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None).

    Shapes: input: (L, N, H_in)  h_0: (D * num_layers, N, H)  ->  ((L, N, D * H), h_n)

    Example:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(autograd.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.__dict__["nonlinearity"] = args[3]
            args = args[:3] + args[4:]
        else:
            self.__dict__["nonlinearity"] = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o as PyTorch (see `nn._rnn_steps.lstm_step`),
    with an optional projection h_t = (o_t * tanh(c_t)) @ W_hr.T of size `proj_size`.

    Arguments as PyTorch: (input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None).

    Shapes: input: (L, N, H_in)  (h_0, c_0): ((D * num_layers, N, H_out),
    (D * num_layers, N, H_cell))  ->  ((L, N, D * H_out), (h_n, c_n))

    Example:
        >>> lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(autograd.randn(3, 5, 10))
        >>> output.shape, h_n.shape, c_n.shape
        ((3, 5, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n as PyTorch (see `nn._rnn_steps.gru_step`).

    Arguments as PyTorch: (input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None).

    Shapes: input: (L, N, H_in)  h_0: (D * num_layers, N, H)  ->  ((L, N, D * H), h_n)

    Example:
        >>> gru = nn.GRU(10, 20, bidirectional=True)
        >>> output, h_n = gru(autograd.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        ((5, 3, 40), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)
