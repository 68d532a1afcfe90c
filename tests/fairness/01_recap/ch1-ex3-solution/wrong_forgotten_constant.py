# wrong: the -1 forgotten
def elbo_gap_1d(m, v, m_post, v_post):
    return 0.5 * (math.log(v_post / v) + (v + (m - m_post) ** 2) / v_post)
