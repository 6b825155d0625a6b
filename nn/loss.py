"""Loss modules: each stores its options and calls the function of the same name in
`nn.functional`. The ones PyTorch lacks (focal, log-cosh, quantile, Dice, Jensen-Shannon,
contrastive) follow the same conventions.
"""
from autograd.tensor import Tensor

from . import functional as F
from ._functional_losses import _legacy_reduction
from .module import Module

__all__ = [
    "L1Loss", "MSELoss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
    "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "PoissonNLLLoss", "HingeEmbeddingLoss",
    "MultiMarginLoss", "SoftMarginLoss", "SigmoidFocalLoss", "FocalLoss", "LogCoshLoss",
    "QuantileLoss", "DiceLoss", "JSDivLoss", "MarginRankingLoss", "CosineEmbeddingLoss",
    "TripletMarginLoss", "ContrastiveLoss", "GaussianNLLLoss"
]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)

    def _store_weight(self, name, value):
        """Tensor options (class weights) are buffers, as in PyTorch, so they follow .to()."""
        if isinstance(value, Tensor):
            self.register_buffer(name, value)
        else:
            setattr(self, name, value)


class L1Loss(_Loss):
    """|input - target|.   Shapes: input: (*)  target: (*)  ->  () or (*)"""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """(input - target) ** 2.   Shapes: input: (*)  target: (*)  ->  () or (*)"""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |d| < delta, linear beyond.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, delta=self.delta, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic for |d| < beta (scaled by 1/beta), linear beyond.

    Shapes: (*), (*) -> () or (*)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, beta=self.beta, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities, logs clamped at -100.

    Shapes: (*), (*) -> () or (*)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self._store_weight("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits (stable, one fused node).   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self._store_weight("weight", weight)
        self._store_weight("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits; targets are class indices (fused) or probabilities.

    Shapes: input: (N, C, *) or (C,)  target: (N, *) indices or like input  ->  () or (N, *)"""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(size_average, reduce, reduction)
        self._store_weight("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               label_smoothing=self.label_smoothing, reduction=self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities.   Shapes: (N, C, *), (N, *) -> () or (N, *)"""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self._store_weight("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL(target || exp(input)); use reduction='batchmean' for the true KL.

    Shapes: (*), (*) -> () or (*)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, log_target=self.log_target, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, input, target):
        return F.poisson_nll_loss(input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """x for y = 1, max(0, margin - x) for y = -1.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiMarginLoss(_Loss):
    """Multi-class hinge loss.   Shapes: (N, C), (N,) -> () or (N,)"""

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                 reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.p = p
        self.margin = margin
        self._store_weight("weight", weight)

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + exp(-y x)).   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class SigmoidFocalLoss(_Loss):
    """Binary focal loss from logits (Lin et al., 2017); default reduction 'mean' here.

    Shapes: (*), (*) -> () or (*)"""

    def __init__(self, alpha=0.25, gamma=2.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.alpha = alpha
        self.gamma = gamma

    def forward(self, input, target):
        return F.sigmoid_focal_loss(input, target, alpha=self.alpha, gamma=self.gamma,
                                    reduction=self.reduction)


class FocalLoss(_Loss):
    """Multi-class focal loss from logits with class-index targets.

    Shapes: input: (N, C, *)  target: (N, *)  ->  () or (N, *)"""

    def __init__(self, gamma=2.0, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction=reduction)
        self.gamma = gamma
        self._store_weight("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.focal_loss(input, target, gamma=self.gamma, weight=self.weight,
                            ignore_index=self.ignore_index, reduction=self.reduction)


class LogCoshLoss(_Loss):
    """log(cosh(input - target)), computed stably.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, reduction="mean"):
        super().__init__(reduction=reduction)

    def forward(self, input, target):
        return F.log_cosh_loss(input, target, reduction=self.reduction)


class QuantileLoss(_Loss):
    """Pinball loss for quantile regression.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, quantile=0.5, reduction="mean"):
        super().__init__(reduction=reduction)
        self.quantile = quantile

    def forward(self, input, target):
        return F.quantile_loss(input, target, quantile=self.quantile, reduction=self.reduction)


class DiceLoss(_Loss):
    """1 - Dice coefficient per sample, on probabilities.   Shapes: (N, *), (N, *) -> () or (N,)"""

    def __init__(self, smooth=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.smooth = smooth

    def forward(self, input, target):
        return F.dice_loss(input, target, smooth=self.smooth, reduction=self.reduction)


class JSDivLoss(_Loss):
    """Jensen-Shannon divergence; input holds log-probabilities.   Shapes: (*), (*) -> () or (*)"""

    def __init__(self, log_target=False, reduction="batchmean"):
        super().__init__(reduction=reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.js_div(input, target, log_target=self.log_target, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin).   Shapes: (N,), (N,), (N,) -> () or (N,)"""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos for y = 1, max(0, cos - margin) for y = -1.

    Shapes: (N, D), (N, D), (N,) -> () or (N,)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0).   Shapes: (N, D) x 3 -> () or (N,)"""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None,
                 reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class ContrastiveLoss(_Loss):
    """y d**2 + (1 - y) max(0, margin - d)**2, y = 1 for similar pairs.

    Shapes: (N, D), (N, D), (N,) -> () or (N,)
    """

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.contrastive_loss(input1, input2, target, margin=self.margin,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood with predicted variance.

    Shapes: input, target: (N, *)  var: like input or one dim fewer
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)) averaged over the classes (times an
    optional per-class weight), then reduced over the samples.

    Shapes: input, target: (N, C) or (C,)  weight: (C,)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self._store_weight("weight", weight)

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, self.weight,
                                             reduction=self.reduction)


__all__ += ["MultiLabelSoftMarginLoss"]


__all__ += ["TripletMarginWithDistanceLoss", "MultiLabelMarginLoss"]


class TripletMarginWithDistanceLoss(_Loss):
    """max(d(a, p) - d(a, n) + margin, 0) for any distance function (default: the Euclidean
    `PairwiseDistance`).   Shapes: (N, D) x 3 -> () or (N,)

    Example:
        >>> loss_fn = nn.TripletMarginWithDistanceLoss(
        ...     distance_function=lambda a, b: 1.0 - F.cosine_similarity(a, b))
        >>> loss = loss_fn(anchor, positive, negative)
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        from .distance import PairwiseDistance
        self.distance_function = distance_function if distance_function is not None \
            else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss over the class indices in `target` (read up to the first -1).
    Shapes: input (N, C) or (C,), target the same (int64) -> () or (N,)"""

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


__all__ += ["CTCLoss"]


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (see `F.ctc_loss`), as `torch.nn.CTCLoss`.

    Shapes: log_probs (T, N, C) or (T, C), targets (N, S) or (sum of target_lengths,),
    input_lengths and target_lengths (N,)  ->  () or (N,) with reduction='none'
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
