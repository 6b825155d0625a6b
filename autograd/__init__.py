"""autograd: tape-based reverse-mode automatic differentiation on NumPy arrays.

The public face: everything here is re-exported from the modules that define it.
"""
import math as _math
import types as _types

from . import dtypes
from .dtypes import (bool, double, float, float16, float32, float64, get_default_dtype, half,
                     int, int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from .dtypes import bfloat16, cdouble, cfloat, complex64, complex128
from .tensor import Tensor
from .function import Function
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .engine import backward, grad
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                     seed, set_rng_state)
from .creation import (arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full,
                       full_like, linspace, logspace, multinomial, normal, ones, ones_like, rand,
                       rand_like, randint, randint_like, randn, randn_like, randperm, tensor,
                       zeros, zeros_like)
from .ops.elementwise import (abs, absolute, add, allclose, ceil, clamp, clamp_max, clamp_min,
                              clip, clone, cos, div, divide, eq, equal, erf, exp, exp2, expm1, floor,
                              floor_divide, frac, ge, greater, greater_equal, gt, isclose,
                              isfinite, isinf, isnan, le, lerp, less, less_equal, log, log1p,
                              log2, log10, logical_and, logical_not, logical_or, logical_xor, lt,
                              maximum, minimum, mul, multiply, ne, neg, negative, pow,
                              reciprocal, relu, remainder, round, rsqrt, sigmoid, sign, signbit,
                              sin, sqrt, square, sub, subtract, tan, tanh, true_divide, trunc,
                              where)
from .ops.reduce import (all, amax, amin, any, argmax, argmin, count_nonzero, cumprod, cumsum,
                         logsumexp, max, mean, min, norm, prod, std, std_mean, sum, var, var_mean)
from .ops.shape import (broadcast_tensors, broadcast_to, cat, chunk, concat, concatenate, expand,
                        flatten, flip, fliplr, flipud, hstack, movedim, moveaxis, narrow, pad,
                        permute, repeat_interleave, reshape, roll, split, squeeze, stack, swapaxes,
                        swapdims, t, tensor_split, tile, transpose, unbind, unflatten, unsqueeze,
                        vstack)
from .ops.index import (argwhere, gather, index_select, masked_fill, masked_select, nonzero,
                        scatter, scatter_add, take, take_along_dim)
from .ops.elementwise import rsub
from .ops.linalg import bmm, dot, einsum, ger, inner, matmul, mm, mv, outer, tensordot
from .ops.nn import addmm, linear, log_softmax, logsigmoid, softmax, softplus
from .ops.sort import argsort, sort, topk, tril, triu
from .ops.conv import conv2d, conv_transpose2d
from .ops.conv import conv_transpose3d
from .ops.pool import avg_pool2d, max_pool2d
from .ops.diag import diag, diag_embed, diagonal, trace
from .ops.arrange import (atleast_1d, atleast_2d, atleast_3d, block_diag, cartesian_prod,
                          cartesian_product, column_stack, combinations, cross, diff, dstack,
                          kron, meshgrid, rot90, row_stack, vander)
from .creation import scalar_tensor, tril_indices, triu_indices
from .ops.stats import (aminmax, kthvalue, median, mode, nanmean, nanmedian, nanquantile,
                        nansum, quantile)
from .ops.cumulative import cummax, cummin, logcumsumexp
from .ops.integrate import cumulative_trapezoid, trapezoid, trapz
from .ops.distance import cdist, dist
from .ops.counting import (bincount, bucketize, histc, isin, searchsorted, unique,
                           unique_consecutive)
from .ops.decomp import det, inverse, logdet, slogdet
from .ops.decomp import cholesky_legacy as cholesky
from .ops.products import addbmm, addmv, baddbmm, chain_matmul
from . import linalg
from .ops.spectral import qr_legacy as qr, svd_legacy as svd
from .ops.lstsq import pinverse
from .ops.matrix_exp import matrix_exp
from .ops.lu import lu_legacy as lu, lu_unpack
from .ops.lstsq import householder_product as orgqr
from .ops.trig import (acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                       asin, asinh, atan, atan2, atanh, cosh, deg2rad, hypot, rad2deg, sinh)
from .ops.special import (erfc, erfinv, i0, logaddexp, logaddexp2, logit, nan_to_num, sinc,
                          xlogy)
