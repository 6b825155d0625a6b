"""Learning-rate schedules: over 30 steps each schedule's lrs equal its documented closed form
(written out here, independently of the implementation), plus the LRScheduler protocol
(initial step, initial_lr, last_epoch, get_last_lr, state_dict round trips) and momentum
cycling."""
import math

import numpy as np
import pytest

import autograd
import optim
from optim import lr_scheduler as S

N = 30
BASES = (0.1, 0.04)


def make_opt(cls=optim.SGD, **kwargs):
    a = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([1.0], requires_grad=True)
    kwargs.setdefault("lr", BASES[0])
    return cls([{"params": [a]}, {"params": [b], "lr": BASES[1]}], **kwargs)


def lr_sequence(opt, sched, n=N):
    """The lrs of both groups right after construction and after each of n steps."""
    seq = [[g["lr"] for g in opt.param_groups]]
    for _ in range(n):
        opt.step()
        sched.step()
        seq.append([g["lr"] for g in opt.param_groups])
        assert sched.get_last_lr() == seq[-1]
    return np.array(seq)


def expected(formula, n=N):
    return np.array([[formula(base, e) for base in BASES] for e in range(n + 1)])


def cyclic_position(e, T_0, T_mult):
    """(epochs since the last restart, current period) for SGDR, counted cycle by cycle."""
    start, period = 0, T_0
    while e >= start + period:
        start += period
        period *= T_mult
    return e - start, period


CLOSED_FORMS = {
    "LambdaLR": (lambda o: S.LambdaLR(o, lambda e: 1 / (1 + 0.3 * e)),
                 lambda b, e: b / (1 + 0.3 * e)),
    "MultiplicativeLR": (lambda o: S.MultiplicativeLR(o, lambda e: 0.9 + 0.002 * e),
                         lambda b, e: b * math.prod(0.9 + 0.002 * i for i in range(1, e + 1))),
    "StepLR": (lambda o: S.StepLR(o, step_size=7, gamma=0.5),
               lambda b, e: b * 0.5 ** (e // 7)),
    "MultiStepLR": (lambda o: S.MultiStepLR(o, milestones=[3, 10, 10, 21], gamma=0.3),
                    lambda b, e: b * 0.3 ** sum(m <= e for m in [3, 10, 10, 21])),
    "ConstantLR": (lambda o: S.ConstantLR(o, factor=0.25, total_iters=6),
                   lambda b, e: b * (0.25 if e < 6 else 1.0)),
    "LinearLR": (lambda o: S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=12),
                 lambda b, e: b * (0.2 + 0.7 * min(e, 12) / 12)),
    "ExponentialLR": (lambda o: S.ExponentialLR(o, gamma=0.93),
                      lambda b, e: b * 0.93 ** e),
    "PolynomialLR": (lambda o: S.PolynomialLR(o, total_iters=17, power=1.7),
                     lambda b, e: b * (1 - min(e, 17) / 17) ** 1.7),
    "CosineAnnealingLR": (lambda o: S.CosineAnnealingLR(o, T_max=11, eta_min=1e-3),
                          lambda b, e: 1e-3 + (b - 1e-3) * (1 + math.cos(math.pi * e / 11)) / 2),
    "CosineAnnealingWarmRestarts": (
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=2e-3),
        lambda b, e: 2e-3 + (b - 2e-3) * (1 + math.cos(
            math.pi * cyclic_position(e, 3, 2)[0] / cyclic_position(e, 3, 2)[1])) / 2),
    "CosineAnnealingWarmRestarts-T_mult1": (
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7),
        lambda b, e: b * (1 + math.cos(math.pi * (e % 7) / 7)) / 2),
    "SequentialLR": (
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                     S.ExponentialLR(o, gamma=0.9)], milestones=[8]),
        lambda b, e: b * (0.1 + 0.9 * min(e, 5) / 5) if e < 8 else b * 0.9 ** (e - 8)),
    "ChainedScheduler": (
        lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4),
                                      S.ExponentialLR(o, gamma=0.9)]),
        lambda b, e: b * (0.5 if e < 4 else 1.0) * 0.9 ** e),
    "warmup_cosine": (
        lambda o: S.warmup_cosine(o, warmup_steps=5, total_steps=25, min_lr=1e-3),
        lambda b, e: b * e / 5 if e < 5 else
        1e-3 + (b - 1e-3) * (1 + math.cos(math.pi * min(1.0, (e - 5) / 20))) / 2),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_thirty_steps_follow_the_closed_form(name):
    build, formula = CLOSED_FORMS[name]
    opt = make_opt()
    got = lr_sequence(opt, build(opt))
    np.testing.assert_allclose(got, expected(formula), rtol=1e-12, atol=1e-15)


