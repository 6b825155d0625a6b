"""Legacy hook-based spectral normalisation, as `torch.nn.utils.spectral_norm` (Miyato et al.,
2018): the parameter `name` becomes `name_orig`, with buffers `name_u`, `name_v` holding the
power-iteration vectors, and a forward pre-hook sets

    name = name_orig / sigma,   sigma = u . (W v),   W = name_orig as an (h, w) matrix

with `dim` moved first. In training each call first runs `n_power_iterations` steps
v <- normalize(W^T u), u <- normalize(W v) (in place, not recorded); in eval u and v are used
as they are.
"""
import autograd

from .. import functional as F
from ..parameter import Parameter

__all__ = ["spectral_norm", "remove_spectral_norm"]


class SpectralNorm:
    """The forward pre-hook that recomputes `module.<name>` from `<name>_orig`, `_u`, `_v`."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        mat = weight
        if self.dim != 0:
            mat = mat.permute(self.dim, *[d for d in range(mat.ndim) if d != self.dim])
        return mat.reshape(mat.shape[0], -1)

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with autograd.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(autograd.mv(mat.t(), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(autograd.mv(mat, v), dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()
        sigma = autograd.dot(u, autograd.mv(mat, v))
        return weight / sigma

    def remove(self, module):
        with autograd.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with autograd.no_grad():
            mat = fn.reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = F.normalize(autograd.randn(h, dtype=weight.dtype), dim=0, eps=fn.eps)
            v = F.normalize(autograd.randn(w, dtype=weight.dtype), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.detach())
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide `module.<name>` by its largest singular value, estimated by power iteration
    (u, v start as normalised standard normal draws from autograd's global generator).
    `dim` defaults to 1 for ConvTranspose layers and 0 otherwise. Returns `module`.

    Example:
        >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
        >>> m.weight_u.shape         # (40,)
    """
    if dim is None:
        from ..conv import ConvTranspose1d, ConvTranspose2d
        transposed = tuple(c for c in (ConvTranspose1d, ConvTranspose2d,
                                       _conv_transpose3d()) if c is not None)
        dim = 1 if isinstance(module, transposed) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def _conv_transpose3d():
    from .. import conv
    return getattr(conv, "ConvTranspose3d", None)


def remove_spectral_norm(module, name="weight"):
    """Fold the spectral normalisation back into one parameter `name`. Returns `module`."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
