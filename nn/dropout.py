"""`Dropout` and `AlphaDropout`: random masking in training, the identity in eval."""
from . import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout2d", "AlphaDropout", "Dropout1d"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zeroes each element with probability p and scales the survivors by
    1 / (1 - p) (inverted dropout: eval needs no rescaling); the identity in eval. p=1 zeroes
    everything.

    Shapes: (*) -> (*)

    Example:
        >>> drop = nn.Dropout(0.2)
        >>> y = drop(x)          # training
        >>> drop.eval(); drop(x) is x
        True
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """In training, zeroes whole channels with probability p and scales the rest by
    1 / (1 - p); the identity in eval.   Shapes: (N, C, H, W) or (C, H, W) -> the same"""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU activations' mean and variance (self-normalising networks).

    Shapes: (*) -> (*)
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class Dropout1d(_DropoutNd):
    """In training, zeroes whole channels with probability p and scales the rest by
    1 / (1 - p); the identity in eval.   Shapes: (N, C, L) or (C, L) -> the same"""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training)


__all__ += ["Dropout3d", "FeatureAlphaDropout"]


class Dropout3d(_DropoutNd):
    """In training, zeroes whole channels (3-D feature maps) with probability p and scales the
    rest by 1 / (1 - p); the identity in eval.
    Shapes: (N, C, D, H, W) or (C, D, H, W) -> the same"""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (for SELU networks); the identity in eval.
    Shapes: (N, C, *) -> the same"""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
