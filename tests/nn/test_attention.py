"""scaled_dot_product_attention, MultiheadAttention and the transformer layers: hand-computed
values, a NumPy reference, gradient checks, shapes, PyTorch's error types and a training run."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import nn
import nn.functional as F
import optim
from autograd.gradcheck import gradcheck, gradgradcheck

from _nn_helpers import check_module_grads, randn


def _np_sdpa(q, k, v, allowed=None, bias=None, scale=None):
    """Reference attention in NumPy: softmax(q k^T * scale + bias, masked) v."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = np.einsum("...le,...se->...ls", q, k) * scale
    if bias is not None:
        s = s + bias
    if allowed is not None:
        s = np.where(allowed, s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return np.einsum("...ls,...sv->...lv", e / e.sum(-1, keepdims=True), v)


# ---------------------------------------------------------------------- values
def test_sdpa_with_equal_scores_averages_the_values():
    q = autograd.zeros(1, 3)
    k = autograd.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]) * 0.0
    v = autograd.tensor([[1.0, 10.0], [3.0, 30.0]])
    assert F.scaled_dot_product_attention(q, k, v).tolist() == [[2.0, 20.0]]


def test_sdpa_causal_mask_lets_each_query_see_only_earlier_keys():
    q = autograd.zeros(3, 2)
    v = autograd.tensor([[3.0], [6.0], [9.0]])
    out = F.scaled_dot_product_attention(q, autograd.zeros(3, 2), v, is_causal=True)
    np.testing.assert_allclose(out.numpy(), [[3.0], [4.5], [6.0]])


def test_sdpa_causal_mask_is_top_left_aligned_when_there_are_more_queries():
    v = autograd.tensor([[2.0], [4.0]])
    out = F.scaled_dot_product_attention(autograd.zeros(3, 1), autograd.zeros(2, 1), v,
                                         is_causal=True)
    np.testing.assert_allclose(out.numpy(), [[2.0], [3.0], [3.0]])


def test_sdpa_bool_mask_true_means_attend():
    v = autograd.tensor([[1.0], [5.0], [7.0]])
    mask = autograd.tensor([[False, True, False], [True, False, True]])
    out = F.scaled_dot_product_attention(autograd.zeros(2, 1), autograd.zeros(3, 1), v,
                                         attn_mask=mask)
    np.testing.assert_allclose(out.numpy(), [[5.0], [4.0]])


def test_sdpa_float_mask_is_added_to_the_scores():
    v = autograd.tensor([[0.0], [1.0]])
    mask = autograd.tensor([[0.0, math.log(3.0)]])  # weights 1/4, 3/4
    out = F.scaled_dot_product_attention(autograd.zeros(1, 1), autograd.zeros(2, 1), v,
                                         attn_mask=mask)
    np.testing.assert_allclose(out.numpy(), [[0.75]])


def test_sdpa_fully_masked_query_gives_zeros_and_zero_gradients():
    rng = np.random.default_rng(0)
    q, k, v = (randn(*s, rng=rng) for s in ((3, 2), (4, 2), (4, 3)))
    mask = np.ones((3, 4), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=autograd.tensor(mask))
    assert not np.isnan(out.detach().numpy()).any()
    assert out.detach().numpy()[1].tolist() == [0.0, 0.0, 0.0]
    out.sum().backward()
    assert q.grad.numpy()[1].tolist() == [0.0, 0.0]
    assert np.isfinite(k.grad.numpy()).all() and np.isfinite(v.grad.numpy()).all()


@pytest.mark.parametrize("dtype", [autograd.float64, autograd.float32])
@pytest.mark.parametrize("case", ["plain", "bool", "float", "causal", "scale", "broadcast"])
def test_sdpa_matches_a_numpy_reference(case, dtype):
    rng = np.random.default_rng(1)
    qs, ks, vs = (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)
    if case == "broadcast":
        ks, vs = (1, 3, 6, 5), (2, 1, 6, 2)
    q, k, v = (rng.standard_normal(s) for s in (qs, ks, vs))
    kwargs, ref = {}, {}
    if case == "bool":
        allowed = rng.random((3, 4, 6)) < 0.6
        allowed[..., 2] = True
        kwargs["attn_mask"], ref["allowed"] = autograd.tensor(allowed), allowed
    elif case == "float":
        bias = rng.standard_normal((4, 6))
        kwargs["attn_mask"], ref["bias"] = autograd.tensor(bias, dtype=dtype), bias
    elif case == "causal":
        kwargs["is_causal"], ref["allowed"] = True, np.tril(np.ones((4, 6), bool))
    elif case == "scale":
        kwargs["scale"] = ref["scale"] = 0.7
    out = F.scaled_dot_product_attention(*(autograd.tensor(a, dtype=dtype) for a in (q, k, v)),
                                         **kwargs)
    assert out.dtype == dtype and out.shape == (2, 3, 4, 2)
    tol = 1e-12 if dtype == autograd.float64 else 1e-5
    np.testing.assert_allclose(out.numpy(), _np_sdpa(q, k, v, **ref), rtol=tol, atol=tol)


