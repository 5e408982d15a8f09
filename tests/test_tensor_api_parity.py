"""Tensor creation, indexing and shape ops against PyTorch: values, dtypes, strides and the builtin
exception PyTorch raises, on the edges a PyTorch user's script reaches (empty tensors, 0-d tensors,
odd index dtypes, float steps)."""

import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import zengrad as zg

torch = pytest.importorskip("torch")

FAST = settings(max_examples=40, deadline=None, derandomize=True)


def _same(z, t):
    """z (zengrad) equals t (PyTorch) exactly, dtype and shape included."""
    expected = t.detach().numpy()
    assert z.dtype == expected.dtype and tuple(z.shape) == expected.shape
    np.testing.assert_array_equal(z.detach().numpy(), expected)


def _raises_as_torch(call):
    """call(zengrad) raises the exception class call(torch) raises (or a subclass of it)."""
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type):
        call(zg)


def _both(fn):
    """fn run on zengrad and on torch: (zengrad's result, torch's result)."""
    return fn(zg), fn(torch)


# ---- creation -------------------------------------------------------------------------------

@FAST
@given(st.integers(-50, 50), st.integers(-50, 50), st.sampled_from([0.1, 0.2, 0.3, 0.05, 1 / 3, 0.7, 0.01]),
       st.sampled_from([None, "float64"]))
def test_arange_with_float_steps_has_torchs_length_and_values(start, end, step, dtype):
    start, end = start / 10, end / 10
    step = step if end >= start else -step
    z, t = _both(lambda m: m.arange(start, end, step, dtype=dtype and getattr(m, dtype)))
    expected = t.numpy()
    assert z.dtype == expected.dtype and tuple(z.shape) == expected.shape
    # PyTorch's last bits depend on its vector width; each value within 2 ulps of the largest
    # magnitude (NumPy's float32 arange, adding a rounded step, drifts by ten and more)
    tolerance = 2 * np.finfo(expected.dtype).eps * max(abs(start), abs(end), 1)
    np.testing.assert_allclose(z.numpy(), expected, rtol=0, atol=tolerance)


def test_arange_of_an_infinite_or_nan_range_is_torchs_runtime_error():
    for end in (float("inf"), float("nan")):
        with pytest.raises(RuntimeError):
            torch.arange(0, end)
        with pytest.raises(RuntimeError):
            zg.arange(0, end)


@FAST
@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(0, 40),
       st.sampled_from([None, "float64", "int64", "int32"]))
def test_linspace_matches_torch_bit_for_bit(start, end, steps, dtype):
    start, end = start / 97, end / 89
    z, t = _both(lambda m: m.linspace(start, end, steps, dtype=dtype and getattr(m, dtype)))
    _same(z, t)


@pytest.mark.parametrize("call", [
    lambda m: m.eye(-1), lambda m: m.eye(2, -1), lambda m: m.randint(5, 2, (3,)), lambda m: m.randint(2, 2, (3,)),
    lambda m: m.randperm(-1), lambda m: m.tensor([2 ** 63]),
])
def test_bad_creation_arguments_raise_torchs_exception(call):
    _raises_as_torch(call)


def test_complex_numbers_make_the_default_complex_dtype():
    for call in (lambda m: m.tensor([1 + 2j, 3]), lambda m: m.full((2,), 1j)):
        z, t = _both(call)
        _same(z, t)


def test_from_numpy_takes_arrays_only_and_shares_their_memory():
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        zg.from_numpy([1, 2])
    array = np.zeros(3)
    zg.from_numpy(array)[1] = 5.0
    assert array[1] == 5.0


def test_tensor_of_none_is_torchs_runtime_error():
    with pytest.raises(RuntimeError):
        torch.tensor([None])
    with pytest.raises(RuntimeError):
        zg.tensor([None])


# ---- indexing -------------------------------------------------------------------------------

X = np.arange(60.0, dtype=np.float32).reshape(3, 4, 5)


@pytest.mark.parametrize("dtype", ["int8", "int16", "float32"])
def test_index_tensors_of_other_dtypes_are_torchs_index_error(dtype):
    for m in (torch, zg):
        with pytest.raises(IndexError):
            m.tensor(X)[m.tensor([0, 1], dtype=getattr(m, dtype))]


