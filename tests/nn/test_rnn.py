"""nn.RNN / LSTM / GRU and their cells: values against a plain NumPy loop written from the
PyTorch formulas, shapes, packed sequences, gradients (gradcheck), parameters, errors, and a
small training loop."""
import itertools
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd.gradcheck import gradcheck, gradgradcheck
from nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------------- NumPy reference
def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _np_step(mode, x, state, p):
    """One step from the PyTorch documentation's formulas, on arrays; p: dict of weights."""
    w_ih, w_hh, b_ih, b_hh = p["w_ih"], p["w_hh"], p.get("b_ih", 0), p.get("b_hh", 0)
    gi, gh = x @ w_ih.T + b_ih, state[0] @ w_hh.T + b_hh
    if mode in ("RNN_TANH", "RNN_RELU"):
        pre = gi + gh
        return (np.tanh(pre) if mode == "RNN_TANH" else np.maximum(pre, 0),)
    if mode == "GRU":
        H = state[0].shape[-1]
        r = _sigmoid(gi[:, :H] + gh[:, :H])
        z = _sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        return ((1 - z) * n + z * state[0],)
    H = state[1].shape[-1]
    gates = gi + gh
    i, f = _sigmoid(gates[:, :H]), _sigmoid(gates[:, H:2 * H])
    g, o = np.tanh(gates[:, 2 * H:3 * H]), _sigmoid(gates[:, 3 * H:])
    c = f * state[1] + i * g
    h = o * np.tanh(c)
    if "w_hr" in p:
        h = h @ p["w_hr"].T
    return h, c


def _np_rnn(module, x, state):
    """The whole stacked (bidirectional) network on a time-major (L, N, H_in) array."""
    mode = module.mode
    D = 2 if module.bidirectional else 1
    finals = []
    for layer in range(module.num_layers):
        outs = []
        for d in range(D):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            p = {short: getattr(module, long + sfx).detach().numpy()
                 for short, long in (("w_ih", "weight_ih"), ("w_hh", "weight_hh"),
                                     ("b_ih", "bias_ih"), ("b_hh", "bias_hh"),
                                     ("w_hr", "weight_hr")) if hasattr(module, long + sfx)}
            s = tuple(a[layer * D + d] for a in state)
            out = [None] * len(x)
            for t in (reversed(range(len(x))) if d else range(len(x))):
                s = _np_step(mode, x[t], s, p)
                out[t] = s[0]
            outs.append(np.stack(out))
            finals.append(s)
        x = np.concatenate(outs, -1)
    return x, tuple(np.stack([f[k] for f in finals]) for k in range(len(state)))


def _t(a, requires_grad=False):
    return autograd.tensor(a, dtype=autograd.float64, requires_grad=requires_grad)


def _make(kind, **kw):
    return getattr(nn, kind)(3, 4, **kw).double()


CONFIGS = [(kind, layers, bidir, bias) for kind in ("RNN", "LSTM", "GRU")
           for layers, bidir, bias in itertools.product((1, 2), (False, True), (True, False))]


@pytest.mark.parametrize("kind,layers,bidir,bias", CONFIGS)
def test_layers_match_a_numpy_loop_over_the_pytorch_formulas(kind, layers, bidir, bias):
    m = _make(kind, num_layers=layers, bidirectional=bidir, bias=bias)
    D = 2 if bidir else 1
    x = RNG.standard_normal((5, 2, 3))
    state = [RNG.standard_normal((D * layers, 2, 4))]
    if kind == "LSTM":
        state.append(RNG.standard_normal((D * layers, 2, 4)))
    out, h_n = m(_t(x), tuple(_t(s) for s in state) if kind == "LSTM" else _t(state[0]))
    ref_out, ref_state = _np_rnn(m, x, state)
    np.testing.assert_allclose(out.detach().numpy(), ref_out, rtol=1e-12, atol=1e-13)
    for ours, ref in zip(h_n if kind == "LSTM" else (h_n,), ref_state):
        np.testing.assert_allclose(ours.detach().numpy(), ref, rtol=1e-12, atol=1e-13)


