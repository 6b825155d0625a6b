"""PyTorch CPU versions of the workloads, for comparison only.

torch is imported lazily, once, and set to NumPy's BLAS thread count. When it is not installed
`get()` returns None, the bench files build nothing from here, and the table shows "n/a".
"""
_torch = None
_tried = False


def get(threads=None):
    """The torch module (threads set to `threads`), or None when it is not installed."""
    global _torch, _tried
    if not _tried:
        _tried = True
        try:
            import torch
        except ImportError:  # includes a broken install's missing shared libraries
            torch = None
        _torch = torch
    if _torch is not None and threads:
        _torch.set_num_threads(int(threads))
    return _torch


def installed():
    """Whether torch can be found, without importing it."""
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def version():
    t = get()
    return None if t is None else t.__version__


# ---------------------------------------------------------------------- MLP
class MLP:
    """The same model, loss and optimizer as benchmarks._numpy_ref.MLP, in PyTorch."""

    def __init__(self, weights, optimizer="sgd", lr=0.01):
        torch = get()
        nn = torch.nn
        layers = []
        for i, (w, b) in enumerate(weights):
            lin = nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.loss_fn = nn.CrossEntropyLoss()
        cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer]
        self.opt = cls(self.model.parameters(), lr=lr)

    def step(self, x, y):
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()
        return loss


def batch(x, y):
    torch = get()
    return torch.from_numpy(x), torch.from_numpy(y)


# ---------------------------------------------------------------------- tiny-tensor chain
def chain_parts(n, consts=(0.5, 2.0)):
    """(forward() -> output, backward(output)) of an n-multiply chain on a 4-element leaf."""
    torch = get()
    x = torch.ones(4, requires_grad=True)

    def forward():
        y = x
        for i in range(n):
            y = y * consts[i & 1]
        return y.sum()

    def backward(out):
        out.backward()
        x.grad = None
    return forward, backward


# ---------------------------------------------------------------------- broadcasting, reductions, matmul
def _leaf(array):
    torch = get()
    return torch.from_numpy(array.copy()).requires_grad_(True)


def broadcast(ref, op):
    """fn() doing forward and backward of ref's (N, 1) op (1, N) with ref's upstream grad."""
    torch = get()
    a, b = _leaf(ref.a), _leaf(ref.b)
    g = torch.from_numpy(ref.g)
    f = torch.add if op == "add" else torch.mul

    def run():
        a.grad = b.grad = None
        f(a, b).backward(g)
    return run


def reduce(ref, op):
    torch = get()
    x = _leaf(ref.x)
    g = torch.from_numpy(ref.g)

    def run():
        x.grad = None
        if op == "sum":
            x.sum(1).backward(g)
        elif op == "mean":
            x.mean().backward()
        else:
            x.max(1).values.backward(g)
    return run


def matmul(ref):
    torch = get()
    a, b = _leaf(ref.a), _leaf(ref.b)
    g = torch.from_numpy(ref.g)

    def run():
        a.grad = b.grad = None
        (a @ b).backward(g)
    return run


# ---------------------------------------------------------------------- fused nodes
def fused(name, composed, arrays):
    """fn() running forward and backward of a fused node (or its composed form) in PyTorch.
    `arrays` is the dict the fused bench builds: x, w, b, g, y."""
    torch = get()
    F = torch.nn.functional
    x = _leaf(arrays["x"])
    w = _leaf(arrays["w"]) if "w" in arrays else None
    b = _leaf(arrays["b"]) if "b" in arrays else None
    g = torch.from_numpy(arrays["g"]) if "g" in arrays else None
    y = torch.from_numpy(arrays["y"]) if "y" in arrays else None
    leaves = [t for t in (x, w, b) if t is not None]
    eps = 1e-5

    def forward():
        if name == "linear":
            return x @ w.T + b if composed else F.linear(x, w, b)
        if name == "cross_entropy":
            if composed:
                return -F.log_softmax(x, 1).gather(1, y.reshape(-1, 1)).mean()
            return F.cross_entropy(x, y)
        if name == "log_softmax":
            return x - torch.logsumexp(x, 1, keepdim=True) if composed else F.log_softmax(x, 1)
        if name == "layer_norm":
            if composed:
                mean = x.mean(-1, keepdim=True)
                xc = x - mean
                var = (xc * xc).mean(-1, keepdim=True)
                return xc / (var + eps).sqrt() * w + b
            return F.layer_norm(x, (x.shape[-1],), w, b, eps)
        if name == "batch_norm":
            if composed:
                mean = x.mean(0, keepdim=True)
                xc = x - mean
                var = (xc * xc).mean(0, keepdim=True)
                return xc / (var + eps).sqrt() * w + b
            return F.batch_norm(x, None, None, w, b, training=True, eps=eps)
        raise ValueError(name)

    def run():
        for t in leaves:
            t.grad = None
        out = forward()
        if g is None:
            out.backward()
        else:
            out.backward(g)
    return run


# ---------------------------------------------------------------------- optimizers
def optimizer_step(arrays, grads, name, lr):
    """fn() running one torch.optim step over parameters copied from `arrays`."""
    torch = get()
    params = [torch.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    if name == "adam":
        opt = torch.optim.Adam(params, lr=lr)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=0.9)
    return opt.step

