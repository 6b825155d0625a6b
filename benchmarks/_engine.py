"""The tapegrad side of each workload: the MLP built from `nn` modules with an `optim`
optimizer, the fused nodes and the same computations composed from primitives."""
import autograd
import nn
import optim
from nn import functional as F

Adam, SGD = optim.Adam, optim.SGD
F_linear = F.linear


# ---------------------------------------------------------------------- fused ops, composed
def cross_entropy(logits, target):
    return F.cross_entropy(logits, target)


def cross_entropy_composed(logits, target):
    """log_softmax + pick of the target's log-probability + mean, from primitives."""
    logp = autograd.log_softmax(logits, 1)
    picked = autograd.gather(logp, 1, target.reshape(-1, 1))
    return -picked.mean()


def layer_norm(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


def layer_norm_composed(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(-1, keepdim=True)
    return xc / (var + eps).sqrt() * weight + bias


def batch_norm(x, weight, bias, eps=1e-5):
    """Training-mode batch norm with batch statistics and no running statistics."""
    return F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)


def batch_norm_composed(x, weight, bias, eps=1e-5):
    mean = x.mean(0, keepdim=True)
    xc = x - mean
    var = (xc * xc).mean(0, keepdim=True)
    return xc / (var + eps).sqrt() * weight + bias


# ---------------------------------------------------------------------- the MLP
class MLP:
    """The issue's model (Linear-ReLU-Linear-ReLU-Linear, softmax cross-entropy) with one
    optimizer, started from the given NumPy weights [(W (out, in), b), ...]."""

    def __init__(self, weights, optimizer="sgd", lr=0.01):
        layers = []
        for i, (w, b) in enumerate(weights):
            lin = nn.Linear(w.shape[1], w.shape[0])
            with autograd.no_grad():
                lin.weight.copy_(autograd.tensor(w))
                lin.bias.copy_(autograd.tensor(b))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.params = list(self.model.parameters())
        self.loss_fn = nn.CrossEntropyLoss()
        self.forward = self.model
        cls = {"sgd": SGD, "adam": Adam}[optimizer]
        self.opt = cls(self.params, lr=lr)
        self.api = f"nn modules, optim.{cls.__name__}"

    def zero_grad(self):
        self.opt.zero_grad()

    def step(self, x, y):
        """One training step on a batch (Tensors); returns the loss Tensor."""
        self.opt.zero_grad()
        loss = self.loss_fn(self.forward(x), y)
        loss.backward()
        self.opt.step()
        return loss

    def weights(self):
        """The current parameters as NumPy arrays [(W, b), ...]."""
        arrays = [p.detach().numpy() for p in self.params]
        return list(zip(arrays[0::2], arrays[1::2]))


def batch(x, y):
    """NumPy batch -> engine Tensors (x float32, y int64)."""
    return autograd.tensor(x), autograd.tensor(y)
