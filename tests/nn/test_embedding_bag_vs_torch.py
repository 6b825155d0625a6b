"""embedding_bag / EmbeddingBag against PyTorch in float64: values and the gradients of the
weight and per_sample_weights for every mode and option (skipped when torch is missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(7)
INDICES = np.array([1, 2, 3, 2, 7, 2, 9, 0, 4, 4])
OFFSETS = np.array([0, 3, 3, 5, 9])  # includes an empty bag


def _compare(mode, padding_idx, include_last_offset, weighted, two_d, max_norm=None):
    w = RNG.standard_normal((10, 4))
    wa = autograd.tensor(w, requires_grad=True)
    wb = torch.tensor(w, requires_grad=True)
    idx = INDICES.reshape(2, 5) if two_d else INDICES
    offsets = None if two_d else (np.append(OFFSETS, 10) if include_last_offset else OFFSETS)
    psw = RNG.standard_normal(idx.shape) if weighted else None
    pa = None if psw is None else autograd.tensor(psw, requires_grad=True)
    pb = None if psw is None else torch.tensor(psw, requires_grad=True)
    kw = dict(mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset,
              max_norm=max_norm)
    ya = F.embedding_bag(autograd.tensor(idx), wa,
                         None if offsets is None else autograd.tensor(offsets),
                         per_sample_weights=pa, **kw)
    yb = TF.embedding_bag(torch.tensor(idx), wb, None if offsets is None else torch.tensor(offsets),
                          per_sample_weights=pb, **kw)
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wa.detach().numpy(), wb.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(wa.grad.numpy(), wb.grad.numpy(), rtol=1e-12, atol=1e-12)
    if weighted:
        np.testing.assert_allclose(pa.grad.numpy(), pb.grad.numpy(), rtol=1e-12, atol=1e-12)


# (include_last_offset, two_d): include_last_offset concerns offsets, so 1-D input only
LAYOUTS = [(False, False), (True, False), (False, True)]


@pytest.mark.parametrize("mode,padding_idx,layout", list(itertools.product(
    ["sum", "mean", "max"], [None, 2, -6], LAYOUTS)))
def test_embedding_bag_matches_torch(mode, padding_idx, layout):
    include_last_offset, two_d = layout
    _compare(mode, padding_idx, include_last_offset, False, two_d)


@pytest.mark.parametrize("padding_idx,layout", list(itertools.product([None, 4], LAYOUTS)))
def test_per_sample_weights_match_torch(padding_idx, layout):
    include_last_offset, two_d = layout
    _compare("sum", padding_idx, include_last_offset, True, two_d)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_max_norm_renormalises_like_torch(mode):
    _compare(mode, None, False, False, False, max_norm=1.0)


def test_layer_repr_init_and_from_pretrained_match_torch():
    for kwargs in ({}, {"mode": "max", "padding_idx": -1}, {"max_norm": 2.0, "norm_type": 1.0,
                                                             "mode": "sum"}):
        assert repr(nn.EmbeddingBag(5, 3, **kwargs)) == repr(torch.nn.EmbeddingBag(5, 3, **kwargs))
    w = RNG.standard_normal((6, 2))
    ours = nn.EmbeddingBag.from_pretrained(autograd.tensor(w), mode="sum", padding_idx=1)
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum", padding_idx=1)
    assert repr(ours) == repr(theirs)
    assert ours.weight.requires_grad == theirs.weight.requires_grad
    idx = np.array([[1, 2, 5], [0, 1, 1]])
    np.testing.assert_allclose(ours(autograd.tensor(idx)).detach().numpy(),
                               theirs(torch.tensor(idx)).detach().numpy(), rtol=1e-12)


def test_bad_input_raises_like_torch():
    w = torch.randn(10, 3)
    ours_w = autograd.randn(10, 3)
    cases = [
        (([1, 2, 3],), {}),                                          # 1-D without offsets
        (([[1, 2, 3]],), {"offsets": [0]}),                          # 2-D with offsets
        (([1, 2, 3],), {"offsets": [1]}),                            # offsets[0] != 0
        (([1, 2, 3],), {"offsets": [0, 5]}),                         # past the end
        (([1, 2, 3],), {"offsets": [0], "per_sample_weights": [1.0, 1.0, 1.0]}),  # mean
        (([1, 2, 3],), {"offsets": [0], "mode": "sum", "per_sample_weights": [1.0, 1.0]}),
        (([1, 2, 3],), {"offsets": [0], "mode": "median"}),
        (([1, 2, 13],), {"offsets": [0]}),
        (([1.0, 2.0],), {"offsets": [0]}),
    ]
    for (inp,), kwargs in cases:
        def conv(lib, value, key):
            if value is None or key in ("mode",):
                return value
            return lib.tensor(value)
        with pytest.raises(Exception) as theirs:
            TF.embedding_bag(torch.tensor(inp), w, **{k: conv(torch, v, k)
                                                      for k, v in kwargs.items()})
        with pytest.raises(theirs.type):
            F.embedding_bag(autograd.tensor(inp), ours_w, **{k: conv(autograd, v, k)
                                                             for k, v in kwargs.items()})
