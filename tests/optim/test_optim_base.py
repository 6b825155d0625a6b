"""The Optimizer base class: param groups, lazy state, zero_grad, step with a closure, in-place
updates, state dicts (structure, copies, resume, dtype casting, validation) and the
hyperparameter validation of every optimizer."""
import numpy as np
import pytest

import autograd
import optim
import optim_reference as ref

ALL = {
    "SGD": (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "Adam": (optim.Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    "AdamW": (optim.AdamW, dict(lr=0.05)),
    "Adamax": (optim.Adamax, dict(lr=0.05)),
    "NAdam": (optim.NAdam, dict(lr=0.05)),
    "RAdam": (optim.RAdam, dict(lr=0.05)),
    "RMSprop": (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    "Adagrad": (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    "Adadelta": (optim.Adadelta, dict(lr=1.0)),
    "Lion": (optim.Lion, dict(lr=0.01, weight_decay=0.1)),
    "LAMB": (optim.LAMB, dict(lr=0.05, weight_decay=0.1)),
    "Adafactor": (optim.Adafactor, dict(lr=0.05)),
    "Rprop": (optim.Rprop, dict(lr=0.05)),
    "ASGD": (optim.ASGD, dict(lr=0.05, t0=3)),
}


def make_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [autograd.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
            for s in ((3, 4), (5,))]


def feed_grads(params, grad_fn, k):
    for p, g in zip(params, grad_fn([p._data for p in params], k)):
        p.grad = autograd.tensor(g.astype(p.dtype))


# ---------------------------------------------------------------------- groups and stepping
def test_param_groups_use_their_own_learning_rates():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    a.grad = autograd.tensor([1.0, -1.0])
    b.grad = autograd.tensor([2.0])
    opt.step()
    np.testing.assert_allclose(a._data, [0.9, 2.1], rtol=1e-6)
    np.testing.assert_allclose(b._data, [2.0], rtol=1e-6)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0      # filled from the defaults


def test_add_param_group_adds_parameters_with_defaults_and_overrides():
    a = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "betas": (0.5, 0.9)})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.5, 0.9)
    b.grad = autograd.tensor([1.0])
    opt.step()
    assert b._data[0] == pytest.approx(0.9, rel=1e-5)   # Adam's first step moves by lr
    assert a._data[0] == 1.0
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="-1"):
        opt.add_param_group({"params": [autograd.tensor([1.0], requires_grad=True)], "lr": -1})


def test_step_skips_parameters_without_gradient_and_creates_state_lazily():
    a, b = make_params()
    before = b._data.copy()
    opt = optim.Adam([a, b], lr=0.1)
    assert len(opt.state) == 0
    a.grad = autograd.ones_like(a)
    opt.step()
    np.testing.assert_array_equal(b._data, before)
    assert set(opt.state) == {a}
    assert opt.state[a]["step"] == 1