def test_sdpa_enable_gqa_repeats_each_key_and_value_head():
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal(s) for s in ((2, 4, 3, 5), (2, 2, 6, 5), (2, 1, 6, 3)))
    out = F.scaled_dot_product_attention(*(autograd.tensor(a) for a in (q, k, v)),
                                         enable_gqa=True)
    ref = _np_sdpa(q, np.repeat(k, 2, axis=1), np.repeat(v, 4, axis=1))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_sdpa_with_no_keys_gives_zeros():
    out = F.scaled_dot_product_attention(autograd.ones(2, 3), autograd.ones(0, 3),
                                         autograd.ones(0, 4))
    assert out.shape == (2, 4) and not out.numpy().any()


def test_sdpa_dropout_drops_attention_weights():
    autograd.manual_seed(0)
    q = autograd.zeros(1, 1)
    v = autograd.ones(200, 1)
    out = F.scaled_dot_product_attention(q, autograd.zeros(200, 1), v, dropout_p=0.5)
    # kept weights are 1/200 * 2: the output is 2 * (fraction kept)
    assert 0.7 < out.item() < 1.3 and out.item() != 1.0


@st.composite
def _sdpa_examples(draw):
    """Tiny q, k, v (broadcast batch dims) and a mask kind; every query keeps one key."""
    batch = draw(st.lists(st.integers(1, 2), max_size=2))
    L, S, E, Ev = (draw(st.integers(1, 3)) for _ in range(4))
    seed = draw(st.integers(0, 2 ** 16))
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    return batch, (L, S, E, Ev), seed, kind


@given(_sdpa_examples())
def test_sdpa_property_values_and_gradients_against_numpy(example):
    batch, (L, S, E, Ev), seed, kind = example
    rng = np.random.default_rng(seed)
    kb = [1 if rng.random() < 0.5 else b for b in batch]  # keys broadcast over some batch dims
    q, k, v = (rng.uniform(-2, 2, s) for s in (batch + [L, E], kb + [S, E], kb + [S, Ev]))
    args, kwargs, ref = [], {}, {}
    if kind == "bool":
        allowed = rng.random((L, S)) < 0.5
        allowed[np.arange(L), rng.integers(0, S, L)] = True
        kwargs["attn_mask"], ref["allowed"] = autograd.tensor(allowed), allowed
    elif kind == "float":
        bias = rng.uniform(-1, 1, (L, S))
        args, ref["bias"] = [autograd.tensor(bias, requires_grad=True)], bias
    elif kind == "causal":
        kwargs["is_causal"], ref["allowed"] = True, np.tril(np.ones((L, S), bool))
    tensors = [autograd.tensor(a, requires_grad=True) for a in (q, k, v)] + args

    def fn(*t):
        return F.scaled_dot_product_attention(*t, **kwargs)

    out = fn(*tensors)
    np.testing.assert_allclose(out.detach().numpy(), _np_sdpa(q, k, v, **ref), rtol=1e-10,
                               atol=1e-12)
    assert gradcheck(fn, tuple(tensors))


# ---------------------------------------------------------------------- gradients
class _WithKwargs(nn.Module):
    """`inner(*inputs, **kwargs)` with the keyword arguments fixed (for check_module_grads)."""

    def __init__(self, inner, **kwargs):
        super().__init__()
        self.inner = inner
        self.kwargs = kwargs

    def forward(self, *inputs):
        out = self.inner(*inputs, **self.kwargs)
        return out[0] if isinstance(out, tuple) else out


def _qkv(rng, L=3, S=4, E=2, Ev=3):
    return tuple(randn(*s, rng=rng) for s in ((2, L, E), (2, S, E), (2, S, Ev)))


