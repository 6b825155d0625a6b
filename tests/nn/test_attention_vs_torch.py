"""Attention and transformer layers against PyTorch (skipped when torch is not installed): the
same weights (torch's state_dict loaded into ours), the same inputs, then outputs, attention
weights and every input and parameter gradient compared in float64 and float32."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

# torch.nn.Transformer always asks its encoder for nested tensors, and warns when it cannot use them
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")

TOL = {"float64": dict(rtol=1e-10, atol=1e-10), "float32": dict(rtol=1e-5, atol=1e-5)}
DTYPES = ["float64", "float32"]


def _pair(a, dtype, requires_grad=True):
    """The same array as our Tensor and as a torch tensor."""
    a = np.asarray(a)
    if a.dtype == np.bool_:
        return autograd.tensor(a), torch.from_numpy(a.copy())
    ours = autograd.tensor(a.astype(dtype), requires_grad=requires_grad)
    theirs = torch.tensor(a.astype(dtype), requires_grad=requires_grad)
    return ours, theirs


def _close(ours, theirs, dtype, what, equal_nan=False):
    assert ours is not None and theirs is not None, what
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                               equal_nan=equal_nan, err_msg=what, **TOL[dtype])


def _backward_both(ya, yb, rng):
    g = rng.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g.astype(str(yb.dtype).replace("torch.", ""))))
    yb.backward(torch.from_numpy(g).to(yb.dtype))


# ---------------------------------------------------------------- scaled_dot_product_attention
def _sdpa_case(rng, name):
    """(q, k, v shapes, kwargs as numpy) for a named configuration."""
    q, k, v = (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)
    bool_mask = rng.random((4, 6)) < 0.6
    bool_mask[:, 0] = True  # every query keeps a key
    cases = {
        "plain": ((q, k, v), {}),
        "unbatched-2d": (((4, 5), (6, 5), (6, 3)), {}),
        "5d-broadcast-batch": (((2, 1, 3, 4, 5), (1, 2, 3, 6, 5), (1, 2, 3, 6, 2)), {}),
        "bool-mask": ((q, k, v), {"attn_mask": bool_mask}),
        "bool-mask-per-head": ((q, k, v), {"attn_mask": rng.random((2, 3, 4, 6)) < 0.7}),
        "float-mask": ((q, k, v), {"attn_mask": rng.standard_normal((3, 1, 6))}),
        "causal-L<S": ((q, k, v), {"is_causal": True}),
        "causal-L>S": (((7, 5), (3, 5), (3, 4)), {"is_causal": True}),
        "scale": ((q, k, v), {"scale": 0.3}),
        "gqa": (((2, 6, 4, 5), (2, 2, 6, 5), (2, 3, 6, 2)), {"enable_gqa": True}),
        "fully-masked-bool": ((q, k, v), {"attn_mask": np.array([[True] * 6, [False] * 6,
                                                                 [True, False] * 3,
                                                                 [False] * 5 + [True]])}),
        "fully-masked-float": ((q, k, v), {"attn_mask": np.where(
            np.arange(4)[:, None] == 1, -np.inf, rng.standard_normal((4, 6)))}),
    }
    return cases[name]


SDPA_CASES = ["plain", "unbatched-2d", "5d-broadcast-batch", "bool-mask", "bool-mask-per-head",
              "float-mask", "causal-L<S", "causal-L>S", "scale", "gqa", "fully-masked-bool",
              "fully-masked-float"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", SDPA_CASES)
def test_sdpa_matches_torch_values_and_gradients(case, dtype):
    rng = np.random.default_rng(0)
    shapes, kwargs = _sdpa_case(rng, case)
    ours, theirs = zip(*(_pair(rng.standard_normal(s), dtype) for s in shapes))
    kw_a, kw_b = dict(kwargs), dict(kwargs)
    if "attn_mask" in kwargs:
        kw_a["attn_mask"], kw_b["attn_mask"] = _pair(kwargs["attn_mask"], dtype,
                                                     requires_grad=False)
    ya = F.scaled_dot_product_attention(*ours, **kw_a)
    yb = TF.scaled_dot_product_attention(*theirs, **kw_b)
    assert ya.dtype == np.dtype(dtype)
    _close(ya, yb, dtype, "output")
    _backward_both(ya, yb, rng)
    for name, a, b in zip("qkv", ours, theirs):
        _close(a.grad, b.grad, dtype, f"grad of {name}")


def test_sdpa_float_mask_gets_torchs_gradient():
    rng = np.random.default_rng(1)
    (q, k, v), (mq, mt) = [_pair(rng.standard_normal(s), "float64")
                           for s in ((2, 4, 3), (2, 5, 3), (2, 5, 2))], \
        _pair(rng.standard_normal((4, 5)), "float64")
    ya = F.scaled_dot_product_attention(q[0], k[0], v[0], attn_mask=mq)
    yb = TF.scaled_dot_product_attention(q[1], k[1], v[1], attn_mask=mt)
    _backward_both(ya, yb, rng)
    _close(mq.grad, mt.grad, "float64", "grad of the float mask")


def test_sdpa_with_dropout_one_drops_everything_like_torch():
    q = autograd.randn(2, 3, 4)
    out = F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    ref = TF.scaled_dot_product_attention(*(torch.from_numpy(q.numpy()),) * 3, dropout_p=1.0)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert not out.numpy().any()


# ---------------------------------------------------------------------- MultiheadAttention
def _load_from_torch(ours, theirs, dtype):
    """Copy torch's weights into ours after checking both have the same state_dict keys."""
    theirs_sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(theirs_sd)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs_sd.items()})
    theirs.to(getattr(torch, dtype))
    ours.to(getattr(autograd, dtype))