def test_step_updates_the_parameter_array_in_place():
    p = autograd.tensor([1.0, 2.0], requires_grad=True)
    array = p._data
    alias = p.data                   # a detached tensor sharing the storage
    opt = optim.SGD([p], lr=0.5)
    p.grad = autograd.tensor([1.0, 1.0])
    opt.step()
    assert p._data is array
    np.testing.assert_allclose(alias._data, [0.5, 1.5])
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_step_with_closure_returns_its_loss_and_records_inside_it():
    x = autograd.tensor([3.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.25)
    seen = []

    def closure():
        seen.append(autograd.is_grad_enabled())
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with autograd.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 9.0
    np.testing.assert_allclose(x._data, [1.5])     # 3 - 0.25 * 6
    assert opt.step() is None


def test_step_runs_without_recording():
    x = autograd.tensor([3.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    grad_modes = []
    orig = opt._update_group
    opt._update_group = lambda *a: (grad_modes.append(autograd.is_grad_enabled()), orig(*a))
    x.grad = autograd.tensor([1.0])
    opt.step()
    assert grad_modes == [False]


def test_zero_grad_sets_to_none_or_zeros():
    a, b = make_params()
    opt = optim.SGD([a, b], lr=0.1)
    a.grad = autograd.ones_like(a)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad._data, np.zeros((3, 4)))
    assert b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_zero_grad_then_backward_accumulates_from_zero():
    x = autograd.tensor([2.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    (x * x).sum().backward()
    opt.zero_grad(set_to_none=False)
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad._data, [3.0])


def test_params_may_be_named_pairs_or_a_generator():
    a, b = make_params()
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    opt = optim.SGD((p for p in (a, b)), lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]


# ---------------------------------------------------------------------- state dicts
def test_state_dict_has_pytorch_structure_with_copied_tensors():
    a, b = make_params()
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, amsgrad=True)
    feed_grads([a, b], ref.grad_problem()[1], 0)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 1]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    step = sd["state"][0]["step"]
    assert isinstance(step, autograd.Tensor) and step.shape == () and step.item() == 1.0
    assert step.dtype == np.float32
    exp_avg = sd["state"][0]["exp_avg"]
    assert isinstance(exp_avg, autograd.Tensor) and exp_avg.shape == (3, 4)
    assert exp_avg._data is not opt.state[a]["exp_avg"]
    np.testing.assert_array_equal(exp_avg._data, opt.state[a]["exp_avg"])
    g0, g1 = sd["param_groups"]
    assert g0["params"] == [0] and g1["params"] == [1]
    assert g0["lr"] == 0.1 and g1["lr"] == 0.01
    assert {"betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
            "differentiable", "fused", "decoupled_weight_decay"} <= set(g0)
    # a later step changes neither the saved arrays nor the saved groups
    saved = exp_avg._data.copy()
    opt.param_groups[0]["lr"] = 5.0
    opt.step()
    np.testing.assert_array_equal(exp_avg._data, saved)
    assert g0["lr"] == 0.1


@pytest.mark.parametrize("name", sorted(ALL))
def test_resume_from_state_dict_continues_identically(name):
    cls, hp = ALL[name]
    _, grad_fn = ref.grad_problem(seed=5)
    params = make_params()
    opt = cls([{"params": params[:1]}, {"params": params[1:], "lr": hp["lr"] / 2}], **hp)
    for k in range(6):
        feed_grads(params, grad_fn, k)
        opt.step()
    sd = opt.state_dict()
    copies = [autograd.tensor(p._data.copy(), requires_grad=True) for p in params]
    fresh = cls([{"params": copies[:1]}, {"params": copies[1:]}], **hp)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[1]["lr"] == hp["lr"] / 2
    for k in range(6, 12):
        feed_grads(params, grad_fn, k)
        opt.step()
        feed_grads(copies, grad_fn, k)
        fresh.step()
    for p, c in zip(params, copies):
        np.testing.assert_array_equal(c._data, p._data)


def test_resume_through_autograd_save_and_load(tmp_path):
    save, load = getattr(autograd, "save", None), getattr(autograd, "load", None)
    if save is None or load is None:
        serialization = pytest.importorskip("autograd.serialization")
        save, load = serialization.save, serialization.load
    _, grad_fn = ref.grad_problem(seed=6)
    params = make_params()
    opt = optim.NAdam(params, lr=0.05)
    for k in range(4):
        feed_grads(params, grad_fn, k)
        opt.step()
    save(opt.state_dict(), tmp_path / "opt.ckpt")
    copies = [autograd.tensor(p._data.copy(), requires_grad=True) for p in params]
    fresh = optim.NAdam(copies, lr=0.05)
    fresh.load_state_dict(load(tmp_path / "opt.ckpt"))
    for k in range(4, 8):
        feed_grads(params, grad_fn, k)
        opt.step()
        feed_grads(copies, grad_fn, k)
        fresh.step()
    for p, c in zip(params, copies):
        np.testing.assert_array_equal(c._data, p._data)


def test_load_state_dict_copies_and_casts_to_the_parameter_dtype():
    params64 = make_params(np.float64)
    opt64 = optim.Adam(params64, lr=0.1)
    feed_grads(params64, ref.grad_problem()[1], 0)
    opt64.step()
    sd = opt64.state_dict()
    params32 = make_params(np.float32)
    opt32 = optim.Adam(params32, lr=0.1)
    opt32.load_state_dict(sd)
    st = opt32.state[params32[0]]
    assert st["exp_avg"].dtype == np.float32 and st["step"] == 1
    np.testing.assert_allclose(st["exp_avg"], sd["state"][0]["exp_avg"]._data, rtol=1e-6)
    sd["state"][0]["exp_avg"]._data[...] = 123.0     # the loaded state must not alias the dict
    assert not np.any(st["exp_avg"] == 123.0)
    sd["param_groups"][0]["betas"] = (0.1, 0.2)
    assert opt32.param_groups[0]["betas"] == (0.9, 0.999)


def test_load_state_dict_accepts_lists_and_string_keys_from_a_file_format():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    feed_grads(params, ref.grad_problem()[1], 0)
    opt.step()
    sd = opt.state_dict()
    sd = {"state": {str(k): v for k, v in sd["state"].items()},
          "param_groups": [{**g, "betas": list(g["betas"])} for g in sd["param_groups"]]}
    fresh = optim.Adam(make_params(), lr=0.1)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["betas"] == (0.9, 0.999)
    assert fresh.state[fresh.param_groups[0]["params"][1]]["step"] == 1


def test_load_state_dict_rejects_a_different_number_of_groups():
    a, b = make_params()
    two = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    one = optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups: 2 saved, 1"):
        one.load_state_dict(two.state_dict())


def test_load_state_dict_rejects_a_group_of_another_size():
    a, b = make_params()
    big = optim.SGD([a, b], lr=0.1)
    small = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size.*group 0 has 2 saved.*1"):
        small.load_state_dict(big.state_dict())


def test_adagrad_creates_its_state_at_construction_like_pytorch():
    a, b = make_params()
    opt = optim.Adagrad([a, b], initial_accumulator_value=0.25)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1]
    assert sd["state"][0]["step"].item() == 0
    np.testing.assert_array_equal(sd["state"][1]["sum"]._data, np.full(5, 0.25))