@pytest.mark.parametrize("mask", ["bool", "float", "causal"])
def test_sdpa_gradcheck_and_gradgradcheck_with_a_mask(mask):
    rng = np.random.default_rng(3)
    q, k, v = _qkv(rng)
    if mask == "bool":
        allowed = rng.random((3, 4)) < 0.5
        allowed[1] = False  # one fully masked query
        allowed[[0, 2], 0] = True
        kwargs = {"attn_mask": autograd.tensor(allowed)}
    elif mask == "float":
        kwargs = {"attn_mask": randn(2, 3, 4, rng=rng)}
    else:
        kwargs = {"is_causal": True}
    args = (q, k, v) + ((kwargs.pop("attn_mask"),) if mask == "float" else ())

    def fn(q, k, v, *m):
        return F.scaled_dot_product_attention(q, k, v, *m, **kwargs)

    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


def test_multihead_attention_gradcheck_wrt_inputs_and_parameters():
    autograd.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=2, add_bias_kv=True)
    rng = np.random.default_rng(4)
    q, k, v = randn(3, 2, 4, rng=rng), randn(5, 2, 3, rng=rng), randn(5, 2, 2, rng=rng)
    pad = autograd.tensor(np.array([[False] * 4 + [True], [False] * 5]))
    assert check_module_grads(_WithKwargs(mha, key_padding_mask=pad, need_weights=False), q, k, v)
    assert check_module_grads(_WithKwargs(mha, attn_mask=randn(3, 5, rng=rng)), q, k, v)


def test_encoder_layer_gradcheck_wrt_input_and_parameters():
    autograd.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0,
                                       activation="gelu", norm_first=True)
    causal = autograd.tensor(np.triu(np.ones((3, 3), bool), 1))
    assert check_module_grads(_WithKwargs(layer, src_mask=causal), randn(3, 2, 4),
                              second_order=True)


# ---------------------------------------------------------------------- modules: shapes, state
def test_multihead_attention_shapes_batched_unbatched_and_batch_first():
    mha = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)
    out, w = mha(autograd.randn(4, 2, 8), autograd.randn(6, 2, 3), autograd.randn(6, 2, 5))
    assert out.shape == (4, 2, 8) and w.shape == (2, 4, 6)
    out, w = mha(autograd.randn(4, 8), autograd.randn(6, 3), autograd.randn(6, 5),
                 average_attn_weights=False)
    assert out.shape == (4, 8) and w.shape == (2, 4, 6)
    mha = nn.MultiheadAttention(8, 4, batch_first=True)
    x = autograd.randn(2, 4, 8)
    out, w = mha(x, x, x, average_attn_weights=False)
    assert out.shape == (2, 4, 8) and w.shape == (2, 4, 4, 4)
    out, w = mha(x, x, x, need_weights=False)
    assert out.shape == (2, 4, 8) and w is None


def test_multihead_attention_weights_rows_sum_to_one_and_respect_masks():
    mha = nn.MultiheadAttention(4, 2, add_zero_attn=True)
    x = autograd.randn(3, 2, 4)
    pad = autograd.tensor(np.array([[False, False, True], [False, False, False]]))
    _, w = mha(x, x, x, key_padding_mask=pad)
    w = w.detach().numpy()
    assert w.shape == (2, 3, 4)  # the zero key joins the keys
    np.testing.assert_allclose(w.sum(-1), np.ones((2, 3)), rtol=1e-6)
    assert (w[0, :, 2] == 0).all() and (w[1, :, 2] > 0).all()


def test_multihead_attention_state_dict_keys_and_init_follow_pytorch():
    mha = nn.MultiheadAttention(4, 2)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                      "out_proj.bias"]
    assert mha.in_proj_weight.shape == (12, 4)
    assert not mha.in_proj_bias.detach().numpy().any()
    assert not mha.out_proj.bias.detach().numpy().any()
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, bias=False)
    assert list(mha.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                      "bias_k", "bias_v", "out_proj.weight"]
    assert (mha.k_proj_weight.shape, mha.v_proj_weight.shape) == ((4, 3), (4, 5))
    assert mha.bias_k.shape == (1, 1, 4) and mha.in_proj_weight is None


def test_multihead_attention_dropout_only_in_training():
    autograd.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = autograd.randn(5, 1, 4)
    a, b = mha(x, x, x)[1], mha(x, x, x)[1]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    mha.eval()
    a, b = mha(x, x, x)[1], mha(x, x, x)[1]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_encoder_clones_are_independent_deep_copies():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8)
    enc = nn.TransformerEncoder(layer, 3)
    w = [m.self_attn.in_proj_weight for m in enc.layers]
    assert len({id(p) for p in w} | {id(layer.self_attn.in_proj_weight)}) == 4
    np.testing.assert_array_equal(w[0].detach().numpy(), w[2].detach().numpy())
    assert len(enc.state_dict()) == 3 * len(layer.state_dict())
    assert "layers.2.norm2.bias" in enc.state_dict()


