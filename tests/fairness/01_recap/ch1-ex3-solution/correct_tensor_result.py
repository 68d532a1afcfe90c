# computed with torch in float32, returns a 0-d tensor
def elbo_gap_1d(m, v, m_post, v_post):
    v, v_post = torch.tensor(v), torch.tensor(v_post)
    return 0.5 * (torch.log(v_post / v) + (v + (m - m_post) ** 2) / v_post - 1)