# ---------------------------------------------------------------------- AdamW vs Adam + L2
def test_adamw_is_adam_plus_decoupled_shrinking():
    """Decoupling predicts theta_t = (1 - lr wd) theta_{t-1} - D_t, where D_t is the step plain
    Adam takes for the same gradients (the moments never see the decay)."""
    lr, wd = 0.05, 0.3
    _, grad_fn = ref.grad_problem(seed=2)
    fixed = lambda k: grad_fn([np.zeros((3, 4)), np.zeros(5)], k)   # gradients independent of theta
    plain, decoupled = make_params(), make_params()
    adam = optim.Adam(plain, lr=lr)
    adamw = optim.AdamW(decoupled, lr=lr, weight_decay=wd)
    for k in range(10):
        before_plain = [p._data.copy() for p in plain]
        before_w = [p._data.copy() for p in decoupled]
        for p, q, g in zip(plain, decoupled, fixed(k)):
            p.grad = autograd.tensor(g)
            q.grad = autograd.tensor(g)
        adam.step()
        adamw.step()
        for bp, p, bw, q in zip(before_plain, plain, before_w, decoupled):
            adam_step = bp - p._data
            np.testing.assert_allclose(q._data, (1 - lr * wd) * bw - adam_step,
                                       rtol=1e-12, atol=1e-14)


def test_adam_l2_decay_is_normalized_but_adamw_decay_is_proportional():
    """With zero loss gradient, Adam's L2 term passes through the moments and is normalized away
    (every weight moves by about lr), while AdamW shrinks each weight by lr * wd * |w|."""
    lr, wd = 0.01, 0.1
    w0 = np.array([0.01, 1.0, 100.0])
    coupled = autograd.tensor(w0.copy(), requires_grad=True)
    decoupled = autograd.tensor(w0.copy(), requires_grad=True)
    adam = optim.Adam([coupled], lr=lr, weight_decay=wd, eps=1e-12)
    adamw = optim.AdamW([decoupled], lr=lr, weight_decay=wd, eps=1e-12)
    coupled.grad = autograd.zeros(3, dtype=np.float64)
    decoupled.grad = autograd.zeros(3, dtype=np.float64)
    adam.step()
    adamw.step()
    np.testing.assert_allclose(w0 - coupled._data, [lr, lr, lr], rtol=1e-6)
    np.testing.assert_allclose(w0 - decoupled._data, lr * wd * w0, rtol=1e-12)


# ---------------------------------------------------------------------- validation
def _p():
    return autograd.tensor([1.0], requires_grad=True)


