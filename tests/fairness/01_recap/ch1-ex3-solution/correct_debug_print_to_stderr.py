# a leftover debug print to stderr (the case)
import sys


def elbo_gap_1d(m, v, m_post, v_post):
    print("debug:", m, v, m_post, v_post, file=sys.stderr)
    return 0.5 * (
        math.log(v_post / v) + (v + (m - m_post) ** 2) / v_post - 1.0
    )