def test_transformer_shapes_and_submodule_names():
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2,
                           dim_feedforward=16, batch_first=True)
    out = model(autograd.randn(2, 5, 8), autograd.randn(2, 3, 8),
                tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))
    assert out.shape == (2, 3, 8)
    names = set(model.state_dict())
    assert {"decoder.layers.1.multihead_attn.in_proj_weight", "decoder.layers.0.norm3.weight",
            "encoder.norm.bias", "decoder.norm.weight"} <= names
    dec = nn.TransformerDecoderLayer(8, 2, 16)
    assert dec(autograd.randn(3, 8), autograd.randn(5, 8)).shape == (3, 8)


def test_generate_square_subsequent_mask_has_minus_inf_above_the_diagonal():
    m = nn.Transformer.generate_square_subsequent_mask(3)
    inf = float("inf")
    assert m.dtype == autograd.float32
    assert m.tolist() == [[0.0, -inf, -inf], [0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=autograd.float64).dtype == \
        autograd.float64


def test_encoder_treats_a_causal_mask_like_is_causal():
    autograd.manual_seed(0)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2)
    x = autograd.randn(5, 2, 4)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    a = enc(x, mask=mask)
    b = enc(x, mask=mask, is_causal=False)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)
    # the first position sees only itself: changing later positions leaves it unchanged
    x2 = x.detach().numpy().copy()
    x2[1:] += 1.0
    c = enc(autograd.tensor(x2), mask=mask)
    np.testing.assert_allclose(c.detach().numpy()[0], a.detach().numpy()[0], rtol=1e-6,
                               atol=1e-6)


# ---------------------------------------------------------------------- errors
def _qkv32(*shapes):
    return tuple(autograd.zeros(*s) for s in shapes)


@pytest.mark.parametrize("args, kwargs, exc, match", [
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), {"attn_mask": np.ones((3, 4), bool)}, RuntimeError,
     r"attn_mask of shape \(3, 4\).*\(2, 3, 5\)"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), {"attn_mask": np.ones((3, 5), np.int64)},
     RuntimeError, "attn_mask dtype"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), {"attn_mask": np.ones((3, 5), bool), "is_causal": True},
     RuntimeError, "is_causal"),
    (((3, 4), (5, 3), (5, 6)), {}, RuntimeError, r"must share E.*\(3, 4\).*\(5, 3\)"),
    (((3, 4), (5, 4), (6, 6)), {}, RuntimeError, r"must share S.*\(5, 4\).*\(6, 6\)"),
    (((4,), (4,), (4,)), {}, RuntimeError, "at least 2-D"),
    (((1, 6, 3, 4), (1, 4, 5, 4), (1, 4, 5, 2)), {"enable_gqa": True}, RuntimeError,
     r"heads in key \(4\).*query \(6\)"),
    (((2, 3, 4), (2, 5, 4), (2, 5, 6)), {"dropout_p": 1.5}, RuntimeError, "between 0 and 1"),
])
def test_sdpa_rejects_bad_input_with_torchs_exception_types(args, kwargs, exc, match):
    if "attn_mask" in kwargs:
        kwargs = dict(kwargs, attn_mask=autograd.tensor(kwargs["attn_mask"]))
    with pytest.raises(exc, match=match):
        F.scaled_dot_product_attention(*_qkv32(*args), **kwargs)


def test_sdpa_rejects_mixed_dtypes_and_integers():
    q = autograd.zeros(2, 3, dtype=autograd.float64)
    with pytest.raises(RuntimeError, match="same dtype.*float64.*float32"):
        F.scaled_dot_product_attention(q, autograd.zeros(2, 3), autograd.zeros(2, 3))
    i = autograd.zeros(2, 3, dtype=autograd.int64)
    with pytest.raises(RuntimeError, match="floating point"):
        F.scaled_dot_product_attention(i, i, i)


def test_multihead_attention_rejects_bad_sizes_like_torch():
    with pytest.raises(ValueError, match="embed_dim=0 and num_heads=2"):
        nn.MultiheadAttention(0, 2)
    with pytest.raises(ValueError, match="num_heads=0"):
        nn.MultiheadAttention(4, 0)
    with pytest.raises(AssertionError, match="divisible by num_heads"):
        nn.MultiheadAttention(5, 2)


