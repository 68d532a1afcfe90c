# wrong: v taken as a standard deviation
def elbo_gap_1d(m, v, m_post, v_post):
    return (
        math.log(v_post / v)
        + (v**2 + (m - m_post) ** 2) / (2 * v_post**2)
        - 0.5
    )
