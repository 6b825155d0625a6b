"""Module system: registration, traversal, modes, dtype, repr, state dicts, hooks, copying."""
import collections
import copy

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn.module import _IncompatibleKeys


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.register_buffer("steps", autograd.zeros(1))
        self.register_buffer("scratch", autograd.zeros(2), persistent=False)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)
        self.scale = nn.Parameter(autograd.ones(1))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


# ---------------------------------------------------------------------- parameters
def test_parameter_shares_the_array_and_requires_grad():
    t = autograd.randn(2, 3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, autograd.Tensor)
    assert p._data is t._data
    assert nn.Parameter(t, requires_grad=False).requires_grad is False
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert nn.Parameter().shape == (0,)


def test_ops_on_parameters_return_plain_tensors():
    p = nn.Parameter(autograd.ones(2))
    assert type(p * 2) is autograd.Tensor


# ---------------------------------------------------------------------- registration
def test_registration_follows_assignment_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == \
        ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]


def test_shared_parameter_is_listed_once():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4


def test_reassigning_a_name_moves_it_between_kinds():
    net = Net()
    net.fc1 = nn.Parameter(autograd.zeros(1))
    assert "fc1" in net._parameters and "fc1" not in net._modules
    net.fc2 = None
    assert net.fc2 is None and "fc2" in net._modules
    with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'scale'"):
        net.scale = 3


def test_buffer_assignment_keeps_it_a_buffer_and_plain_attributes_stay_plain():
    net = Net()
    net.steps = autograd.ones(1)
    assert "steps" in net._buffers and net.steps._data[0] == 1
    net.note = "hello"
    assert net.__dict__["note"] == "hello"
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'missing'"):
        net.missing


def test_register_errors_name_the_problem():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        m.register_parameter("w", autograd.ones(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        m.register_buffer("b", [1.0])
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(autograd.ones(1))
        Bad()


def test_get_submodule_and_parameter():
    net = nn.Sequential(collections.OrderedDict(block=Net()))
    assert net.get_submodule("block.fc1") is net.block.fc1
    assert net.get_parameter("block.fc2.bias") is net.block.fc2.bias
    with pytest.raises(AttributeError, match="no attribute `nope`"):
        net.get_submodule("block.nope")


# ---------------------------------------------------------------------- modes and flags
def test_train_and_eval_set_every_module():
    net = Net()
    assert net.training and net.fc1.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("yes")


def test_zero_grad_to_none_and_to_zeros():
    net = Net()
    net(autograd.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_and_apply():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Net"]


def test_to_double_casts_floats_in_place_and_keeps_parameter_identity():
    net = nn.BatchNorm1d(3)
    w = net.weight
    net.double()
    assert net.weight is w and w.dtype == np.float64
    assert net.running_mean.dtype == np.float64
    assert net.num_batches_tracked.dtype == np.int64
    net.float()
    assert w.dtype == np.float32
    with pytest.raises(RuntimeError, match="cuda"):
        net.to("cuda")


def test_call_records_sequence_ranges_of_the_ops_it_created():
    lin = nn.Linear(3, 2)
    x = autograd.randn(4, 3)
    y = lin(x * 1.0)
    start, end = lin._call_ranges[-1]
    assert start < y.grad_fn._seq < end
    assert isinstance(lin._call_ranges, collections.deque) and lin._call_ranges.maxlen == 64
    for _ in range(70):
        lin(x)
    assert len(lin._call_ranges) == 64


def test_forward_not_implemented_names_the_module():
    with pytest.raises(NotImplementedError, match="Module \\[Module\\] is missing"):
        nn.Module()(1)


# ---------------------------------------------------------------------- repr
def test_repr_matches_pytorch_format():
    assert repr(nn.Linear(784, 256)) == "Linear(in_features=784, out_features=256, bias=True)"
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")")
    assert repr(nn.BatchNorm1d(4)) == \
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert repr(nn.LayerNorm(8)) == \
        "LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"


def test_module_list_repr_compresses_repeats():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    assert repr(ml) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3): ReLU()\n"
        ")")


# ---------------------------------------------------------------------- containers
def test_sequential_indexing_slicing_append_len_iter():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is seq[0]
    seq.append(nn.Sigmoid())
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"]
    with pytest.raises(IndexError):
        seq[7]
    named = nn.Sequential(collections.OrderedDict(enc=nn.Linear(2, 2), act=nn.Tanh()))
    assert [n for n, _ in named.named_parameters()] == ["enc.weight", "enc.bias"]


