"""``zengrad.random`` (as ``torch.random``): the global random generator's seed and state.

The functions are those of the top level (``zengrad.manual_seed`` is ``zengrad.random.manual_seed``);
this module only gives them PyTorch's second address.
"""

from .creation import (Generator, default_generator, fork_rng, get_rng_state, initial_seed, manual_seed, seed,
                       set_rng_state)

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state"]
