"""zengrad.utils.data samplers, default_collate, ConcatDataset, IterableDataset and the DataLoader's
sampler= / batch_sampler= / collate_fn= / drop_last= / batch_size=None, against torch.utils.data:
the same dataset and the same index order give the same batches (values, dtypes, structure)."""

import collections

import numpy as np
import pytest

import zengrad as zg
from zengrad.utils import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data

Point = collections.namedtuple("Point", "x label")


def assert_same_batch(mine, theirs, where="batch"):
    """Equal structure and values; a zengrad tuple may stand for PyTorch's list (default_collate)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(mine, zg.Tensor), f"{where}: {type(mine).__name__}, expected a Tensor"
        assert str(mine.dtype) == str(theirs.dtype).replace("torch.", ""), f"{where}: {mine.dtype} vs {theirs.dtype}"
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=where)
    elif isinstance(theirs, dict):
        assert isinstance(mine, dict) and list(mine) == list(theirs), where
        for key in theirs:
            assert_same_batch(mine[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, tuple) and hasattr(theirs, "_fields"):
        assert type(mine).__name__ == type(theirs).__name__ and mine._fields == theirs._fields, where
        for i, (a, b) in enumerate(zip(mine, theirs)):
            assert_same_batch(a, b, f"{where}.{theirs._fields[i]}")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(mine, (list, tuple)) and len(mine) == len(theirs), f"{where}: {mine!r} vs {theirs!r}"
        for i, (a, b) in enumerate(zip(mine, theirs)):
            assert_same_batch(a, b, f"{where}[{i}]")
    else:
        assert mine == theirs and type(mine) is type(theirs), f"{where}: {mine!r} vs {theirs!r}"


class Items(data.Dataset, tdata.Dataset):
    """Items of every kind default_collate handles: arrays, numbers, strings, dicts, nesting."""

    def __init__(self, n=11, lib=np):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        image = np.arange(6, dtype=np.float32).reshape(2, 3) * (i + 1)
        return {"image": image, "label": i % 3, "weight": 0.5 * i, "name": f"item{i}",
                "pair": (np.float64(i) / 7, [i, i * i]), "point": Point(np.array([i, -i], np.int32), i > 4),
                "flag": bool(i % 2)}


def _loaders(dataset_args, **options):
    mine = data.DataLoader(Items(*dataset_args), **options)
    theirs = tdata.DataLoader(Items(*dataset_args), **options)
    return mine, theirs


def _compare_loaders(mine, theirs):
    mine_batches, their_batches = list(mine), list(theirs)
    assert len(mine) == len(theirs) == len(their_batches) == len(mine_batches)
    for i, (a, b) in enumerate(zip(mine_batches, their_batches)):
        assert_same_batch(a, b, f"batch {i}")


@pytest.mark.parametrize("n,batch_size,drop_last", [(11, 4, False), (11, 4, True), (1, 3, False), (7, 7, True),
                                                    (13, 1, False)])
def test_default_collate_of_nested_items_matches_torch(n, batch_size, drop_last):
    _compare_loaders(*_loaders((n,), batch_size=batch_size, drop_last=drop_last))


def test_default_collate_called_directly_matches_torch():
    items = [Items()[i] for i in (3, 0, 8)]
    assert_same_batch(data.default_collate(items), tdata.default_collate(items))
    numbers = [1, 5, -2]
    assert_same_batch(data.default_collate(numbers), tdata.default_collate(numbers))
    tensors = [zg.tensor(np.full((2, 2), i, np.float32)) for i in range(3)]
    theirs = [torch.tensor(np.full((2, 2), i, np.float32)) for i in range(3)]
    assert_same_batch(data.default_collate(tensors), tdata.default_collate(theirs))
    scalars = [np.float32(1.5), np.float32(-2)]
    assert_same_batch(data.default_collate(scalars), tdata.default_collate(scalars))


def test_default_collate_refuses_what_it_cannot_stack():
    with pytest.raises(ValueError, match=r"default_collate: items to stack must have equal shapes"):
        data.default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="default_collate: each item in the batch should be of equal size"):
        data.default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="default_collate: batch must contain .* found object"):
        data.default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate: expected a non-empty list"):
        data.default_collate([])


class Order(data.Sampler, tdata.Sampler):
    """A fixed, awkward order of indices (repeats included)."""

    def __init__(self, order):
        self.order = order

    def __iter__(self):
        return iter(self.order)

    def __len__(self):
        return len(self.order)


def test_sampler_and_batch_sampler_options_match_torch():
    order = [5, 0, 10, 3, 3, 7, 1]
    _compare_loaders(*_loaders((11,), batch_size=3, sampler=Order(order)))
    _compare_loaders(*_loaders((11,), batch_size=2, sampler=Order(order), drop_last=True))
    batches = [[4], [0, 2, 9], [10, 1]]
    _compare_loaders(*_loaders((11,), batch_sampler=Order(batches)))
    mine = data.BatchSampler(data.SequentialSampler(range(11)), 4, True)
    theirs = tdata.BatchSampler(tdata.SequentialSampler(range(11)), 4, True)
    _compare_loaders(data.DataLoader(Items(), batch_sampler=mine), tdata.DataLoader(Items(), batch_sampler=theirs))


def test_batch_size_none_gives_items_converted_like_torch():
    _compare_loaders(*_loaders((5,), batch_size=None))
    _compare_loaders(*_loaders((6,), batch_size=None, sampler=Order([4, 1])))


def test_num_workers_and_pin_memory_give_the_same_batches_as_torch():
    _compare_loaders(*_loaders((9,), batch_size=4, num_workers=2, pin_memory=False))


def test_collate_fn_receives_the_list_of_items():
    def names(items):
        return [item["name"] for item in items], len(items)

    mine, theirs = _loaders((9,), batch_size=4, collate_fn=names)
    assert list(mine) == [tuple(b) for b in theirs]


def test_tensor_dataset_fast_path_equals_torch_and_custom_collate_bypasses_it():
    x = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10)
    mine = data.DataLoader(data.TensorDataset(x, y), batch_size=3, sampler=Order([9, 2, 2, 0, 5]))
    theirs = tdata.DataLoader(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=3,
                              sampler=Order([9, 2, 2, 0, 5]))
    _compare_loaders(mine, theirs)
    seen = []
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=4, collate_fn=lambda items: seen.append(items) or 0)
    assert list(loader) == [0, 0, 0] and [len(s) for s in seen] == [4, 4, 2]
    assert isinstance(seen[0][0], tuple) and seen[0][0][0].shape == (3,)


def test_concat_dataset_indexing_and_loading_match_torch():
    parts = [np.arange(3), np.arange(10, 15), np.arange(20, 21)]
    mine = data.ConcatDataset([data.TensorDataset(p) for p in parts])
    theirs = tdata.ConcatDataset([tdata.TensorDataset(torch.tensor(p)) for p in parts])
    assert len(mine) == len(theirs) == 9 and mine.cumulative_sizes == theirs.cumulative_sizes
    for i in list(range(-9, 9)):
        assert int(mine[i][0].item()) == int(theirs[i][0].item())
    with pytest.raises(IndexError, match="ConcatDataset: index 9 is out of range"):
        mine[9]
    with pytest.raises(ValueError, match="ConcatDataset: absolute value of index -10"):
        mine[-10]
    with pytest.raises(ValueError, match="ConcatDataset: datasets should not be an empty iterable"):
        data.ConcatDataset([])
    _compare_loaders(data.DataLoader(mine, batch_size=4), tdata.DataLoader(theirs, batch_size=4))
    both = data.TensorDataset(parts[0]) + data.TensorDataset(parts[1])
    assert isinstance(both, data.ConcatDataset) and len(both) == 8


class Stream(data.IterableDataset, tdata.IterableDataset):
    """Yields (x, x²) pairs for x < n; has a length."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield np.array([i, i * i], dtype=np.float32), i

    def __len__(self):
        return self.n


