"""The op registry is complete: every op and public differentiable function has a spec (or a
documented exemption), and every spec really exercises the ops it claims to cover."""
import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, settings

import autograd
import autograd.ops
from autograd.function import Op
from autograd.testing import registry
from autograd.testing.properties import graph_op_names


def _op_classes():
    """Every Op subclass defined in an autograd.ops.* module: {class name: module}."""
    found = {}
    for info in pkgutil.iter_modules(autograd.ops.__path__):
        module = importlib.import_module(f"autograd.ops.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Op) and obj.__module__ == module.__name__:
                found[name] = module.__name__
    return found


def _public_op_functions():
    """Public callables of `autograd` defined in autograd.ops.*: {name: object}."""
    return {name: obj for name, obj in vars(autograd).items()
            if not name.startswith("_") and callable(obj) and not inspect.isclass(obj)
            and getattr(obj, "__module__", "").startswith("autograd.ops")}


def _covered_functions():
    return {id(getattr(autograd, name)) for spec in registry.specs() for name in spec.public}


def test_the_op_modules_define_ops_at_all():
    assert {"Add", "Sum", "Reshape", "GetItem", "MatMul", "Softmax"} <= set(_op_classes())


def test_every_op_class_has_a_spec_or_a_documented_exemption():
    covered = set().union(*(spec.covers for spec in registry.specs()))
    missing = sorted(f"{module}.{name}" for name, module in _op_classes().items()
                     if name not in covered and name not in registry.EXEMPT_OPS)
    assert not missing, f"ops without an OpSpec (add one to autograd/testing/specs/) or an " \
                        f"entry with a reason in registry.EXEMPT_OPS: {missing}"


def test_every_public_differentiable_function_has_a_spec_or_a_documented_exemption():
    covered = _covered_functions()
    missing = sorted(name for name, obj in _public_op_functions().items()
                     if id(obj) not in covered and name not in registry.EXEMPT_FUNCTIONS)
    assert not missing, f"public functions without an OpSpec naming them in `public` or an " \
                        f"entry with a reason in registry.EXEMPT_FUNCTIONS: {missing}"


def test_exemptions_name_things_that_exist_and_give_a_reason():
    ops = _op_classes()
    for name, reason in registry.EXEMPT_OPS.items():
        assert name in ops, f"EXEMPT_OPS names {name!r}, which is not an op (stale entry)"
        assert reason.strip()
    for name, reason in registry.EXEMPT_FUNCTIONS.items():
        assert callable(getattr(autograd, name, None)), \
            f"EXEMPT_FUNCTIONS names {name!r}, which autograd does not export (stale entry)"
        assert reason.strip()


# exempt functions that accept only integer input (a float one raises, as in PyTorch)
_INTEGER_SAMPLES = {"bincount": autograd.tensor([0, 2, 2])}
_INTEGER_SAMPLES.update({name: autograd.tensor([6, 3, 2]) for name in (
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "gcd", "lcm")})


def test_exempt_functions_really_carry_no_gradient():
    x = autograd.tensor([0.5, -1.5, 2.0], requires_grad=True)
    for name in registry.EXEMPT_FUNCTIONS:
        fn = getattr(autograd, name)
        params = list(inspect.signature(fn).parameters.values())
        required = [p for p in params if p.default is p.empty and p.kind in
                    (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        arg = _INTEGER_SAMPLES.get(name, x)
        other = arg if name in _INTEGER_SAMPLES else x.detach() * 0.5
        out = fn(arg) if len(required) == 1 else fn(arg, other)
        outs = out if isinstance(out, tuple) else (out,)
        for o in outs:
            assert not getattr(o, "requires_grad", False), f"{name} returned a tensor requiring " \
                                                           f"grad but is exempted as carrying none"


def test_every_spec_names_real_public_functions_and_a_known_family():
    for spec in registry.specs():
        assert spec.family in registry.FAMILIES
        for name in spec.public:
            assert callable(getattr(autograd, name, None)), f"{spec.name}: public name {name!r}"


@pytest.mark.parametrize("name", [s.name for s in registry.specs() if s.covers])
def test_each_spec_exercises_the_ops_it_claims_to_cover(name):
    spec = registry.get(name)
    claimed = set(spec.covers)

    def runs_all_claimed(example):
        arrays, kwargs = example
        tensors = [autograd.tensor(np.asarray(a, np.float64), requires_grad=True) for a in arrays]
        out = spec.fn(*tensors, **kwargs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return claimed <= graph_op_names([o for o in outs if isinstance(o, autograd.Tensor)])

    # any example will do: no shrinking
    find(spec.inputs(), runs_all_claimed,
         settings=settings(max_examples=200, database=None, deadline=None,
                           phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
