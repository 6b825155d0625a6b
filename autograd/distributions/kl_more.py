"""Closed-form KL divergences for the heavy-tailed, extreme-value, count and transformed
distributions, registered with `register_kl` (the same pairs PyTorch registers, including the
cross-family pairs whose KL is infinite because p's support is not inside q's)."""
import math

from ..creation import full
from ..ops.elementwise import exp, log, log1p
from ..ops.gamma import digamma, lgamma
from .continuous import Exponential, Laplace, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .counts import Geometric
from .derived import Gumbel, HalfNormal, Pareto
from .gamma import Beta, Gamma
from .heavy_tailed import Cauchy
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multivariate_normal import MultivariateNormal
from .kl import _infinite_where, _kl_normal_normal, kl_divergence, register_kl
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .utils import data

_EULER = 0.57721566490153286061


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    t1 = log((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2)
    return t1 - log(4 * p.scale * q.scale)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -log(ct1) - ct2 + ct3
    t3 = exp(ct2 + lgamma(1 + ct1) - ct3)
    return t1 + ct1 * _EULER + t3 - (1 + _EULER)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    scale_ratio = p.scale / q.scale
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * log(scale_ratio) - log(alpha_ratio) + alpha_ratio - 1
    return _infinite_where(data(p.scale) < data(q.scale), result)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - log1p(-q.probs) / p.probs - q.logits


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    if p.transforms != q.transforms:
        raise NotImplementedError("KL between TransformedDistributions with different "
                                  "transforms is not implemented")
    if p.event_shape != q.event_shape:
        raise NotImplementedError("KL between TransformedDistributions with different "
                                  "event shapes is not implemented")
    return kl_divergence(p.base_dist, q.base_dist)


# ---------------------------------------------------------------------- cross-family
@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    scale_rate_prod = p.rate * q.scale
    loc_scale_ratio = q.loc / q.scale
    t1 = log(scale_rate_prod) - 1
    t2 = exp(loc_scale_ratio) * scale_rate_prod / (scale_rate_prod + 1)
    return t1 - loc_scale_ratio + t2 + scale_rate_prod.reciprocal()


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    a = p.concentration
    beta_scale_prod = p.rate * q.scale
    loc_scale_ratio = q.loc / q.scale
    t1 = (a - 1) * digamma(a) - lgamma(a) - a
    t2 = log(beta_scale_prod) + a / beta_scale_prod
    t3 = exp(loc_scale_ratio) * (1 + beta_scale_prod.reciprocal()) ** (-a) - loc_scale_ratio
    return t1 + t2 + t3


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    param_ratio = p.scale / q.scale
    t1 = log(param_ratio / math.sqrt(2 * math.pi))
    t2 = (math.pi * param_ratio * 0.5) ** 2 / 3
    t3 = ((p.loc + p.scale * _EULER - q.loc) / q.scale) ** 2 * 0.5
    return -t1 + t2 + t3 - (_EULER + 1)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    mean_scale_ratio = p.loc / q.scale
    var_scale_sqr_ratio = (p.scale / q.scale) ** 2
    loc_scale_ratio = q.loc / q.scale
    t1 = 0.5 * log(var_scale_sqr_ratio)
    t2 = mean_scale_ratio - loc_scale_ratio
    t3 = exp(-mean_scale_ratio + 0.5 * var_scale_sqr_ratio + loc_scale_ratio)
    return -t1 + t2 + t3 - 0.5 * (1 + math.log(2 * math.pi))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    scale_rate_prod = q.rate * p.scale
    t1 = log(p.alpha / scale_rate_prod)
    t3 = p.alpha * scale_rate_prod / (p.alpha - 1)
    return _infinite_where(data(p.alpha) <= 1, t1 - p.alpha.reciprocal() + t3 - 1)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    common = log(p.scale) + p.alpha.reciprocal()
    t1 = log(p.alpha) - common
    t2 = lgamma(q.concentration) - q.concentration * log(q.rate)
    t3 = (1 - q.concentration) * common
    t4 = q.rate * p.alpha * p.scale / (p.alpha - 1)
    return _infinite_where(data(p.alpha) <= 1, t1 + t2 + t3 + t4 - 1)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    var_normal = 2 * q.scale ** 2
    common = p.scale / (p.alpha - 1)
    t1 = log(math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale)
    t3 = p.alpha * common ** 2 / (p.alpha - 2)
    t4 = (p.alpha * common - q.loc) ** 2
    result = t1 - p.alpha.reciprocal() + (t3 + t4) / var_normal - 1
    return _infinite_where(data(p.alpha) <= 2, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    common = q.scale / (p.high - p.low)
    high_loc_diff = (p.high - q.loc) / q.scale
    low_loc_diff = (p.low - q.loc) / q.scale
    t1 = log(common) + 0.5 * (high_loc_diff + low_loc_diff)
    return t1 - common * (exp(-high_loc_diff) - exp(-low_loc_diff))


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    width = p.high - p.low
    t1 = log(q.alpha * q.scale ** q.alpha * width)
    t2 = (p.high * log(p.high) - p.low * log(p.low) - width) / width
    return _infinite_where(data(p.low) < data(q.scale), t2 * (q.alpha + 1) - t1)


def _infinite(p, q):
    """+inf over p's batch shape: q's support does not cover p's."""
    return full(p.batch_shape, math.inf, dtype=p.mean.dtype)


for _p, _q in [(Beta, Pareto), (Exponential, Pareto), (Gamma, Pareto), (Laplace, Pareto),
               (Normal, Pareto), (Gumbel, Beta), (Gumbel, Exponential), (Gumbel, Gamma),
               (Gumbel, Pareto), (Gumbel, Uniform), (Pareto, Beta), (Pareto, Uniform)]:
    register_kl(_p, _q)(_infinite)


# ---------------------------------------------------------------------- low-rank normals
def _gaussian_logdet(d):
    if isinstance(d, LowRankMultivariateNormal):
        return d._log_det()
    return 2 * log(d._unbroadcasted_scale_tril.diagonal(0, -2, -1)).sum(-1)


def _kl_gaussians(p, q):
    """0.5 (tr(P_q S_p) + (mu_q - mu_p)^T P_q (mu_q - mu_p) - n + log det S_q - log det S_p),
    from q's precision (Woodbury for a low-rank q) and p's covariance."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two (Low Rank) Multivariate Normals with "
                         "different event shapes cannot be computed")
    n = p.event_shape[0]
    prec_q, cov_p = q.precision_matrix, p.covariance_matrix
    diff = (q.loc - p.loc).unsqueeze(-1)
    term2 = (prec_q * cov_p).sum((-2, -1))
    term3 = (diff * (prec_q @ diff)).sum((-2, -1))
    return 0.5 * (term2 + term3 - n + _gaussian_logdet(q) - _gaussian_logdet(p))


register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)(_kl_gaussians)
register_kl(LowRankMultivariateNormal, MultivariateNormal)(_kl_gaussians)
register_kl(MultivariateNormal, LowRankMultivariateNormal)(_kl_gaussians)


# ---------------------------------------------------------------------- ContinuousBernoulli
@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + log1p(-p.probs)
    t3 = -q._cont_bern_log_norm() - log1p(-q.probs)
    return t1 + t2 + t3


for _p, _q in [(ContinuousBernoulli, Pareto), (Exponential, ContinuousBernoulli),
               (Gamma, ContinuousBernoulli), (Gumbel, ContinuousBernoulli),
               (Laplace, ContinuousBernoulli), (Normal, ContinuousBernoulli),
               (Pareto, ContinuousBernoulli)]:
    register_kl(_p, _q)(_infinite)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() - p.mean * q.logits - log1p(-q.probs) - q._cont_bern_log_norm()


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() - log(q.rate) + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    t2 = 0.5 * (math.log(2.0 * math.pi) + (q.loc / q.scale) ** 2) + log(q.scale)
    t3 = (p.variance + p.mean ** 2 - 2.0 * q.loc * p.mean) / (2.0 * q.scale ** 2)
    return -p.entropy() + t2 + t3


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    # NOTE: PyTorch's condition (also infinite when q's interval is exactly [0, 1]) is kept
    result = -p.entropy() + log(q.high - q.low)
    return _infinite_where((data(q.low) >= 0) | (data(q.high) <= 1), result)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = -p.entropy() - p.mean * q.logits - log1p(-q.probs) - q._cont_bern_log_norm()
    return _infinite_where((data(p.high) >= 1) | (data(p.low) <= 0), result)
