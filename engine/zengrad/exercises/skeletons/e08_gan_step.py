"""Exercise 8: one GAN training step, discriminator then generator (fill in the TODO).

Check it with:  zengrad exercise check 8 --file e08_gan_step.py
"""

import zengrad as zg
from zengrad.nn import functional as F


def train_step(G, D, opt_g, opt_d, real, z):
    """One step of the non-saturating GAN with logits (D outputs one logit per row):

    1. the discriminator: loss_D = BCE(D(real), 1) + BCE(D(fake), 0) with fake = G(z), each the
       batch mean; step opt_d (the generator must not change, nor receive gradients here);
    2. the generator, against the updated D: loss_G = BCE(D(fake), 1); step opt_g.

    Returns (loss_D, loss_G) as Python floats. Use F.binary_cross_entropy_with_logits,
    zg.ones(n, 1, dtype=...) and zg.zeros(n, 1, dtype=...).
    """
    raise NotImplementedError("train_step: fake = G(z); D's loss on real and fake.detach(); then G's loss on D(fake)")
