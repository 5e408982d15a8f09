"""Tensors as a PyTorch user makes, indexes and types them, compared with PyTorch: creation
arguments, in-place operators, dtype promotion (``result_type``, ``promote_types``, ``can_cast``),
views' metadata and the error kinds of bad indices."""

import warnings

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def _dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(-1), lambda m: m.ones(2, -3), lambda m: m.arange(0, 3, 0), lambda m: m.arange(5, 0),
    lambda m: m.arange(0, 3, -1), lambda m: m.arange(24).reshape(2, 3, 4).narrow(2, 3, 2),
    lambda m: m.arange(6).reshape(2, 3).index_select(1, m.tensor([3])),
    lambda m: m.zeros(3, 1).expand(3, 4).add_(1),
], ids=["zeros(-1)", "ones(2,-3)", "arange step 0", "arange(5,0)", "arange negative step up", "narrow past the end",
        "index_select past the end", "add_ on an expand"])
def test_bad_creation_and_view_arguments_raise_runtime_error_as_in_pytorch(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(zg)


@pytest.mark.parametrize("args", [(5,), (5.0,), (0, 1, 0.25), (5, 0, -2), (0,), (-3, 3, 2), (1, 2.5, 0.5)], ids=str)
def test_arange_values_and_dtype_match_pytorch(args):
    ours, theirs = zg.arange(*args), torch.arange(*args)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    if args[0] >= 0:
        assert _dtype_name(zg.arange(zg.tensor(args[0])).dtype) == _dtype_name(torch.arange(torch.tensor(args[0])).dtype)


def test_finfo_iinfo_and_half_are_pytorchs():
    assert zg.finfo(zg.float32).eps == torch.finfo(torch.float32).eps
    assert zg.finfo().tiny == torch.finfo().tiny
    assert zg.iinfo(zg.int64).max == torch.iinfo(torch.int64).max
    assert zg.tensor([1, 2]).half().dtype == zg.float16 == zg.half


AUGMENTED = [("+=", lambda t, v: t.__iadd__(v)), ("-=", lambda t, v: t.__isub__(v)),
             ("*=", lambda t, v: t.__imul__(v)), ("/=", lambda t, v: t.__itruediv__(v)),
             ("//=", lambda t, v: t.__ifloordiv__(v)), ("%=", lambda t, v: t.__imod__(v)),
             ("**=", lambda t, v: t.__ipow__(v))]


@pytest.mark.parametrize("name,op", AUGMENTED, ids=[a for a, _ in AUGMENTED])
def test_augmented_assignment_changes_the_tensor_in_place_as_in_pytorch(name, op):
    results = []
    for m in (zg, torch):
        base = m.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
        view = base[:, 1]
        same = op(view, 2.0)
        assert same is view
        results.append(base.numpy().copy())
    np.testing.assert_allclose(*results)


def test_augmented_assignment_refuses_a_downcast_and_a_leaf_as_in_pytorch():
    for m in (zg, torch):
        ints = m.tensor([1, 2])
        with pytest.raises(RuntimeError):
            ints += 0.5
        with pytest.raises(RuntimeError):
            ints /= 2
        leaf = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            leaf += 1
        with m.no_grad():
            leaf -= 1
        assert leaf.requires_grad and leaf.is_leaf and float(leaf.detach().sum()) == 0.0


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("first", DTYPES)
def test_promote_types_and_can_cast_match_pytorch_for_every_pair(first):
    for second in DTYPES:
        ours, theirs = getattr(zg, first), getattr(torch, first)
        other_ours, other_theirs = getattr(zg, second), getattr(torch, second)
        assert _dtype_name(zg.promote_types(ours, other_ours)) == _dtype_name(torch.promote_types(theirs, other_theirs))
        assert zg.can_cast(ours, other_ours) == torch.can_cast(theirs, other_theirs), (first, second)


@pytest.mark.parametrize("operands", [
    lambda m: (m.tensor([1, 2]), 1.0), lambda m: (m.tensor([1, 2]), m.tensor([1.0])),
    lambda m: (m.tensor([True]), 1), lambda m: (2, 3.0), lambda m: (True, False),
    lambda m: (m.tensor([1, 2], dtype=m.int32), m.tensor(5)), lambda m: (m.tensor([1, 2], dtype=m.int32), m.tensor(5.0, dtype=m.float64)),
    lambda m: (m.tensor([1.0], dtype=m.float64), 2), lambda m: (m.tensor(3, dtype=m.uint8), m.tensor(3, dtype=m.int8)),
    lambda m: (m.tensor([1.0], dtype=m.float16), m.tensor([1], dtype=m.int64)),
], ids=range(10))
def test_result_type_matches_pytorch(operands):
    assert _dtype_name(zg.result_type(*operands(zg))) == _dtype_name(torch.result_type(*operands(torch)))


def test_flip_takes_dims_as_pytorch_does_and_storage_offset_counts_elements():
    ours, theirs = zg.arange(24).reshape(2, 3, 4), torch.arange(24).reshape(2, 3, 4)
    for call in (lambda t: t.flip(0, 2), lambda t: t.flip((1,)), lambda t: t.flip(dims=[2])):
        np.testing.assert_array_equal(call(ours).numpy(), call(theirs).numpy())
    np.testing.assert_array_equal(zg.flip(ours, dims=(0,)).numpy(), torch.flip(theirs, dims=(0,)).numpy())
    for index in [(1, 1), (slice(None), slice(1, None)), (1, slice(None), slice(1, None, 2)), ()]:
        assert ours[index].storage_offset() == theirs[index].storage_offset()


def test_nan_and_inf_cast_to_int_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = zg.tensor([-1.7, 2.7, float("nan"), float("inf")]).long()
    assert values.dtype == zg.int64 and values[:2].tolist() == [-1, 2]


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
@pytest.mark.parametrize("op", ["sum", "prod", "cumsum", "cumprod"])
def test_integer_reductions_are_int64_as_in_pytorch(dtype, op):
    values = np.array([[3, 1, 0], [2, 5, 1]]).astype(dtype)
    call = (lambda t: getattr(t, op)(1)) if op.startswith("cum") else (lambda t: getattr(t, op)())
    ours, theirs = call(zg.tensor(values)), call(torch.tensor(values))
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
