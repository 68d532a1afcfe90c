# wrong: the factor 1/2 forgotten
def elbo_gap_1d(m, v, m_post, v_post):
    return math.log(v_post / v) + (v + (m - m_post) ** 2) / v_post - 1.0
