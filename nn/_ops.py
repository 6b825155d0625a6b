"""Ops private to nn: the embedding lookup and its scatter-add gradient.

NOTE: a fused lookup instead of `weight[indices]` because the padding row must get no gradient
while the forward still returns its values; as an op pair (gather / scatter-add, each the
other's gradient) double backward stays exact.
"""
import numpy as np

from autograd.function import Op

__all__ = ["embedding"]


class Embedding(Op):
    """out = weight[indices].   gweight = scatter-add of g into the looked-up rows (the
    padding_idx row gets no gradient).

    Shapes: weight: (num_embeddings, D)  indices: (*) integers  ->  (*, D)
    """

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.num, ctx.padding_idx = weight.shape[0], padding_idx
        ctx.save_for_backward(indices)
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        idx, = ctx.saved_tensors
        if isinstance(g, np.ndarray):
            return _scatter_rows(g, idx, ctx.num, ctx.padding_idx), None, None
        return EmbeddingScatter.apply(g, idx._data, ctx.num, ctx.padding_idx), None, None


class EmbeddingScatter(Op):
    """out[r] = sum of g[k] over positions k with indices[k] == r (0 for the padding row).
    gg = out_grad[indices], zero where indices == padding_idx.

    Shapes: g: (*, D)  indices: (*)  ->  (num_embeddings, D)
    """

    @staticmethod
    def forward(ctx, g, indices, num, padding_idx):
        ctx.padding_idx = padding_idx
        ctx.save_for_backward(indices)
        return _scatter_rows(g, indices, num, padding_idx)

    @staticmethod
    def backward(ctx, gg):
        idx, = ctx.saved_tensors
        idx = idx if isinstance(idx, np.ndarray) else idx._data
        if isinstance(gg, np.ndarray):
            out = gg[idx]
            if ctx.padding_idx is not None:
                out = out * (idx != ctx.padding_idx)[..., None]
            return out, None, None, None
        out = Embedding.apply(gg, idx, None)
        if ctx.padding_idx is not None:
            out = out * (idx != ctx.padding_idx)[..., None].astype(out.dtype)
        return out, None, None, None


def _scatter_rows(g, idx, num, padding_idx):
    flat_idx = idx.reshape(-1)
    flat_g = g.reshape((flat_idx.size,) + g.shape[idx.ndim:])
    out = np.zeros((num,) + g.shape[idx.ndim:], g.dtype)
    np.add.at(out, flat_idx, flat_g)
    if padding_idx is not None:
        out[padding_idx] = 0
    return out


def embedding(weight, indices, padding_idx=None):
    return Embedding.apply(weight, indices, padding_idx)
