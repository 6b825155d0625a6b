"""nn.init: the variance each scheme promises, in place, seeded, without recording."""
import math

import numpy as np
import pytest

import autograd
import nn
from nn import init


def _empty(*shape):
    return nn.Parameter(autograd.empty(*shape))


def test_init_functions_fill_in_place_return_the_tensor_and_keep_dtype():
    p = _empty(64, 32)
    assert init.kaiming_uniform_(p) is p
    assert p.dtype == np.float32 and p.grad_fn is None and p.requires_grad
    for fn in (init.zeros_, init.ones_):
        fn(p)
    assert np.all(p._data == 1)
    init.constant_(p, 0.25)
    assert np.all(p._data == 0.25)


@pytest.mark.parametrize("fn,expected_std", [
    (lambda t: init.normal_(t, 0.5, 2.0), 2.0),
    (lambda t: init.uniform_(t, -3.0, 3.0), 3.0 / math.sqrt(3)),
    (lambda t: init.xavier_uniform_(t), math.sqrt(2.0 / (200 + 300))),
    (lambda t: init.xavier_normal_(t, gain=2.0), 2.0 * math.sqrt(2.0 / (200 + 300))),
    (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2.0 / 300)),
    (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
     math.sqrt(2.0 / 200)),
    (lambda t: init.kaiming_normal_(t, a=0.2), math.sqrt(2.0 / (1 + 0.04)) / math.sqrt(300)),
])
def test_scheme_standard_deviation(fn, expected_std):
    t = _empty(200, 300)  # fan_in 300, fan_out 200; 60000 draws: std within ~0.6 %
    fn(t)
    assert abs(t._data.std() / expected_std - 1) < 0.02


def test_calculate_gain_table():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fan_needs_two_dims():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(_empty(5))


def test_trunc_normal_respects_bounds_and_shape_of_distribution():
    t = _empty(100, 100)
    init.trunc_normal_(t, mean=0.0, std=1.0, a=-2.0, b=2.0)
    assert t._data.min() >= -2.0 and t._data.max() <= 2.0
    # the variance of N(0, 1) truncated to [-2, 2] is 0.7737
    assert abs(t._data.var() - 0.7737) < 0.02
    init.trunc_normal_(t, mean=5.0, std=0.1, a=4.95, b=5.3)
    assert t._data.min() >= 4.95 and t._data.max() <= 5.3


def test_orthogonal_gives_orthonormal_rows_or_columns():
    for shape in [(4, 6), (6, 4), (3, 2, 2)]:
        t = _empty(*shape)
        init.orthogonal_(t, gain=2.0)
        flat = t._data.reshape(shape[0], -1).astype(np.float64)
        gram = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)


def test_eye_and_dirac():
    t = _empty(2, 3)
    init.eye_(t)
    np.testing.assert_array_equal(t._data, np.eye(2, 3))
    w = _empty(2, 2, 3)
    init.dirac_(w)
    assert w._data[0, 0, 1] == 1 and w._data[1, 1, 1] == 1 and w._data.sum() == 2


def test_sparse_zeroes_a_fraction_of_each_column():
    t = _empty(10, 4)
    init.sparse_(t, 0.3)
    assert np.all((t._data == 0).sum(0) >= 3)


def test_init_is_reproducible_with_manual_seed_and_generator():
    a, b = _empty(5, 5), _empty(5, 5)
    autograd.manual_seed(11)
    init.kaiming_normal_(a)
    autograd.manual_seed(11)
    init.kaiming_normal_(b)
    np.testing.assert_array_equal(a._data, b._data)
    g1, g2 = autograd.Generator().manual_seed(3), autograd.Generator().manual_seed(3)
    init.uniform_(a, generator=g1)
    init.uniform_(b, generator=g2)
    np.testing.assert_array_equal(a._data, b._data)


def _activation_variances(init_fn, depth=20, width=256, batch=512):
    """Second moment of each hidden ReLU activation of a deep MLP at initialisation, relative
    to the input's (what He et al. show the fan-in gain sqrt(2) preserves)."""
    autograd.manual_seed(0)
    x = autograd.randn(batch, width)
    in_moment = float((x.numpy() ** 2).mean())
    ratios = []
    with autograd.no_grad():
        h = x
        for _ in range(depth):
            layer = nn.Linear(width, width, bias=False)
            init_fn(layer.weight)
            h = autograd.relu(layer(h))
            ratios.append(float((h.numpy().astype(np.float64) ** 2).mean()) / in_moment)
    return ratios


def test_he_init_keeps_a_20_layer_relu_mlp_within_a_factor_two_while_naive_init_explodes():
    he = _activation_variances(lambda w: init.kaiming_normal_(w, nonlinearity="relu"))
    assert all(0.5 < v < 2.0 for v in he), he
    naive = _activation_variances(lambda w: init.normal_(w, 0.0, 1.0))
    assert naive[-1] > 1e30  # each layer multiplies the second moment by ~width / 2
    small = _activation_variances(lambda w: init.normal_(w, 0.0, 0.01))
    assert small[-1] < 1e-30  # ... or, too small, it vanishes


def test_linear_default_init_matches_pytorch_formula():
    lin = nn.Linear(300, 200)
    # kaiming_uniform_(a=sqrt(5)): bound = sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in)
    assert abs(lin.weight._data.std() / (1 / math.sqrt(300) / math.sqrt(3)) - 1) < 0.02
    assert np.abs(lin.bias._data).max() <= 1 / math.sqrt(300)