@pytest.mark.filterwarnings("ignore:indexing with dtype")
def test_a_uint8_index_tensor_is_a_mask_as_in_torch():
    z, t = _both(lambda m: m.tensor(X)[m.tensor([1, 0, 1], dtype=m.uint8)])
    _same(z, t)


def test_an_empty_list_index_selects_nothing():
    z, t = _both(lambda m: m.tensor(X)[[]])
    _same(z, t)


# ---- shape ops ------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda m: m.zeros(0, 3), lambda m: m.zeros(2, 0, 4), lambda m: m.ones(0), lambda m: m.zeros(4, 3)[2:2],
])
def test_strides_of_an_empty_tensor_are_torchs(call):
    assert call(zg).stride() == call(torch).stride()


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(2, 3).view(-2, 3), lambda m: m.zeros(2, 3).reshape(3, -3),
    lambda m: m.zeros(1, 3, 1).squeeze((0, 0)), lambda m: m.arange(3.0).rot90(),
    lambda m: m.zeros(2, 3, 4).rot90(1, (0, 1, 2)), lambda m: m.zeros(3).diagonal(),
    lambda m: m.tensor(1.0).tensor_split(1), lambda m: m.arange(7).tensor_split(m.tensor([1.0, 4.0])),
    lambda m: m.arange(5).repeat_interleave(m.tensor([1, 1, 1, 1, 1]), output_size=4),
    lambda m: m.zeros(3, 4).take(m.tensor([1.0])), lambda m: m.zeros(2).split(0),
    lambda m: "a" in m.tensor([1, 2]),
])
def test_bad_shape_arguments_raise_torchs_exception(call):
    _raises_as_torch(call)


@pytest.mark.parametrize("call", [
    lambda m: m.cat([m.zeros(0), m.ones(2, 3)]), lambda m: m.cat([m.ones(2, 3), m.zeros(0, dtype=m.float64)], 1),
    lambda m: m.zeros(0).chunk(3), lambda m: m.zeros(2, 0).chunk(2, 1), lambda m: m.zeros(0, 2).split(0),
    lambda m: m.arange(7).tensor_split(m.tensor(3)), lambda m: m.arange(7).tensor_split(m.tensor([1, 5])),
    lambda m: m.repeat_interleave(m.tensor([3, 0, 1])),
    lambda m: m.arange(6.0).reshape(2, 3).repeat_interleave(m.tensor([1, 0, 2]), dim=1, output_size=3),
    lambda m: m.arange(6.0).reshape(2, 3).adjoint(),
])
def test_shape_ops_on_edges_match_torch(call):
    z, t = _both(call)
    z, t = (z, t) if isinstance(t, tuple) else ((z,), (t,))
    assert len(z) == len(t)
    for zi, ti in zip(z, t):
        _same(zi, ti)


def test_cat_with_a_1d_empty_tensor_passes_the_gradient_through():
    z = zg.ones(2, 3, requires_grad=True)
    t = torch.ones(2, 3, requires_grad=True)
    (zg.cat([zg.zeros(0), z]) * 2).sum().backward()
    (torch.cat([torch.zeros(0), t]) * 2).sum().backward()
    _same(z.grad, t.grad)


@pytest.mark.parametrize("element", [2, 5, 2.0, "tensor", "row"])
def test_contains_compares_elementwise_as_torch(element):
    def contains(m):
        values = m.tensor([[1, 2], [3, 4]])
        item = {"tensor": m.tensor(4), "row": m.tensor([9, 4])}.get(element, element)
        return item in values
    assert contains(zg) == contains(torch)


def test_numpy_force_and_data_ptr_as_torch():
    x = zg.tensor([1.0, 2.0], requires_grad=True)
    copied = x.numpy(force=True)
    assert isinstance(copied, np.ndarray) and copied.tolist() == [1.0, 2.0]
    y = zg.arange(12.0).reshape(3, 4)
    assert y[1].data_ptr() - y.data_ptr() == 4 * y.element_size()
    assert y.view(-1).data_ptr() == y.data_ptr()
    assert operator.index(zg.tensor(3)) == 3


