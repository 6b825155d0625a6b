"""nn.RNN / LSTM / GRU, the cells and nn.utils.rnn against PyTorch: the torch module's state dict
copied into ours, then outputs, final states and every gradient compared (skipped when torch is
not installed; CPU build: `pip install torch==2.13.0`)."""
import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.utils.rnn as trnn  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.utils.rnn as ornn  # noqa: E402

RNG = np.random.default_rng(0)
TOL = {"float64": dict(rtol=1e-10, atol=1e-10), "float32": dict(rtol=1e-5, atol=1e-5)}


def _pair(kind, dtype, **kw):
    """A torch module and ours with the same weights (ours loads torch's state dict)."""
    theirs = getattr(torch.nn, kind)(3, 4, **kw).to(getattr(torch, dtype))
    ours = getattr(nn, kind)(3, 4, dtype=getattr(autograd, dtype), **kw)
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)
    return ours, theirs


def _both(a, dtype):
    a = a.astype(dtype)
    return (autograd.tensor(a, requires_grad=True),
            torch.tensor(a, requires_grad=True))


def _state_args(kind, ours_h, theirs_h):
    """Pack the initial state leaves as each library's forward takes them."""
    if not ours_h:
        return (), ()
    if kind == "LSTM":
        return (tuple(ours_h),), (tuple(theirs_h),)
    return (ours_h[0],), (theirs_h[0],)


def _close(ours, theirs, dtype, what):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **TOL[dtype],
                               err_msg=what)


def _backward_and_compare(ours, theirs, out_o, out_t, finals_o, finals_t, leaves, dtype):
    """Backpropagate the same weighted sum through both and compare every gradient."""
    weights = RNG.standard_normal(tuple(out_t.shape)).astype(dtype)
    loss_o = (out_o * autograd.tensor(weights)).sum()
    loss_t = (out_t * torch.tensor(weights)).sum()
    for f_o, f_t in zip(finals_o, finals_t):
        w = RNG.standard_normal(tuple(f_t.shape)).astype(dtype)
        loss_o = loss_o + (f_o * autograd.tensor(w)).sum()
        loss_t = loss_t + (f_t * torch.tensor(w)).sum()
    loss_o.backward()
    loss_t.backward()
    for k, (a, b) in enumerate(leaves):
        _close(a.grad, b.grad, dtype, f"gradient of input {k}")
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, theirs_params[name].grad, dtype, f"gradient of {name}")


COMBOS = [(kind, dtype, layers, bidir, batch_first, bias, unbatched, with_h0, proj)
          for kind, dtype in itertools.product(("RNN", "LSTM", "GRU"), ("float64", "float32"))
          for layers, bidir, batch_first, bias, unbatched, with_h0 in
          itertools.product((1, 2), *[(False, True)] * 5)
          for proj in ((0, 2) if kind == "LSTM" else (0,))]


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("kind,dtype,layers,bidir,batch_first,bias,unbatched,with_h0,proj",
                         COMBOS)
def test_layer_matches_torch(kind, dtype, layers, bidir, batch_first, bias, unbatched,
                             with_h0, proj):
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if proj:
        kw["proj_size"] = proj
    ours, theirs = _pair(kind, dtype, **kw)
    L, N, D = 4, 3, 2 if bidir else 1
    shape = (L, 3) if unbatched else (N, L, 3) if batch_first else (L, N, 3)
    x_o, x_t = _both(RNG.standard_normal(shape), dtype)
    lead = (D * layers,) if unbatched else (D * layers, N)
    h_o, h_t = [], []
    if with_h0:
        sizes = [proj or 4] + ([4] if kind == "LSTM" else [])
        for size in sizes:
            a, b = _both(RNG.standard_normal(lead + (size,)), dtype)
            h_o.append(a)
            h_t.append(b)
    extra_o, extra_t = _state_args(kind, h_o, h_t)
    out_o, fin_o = ours(x_o, *extra_o)
    out_t, fin_t = theirs(x_t, *extra_t)
    fin_o, fin_t = (fin_o, fin_t) if kind == "LSTM" else ((fin_o,), (fin_t,))
    assert out_o.dtype == getattr(autograd, dtype)
    assert tuple(out_o.shape) == tuple(out_t.shape)
    _close(out_o, out_t, dtype, "output")
    for k, (a, b) in enumerate(zip(fin_o, fin_t)):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b, dtype, f"final state {k}")
    _backward_and_compare(ours, theirs, out_o, out_t, fin_o, fin_t,
                          [(x_o, x_t)] + list(zip(h_o, h_t)), dtype)


