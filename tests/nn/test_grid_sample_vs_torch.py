"""affine_grid and grid_sample compared with PyTorch in float64: values, gradients with respect
to theta, the input and the grid, every mode and padding mode, and the errors (skipped when
torch is not installed)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd.gradcheck import gradcheck, gradgradcheck  # noqa: E402

RNG = np.random.default_rng(3)


def _pair(a):
    return (autograd.tensor(a, dtype=autograd.float64, requires_grad=True),
            torch.tensor(a, dtype=torch.float64, requires_grad=True))


def _compare(ya, yb, pairs, grad_rtol=1e-9):
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in pairs:
        if a.grad is None:  # nearest mode: no gradient reaches the grid, PyTorch's are zeros
            np.testing.assert_array_equal(b.grad.numpy(), 0.0)
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=grad_rtol, atol=1e-10)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 1, 3)])
def test_affine_grid_matches_torch(size, align_corners):
    ta, tb = _pair(RNG.standard_normal((size[0], 2, 3)))
    unit = align_corners and min(size[2:]) == 1
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ya = F.affine_grid(ta, size, align_corners=align_corners)
        yb = TF.affine_grid(tb, size, align_corners=align_corners)
    messages = [str(w.message) for w in record]  # ours, then PyTorch's
    if unit:
        assert len(messages) == 2 and messages[0] == messages[1]
        assert "unit-size grids" in messages[0]
    else:
        assert messages == []
    _compare(ya, yb, [(ta, tb)])


def _grid(n, ho, wo, spread):
    """Random locations (continuous, so almost surely off the kinks at pixel centres)."""
    return RNG.uniform(-spread, spread, (n, ho, wo, 2))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    x = RNG.standard_normal((2, 3, 5, 6))
    grid = _grid(2, 4, 3, 1.6)  # some locations fall outside [-1, 1]
    xa, xb = _pair(x)
    ga, gb = _pair(grid)
    ya = F.grid_sample(xa, ga, mode=mode, padding_mode=padding_mode,
                       align_corners=align_corners)
    yb = TF.grid_sample(xb, gb, mode=mode, padding_mode=padding_mode,
                        align_corners=align_corners)
    _compare(ya, yb, [(xa, xb), (ga, gb)])


def test_spatial_transformer_chain_matches_torch():
    x = RNG.standard_normal((2, 1, 6, 6))
    theta = np.tile([[0.9, -0.2, 0.1], [0.15, 1.1, -0.05]], (2, 1, 1))
    theta = theta + 0.05 * RNG.standard_normal(theta.shape)
    xa, xb = _pair(x)
    ta, tb = _pair(theta)
    ya = F.grid_sample(xa, F.affine_grid(ta, (2, 1, 4, 4), align_corners=False),
                       align_corners=False)
    yb = TF.grid_sample(xb, TF.affine_grid(tb, (2, 1, 4, 4), align_corners=False),
                        align_corners=False)
    _compare(ya, yb, [(xa, xb), (ta, tb)])


def test_grid_sample_has_second_derivatives():
    x = autograd.tensor(RNG.standard_normal((1, 2, 3, 4)), requires_grad=True)
    grid = autograd.tensor(_grid(1, 2, 2, 0.9), requires_grad=True)
    fn = lambda x, g: F.grid_sample(x, g, align_corners=False)  # noqa: E731
    assert gradcheck(fn, (x, grid))
    assert gradgradcheck(fn, (x, grid))


def test_grid_sample_and_affine_grid_errors_match_torch():
    x, g = np.zeros((2, 3, 4, 5)), np.zeros((2, 4, 5, 2))
    cases = [
        ((x, g[:1]), {}, RuntimeError, "same batch size"),
        ((x, g), {"mode": "foo"}, ValueError, "expected mode"),
        ((x, g), {"padding_mode": "foo"}, ValueError, "expected padding_mode"),
        ((x[0], g), {}, RuntimeError, "same batch size"),
        ((x, g[..., :1]), {}, RuntimeError, "size 2 in last dimension"),
    ]
    for (inp, grid), kwargs, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            TF.grid_sample(torch.tensor(inp), torch.tensor(grid), align_corners=False, **kwargs)
        with pytest.raises(exc, match=msg):
            F.grid_sample(autograd.tensor(inp), autograd.tensor(grid), align_corners=False,
                          **kwargs)
    theta = np.zeros((2, 2, 3))
    for th, size, exc, msg in [(np.zeros((2, 3, 3)), (2, 3, 4, 5), ValueError, "Nx2x3"),
                               (theta, (2, 3, 4), NotImplementedError, "4D and 5D"),
                               (theta.astype(np.int32), (2, 3, 4, 5), ValueError, "floating")]:
        with pytest.raises(exc, match=msg):
            TF.affine_grid(torch.tensor(th), size, align_corners=False)
        with pytest.raises(exc, match=msg):
            F.affine_grid(autograd.tensor(th), size, align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        TF.affine_grid(torch.tensor(theta), (2, 3, 4, 5))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(autograd.tensor(theta), (2, 3, 4, 5))
