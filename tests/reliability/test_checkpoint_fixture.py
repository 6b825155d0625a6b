"""A training checkpoint written by format version 1 and committed as bytes
(tests/reliability/fixtures/checkpoint_v1.pt) must keep loading, and resuming from it must give
the same training as resuming from the objects it was written from.

tests/autograd/test_serialization.py covers the format itself (hand-written archives, atomic
writes, truncated, corrupt and hostile files); this file only pins a real checkpoint of model,
optimizer, scheduler, generator and Python values, so a change to `save`'s output that old
versions' files no longer match cannot go unnoticed. To regenerate (only when the format version
is bumped, keeping the old file too): `python tests/reliability/test_checkpoint_fixture.py`.
"""
import collections
import os
import sys

import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F
import optim

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "checkpoint_v1.pt")


def _model():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    with A.no_grad():
        for k, p in enumerate(model.parameters()):
            p._data[...] = (np.arange(p.numel()).reshape(p.shape) % 5 - 2.0) / (k + 4)
    return model


def _data():
    x = A.tensor((np.arange(18, dtype=np.float32).reshape(6, 3) % 7 - 3) / 3)
    return x, A.tensor([0, 1, 1, 0, 1, 0])


def _train(model, opt, sched, steps):
    x, y = _data()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss))
    return losses


def _setup():
    model = _model()
    opt = optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01, amsgrad=True)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def checkpoint_after_three_steps():
    A.manual_seed(7)
    model, opt, sched = _setup()
    losses = _train(model, opt, sched, 3)
    return {
        "model": model.state_dict(), "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(), "rng_state": A.get_rng_state(),
        "epoch": 3, "losses": losses, "best": (1, float("inf")),
        "meta": collections.OrderedDict([("name", "fixture"), ("tags", ["v1", None, True])]),
    }


def test_the_committed_version_1_checkpoint_loads():
    ckpt = A.load(FIXTURE)
    assert set(ckpt) == {"model", "optimizer", "scheduler", "rng_state", "epoch", "losses",
                         "best", "meta"}
    assert ckpt["epoch"] == 3 and ckpt["best"] == (1, float("inf"))
    assert ckpt["meta"] == collections.OrderedDict([("name", "fixture"),
                                                    ("tags", ["v1", None, True])])
    assert list(ckpt["model"]) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                   "1.running_mean", "1.running_var", "1.num_batches_tracked",
                                   "3.weight", "3.bias"]
    assert int(ckpt["model"]["1.num_batches_tracked"]) == 3
    assert ckpt["model"]["0.weight"].dtype == np.float32
    state = ckpt["optimizer"]["state"]
    assert sorted(state) == list(range(6)) and float(state[0]["step"]) == 3
    assert set(state[0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}


def test_the_committed_checkpoint_holds_what_the_current_code_computes():
    saved = A.load(FIXTURE)
    fresh = checkpoint_after_three_steps()
    np.testing.assert_allclose(saved["losses"], fresh["losses"], rtol=1e-6)
    for k, v in fresh["model"].items():
        np.testing.assert_allclose(saved["model"][k].numpy(), v.numpy(), rtol=1e-5, atol=1e-7,
                                   err_msg=k)


def test_resuming_from_the_committed_checkpoint_continues_the_run():
    # uninterrupted: 3 steps, then 3 more
    A.manual_seed(7)
    model, opt, sched = _setup()
    _train(model, opt, sched, 3)
    expected = _train(model, opt, sched, 3)
    # resumed from the bytes on disk
    ckpt = A.load(FIXTURE)
    model2, opt2, sched2 = _setup()
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    sched2.load_state_dict(ckpt["scheduler"])
    with pytest.warns(RuntimeWarning, match="older version"):
        A.set_rng_state(ckpt["rng_state"])      # a version 1 state: restarted, not continued
    resumed = _train(model2, opt2, sched2, 3)
    np.testing.assert_allclose(resumed, expected, rtol=1e-5)
    for (k, a), b in zip(model.state_dict().items(), model2.state_dict().values()):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-7, err_msg=k)


if __name__ == "__main__":
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    target = sys.argv[1] if len(sys.argv) > 1 else FIXTURE
    A.save(checkpoint_after_three_steps(), target)
    print("wrote", target)