@pytest.mark.parametrize("shapes, kwargs, exc, match", [
    (((1, 3, 2, 4),) * 3, {}, AssertionError, "received 4-D query"),
    (((3, 2, 4), (3, 4), (3, 4)), {}, AssertionError, "expected `key` and `value` to be 3-D"),
    (((3, 2, 5),) * 3, {}, AssertionError, "embedding dimension of 4, but got 5"),
    (((3, 2, 4), (4, 2, 4), (3, 2, 4)), {}, AssertionError, "does not match value shape"),
    (((3, 2, 4),) * 3, {"attn_mask": np.zeros((3, 4), np.float32)}, RuntimeError,
     r"2D attn_mask is \(3, 4\), but should be \(3, 3\)"),
    (((3, 2, 4),) * 3, {"attn_mask": np.zeros((2, 3, 3), np.float32)}, RuntimeError,
     r"3D attn_mask is \(2, 3, 3\), but should be \(4, 3, 3\)"),
    (((3, 2, 4),) * 3, {"attn_mask": np.zeros((1, 4, 3, 3), np.float32)}, AssertionError,
     "found 4-D tensor"),
    (((3, 2, 4),) * 3, {"attn_mask": np.zeros((3, 3), np.int64)}, AssertionError,
     "only bool and floating types of attn_mask"),
    (((3, 2, 4),) * 3, {"key_padding_mask": np.zeros((2, 4), bool)}, AssertionError,
     r"key_padding_mask of shape \(2, 3\), but got \(2, 4\)"),
    (((3, 2, 4),) * 3, {"key_padding_mask": np.zeros((2, 3, 1), bool)}, AssertionError,
     "`key_padding_mask` to be `None` or 2-D"),
    (((3, 2, 4),) * 3, {"is_causal": True}, RuntimeError, "Need attn_mask"),
    (((3, 4),) * 3, {"attn_mask": np.zeros((1, 3, 3), np.float32)}, AssertionError,
     r"`attn_mask` shape to be \(2, 3, 3\)"),
])
def test_multihead_attention_rejects_bad_input_with_torchs_exception_types(shapes, kwargs, exc,
                                                                           match):
    mha = nn.MultiheadAttention(4, 2)
    kwargs = {k: autograd.tensor(m) if isinstance(m, np.ndarray) else m
              for k, m in kwargs.items()}
    with pytest.raises(exc, match=match):
        mha(*(autograd.zeros(*s) for s in shapes), **kwargs)


def test_transformer_layers_reject_bad_configuration_and_input():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    model = nn.Transformer(4, 2, 1, 1, 8)
    with pytest.raises(RuntimeError, match=r"batch number.*\(3, 2, 4\).*\(3, 1, 4\)"):
        model(autograd.zeros(3, 2, 4), autograd.zeros(3, 1, 4))
    with pytest.raises(RuntimeError, match=r"d_model \(4\)"):
        model(autograd.zeros(3, 2, 4), autograd.zeros(3, 2, 5))


def test_mismatched_mask_types_warn_as_torch():
    mha = nn.MultiheadAttention(4, 2)
    x = autograd.zeros(3, 2, 4)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        mha(x, x, x, attn_mask=autograd.zeros(3, 3),
            key_padding_mask=autograd.tensor(np.zeros((2, 3), bool)))


# ---------------------------------------------------------------------- training
def test_a_tiny_transformer_encoder_classifier_trains():
    autograd.manual_seed(0)
    rng = np.random.default_rng(0)
    # label: whether token 1 appears before token 2 in the sequence
    tokens = rng.integers(0, 4, size=(32, 6))
    labels = (np.argmax(tokens == 1, 1) < np.argmax(tokens == 2, 1)).astype(np.int64)
    embed = nn.Embedding(4, 16)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0,
                                                               batch_first=True), 2)
    head = nn.Linear(16, 2)
    params = list(embed.parameters()) + list(encoder.parameters()) + list(head.parameters())
    opt = optim.Adam(params, lr=3e-3)
    x, y = autograd.tensor(tokens), autograd.tensor(labels)
    pos = autograd.tensor(rng.standard_normal((6, 16)).astype(np.float32))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        logits = head(encoder(embed(x) + pos).mean(1))
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(np.isfinite(losses))
    assert losses[-1] < 0.7 * losses[0], losses
