"""Random module stacks: MLPs with random widths, activations, normalisation layers (LayerNorm,
RMSNorm, BatchNorm1d in training and in eval mode) and dropout (in eval mode).

For each stack: the forward pass equals a NumPy re-implementation (float64); gradients with
respect to the input and every parameter pass gradcheck in float64 (a subset also
gradgradcheck); float32 stays within a tolerance of float64; dropout in eval mode is the
identity (the same stack without its Dropout layers gives bit-identical results); two runs agree
bitwise. Pre-activations are kept clear of each activation's kinks by construction: after each
layer is built, the bias of the affine layer feeding an activation is shifted per feature so
that no value of the batch lies within GAP of a kink.
"""
import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as A
import nn
from autograd.gradcheck import gradcheck, gradgradcheck

from programs import free_offset

GAP = 0.05
_ERF = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


# name -> (module factory, NumPy reference (None: computed from the module), kinks)
ACTIVATIONS = {
    "Tanh": (nn.Tanh, np.tanh, ()),
    "Sigmoid": (nn.Sigmoid, _sig, ()),
    "GELU": (nn.GELU, None, ()),
    "GELU_tanh": (lambda: nn.GELU("tanh"), None, ()),
    "SiLU": (nn.SiLU, lambda x: x * _sig(x), ()),
    "Softplus": (nn.Softplus, lambda x: np.logaddexp(0, x), ()),
    "Mish": (nn.Mish, lambda x: x * np.tanh(np.logaddexp(0, x)), ()),
    "LogSigmoid": (nn.LogSigmoid, lambda x: -np.logaddexp(0, -x), ()),
    "Identity": (nn.Identity, lambda x: x, ()),
    "ReLU": (nn.ReLU, lambda x: np.maximum(x, 0), (0.0,)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), None, (0.0,)),
    "ELU": (nn.ELU, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), (0.0,)),
    "SELU": (nn.SELU, lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))), (0.0,)),
    "CELU": (lambda: nn.CELU(0.7), None, (0.0,)),
    "Hardtanh": (nn.Hardtanh, lambda x: np.clip(x, -1, 1), (-1.0, 1.0)),
    "ReLU6": (nn.ReLU6, lambda x: np.clip(x, 0, 6), (0.0, 6.0)),
    "Hardswish": (nn.Hardswish, lambda x: x * np.clip(x / 6 + 0.5, 0, 1), (-3.0, 3.0)),
    "Softsign": (nn.Softsign, lambda x: x / (1 + np.abs(x)), (0.0,)),
    "PReLU": (nn.PReLU, None, (0.0,)),
}
_BY_CLASS = {type(f()): (name, ref, kinks) for name, (f, ref, kinks) in ACTIVATIONS.items()
             if name != "GELU_tanh"}
_SMOOTH = sorted(n for n, v in ACTIVATIONS.items() if not v[2])


def activation_ref(m):
    """(NumPy reference, kinks) of activation module m."""
    if isinstance(m, nn.GELU):
        if m.approximate == "tanh":
            return (lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                                      (x + 0.044715 * x ** 3)))), ()
        return (lambda x: 0.5 * x * (1 + _ERF(x / math.sqrt(2)))), ()
    if isinstance(m, nn.LeakyReLU):
        return (lambda x: np.where(x > 0, x, m.negative_slope * x)), (0.0,)
    if isinstance(m, nn.CELU):
        return (lambda x: np.where(x > 0, x, m.alpha * np.expm1(np.minimum(x, 0) / m.alpha))), \
            (0.0,)
    if isinstance(m, nn.PReLU):
        return (lambda x: np.where(x > 0, x, m.weight.detach().numpy() * x)), (0.0,)
    _, ref, kinks = _BY_CLASS[type(m)]
    return ref, kinks


