"""Hand-written NumPy baselines: what a skilled NumPy user writes for each workload.

Buffers are preallocated and written with `out=` wherever a skilled user would reuse them
across steps (the MLP, the optimizer, the large-tensor ops); the tiny-tensor chain allocates a
new array per multiply, as every graph must keep each intermediate.
"""
import math

import numpy as np

F32 = np.float32


def init_mlp(sizes=(784, 256, 128, 10), seed=0):
    """PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)) for weight and bias, as
    float32 arrays [(W (out, in), b (out,)), ...]."""
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(n_in)
        w = rng.uniform(-bound, bound, (n_out, n_in)).astype(F32)
        b = rng.uniform(-bound, bound, (n_out,)).astype(F32)
        out.append((w, b))
    return out


def mlp_batch(batch, n_in=784, n_classes=10, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_in)).astype(F32)
    y = rng.integers(0, n_classes, batch).astype(np.int64)
    return x, y


def adam_update(p, g, m, v, buf, step, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One in-place Adam step (PyTorch's formula) with one scratch buffer, no temporaries."""
    m *= beta1
    np.multiply(g, 1.0 - beta1, out=buf)
    m += buf
    v *= beta2
    np.multiply(g, g, out=buf)
    buf *= 1.0 - beta2
    v += buf
    bc1 = 1.0 - beta1 ** step
    bc2 = 1.0 - beta2 ** step
    np.sqrt(v, out=buf)
    buf *= 1.0 / math.sqrt(bc2)
    buf += eps
    np.divide(m, buf, out=buf)
    buf *= lr / bc1
    p -= buf


def scratch_views(params):
    """One scratch array, the size of the largest parameter, viewed in each one's shape (the
    updates run one parameter at a time, so they can share it)."""
    flat = np.empty(max(p.size for p in params), params[0].dtype)
    return [flat[:p.size].reshape(p.shape) for p in params]


class MLP:
    """Forward, backward and update of the ReLU MLP with softmax cross-entropy, written by
    hand with every activation, gradient and optimizer buffer allocated once."""

    def __init__(self, weights, batch, optimizer="sgd", lr=0.01):
        self.W = [w.copy() for w, _ in weights]
        self.b = [b.copy() for _, b in weights]
        self.lr = lr
        self.optimizer = optimizer
        self.batch = batch
        self.h = [np.empty((batch, w.shape[0]), F32) for w in self.W]
        self.gh = [np.empty((batch, w.shape[0]), F32) for w in self.W[:-1]]
        self.mask = [np.empty((batch, w.shape[0]), bool) for w in self.W[:-1]]
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]
        self.rowmax = np.empty((batch, 1), F32)
        self.rowsum = np.empty((batch, 1), F32)
        self.rows = np.arange(batch)
        self.t = 0
        if optimizer == "adam":
            params = self.W + self.b
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
            self.buf = scratch_views(params)

    def step(self, x, y):
        """One SGD or Adam step on the batch; returns the mean loss (a Python float). A batch
        smaller than the buffers (an epoch's last) uses views of their first rows."""
        W, b = self.W, self.b
        n = x.shape[0]
        if n == self.batch:
            h, gh, mask, rows = self.h, self.gh, self.mask, self.rows
            rowmax, rowsum = self.rowmax, self.rowsum
        else:
            h = [a[:n] for a in self.h]
            gh = [a[:n] for a in self.gh]
            mask = [a[:n] for a in self.mask]
            rows, rowmax, rowsum = self.rows[:n], self.rowmax[:n], self.rowsum[:n]
        a = x
        last = len(W) - 1
        for i in range(len(W)):
            np.matmul(a, W[i].T, out=h[i])
            h[i] += b[i]
            if i < last:
                np.maximum(h[i], 0, out=h[i])
            a = h[i]
        z = h[last]
        np.max(z, axis=1, keepdims=True, out=rowmax)
        z -= rowmax
        picked = z[rows, y]
        np.exp(z, out=z)
        np.sum(z, axis=1, keepdims=True, out=rowsum)
        loss = float(np.mean(np.log(rowsum[:, 0]) - picked))
        z /= rowsum
        z[rows, y] -= 1.0
        z *= 1.0 / n
        g = z
        for i in range(last, -1, -1):
            a_prev = x if i == 0 else h[i - 1]
            np.matmul(g.T, a_prev, out=self.gW[i])
            np.sum(g, axis=0, out=self.gb[i])
            if i > 0:
                np.matmul(g, W[i], out=gh[i - 1])
                np.greater(h[i - 1], 0, out=mask[i - 1])
                np.multiply(gh[i - 1], mask[i - 1], out=gh[i - 1])
                g = gh[i - 1]
        self._update()
        return loss

    def _update(self):
        params = self.W + self.b
        grads = self.gW + self.gb
        if self.optimizer == "sgd":
            for p, g in zip(params, grads):
                g *= self.lr
                p -= g
        else:
            self.t += 1
            for p, g, m, v, buf in zip(params, grads, self.m, self.v, self.buf):
                adam_update(p, g, m, v, buf, self.t, lr=self.lr)


# ---------------------------------------------------------------------- tiny-tensor chain
def chain(x, n, consts=(0.5, 2.0)):
    """n forward multiplies (a new array each, as a graph keeps them) then n backward ones."""
    a = x
    for i in range(n):
        a = a * consts[i & 1]
    g = np.ones_like(a)
    for i in range(n - 1, -1, -1):
        g = g * consts[i & 1]
    return g


def chain_forward(x, n, consts=(0.5, 2.0)):
    a = x
    for i in range(n):
        a = a * consts[i & 1]
    return a


def chain_backward(g, n, consts=(0.5, 2.0)):
    for i in range(n - 1, -1, -1):
        g = g * consts[i & 1]
    return g


# ---------------------------------------------------------------------- broadcasting, reductions
class Broadcast:
    """c = a op b with a: (N, 1), b: (1, N); backward sums the upstream gradient back."""

    def __init__(self, n, op):
        rng = np.random.default_rng(2)
        self.a = rng.standard_normal((n, 1)).astype(F32)
        self.b = rng.standard_normal((1, n)).astype(F32)
        self.g = rng.standard_normal((n, n)).astype(F32)
        self.out = np.empty((n, n), F32)
        self.tmp = np.empty((n, n), F32)
        self.ga = np.empty((n, 1), F32)
        self.gb = np.empty((1, n), F32)
        self.op = op

    def run(self):
        a, b, g, out, tmp = self.a, self.b, self.g, self.out, self.tmp
        if self.op == "add":
            np.add(a, b, out=out)
            np.sum(g, axis=1, keepdims=True, out=self.ga)
            np.sum(g, axis=0, keepdims=True, out=self.gb)
        else:
            np.multiply(a, b, out=out)
            np.multiply(g, b, out=tmp)
            np.sum(tmp, axis=1, keepdims=True, out=self.ga)
            np.multiply(g, a, out=tmp)
            np.sum(tmp, axis=0, keepdims=True, out=self.gb)


class Reduce:
    """sum over dim 1, mean of everything, or max over dim 1 of an (N, N) array, with the
    gradient materialised as an (N, N) array (what a parameter update would consume)."""

    def __init__(self, n, op):
        rng = np.random.default_rng(3)
        self.x = rng.standard_normal((n, n)).astype(F32)
        self.gx = np.empty((n, n), F32)
        self.g = rng.standard_normal(n).astype(F32)
        self.out = np.empty(n, F32)
        self.rows = np.arange(n)
        self.op = op

    def run(self):
        x, gx = self.x, self.gx
        if self.op == "sum":
            np.sum(x, axis=1, out=self.out)
            np.copyto(gx, self.g[:, None])
        elif self.op == "mean":
            m = x.mean()
            gx.fill(1.0 / x.size)
            return m
        else:
            idx = np.argmax(x, axis=1)
            self.out[:] = x[self.rows, idx]
            gx.fill(0.0)
            gx[self.rows, idx] = self.g


class Matmul:
    """c = a @ b, ga = g @ b.T, gb = a.T @ g, all into preallocated arrays."""

    def __init__(self, n):
        rng = np.random.default_rng(4)
        self.a = rng.standard_normal((n, n)).astype(F32)
        self.b = rng.standard_normal((n, n)).astype(F32)
        self.g = rng.standard_normal((n, n)).astype(F32)
        self.c = np.empty((n, n), F32)
        self.ga = np.empty((n, n), F32)
        self.gb = np.empty((n, n), F32)

    def run(self):
        np.matmul(self.a, self.b, out=self.c)
        np.matmul(self.g, self.b.T, out=self.ga)
        np.matmul(self.a.T, self.g, out=self.gb)


# ---------------------------------------------------------------------- fused nodes
def linear(x, w, b, g):
    out = x @ w.T
    out += b
    return out, g @ w, g.T @ x, g.sum(axis=0)


def cross_entropy(x, y, rows):
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) - shifted[rows, y]))
    e /= s
    e[rows, y] -= 1.0
    e *= 1.0 / x.shape[0]
    return loss, e


