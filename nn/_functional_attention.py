"""Attention in `nn.functional`: `scaled_dot_product_attention` and
`multi_head_attention_forward`, composed from differentiable ops (matmul, softmax, where,
linear), so their gradients and double backward come from those ops.

Mask conventions follow PyTorch, and they differ between the two functions:
- scaled_dot_product_attention: a bool `attn_mask` is True where a query MAY attend;
- multi_head_attention_forward: a bool `attn_mask` / `key_padding_mask` is True where a query
  may NOT attend (the position is masked out).
Float masks are added to the attention scores in both.
"""
import math
import warnings

import numpy as np

import autograd
from autograd.ops import nn as _nnops
from autograd.tensor import Tensor, _make

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) or x is None else autograd.as_tensor(x)


# ---------------------------------------------------------------------- scaled dot product
def _check_qkv(query, key, value):
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key and value to be "
                           f"at least 2-D, got shapes {tuple(query.shape)}, {tuple(key.shape)} "
                           f"and {tuple(value.shape)}")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"scaled_dot_product_attention: expected query, key and value to have "
                           f"the same dtype, got {query.dtype}, {key.dtype} and {value.dtype}")
    if query.dtype.kind != "f":
        raise RuntimeError(f"scaled_dot_product_attention: expected floating point inputs, got "
                           f"dtype {query.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query (..., L, E) and key (..., S, E) "
                           f"must share E, got shapes {tuple(query.shape)} and "
                           f"{tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key (..., S, E) and value "
                           f"(..., S, Ev) must share S, got shapes {tuple(key.shape)} and "
                           f"{tuple(value.shape)}")


def _repeat_heads(query, kv, name):
    """`kv` with each of its heads (dim -3) repeated to match the query's head count."""
    if query.ndim < 3 or kv.ndim < 3:
        raise IndexError(f"scaled_dot_product_attention(enable_gqa=True): query and {name} need "
                         f"a heads dimension (-3), got shapes {tuple(query.shape)} and "
                         f"{tuple(kv.shape)}")
    hq, hkv = query.shape[-3], kv.shape[-3]
    if hkv == 0 or hq % hkv:
        raise RuntimeError(f"scaled_dot_product_attention: number of heads in {name} ({hkv}) "
                           f"must divide the number of heads in query ({hq})")
    return kv if hq == hkv else kv.repeat_interleave(hq // hkv, dim=-3)


def _sdpa_bias(attn_mask, is_causal, L, S, dtype):
    """The additive bias of the scores: a constant (bool or causal mask) or the float mask
    itself (a Tensor, so a float mask that requires grad gets one)."""
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be "
                               "set when is_causal=True")
        allowed = np.tril(np.ones((L, S), bool))
        return _make(np.where(allowed, 0.0, -np.inf).astype(dtype), None)
    if attn_mask is None:
        return None
    mask = _as_tensor(attn_mask)
    if mask.ndim < 2:
        raise IndexError(f"scaled_dot_product_attention: attn_mask must be at least 2-D "
                         f"(..., L, S), got shape {tuple(mask.shape)}")
    if mask.dtype == np.bool_:
        return _make(np.where(mask._data, 0.0, -np.inf).astype(dtype), None)
    if mask.dtype != dtype and mask.dtype != np.float32:
        raise RuntimeError(f"scaled_dot_product_attention: expected attn_mask dtype to be bool, "
                           f"float32 or the query's dtype ({dtype}), got {mask.dtype}")
    return mask if mask.dtype == dtype else mask.to(dtype)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + bias) @ value, with scale = 1 / sqrt(E) by default.

    `attn_mask` is a bool mask (True = the query may attend to that key) or a float mask added
    to the scores; it broadcasts to (N..., L, S). `is_causal` lets query i attend to keys
    j <= i (top-left aligned when L != S) and excludes `attn_mask`. A query whose keys are all
    masked out gets zeros (and zero gradients), as PyTorch. `dropout_p` drops attention weights
    (always, like PyTorch: pass 0.0 when not training). `enable_gqa` repeats each key/value head
    (dim -3) to match the query's heads (grouped-query attention).

    Shapes: query: (N..., L, E)  key: (N..., S, E)  value: (N..., S, Ev)  ->  (N..., L, Ev)

    Example:
        >>> q, k = autograd.randn(2, 4, 5, 8), autograd.randn(2, 4, 7, 8)
        >>> v = autograd.randn(2, 4, 7, 3)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        (2, 4, 5, 3)
    """
    _check_qkv(query, key, value)
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa:
        key, value = _repeat_heads(query, key, "key"), _repeat_heads(query, value, "value")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = autograd.matmul(query * scale, key.transpose(-2, -1))
    bias = _sdpa_bias(attn_mask, is_causal, L, S, query.dtype)
    if bias is not None:
        full = tuple(scores.shape)
        try:
            ok = np.broadcast_shapes(tuple(bias.shape), full) == full
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape "
                               f"{tuple(bias.shape)} does not broadcast to the scores' shape "
                               f"{full} (N..., L, S)")
        scores = scores + bias
    if S == 0:  # nothing to attend to: the product with the empty value is zeros
        return autograd.matmul(scores, value)
    # NOTE: PyTorch's "safe softmax": a row whose scores are all -inf gives zeros, not nan.
    dead = np.isneginf(scores._data).all(-1, keepdims=True) if bias is not None else None
    if dead is not None and dead.any():
        attn = autograd.where(dead, 0.0, _nnops.softmax(autograd.where(dead, 0.0, scores), -1))
    else:
        attn = _nnops.softmax(scores, -1)
    if dropout_p > 0.0:
        from .functional import dropout
        attn = dropout(attn, dropout_p)
    return autograd.matmul(attn, value)


# ---------------------------------------------------------------------- multi-head attention
def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) as a float mask with -inf there; float masks pass."""
    if mask is None:
        return None
    mask = _as_tensor(mask)
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported, got "
                             f"{mask.dtype}")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      f"same type for both instead.", stacklevel=3)
    if mask.dtype == np.bool_:
        return _make(np.where(mask._data, -np.inf, 0.0).astype(target_type), None)
    return mask if mask.dtype == target_type else mask.to(target_type)


