"""Normalisation layers and dropout: NumPy references, running statistics over several steps,
fused single nodes, extreme inputs, dropout statistics and mask consistency."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck


def _np_layer_norm(x, axes, eps):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


# ---------------------------------------------------------------------- BatchNorm
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm_running_statistics_follow_numpy_over_several_steps(shape):
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3, momentum=0.3).double()
    bn.weight._data[...] = [1.0, 2.0, -1.0]
    bn.bias._data[...] = [0.0, 0.5, 1.0]
    rm, rv = np.zeros(3), np.ones(3)
    axes = (0,) + tuple(range(2, len(shape)))
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        y = bn(autograd.tensor(x)).detach().numpy()
        n = x.size // 3
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        cshape = (1, 3) + (1,) * (len(shape) - 2)
        expected = (x - mean.reshape(cshape)) / np.sqrt(var.reshape(cshape) + 1e-5) \
            * bn.weight._data.reshape(cshape) + bn.bias._data.reshape(cshape)
        np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)
        rm = 0.7 * rm + 0.3 * mean
        rv = 0.7 * rv + 0.3 * var * n / (n - 1)  # unbiased for the running estimate
        np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.numpy(), rv, rtol=1e-12)
    assert int(bn.num_batches_tracked.item()) == 4
    bn.eval()
    x = rng.standard_normal(shape)
    cshape = (1, 3) + (1,) * (len(shape) - 2)
    expected = (x - rm.reshape(cshape)) / np.sqrt(rv.reshape(cshape) + 1e-5) \
        * bn.weight._data.reshape(cshape) + bn.bias._data.reshape(cshape)
    np.testing.assert_allclose(bn(autograd.tensor(x)).detach().numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean.numpy(), rm)  # eval leaves them alone


def test_batchnorm_momentum_none_is_a_cumulative_average():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((5, 2)) + i for i in range(3)]
    for x in batches:
        bn(autograd.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(),
                               np.mean([x.mean(0) for x in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(),
                               np.mean([x.var(0, ddof=1) for x in batches], axis=0), rtol=1e-12)


def test_batchnorm_batch_of_one_in_training_raises_and_eval_accepts_it():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(autograd.randn(1, 3))
    bn.eval()
    assert bn(autograd.randn(1, 3)).shape == (1, 3)


def test_batchnorm_options_affine_and_untracked_stats():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    assert list(bn.parameters()) == [] and list(bn.state_dict()) == []
    bn.eval()  # no running stats: batch statistics even in eval
    x = np.random.default_rng(2).standard_normal((8, 2)).astype(np.float32)
    np.testing.assert_allclose(bn(autograd.tensor(x)).numpy(), _np_layer_norm(x, 0, 1e-5),
                               rtol=1e-4, atol=1e-5)


def test_batchnorm_rejects_wrong_rank_and_channels():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(autograd.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"3 channels.*\(4, 5\)"):
        nn.BatchNorm1d(3)(autograd.randn(4, 5))


def test_train_eval_switch_changes_batchnorm_and_dropout_behaviour():
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout(0.5))
    x = autograd.randn(16, 2) * 3 + 1
    model.eval()
    np.testing.assert_allclose(model(x).detach().numpy(), x.numpy() / np.sqrt(1 + 1e-5),
                               rtol=1e-6)
    model.train()
    y = model(x).detach().numpy()
    assert np.mean(y == 0) > 0.2  # dropout active, batch statistics used
    assert np.abs(model[0].running_mean.numpy()).max() > 0


# ---------------------------------------------------------------------- LayerNorm, RMSNorm
def test_layer_norm_matches_numpy_over_the_trailing_dims():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4))
    ln = nn.LayerNorm((3, 4), eps=1e-6).double()
    ln.weight._data[...] = rng.standard_normal((3, 4))
    ln.bias._data[...] = rng.standard_normal((3, 4))
    expected = _np_layer_norm(x, (1, 2), 1e-6) * ln.weight._data + ln.bias._data
    np.testing.assert_allclose(ln(autograd.tensor(x)).detach().numpy(), expected, rtol=1e-10)
    with pytest.raises(RuntimeError, match=r"\(\*, 3, 4\).*\(2, 4, 3\)"):
        ln(autograd.randn(2, 4, 3, dtype=autograd.float64))


def test_rms_norm_matches_numpy_and_defaults_eps_to_machine_epsilon():
    x = np.random.default_rng(4).standard_normal((3, 5)).astype(np.float32)
    y = nn.RMSNorm(5)(autograd.tensor(x)).detach().numpy()
    eps = np.finfo(np.float32).eps
    np.testing.assert_allclose(y, x / np.sqrt((x * x).mean(-1, keepdims=True) + eps), rtol=1e-5)


def test_group_norm_matches_numpy():
    x = np.random.default_rng(5).standard_normal((2, 4, 3))
    gn = nn.GroupNorm(2, 4).double()
    expected = _np_layer_norm(x.reshape(2, 2, 6), 2, 1e-5).reshape(2, 4, 3)
    np.testing.assert_allclose(gn(autograd.tensor(x)).detach().numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("layer", [nn.LayerNorm(4), nn.BatchNorm1d(4), nn.RMSNorm(4)],
                         ids=["LayerNorm", "BatchNorm1d", "RMSNorm"])
def test_fused_norm_is_one_node(layer):
    x = autograd.randn(3, 4, requires_grad=True)
    y = layer(x)
    assert y.grad_fn._next[0] is x  # straight from the input: no chain of primitives


@pytest.mark.parametrize("layer", [nn.LayerNorm(4), nn.BatchNorm1d(4), nn.RMSNorm(4)],
                         ids=["LayerNorm", "BatchNorm1d", "RMSNorm"])
@pytest.mark.parametrize("scale", [1e-6, 1e4])
def test_fused_norms_stay_finite_for_tiny_variance_and_huge_values(layer, scale):
    base = np.array([[1.0, 1.0 + 1e-3, 1.0 - 1e-3, 1.0]] * 3, np.float32) * scale
    x = autograd.tensor(base, requires_grad=True)
    y = layer(x)
    assert y.dtype == np.float32 and np.all(np.isfinite(y.detach().numpy()))
    (y * autograd.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    assert x.grad.dtype == np.float32 and np.all(np.isfinite(x.grad.numpy()))


def test_layer_norm_of_constant_rows_gives_zeros_and_finite_gradients():
    x = autograd.full((2, 5), 3.0, requires_grad=True)
    y = F.layer_norm(x, (5,))
    np.testing.assert_array_equal(y.detach().numpy(), 0.0)
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_fused_layer_norm_matches_the_composed_version_in_float64():
    rng = np.random.default_rng(6)
    x = autograd.tensor(rng.standard_normal((4, 6)) * 100 + 50, requires_grad=True,
                        dtype=autograd.float64)
    w = autograd.tensor(rng.standard_normal(6), requires_grad=True, dtype=autograd.float64)
    fused = F.layer_norm(x, (6,), w)
    mu = x.mean(-1, keepdim=True)
    composed = (x - mu) / ((x - mu).pow(2).mean(-1, keepdim=True) + 1e-5).sqrt() * w
    np.testing.assert_allclose(fused.detach().numpy(), composed.detach().numpy(), rtol=1e-10)
    g = autograd.tensor(rng.standard_normal((4, 6)))
    gf = autograd.grad(fused, (x, w), g)
    gc = autograd.grad(composed, (x, w), g)
    for a, b in zip(gf, gc):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------- Dropout
def test_dropout_drops_about_p_and_scales_survivors():
    x = autograd.ones(200, 100)
    y = nn.Dropout(0.3)(x).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 20000 draws: std of the mean ~0.003
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_gradient_is_the_same_mask():
    x = autograd.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.4, training=True)
    y.sum().backward()
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)
    values = np.unique(x.grad.numpy())
    assert len(values) == 2 and values[0] == 0 and np.isclose(values[1], 1 / 0.6)


def test_dropout_edge_cases_and_eval_identity():
    x = autograd.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.9, training=False) is x
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    y = F.dropout(x, 1.0)
    assert np.all(y.detach().numpy() == 0)
    y.sum().backward()
    assert np.all(x.grad.numpy() == 0)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_dropout_is_reproducible_under_manual_seed():
    x = autograd.ones(10, 10)
    autograd.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    autograd.manual_seed(7)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).numpy())


def test_dropout_gradcheck_with_a_fixed_generator():
    x = autograd.randn(3, 4, dtype=autograd.float64, requires_grad=True)

    def fn(t):
        return F.dropout(t, 0.5, generator=autograd.Generator().manual_seed(1))
    assert gradcheck(fn, (x,))


def test_alpha_dropout_keeps_mean_and_variance_of_selu_inputs():
    x = autograd.randn(400, 250)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    assert nn.AlphaDropout(0.2).eval()(x) is x
