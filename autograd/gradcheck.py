"""`gradcheck` and `gradgradcheck`: compare analytical gradients with central differences.

Every check runs in float64 on copies of the inputs, so the caller's tensors are never touched
and finite differences are accurate. Small problems compare the full Jacobian element by element;
large ones compare random projections `v^T J u` (one backward pass, two forward passes per
input). Besides the values, each analytical pass is checked for

* gradient shape and dtype equal to the input's,
* linearity in the upstream gradient: vjp(a v + b w) == a vjp(v) + b vjp(w),
* repeatability: two backward passes through the same graph give the same gradient,
* no mutation: the inputs and the upstream gradients hold the same values afterwards.

A failure raises `GradcheckError` (a `RuntimeError`) whose message names the input, the element
and both values; with `raise_exception=False` the functions return False instead.

Example:
    >>> x = autograd.randn(3, dtype=autograd.float64, requires_grad=True)
    >>> gradcheck(lambda t: (t * t).sum(), (x,))
    True
"""
import numpy as np

from . import engine, grad_mode
from .tensor import Tensor, _make

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]

# Inputs and outputs up to this many elements get a full Jacobian; beyond, random projections.
FULL_JACOBIAN_MAX_ELEMENTS = 256
_LINEARITY_COEFFS = (2.0, -3.0)  # a + b != 1, so an affine (not linear) backward is caught


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` / `gradgradcheck` when a check fails."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=True, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of `fn` at `inputs` against central finite differences.

    Args:
        fn: a function of the inputs returning a Tensor or a tuple of Tensors. Float outputs
            that require grad are differentiated; integer and bool outputs (indices, masks) and
            outputs marked non-differentiable are ignored. When no output requires grad, the
            check is that no output depends on the inputs at all.
        inputs: a Tensor or a tuple of Tensors and other values. Float tensors are copied to
            float64 (the check never runs in lower precision); the ones with `requires_grad` are
            differentiated. Other values are passed through unchanged.
        eps: the finite-difference step.
        atol, rtol: an element passes when |analytical - numerical| <= atol + rtol * |numerical|.
        raise_exception: raise `GradcheckError` on failure (else return False).
        nondet_tol: how far two backward passes with the same upstream gradient may differ.
        check_undefined_grad: also differentiate each output on its own (the others receive no
            gradient) and check the parts add up to the joint pass.
        check_grad_dtypes: check each gradient's dtype equals its input's.
        fast_mode: always use random projections, even for small inputs.
        check_batched_grad, check_batched_forward_grad, masked: accepted for PyTorch
            compatibility; there is no batched or masked mode to check.
        check_forward_ad: forward-mode AD does not exist here; True raises NotImplementedError.
        check_backward_ad: False skips the analytical checks (then nothing is checked).

    Returns:
        True when every check passes.
    """
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: forward-mode AD is not implemented, so it cannot "
                                  "be checked")
    try:
        if check_backward_ad:
            _Checker(fn, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                     check_grad_dtypes, fast_mode).run()
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=True, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=None):
    """Check second derivatives: `gradcheck` of the map (inputs, v) -> vjp of `fn` at v.

    The vector-Jacobian product is computed with `create_graph=True`, so this checks that the
    backward pass of every op in `fn` is itself differentiated correctly (including with respect
    to the upstream gradient `v`). It also checks that the first derivatives computed with
    `create_graph=True` equal those computed without it.

    Args:
        grad_outputs: the upstream gradients `v`, one per differentiable output of `fn` (float
            and requiring grad); random (and differentiated) when None, as in PyTorch.
        Other arguments as in `gradcheck`.
    """
    if check_fwd_over_rev:
        raise NotImplementedError("gradgradcheck: forward-mode AD is not implemented, so "
                                  "forward-over-reverse cannot be checked")
    if not check_rev_over_rev:
        return True
    try:
        _gradgradcheck(fn, inputs, grad_outputs, eps, atol, rtol, nondet_tol,
                       check_undefined_grad, check_grad_dtypes, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


# ---------------------------------------------------------------------- preparing inputs
def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _float64_copy(t):
    """A float64 leaf holding a copy of `t`, requiring grad when `t` does."""
    arr = np.array(t._data, dtype=np.float64 if t._data.dtype.kind == "f" else t._data.dtype,
                   copy=True)
    leaf = _make(arr, None)
    leaf._requires_grad = bool(t._requires_grad) and arr.dtype.kind == "f"
    return leaf


def _prepare(inputs):
    inputs = tuple(_float64_copy(x) if isinstance(x, Tensor) else x for x in _as_tuple(inputs))
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True")
    return inputs, diff


def _with_values(inputs, i, arr):
    """`inputs` with input `i` replaced by a fresh leaf holding `arr`."""
    leaf = _make(np.asarray(arr), None)  # NOTE: 0-d arithmetic gives NumPy scalars
    leaf._requires_grad = True
    return inputs[:i] + (leaf,) + inputs[i + 1:]


def _float_outputs(out, where="fn"):
    """The float Tensors among `out`, as {position in out: tensor}."""
    outs = _as_tuple(out)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise GradcheckError(f"{where} must return a Tensor or a tuple of Tensors; output {k} "
                                 f"is a {type(o).__name__}")
    return {k: o for k, o in enumerate(outs) if o._data.dtype.kind == "f"}


def _fmt(value):
    return repr(value.item() if isinstance(value, np.generic) else value)


def _index(shape, flat):
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


# ---------------------------------------------------------------------- the checker
class _Checker:
    def __init__(self, fn, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                 check_grad_dtypes, fast_mode):
        self.fn = fn
        self.inputs, self.diff = _prepare(inputs)
        self.eps, self.atol, self.rtol = float(eps), float(atol), float(rtol)
        self.nondet_tol = float(nondet_tol)
        self.check_undefined_grad = check_undefined_grad
        self.check_grad_dtypes = check_grad_dtypes
        self.fast_mode = fast_mode
        self.rng = np.random.default_rng(0)

    def run(self):
        self.snapshots = [np.array(x._data, copy=True) if isinstance(x, Tensor) else None
                          for x in self.inputs]
        with grad_mode.enable_grad():
            floats = _float_outputs(self.fn(*self.inputs))
            self.check_inputs_unchanged("the function")
            # As in PyTorch, the differentiable outputs are those that require grad (not, say,
            # statistics marked non-differentiable). With none, nothing may depend on the inputs.
            self.out_keys = [k for k, o in floats.items() if o._requires_grad]
            self.n_floats = len(floats)
            if not self.out_keys:
                self.out_keys = list(floats)
                self.outputs = list(floats.values())
                self.check_independent_of_inputs()
            else:
                self.outputs = [floats[k] for k in self.out_keys]
                self.check_backward_properties()
                n = sum(self.inputs[i]._data.size for i in self.diff)
                m = sum(o._data.size for o in self.outputs)
                if self.fast_mode or max(n, m) > FULL_JACOBIAN_MAX_ELEMENTS:
                    self.check_projections()
                else:
                    self.check_full_jacobian()
        self.check_inputs_unchanged("the function or its backward")

    def check_inputs_unchanged(self, by):
        for i, (x, snap) in enumerate(zip(self.inputs, self.snapshots)):
            if snap is not None:
                _check_unchanged(snap, x._data, f"input {i} was modified in place by {by}")

    # ------------------------------------------------------------------ analytical side
    def vjp(self, vs):
        """Gradients of sum_k <outputs[k], vs[k]> wrt the differentiable inputs (float64 copies).

        `vs[k]` None means output k receives no gradient. Checks shape, dtype and that no upstream
        gradient was mutated.
        """
        roots, seeds, kept = [], [], []
        for k, (o, v) in enumerate(zip(self.outputs, vs)):
            if v is None or not o._requires_grad:
                continue
            arr = np.array(v, dtype=o._data.dtype, copy=True)
            roots.append(o)
            seeds.append(_make(arr, None))
            kept.append((k, arr, np.array(arr, copy=True)))
        targets = [self.inputs[i] for i in self.diff]
        if not roots:
            return [np.zeros(t._data.shape) for t in targets]
        try:
            grads = engine.grad(roots, targets, seeds, retain_graph=True, allow_unused=True)
        except GradcheckError:
            raise
        except Exception as e:
            raise GradcheckError(f"backward raised {type(e).__name__}: {e}") from e
        for k, arr, snap in kept:
            _check_unchanged(snap, arr, f"backward modified the upstream gradient of output "
                                        f"{self.out_keys[k]} in place")
        self.check_inputs_unchanged("backward")
        result = []
        for i, t, g in zip(self.diff, targets, grads):
            if g is None:
                result.append(np.zeros(t._data.shape))
                continue
            if not isinstance(g, Tensor):
                raise GradcheckError(f"the gradient of input {i} is a {type(g).__name__}, not a "
                                     f"Tensor")
            if g._data.shape != t._data.shape:
                raise GradcheckError(f"the gradient of input {i} has shape {g._data.shape} but "
                                     f"the input has shape {t._data.shape}")
            if self.check_grad_dtypes and g._data.dtype != t._data.dtype:
                raise GradcheckError(f"the gradient of input {i} has dtype {g._data.dtype} but "
                                     f"the input has dtype {t._data.dtype}")
            result.append(np.array(g._data, dtype=np.float64, copy=True))
        return result

    def random_vs(self):
        return [self.rng.standard_normal(o._data.shape) for o in self.outputs]

    def check_backward_properties(self):
        """Linearity in the upstream gradient, repeatability, and undefined output gradients."""
        if not any(o._requires_grad for o in self.outputs):
            return
        v, w = self.random_vs(), self.random_vs()
        a, b = _LINEARITY_COEFFS
        gv, gw = self.vjp(v), self.vjp(w)
        mixed = self.vjp([a * x + b * y for x, y in zip(v, w)])
        for i, lhs, x, y in zip(self.diff, mixed, gv, gw):
            rhs = a * x + b * y
            scale = np.abs(a * x) + np.abs(b * y)
            self.compare(lhs, rhs, self.atol + self.rtol * scale,
                         f"the gradient of input {i} is not linear in the upstream gradient",
                         "vjp(a*v + b*w)", "a*vjp(v) + b*vjp(w)")
        again = self.vjp(v)
        for i, x, y in zip(self.diff, gv, again):
            self.compare(y, x, self.nondet_tol,
                         f"backward is not repeatable: two passes with the same upstream "
                         f"gradient gave different gradients for input {i} "
                         f"(nondet_tol={self.nondet_tol})", "second pass", "first pass")
        if self.check_undefined_grad and len(self.outputs) > 1:
            total = [np.zeros_like(x) for x in gv]
            for k in range(len(self.outputs)):
                only = [v[k] if j == k else None for j in range(len(self.outputs))]
                for acc, part in zip(total, self.vjp(only)):
                    acc += part
            for i, x, y in zip(self.diff, total, gv):
                self.compare(x, y, self.atol + self.rtol * np.abs(y),
                             f"backward with some output gradients undefined disagrees with the "
                             f"joint pass for input {i}", "sum of per-output passes",
                             "joint pass")

    # ------------------------------------------------------------------ numerical side
    def numerical_outputs(self, inputs):
        with grad_mode.enable_grad():
            outs = _float_outputs(self.fn(*inputs))
        if len(outs) != self.n_floats:
            raise GradcheckError(f"fn returned {len(outs)} float outputs on a perturbed input but "
                                 f"{self.n_floats} at the original one")
        return [np.asarray(outs[k]._data, dtype=np.float64) for k in self.out_keys]

    def central_difference(self, i, direction):
        """(f(x_i + eps d) - f(x_i - eps d)) / (2 eps), per output."""
        x = self.inputs[i]._data
        plus = self.numerical_outputs(_with_values(self.inputs, i, x + self.eps * direction))
        minus = self.numerical_outputs(_with_values(self.inputs, i, x - self.eps * direction))
        return [(p - q) / (2 * self.eps) for p, q in zip(plus, minus)]

    def numerical_jacobian(self, i):
        """Rows: output elements (outputs concatenated); columns: elements of input i."""
        x = self.inputs[i]._data
        m = sum(o._data.size for o in self.outputs)
        jac = np.zeros((m, x.size))
        for j in range(x.size):
            d = np.zeros(x.size)
            d[j] = 1.0
            cols = self.central_difference(i, d.reshape(x.shape))
            jac[:, j] = np.concatenate([c.ravel() for c in cols]) if cols else []
        return jac

    # ------------------------------------------------------------------ comparisons
    def check_independent_of_inputs(self):
        """No output requires grad: then the numerical Jacobian must be zero too."""
        for i in self.diff:
            numerical = self.numerical_jacobian(i)
            bad = ~(np.abs(numerical) <= self.atol)
            if bad.any():
                r, c = np.unravel_index(np.argmax(bad), bad.shape)
                k, j = self.output_element(r)
                raise GradcheckError(
                    f"no output of fn requires grad, yet output {self.out_keys[k]} depends on "
                    f"input {i}: at input element {_index(self.inputs[i]._data.shape, c)} and "
                    f"output element {_index(self.outputs[k]._data.shape, j)} the numerical "
                    f"derivative is {_fmt(numerical[r, c])} (the graph was cut, e.g. by "
                    f"detach() or no_grad)")

    def check_full_jacobian(self):
        sizes = [o._data.size for o in self.outputs]
        m = sum(sizes)
        analytical = {i: np.zeros((m, self.inputs[i]._data.size)) for i in self.diff}
        row = 0
        for k, o in enumerate(self.outputs):
            for j in range(o._data.size):
                v = [None] * len(self.outputs)
                onehot = np.zeros(o._data.size)
                onehot[j] = 1.0
                v[k] = onehot.reshape(o._data.shape)
                for i, g in zip(self.diff, self.vjp(v)):
                    analytical[i][row] = g.ravel()
                row += 1
        for i in self.diff:
            numerical = self.numerical_jacobian(i)
            a = analytical[i]
            bad = np.abs(a - numerical) > self.atol + self.rtol * np.abs(numerical)
            bad |= np.isnan(a) != np.isnan(numerical)
            if bad.any():
                r, c = np.unravel_index(np.argmax(bad), bad.shape)
                k, j = self.output_element(r)
                raise GradcheckError(
                    f"Jacobian mismatch for output {self.out_keys[k]} with respect to input {i},\n"
                    f"at input element {_index(self.inputs[i]._data.shape, c)} and output "
                    f"element {_index(self.outputs[k]._data.shape, j)}:\n"
                    f"analytical: {_fmt(a[r, c])}\nnumerical:  {_fmt(numerical[r, c])}\n"
                    f"({int(bad.sum())} of {bad.size} Jacobian entries differ by more than "
                    f"atol={self.atol} + rtol={self.rtol} * |numerical|)")

    def output_element(self, row):
        for k, o in enumerate(self.outputs):
            if row < o._data.size:
                return k, row
            row -= o._data.size
        raise AssertionError("row out of range")

    def check_projections(self):
        v = self.random_vs()
        norm = np.sqrt(sum(float((x * x).sum()) for x in v)) or 1.0
        v = [x / norm for x in v]
        grads = self.vjp(v)
        for i, g in zip(self.diff, grads):
            x = self.inputs[i]._data
            u = self.rng.standard_normal(x.shape)
            u /= np.sqrt(float((u * u).sum())) or 1.0
            analytical = float((g * u).sum())
            numerical = float(sum((vk * dk).sum() for vk, dk in zip(v, self.central_difference(i, u))))
            if not abs(analytical - numerical) <= self.atol + self.rtol * abs(numerical):
                self.locate_projection_failure(i, v, g, analytical, numerical)

    def locate_projection_failure(self, i, v, g, analytical, numerical):
        """The projection v^T J u disagrees: compare v^T J element by element to name one."""
        x = self.inputs[i]._data
        row = np.zeros(x.size)
        for j in range(x.size):
            d = np.zeros(x.size)
            d[j] = 1.0
            diffs = self.central_difference(i, d.reshape(x.shape))
            row[j] = sum(float((vk * dk).sum()) for vk, dk in zip(v, diffs))
        a = g.ravel()
        err = np.abs(a - row) - (self.atol + self.rtol * np.abs(row))
        c = int(np.argmax(err))
        raise GradcheckError(
            f"Jacobian mismatch with respect to input {i} (random projection v^T J u: "
            f"analytical {_fmt(analytical)}, numerical {_fmt(numerical)});\n"
            f"v^T J differs most at input element {_index(x.shape, c)}:\n"
            f"analytical: {_fmt(a[c])}\nnumerical:  {_fmt(row[c])}")

    def compare(self, got, expected, tol, what, got_name, expected_name):
        bad = ~(np.abs(got - expected) <= tol)
        if bad.any():
            flat = int(np.argmax(bad))
            idx = _index(got.shape, flat)
            raise GradcheckError(f"{what}: at element {idx}, {got_name} = {_fmt(got.flat[flat])} "
                                 f"but {expected_name} = {_fmt(expected.flat[flat])}")


def _check_unchanged(before, after, what):
    same = (before == after) | (np.isnan(before) & np.isnan(after)) \
        if before.dtype.kind == "f" else before == after
    if before.shape != after.shape:
        raise GradcheckError(f"{what}: its shape changed from {before.shape} to {after.shape}")
    if not np.all(same):
        flat = int(np.argmin(np.asarray(same).ravel()))
        idx = _index(before.shape, flat)
        raise GradcheckError(f"{what} (element {idx}: was {_fmt(before.flat[flat])}, now "
                             f"{_fmt(after.flat[flat])})")


# ---------------------------------------------------------------------- second order
def _gradgradcheck(fn, inputs, grad_outputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                   check_grad_dtypes, fast_mode):
    inputs, diff = _prepare(inputs)
    n_in = len(inputs)
    with grad_mode.enable_grad():
        outputs = [o for o in _float_outputs(fn(*inputs)).values() if o._requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = tuple(_random_leaf(rng, o._data.shape) for o in outputs)
    else:
        grad_outputs = tuple(_float64_copy(g) if isinstance(g, Tensor) else
                             _make(np.array(g, dtype=np.float64), None)
                             for g in _as_tuple(grad_outputs))
        if len(grad_outputs) != len(outputs):
            raise ValueError(f"gradgradcheck: got {len(grad_outputs)} grad_outputs for "
                             f"{len(outputs)} differentiable outputs")

    def first_derivatives(*args):
        xs, vs = args[:n_in], args[n_in:]
        with grad_mode.enable_grad():
            outs = [o for o in _float_outputs(fn(*xs)).values() if o._requires_grad]
            roots = list(zip(outs, vs))
            targets = [xs[i] for i in diff]
            if not roots:
                return tuple(_make(np.zeros(t._data.shape), None) for t in targets)
            grads = engine.grad([o for o, _ in roots], targets, [v for _, v in roots],
                                create_graph=True, allow_unused=True)
        return tuple(_make(np.zeros(t._data.shape), None) if g is None else g
                     for t, g in zip(targets, grads))

    _check_create_graph_matches(fn, inputs, diff, outputs, grad_outputs, atol, rtol)
    _Checker(first_derivatives, inputs + grad_outputs, eps, atol, rtol, nondet_tol,
             check_undefined_grad, check_grad_dtypes, fast_mode).run()


def _random_leaf(rng, shape):
    leaf = _make(rng.standard_normal(shape), None)
    leaf._requires_grad = True
    return leaf


def _check_create_graph_matches(fn, inputs, diff, outputs, grad_outputs, atol, rtol):
    """First derivatives with create_graph=True (Tensor formulas) must equal those without."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o._requires_grad]
    if not pairs:
        return
    targets = [inputs[i] for i in diff]
    roots = [o for o, _ in pairs]
    seeds = [_make(np.array(g._data, dtype=o._data.dtype), None) for o, g in pairs]
    try:
        with grad_mode.enable_grad():
            plain = engine.grad(roots, targets, seeds, retain_graph=True, allow_unused=True)
            recorded = engine.grad(roots, targets, seeds, retain_graph=True, create_graph=True,
                                   allow_unused=True)
    except Exception as e:
        raise GradcheckError(f"backward raised {type(e).__name__}: {e}") from e
    for i, p, r in zip(diff, plain, recorded):
        p = np.zeros(inputs[i]._data.shape) if p is None else p._data
        r = np.zeros(inputs[i]._data.shape) if r is None else r._data
        bad = ~(np.abs(r - p) <= atol + rtol * np.abs(p))
        if bad.any():
            flat = int(np.argmax(bad))
            raise GradcheckError(
                f"the gradient of input {i} computed with create_graph=True differs from the "
                f"one computed without it at element {_index(p.shape, flat)}:\n"
                f"create_graph=True: {_fmt(r.flat[flat])}\n"
                f"create_graph=False: {_fmt(p.flat[flat])}")
