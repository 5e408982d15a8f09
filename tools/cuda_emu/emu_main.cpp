// Runs zengrad's CUDA kernels on the CPU emulation (include/cuda_runtime.h) and checks every result
// against a double-precision reference. Exit status 0 when all checks pass.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gemm.cuh"
#include "zengrad_cuda.h"

namespace zc = zengrad::cuda;

namespace {

int failures = 0;
std::mt19937 rng(12345);

std::vector<float> random_vector(size_t n, float scale = 1.f) {
  std::normal_distribution<float> dist(0.f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

void report(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::printf("FAIL %s\n", what.c_str());
  }
}

// ---- matmul ------------------------------------------------------------------------------------

using MatmulFn = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t, bool, bool, std::uintptr_t);

void gemm_internal(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                   std::uintptr_t) {
  zc::gemm(a, b, c, m, n, k, ta, tb, nullptr);
}

struct Variant {
  const char* name;
  MatmulFn fn;
};
// gemm() with a workspace: splits k when small tiles leave the (4 emulated) multiprocessors idle
void gemm_split_k(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                  std::uintptr_t) {
  std::vector<float> workspace(zc::gemm_workspace_floats(m, n), std::numeric_limits<float>::quiet_NaN());
  zc::gemm(a, b, c, m, n, k, ta, tb, nullptr, workspace.data(), static_cast<int64_t>(workspace.size()));
}

// Every rung of kernels/cuda/matmul_rungs.h, then gemm() as the LSTM drivers call it.
#define ZENGRAD_EMU_VARIANT(name, idea) {#name, zc::matmul_##name},
const Variant kVariants[] = {
    ZENGRAD_MATMUL_RUNGS(ZENGRAD_EMU_VARIANT){"gemm(auto tile)", gemm_internal},
    {"gemm(split k)", gemm_split_k},
};
#undef ZENGRAD_EMU_VARIANT

void check_matmul(const Variant& v, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int offset) {
  // Buffers of exactly the needed size (+offset floats in front for misaligned views).
  std::vector<float> a = random_vector(m * k + offset), b = random_vector(k * n + offset);
  std::vector<float> c(m * n + offset, std::numeric_limits<float>::quiet_NaN());
  const float* ap = a.data() + offset;
  const float* bp = b.data() + offset;
  float* cp = c.data() + offset;
  v.fn(ap, bp, cp, m, n, k, ta, tb, 0);
  double worst = 0;
  bool ok = true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double ref = 0, scale = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = ta ? ap[p * m + i] : ap[i * k + p];
        const double y = tb ? bp[j * k + p] : bp[p * n + j];
        ref += x * y;
        scale += std::fabs(x * y);
      }
      const double got = cp[i * n + j];
      const double err = std::fabs(got - ref);
      const double bound = 4.0 * std::max<int64_t>(k, 1) * 1.2e-7 * scale;
      if (!(err <= bound)) ok = false;
      worst = std::max(worst, std::isnan(got) ? INFINITY : err);
    }
  if (offset) ok = ok && std::isnan(c[0]);
  char what[160];
  std::snprintf(what, sizeof what, "matmul %s m=%lld n=%lld k=%lld ta=%d tb=%d offset=%d (max err %.3g)", v.name,
                (long long)m, (long long)n, (long long)k, ta, tb, offset, worst);
  report(ok, what);
}

// ---- LSTM reference (double) --------------------------------------------------------------------

struct LstmData {
  int64_t T, B, I, H;
  std::vector<float> x, h0, c0, w_ih, w_hh, bias, dy, dh_n, dc_n;
};

double sigm(double z) { return 1.0 / (1.0 + std::exp(-z)); }

