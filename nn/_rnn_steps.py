"""One time step of each recurrent cell, and the loop that runs a cell over a batch of
sequences (used by `nn.rnn`).

Each step takes `xg`, the input's share of the gate pre-activations (x @ W_ih.T + b_ih,
computed for all time steps at once before the loop), and the state (h,) or (h, c), and
returns the new state. The steps are composed from differentiable ops, so gradients of any
order come from the ops themselves.
"""
import autograd
from autograd.function import Function
from autograd.ops import nn as _nnops

__all__ = ["rnn_tanh_step", "rnn_relu_step", "lstm_step", "gru_step", "run_direction"]


def rnn_tanh_step(xg, state, w_hh, b_hh, w_hr=None):
    """h' = tanh(xg + h @ W_hh.T + b_hh).   xg: (N, H)  h: (N, H)"""
    h, = state
    return (autograd.tanh(xg + _nnops.linear(h, w_hh, b_hh)),)


def rnn_relu_step(xg, state, w_hh, b_hh, w_hr=None):
    """h' = relu(xg + h @ W_hh.T + b_hh).   xg: (N, H)  h: (N, H)"""
    h, = state
    return (autograd.relu(xg + _nnops.linear(h, w_hh, b_hh)),)


def lstm_step(xg, state, w_hh, b_hh, w_hr=None):
    """Gates i, f, g, o (in that order along the last dim of the pre-activations):

    i, f, o = sigmoid(.), g = tanh(.);  c' = f * c + i * g;  h' = o * tanh(c'),
    then h' = h' @ W_hr.T when projected.

    Shapes: xg: (N, 4H)  h: (N, P or H)  c: (N, H)  ->  ((N, P or H), (N, H))
    """
    h, c = state
    i, f, g, o = autograd.chunk(xg + _nnops.linear(h, w_hh, b_hh), 4, 1)
    c = autograd.sigmoid(f) * c + autograd.sigmoid(i) * autograd.tanh(g)
    h = autograd.sigmoid(o) * autograd.tanh(c)
    if w_hr is not None:
        h = _nnops.linear(h, w_hr)
    return h, c


def gru_step(xg, state, w_hh, b_hh, w_hr=None):
    """Gates r, z, n (in that order), with r applied to the hidden share of n:

    r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n),
    h' = (1 - z) * n + z * h,   where h_* = (h @ W_hh.T + b_hh) split in three.

    Shapes: xg: (N, 3H)  h: (N, H)  ->  (N, H)
    """
    h, = state
    x_r, x_z, x_n = autograd.chunk(xg, 3, 1)
    h_r, h_z, h_n = autograd.chunk(_nnops.linear(h, w_hh, b_hh), 3, 1)
    r = autograd.sigmoid(x_r + h_r)
    z = autograd.sigmoid(x_z + h_z)
    n = autograd.tanh(x_n + r * h_n)
    return (n + z * (h - n),)


class _SplitRows(Function):
    """The row blocks x[starts[t]:starts[t + 1]] as separate outputs.   gx = cat(g_t).

    # NOTE: one node for all the steps, because slicing the (S, G) input projection once per
    # step would leave each step's backward a full (S, G) array of zeros to fill and add
    # (O(L * S * G) work for L steps); here the backward is one concatenation.

    Shapes: x: (S, *)  ->  one (starts[t + 1] - starts[t], *) block per step
    """

    @staticmethod
    def forward(ctx, x, starts):
        return tuple(x[a:b] for a, b in zip(starts[:-1], starts[1:]))

    @staticmethod
    def backward(ctx, *gs):
        return autograd.cat(gs, 0), None


def run_direction(step, xg, batch_sizes, state, weights, reverse=False):
    """Run `step` over packed, time-major pre-activations.

    `xg` (sum(batch_sizes), G) holds the rows of step 0, then step 1, ...; step t has
    `batch_sizes[t]` rows (non-increasing: the sequences still running are always the first
    ones). The state rows of a sequence stop changing after its last step (forwards) or start
    from the initial state at its last step (in reverse), so each sequence's final state is
    taken at its own end, with no padding ever computed.

    Returns the outputs (sum(batch_sizes), H_out) in the same packed order and the final
    state, each (N, *) with N = batch_sizes[0].
    """
    starts = [0]
    for n in batch_sizes:
        starts.append(starts[-1] + n)
    steps = len(batch_sizes)
    outs = [None] * steps
    xg = _SplitRows.apply(xg, starts) if steps > 1 else (xg,)
    if not reverse:
        active, done = state, []
        for t in range(steps):
            n = batch_sizes[t]
            if n < active[0].shape[0]:
                done.insert(0, tuple(s[n:] for s in active))
                active = tuple(s[:n] for s in active)
            active = step(xg[t], active, *weights)
            outs[t] = active[0]
        final = active if not done else tuple(
            autograd.cat([a] + [d[k] for d in done], 0) for k, a in enumerate(active))
    else:
        active, running = None, 0
        for t in range(steps - 1, -1, -1):
            n = batch_sizes[t]
            if n > running:
                fresh = tuple(s[running:n] for s in state) if running or n < \
                    state[0].shape[0] else state
                active = fresh if active is None else tuple(
                    autograd.cat([a, f], 0) for a, f in zip(active, fresh))
                running = n
            active = step(xg[t], active, *weights)
            outs[t] = active[0]
        final = active
    return autograd.cat(outs, 0), final