def test_relu_rnn_and_projected_lstm_match_the_numpy_loop():
    relu = nn.RNN(3, 4, 2, "relu").double()          # nonlinearity as the 4th positional
    assert relu.mode == "RNN_RELU"
    x = RNG.standard_normal((4, 2, 3))
    np.testing.assert_allclose(relu(_t(x))[0].detach().numpy(),
                               _np_rnn(relu, x, [np.zeros((2, 2, 4))])[0], rtol=1e-12)
    proj = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2).double()
    state = [RNG.standard_normal((4, 2, 2)), RNG.standard_normal((4, 2, 4))]
    out, (h_n, c_n) = proj(_t(x), tuple(_t(s) for s in state))
    ref_out, (ref_h, ref_c) = _np_rnn(proj, x, state)
    assert out.shape == (4, 2, 4) and h_n.shape == (4, 2, 2) and c_n.shape == (4, 2, 4)
    np.testing.assert_allclose(out.detach().numpy(), ref_out, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(h_n.detach().numpy(), ref_h, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(c_n.detach().numpy(), ref_c, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_batch_first_and_unbatched_inputs_give_the_same_numbers(kind):
    m = _make(kind, num_layers=2, bidirectional=True)
    x = RNG.standard_normal((5, 2, 3))
    out, h_n = m(_t(x))
    m.batch_first = True
    out_bf, h_bf = m(_t(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out_bf.detach().numpy(),
                               out.detach().numpy().transpose(1, 0, 2), rtol=1e-13)
    h_n, h_bf = (h_n, h_bf) if kind == "LSTM" else ((h_n,), (h_bf,))
    for a, b in zip(h_n, h_bf):  # h_n stays (D * num_layers, N, H) with batch_first
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13)
    m.batch_first = False
    one, h_one = m(_t(x[:, 1]))
    np.testing.assert_allclose(one.detach().numpy(), out.detach().numpy()[:, 1], rtol=1e-13)
    for a, b in zip(h_one if kind == "LSTM" else (h_one,), h_n):
        assert a.shape == (4, 4)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy()[:, 1], rtol=1e-13)


def test_absent_initial_state_means_zeros():
    m = _make("LSTM", num_layers=2)
    x = _t(RNG.standard_normal((3, 2, 3)))
    zeros = autograd.zeros(2, 2, 4, dtype=autograd.float64)
    np.testing.assert_array_equal(m(x)[0].detach().numpy(),
                                  m(x, (zeros, zeros))[0].detach().numpy())


# ---------------------------------------------------------------------- cells
@pytest.mark.parametrize("kind,mode", [("RNNCell", "RNN_TANH"), ("LSTMCell", "LSTM"),
                                       ("GRUCell", "GRU")])
def test_cells_match_one_numpy_step_batched_and_unbatched(kind, mode):
    cell = getattr(nn, kind)(3, 4).double()
    p = {"w_ih": cell.weight_ih.detach().numpy(), "w_hh": cell.weight_hh.detach().numpy(),
         "b_ih": cell.bias_ih.detach().numpy(), "b_hh": cell.bias_hh.detach().numpy()}
    x = RNG.standard_normal((2, 3))
    state = tuple(RNG.standard_normal((2, 4)) for _ in range(2 if mode == "LSTM" else 1))
    ref = _np_step(mode, x, state, p)
    hx = tuple(_t(s) for s in state) if mode == "LSTM" else _t(state[0])
    out = cell(_t(x), hx)
    out = out if mode == "LSTM" else (out,)
    for a, b in zip(out, ref):
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-13)
    hx1 = tuple(_t(s[0]) for s in state) if mode == "LSTM" else _t(state[0][0])
    single = cell(_t(x[0]), hx1)
    for a, b in zip(single if mode == "LSTM" else (single,), ref):
        assert a.shape == (4,)
        np.testing.assert_allclose(a.detach().numpy(), b[0], rtol=1e-13)


def test_relu_cell_without_bias():
    cell = nn.RNNCell(3, 4, bias=False, nonlinearity="relu").double()
    assert cell.bias_ih is None and [n for n, _ in cell.named_parameters()] == \
        ["weight_ih", "weight_hh"]
    x = RNG.standard_normal((2, 3))
    expected = np.maximum(x @ cell.weight_ih.detach().numpy().T, 0)  # zero initial state
    np.testing.assert_allclose(cell(_t(x)).detach().numpy(), expected, rtol=1e-13)


def test_cell_gradients_pass_gradcheck_and_gradgradcheck():
    for kind in ("RNNCell", "LSTMCell", "GRUCell"):
        cell = getattr(nn, kind)(2, 3).double()
        x = _t(RNG.standard_normal((2, 2)), True)
        h = _t(RNG.standard_normal((2, 3)), True)
        c = _t(RNG.standard_normal((2, 3)), True)
        if kind == "LSTMCell":
            def fn(x, h, c):
                return cell(x, (h, c))
            args = (x, h, c)
        else:
            def fn(x, h):
                return cell(x, h)
            args = (x, h)
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_bidirectional_two_layer_lstm_passes_gradcheck_wrt_input_and_initial_state():
    m = nn.LSTM(2, 3, num_layers=2, bidirectional=True).double()
    x = _t(RNG.standard_normal((3, 2, 2)), True)
    h0 = _t(RNG.standard_normal((4, 2, 3)), True)
    c0 = _t(RNG.standard_normal((4, 2, 3)), True)

    def fn(x, h0, c0):
        out, (h_n, c_n) = m(x, (h0, c0))
        return out, h_n, c_n

    assert gradcheck(fn, (x, h0, c0))


def test_packed_gru_passes_gradcheck_and_gradgradcheck():
    m = nn.GRU(2, 2, bidirectional=True).double()
    x = _t(RNG.standard_normal((3, 3, 2)), True)
    h0 = _t(RNG.standard_normal((2, 3, 2)), True)

    def fn(x, h0):
        out, h_n = m(pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False), h0)
        return pad_packed_sequence(out)[0], h_n

    assert gradcheck(fn, (x, h0))
    assert gradgradcheck(fn, (x, h0))


