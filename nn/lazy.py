"""Lazy modules: layers that learn their input size from the first batch, as `torch.nn`'s.

`LazyLinear(out_features)`, `LazyConv2d(out_channels, kernel_size)`, `LazyBatchNorm1d()`, ...
hold `UninitializedParameter`s until their first forward, then allocate them from the input's
shape, initialise them exactly as the eager layer would (same draws from the generator), and
become that layer (`type(m) is Linear` afterwards). Loading a state dict into a lazy module
allocates from the saved shapes instead.

Example:
    >>> model = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(10))
    >>> model(autograd.randn(8, 784)).shape     # weights are now (64, 784) and (10, 64)
    (8, 10)
"""
import autograd

from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
                   _ConvTransposeNd)
from .instance_norm import InstanceNorm1d, InstanceNorm2d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .parameter import UninitializedBuffer, UninitializedParameter

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
           "LazyInstanceNorm2d"]

_UNINITIALIZED = (UninitializedParameter, UninitializedBuffer)


class LazyModuleMixin:
    """Runs `initialize_parameters(*inputs)` before the first forward, then turns the module
    into `cls_to_become`."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)
        self._load_hook = self.register_load_state_dict_pre_hook(_materialize_from_state)

    def has_uninitialized_params(self):
        return any(isinstance(t, _UNINITIALIZED)
                   for t in list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement initialize_parameters")


def _infer_parameters(module, args):
    with autograd.no_grad():
        module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"{type(module).__name__}: module {module._get_name()} has not been "
                           f"fully initialized")
    _become(module)


def _materialize_from_state(module, state_dict, prefix, *unused):
    for table in (module._parameters, module._buffers):
        for name, tensor in table.items():
            key = prefix + name
            if isinstance(tensor, _UNINITIALIZED) and key in state_dict:
                value = state_dict[key]
                tensor.materialize(getattr(value, "shape", ()))
    if not module.has_uninitialized_params():
        _become(module, set_sizes=True)


def _become(module, set_sizes=False):
    module._initialize_hook.remove()
    module._load_hook.remove()
    del module._initialize_hook, module._load_hook
    if set_sizes:
        module._sizes_from_weights()
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


# ---------------------------------------------------------------------- linear
class LazyLinear(LazyModuleMixin, Linear):
    """`Linear` whose `in_features` is the last dim of its first input."""

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super().__init__(0, 0, False, dtype=dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args):
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()

    def _sizes_from_weights(self):
        self.in_features = self.weight.shape[1]


# ---------------------------------------------------------------------- convolutions
class _LazyConvMixin(LazyModuleMixin):
    """`in_channels` from dim 1 of a batched input (dim 0 of an unbatched one)."""

    def __init__(self, out_channels, kernel_size, *args, bias=True, dtype=None, **kwargs):
        super().__init__(0, 0, kernel_size, *args, bias=False, dtype=dtype, **kwargs)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args):
        if not self.has_uninitialized_params():
            return
        batched = input.ndim == self._dims + 2
        self.in_channels = input.shape[1] if batched else input.shape[0]
        if self.in_channels % self.groups:
            raise ValueError(f"{type(self).__name__}: in_channels ({self.in_channels}) must be "
                             f"divisible by groups ({self.groups})")
        channels = self._weight_channels(self.in_channels, self.out_channels, self.groups)
        self.weight.materialize(channels + tuple(self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _sizes_from_weights(self):
        rows, cols = self.weight.shape[:2]
        transposed = issubclass(self.cls_to_become, _ConvTransposeNd)
        self.in_channels = rows if transposed else cols * self.groups


def _lazy_conv(base, doc):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, *rest, **kwargs):
        _LazyConvMixin.__init__(self, out_channels, kernel_size, stride, padding, *rest, **kwargs)
    return type(f"Lazy{base.__name__}", (_LazyConvMixin, base),
                {"cls_to_become": base, "__init__": __init__, "__doc__": doc,
                 "__module__": __name__})


LazyConv1d = _lazy_conv(Conv1d, "`Conv1d` whose `in_channels` comes from its first input.")
LazyConv2d = _lazy_conv(Conv2d, "`Conv2d` whose `in_channels` comes from its first input.")
LazyConv3d = _lazy_conv(Conv3d, "`Conv3d` whose `in_channels` comes from its first input.")
LazyConvTranspose1d = _lazy_conv(ConvTranspose1d, "`ConvTranspose1d` whose `in_channels` "
                                                  "comes from its first input.")
LazyConvTranspose2d = _lazy_conv(ConvTranspose2d, "`ConvTranspose2d` whose `in_channels` "
                                                  "comes from its first input.")
LazyConvTranspose3d = _lazy_conv(ConvTranspose3d, "`ConvTranspose3d` whose `in_channels` "
                                                  "comes from its first input.")


# ---------------------------------------------------------------------- normalisation
class _LazyNormMixin(LazyModuleMixin):
    """`num_features` from the channel dim of the first input: affine weight and bias and the
    running statistics are allocated then. Affine and tracking running statistics by default,
    also for the instance norms (PyTorch's lazy defaults, unlike its eager InstanceNorm's)."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(0, eps, momentum, False, False, dtype=dtype)
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = autograd.tensor(0, dtype=autograd.long)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args):
        if not self.has_uninitialized_params():
            return
        unbatched = input.ndim == getattr(self, "_spatial", -9) + 1     # instance norms only
        self.num_features = input.shape[0 if unbatched else 1]
        for name in ("weight", "bias", "running_mean", "running_var"):
            tensor = getattr(self, name, None)
            if isinstance(tensor, _UNINITIALIZED):
                tensor.materialize((self.num_features,))
        self.reset_parameters()

    def _sizes_from_weights(self):
        source = self.weight if self.affine else self.running_mean
        self.num_features = source.shape[0]


def _lazy_norm(base):
    return type(f"Lazy{base.__name__}", (_LazyNormMixin, base),
                {"cls_to_become": base, "__module__": __name__,
                 "__doc__": f"`{base.__name__}` whose `num_features` comes from its first "
                            f"input."})


LazyBatchNorm1d = _lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d)
