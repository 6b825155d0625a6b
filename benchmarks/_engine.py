"""The tapegrad side of each workload, importing `nn` and `optim` defensively.

Parts of `nn` are still being written; every workload falls back to the raw autograd ops
(`autograd.linear`, `.relu()`, fused or composed cross-entropy) and to a plain in-place update
when a class is missing, and `MLP.api` says which path ran so the table is honest about it.
"""

import autograd


def _attr(module_name, name):
    try:
        module = __import__(module_name, fromlist=[name])
    except ImportError:
        return None
    return getattr(module, name, None)


# ---------------------------------------------------------------------- what is importable
Sequential = _attr("nn", "Sequential")
Linear = _attr("nn", "Linear")
ReLU = _attr("nn", "ReLU")
CrossEntropyLoss = _attr("nn", "CrossEntropyLoss")
SGD = _attr("optim", "SGD")
Adam = _attr("optim", "Adam")

F_linear = _attr("nn.functional", "linear") or _attr("autograd", "linear")
F_cross_entropy = (_attr("nn.functional", "cross_entropy")
                   or _attr("autograd.ops.losses", "cross_entropy"))
F_log_softmax = _attr("nn.functional", "log_softmax") or _attr("autograd", "log_softmax")
F_layer_norm = _attr("nn.functional", "layer_norm")
F_batch_norm = _attr("nn.functional", "batch_norm")
_ops_layer_norm = _attr("autograd.ops.norm", "layer_norm")
_ops_batch_norm_train = _attr("autograd.ops.norm", "batch_norm_train")

HAVE_MODULES = None not in (Sequential, Linear, ReLU, CrossEntropyLoss)


# ---------------------------------------------------------------------- fused ops, defensively
def cross_entropy(logits, target):
    if F_cross_entropy is not None:
        return F_cross_entropy(logits, target)
    return cross_entropy_composed(logits, target)


def cross_entropy_composed(logits, target):
    """log_softmax + pick of the target's log-probability + mean, from primitives."""
    logp = autograd.log_softmax(logits, 1)
    picked = autograd.gather(logp, 1, target.reshape(-1, 1))
    return -picked.mean()


def layer_norm(x, weight, bias, eps=1e-5):
    if F_layer_norm is not None:
        return F_layer_norm(x, (x.shape[-1],), weight, bias, eps)
    if _ops_layer_norm is not None:
        return _ops_layer_norm(x, weight, bias, (x.ndim - 1,), eps)
    return layer_norm_composed(x, weight, bias, eps)


def layer_norm_composed(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    return xc / (var + eps).sqrt() * weight + bias


def batch_norm(x, weight, bias, eps=1e-5):
    """Training-mode batch norm with batch statistics and no running statistics."""
    if F_batch_norm is not None:
        return F_batch_norm(x, None, None, weight, bias, training=True, eps=eps)
    if _ops_batch_norm_train is not None:
        return _ops_batch_norm_train(x, weight, bias, eps)[0]
    return batch_norm_composed(x, weight, bias, eps)


def batch_norm_composed(x, weight, bias, eps=1e-5):
    mean = x.mean(0, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(0, keepdim=True)
    return xc / (var + eps).sqrt() * weight + bias


# ---------------------------------------------------------------------- the MLP
def _param(array):
    return autograd.tensor(array, requires_grad=True)


class MLP:
    """The issue's model (Linear-ReLU-Linear-ReLU-Linear, softmax cross-entropy) with one
    optimizer, started from the given NumPy weights [(W (out, in), b), ...]."""

    def __init__(self, weights, optimizer="sgd", lr=0.01):
        if HAVE_MODULES:
            layers = []
            for i, (w, b) in enumerate(weights):
                lin = Linear(w.shape[1], w.shape[0])
                with autograd.no_grad():
                    lin.weight.copy_(autograd.tensor(w))
                    lin.bias.copy_(autograd.tensor(b))
                layers.append(lin)
                if i < len(weights) - 1:
                    layers.append(ReLU())
            self.model = Sequential(*layers)
            self.params = list(self.model.parameters())
            self.loss_fn = CrossEntropyLoss()
            self.forward = self.model
            self.api = "nn modules"
        else:
            self.params = [_param(a) for wb in weights for a in wb]
            self.loss_fn = cross_entropy
            self.forward = self._raw_forward
            self.api = "raw ops"
        cls = {"sgd": SGD, "adam": Adam}[optimizer]
        if cls is not None:
            self.opt = cls(self.params, lr=lr)
            self._update = None
            self.api += f", optim.{cls.__name__}"
        elif optimizer == "sgd":
            self.opt = None
            self._update = self._manual_sgd
            self.lr = lr
            self.api += ", manual SGD"
        else:
            raise RuntimeError("optim.Adam is not importable")

    def _raw_forward(self, x):
        p = self.params
        h = x
        for i in range(0, len(p), 2):
            h = F_linear(h, p[i], p[i + 1])
            if i + 2 < len(p):
                h = h.relu()
        return h

    def _manual_sgd(self):
        for p in self.params:
            p._data -= self.lr * p._grad._data

    def zero_grad(self):
        if self.opt is not None:
            self.opt.zero_grad()
        else:
            for p in self.params:
                p.grad = None

    def step(self, x, y):
        """One training step on a batch (Tensors); returns the loss Tensor."""
        self.zero_grad()
        loss = self.loss_fn(self.forward(x), y)
        loss.backward()
        if self.opt is not None:
            self.opt.step()
        else:
            self._update()
        return loss

    def weights(self):
        """The current parameters as NumPy arrays [(W, b), ...]."""
        arrays = [p.detach().numpy() for p in self.params]
        return list(zip(arrays[0::2], arrays[1::2]))


def batch(x, y):
    """NumPy batch -> engine Tensors (x float32, y int64)."""
    return autograd.tensor(x), autograd.tensor(y)
