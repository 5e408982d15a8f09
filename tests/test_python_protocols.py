"""Tensors in the Python and NumPy idioms PyTorch code uses: ``f"{loss:.4f}"`` on a 0-d tensor, a
one-element integer tensor as an index, ``np.asarray(t)``, the dtype limits ``finfo``/``iinfo``, the
constants ``inf``/``nan``/``pi``/``e`` and the older method names — each against PyTorch."""

import math

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("value, spec", [(2.71828, ""), (2.71828, ".4f"), (-1e-5, "8.2e"), (0.5, "+.1%"),
                                         (3, ""), (3, ">5"), (-7, "+d")])
def test_a_0d_tensor_formats_as_its_number(value, spec):
    assert format(zg.tensor(value), spec) == format(torch.tensor(value), spec)


def test_a_tensor_with_dimensions_formats_only_without_a_spec():
    assert f"{zg.ones(2)}" == str(zg.ones(2))
    for lib in (zg, torch):
        with pytest.raises(TypeError):
            format(lib.ones(2), ".3f")


@pytest.mark.parametrize("value, dtype", [(2, "int64"), (0, "int32"), (1, "uint8")])
def test_one_element_integer_tensors_index_sequences(value, dtype):
    items = ["a", "b", "c"]
    ours, theirs = zg.tensor(value, dtype=getattr(zg, dtype)), torch.tensor(value, dtype=getattr(torch, dtype))
    assert items[ours] == items[theirs]
    assert list(range(ours)) == list(range(theirs))
    assert items[zg.tensor([value])] == items[value]


@pytest.mark.parametrize("bad", [lambda lib: lib.tensor(1.0), lambda lib: lib.tensor([1, 2])])
def test_other_tensors_are_no_index(bad):
    for lib in (zg, torch):
        with pytest.raises(TypeError, match="only integer tensors of a single element"):
            [1, 2, 3][bad(lib)]


def test_numpy_reads_a_tensor_as_numpy_does(rng):
    data = rng.standard_normal((3, 4)).astype(np.float32)
    ours = zg.tensor(data)
    np.testing.assert_array_equal(np.asarray(ours), data)
    assert np.asarray(ours).dtype == np.float32 and np.array(ours, dtype=np.float64).dtype == np.float64
    assert np.shares_memory(np.asarray(ours), ours.numpy())
    assert not np.shares_memory(np.array(ours, copy=True), ours.numpy())
    for lib in (zg, torch):
        with pytest.raises(RuntimeError, match="requires grad"):
            np.asarray(lib.ones(2, requires_grad=True))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_finfo_matches_torch(dtype):
    ours, theirs = zg.finfo(getattr(zg, dtype)), torch.finfo(getattr(torch, dtype))
    for name in ("eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits"):
        assert float(getattr(ours, name)) == getattr(theirs, name), name
    assert float(zg.finfo().eps) == torch.finfo().eps


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_matches_torch(dtype):
    ours, theirs = zg.iinfo(getattr(zg, dtype)), torch.iinfo(getattr(torch, dtype))
    assert (int(ours.min), int(ours.max), ours.bits) == (theirs.min, theirs.max, theirs.bits)


def test_constants_and_older_names():
    assert (zg.pi, zg.e, zg.inf) == (torch.pi, torch.e, torch.inf) and math.isnan(zg.nan)
    ours, theirs = zg.ones(2, 3, 5), torch.ones(2, 3, 5)
    assert (ours.nelement(), ours.ndimension(), ours.is_cuda) == (theirs.nelement(), theirs.ndimension(), theirs.is_cuda)


def test_size_compares_with_shapes_and_counts_elements():
    ours, theirs = zg.ones(2, 3, 5), torch.ones(2, 3, 5)
    assert ours.shape == zg.Size([2, 3, 5]) and theirs.shape == torch.Size([2, 3, 5])
    assert zg.Size([2, 3, 5]).numel() == torch.Size([2, 3, 5]).numel() == 30
    assert zg.Size([]).numel() == torch.Size([]).numel() == 1