def _triangle(e, step):
    """Smith (2017): the triangle wave in [0, 1] of the cyclical lr, and its cycle number."""
    cycle = math.floor(1 + e / (2 * step))
    x = abs(e / step - 2 * cycle + 1)
    return max(0.0, 1 - x), cycle


@pytest.mark.parametrize("mode,scale", [
    ("triangular", lambda cycle, e: 1.0),
    ("triangular2", lambda cycle, e: 1 / 2 ** (cycle - 1)),
    ("exp_range", lambda cycle, e: 0.97 ** e)])
def test_cyclic_lr_follows_the_triangle_wave(mode, scale):
    opt = make_opt(momentum=0.9)
    sched = S.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=[0.1, 0.05], step_size_up=4,
                       mode=mode, gamma=0.97)
    lows, highs = (0.01, 0.02), (0.1, 0.05)
    moms = [[g["momentum"] for g in opt.param_groups]]
    got = [[g["lr"] for g in opt.param_groups]]
    for _ in range(N):
        opt.step()
        sched.step()
        got.append([g["lr"] for g in opt.param_groups])
        moms.append([g["momentum"] for g in opt.param_groups])
    for e in range(N + 1):
        wave, cycle = _triangle(e, 4)
        s = scale(cycle, e)
        np.testing.assert_allclose(got[e], [lo + (hi - lo) * wave * s
                                            for lo, hi in zip(lows, highs)], rtol=1e-12)
        np.testing.assert_allclose(moms[e], [0.9 - (0.9 - 0.8) * wave * s] * 2, rtol=1e-12)


def _one_cycle(e, total, max_lr, pct=0.3, div=25.0, final_div=1e4, lo_m=0.85, hi_m=0.95):
    """The 1cycle closed form: cosine from max_lr/div up to max_lr over pct*total - 1 steps,
    then down to max_lr/div/final_div at step total - 1; momentum mirrored."""
    cos = lambda start, end, t: end + (start - end) * (1 + math.cos(math.pi * t)) / 2
    initial, peak = max_lr / div, pct * total - 1
    if e <= peak:
        t = e / peak
        return cos(initial, max_lr, t), cos(hi_m, lo_m, t)
    t = (e - peak) / (total - 1 - peak)
    return cos(max_lr, initial / final_div, t), cos(lo_m, hi_m, t)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam], ids=["momentum", "beta1"])
def test_one_cycle_lr_and_momentum_follow_the_closed_form(cls):
    kwargs = {"momentum": 0.9} if cls is optim.SGD else {}
    opt = make_opt(cls, **kwargs)
    sched = S.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=N + 1)
    for e in range(N + 1):
        if e:
            opt.step()
            sched.step()
        for group, top in zip(opt.param_groups, (1.0, 0.5)):
            lr, mom = _one_cycle(e, N + 1, top)
            assert group["lr"] == pytest.approx(lr, rel=1e-12)
            got_mom = group["momentum"] if cls is optim.SGD else group["betas"][0]
            assert got_mom == pytest.approx(mom, rel=1e-12)
            if cls is optim.Adam:
                assert group["betas"][1] == 0.999
    sched.step()                      # like PyTorch, one step past the end is still allowed
    with pytest.raises(ValueError, match=f"Tried to step {N + 2} times.*{N + 1}"):
        sched.step()


def test_one_cycle_linear_three_phase():
    opt = make_opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, epochs=4, steps_per_epoch=10, three_phase=True,
                         anneal_strategy="linear", pct_start=0.25, cycle_momentum=False)
    lin = lambda a, b, t: a + (b - a) * t
    got = lr_sequence(opt, sched, n=39)[:, 0]
    for e, lr in enumerate(got):
        if e <= 9:
            want = lin(0.04, 1.0, e / 9)
        elif e <= 18:
            want = lin(1.0, 0.04, (e - 9) / 9)
        else:
            want = lin(0.04, 0.04 / 1e4, (e - 18) / (39 - 18))
        assert lr == pytest.approx(want, rel=1e-12)
    assert opt.param_groups[0]["momentum"] == 0.9


