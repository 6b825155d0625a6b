"""Continuous relaxations of Bernoulli and OneHotCategorical (Concrete / Gumbel-softmax):
reparameterised samples on (0, 1) and on the simplex whose sharpness is set by `temperature`.

RelaxedBernoulli = sigmoid(LogitRelaxedBernoulli);  RelaxedOneHotCategorical =
exp(ExpRelaxedCategorical), the latter working in log space for stability, as PyTorch does.
"""
import math


from ..ops.elementwise import exp, log, log1p
from ..ops.reduce import logsumexp
from . import constraints
from .discrete import BinaryParams, Categorical
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform
from .utils import broadcast_all, clamp_probs, uniform

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli", "ExpRelaxedCategorical",
           "RelaxedOneHotCategorical"]


def _uniform(shape, dtype):
    return clamp_probs(uniform(shape, 0.0, 1.0, dtype))


class LogitRelaxedBernoulli(BinaryParams, Distribution):
    """The logit of a RelaxedBernoulli: (logit(u) + logits) / temperature, u ~ U(0, 1).

    log p(x) = log t + (logits - t x) - 2 log(1 + exp(logits - t x)).

    Shapes: temperature: broadcastable;  probs or logits: batch_shape;  event_shape = ()
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True
    _batch_params = ("probs", "logits", "_param")

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        self._set_binary_params(probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = _uniform(shape, probs.dtype)
        return (log(u) - log1p(-u) + log(probs) - log1p(-probs)) / self.temperature

    def log_prob(self, value):
        self._check_value(value)
        logits, value = broadcast_all(self.logits, value)
        t = self.temperature
        diff = logits - value * t
        return (math.log(t) if isinstance(t, (int, float)) else log(t)) + diff \
            - 2 * log1p(exp(diff))


class RelaxedBernoulli(TransformedDistribution):
    """Concrete relaxation of Bernoulli on (0, 1): sigmoid((logit(u) + logits) / temperature).

    Shapes: temperature: broadcastable;  probs or logits: batch_shape;  event_shape = ()

    Example:
        >>> z = RelaxedBernoulli(torch.tensor(0.5), logits=logits).rsample()  # differentiable
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs

    def __repr__(self):
        return f"RelaxedBernoulli(temperature: {self.temperature})"


class ExpRelaxedCategorical(Distribution):
    """The log of a RelaxedOneHotCategorical: log_softmax((logits + g) / temperature), with
    g_k iid Gumbel(0, 1).

    log p(x) = lgamma(K) + (K - 1) log t + sum_k(s_k - logsumexp(s)),  s = logits - t x.

    Shapes: probs or logits: (*batch_shape, K);  event_shape = (K,)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True
    _sub_dists = ("_categorical",)

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        param_shape = tuple(self._categorical.param_shape)
        super().__init__(param_shape[:-1], param_shape[-1:], validate_args=validate_args)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = _uniform(shape, self.logits.dtype)
        gumbels = -log(-log(u))
        scores = (self.logits + gumbels) / self.temperature
        return scores - logsumexp(scores, -1, keepdim=True)

    def log_prob(self, value):
        self._check_value(value)
        k = self._event_shape[-1]
        logits, value = broadcast_all(self.logits, value)
        t = self.temperature
        log_t = math.log(t) if isinstance(t, (int, float)) else log(t)
        log_scale = math.lgamma(k) + (k - 1) * log_t
        score = logits - value * t
        score = (score - logsumexp(score, -1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(TransformedDistribution):
    """Gumbel-softmax relaxation of OneHotCategorical on the simplex:
    softmax((logits + g) / temperature), g_k iid Gumbel(0, 1).

    Shapes: probs or logits: (*batch_shape, K);  event_shape = (K,)

    Example:
        >>> y = RelaxedOneHotCategorical(torch.tensor(0.5), logits=logits).rsample()
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs

    def __repr__(self):
        return f"RelaxedOneHotCategorical(temperature: {self.temperature})"


