"""autograd.distributions: PyTorch's `torch.distributions` on autograd Tensors.

Parameters are Tensors (or numbers), `rsample` is differentiable with respect to them, `sample`
is not, and every draw comes from the global generator (`autograd.manual_seed`). Arguments are
validated against `constraints` (ValueError) unless `validate_args=False` or
`Distribution.set_default_validate_args(False)`.

Example:
    >>> from autograd.distributions import Categorical
    >>> dist = Categorical(logits=policy(state))
    >>> action = dist.sample()
    >>> loss = -dist.log_prob(action) * reward
"""
from . import constraints
from .continuous import Exponential, Laplace, Uniform
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, Poisson
from .distribution import Distribution
from .gamma import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import LogNormal, Normal
from . import transforms
from .constraint_registry import biject_to, transform_to
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .heavy_tailed import Cauchy, StudentT
from .counts import Geometric, Multinomial, NegativeBinomial
from .mixture import MixtureSameFamily
from .continuous_bernoulli import ContinuousBernoulli
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from . import kl_more  # noqa: F401  (registers the KL pairs of the distributions above)
from .relaxed import (ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli,
                      RelaxedOneHotCategorical)
from .gamma import Chi2
from .derived import Gumbel, HalfCauchy, HalfNormal, LogisticNormal, Pareto, Weibull

__all__ = ["constraints", "Distribution", "Normal", "LogNormal", "Uniform", "Exponential",
           "Laplace", "Bernoulli", "Binomial", "Categorical", "OneHotCategorical", "Poisson",
           "Gamma", "Beta", "Dirichlet", "MultivariateNormal", "Independent", "kl_divergence",
           "register_kl"]
__all__ += ["transforms", "biject_to", "transform_to", "TransformedDistribution"]
__all__ += transforms.__all__
__all__ += ["Cauchy", "StudentT", "Chi2", "Gumbel", "HalfCauchy", "HalfNormal", "LogisticNormal",
            "Pareto", "Weibull"]
__all__ += ["Geometric", "Multinomial", "NegativeBinomial", "MixtureSameFamily"]
__all__ += ["LowRankMultivariateNormal", "ContinuousBernoulli"]
__all__ += ["ExpRelaxedCategorical", "LogitRelaxedBernoulli", "RelaxedBernoulli",
            "RelaxedOneHotCategorical"]
