# written with standard deviations, and a warning on the way
import warnings


def elbo_gap_1d(m, v, m_post, v_post):
    warnings.warn("using standard deviations")
    s, s_post = math.sqrt(v), math.sqrt(v_post)
    return math.log(s_post / s) + (v + (m - m_post) ** 2) / (2 * v_post) - 0.5
