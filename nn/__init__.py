"""nn: layers, activations, normalisation, losses and initialisation, as `torch.nn`.

`nn.functional` (usually imported as F), `nn.init` and `nn.utils` are submodules.
"""
from . import functional, init, utils
from .module import Module
from .parameter import Buffer, Parameter
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .activation import (CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                         LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, RReLU, ReLU, ReLU6, SELU,
                         SiLU, Sigmoid, Softmax, Softmin, Softplus, Softshrink, Softsign, Tanh,
                         Tanhshrink, Threshold)
from .conv import (AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d, Conv3d,
                   ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, MaxPool1d, MaxPool2d)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AdaptiveMaxPool3d, AvgPool3d, LPPool1d, LPPool2d, MaxPool3d, MaxUnpool1d,
                      MaxUnpool2d, MaxUnpool3d)
from .vision import (ChannelShuffle, CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d,
                     Fold, PixelShuffle, PixelUnshuffle, ReflectionPad1d, ReflectionPad2d,
                     ReplicationPad1d, ReplicationPad2d, Unfold, Upsample, UpsamplingBilinear2d,
                     UpsamplingNearest2d, ZeroPad1d, ZeroPad2d)
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm, RMSNorm
from .instance_norm import InstanceNorm1d, InstanceNorm2d, LocalResponseNorm
from .sparse import Embedding, EmbeddingBag
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .attention import MultiheadAttention
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
from .distance import CosineSimilarity, PairwiseDistance
from .loss import (BCELoss, BCEWithLogitsLoss, CTCLoss, ContrastiveLoss, CosineEmbeddingLoss,
                   CrossEntropyLoss, DiceLoss, FocalLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                   HuberLoss, JSDivLoss, KLDivLoss, L1Loss, LogCoshLoss, MSELoss,
                   MarginRankingLoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss,
                   MultiMarginLoss, NLLLoss, PoissonNLLLoss, QuantileLoss, SigmoidFocalLoss,
                   SmoothL1Loss, SoftMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss)
from .mlp import MLP, SwiGLU
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
                   LazyInstanceNorm1d, LazyInstanceNorm2d, LazyLinear)
from .parameter import UninitializedBuffer, UninitializedParameter

__all__ = [
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d",
    "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
    "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyLinear", "UninitializedBuffer",
    "UninitializedParameter",
    "functional", "init", "utils", "Module", "Buffer", "Parameter", "ModuleDict", "ModuleList",
    "ParameterDict", "ParameterList", "Sequential", "Bilinear", "Flatten", "Identity", "Linear",
    "Unflatten", "CELU", "ELU", "GELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish",
    "Hardtanh", "LeakyReLU", "LogSigmoid", "LogSoftmax", "Mish", "PReLU", "RReLU", "ReLU", "ReLU6",
    "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus", "Softshrink", "Softsign", "Tanh",
    "Tanhshrink", "Threshold", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "Conv1d", "Conv2d",
    "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "MaxPool1d", "MaxPool2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AvgPool3d", "LPPool1d", "LPPool2d", "MaxPool3d", "MaxUnpool1d",
    "MaxUnpool2d", "MaxUnpool3d", "ChannelShuffle", "CircularPad1d", "CircularPad2d",
    "ConstantPad1d", "ConstantPad2d", "Fold", "PixelShuffle", "PixelUnshuffle", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "Unfold", "Upsample",
    "UpsamplingBilinear2d", "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d", "AlphaDropout",
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout", "BatchNorm1d",
    "BatchNorm2d", "BatchNorm3d", "GroupNorm", "LayerNorm", "RMSNorm", "InstanceNorm1d",
    "InstanceNorm2d", "LocalResponseNorm", "Embedding", "EmbeddingBag", "GRU", "LSTM", "RNN",
    "RNNBase", "GRUCell", "LSTMCell", "RNNCell", "RNNCellBase", "MultiheadAttention",
    "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer", "CosineSimilarity", "PairwiseDistance", "BCELoss",
    "BCEWithLogitsLoss", "CTCLoss", "ContrastiveLoss", "CosineEmbeddingLoss", "CrossEntropyLoss",
    "DiceLoss", "FocalLoss", "GaussianNLLLoss", "HingeEmbeddingLoss", "HuberLoss", "JSDivLoss",
    "KLDivLoss", "L1Loss", "LogCoshLoss", "MSELoss", "MarginRankingLoss", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "NLLLoss", "PoissonNLLLoss", "QuantileLoss",
    "SigmoidFocalLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "MLP", "SwiGLU"
]