def _compare_param_grads(ours, theirs, dtype):
    theirs_params = dict(theirs.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(theirs_params)
    for name, p in ours.named_parameters():
        _close(p.grad, theirs_params[name].grad, dtype, f"grad of {name}")


def _make_mha(module_kwargs, dtype, seed=0):
    torch.manual_seed(seed)
    theirs = torch.nn.MultiheadAttention(**module_kwargs)
    ours = nn.MultiheadAttention(**module_kwargs)
    _load_from_torch(ours, theirs, dtype)
    return ours, theirs


E, H, L, S, N = 6, 2, 4, 5, 3

MHA_CASES = {
    "self-attention": ({}, {"self": True}),
    "cross-attention": ({}, {}),
    "batch-first": ({"batch_first": True}, {}),
    "batch-first-self": ({"batch_first": True}, {"self": True}),
    "kdim-vdim": ({"kdim": 3, "vdim": 5}, {}),
    "kdim-vdim-batch-first": ({"kdim": 3, "vdim": 5, "batch_first": True}, {}),
    "no-bias": ({"bias": False}, {}),
    "bias-kv": ({"add_bias_kv": True}, {"attn_mask": "bool2d", "key_padding_mask": "bool"}),
    "zero-attn": ({"add_zero_attn": True}, {"attn_mask": "float3d", "key_padding_mask": "float"}),
    "bias-kv-zero-attn": ({"add_bias_kv": True, "add_zero_attn": True, "kdim": 4},
                          {"key_padding_mask": "bool"}),
    "bool-attn-mask-2d": ({}, {"attn_mask": "bool2d"}),
    "bool-attn-mask-3d": ({}, {"attn_mask": "bool3d"}),
    "float-attn-mask-2d": ({}, {"attn_mask": "float2d"}),
    "key-padding-bool": ({}, {"key_padding_mask": "bool"}),
    "key-padding-float": ({}, {"key_padding_mask": "float"}),
    "both-masks-bool": ({}, {"attn_mask": "bool2d", "key_padding_mask": "bool"}),
    "per-head-weights": ({}, {"average_attn_weights": False, "attn_mask": "float3d"}),
    "no-weights": ({}, {"need_weights": False}),
    "no-weights-masks": ({}, {"need_weights": False, "attn_mask": "bool3d",
                              "key_padding_mask": "bool"}),
    "causal-self": ({}, {"self": True, "same_len": True, "attn_mask": "causal",
                         "is_causal": True}),
    "causal-no-weights": ({}, {"self": True, "same_len": True, "attn_mask": "causal",
                               "is_causal": True, "need_weights": False}),
    "unbatched": ({}, {"unbatched": True, "attn_mask": "bool2d", "key_padding_mask": "bool"}),
    "unbatched-3d-mask": ({}, {"unbatched": True, "attn_mask": "float3d"}),
}


def _mha_masks(rng, spec, n, tgt_len, src_len):
    masks = {}
    kind = spec.get("attn_mask")
    heads = n if n else 1
    if kind == "causal":
        masks["attn_mask"] = np.triu(np.full((tgt_len, src_len), -np.inf), 1)
    elif kind is not None:
        shape = (tgt_len, src_len) if kind.endswith("2d") else (heads * H, tgt_len, src_len)
        if kind.startswith("bool"):
            mask = rng.random(shape) < 0.3
            mask[..., 0] = False  # every query keeps a key
        else:
            mask = rng.standard_normal(shape)
        masks["attn_mask"] = mask
    kind = spec.get("key_padding_mask")
    if kind is not None:
        shape = (n, src_len) if n else (src_len,)
        pad = rng.random(shape) < 0.3
        pad[..., 0] = False
        masks["key_padding_mask"] = pad if kind == "bool" else np.where(pad, -1e4, 0.0)
    return masks


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(case, dtype):
    module_kwargs, spec = MHA_CASES[case]
    module_kwargs = dict(embed_dim=E, num_heads=H, **module_kwargs)
    ours, theirs = _make_mha(module_kwargs, dtype)
    rng = np.random.default_rng(2)
    n = None if spec.get("unbatched") else N
    src_len = L if spec.get("same_len") else S
    kdim, vdim = module_kwargs.get("kdim", E), module_kwargs.get("vdim", E)

    def seq(length, dim):
        if n is None:
            return (length, dim)
        return (n, length, dim) if module_kwargs.get("batch_first") else (length, n, dim)

    if spec.get("self"):
        x = _pair(rng.standard_normal(seq(L, E)), dtype)
        inputs = [x, x, x]
    else:
        inputs = [_pair(rng.standard_normal(seq(length, d)), dtype)
                  for length, d in ((L, E), (src_len, kdim), (src_len, vdim))]
    call = {k: spec[k] for k in ("need_weights", "average_attn_weights", "is_causal")
            if k in spec}
    masks = _mha_masks(rng, spec, n, L, src_len)
    call_a = dict(call, **{k: _pair(m, dtype, False)[0] for k, m in masks.items()})
    call_b = dict(call, **{k: _pair(m, dtype, False)[1] for k, m in masks.items()})
    out_a, w_a = ours(*(i[0] for i in inputs), **call_a)
    out_b, w_b = theirs(*(i[1] for i in inputs), **call_b)
    _close(out_a, out_b, dtype, "output")
    if w_b is None:
        assert w_a is None
    else:
        assert tuple(w_a.shape) == tuple(w_b.shape)
        _close(w_a, w_b, dtype, "attention weights")
        out_a = out_a + (w_a * 0.5).sum()
        out_b = out_b + (w_b * 0.5).sum()
    _backward_both(out_a, out_b, rng)
    for i, (a, b) in enumerate(inputs[:1] if spec.get("self") else inputs):
        _close(a.grad, b.grad, dtype, f"grad of input {i}")
    _compare_param_grads(ours, theirs, dtype)


@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_fully_masked_query_gives_what_torch_gives(need_weights):
    # torch: nan with need_weights (plain softmax), zeros without (scaled_dot_product_attention)
    ours, theirs = _make_mha(dict(embed_dim=E, num_heads=H), "float64")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((L, N, E))
    mask = np.zeros((L, L), bool)
    mask[1] = True
    out_a, _ = ours(*(autograd.tensor(x),) * 3, attn_mask=autograd.tensor(mask),
                    need_weights=need_weights)
    with torch.no_grad():
        theirs.train()  # keep torch off its inference fast path
        out_b, _ = theirs(*(torch.from_numpy(x),) * 3, attn_mask=torch.from_numpy(mask),
                          need_weights=need_weights)
    assert np.isnan(out_a.detach().numpy()[1]).all() == need_weights
    _close(out_a, out_b, "float64", "output", equal_nan=True)


def test_multihead_attention_init_matches_torch_statistics():
    # xavier_uniform_ on in_proj_weight (3E, E): bound sqrt(6 / (E + 3E)); zero biases
    mha = nn.MultiheadAttention(64, 4)
    w = mha.in_proj_weight.detach().numpy()
    bound = np.sqrt(6.0 / (64 + 192))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not mha.in_proj_bias.detach().numpy().any()
    assert not mha.out_proj.bias.detach().numpy().any()
    theirs = torch.nn.MultiheadAttention(64, 4, add_bias_kv=True, kdim=8, vdim=16)
    ours = nn.MultiheadAttention(64, 4, add_bias_kv=True, kdim=8, vdim=16)
    for (name, p), (tname, tp) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert name == tname and tuple(p.shape) == tuple(tp.shape)


# ---------------------------------------------------------------------- transformer layers
def _make_layers(ctor_ours, ctor_theirs, dtype, train):
    torch.manual_seed(0)
    theirs = ctor_theirs()
    ours = ctor_ours()
    _load_from_torch(ours, theirs, dtype)
    ours.train(train)
    theirs.train(train)
    return ours, theirs


def _causal(n):
    return np.triu(np.full((n, n), -np.inf), 1)


ENCODER_CASES = {
    "post-norm": ({}, {}),
    "pre-norm": ({"norm_first": True}, {}),
    "gelu": ({"activation": "gelu"}, {}),
    "gelu-callable-batch-first": ({"activation": "callable-gelu", "batch_first": True}, {}),
    "no-bias": ({"bias": False}, {}),
    "masks": ({}, {"src_mask": "bool", "src_key_padding_mask": "bool"}),
    "causal": ({"norm_first": True}, {"src_mask": "causal", "is_causal": True}),
    "eps": ({"layer_norm_eps": 1e-3}, {"src_key_padding_mask": "bool"}),
}


def _encoder_masks(rng, spec, batch, length):
    out = {}
    if spec.get("src_mask") == "causal":
        out["src_mask"] = _causal(length)
    elif spec.get("src_mask") == "bool":
        m = rng.random((length, length)) < 0.3
        np.fill_diagonal(m, False)
        out["src_mask"] = m
    if spec.get("src_key_padding_mask"):
        pad = np.zeros((batch, length), bool)
        pad[0, -2:] = True
        out["src_key_padding_mask"] = pad
    return out


def _run_and_compare(ours, theirs, inputs, call_a, call_b, dtype, rng):
    ya = ours(*(i[0] for i in inputs), **call_a)
    yb = theirs(*(i[1] for i in inputs), **call_b)
    _close(ya, yb, dtype, "output")
    _backward_both(ya, yb, rng)
    for k, (a, b) in enumerate(inputs):
        _close(a.grad, b.grad, dtype, f"grad of input {k}")
    _compare_param_grads(ours, theirs, dtype)


def _split_masks(masks, dtype):
    pairs = {k: _pair(m, dtype, False) for k, m in masks.items()}
    return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}