def test_module_list_and_dict_register_children():
    ml = nn.ModuleList([nn.Linear(2, 2)])
    ml.append(nn.Linear(2, 2))
    ml += [nn.ReLU()]
    assert len(ml) == 3 and [n for n, _ in ml.named_parameters()][2] == "1.weight"
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    assert list(md.keys()) == ["a", "b"] and "a" in md
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    pl = nn.ParameterList([autograd.ones(2), nn.Parameter(autograd.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    pd = nn.ParameterDict({"w": autograd.ones(2)})
    assert [n for n, _ in pd.named_parameters()] == ["w"]


# ---------------------------------------------------------------------- state dict
def test_state_dict_keys_follow_pytorch_names():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU())
    assert list(model.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked"]
    outer = nn.Module()
    outer.net = model
    assert "net.1.running_mean" in outer.state_dict()
    assert list(Net().state_dict()) == ["scale", "steps", "fc1.weight", "fc1.bias",
                                        "fc2.weight", "fc2.bias"]


def test_state_dict_values_are_detached_and_share_memory():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    assert not sd["weight"].requires_grad
    assert sd["weight"]._data is lin.weight._data
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight


def test_load_state_dict_copies_values_without_aliasing():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(b.weight._data, a.weight._data)
    assert b.weight._data is not a.weight._data
    a.weight._data[...] = 7
    assert not np.any(b.weight._data == 7)


def test_load_state_dict_strict_names_missing_and_unexpected_keys():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    del sd["bias"]
    sd["extra"] = autograd.ones(1)
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict(sd)
    msg = str(err.value)
    assert 'Missing key(s) in state_dict: "bias"' in msg
    assert 'Unexpected key(s) in state_dict: "extra"' in msg
    before = lin.weight._data.copy()
    sd["weight"] = autograd.zeros(2, 2)
    result = lin.load_state_dict(sd, strict=False)
    assert isinstance(result, _IncompatibleKeys)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert np.all(lin.weight._data == 0) and not np.all(before == 0)


def test_load_state_dict_shape_mismatch_names_key_and_shapes_and_changes_nothing():
    lin = nn.Linear(2, 2)
    before = lin.bias._data.copy()
    sd = {"weight": autograd.zeros(3, 2), "bias": autograd.zeros(2)}
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with "
                                           r"shape \(3, 2\) from checkpoint, the shape in "
                                           r"current model is \(2, 2\)"):
        lin.load_state_dict(sd, strict=False)
    np.testing.assert_array_equal(lin.bias._data, before)


def test_load_state_dict_accepts_arrays_and_casts_dtype():
    lin = nn.Linear(2, 1)
    lin.load_state_dict({"weight": np.ones((1, 2)), "bias": np.zeros(1)})
    assert lin.weight.dtype == np.float32 and np.all(lin.weight._data == 1)


def test_state_dict_round_trip_through_autograd_save_and_load(tmp_path):
    serialization = pytest.importorskip("autograd.serialization")
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model(autograd.randn(5, 3))  # moves the running statistics
    path = tmp_path / "model.npz"
    serialization.save(model.state_dict(), path)
    loaded = serialization.load(path)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(loaded)
    for (k, v), (k2, v2) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert k == k2 and v.dtype == v2.dtype
        np.testing.assert_array_equal(v.numpy(), v2.numpy())
    x = autograd.randn(2, 3)
    model.eval(), fresh.eval()
    np.testing.assert_array_equal(model(x).detach().numpy(), fresh(x).detach().numpy())


def test_deepcopy_gives_independent_parameters_and_buffers():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, nn.Parameter)
    assert clone[0].weight._data is not model[0].weight._data
    np.testing.assert_array_equal(clone[0].weight._data, model[0].weight._data)
    clone[1].running_mean._data[...] = 5
    assert not np.any(model[1].running_mean._data == 5)


# ---------------------------------------------------------------------- hooks
def test_forward_pre_hook_and_forward_hook_can_replace_values_and_be_removed():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0.0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1.0)
    y = lin(autograd.randn(3, 2))
    np.testing.assert_allclose(y.detach().numpy(), lin.bias.detach().numpy() + 1.0 + 0 * y._data)
    assert calls == [(3, 2)]
    h1.remove(), h2.remove()
    x = autograd.randn(3, 2)
    np.testing.assert_allclose(y.detach().numpy(), (lin(x * 0.0) + 1.0).detach().numpy())
    assert calls == [(3, 2)]


def test_hooks_with_kwargs_and_prepend_order():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    order = []
    m.register_forward_hook(lambda mod, a, kw, out: order.append(("late", kw["factor"])),
                            with_kwargs=True)
    m.register_forward_hook(lambda mod, a, out: order.append(("early",)), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {"factor": 3.0}), with_kwargs=True)
    y = m(autograd.ones(2), factor=2.0)
    assert np.all(y.numpy() == 3.0)
    assert order == [("early",), ("late", 3.0)]


