// Shared pieces of the pybind11 glue: each file registers one submodule of zengrad._C.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

namespace zengrad::bindings {

namespace py = pybind11;
using FloatArray = py::array_t<float, py::array::c_style>;

void register_cpu(py::module_& m);
void register_cuda(py::module_& m);

// The last line of defence: Python validates first, but nothing from Python may crash the process.
inline void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

// A C-contiguous float32 array of the given rank, or a ValueError naming the kernel and argument.
// The dtype is compared by equality, not identity: an array from unpickling or np.load carries its
// own float32 dtype object, equal to NumPy's canonical one but not the same object.
inline FloatArray as_float_array(const py::array& array, int ndim, const char* kernel, const char* name) {
  // The messages are built only on failure: this runs for every operand of every native call.
  if (!array.dtype().equal(py::dtype::of<float>()))
    throw std::invalid_argument(std::string(kernel) + ": " + name + " must be float32");
  if (array.ndim() != ndim)
    throw std::invalid_argument(std::string(kernel) + ": " + name + " must have " + std::to_string(ndim) +
                                " dimensions");
  if (!(array.flags() & py::array::c_style))
    throw std::invalid_argument(std::string(kernel) + ": " + name + " must be C-contiguous");
  return py::reinterpret_borrow<FloatArray>(array);
}

// Whether the bytes of two arrays overlap (a conservative test, like np.may_share_memory).
inline bool overlaps(const py::array& x, const py::array& y) {
  const auto* x0 = static_cast<const char*>(x.data());
  const auto* y0 = static_cast<const char*>(y.data());
  return x.nbytes() > 0 && y.nbytes() > 0 && x0 < y0 + y.nbytes() && y0 < x0 + x.nbytes();
}

}  // namespace zengrad::bindings