@pytest.mark.parametrize("train", [False, True], ids=["eval", "train-dropout0"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(ENCODER_CASES))
def test_transformer_encoder_layer_matches_torch(case, dtype, train):
    layer_kwargs, spec = ENCODER_CASES[case]
    kw = dict(d_model=E, nhead=H, dim_feedforward=10, dropout=0.0 if train else 0.3,
              **layer_kwargs)
    callable_gelu = kw.get("activation") == "callable-gelu"
    kw_a = dict(kw, activation=F.gelu) if callable_gelu else kw
    kw_b = dict(kw, activation=TF.gelu) if callable_gelu else kw
    ours, theirs = _make_layers(lambda: nn.TransformerEncoderLayer(**kw_a),
                                lambda: torch.nn.TransformerEncoderLayer(**kw_b), dtype, train)
    rng = np.random.default_rng(4)
    shape = (N, L, E) if kw.get("batch_first") else (L, N, E)
    x = _pair(rng.standard_normal(shape), dtype)
    call = {"is_causal": spec["is_causal"]} if "is_causal" in spec else {}
    ma, mb = _split_masks(_encoder_masks(rng, spec, N, L), dtype)
    _run_and_compare(ours, theirs, [x], dict(call, **ma), dict(call, **mb), dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_stack_matches_torch(dtype, norm_first):
    def build(m):
        layer = m.TransformerEncoderLayer(E, H, 8, dropout=0.0, norm_first=norm_first,
                                          batch_first=True)
        return m.TransformerEncoder(layer, 2, norm=m.LayerNorm(E), enable_nested_tensor=False)

    ours, theirs = _make_layers(lambda: build(nn), lambda: build(torch.nn), dtype, True)
    assert ours.layers[0].linear1.weight is not ours.layers[1].linear1.weight
    rng = np.random.default_rng(5)
    x = _pair(rng.standard_normal((N, L, E)), dtype)
    ma, mb = _split_masks({"mask": np.triu(np.ones((L, L), bool), 1),
                           "src_key_padding_mask": np.eye(N, L, 2, dtype=bool)}, dtype)
    _run_and_compare(ours, theirs, [x], ma, mb, dtype, rng)


DECODER_CASES = {
    "post-norm": ({}, {}),
    "pre-norm-gelu": ({"norm_first": True, "activation": "gelu"}, {}),
    "batch-first-masks": ({"batch_first": True}, {"masks": True}),
    "unbatched": ({}, {"unbatched": True}),
}


@pytest.mark.parametrize("train", [False, True], ids=["eval", "train-dropout0"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(DECODER_CASES))
def test_transformer_decoder_layer_matches_torch(case, dtype, train):
    layer_kwargs, spec = DECODER_CASES[case]
    kw = dict(d_model=E, nhead=H, dim_feedforward=10, dropout=0.0 if train else 0.3,
              **layer_kwargs)
    ours, theirs = _make_layers(lambda: nn.TransformerDecoderLayer(**kw),
                                lambda: torch.nn.TransformerDecoderLayer(**kw), dtype, train)
    rng = np.random.default_rng(6)
    if spec.get("unbatched"):
        shapes = [(L, E), (S, E)]
    elif kw.get("batch_first"):
        shapes = [(N, L, E), (N, S, E)]
    else:
        shapes = [(L, N, E), (S, N, E)]
    inputs = [_pair(rng.standard_normal(s), dtype) for s in shapes]
    masks = {}
    if spec.get("masks"):
        masks = {"tgt_mask": np.triu(np.ones((L, L), bool), 1),
                 "memory_mask": rng.standard_normal((L, S)),
                 "tgt_key_padding_mask": np.eye(N, L, 1, dtype=bool),
                 "memory_key_padding_mask": np.where(np.eye(N, S, 3) > 0, -np.inf, 0.0)}
    ma, mb = _split_masks(masks, dtype)
    call = {"tgt_is_causal": True} if masks else {}
    _run_and_compare(ours, theirs, inputs, dict(call, **ma), dict(call, **mb), dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(dtype, batch_first):
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2,
              dim_feedforward=8, dropout=0.0, batch_first=batch_first)
    ours, theirs = _make_layers(lambda: nn.Transformer(**kw), lambda: torch.nn.Transformer(**kw),
                                dtype, True)
    rng = np.random.default_rng(7)
    src_shape, tgt_shape = ((N, S, E), (N, L, E)) if batch_first else ((S, N, E), (L, N, E))
    inputs = [_pair(rng.standard_normal(s), dtype) for s in (src_shape, tgt_shape)]
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=getattr(autograd, dtype))
    call_a = {"tgt_mask": tgt_mask, "src_key_padding_mask": autograd.tensor(
        np.eye(N, S, 1, dtype=bool))}
    call_b = {"tgt_mask": torch.from_numpy(tgt_mask.numpy()),
              "src_key_padding_mask": torch.from_numpy(np.eye(N, S, 1, dtype=bool))}
    _run_and_compare(ours, theirs, inputs, call_a, call_b, dtype, rng)


def test_generate_square_subsequent_mask_matches_torch():
    ours = nn.Transformer.generate_square_subsequent_mask(5)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(5)
    assert ours.dtype == autograd.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_transformer_state_dict_keys_match_torch():
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
              dim_feedforward=16)
    assert list(nn.Transformer(**kw).state_dict()) == \
        list(torch.nn.Transformer(**kw).state_dict())