def test_full_backward_hook_receives_input_and_output_gradients():
    lin = nn.Linear(3, 2).double()
    seen = {}

    def hook(module, grad_input, grad_output):
        seen["in"] = [g.numpy().copy() for g in grad_input]
        seen["out"] = [g.numpy().copy() for g in grad_output]

    handle = lin.register_full_backward_hook(hook)
    x = autograd.randn(4, 3, dtype=autograd.float64, requires_grad=True)
    g_out = np.arange(8, dtype=np.float64).reshape(4, 2)
    lin(x).backward(autograd.tensor(g_out))
    np.testing.assert_allclose(seen["out"][0], g_out)
    np.testing.assert_allclose(seen["in"][0], g_out @ lin.weight._data)
    np.testing.assert_allclose(x.grad.numpy(), g_out @ lin.weight._data)
    handle.remove()
    seen.clear()
    lin(x).sum().backward()
    assert seen == {}


def test_full_backward_hook_can_replace_the_input_gradient():
    lin = nn.Linear(3, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.0,))
    x = autograd.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    assert np.all(x.grad.numpy() == 0)
    assert lin.weight.grad is not None and np.any(lin.weight.grad.numpy() != 0)


def test_full_backward_hook_on_input_that_needs_no_grad_gets_none():
    lin = nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    lin(autograd.randn(4, 3)).sum().backward()
    assert seen == [((None,), (4, 2))]


def test_full_backward_pre_hook_can_scale_output_gradient():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 2.0,))
    x = autograd.randn(3, 2, requires_grad=True)
    lin(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * np.ones((3, 2)) @ lin.weight._data,
                               rtol=1e-6)


def test_backward_hook_works_under_create_graph():
    lin = nn.Linear(2, 1).double()
    lin.register_full_backward_hook(lambda m, gi, go: None)
    x = autograd.randn(3, 2, dtype=autograd.float64, requires_grad=True)
    (gx,) = autograd.grad((lin(x) ** 2).sum(), x, create_graph=True)
    gx.sum().backward()
    w = lin.weight._data[0]
    np.testing.assert_allclose(x.grad.numpy(), np.tile(2 * w * w.sum(), (3, 1)))


def test_module_draw_delegates_to_viz(monkeypatch):
    viz = pytest.importorskip("autograd.viz")
    calls = []
    monkeypatch.setattr(viz, "draw_module",
                        lambda module, x, path=None, **opt: calls.append((module, path, opt)))
    lin = nn.Linear(2, 2)
    lin.draw(autograd.randn(1, 2), path="out.svg", collapse=True)
    assert calls == [(lin, "out.svg", {"collapse": True})]


def test_functional_linear_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 5\).*\(3, 4\)"):
        F.linear(autograd.randn(2, 5), autograd.randn(3, 4))


# ---------------------------------------------------------------------- state-dict hooks
def test_state_dict_hooks_see_and_may_replace_the_state():
    model = nn.Sequential(nn.Linear(2, 2))
    seen = []
    model[0].register_state_dict_pre_hook(lambda m, prefix, keep: seen.append(prefix))
    handle = model.register_state_dict_post_hook(
        lambda m, sd, prefix, meta: seen.append(sorted(sd)))
    model.state_dict()
    assert seen == ["0.", ["0.bias", "0.weight"]]
    handle.remove()
    model._register_state_dict_hook(lambda m, sd, prefix, meta: {"only": 1})
    assert model.state_dict() == {"only": 1}


def test_a_load_pre_hook_can_rename_old_keys():
    model = nn.Linear(2, 1)

    def rename(module, sd, prefix, meta, strict, missing, unexpected, errors):
        for old, new in (("w", "weight"), ("b", "bias")):
            if prefix + old in sd:
                sd[prefix + new] = sd.pop(prefix + old)
    model.register_load_state_dict_pre_hook(rename)
    old = {"w": autograd.ones(1, 2), "b": autograd.zeros(1)}
    assert repr(model.load_state_dict(old)) == "<All keys matched successfully>"
    assert model.weight.tolist() == [[1.0, 1.0]] and "w" in old  # the caller's dict untouched


def test_load_pre_hook_errors_and_post_hook_forgiveness():
    model = nn.Linear(2, 1)
    model.register_load_state_dict_pre_hook(
        lambda m, sd, p, meta, strict, missing, unexpected, errors: errors.append("bad file"))
    with pytest.raises(RuntimeError, match="bad file"):
        model.load_state_dict(model.state_dict())
    other = nn.Linear(2, 1)

    def forgive(module, keys):
        keys.missing_keys.remove("bias")
    other.register_load_state_dict_post_hook(forgive)
    result = other.load_state_dict({"weight": autograd.full((1, 2), 3.0)})
    assert result.missing_keys == [] and other.weight.tolist() == [[3.0, 3.0]]


def test_share_memory_and_compile_are_harmless():
    model = nn.Linear(2, 2)
    assert model.share_memory() is model and model.compile() is None