def test_an_early_output_gets_gradient_from_earlier_steps_only():
    m = nn.GRU(3, 4).double()
    x = _t(RNG.standard_normal((5, 2, 3)), True)
    out, _ = m(x)
    out[1].sum().backward()
    grad = x.grad.detach().numpy()
    assert np.abs(grad[:2]).min() > 0 and not grad[2:].any()


# ---------------------------------------------------------------------- packed sequences
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_packed_batch_gives_each_sequence_what_it_gives_alone(kind):
    m = _make(kind, num_layers=2, bidirectional=True)
    lengths = [2, 5, 1, 3]
    seqs = [RNG.standard_normal((n, 3)) for n in lengths]
    state = [RNG.standard_normal((4, 4, 4)) for _ in range(2 if kind == "LSTM" else 1)]
    hx = tuple(_t(s) for s in state) if kind == "LSTM" else _t(state[0])
    out, h_n = m(pack_sequence([_t(s) for s in seqs], enforce_sorted=False), hx)
    padded, out_lengths = pad_packed_sequence(out, batch_first=True)
    assert out_lengths.tolist() == lengths and padded.shape == (4, 5, 8)
    h_n = h_n if kind == "LSTM" else (h_n,)
    for b, seq in enumerate(seqs):
        alone, h_alone = m(_t(seq), tuple(_t(s[:, b]) for s in state) if kind == "LSTM"
                           else _t(state[0][:, b]))
        n = lengths[b]
        np.testing.assert_allclose(padded[b, :n].detach().numpy(), alone.detach().numpy(),
                                   rtol=1e-12, atol=1e-14)
        assert not padded[b, n:].detach().numpy().any()  # zero beyond each length
        for a, ref in zip(h_n, h_alone if kind == "LSTM" else (h_alone,)):
            np.testing.assert_allclose(a[:, b].detach().numpy(), ref.detach().numpy(),
                                       rtol=1e-12, atol=1e-14)


def test_packed_output_keeps_the_batch_sizes_and_indices():
    m = nn.LSTM(3, 4)
    packed = pack_sequence([autograd.randn(2, 3), autograd.randn(3, 3)], enforce_sorted=False)
    out, _ = m(packed)
    assert out.batch_sizes is packed.batch_sizes
    assert out.sorted_indices.tolist() == [1, 0] and out.unsorted_indices.tolist() == [1, 0]
    assert out.data.shape == (5, 4)


