"""Run one computation in autograd and in PyTorch on the same float64 inputs and compare the
outputs (values, integer indices, shapes) and the input gradients under one random upstream
gradient. Imported by the *_vs_torch test modules, which skip when torch is missing."""
import numpy as np

import autograd


def as_ours(a, requires_grad=True):
    a = np.asarray(a)
    return autograd.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")


def as_theirs(torch, a, requires_grad=True):
    a = np.asarray(a)
    return torch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")


def _outputs(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def compare(torch, ours, theirs, *arrays, grad=True, indices=True, rtol=1e-7, atol=1e-10,
            seed=0):
    """`ours(*autograd tensors)` against `theirs(*torch tensors)`: same shapes, values (nan in
    the same places), integer outputs equal (unless `indices` is False), and with `grad` the
    same input gradients for a random upstream gradient on every float output."""
    rng = np.random.default_rng(seed)
    a = [as_ours(x, grad) for x in arrays]
    t = [as_theirs(torch, x, grad) for x in arrays]
    result = ours(*a)
    out_a, out_t = _outputs(result), _outputs(theirs(*t))
    assert len(out_a) == len(out_t)
    loss_a = loss_t = None
    for k, (oa, ot) in enumerate(zip(out_a, out_t)):
        va, vt = oa.detach().numpy(), ot.detach().numpy()
        assert va.shape == vt.shape, f"output {k}: shape {va.shape}, torch {vt.shape}"
        if vt.dtype.kind == "f":
            assert va.dtype == vt.dtype, f"output {k}: dtype {va.dtype}, torch {vt.dtype}"
            np.testing.assert_allclose(va, vt, rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"output {k}")
            if grad and ot.requires_grad:
                assert oa.requires_grad, f"output {k} does not require grad, torch's does"
                w = rng.standard_normal(vt.shape)
                la = (oa * autograd.tensor(w)).sum()
                lt = (ot * torch.tensor(w)).sum()
                loss_a = la if loss_a is None else loss_a + la
                loss_t = lt if loss_t is None else loss_t + lt
        else:
            assert va.dtype.kind == vt.dtype.kind, f"output {k}: dtype {va.dtype}, {vt.dtype}"
            if indices:
                np.testing.assert_array_equal(va, vt, err_msg=f"output {k}")
    if loss_a is None:
        return result
    loss_a.backward()
    loss_t.backward()
    for i, (xa, xt) in enumerate(zip(a, t)):
        if not xt.requires_grad:
            continue
        ga = np.zeros(xa.shape) if xa.grad is None else xa.grad.numpy()
        gt = np.zeros(tuple(xt.shape)) if xt.grad is None else xt.grad.numpy()
        np.testing.assert_allclose(ga, gt, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=f"gradient of input {i}")
    return result
