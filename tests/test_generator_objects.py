"""``zengrad.Generator``, as ``torch.Generator``: seeded generators of their own that repeat a draw
through every sampler, DataLoader and random_split that takes ``generator=``, leave the global
generator untouched, and save and restore their state."""

import numpy as np
import pytest

import zengrad as zg
from zengrad.utils.data import DataLoader, TensorDataset, random_split

SAMPLERS = {
    "randn": lambda g: zg.randn(3, 4, generator=g),
    "rand": lambda g: zg.rand(5, generator=g),
    "randint": lambda g: zg.randint(0, 10, (6,), generator=g),
    "randperm": lambda g: zg.randperm(9, generator=g),
    "normal": lambda g: zg.normal(2.0, 3.0, (4,), generator=g),
    "bernoulli": lambda g: zg.bernoulli(zg.full((7,), 0.5), generator=g),
    "multinomial": lambda g: zg.multinomial(zg.tensor([1.0, 2.0, 3.0]), 5, replacement=True, generator=g),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_a_seeded_generator_repeats_its_draw_and_spares_the_global_one(name):
    zg.manual_seed(7)
    expected_global = zg.rand(3).numpy()
    zg.manual_seed(7)
    first = SAMPLERS[name](zg.Generator().manual_seed(123)).numpy()
    again = SAMPLERS[name](zg.Generator().manual_seed(123)).numpy()
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(zg.rand(3).numpy(), expected_global)


def test_seed_state_and_errors():
    g = zg.Generator()
    assert g.manual_seed(5) is g and g.initial_seed() == 5 and g.device == "cpu"
    state = g.get_state()
    first = zg.randn(4, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(zg.randn(4, generator=g).numpy(), first)
    assert g.seed() == g.initial_seed()
    with pytest.raises(TypeError, match="generator"):
        zg.randn(2, generator="seed")


def test_data_utilities_take_a_generator():
    data = TensorDataset(zg.arange(20))
    split = [list(s.indices) for s in random_split(data, [0.5, 0.5], generator=zg.Generator().manual_seed(3))]
    again = [list(s.indices) for s in random_split(data, [0.5, 0.5], generator=zg.Generator().manual_seed(3))]
    assert split == again and sorted(split[0] + split[1]) == list(range(20))
    orders = [[int(v) for (batch,) in DataLoader(data, batch_size=4, shuffle=True,
                                                 generator=zg.Generator().manual_seed(9)) for v in batch.numpy()]
              for _ in range(2)]
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(20)) and orders[0] != list(range(20))
