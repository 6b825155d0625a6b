"""Lazy modules against PyTorch's: after the same seed, the same materialised weights, outputs,
state-dict keys and final class."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn as tnn  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402

CASES = [("LazyLinear(3)", (4, 5)), ("LazyConv2d(4, 3)", (2, 3, 8, 8)),
         ("LazyConv2d(4, 3, groups=2, bias=False)", (2, 6, 8, 8)), ("LazyConv1d(4, 3)", (3, 7)),
         ("LazyConvTranspose2d(4, 3, stride=2)", (2, 3, 5, 5)),
         ("LazyConvTranspose1d(4, 3, groups=2)", (2, 4, 5)), ("LazyBatchNorm1d()", (4, 5)),
         ("LazyBatchNorm2d(affine=False)", (2, 3, 4, 4)),
         ("LazyInstanceNorm1d(affine=True)", (2, 3, 7)), ("LazyInstanceNorm2d()", (2, 3, 4, 4))]


@pytest.mark.parametrize("layer, shape", CASES)
def test_lazy_layer_matches_torch(layer, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    autograd.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = eval("nn." + layer), eval("tnn." + layer)
    assert repr(ours) == repr(theirs)
    out, expected = ours(autograd.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-5)
    assert type(ours).__name__ == type(theirs).__name__ and repr(ours) == repr(theirs)
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_allclose(a[key].detach().numpy(), b[key].detach().numpy(), rtol=1e-6)
