"""Layers and activations: values against NumPy references, gradients against finite
differences (float64, inputs and parameters), numerics at extreme inputs, bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import nn
import nn.functional as F
from _nn_helpers import away_from_zero, check_module_grads, randn

SQRT2 = math.sqrt(2.0)
_erf = np.vectorize(math.erf)


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


# name, module factory, NumPy reference of the forward (or None: gradient check only)
ACTIVATIONS = [
    ("ReLU", nn.ReLU, lambda x: np.maximum(x, 0)),
    ("ReLU6", nn.ReLU6, lambda x: np.clip(x, 0, 6)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    ("ELU", lambda: nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    ("SELU", nn.SELU, lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(x))),
    ("CELU", lambda: nn.CELU(0.5), lambda x: np.maximum(x, 0) + np.minimum(
        0, 0.5 * np.expm1(x / 0.5))),
    ("GELU", nn.GELU, lambda x: 0.5 * x * (1 + _erf(x / SQRT2))),
    ("GELU-tanh", lambda: nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("SiLU", nn.SiLU, lambda x: x / (1 + np.exp(-x))),
    ("Mish", nn.Mish, lambda x: x * np.tanh(np.logaddexp(0, x))),
    ("Softplus", lambda: nn.Softplus(2.0, 3.0), lambda x: _softplus(x, 2.0, 3.0)),
    ("Softsign", nn.Softsign, lambda x: x / (1 + np.abs(x))),
    ("Sigmoid", nn.Sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("Tanh", nn.Tanh, np.tanh),
    ("Hardtanh", lambda: nn.Hardtanh(-0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5)),
    ("Hardsigmoid", nn.Hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("Hardswish", nn.Hardswish, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    ("LogSigmoid", nn.LogSigmoid, lambda x: -np.logaddexp(0, -x)),
    ("Tanhshrink", nn.Tanhshrink, lambda x: x - np.tanh(x)),
    ("Softshrink", lambda: nn.Softshrink(0.3), lambda x: np.where(
        x > 0.3, x - 0.3, np.where(x < -0.3, x + 0.3, 0))),
    ("Hardshrink", lambda: nn.Hardshrink(0.3), lambda x: np.where(np.abs(x) > 0.3, x, 0)),
    ("Threshold", lambda: nn.Threshold(0.1, -2.0), lambda x: np.where(x > 0.1, x, -2.0)),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=1),
     lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    ("Softmin", lambda: nn.Softmin(dim=1),
     lambda x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True)),
    ("GLU", lambda: nn.GLU(dim=1), lambda x: x[:, :2] / (1 + np.exp(-x[:, 2:]))),
    ("PReLU", lambda: nn.PReLU(4, init=0.2),  # the slope is stored in float32
     lambda x: np.where(x > 0, x, float(np.float32(0.2)) * x)),
]


@pytest.mark.parametrize("name,make,ref", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_numpy_and_finite_differences(name, make, ref):
    # values stay 0.2 away from the kinks (0, thresholds at 0.1 / 0.3, +-3 of hardsigmoid)
    x = away_from_zero(3, 4, low=0.45)
    module = make().double()
    np.testing.assert_allclose(module(x).detach().numpy(), ref(x.detach().numpy()),
                               rtol=1e-10, atol=1e-12)
    check_module_grads(module, x)


@pytest.mark.parametrize("name,make,ref", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_is_finite_and_keeps_float32_at_extreme_inputs(name, make, ref):
    x = autograd.tensor([[-1e4, -1e3, 1e3, 1e4], [-80.0, -1e-30, 1e-30, 80.0]],
                        requires_grad=True)
    y = make()(x)
    assert y.dtype == np.float32
    assert np.all(np.isfinite(y.detach().numpy()))
    y.sum().backward()
    assert x.grad.dtype == np.float32 and np.all(np.isfinite(x.grad.numpy()))


@given(st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=6))
def test_gelu_and_silu_match_reference_on_random_values(values):
    x = autograd.tensor(np.array(values), dtype=autograd.float64)
    np.testing.assert_allclose(F.gelu(x).numpy(), 0.5 * x.numpy() * (1 + _erf(x.numpy() / SQRT2)),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(F.silu(x).numpy(), x.numpy() / (1 + np.exp(-x.numpy())),
                               rtol=1e-9, atol=1e-12)


def test_prelu_learns_one_slope_per_channel():
    m = nn.PReLU(3).double()
    x = away_from_zero(2, 3, 2)
    check_module_grads(m, x)
    x = autograd.tensor(-np.ones((2, 3, 2)))
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), [-4.0, -4.0, -4.0])


def test_softmax_without_dim_warns_and_picks_pytorch_default():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = nn.Softmax()(autograd.randn(2, 3))
    np.testing.assert_allclose(y.numpy().sum(1), 1.0, rtol=1e-6)


# ---------------------------------------------------------------------- Linear and friends
def test_linear_layout_default_init_bounds_and_value():
    autograd.manual_seed(0)
    lin = nn.Linear(50, 20)
    assert lin.weight.shape == (20, 50) and lin.bias.shape == (20,)
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in))
    assert np.abs(lin.weight.numpy(force=True)).max() <= bound
    assert np.abs(lin.weight.numpy(force=True)).max() > 0.9 * bound
    assert np.abs(lin.bias.numpy(force=True)).max() <= bound
    x = np.random.default_rng(0).standard_normal((4, 50)).astype(np.float32)
    expected = x @ lin.weight._data.T + lin.bias._data
    np.testing.assert_allclose(lin(autograd.tensor(x)).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-6)


def test_linear_init_is_reproducible_under_manual_seed():
    autograd.manual_seed(3)
    a = nn.Linear(4, 4).weight.numpy(force=True).copy()
    autograd.manual_seed(3)
    b = nn.Linear(4, 4).weight.numpy(force=True)
    np.testing.assert_array_equal(a, b)


def test_linear_wrong_in_features_names_layer_and_shapes():
    lin = nn.Linear(784, 256)
    with pytest.raises(RuntimeError) as err:
        lin(autograd.randn(32, 100))
    msg = str(err.value)
    assert "Linear(in_features=784, out_features=256, bias=True)" in msg
    assert "(*, 784)" in msg and "(32, 100)" in msg


LAYERS = [
    ("Linear", lambda: nn.Linear(3, 2), [(4, 3)]),
    ("Linear-nobias", lambda: nn.Linear(3, 2, bias=False), [(2, 5, 3)]),
    ("Bilinear", lambda: nn.Bilinear(2, 3, 2), [(4, 2), (4, 3)]),
    ("Identity", nn.Identity, [(2, 3)]),
    ("Flatten", nn.Flatten, [(2, 3, 2)]),
    ("Unflatten", lambda: nn.Unflatten(1, (2, 3)), [(2, 6)]),
    ("LayerNorm", lambda: nn.LayerNorm((2, 3)), [(2, 2, 3)]),
    ("LayerNorm-nobias", lambda: nn.LayerNorm(3, bias=False), [(4, 3)]),
    ("RMSNorm", lambda: nn.RMSNorm(3, eps=1e-6), [(4, 3)]),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4), [(2, 4, 3)]),
    ("BatchNorm1d-train", lambda: nn.BatchNorm1d(3), [(5, 3)]),
    ("BatchNorm1d-NCL", lambda: nn.BatchNorm1d(3), [(4, 3, 2)]),
    ("BatchNorm2d-train", lambda: nn.BatchNorm2d(2), [(2, 2, 2, 2)]),
    ("BatchNorm1d-eval", lambda: _moved_bn().eval(), [(5, 3)]),
    ("MLP", lambda: nn.MLP(3, [4, 4], 2, activation=nn.Tanh, norm="layer"), [(5, 3)]),
    ("MLP-batch", lambda: nn.MLP(3, [4], 2, activation="gelu", norm="batch"), [(5, 3)]),
    ("SwiGLU", lambda: nn.SwiGLU(3, 4, 2, bias=True), [(2, 3)]),
]


def _moved_bn():
    bn = nn.BatchNorm1d(3)
    bn.running_mean._data[...] = [0.5, -1.0, 2.0]
    bn.running_var._data[...] = [0.5, 2.0, 1.5]
    bn.weight._data[...] = [1.5, -0.5, 2.0]
    bn.bias._data[...] = [0.1, 0.2, 0.3]
    return bn


@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[a[0] for a in LAYERS])
def test_layer_gradients_match_finite_differences(name, make, shapes):
    autograd.manual_seed(0)
    module = make()
    rng = np.random.default_rng(2)
    inputs = [randn(*s, rng=rng) for s in shapes]
    check_module_grads(module, *inputs)


@pytest.mark.parametrize("name", ["LayerNorm", "RMSNorm", "BatchNorm1d-train", "GroupNorm",
                                  "BatchNorm1d-eval"])
def test_fused_norm_layers_have_exact_second_derivatives(name):
    make, shapes = {n: (m, s) for n, m, s in LAYERS}[name]
    rng = np.random.default_rng(3)
    check_module_grads(make(), *[randn(*s, rng=rng) for s in shapes], second_order=True)


def test_embedding_accumulates_repeated_indices_and_skips_padding_row():
    emb = nn.Embedding(5, 2, padding_idx=1)
    assert np.all(emb.weight._data[1] == 0)
    idx = autograd.tensor([[0, 1, 3], [3, 3, 1]])
    out = emb(idx)
    assert out.shape == (2, 3, 2)
    np.testing.assert_array_equal(out.detach().numpy(), emb.weight._data[idx.numpy()])
    g = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    out.backward(autograd.tensor(g))
    expected = np.zeros((5, 2), np.float32)
    np.add.at(expected, idx.numpy(), g)
    expected[1] = 0
    np.testing.assert_array_equal(emb.weight.grad.numpy(), expected)


def test_embedding_gradient_matches_finite_differences_off_the_padding_row():
    from autograd.gradcheck import gradcheck, gradgradcheck
    idx = autograd.tensor([[0, 2, 2], [4, 1, 0]])
    w = randn(5, 3)
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))


def test_embedding_rejects_out_of_range_index():
    with pytest.raises(IndexError, match="index 7 is out of range.*5 rows"):
        nn.Embedding(5, 2)(autograd.tensor([1, 7]))


def test_embedding_from_pretrained_and_max_norm():
    table = autograd.tensor([[3.0, 4.0], [0.3, 0.4]])
    emb = nn.Embedding.from_pretrained(table, max_norm=1.0)
    assert not emb.weight.requires_grad
    out = emb(autograd.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(out.numpy(), axis=1), [1.0, 0.5], rtol=1e-5)


def test_flatten_unflatten_shapes():
    x = autograd.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(2, (2, 2))(x).shape == (2, 3, 2, 2)


def test_mlp_builds_the_expected_layers_and_keys():
    m = nn.MLP(4, [8, 6], 3, activation=nn.GELU, norm="batch", dropout=0.1)
    assert [type(l).__name__ for l in m] == ["Linear", "BatchNorm1d", "GELU", "Dropout",
                                            "Linear", "BatchNorm1d", "GELU", "Dropout", "Linear"]
    assert "1.running_mean" in m.state_dict()
    assert m(autograd.randn(5, 4)).shape == (5, 3)
    assert [type(l).__name__ for l in nn.MLP(2, [], 1)] == ["Linear"]
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP(2, [3], 1, activation="nope")
    with pytest.raises(ValueError, match="norm"):
        nn.MLP(2, [3], 1, norm="group")


def test_swiglu_matches_its_formula():
    ffn = nn.SwiGLU(3, 5)
    x = autograd.randn(2, 3)
    W, V, W2 = (ffn.gate_proj.weight._data, ffn.up_proj.weight._data,
                ffn.down_proj.weight._data)
    a = x.numpy() @ W.T
    expected = ((a / (1 + np.exp(-a))) * (x.numpy() @ V.T)) @ W2.T
    np.testing.assert_allclose(ffn(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    assert ffn(x).shape == (2, 3)


# ---------------------------------------------------------------------- functional helpers
def test_normalize_cosine_similarity_pairwise_distance_match_numpy():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    ta, tb = randn(3, 4, rng=np.random.default_rng(4)), autograd.tensor(b)
    np.testing.assert_allclose(F.normalize(ta, dim=1).detach().numpy(),
                               a / np.linalg.norm(a, axis=1, keepdims=True), rtol=1e-12)
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(F.cosine_similarity(ta, tb).detach().numpy(), cos, rtol=1e-12)
    np.testing.assert_allclose(F.pairwise_distance(ta, tb).detach().numpy(),
                               np.linalg.norm(a - b + 1e-6, axis=1), rtol=1e-12)
    zero = autograd.zeros(2, 3, dtype=autograd.float64, requires_grad=True)
    F.normalize(zero).sum().backward()
    assert np.all(np.isfinite(zero.grad.numpy()))
    from autograd.gradcheck import gradcheck
    assert gradcheck(lambda u: F.cosine_similarity(u, tb.double()), (ta,))


def test_one_hot_and_pad():
    oh = F.one_hot(autograd.tensor([0, 2, 1]), 4)
    assert oh.dtype == np.int64
    np.testing.assert_array_equal(oh.numpy(), np.eye(4, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(autograd.tensor([3])).shape == (1, 4)
    with pytest.raises(RuntimeError, match="class value 5"):
        F.one_hot(autograd.tensor([5]), 3)
    padded = F.pad(autograd.ones(2, 2), (1, 0, 0, 2), value=7.0)
    np.testing.assert_array_equal(padded.numpy(), np.pad(np.ones((2, 2)), ((0, 2), (1, 0)),
                                                         constant_values=7.0))
