"""Every optimizer minimizes an ill-conditioned quadratic and trains a small MLP built from
autograd ops (no `nn`), driven through `step(closure)`."""
import numpy as np
import pytest

import autograd
import optim
from optim import lr_scheduler

# Curvatures 1, 10 and 100: condition number 100.
H = np.array([1.0, 10.0, 100.0])
CENTER = np.array([1.0, -2.0, 0.5])

# (optimizer, kwargs, anneal the lr with a cosine schedule?) Sign-based (Lion) and
# trust-ratio (LAMB) steps do not shrink near the minimum by themselves, so they get a schedule.
QUADRATIC = {
    "SGD": (optim.SGD, dict(lr=0.015, momentum=0.9), False),
    "Adam": (optim.Adam, dict(lr=0.05), False),
    "AdamW": (optim.AdamW, dict(lr=0.05, weight_decay=0.0), False),
    "Adamax": (optim.Adamax, dict(lr=0.1), False),
    "NAdam": (optim.NAdam, dict(lr=0.05), False),
    "RAdam": (optim.RAdam, dict(lr=0.05), False),
    "RMSprop": (optim.RMSprop, dict(lr=0.01), False),
    "Adagrad": (optim.Adagrad, dict(lr=0.5), False),
    "Adadelta": (optim.Adadelta, dict(lr=5.0), False),
    "Lion": (optim.Lion, dict(lr=0.05), True),
    "LAMB": (optim.LAMB, dict(lr=0.05), True),
    "Adafactor": (optim.Adafactor, dict(lr=0.1), False),
    "Rprop": (optim.Rprop, dict(lr=0.05), False),
    "ASGD": (optim.ASGD, dict(lr=0.015, t0=100), False),
}


@pytest.mark.parametrize("name", list(QUADRATIC))
def test_minimizes_an_ill_conditioned_quadratic(name):
    cls, kwargs, anneal = QUADRATIC[name]
    steps = 300
    x = autograd.tensor(np.zeros(3), requires_grad=True)
    h, c = autograd.tensor(H), autograd.tensor(CENTER)
    opt = cls([x], **kwargs)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=steps) if anneal else None

    def closure():
        opt.zero_grad()
        loss = ((x - c) ** 2 * h).sum() * 0.5
        loss.backward()
        return loss

    first = float(closure().item())
    for _ in range(steps):
        opt.step(closure)
        if sched is not None:
            sched.step()
    assert float(closure().item()) < 1e-3 * first
    np.testing.assert_allclose(x._data, CENTER, atol=0.03)


MLP = {
    "SGD": (optim.SGD, dict(lr=0.1, momentum=0.9)),
    "Adam": (optim.Adam, dict(lr=0.02)),
    "AdamW": (optim.AdamW, dict(lr=0.02)),
    "Adamax": (optim.Adamax, dict(lr=0.04)),
    "NAdam": (optim.NAdam, dict(lr=0.02)),
    "RAdam": (optim.RAdam, dict(lr=0.05)),
    "RMSprop": (optim.RMSprop, dict(lr=0.005)),
    "Adagrad": (optim.Adagrad, dict(lr=0.3)),
    "Adadelta": (optim.Adadelta, dict(lr=10.0, rho=0.99)),
    "Lion": (optim.Lion, dict(lr=0.003)),
    "LAMB": (optim.LAMB, dict(lr=0.01)),
    "Adafactor": (optim.Adafactor, dict(lr=0.1)),
    "Rprop": (optim.Rprop, dict(lr=0.01)),
    "ASGD": (optim.ASGD, dict(lr=0.1)),
}


def _mlp_problem():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (32, 1)).astype(np.float32)
    Y = np.sin(2 * X)
    params = [autograd.tensor(rng.standard_normal((1, 16)).astype(np.float32), requires_grad=True),
              autograd.tensor(np.zeros(16, np.float32), requires_grad=True),
              autograd.tensor((rng.standard_normal((16, 1)) / 4).astype(np.float32),
                              requires_grad=True),
              autograd.tensor(np.zeros(1, np.float32), requires_grad=True)]
    return autograd.tensor(X), autograd.tensor(Y), params


@pytest.mark.parametrize("name", list(MLP))
def test_trains_a_small_mlp(name):
    cls, kwargs = MLP[name]
    x, y, (w1, b1, w2, b2) = _mlp_problem()
    opt = cls([w1, b1, w2, b2], **kwargs)

    def closure():
        opt.zero_grad()
        loss = (((x @ w1 + b1).tanh() @ w2 + b2 - y) ** 2).mean()
        loss.backward()
        return loss

    first = float(closure().item())
    for _ in range(300):
        loss = opt.step(closure)
        assert np.isfinite(loss.item())
    assert float(closure().item()) < 0.2 * first
    assert all(p.dtype == np.float32 for p in (w1, b1, w2, b2))