def _dtype_or_none(mask):
    return None if mask is None else _as_tensor(mask).dtype


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; AssertionError (as PyTorch) for inconsistent ranks."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.ndim}-D tensor "
                                 f"instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be "
                                 f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                 f"instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 f"respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 1-D but found {key_padding_mask.ndim}-D tensor "
                                 f"instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                     f"instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _in_projection(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v):
    """q, k, v = query @ w_q^T + b_q, key @ w_k^T + b_k, value @ w_v^T + b_v."""
    return (autograd.linear(query, w_q, b_q), autograd.linear(key, w_k, b_k),
            autograd.linear(value, w_v, b_v))


def _pad_last(mask):
    return None if mask is None else autograd.pad(mask, (0, 1))


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention (Vaswani et al., 2017) as `torch.nn.functional`'s.

    Projects query, key and value (packed `in_proj_weight` (3E, E) or separate
    `q/k/v_proj_weight`), splits E into `num_heads` heads of E / num_heads, attends per head
    (scores scaled by 1 / sqrt(head_dim)), concatenates the heads and applies the output
    projection. Bool masks are True where attention is NOT allowed; float masks are added.
    With `need_weights` the attention weights are returned (averaged over heads when
    `average_attn_weights`), computed with a plain softmax: a fully masked query gives nan, as
    PyTorch; without, `scaled_dot_product_attention` runs and such a query gives zeros.

    Shapes: query: (L, N, E) or (L, E)  key: (S, N, Ek)  value: (S, N, Ev)
        key_padding_mask: (N, S) or (S,)  attn_mask: (L, S) or (N * num_heads, L, S)
        ->  (L, N, E), weights (N, L, S) or (N, num_heads, L, S) (no N when unbatched)
    """
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k / static_v are not "
                                  "supported")
    key_padding_mask, attn_mask = _as_tensor(key_padding_mask), _as_tensor(attn_mask)
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _dtype_or_none(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint is trusted: scaled_dot_product_attention builds the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 b_q, b_k, b_v)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                                 f"{tuple(value.shape)}")
        if query is key and key is value:  # self-attention: one product with the packed weight
            q, k, v = autograd.linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
            q, k, v = _in_projection(query, key, value, w_q, w_k, w_v, b_q, b_k, b_v)

    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but "
                               f"should be {(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        k = autograd.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = autograd.cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must be given together")

    # (len, N, E) -> (N * heads, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        zeros = autograd.zeros(bsz * num_heads, 1, head_dim, dtype=q.dtype)
        k, v = autograd.cat([k, zeros], 1), autograd.cat([v, zeros], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expected key_padding_mask of shape {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = autograd.matmul(q * math.sqrt(1.0 / head_dim), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        with np.errstate(invalid="ignore"):  # fully masked rows: nan, as PyTorch
            weights = _nnops.softmax(scores, -1)
        if dropout_p > 0.0:
            from .functional import dropout
            weights = dropout(weights, dropout_p)
        out = autograd.matmul(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = autograd.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1
                     else attn_mask.reshape(bsz, num_heads, -1, src_len))
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = autograd.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    return (out if is_batched else out.squeeze(1)), None