BAD = [
    (optim.SGD, dict(lr=-0.1), "Invalid learning rate: -0.1"),
    (optim.SGD, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (optim.SGD, dict(weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    (optim.SGD, dict(nesterov=True), "Nesterov momentum requires a momentum.*momentum=0"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1),
     "zero dampening.*dampening=0.1"),
    (optim.Adam, dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta parameter at index 0: 1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1: -0.1"),
    (optim.Adam, dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (optim.Adam, dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
    (optim.AdamW, dict(betas=(0.9, 1.5)), "beta parameter at index 1: 1.5"),
    (optim.AdamW, dict(weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
    (optim.Adamax, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (optim.NAdam, dict(momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
    (optim.NAdam, dict(betas=(-0.2, 0.9)), "beta parameter at index 0: -0.2"),
    (optim.RAdam, dict(weight_decay=-2), "Invalid weight_decay value: -2"),
    (optim.RMSprop, dict(alpha=-0.9), "Invalid alpha value: -0.9"),
    (optim.RMSprop, dict(momentum=-0.9), "Invalid momentum value: -0.9"),
    (optim.RMSprop, dict(eps=-1e-3), "Invalid epsilon value: -0.001"),
    (optim.Adagrad, dict(lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    (optim.Adagrad, dict(lr=-0.5), "Invalid learning rate: -0.5"),
    (optim.Adadelta, dict(rho=1.5), "Invalid rho value: 1.5"),
    (optim.Adadelta, dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (optim.Lion, dict(betas=(0.9, 1.0)), "beta parameter at index 1: 1.0"),
    (optim.Lion, dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (optim.LAMB, dict(eps=-1e-6), "Invalid epsilon value: -1e-06"),
    (optim.Adafactor, dict(lr=-0.01), "Learning rate should be >= 0 but is: -0.01"),
    (optim.Adafactor, dict(beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
    (optim.Adafactor, dict(eps=(-1.0, 1e-3)), "epsilon1 should be >= 0 but is: -1.0"),
    (optim.Adafactor, dict(eps=(None, -1e-3)), "epsilon2 should be >= 0 but is: -0.001"),
    (optim.Rprop, dict(etas=(1.5, 2.0)), "Invalid eta values: 1.5, 2.0"),
    (optim.Rprop, dict(lr=-1.0), "Invalid learning rate: -1.0"),
    (optim.ASGD, dict(weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
    (optim.Adafactor, dict(d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
    (optim.Adafactor, dict(weight_decay=-0.1), "weight_decay should be >= 0 but is: -0.1"),
]


@pytest.mark.parametrize("cls,kwargs,message", BAD,
                         ids=[f"{c.__name__}-{'-'.join(k)}" for c, k, _ in BAD])
def test_invalid_hyperparameter_raises_value_error_naming_it(cls, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cls([_p()], **kwargs)


@pytest.mark.parametrize("cls", [v[0] for v in ALL.values()], ids=sorted(ALL, key=list(ALL).index))
def test_empty_parameter_list_raises(cls):
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        cls([])


def test_parameter_given_twice_raises():
    p = _p()
    with pytest.raises(ValueError, match="appears more than once"):
        optim.Adam([p, p])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.Adam([{"params": [p]}, {"params": [p], "lr": 0.1}])


def test_non_leaf_tensor_raises():
    p = _p()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2.0], lr=0.1)


def test_group_hyperparameters_are_validated_too():
    with pytest.raises(ValueError, match="Invalid learning rate: -3"):
        optim.SGD([{"params": [_p()], "lr": -3}], lr=0.1)
    with pytest.raises(ValueError, match="beta parameter at index 0: 2"):
        optim.Adam([{"params": [_p()], "betas": (2, 0.9)}])


def test_a_bare_tensor_or_a_set_is_a_type_error():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(_p(), lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {_p()}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.zeros(2)], lr=0.1)


def test_step_counts_as_an_in_place_write_for_saved_graphs():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    stale = (w * w).sum()                 # saves w for its backward
    w.grad = autograd.tensor([1.0, 1.0])
    opt.step()
    with pytest.raises(RuntimeError, match="SGD.step|modified by an inplace"):
        stale.backward()


@pytest.mark.parametrize("base", [optim.SGD, optim.Adam])
def test_a_subclass_update_is_used_by_step(base):
    # the group-at-once fast paths must not bypass an `_update` a subclass defines
    class Doubled(base):
        def _update(self, param, grad, state, group):
            param -= 2 * group["lr"] * grad

    p = autograd.tensor(np.ones(3), requires_grad=True)
    p.grad = autograd.tensor(np.full(3, 0.5))
    Doubled([p], lr=0.1).step()
    np.testing.assert_array_equal(p.detach().numpy(), np.full(3, 0.9))