@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True), (2, 5, False), (4, None, False)])
def test_iterable_dataset_batches_match_torch(n, batch_size, drop_last):
    mine = data.DataLoader(Stream(n), batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(Stream(n), batch_size=batch_size, drop_last=drop_last)
    _compare_loaders(mine, theirs)
    chained = data.DataLoader(Stream(2) + Stream(3), batch_size=2)
    assert [b[1].tolist() for b in chained] == [[0, 1], [0, 1], [2]]


def test_iterable_dataset_refuses_shuffle_and_samplers():
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle"):
        data.DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler"):
        data.DataLoader(Stream(3), sampler=Order([0]))
    with pytest.raises(TypeError, match="Stream is an IterableDataset"):
        Stream(3)[0]


def test_sequential_and_batch_samplers_match_torch():
    for n, size, drop in [(10, 3, False), (10, 3, True), (1, 4, False), (1, 4, True), (12, 4, True)]:
        mine = data.BatchSampler(data.SequentialSampler(range(n)), size, drop)
        theirs = tdata.BatchSampler(tdata.SequentialSampler(range(n)), size, drop)
        assert list(mine) == list(theirs) and len(mine) == len(theirs)


@pytest.mark.parametrize("n,replacement,num_samples", [(7, False, None), (7, False, 17), (7, False, 3),
                                                       (7, True, None), (5, True, 40), (1, False, 4)])
def test_random_sampler_draws_like_torch_in_distribution(n, replacement, num_samples):
    mine = data.RandomSampler(range(n), replacement=replacement, num_samples=num_samples, generator=3)
    theirs = tdata.RandomSampler(range(n), replacement=replacement, num_samples=num_samples)
    drawn, reference = list(mine), list(theirs)
    assert len(mine) == len(theirs) == len(drawn) == len(reference)
    assert all(0 <= i < n for i in drawn)
    if not replacement:  # whole permutations, then part of one: the counts are fixed
        assert sorted(np.bincount(drawn, minlength=n)) == sorted(np.bincount(reference, minlength=n))
    assert list(mine) == drawn and isinstance(drawn[0], int)  # an int seed repeats the draw


def test_random_sampler_follows_manual_seed_and_a_numpy_generator():
    zg.manual_seed(11)
    first = list(data.RandomSampler(range(20)))
    zg.manual_seed(11)
    assert list(data.RandomSampler(range(20))) == first
    assert sorted(first) == list(range(20))
    rng = np.random.default_rng(5)
    assert list(data.RandomSampler(range(20), generator=rng)) == np.random.default_rng(5).permutation(20).tolist()


def test_shuffle_order_is_unchanged_by_the_sampler_rewrite():
    """shuffle=True still draws one permutation per epoch from seed's generator (what trainers resume)."""
    loader = data.DataLoader(data.TensorDataset(np.arange(10)), batch_size=4, shuffle=True, seed=7)
    rng = np.random.default_rng(7)
    for _ in range(2):
        order = rng.permutation(10)
        assert np.concatenate([b[0].numpy() for b in loader]).tolist() == order.tolist()


def test_subset_random_sampler_permutes_the_given_indices():
    indices = [3, 9, 4, 17, 0]
    sampler = data.SubsetRandomSampler(indices, generator=2)
    drawn = list(sampler)
    assert sorted(drawn) == sorted(indices) and len(sampler) == len(tdata.SubsetRandomSampler(indices))


def test_weighted_random_sampler_frequencies_follow_the_weights():
    weights = [0.0, 1.0, 3.0, 0.5, 2.0]
    sampler = data.WeightedRandomSampler(weights, num_samples=20000, generator=0)
    counts = np.bincount(list(sampler), minlength=5)
    reference = np.bincount(list(tdata.WeightedRandomSampler(weights, num_samples=20000)), minlength=5)
    p = np.array(weights) / sum(weights)
    assert counts[0] == reference[0] == 0
    np.testing.assert_allclose(counts / 20000, p, atol=0.015)
    np.testing.assert_allclose(reference / 20000, p, atol=0.015)
    distinct = list(data.WeightedRandomSampler(zg.tensor(weights), num_samples=4, replacement=False, generator=1))
    assert len(set(distinct)) == 4 and 0 not in distinct


BAD = [
    (lambda: data.RandomSampler(range(3), replacement=1), TypeError, "RandomSampler: replacement should be a boolean"),
    (lambda: data.RandomSampler(range(3), num_samples=0), ValueError, "RandomSampler: num_samples should be a positive"),
    (lambda: data.BatchSampler(range(3), 0, False), ValueError, "BatchSampler: batch_size should be a positive"),
    (lambda: data.BatchSampler(range(3), 2, "no"), ValueError, "BatchSampler: drop_last should be a boolean"),
    (lambda: data.WeightedRandomSampler([1.0, -1.0], 2), ValueError, "WeightedRandomSampler: weights must be"),
    (lambda: data.WeightedRandomSampler([[1.0]], 2), ValueError, "WeightedRandomSampler: weights should be a 1-D"),
    (lambda: data.WeightedRandomSampler([1.0, 0.0], 2, replacement=False), ValueError,
     "WeightedRandomSampler: cannot draw 2 samples without replacement"),
    (lambda: data.WeightedRandomSampler([1.0], 2.5), ValueError, "WeightedRandomSampler: num_samples"),
    (lambda: data.DataLoader(Items(), batch_sampler=[[0]], batch_size=2), ValueError,
     "batch_sampler option is mutually exclusive"),
    (lambda: data.DataLoader(Items(), sampler=[0, 1], shuffle=True), ValueError,
     "sampler option is mutually exclusive with shuffle"),
    (lambda: data.DataLoader(Items(), batch_size=0), ValueError, "DataLoader: batch_size must be at least 1"),
    (lambda: data.DataLoader(Items(), collate_fn=3), TypeError, "DataLoader: collate_fn must be callable"),
    (lambda: data.DataLoader(Items(), num_workers=-1), ValueError,
     "DataLoader: num_workers should be a non-negative"),
]


@pytest.mark.parametrize("make,error,message", BAD, ids=[b[2].split(":")[0] + str(i) for i, b in enumerate(BAD)])
def test_bad_arguments_raise_naming_the_class(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_torch_raises_the_same_kind_of_error_for_the_shared_cases():
    with pytest.raises(TypeError):
        tdata.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError):
        tdata.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError):
        tdata.DataLoader(Items(), batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError):
        tdata.DataLoader(Items(), sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError):
        tdata.DataLoader(Stream(3), shuffle=True)
