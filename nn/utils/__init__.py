"""`nn.utils`: gradient clipping, parameter/vector conversion, training diagnostics."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .diagnostics import TrainingDiagnostics

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "TrainingDiagnostics"]
from . import rnn  # noqa: E402  (nn.utils.rnn: padding and packing of sequences)
from .clip_grad import clip_grad_norm  # noqa: E402  (deprecated alias)
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: E402
                     fuse_linear_bn_weights)
from .init import skip_init  # noqa: E402

__all__ += ["clip_grad_norm", "fuse_conv_bn_eval", "fuse_conv_bn_weights",
            "fuse_linear_bn_eval", "fuse_linear_bn_weights", "skip_init"]
from .weight_norm import remove_weight_norm, weight_norm  # noqa: E402
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: E402
from . import parametrize, parametrizations  # noqa: E402

__all__ += ["weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm",
            "parametrize", "parametrizations"]
from . import stateless  # noqa: E402  (nn.utils.stateless.functional_call)
