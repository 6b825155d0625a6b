"""Instance and local response normalisation, channel dropout of 1-D inputs and the multi-label
soft margin loss (re-exported by `nn.functional`); composed from differentiable ops."""
import autograd
from autograd import versions
from autograd.ops import norm as _norm

from ._functional_losses import _check_reduction, _legacy_reduction, _reduce

__all__ = ["instance_norm", "local_response_norm", "dropout1d", "multilabel_soft_margin_loss"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims (biased variance), then scale and
    shift per channel; as `torch.nn.functional.instance_norm`. With `use_input_stats` the
    running statistics, when given, move towards the batch average of the per-instance mean and
    unbiased variance; without it they normalise instead.

    Shapes: input: (N, C, *)  running_mean, running_var, weight, bias: (C,)  ->  like input
    """
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected input of shape (N, C, *) with spatial dims, "
                         f"got {tuple(input.shape)}")
    n, c = input.shape[:2]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var are required when "
                             "use_input_stats=False")
        from .functional import batch_norm
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = input.numel() // (n * c) if n * c else 0
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{tuple(input.shape)}")
    flat = input.reshape(n, c, -1)
    out = _norm.layer_norm(flat, None, None, (2,), eps).reshape(input.shape)
    data = flat._data
    for stat, value in ((running_mean, data.mean(axis=2)),
                        (running_var, data.var(axis=2) * (count / (count - 1)))):
        if stat is not None:
            stat._data *= 1.0 - momentum
            stat._data += (momentum * value.mean(axis=0)).astype(stat._data.dtype, copy=False)
            versions.bump(stat, "instance_norm")
    cshape = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(cshape)
    if bias is not None:
        out = out + bias.reshape(cshape)
    return out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha / size * sum of x^2 over `size` neighbouring channels) ** beta, the
    window reaching size // 2 channels back and (size - 1) // 2 forward (zero beyond the
    edges).

    Shapes: (N, C, *) -> the same
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions, shape {tuple(input.shape)})")
    c = input.shape[1]
    if c == 0:
        return input
    sq = input * input
    widths = [0, 0] * (input.ndim - 2) + [size // 2, (size - 1) // 2]
    padded = autograd.pad(sq, widths)
    total = padded.narrow(1, 0, c)
    for i in range(1, size):
        total = total + padded.narrow(1, i, c)
    return input / (total * (alpha / size) + k) ** beta


from ._dropout import dropout1d  # noqa: E402,F401


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), times weight, averaged over the classes
    (the last dim), then reduced over the samples.

    Shapes: input, target: (N, C) or (C,)  weight: (C,)  ->  () or (N,) with reduction='none'
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("multilabel_soft_margin_loss", reduction)
    if not isinstance(target, autograd.Tensor):
        target = autograd.tensor(target)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"multilabel_soft_margin_loss: target of shape {tuple(target.shape)} "
                         f"must match input of shape {tuple(input.shape)}")
    target = target.to(input.dtype)
    loss = -(target * autograd.logsigmoid(input) + (1.0 - target) * autograd.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction)
