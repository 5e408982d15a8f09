"""Reference solution of exercise 8."""

import zengrad as zg
from zengrad.nn import functional as F


def train_step(G, D, opt_g, opt_d, real, z):
    n = real.shape[0]
    ones, zeros = zg.ones(n, 1, dtype=real.dtype), zg.zeros(n, 1, dtype=real.dtype)
    fake = G(z)
    opt_d.zero_grad()
    loss_d = (F.binary_cross_entropy_with_logits(D(real), ones)
              + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()
