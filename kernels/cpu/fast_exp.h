// e^x in float32 as a few multiply-adds that the compiler vectorizes (no libm call), shared by the
// recurrent kernels' gates (sequence.h) and the row softmaxes (softmax.cpp, attention.cpp, cross_entropy.cpp).
#pragma once
#include <cstdint>
#include <cstring>

namespace zengrad::cpu {

inline float bits_to_float(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

inline uint32_t float_to_bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// e^x as 2^n · e^r with n = round(x / ln 2) and |r| <= ln2 / 2; e^r by the Cephes expf polynomial.
// x is clamped to [-87, 87] so 2^n stays a normal float and nothing overflows. ~1e-7 relative error.
// n is read from the low bits of x·log2(e) + 1.5·2^23 (where the rounding put it), in unsigned
// arithmetic, so a NaN x gives NaN without an undefined float-to-int conversion.
inline float fast_exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5·2^23: adding then subtracting it rounds to integer
  x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
  const float shifted = x * kLog2e + kRound;
  const float n = shifted - kRound;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * r * r + r + 1.0f;
  return e_r * bits_to_float((float_to_bits(shifted) - float_to_bits(kRound) + 127u) << 23);
}

// e^x for x ≤ 0 (a row's maximum already subtracted): exactly 0 below −87 (e^x under float32's
// smallest normal number, −∞ included), NaN for NaN. The softmax kernels' exponential.
inline float exp_nonpositive(float x) { return x < -87.0f ? 0.0f : fast_exp(x); }

}  // namespace zengrad::cpu