@st.composite
def mlp_specs(draw):
    """(in_features, batch, hidden layers [(width, norm, activation, dropout p)], out, mode)."""
    n_in = draw(st.integers(1, 4))
    batch = draw(st.integers(2, 4))
    layers = []
    for _ in range(draw(st.integers(0, 3))):
        width = draw(st.integers(1, 4))
        norm = draw(st.sampled_from([None, None, "layer", "rms", "batch"]))
        # RMSNorm has no bias to shift, so it only feeds activations without kinks
        act = draw(st.sampled_from(_SMOOTH if norm == "rms" else sorted(ACTIVATIONS)))
        layers.append((width, norm, act, draw(st.sampled_from([0.0, 0.0, 0.3, 0.9]))))
    n_out = draw(st.integers(1, 3))
    train_bn = draw(st.booleans())
    seed = draw(st.integers(0, 2 ** 16))
    values = draw(st.lists(st.floats(-2, 2, allow_subnormal=False), min_size=batch * n_in,
                           max_size=batch * n_in))
    offsets = draw(st.lists(st.floats(0, 1, exclude_max=True), min_size=8, max_size=8))
    return dict(n_in=n_in, batch=batch, layers=layers, n_out=n_out, train_bn=train_bn,
                seed=seed, x=np.array(values).reshape(batch, n_in), offsets=offsets)


class _Fixed:
    """A stand-in for Hypothesis' draw that replays pre-drawn uniform numbers."""

    def __init__(self, us):
        self.us = list(us)

    def __call__(self, strategy):
        return self.us.pop(0) if self.us else 0.5


def build(spec, with_dropout=True):
    """The Sequential for `spec` in float64, its biases shifted to keep kinks clear."""
    A.manual_seed(spec["seed"])
    layers = []
    width = spec["n_in"]
    for w, norm, act, p in spec["layers"]:
        layers.append(nn.Linear(width, w))
        if norm == "layer":
            layers.append(nn.LayerNorm(w))
        elif norm == "rms":
            layers.append(nn.RMSNorm(w, eps=1e-6))
        elif norm == "batch":
            layers.append(nn.BatchNorm1d(w))
        layers.append(ACTIVATIONS[act][0]())
        if p and with_dropout:
            layers.append(nn.Dropout(p))
        width = w
    layers.append(nn.Linear(width, spec["n_out"]))
    model = nn.Sequential(*layers).double()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            # running statistics that are not the defaults, so eval mode is a real test
            m.running_mean._data[...] = np.linspace(-0.5, 0.5, m.num_features)
            m.running_var._data[...] = np.linspace(0.5, 2.0, m.num_features)
            with A.no_grad():
                m.bias._data[...] = np.linspace(-0.3, 0.3, m.num_features)
                m.weight._data[...] = np.linspace(0.8, 1.3, m.num_features)
    model.train() if spec["train_bn"] else model.eval()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
    _clear_kinks(model, spec)
    return model


def _clear_kinks(model, spec):
    """Shift the bias feeding each activation so its inputs stay GAP away from its kinks."""
    draw = _Fixed(spec["offsets"])
    mods = list(model)
    for k, m in enumerate(mods):
        if k == 0 or isinstance(m, (nn.Linear, nn.LayerNorm, nn.RMSNorm, nn.BatchNorm1d,
                                    nn.Dropout)):
            continue
        kinks = activation_ref(m)[1]
        if not kinks:
            continue
        feeder = mods[k - 1]
        bias = getattr(feeder, "bias", None)
        if bias is None:
            continue
        with A.no_grad(), _frozen_bn(model):
            z = nn.Sequential(*mods[:k])(A.tensor(spec["x"])).numpy()
        with A.no_grad():
            for j in range(z.shape[-1]):
                bias._data[j] += free_offset(draw, z[:, j], kinks, gap=GAP, span=1.5)


@contextlib.contextmanager
def _frozen_bn(model):
    """Keep BatchNorm running statistics unchanged by the probing forward passes."""
    saved = [(m, m.running_mean._data.copy(), m.running_var._data.copy(),
              m.num_batches_tracked._data.copy())
             for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    yield
    for m, mean, var, n in saved:
        m.running_mean._data[...] = mean
        m.running_var._data[...] = var
        m.num_batches_tracked._data[...] = n


def numpy_forward(model, x):
    """The stack's forward pass in NumPy (float64), from the module's own parameters."""
    for m in model:
        if isinstance(m, nn.Linear):
            x = x @ m.weight.detach().numpy().T + m.bias.detach().numpy()
        elif isinstance(m, nn.LayerNorm):
            x = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + m.eps)
            x = x * m.weight.detach().numpy() + m.bias.detach().numpy()
        elif isinstance(m, nn.RMSNorm):
            x = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * m.weight.detach().numpy()
        elif isinstance(m, nn.BatchNorm1d):
            if m.training:
                mean, var = x.mean(0), x.var(0)
            else:
                mean, var = m.running_mean.numpy(), m.running_var.numpy()
            x = (x - mean) / np.sqrt(var + m.eps) * m.weight.detach().numpy() + \
                m.bias.detach().numpy()
        elif isinstance(m, nn.Dropout):
            pass
        else:
            x = activation_ref(m)[0](x)
    return x


