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
from .pooling import (AdaptiveAvgPool1d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, MaxUnpool1d,
                      MaxUnpool2d)
from .sparse import Embedding
from .attention import MultiheadAttention
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)

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
__all__ += ["MultiheadAttention", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
            "TransformerEncoder", "TransformerEncoderLayer"]
from .conv import ConvTranspose1d, ConvTranspose2d
__all__ += ["ConvTranspose1d", "ConvTranspose2d"]
from .vision import (ChannelShuffle, CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d,
                     Fold, PixelShuffle, PixelUnshuffle, ReflectionPad1d, ReflectionPad2d,
                     ReplicationPad1d, ReplicationPad2d, Unfold, Upsample, UpsamplingBilinear2d,
                     UpsamplingNearest2d, ZeroPad1d, ZeroPad2d)
from . import vision as _vision
__all__ += list(_vision.__all__)
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout1d
from .instance_norm import InstanceNorm1d, InstanceNorm2d, LocalResponseNorm
from .loss import MultiLabelSoftMarginLoss
__all__ += ["CosineSimilarity", "PairwiseDistance", "Dropout1d", "InstanceNorm1d",
            "InstanceNorm2d", "LocalResponseNorm", "MultiLabelSoftMarginLoss"]
__all__ += ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MaxUnpool1d",
            "MaxUnpool2d"]
