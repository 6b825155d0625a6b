"""`nn.utils`: gradient clipping, parameter/vector conversion, training diagnostics."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .diagnostics import TrainingDiagnostics

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "TrainingDiagnostics"]
from . import rnn  # noqa: E402  (nn.utils.rnn: padding and packing of sequences)