def log_softmax(x, g):
    shifted = x - x.max(axis=1, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    gx = g - np.exp(out) * g.sum(axis=1, keepdims=True)
    return out, gx


def layer_norm(x, w, b, g, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=1, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * rstd
    out = xhat * w + b
    gy = g * w
    gx = rstd * (gy - gy.mean(axis=1, keepdims=True)
                 - xhat * (gy * xhat).mean(axis=1, keepdims=True))
    return out, gx, (g * xhat).sum(axis=0), g.sum(axis=0)


def batch_norm(x, w, b, g, eps=1e-5):
    mean = x.mean(axis=0)
    xc = x - mean
    var = np.mean(xc * xc, axis=0)
    rstd = 1.0 / np.sqrt(var + eps)
    xhat = xc * rstd
    out = xhat * w + b
    gy = g * w
    gx = rstd * (gy - gy.mean(axis=0) - xhat * (gy * xhat).mean(axis=0))
    return out, gx, (g * xhat).sum(axis=0), g.sum(axis=0)


# ---------------------------------------------------------------------- optimizers
class AdamState:
    """Hand-written in-place Adam over a list of float32 parameter arrays."""

    def __init__(self, params, grads, lr=1e-3):
        self.params, self.grads, self.lr = params, grads, lr
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.buf = scratch_views(params)
        self.t = 0

    def step(self):
        self.t += 1
        for p, g, m, v, buf in zip(self.params, self.grads, self.m, self.v, self.buf):
            adam_update(p, g, m, v, buf, self.t, lr=self.lr)


class SGDMomentumState:
    """Hand-written in-place SGD with momentum (PyTorch's formula, dampening 0)."""

    def __init__(self, params, grads, lr=1e-2, momentum=0.9):
        self.params, self.grads, self.lr, self.momentum = params, grads, lr, momentum
        self.bufs = None
        self.scratch = scratch_views(params)

    def step(self):
        if self.bufs is None:
            self.bufs = [g.copy() for g in self.grads]
        else:
            for buf, g in zip(self.bufs, self.grads):
                buf *= self.momentum
                buf += g
        for p, buf, s in zip(self.params, self.bufs, self.scratch):
            np.multiply(buf, self.lr, out=s)
            p -= s