def test_reduce_lr_on_plateau_waits_for_patience_and_cooldown():
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=2, cooldown=1,
                                min_lr=[0.02, 0.015], threshold=0.01)
    metrics = [5.0, 4.0, 3.99, 3.98, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    # Improving needs a < best * 0.99. Steps 2, 3, 4 are bad: the third bad one (> patience)
    # halves the lr at step 4. Step 5 improves (best 3.0) and is the cooldown step; 6, 7, 8 are
    # bad -> cut at 8; 9 is cooldown; 10, 11, 12 bad -> cut at 12, clipped at min_lr 0.02.
    want = [0.1] * 4 + [0.05] * 4 + [0.025] * 4 + [0.02] * 2
    got = []
    for m in metrics:
        sched.step(m)
        got.append(opt.param_groups[0]["lr"])
    assert got == pytest.approx(want)
    assert opt.param_groups[1]["lr"] == 0.015        # its own min_lr stops it
    assert sched.get_last_lr() == [0.02, 0.015]


def test_reduce_lr_on_plateau_max_mode_with_absolute_threshold():
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=0.1, patience=0,
                                threshold=0.5, threshold_mode="abs")
    for m in [1.0, 1.6, 2.0]:        # 1.6 improves (> 1.0 + 0.5), 2.0 does not (< 2.1)
        sched.step(m)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    assert sched.best == 1.6


# ---------------------------------------------------------------------- the protocol
def test_constructor_records_initial_lr_and_steps_once():
    opt = make_opt()
    sched = S.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASES)
    assert sched.base_lrs == list(BASES)
    assert sched.last_epoch == 0
    assert sched.get_last_lr() == list(BASES)
    assert sched.optimizer is opt


def test_resuming_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make_opt(), step_size=2, last_epoch=3)


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR(object(), step_size=2)


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "SequentialLR",
                                  "ChainedScheduler", "CosineAnnealingWarmRestarts"])
def test_state_dict_round_trip_continues_identically(name):
    build, _ = CLOSED_FORMS[name]
    opt = make_opt()
    sched = build(opt)
    for _ in range(9):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd
    opt_sd = opt.state_dict()
    opt2 = make_opt()
    sched2 = build(opt2)
    opt2.load_state_dict(opt_sd)
    sched2.load_state_dict(sd)
    a = lr_sequence(opt, sched, n=15)
    b = lr_sequence(opt2, sched2, n=15)
    np.testing.assert_array_equal(a, b)


def test_step_with_an_epoch_uses_the_closed_form_and_warns():
    opt = make_opt()
    sched = S.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(3)
    assert sched.last_epoch == 3
    assert sched.get_last_lr() == pytest.approx([b * 0.125 for b in BASES])


def test_lambda_lr_saves_callable_objects_but_not_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, e):
            return self.rate ** e

    opt = make_opt()
    decay = Decay()
    sched = S.LambdaLR(opt, [decay, lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
    decay.rate = 0.9
    sched.load_state_dict(sd)
    assert decay.rate == 0.5
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 3"):
        S.LambdaLR(make_opt(), [decay] * 3)


@pytest.mark.parametrize("build,message", [
    (lambda o: S.ConstantLR(o, factor=1.5), "between 0 and 1, got factor=1.5"),
    (lambda o: S.LinearLR(o, start_factor=0.0), "greater than 0.*start_factor=0.0"),
    (lambda o: S.LinearLR(o, end_factor=2.0), "end_factor=2.0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0), "positive integer T_0, but got 0"),
    (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), "T_mult >= 1, but got 0"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0), "total_steps OR"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=-4), "total_steps, but got -4"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), "got 1.5"),
    (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"), "exp"),
    (lambda o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10), "expected 2 values, got 1"),
    (lambda o: S.CyclicLR(o, 0.1, 1.0, mode="zigzag"), "zigzag"),
    (lambda o: S.ReduceLROnPlateau(o, factor=1.0), "Factor should be < 1.0"),
    (lambda o: S.ReduceLROnPlateau(o, mode="avg"), "'avg' is unknown"),
    (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), "expected 2 min_lrs, got 1"),
    (lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]), "1 schedulers and 1"),
    (lambda o: S.warmup_cosine(o, warmup_steps=10, total_steps=5), "total_steps > warmup"),
])
def test_invalid_schedule_arguments_raise_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build(make_opt(momentum=0.9))


def test_cycle_momentum_needs_momentum_or_betas():
    opt = make_opt(optim.Adagrad)
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=10)
