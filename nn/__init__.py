"""nn: layers, activations, normalisation, losses and initialisation, as `torch.nn`.

`nn.functional` (usually imported as F), `nn.init` and `nn.utils` are submodules.
"""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, PReLU, ReLU, ReLU6, SELU, Hardshrink, Hardsigmoid,
                         Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, Sigmoid,
                         SiLU, Softmax, Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink,
                         Threshold)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import (AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d, MaxPool1d,
                   MaxPool2d)
from .dropout import AlphaDropout, Dropout, Dropout2d
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .loss import (BCELoss, BCEWithLogitsLoss, ContrastiveLoss, CosineEmbeddingLoss,
                   CrossEntropyLoss, DiceLoss, FocalLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                   HuberLoss, JSDivLoss, KLDivLoss, L1Loss, LogCoshLoss, MarginRankingLoss,
                   MSELoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss, QuantileLoss,
                   SigmoidFocalLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss)
from .mlp import MLP, SwiGLU
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm, RMSNorm
from .parameter import Buffer, Parameter
from .sparse import Embedding
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase

__all__ = [
    "functional", "init", "utils", "CELU", "ELU", "GELU", "GLU", "PReLU", "ReLU", "ReLU6",
    "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid",
    "LogSoftmax", "Mish", "Sigmoid", "SiLU", "Softmax", "Softmin", "Softplus", "Softshrink",
    "Softsign", "Tanh", "Tanhshrink", "Threshold", "ModuleDict", "ModuleList", "ParameterDict",
    "ParameterList", "Sequential", "AlphaDropout", "Dropout", "Dropout2d", "Conv1d",
    "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d", "Bilinear", "Flatten",
    "Identity", "Linear", "Unflatten", "BCELoss", "BCEWithLogitsLoss", "ContrastiveLoss",
    "CosineEmbeddingLoss", "CrossEntropyLoss", "DiceLoss", "FocalLoss", "GaussianNLLLoss",
    "HingeEmbeddingLoss", "HuberLoss", "JSDivLoss", "KLDivLoss", "L1Loss", "LogCoshLoss",
    "MarginRankingLoss", "MSELoss", "MultiMarginLoss", "NLLLoss", "PoissonNLLLoss",
    "QuantileLoss", "SigmoidFocalLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss",
    "MLP", "SwiGLU", "Module", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm",
    "LayerNorm", "RMSNorm", "Buffer", "Parameter", "Embedding",
]
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