from .ops.pointwise import (addcdiv, addcmul, copysign, float_power, fmax, fmin, heaviside,
                            sgn)
from .ops.gamma import digamma, lgamma, mvlgamma, polygamma
from .ops.bits import (bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or,
                       bitwise_right_shift, bitwise_xor, fix, frexp, gcd, isneginf, isposinf,
                       isreal, lcm, ldexp, nextafter, positive)
from .ops.bits import fmod  # (C-style: the sign of the dividend)
from .ops.elementwise import ne as not_equal
from .ops.writes import (diagonal_scatter, index_add, index_copy, index_fill, index_put,
                         index_reduce, masked_scatter, put, scatter_reduce, select_scatter,
                         slice_scatter)
from .ops.views import (as_strided, diagflat, dsplit, hsplit, msort, narrow_copy, ravel, select,
                        split_with_sizes, vsplit)
from .ops.matrices import addr, corrcoef, cov, hardshrink, matrix_power, prelu, renorm, vdot
from .tensor_methods import (get_device, is_complex, is_inference, is_nonzero, is_same_size,
                             is_signed)
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from . import profiler
from . import data, datasets, functional, special, viz
from .serialization import load, save
from .gradcheck import gradcheck, gradgradcheck
from . import gc_tuning
from .gc_tuning import set_gc_tuning
from .device import backends, cuda, device
from .info import Size, broadcast_shapes, finfo, iinfo, is_floating_point, is_tensor, numel
from .info import can_cast, promote_types, result_type, typename
from . import utils
from .printing import set_printoptions
from .legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
                     IntTensor, LongTensor, ShortTensor, Variable)
from .runtime import (channels_last, channels_last_3d, contiguous_format, preserve_format,
                      strided)
from .runtime import compiler, jit
from .runtime import (are_deterministic_algorithms_enabled, compile, get_default_device,
                      get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
                      set_default_device, set_float32_matmul_precision, set_num_interop_threads,
                      set_num_threads, use_deterministic_algorithms)
from . import amp
from .amp import autocast
from . import _aliases
from . import _out

# PyTorch's constants (`torch.inf`, `torch.pi`, `x[:, torch.newaxis]`)
inf, nan, pi, e, newaxis = _math.inf, _math.nan, _math.pi, _math.e, None

__version__ = "0.1.0"
version = _types.SimpleNamespace(__version__=__version__, cuda=None, hip=None, debug=False,
                                 git_version=None)  # `torch.version.cuda` is None: no GPU

# torch.<name> functions that are nn.functional's with the same signature (resolved on first
# use, as `autograd` never imports `nn` itself)
_FUNCTIONAL = frozenset((
    "conv1d", "conv3d", "conv_transpose1d", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "cosine_similarity", "pairwise_distance", "pdist", "celu", "selu",
    "rrelu", "threshold", "max_pool1d", "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d",
    "adaptive_max_pool1d", "dropout", "alpha_dropout", "feature_alpha_dropout", "group_norm",
    "layer_norm", "rms_norm", "bilinear"))

profiler.enable_from_environment()
gc_tuning.tune_on_import()
_aliases.install()
cuda.amp = amp  # torch.cuda.amp.autocast / GradScaler
cpu = _types.SimpleNamespace(amp=amp, is_available=lambda: True, device_count=lambda: 1)
_out.add_out_arguments(globals())


def __getattr__(name):
    """The names PyTorch scripts reach through `torch.`: with `import autograd as torch`,
    `torch.nn`, `torch.optim` (this project's top-level packages, imported on first use) and
    `torch.autograd` (this package itself: `torch.autograd.grad`, `.Function`, ...)."""
    import importlib
    import sys
    if name in ("nn", "optim"):
        return importlib.import_module(name)
    if name == "autograd":
        return sys.modules[__name__]
    if name in _FUNCTIONAL:
        functional = importlib.import_module("nn.functional")
        if hasattr(functional, name):
            return getattr(functional, name)
    if name == "distributions":  # torch.distributions
        return importlib.import_module(__name__ + ".distributions")
    if name == "func":  # torch.func: grad, vmap, jacrev, functional_call, ...
        return importlib.import_module(__name__ + ".func")
    if name == "testing":  # (needs hypothesis for its strategies, so never imported eagerly)
        return importlib.import_module(__name__ + ".testing")
    raise AttributeError(f"module 'autograd' has no attribute '{name}'")
