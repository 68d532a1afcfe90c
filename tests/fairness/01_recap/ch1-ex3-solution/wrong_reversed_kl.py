# wrong: KL(posterior || q) instead of KL(q || posterior)
def elbo_gap_1d(m, v, m_post, v_post):
    return 0.5 * (
        math.log(v / v_post) + (v_post + (m - m_post) ** 2) / v - 1.0
    )