@pytest.mark.parametrize("index", [
    lambda m: (0, slice(None), m.tensor([1, 3])),  # the integer selects first: (4,) then the array's dim in place
    lambda m: (slice(None), m.tensor([0, 2]), Ellipsis, m.tensor([1, 2])),  # an Ellipsis of no dim separates nothing
    lambda m: (m.tensor([0, 2]), Ellipsis, m.tensor([1, 2])),
    lambda m: (m.tensor(1), slice(None), m.tensor([[0], [2]])),
    lambda m: (None, 2, slice(1, None, 2), m.tensor([0, 0, 4])),
    lambda m: (True, slice(None), m.tensor([1, 0])),  # a 0-d mask is an index array (a new dim of 1)
    lambda m: (False,), lambda m: (slice(None), True), lambda m: (Ellipsis, m.tensor(False), 0),
])
def test_mixed_indices_read_write_and_differentiate_as_torch(index):
    """Values, the gradient of a read (repeated positions add up), and writes of a tensor of the
    result's shape and of a scalar that requires grad."""
    x = np.arange(60.0).reshape(3, 4, 5)

    def read(m):
        leaf = m.tensor(x, requires_grad=True)
        out = leaf[index(m)]
        (out * m.arange(out.numel(), dtype=m.float64).reshape(tuple(out.shape))).sum().backward()
        return out, leaf.grad

    def write(m):
        target = m.tensor(x)
        shape = tuple(target[index(m)].shape)
        target[index(m)] = -m.arange(int(np.prod(shape)), dtype=m.float64).reshape(shape)
        value = m.tensor(2.5, dtype=m.float64, requires_grad=True)
        scaled = m.tensor(x, requires_grad=True) * 3
        scaled[index(m)] = value * 2
        (scaled * m.tensor(x)).sum().backward()
        return target, scaled, value.grad

    for z, t in zip(read(zg) + write(zg), read(torch) + write(torch)):
        _same(z, t)


@pytest.mark.parametrize("call", [
    lambda m, x: x.as_strided((4, 3), (2, 1)),  # overlapping windows: their gradients add up
    lambda m, x: x[2:].as_strided((2, 2), (1, 2), 1),  # the offset counts from the start of the memory
    lambda m, x: x[1:].as_strided((3,), (2,)),  # by default from the view's own start
    lambda m, x: x.reshape(2, 5).t().as_strided((3, 2), (1, 3)),
    lambda m, x: m.as_strided(x, (0, 2), (1, 1)), lambda m, x: x.as_strided((), (), 7),
    lambda m, x: x.reshape(5, 2)[:, :1].expand(5, 3).as_strided((2, 2), (1, 4)),
])
def test_as_strided_reads_the_memory_and_differentiates_as_torch(call):
    def run(m):
        leaf = m.tensor(np.arange(10.0) - 4.5, requires_grad=True)
        out = call(m, leaf * 1)
        (out * m.arange(out.numel(), dtype=m.float64).reshape(tuple(out.shape))).sum().backward()
        return out, out.storage_offset(), leaf.grad
    (z, z_offset, z_grad), (t, t_offset, t_grad) = run(zg), run(torch)
    _same(z, t)
    _same(z_grad, t_grad)
    assert z.stride() == t.stride() and z_offset == t_offset


def test_as_strided_is_a_view_and_refuses_memory_it_does_not_have():
    for m in (zg, torch):
        x = m.arange(6.0)
        x.as_strided((2,), (3,)).mul_(10)
        assert x.tolist() == [0.0, 1.0, 2.0, 30.0, 4.0, 5.0]
        with pytest.raises(RuntimeError):
            x.as_strided((3, 3), (3, 1))
        with pytest.raises(RuntimeError):
            x.as_strided((2,), (1, 1))


def test_shape_changes_in_place_match_torch():
    """t_, transpose_, swapdims_, squeeze_, unsqueeze_, as_strided_: sizes, strides, values, the
    version, the gradient through a recorded one, and PyTorch's refusals."""
    def plain(m):
        z = m.arange(6.0).reshape(2, 3)
        row = z[0]
        z.t_().unsqueeze_(0).transpose_(0, 2).squeeze_(2).swapdims_(0, 1)
        z[0, 1] = 100.0  # still the same memory: the row sees it
        strided = m.arange(6.0)
        strided.as_strided_((2, 2), (1, 2))
        return z, row, z.stride(), z._version, strided, strided.stride()

    def recorded(m):
        x = m.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        y = x * 2
        y.unsqueeze_(1).transpose_(0, 2)
        (y * m.arange(6.0).reshape(3, 1, 2)).sum().backward()
        return y, x.grad

    for z, t in zip(plain(zg) + recorded(zg), plain(torch) + recorded(torch)):
        if isinstance(t, torch.Tensor):
            _same(z, t)
        else:
            assert z == t
    for m in (zg, torch):
        with pytest.raises(RuntimeError):  # a leaf that requires grad
            m.zeros(2, 3, requires_grad=True).t_()
        x = m.ones(2, 2, requires_grad=True)
        y = x * 2
        product = y * y  # saves y
        y.t_()
        with pytest.raises(RuntimeError):
            product.sum().backward()