void reference_forward(const LstmData& d, std::vector<double>& y, std::vector<double>& h_n, std::vector<double>& c_n,
                       std::vector<double>& gates, std::vector<double>& cells) {
  const int64_t T = d.T, B = d.B, I = d.I, H = d.H;
  y.assign(T * B * H, 0);
  gates.assign(T * B * 4 * H, 0);
  cells.assign(T * B * H, 0);
  std::vector<double> h(d.h0.begin(), d.h0.end()), c(d.c0.begin(), d.c0.end());
  for (int64_t t = 0; t < T; ++t) {
    std::vector<double> hn(B * H), cn(B * H);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < H; ++j) {
        double z[4];
        for (int q = 0; q < 4; ++q) {
          const int64_t r = q * H + j;
          double s = d.bias[r];
          for (int64_t p = 0; p < I; ++p) s += double(d.x[(t * B + b) * I + p]) * d.w_ih[r * I + p];
          for (int64_t p = 0; p < H; ++p) s += h[b * H + p] * d.w_hh[r * H + p];
          z[q] = s;
        }
        const double i = sigm(z[0]), f = sigm(z[1]), g = std::tanh(z[2]), o = sigm(z[3]);
        const double cc = f * c[b * H + j] + i * g;
        cn[b * H + j] = cc;
        hn[b * H + j] = o * std::tanh(cc);
        double* gt = &gates[(t * B + b) * 4 * H];
        gt[j] = i, gt[H + j] = f, gt[2 * H + j] = g, gt[3 * H + j] = o;
      }
    h = hn, c = cn;
    std::copy(h.begin(), h.end(), y.begin() + t * B * H);
    std::copy(c.begin(), c.end(), cells.begin() + t * B * H);
  }
  h_n = h, c_n = c;
}

void reference_backward(const LstmData& d, const std::vector<float>& gates_f, const std::vector<float>& cells_f,
                        std::vector<std::vector<double>>& out) {
  const int64_t T = d.T, B = d.B, I = d.I, H = d.H;
  std::vector<double> dx(T * B * I, 0), dw_ih(4 * H * I, 0), dw_hh(4 * H * H, 0), dbias(4 * H, 0);
  std::vector<double> dh(d.dh_n.begin(), d.dh_n.end()), dc(d.dc_n.begin(), d.dc_n.end());
  for (int64_t t = T - 1; t >= 0; --t) {
    std::vector<double> dz(B * 4 * H), hprev(B * H);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < H; ++j) {
        const float* g = &gates_f[(t * B + b) * 4 * H];
        const double i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
        const double c = cells_f[(t * B + b) * H + j];
        const double cp = t ? cells_f[((t - 1) * B + b) * H + j] : d.c0[b * H + j];
        hprev[b * H + j] = t ? double(gates_f[((t - 1) * B + b) * 4 * H + 3 * H + j]) *
                                   std::tanh(double(cells_f[((t - 1) * B + b) * H + j]))
                             : d.h0[b * H + j];
        const double dht = d.dy[(t * B + b) * H + j] + dh[b * H + j];
        const double tc = std::tanh(c);
        const double dct = dc[b * H + j] + dht * o * (1 - tc * tc);
        double* z = &dz[b * 4 * H];
        z[j] = dct * gg * i * (1 - i);
        z[H + j] = dct * cp * f * (1 - f);
        z[2 * H + j] = dct * i * (1 - gg * gg);
        z[3 * H + j] = dht * tc * o * (1 - o);
        dc[b * H + j] = dct * f;
      }
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t p = 0; p < I; ++p) {
        double s = 0;
        for (int64_t r = 0; r < 4 * H; ++r) s += dz[b * 4 * H + r] * d.w_ih[r * I + p];
        dx[(t * B + b) * I + p] = s;
      }
      for (int64_t p = 0; p < H; ++p) {
        double s = 0;
        for (int64_t r = 0; r < 4 * H; ++r) s += dz[b * 4 * H + r] * d.w_hh[r * H + p];
        dh[b * H + p] = s;
      }
      for (int64_t r = 0; r < 4 * H; ++r) {
        dbias[r] += dz[b * 4 * H + r];
        for (int64_t p = 0; p < I; ++p) dw_ih[r * I + p] += dz[b * 4 * H + r] * d.x[(t * B + b) * I + p];
        for (int64_t p = 0; p < H; ++p) dw_hh[r * H + p] += dz[b * 4 * H + r] * hprev[b * H + p];
      }
    }
  }
  out = {dx, dh, dc, dw_ih, dw_hh, dbias};
}

bool close(const std::vector<float>& got, const std::vector<double>& want, double rtol, double& rel) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(got[i])) {
      rel = INFINITY;
      return false;
    }
    err += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  rel = norm > 0 ? std::sqrt(err / norm) : std::sqrt(err);
  return norm > 0 ? rel <= rtol : err == 0;
}