# ---------------------------------------------------------------------- parameters
def test_parameter_names_shapes_and_order_follow_pytorch():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    expected = []
    for layer, in_size in ((0, 3), (1, 4)):
        for sfx in ("", "_reverse"):
            expected += [(f"weight_ih_l{layer}{sfx}", (20, in_size)),
                         (f"weight_hh_l{layer}{sfx}", (20, 2)),
                         (f"bias_ih_l{layer}{sfx}", (20,)), (f"bias_hh_l{layer}{sfx}", (20,)),
                         (f"weight_hr_l{layer}{sfx}", (2, 5))]
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == expected
    assert list(m.state_dict()) == [n for n, _ in expected]
    assert m._flat_weights_names == [n for n, _ in expected]
    assert [len(ws) for ws in m.all_weights] == [5, 5, 5, 5]
    gru = nn.GRU(3, 5, bias=False)
    assert [(n, tuple(p.shape)) for n, p in gru.named_parameters()] == \
        [("weight_ih_l0", (15, 3)), ("weight_hh_l0", (15, 5))]


def test_default_init_is_uniform_within_one_over_sqrt_hidden():
    autograd.manual_seed(1)
    for m in (nn.GRU(4, 16, 2), nn.LSTMCell(4, 16)):
        values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
        assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24
        assert abs(values.mean()) < 0.02 and values.std() > 0.13   # U(-a, a): std a / sqrt(3)
        assert all(p.dtype == autograd.float32 for p in m.parameters())


def test_dtype_argument_and_double_cast_the_parameters():
    m = nn.GRU(3, 4, dtype=autograd.float64, device="cpu")
    assert all(p.dtype == autograd.float64 for p in m.parameters())
    out, h = nn.RNN(3, 4)(autograd.randn(2, 1, 3))
    assert out.dtype == autograd.float32 and h.dtype == autograd.float32


def test_flatten_parameters_changes_nothing_and_repr_follows_pytorch():
    m = nn.LSTM(10, 20, num_layers=2, batch_first=True)
    before = [p.detach().numpy().copy() for p in m.parameters()]
    assert m.flatten_parameters() is None
    assert all((a == p.detach().numpy()).all() for a, p in zip(before, m.parameters()))
    assert repr(m) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(nn.GRU(3, 4, 2, False, dropout=0.2, bidirectional=True)) == \
            "GRU(3, 4, num_layers=2, bias=False, dropout=0.2, bidirectional=True)"
    assert repr(nn.LSTM(3, 4, proj_size=2)) == "LSTM(3, 4, proj_size=2)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4, bias=False)) == "LSTMCell(3, 4, bias=False)"


# ---------------------------------------------------------------------- dropout
def test_dropout_acts_between_layers_in_training_only():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5).double()
    x = _t(RNG.standard_normal((4, 2, 3)))
    m.eval()
    ref = _np_rnn(m, x.detach().numpy(), [np.zeros((2, 2, 4))])[0]
    np.testing.assert_allclose(m(x)[0].detach().numpy(), ref, rtol=1e-12)
    m.train()
    first, second = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(first, ref) and not np.allclose(first, second)
    single = nn.GRU(3, 4, num_layers=2, dropout=0.0).double()
    single.load_state_dict(m.state_dict())
    np.testing.assert_array_equal(single(x)[0].detach().numpy(), m.eval()(x)[0].detach().numpy())


# ---------------------------------------------------------------------- errors
def test_constructor_rejects_bad_arguments():
    cases = [
        (ValueError, "only supported for LSTM", lambda: nn.GRU(3, 4, proj_size=2)),
        (ValueError, "only supported for LSTM", lambda: nn.RNN(3, 4, proj_size=2)),
        (ValueError, "smaller than hidden_size", lambda: nn.LSTM(3, 4, proj_size=4)),
        (ValueError, "positive integer or zero", lambda: nn.LSTM(3, 4, proj_size=-1)),
        (ValueError, r"range \[0, 1\]", lambda: nn.LSTM(3, 4, dropout=1.5)),
        (ValueError, "hidden_size must be greater than zero", lambda: nn.LSTM(3, 0)),
        (ValueError, "num_layers must be greater than zero", lambda: nn.GRU(3, 4, 0)),
        (ValueError, "Unknown nonlinearity 'gelu'", lambda: nn.RNN(3, 4, nonlinearity="gelu")),
        (ValueError, "Unknown nonlinearity", lambda: nn.RNNCell(3, 4, nonlinearity="gelu")),
        (TypeError, "hidden_size should be of type int, got: float", lambda: nn.LSTM(3, 4.0)),
        (TypeError, "batch_first should be of type bool", lambda: nn.GRU(3, 4, 1, True, 1)),
    ]
    for exc, message, make in cases:
        with pytest.raises(exc, match=message):
            make()