@contextlib.contextmanager
def swapped(model, names, tensors):
    saved = []
    for name, t in zip(names, tensors):
        owner_name, _, leaf = name.rpartition(".")
        owner = model.get_submodule(owner_name)
        saved.append((owner, leaf, owner._parameters[leaf]))
        owner._parameters[leaf] = t
    try:
        yield
    finally:
        for owner, leaf, p in saved:
            owner._parameters[leaf] = p


def _as_function(model):
    names = [n for n, _ in model.named_parameters()]

    def fn(x, *params):
        with swapped(model, names, params), _frozen_bn(model):
            return model(x)

    return fn, [p for _, p in model.named_parameters()]


def _outputs_and_grads(model, x, dtype):
    model = model.to(dtype) if hasattr(model, "to") else model
    xt = A.tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    with _frozen_bn(model):
        out = model(xt)
    w = A.tensor(np.cos(np.arange(out.numel())).reshape(out.shape) + 1.5, dtype=out.dtype)
    params = [p for p in model.parameters()]
    grads = A.grad((out * w).sum(), [xt] + params, allow_unused=True)
    return out.detach().numpy().copy(), [g.numpy().copy() for g in grads]


# ---------------------------------------------------------------------- the properties
@given(mlp_specs())
def test_random_mlps_match_numpy_and_finite_differences(spec):
    model = build(spec)
    x = A.tensor(spec["x"], requires_grad=True)
    with _frozen_bn(model), A.no_grad():
        out = model(x).numpy()
    np.testing.assert_allclose(out, numpy_forward(model, spec["x"]), rtol=1e-10, atol=1e-12)
    fn, params = _as_function(model)
    assert gradcheck(fn, (x, *params), eps=1e-6, atol=1e-5, rtol=1e-3)


@settings(max_examples=max(1, settings().max_examples // 4))
@given(mlp_specs())
def test_random_mlps_have_exact_second_derivatives(spec):
    model = build(spec)
    fn, params = _as_function(model)
    x = A.tensor(spec["x"], requires_grad=True)
    assert gradgradcheck(fn, (x, *params), eps=1e-6, atol=1e-5, rtol=1e-3)


@given(mlp_specs())
def test_random_mlps_in_float32_stay_close_to_float64(spec):
    model = build(spec)
    o64, g64 = _outputs_and_grads(model, spec["x"], A.float64)
    o32, g32 = _outputs_and_grads(model, spec["x"], A.float32)
    assert o32.dtype == np.float32
    np.testing.assert_allclose(o32, o64, rtol=1e-4, atol=1e-4 * (1 + np.abs(o64).max()))
    # NOTE: one scale for all gradients: a BatchNorm channel whose batch variance is far
    # below eps has float64 gradients ~1e-12 that float32 rounding turns into ~1e-4 (seen
    # with a batch of [0, 0, 1] through CELU), an absolute error on the model's gradient scale
    scale = 1 + max(float(np.abs(b).max(initial=0)) for b in g64)
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3 * scale)


@given(mlp_specs())
def test_dropout_in_eval_mode_is_the_identity_and_runs_repeat_exactly(spec):
    with_dropout = build(spec)
    without = build(spec, with_dropout=False)
    o1, g1 = _outputs_and_grads(with_dropout, spec["x"], A.float64)
    o2, g2 = _outputs_and_grads(without, spec["x"], A.float64)
    o3, g3 = _outputs_and_grads(with_dropout, spec["x"], A.float64)
    assert o1.tobytes() == o2.tobytes() == o3.tobytes()
    for a, b, c in zip(g1, g2, g3):
        assert a.tobytes() == b.tobytes() == c.tobytes()


def test_kink_clearing_keeps_relu_inputs_off_zero():
    spec = dict(n_in=2, batch=3, layers=[(3, None, "ReLU", 0.0)], n_out=1, train_bn=False,
                seed=0, x=np.zeros((3, 2)), offsets=[0.0] * 8)
    model = build(spec)
    with A.no_grad():
        z = model[0](A.tensor(spec["x"])).numpy()
    assert np.abs(z).min() >= GAP