void check_lstm(int64_t T, int64_t B, int64_t I, int64_t H, zc::LstmMode mode, const char* mode_name,
                const char* expect_fwd, const char* expect_bwd) {
  LstmData d{T, B, I, H};
  const float s = 1.f / std::sqrt(float(std::max<int64_t>(H, 1)));
  d.x = random_vector(T * B * I), d.h0 = random_vector(B * H, 0.5f), d.c0 = random_vector(B * H, 0.5f);
  d.w_ih = random_vector(4 * H * I, s), d.w_hh = random_vector(4 * H * H, s), d.bias = random_vector(4 * H, s);
  d.dy = random_vector(T * B * H), d.dh_n = random_vector(B * H), d.dc_n = random_vector(B * H);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> y(T * B * H, nan), h_n(B * H, nan), c_n(B * H, nan), gates(T * B * 4 * H, nan),
      cells(T * B * H, nan);
  const zc::LstmSizes sizes{T, B, I, H};
  std::vector<float> work(zc::lstm_workspace_floats(false, sizes), nan);
  char label[160];
  std::snprintf(label, sizeof label, "lstm %s T=%lld B=%lld I=%lld H=%lld", mode_name, (long long)T, (long long)B,
                (long long)I, (long long)H);
  std::string path;
  try {
    path = zc::lstm_forward({d.x.data(), d.h0.data(), d.c0.data(), d.w_ih.data(), d.w_hh.data(), d.bias.data(),
                             y.data(), h_n.data(), c_n.data(), gates.data(), cells.data(), work.data()},
                            sizes, mode, 0);
  } catch (const std::exception& e) {
    report(std::string(expect_fwd) == "throws", std::string(label) + " forward threw: " + e.what());
    return;
  }
  report(path == expect_fwd, std::string(label) + " forward path " + path + ", expected " + expect_fwd);
  std::vector<double> ry, rh, rc, rg, rcell;
  reference_forward(d, ry, rh, rc, rg, rcell);
  const char* names[] = {"y", "h_n", "c_n", "gates", "cells"};
  const std::vector<float>* gots[] = {&y, &h_n, &c_n, &gates, &cells};
  const std::vector<double>* wants[] = {&ry, &rh, &rc, &rg, &rcell};
  for (int q = 0; q < 5; ++q) {
    double rel;
    const bool ok = close(*gots[q], *wants[q], 1e-4, rel);
    report(ok, std::string(label) + " forward " + names[q] + " rel err " + std::to_string(rel));
  }
  std::vector<float> dx(T * B * I, nan), dh0(B * H, nan), dc0(B * H, nan), dw_ih(4 * H * I, nan),
      dw_hh(4 * H * H, nan), dbias(4 * H, nan);
  std::vector<float> bwork(zc::lstm_workspace_floats(true, sizes), nan);
  try {
    path = zc::lstm_backward({d.dy.data(), d.dh_n.data(), d.dc_n.data(), d.x.data(), d.h0.data(), d.c0.data(),
                              d.w_ih.data(), d.w_hh.data(), gates.data(), cells.data(), dx.data(), dh0.data(),
                              dc0.data(), dw_ih.data(), dw_hh.data(), dbias.data(), bwork.data()},
                             sizes, mode, 0);
  } catch (const std::exception& e) {
    report(std::string(expect_bwd) == "throws", std::string(label) + " backward threw: " + e.what());
    return;
  }
  report(path == expect_bwd, std::string(label) + " backward path " + path + ", expected " + expect_bwd);
  std::vector<std::vector<double>> ref;
  reference_backward(d, gates, cells, ref);
  const char* bnames[] = {"dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias"};
  const std::vector<float>* bgots[] = {&dx, &dh0, &dc0, &dw_ih, &dw_hh, &dbias};
  for (int q = 0; q < 6; ++q) {
    double rel;
    const bool ok = close(*bgots[q], ref[q], 2e-4, rel);
    report(ok, std::string(label) + " backward " + bnames[q] + " rel err " + std::to_string(rel));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a FAIL line is on disk even if the run is cut short
  const std::string only = argc > 1 ? argv[1] : "all";
  if (only == "changed") {  // rung 8 and gemm()'s split k only: a quick check after editing them
    for (const auto& v : kVariants) {
      const std::string name = v.name;
      if (name != "pipelined" && name != "gemm(split k)") continue;
      for (int f = 0; f < 4; ++f) {
        check_matmul(v, 70, 130, 150, f & 1, f & 2, 0);
        check_matmul(v, 5, 3, 1000, f & 1, f & 2, f & 1);
        check_matmul(v, 31, 97, 29, f & 1, f & 2, 1);
        check_matmul(v, 0, 5, 3, f & 1, f & 2, 0);
        check_matmul(v, 5, 3, 0, f & 1, f & 2, 0);
      }
    }
    std::printf("changed-kernel checks done\n");
  }
  if (only == "all" || only == "matmul") {
    const int64_t shapes[][3] = {{1, 1, 1},   {7, 7, 7},    {31, 97, 29}, {129, 31, 67}, {0, 5, 3},
                                 {5, 0, 3},   {5, 3, 0},    {200, 1, 3},  {1, 200, 3},   {3, 5, 100},
                                 {128, 128, 32}, {130, 132, 20}, {256, 136, 48}};
    for (const auto& v : kVariants)
      for (const auto& s : shapes)
        for (int f = 0; f < 4; ++f) check_matmul(v, s[0], s[1], s[2], f & 1, f & 2, 0);
    for (const auto& v : kVariants)
      for (int f = 0; f < 4; ++f) check_matmul(v, 128, 132, 32, f & 1, f & 2, 1);
    // 9×3 tiles of 128×128: two groups in the grouped tile order, the second one partial
    for (const auto& v : kVariants)
      if (std::string(v.name) == "warptile" || std::string(v.name) == "doublebuffer" ||
          std::string(v.name) == "pipelined")
        check_matmul(v, 1100, 300, 8, false, true, 0);
    // skinny products with a long k: gemm() splits k (2 and 4 splits, the last one short)
    for (int f = 0; f < 4; ++f) {
      check_matmul(kVariants[std::size(kVariants) - 1], 64, 100, 600, f & 1, f & 2, 0);
      check_matmul(kVariants[std::size(kVariants) - 1], 5, 3, 1000, f & 1, f & 2, f & 1);
    }
    // rung 8 with more k-tiles than pipeline stages, every layout, edge and misaligned
    for (const auto& v : kVariants)
      if (std::string(v.name) == "pipelined")
        for (int f = 0; f < 4; ++f) {
          check_matmul(v, 70, 130, 150, f & 1, f & 2, 0);
          check_matmul(v, 64, 64, 256, f & 1, f & 2, 1);
        }
    std::printf("matmul checks done\n");
  }
  if (only == "all" || only == "lstm") {
    using M = zc::LstmMode;
    // (T, B, I, H), with EMU_SMS=4 multiprocessors: the persistent kernel fits every size here.
    const int64_t sizes[][4] = {{1, 1, 1, 1}, {3, 2, 5, 7}, {4, 5, 3, 33}, {2, 70, 3, 9}, {3, 128, 5, 40},
                                {2, 3, 0, 6}};
    for (const auto& s : sizes) {
      check_lstm(s[0], s[1], s[2], s[3], M::kStepwise, "stepwise", "stepwise", "stepwise");
      check_lstm(s[0], s[1], s[2], s[3], M::kPersistent, "persistent", "persistent", "persistent");
      check_lstm(s[0], s[1], s[2], s[3], M::kAuto, "auto", "persistent", "persistent");
    }
    // the step-by-step backward's dh = dz W_hh (3×64 by k = 256) splits k in two
    check_lstm(2, 3, 4, 64, M::kStepwise, "stepwise", "stepwise", "stepwise");
    check_lstm(0, 3, 4, 5, M::kPersistent, "persistent", "none", "none");
    check_lstm(3, 0, 4, 5, M::kAuto, "auto", "none", "none");
    check_lstm(3, 2, 4, 0, M::kStepwise, "stepwise", "none", "none");
    // too large for 4 emulated multiprocessors: auto steps, persistent refuses
    check_lstm(2, 3, 4, 300, M::kAuto, "auto", "stepwise", "stepwise");
    check_lstm(2, 3, 4, 300, M::kPersistent, "persistent", "throws", "throws");
    std::printf("lstm checks done\n");
  }
  if (only == "fuzz") {  // random shapes, flags and alignments for every rung
    std::uniform_int_distribution<int> side(1, 300), depth(0, 40), coin(0, 1);
    for (int trial = 0; trial < 12; ++trial) {
      const int64_t m = side(rng), n = side(rng), k = depth(rng);
      const bool ta = coin(rng), tb = coin(rng);
      const int offset = coin(rng);
      for (const auto& v : kVariants) check_matmul(v, m, n, k, ta, tb, offset);
    }
    std::printf("fuzz checks done\n");
  }
  if (only == "chunks") {  // 16 emulated SMs: backward K = 4H = 1200 is staged in two chunks
    setenv("EMU_SMS", "16", 1);
    check_lstm(2, 2, 3, 300, zengrad::cuda::LstmMode::kPersistent, "persistent", "persistent", "persistent");
    std::printf("chunk checks done\n");
  }
  std::printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