PACKED = [(kind, dtype, layers, bidir, enforce_sorted, with_h0, proj)
          for kind, dtype in itertools.product(("RNN", "LSTM", "GRU"), ("float64", "float32"))
          for layers, bidir, enforce_sorted, with_h0 in
          itertools.product((1, 2), *[(False, True)] * 3)
          for proj in ((0, 3) if kind == "LSTM" and dtype == "float64" else (0,))]


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("kind,dtype,layers,bidir,enforce_sorted,with_h0,proj", PACKED)
def test_packed_sequences_match_torch(kind, dtype, layers, bidir, enforce_sorted, with_h0,
                                      proj):
    kw = dict(proj_size=proj) if proj else {}
    ours, theirs = _pair(kind, dtype, num_layers=layers, bidirectional=bidir, **kw)
    lengths = [6, 4, 4, 2, 1] if enforce_sorted else [2, 6, 1, 4, 4]
    x_o, x_t = _both(RNG.standard_normal((6, 5, 3)), dtype)
    p_o = ornn.pack_padded_sequence(x_o, lengths, enforce_sorted=enforce_sorted)
    p_t = trnn.pack_padded_sequence(x_t, lengths, enforce_sorted=enforce_sorted)
    D = 2 if bidir else 1
    h_o, h_t = [], []
    if with_h0:
        for size in ([proj or 4, 4] if kind == "LSTM" else [4]):
            a, b = _both(RNG.standard_normal((D * layers, 5, size)), dtype)
            h_o.append(a)
            h_t.append(b)
    extra_o, extra_t = _state_args(kind, h_o, h_t)
    out_o, fin_o = ours(p_o, *extra_o)
    out_t, fin_t = theirs(p_t, *extra_t)
    fin_o, fin_t = (fin_o, fin_t) if kind == "LSTM" else ((fin_o,), (fin_t,))
    assert out_o.batch_sizes.tolist() == out_t.batch_sizes.tolist()
    _close(out_o.data, out_t.data, dtype, "packed output")
    pad_o, len_o = ornn.pad_packed_sequence(out_o, batch_first=True)
    pad_t, len_t = trnn.pad_packed_sequence(out_t, batch_first=True)
    assert len_o.tolist() == len_t.tolist()
    _close(pad_o, pad_t, dtype, "padded output")
    for k, (a, b) in enumerate(zip(fin_o, fin_t)):
        _close(a, b, dtype, f"final state {k}")
    _backward_and_compare(ours, theirs, pad_o, pad_t, fin_o, fin_t,
                          [(x_o, x_t)] + list(zip(h_o, h_t)), dtype)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("dtype,bias,unbatched,with_h",
                         list(itertools.product(("float64", "float32"), *[(False, True)] * 3)))
def test_cells_match_torch(kind, dtype, bias, unbatched, with_h):
    kw = dict(bias=bias) if kind != "RNNCell" else dict(bias=bias, nonlinearity="relu")
    ours, theirs = _pair(kind, dtype, **kw)
    x_o, x_t = _both(RNG.standard_normal((3,) if unbatched else (2, 3)), dtype)
    h_o, h_t = [], []
    if with_h:
        for _ in range(2 if kind == "LSTMCell" else 1):
            a, b = _both(RNG.standard_normal((4,) if unbatched else (2, 4)), dtype)
            h_o.append(a)
            h_t.append(b)
    extra_o, extra_t = _state_args("LSTM" if kind == "LSTMCell" else kind, h_o, h_t)
    out_o, out_t = ours(x_o, *extra_o), theirs(x_t, *extra_t)
    out_o, out_t = (out_o, out_t) if kind == "LSTMCell" else ((out_o,), (out_t,))
    for a, b in zip(out_o, out_t):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b, dtype, "cell output")
    _backward_and_compare(ours, theirs, out_o[0], out_t[0], out_o[1:], out_t[1:],
                          [(x_o, x_t)] + list(zip(h_o, h_t)), dtype)


