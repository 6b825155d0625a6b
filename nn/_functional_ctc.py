"""`ctc_loss` (re-exported by `nn.functional`): argument checks and reductions around the
`CTCLoss` node of `autograd.ops.ctc`."""
import numpy as np

from autograd.ops.ctc import CTCLoss
from autograd.tensor import Tensor, _make

__all__ = ["ctc_loss"]


def _lengths(value, n, what):
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: {what} must be integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.shape != (n,):
        raise RuntimeError(f"ctc_loss: expected {what} to have {n} entries (one per batch "
                           f"element), got shape {tuple(arr.shape)}")
    if arr.size and arr.min() < 0:
        raise RuntimeError(f"ctc_loss: {what} must be non-negative, got {arr.tolist()}")
    return arr


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The connectionist temporal classification loss, as `torch.nn.functional.ctc_loss`:
    -log of the summed probability of every alignment of each target with its frames.

    log_probs: (T, N, C) (or (T, C) unbatched), normally log_softmax outputs; targets: (N, S)
    padded or (sum of target_lengths,) concatenated (or (S,) unbatched), classes in [0, C)
    other than blank; input_lengths, target_lengths: (N,) (or scalars).
    reduction 'none' -> (N,), 'sum' -> (), 'mean' -> mean over n of loss[n] / target_lengths[n]
    (lengths clamped to 1). zero_infinity replaces infinite losses (impossible alignments) and
    their gradients by 0.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"ctc_loss: {reduction} is not a valid value for reduction")
    if log_probs.ndim == 2:
        tgt = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
        loss = ctc_loss(log_probs.unsqueeze(1), _make(np.asarray(tgt).reshape(1, -1), None),
                        _lengths(input_lengths, 1, "input_lengths"),
                        _lengths(target_lengths, 1, "target_lengths"), blank, reduction,
                        zero_infinity)
        return loss.squeeze(0) if reduction == "none" else loss
    if log_probs.ndim != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got "
                           f"{tuple(log_probs.shape)}")
    if not log_probs.is_floating_point():
        raise RuntimeError(f"ctc_loss: log_probs must be floating point, got {log_probs.dtype}")
    t_max, n, c = log_probs.shape
    if not 0 <= blank < c:
        raise RuntimeError(f"ctc_loss: blank must be in label range [0, {c}), got {blank}")
    ilen = _lengths(input_lengths, n, "input_lengths")
    tlen = _lengths(target_lengths, n, "target_lengths")
    if ilen.size and ilen.max() > t_max:
        raise RuntimeError(f"ctc_loss: Expected input_lengths to have value at most {t_max} "
                           f"(the T of log_probs of shape {tuple(log_probs.shape)}), but got "
                           f"{ilen.max()}")
    tgt = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
    if tgt.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: targets must be integers, got dtype {tgt.dtype}")
    tgt = tgt.astype(np.int64)
    width = int(tlen.max()) if tlen.size else 0
    if tgt.ndim == 1:  # concatenated: cut into a padded (N, max length) array
        if tgt.size != tlen.sum():
            raise RuntimeError(f"ctc_loss: concatenated targets of length {tgt.size} do not "
                               f"match target_lengths summing to {tlen.sum()}")
        padded = np.full((n, width), blank, np.int64)
        starts = np.concatenate([[0], np.cumsum(tlen)[:-1]]).astype(np.int64)
        for i, (s, length) in enumerate(zip(starts, tlen)):
            padded[i, :length] = tgt[s:s + length]
    elif tgt.ndim == 2:
        if tgt.shape[0] != n or width > tgt.shape[1]:
            raise RuntimeError(f"ctc_loss: padded targets of shape {tuple(tgt.shape)} do not "
                               f"fit batch size {n} and target_lengths up to {width}")
        padded = tgt[:, :width].copy()
    else:
        raise RuntimeError(f"ctc_loss: targets must be 1-D (concatenated) or 2-D (padded), got "
                           f"shape {tuple(tgt.shape)}")
    # entries past each target's length are unused: make them blank
    padded[np.arange(width) >= tlen[:, None]] = blank
    if padded.size and (padded.min() < 0 or padded.max() >= c):
        raise RuntimeError(f"ctc_loss: target classes must be in [0, {c}), got values from "
                           f"{padded.min()} to {padded.max()}")
    loss = CTCLoss.apply(log_probs, (padded, ilen, tlen, int(blank), bool(zero_infinity)))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / _make(np.maximum(tlen, 1).astype(loss.dtype), None)).mean()
