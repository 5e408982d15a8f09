// Sixteen floats as one value, for kernels whose loops GCC does not keep in registers on its own
// (attention.cpp, cross_entropy.cpp): loads and stores, and the sum and maximum across the lanes.
// Compiled inside each target_clones path: one AVX-512 register, two AVX2 ones, four SSE ones.
#pragma once
#include <cstdint>
#include <cstring>

namespace zengrad::cpu {

// Sixteen floats, one AVX-512 register (two AVX2 ones): GCC's vector extension keeps a variable of
// this type in registers, where a local float[16] loop would store and reload it at every step.
typedef float Lanes __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

__attribute__((always_inline)) inline Lanes load(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((always_inline)) inline void store(float* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

inline int64_t padded(int64_t length) { return (length + kLanes - 1) / kLanes * kLanes; }

// The sum and the maximum of a Lanes' sixteen floats, halving the vector (a tree, not a chain).
typedef float Half __attribute__((vector_size(32)));
typedef float Quarter __attribute__((vector_size(16)));

__attribute__((always_inline)) inline float horizontal_sum(Lanes v) {
  Half a, b;
  std::memcpy(&a, &v, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&v) + sizeof a, sizeof b);
  a += b;
  Quarter c, e;
  std::memcpy(&c, &a, sizeof c);
  std::memcpy(&e, reinterpret_cast<const char*>(&a) + sizeof c, sizeof e);
  c += e;
  return (c[0] + c[2]) + (c[1] + c[3]);
}

__attribute__((always_inline)) inline float horizontal_max(Lanes v) {
  Half a, b;
  std::memcpy(&a, &v, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&v) + sizeof a, sizeof b);
  a = a > b ? a : b;
  Quarter c, e;
  std::memcpy(&c, &a, sizeof c);
  std::memcpy(&e, reinterpret_cast<const char*>(&a) + sizeof c, sizeof e);
  c = c > e ? c : e;
  const float x = c[0] > c[2] ? c[0] : c[2], y = c[1] > c[3] ? c[1] : c[3];
  return x > y ? x : y;
}

typedef int32_t LaneIndex __attribute__((vector_size(64)));
constexpr LaneIndex kIota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

}  // namespace zengrad::cpu