def test_state_dict_keys_and_shapes_equal_torchs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [("LSTM", dict(num_layers=3, bidirectional=True, proj_size=2)),
                 ("GRU", dict(num_layers=2, bias=False)),
                 ("RNN", dict(num_layers=2, nonlinearity="relu", dropout=0.1)),
                 ("LSTMCell", {}), ("GRUCell", dict(bias=False)), ("RNNCell", {})]
    for kind, kw in pairs:
        ours, theirs = getattr(nn, kind)(3, 5, **kw), getattr(torch.nn, kind)(3, 5, **kw)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        assert repr(ours) == repr(theirs)


def test_pad_and_pack_utilities_match_torch():
    seqs = [RNG.standard_normal((n, 2)) for n in (3, 5, 1, 5)]
    for batch_first, side in itertools.product((False, True), ("left", "right")):
        ours = ornn.pad_sequence([autograd.tensor(s) for s in seqs], batch_first, -2.0, side)
        theirs = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, -2.0, side)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours = ornn.pack_sequence([autograd.tensor(s) for s in seqs], enforce_sorted=False)
    theirs = trnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    assert ours.batch_sizes.tolist() == theirs.batch_sizes.tolist()
    assert ours.sorted_indices.tolist() == theirs.sorted_indices.tolist()  # ties: stable
    assert ours.unsorted_indices.tolist() == theirs.unsorted_indices.tolist()
    for total in (None, 7):
        a, la = ornn.pad_packed_sequence(ours, True, 0.5, total)
        b, lb = trnn.pad_packed_sequence(theirs, True, 0.5, total)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert la.tolist() == lb.tolist()


def test_errors_have_torchs_types():
    z_o, z_t = autograd.zeros, torch.zeros
    cases = [
        ("LSTM", (3, 4, 2), lambda m, z, r: m(r(5, 2, 6))),
        ("LSTM", (3, 4, 2), lambda m, z, r: m(r(5, 2, 2, 3))),
        ("LSTM", (3, 4, 2), lambda m, z, r: m(r(5, 2, 3), (z(1, 2, 4), z(2, 2, 4)))),
        ("LSTM", (3, 4, 2), lambda m, z, r: m(r(5, 3), (z(2, 2, 4), z(2, 2, 4)))),
        ("GRU", (3, 4), lambda m, z, r: m(r(5, 2, 3), z(2, 2, 4))),
        ("RNN", (3, 4), lambda m, z, r: m(r(5, 2, 3), z(2, 4))),
        ("RNN", (3, 4), lambda m, z, r: m(r(5, 2, 3).double())),
        ("GRU", (3, 4), lambda m, z, r: m(r(0, 2, 3))),
        ("LSTMCell", (3, 4), lambda m, z, r: m(r(2, 5))),
        ("GRUCell", (3, 4), lambda m, z, r: m(r(2, 2, 3))),
        ("RNNCell", (3, 4), lambda m, z, r: m(r(2, 3), z(3, 4))),
        ("RNNCell", (3, 4), lambda m, z, r: m(r(2, 3), z(2, 5))),
        ("RNNCell", (3, 4), lambda m, z, r: m(r(3), z(2, 4))),
        ("GRUCell", (3, 4), lambda m, z, r: m(r(2, 3).double())),
        ("GRUCell", (3, 4), lambda m, z, r: m(r(2, 3), z(2, 4).double())),
        ("GRU", (3, 4), lambda m, z, r: m(r(2, 1, 3), z(1, 1, 4).double())),
    ]
    for kind, args, call in cases:
        with pytest.raises(Exception) as theirs:
            call(getattr(torch.nn, kind)(*args), z_t, torch.randn)
        with pytest.raises(theirs.type):
            call(getattr(nn, kind)(*args), z_o, autograd.randn)
