"""zengrad.utils.data: Dataset, TensorDataset, Subset, random_split, DataLoader, and digits()
unpacking as ``X, y = digits()``; the old ``zengrad.data`` names keep working."""

import numpy as np
import pytest

import zengrad as zg
from zengrad.utils.data import DataLoader, Dataset, Subset, TensorDataset, digits, random_split  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:Length of split at index")


def test_digits_unpack_into_image_and_label_tensors():
    X, y = digits()
    assert isinstance(X, zg.Tensor) and isinstance(y, zg.Tensor)
    assert X.shape == (1797, 8, 8) and X.dtype == zg.float32 and y.shape == (1797,) and y.dtype == zg.int64
    dataset = zg.data.digits()
    np.testing.assert_array_equal(X.numpy(), dataset.images)
    np.testing.assert_array_equal(y.numpy(), dataset.labels)
    image, label = dataset[5]  # indexing still gives one item
    np.testing.assert_array_equal(image, dataset.images[5])
    assert label == dataset.labels[5] and len(dataset) == 1797


def test_old_import_paths_are_the_same_objects():
    assert zg.data.DataLoader is DataLoader and zg.data.TensorDataset is TensorDataset
    assert zg.data.random_split is random_split


def test_tensor_dataset_items_are_tensors_and_lengths_must_agree():
    xs, ys = zg.randn(5, 3), np.arange(5)
    ds = TensorDataset(xs, ys)
    x, y = ds[2]
    assert isinstance(x, zg.Tensor) and x.shape == (3,) and int(y.item()) == 2
    np.testing.assert_array_equal(ds.tensors[0].numpy(), xs.numpy())
    with pytest.raises(ValueError, match=r"TensorDataset: tensors differ in length \(size of dim 0\): \[5, 4\]"):
        TensorDataset(xs, np.arange(4))


@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (1, [0, 1]), (11, [0.5, 0.3, 0.2]), (7, [1.0]), (0, [0, 0])])
def test_random_split_partitions_like_torch(n, lengths):
    torch = pytest.importorskip("torch")
    parts = random_split(TensorDataset(np.arange(n)), lengths, generator=3)
    expected = [len(p) for p in torch.utils.data.random_split(range(n), lengths)]
    assert [len(p) for p in parts] == expected
    seen = np.concatenate([p.indices for p in parts])
    assert sorted(seen.tolist()) == list(range(n))
    again = random_split(TensorDataset(np.arange(n)), lengths, generator=3)
    assert all((a.indices == b.indices).all() for a, b in zip(parts, again))


def test_random_split_follows_manual_seed_and_refuses_bad_lengths():
    ds = TensorDataset(np.arange(20))
    zg.manual_seed(4)
    first = random_split(ds, [5, 15])[0].indices
    zg.manual_seed(4)
    assert (random_split(ds, [5, 15])[0].indices == first).all()
    for bad in ([5, 14], [-1, 21], [0.5, 0.6], [2.5, 17.5]):
        with pytest.raises(ValueError, match="random_split: lengths"):
            random_split(ds, bad)


class Squares(Dataset):
    """A dataset that makes items one by one, as Tensors and numbers."""

    def __len__(self):
        return 9

    def __getitem__(self, i):
        return zg.tensor([float(i), float(i * i)]), i


def test_loader_collates_items_and_slices_subsets_the_same_way():
    for dataset in (Squares(), TensorDataset(np.stack([np.arange(9.0), np.arange(9.0) ** 2], 1), np.arange(9))):
        train, test = random_split(dataset, [6, 3], generator=1)
        batches = list(DataLoader(train, batch_size=4, shuffle=True, seed=2))
        assert [len(b[1]) for b in batches] == [4, 2]
        for x, i in batches:
            np.testing.assert_array_equal(x.numpy()[:, 1], i.numpy() ** 2)
        got = sorted(int(v) for _, i in batches for v in i.numpy())
        assert got == sorted(train.indices.tolist())
    with pytest.raises(NotImplementedError, match="Dataset must define __getitem__"):
        Dataset()[0]


def test_subset_of_digits_through_the_loader():
    train, test = random_split(digits(), [0.8, 0.2], generator=0)
    assert (len(train), len(test)) == (1438, 359)
    x, y = next(iter(DataLoader(test, batch_size=16)))
    assert x.shape == (16, 8, 8) and y.dtype == zg.int64
    full = zg.data.digits()
    np.testing.assert_array_equal(x.numpy(), full.images[test.indices[:16]])
    item = test[3]
    np.testing.assert_array_equal(item[0], full.images[test.indices[3]])