def test_views_write_through_to_their_base_as_torch():
    """An integer for every dim reads a 0-d view (NumPy's scalar would be a copy); unfold's windows
    are a view; in-place changes of either reach the base, with gradients."""
    def run(m):
        x = m.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = x * 1
        y[1, 2].mul_(5)
        y[0][1].add_(2)
        plain = m.arange(8.0).reshape(2, 4)
        for row in plain:
            row[3].fill_(-1)
        plain.view(-1).unfold(0, 3, 2)[1].fill_(7)
        (y * m.arange(12.0).reshape(3, 4)).sum().backward()
        return y, x.grad, plain

    for z, t in zip(run(zg), run(torch)):
        _same(z, t)


@pytest.mark.parametrize("call", [
    lambda m, x: x.unfold(1, 3, 2), lambda m, x: x.transpose(0, 2).unfold(0, 2, 1), lambda m, x: x.unfold(-1, 5, 3),
    lambda m, x: x[:, ::2].unfold(1, 1, 1), lambda m, x: x[:1].expand(4, 4, 5).unfold(0, 2, 2),
])
def test_unfold_windows_are_torchs_strided_view(call):
    def run(m):
        leaf = m.tensor(np.arange(60.0).reshape(3, 4, 5), requires_grad=True)
        out = call(m, leaf * 1)
        (out * m.arange(out.numel(), dtype=m.float64).reshape(tuple(out.shape))).sum().backward()
        return out, leaf.grad, out.stride()
    (z, z_grad, z_strides), (t, t_grad, t_strides) = run(zg), run(torch)
    _same(z, t)
    _same(z_grad, t_grad)
    assert z_strides == t_strides


@pytest.mark.parametrize("index", [
    lambda m: [m.tensor(0), m.tensor(1)], lambda m: [[0, 1], [1, 2]], lambda m: [0, slice(1, 3)],
    lambda m: [[0, 2]], lambda m: [0, 2], lambda m: [slice(None), None, 1],
])
def test_a_list_index_holding_sequences_or_tensors_is_a_tuple_as_in_torch(index):
    z, t = _both(lambda m: m.arange(12.0).reshape(3, 4)[index(m)])
    _same(z, t)


@pytest.mark.parametrize("call", [
    lambda m: m.rand(2, dtype=m.int64), lambda m: m.randn(2, dtype=m.int64), lambda m: m.rand_like(m.tensor([1])),
    lambda m: m.zeros(3)["a"], lambda m: m.zeros(3).index_put_(m.tensor([0]), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put_((m.tensor([0]),), m.tensor(1)),
])
def test_bad_random_dtypes_and_index_arguments_raise_torchs_exception(call):
    _raises_as_torch(call)


def test_random_float16_and_bool_as_index():
    assert zg.randn(3, dtype=zg.float16).dtype == zg.float16 and zg.rand(2, dtype=zg.float16).dtype == zg.float16
    assert operator.index(zg.tensor(True)) == operator.index(torch.tensor(True)) == 1


def test_tensor_of_tensors_that_require_grad_copies_their_values_and_asarray_shares():
    z, t = _both(lambda m: m.tensor([m.tensor(1.5, requires_grad=True), 2.0]))
    _same(z, t)
    assert not z.requires_grad
    array = np.zeros(3, dtype=np.float32)
    shared = zg.asarray(array)
    array[1] = 4.0
    assert shared.tolist() == torch.asarray(array).tolist() == [0.0, 4.0, 0.0]
    assert zg.asarray(array, copy=True).data_ptr() != zg.asarray(array).data_ptr()