def test_forward_rejects_bad_inputs_and_states_naming_the_shapes():
    lstm, gru = nn.LSTM(3, 4, 2), nn.GRU(3, 4)
    z = autograd.zeros
    cases = [
        (RuntimeError, "Expected 3, got 6", lambda: lstm(autograd.randn(5, 2, 6))),
        (ValueError, "LSTM: Expected input to be 2D or 3D, got 4D",
         lambda: lstm(autograd.randn(5, 2, 2, 3))),
        (RuntimeError, r"Expected hidden\[0\] size \(2, 2, 4\), got \[1, 2, 4\]",
         lambda: lstm(autograd.randn(5, 2, 3), (z(1, 2, 4), z(2, 2, 4)))),
        (RuntimeError, r"Expected hidden\[1\] size \(2, 2, 4\), got \[2, 3, 4\]",
         lambda: lstm(autograd.randn(5, 2, 3), (z(2, 2, 4), z(2, 3, 4)))),
        (RuntimeError, r"unbatched 2-D input, hx and cx should also be 2-D but got \(3-D, 3-D\)",
         lambda: lstm(autograd.randn(5, 3), (z(2, 2, 4), z(2, 2, 4)))),
        (RuntimeError, r"batched 3-D input, hx and cx should also be 3-D",
         lambda: lstm(autograd.randn(5, 2, 3), (z(2, 4), z(2, 4)))),
        (ValueError, r"input dtype \(float64\) does not match weight dtype \(float32\)",
         lambda: lstm(autograd.randn(5, 2, 3, dtype=autograd.float64))),
        (RuntimeError, r"Expected hidden size \(1, 2, 4\), got \[2, 2, 4\]",
         lambda: gru(autograd.randn(5, 2, 3), z(2, 2, 4))),
        (RuntimeError, "hx should also be 3-D but got 2-D",
         lambda: gru(autograd.randn(5, 2, 3), z(2, 4))),
        (TypeError, "hx must be a tuple", lambda: lstm(autograd.randn(5, 2, 3), z(2, 2, 4))),
        (RuntimeError, "sequence length to be larger than 0", lambda: gru(z(0, 2, 3))),
        (RuntimeError, "input has inconsistent input_size: got 5 expected 3",
         lambda: nn.LSTMCell(3, 4)(autograd.randn(2, 5))),
        (ValueError, "GRUCell: Expected input to be 1D or 2D, got 3D",
         lambda: nn.GRUCell(3, 4)(autograd.randn(2, 2, 3))),
        (RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3",
         lambda: nn.LSTMCell(3, 4)(autograd.randn(2, 3), (z(3, 4), z(3, 4)))),
        (RuntimeError, "hidden0 has inconsistent hidden_size: got 5, expected 4",
         lambda: nn.RNNCell(3, 4)(autograd.randn(2, 3), z(2, 5))),
    ]
    for exc, message, call in cases:
        with pytest.raises(exc, match=message):
            call()


# ---------------------------------------------------------------------- a user's script
class CharModel(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, 8)
        self.lstm = nn.LSTM(8, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def test_a_char_level_lstm_learns_to_predict_the_next_character():
    text = "hello world, hello tapegrad. " * 4
    chars = sorted(set(text))
    ids = np.array([chars.index(ch) for ch in text])
    windows = np.stack([ids[i:i + 13] for i in range(0, len(ids) - 13, 3)])
    inputs, targets = autograd.tensor(windows[:, :-1]), autograd.tensor(windows[:, 1:])
    autograd.manual_seed(0)
    model = CharModel(len(chars), 32)
    opt = optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(30):
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), targets.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] > 2.0                # about log(vocabulary size) at the start
    assert losses[-1] < 0.5 * losses[0]
