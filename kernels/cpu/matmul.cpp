// Fast CPU matmul: C = op(A) · op(B) (or C += ...), float32, in the style of GotoBLAS / BLIS.
//
// Idea. A matmul does 2·M·N·K flops on only (MK + KN + MN) numbers, so it can run at the speed of
// the FMA units if every number loaded from memory is reused many times from registers and caches.
// Five loops around a micro-kernel arrange that reuse:
//
//   for jc in N, step NC:                  B panel   (KC×NC) packed once, lives in L3
//     for pc in K, step KC:
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide slivers
//       for ic in M, step MC:              A block   (MC×KC) packed, lives in L2
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall slivers
//         for jr in NC, step NR:           B sliver  (KC×NR) lives in L1
//           for ir in MC, step MR:
//             micro-kernel: C[MR×NR] += A sliver · B sliver, the MR×NR tile held in registers
//
// Packing copies each block into the exact order the micro-kernel reads it (unit stride, aligned,
// zero-padded at the edges), so transposed operands cost nothing extra. At the edges, a tile with
// fewer rows runs the micro-kernel instantiated for that many rows (a template parameter); one
// with fewer columns is computed into a scratch tile and copied.
// The micro-kernel, per step p of K, loads one row of the B sliver into vector registers,
// broadcasts each of the MR numbers of the A column and does MR·NR/width fused multiply-adds into
// accumulators that stay in registers for all KC steps. The AVX-512 one first asks for its C tile
// to be brought into L2 (prefetcht1), so the load (when accumulating) and the store at its end do
// not wait for L3 or memory: the transposed weight-gradient GEMM of the LSTM (513×1024×6400, C
// revisited once per KC block) ran 2-4% faster with it, 1 thread (benchmarks/results/lstm_2026-12-03c.md).
//
// Paths (chosen at run time with __builtin_cpu_supports, or forced for tests), MR×NR and blocks:
//   avx512    14×32  MC=84  KC=512 NC=2048  28 zmm accumulators + 2 for B + 1 broadcast (of 32)
//   avx2       6×16  MC=96  KC=512 NC=2048  12 ymm accumulators + 2 for B + 1 broadcast (of 16)
//   portable   4×16  MC=128 KC=256 NC=1024  plain C++ the compiler vectorizes for baseline x86-64
// Each micro-kernel is a function compiled with __attribute__((target(...))); nothing in the build
// uses -march=native, so the library runs on any x86-64 CPU.
// KC=512 tied with 768 as the fastest of 192-1024 tried on Zen 4 (one thread, noisy machine): fewer
// passes over C than 256, and the 14×512 A sliver (28 KB) still fits the 32 KB L1.
// Packing uses AVX2 on the SIMD paths: row-major blocks are transposed 8×8 in registers, and
// column runs are copied 8 lanes at a time; the portable path packs with plain loops.
//
// Threads: OpenMP, only from parallel_threshold() multiply-adds on (threads.h). C is cut into one rectangle per
// thread (along M, N or both, in whole register tiles, so the cut is balanced) and each thread
// runs the five loops on its rectangle with its own packing buffers: no barriers at all.
//
// This is the ladder's "simd" rung on one thread and its "threads" rung on all (ladder.h).
// Measured speed: benchmarks/results/ladder.md and cpu.md, `zengrad bench matmul [--ladder]`.
#include "matmul.h"

#include "buffer.h"
#include "threads.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace zengrad::cpu {

namespace {

// ---- micro-kernels ------------------------------------------------------------------------------
// Contract: c[i·ldc + j] (= or +=) Σ_p a[p·MR + i] · b[p·NR + j] for i < ROWS, j < NR, where a and
// b are packed slivers of depth kc. ROWS is MR except in the last tile row of a short matrix (an
// LSTM step with batch 64 is 4 full 14-row tiles and one of 8), which then costs 8 rows, not 14.
using TileFn = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                        bool accumulate);

constexpr int kAvx512Mr = 14, kAvx512Nr = 32;

template <int ROWS>
__attribute__((target("avx512f"))) void tile_avx512(int64_t kc, const float* a, const float* b,
                                                    float* c, int64_t ldc, bool accumulate) {
  __m512 left[ROWS], right[ROWS];  // columns 0-15 and 16-31 of each tile row
#pragma GCC unroll 14
  for (int i = 0; i < ROWS; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T1);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T1);
    left[i] = right[i] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < kc; ++p, a += kAvx512Mr, b += 32) {
    const __m512 b_left = _mm512_load_ps(b), b_right = _mm512_load_ps(b + 16);
#pragma GCC unroll 14
    for (int i = 0; i < ROWS; ++i) {
      const __m512 a_i = _mm512_set1_ps(a[i]);
      left[i] = _mm512_fmadd_ps(a_i, b_left, left[i]);
      right[i] = _mm512_fmadd_ps(a_i, b_right, right[i]);
    }
  }
#pragma GCC unroll 14
  for (int i = 0; i < ROWS; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      left[i] = _mm512_add_ps(left[i], _mm512_loadu_ps(row));
      right[i] = _mm512_add_ps(right[i], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, left[i]);
    _mm512_storeu_ps(row + 16, right[i]);
  }
}

constexpr int kAvx2Mr = 6, kAvx2Nr = 16;

template <int ROWS>
__attribute__((target("avx2,fma"))) void tile_avx2(int64_t kc, const float* a, const float* b,
                                                   float* c, int64_t ldc, bool accumulate) {
  __m256 left[ROWS], right[ROWS];  // columns 0-7 and 8-15 of each tile row
#pragma GCC unroll 6
  for (int i = 0; i < ROWS; ++i) left[i] = right[i] = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, a += kAvx2Mr, b += 16) {
    const __m256 b_left = _mm256_load_ps(b), b_right = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < ROWS; ++i) {
      const __m256 a_i = _mm256_broadcast_ss(a + i);
      left[i] = _mm256_fmadd_ps(a_i, b_left, left[i]);
      right[i] = _mm256_fmadd_ps(a_i, b_right, right[i]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < ROWS; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      left[i] = _mm256_add_ps(left[i], _mm256_loadu_ps(row));
      right[i] = _mm256_add_ps(right[i], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, left[i]);
    _mm256_storeu_ps(row + 8, right[i]);
  }
}

constexpr int kPortableMr = 4, kPortableNr = 16;

template <int ROWS>
void tile_portable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  constexpr int NR = kPortableNr;
  float acc[ROWS][NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += kPortableMr, b += NR)
    for (int i = 0; i < ROWS; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < ROWS; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

// tiles[r] is the micro-kernel for r rows (r = 1..MR; tiles[0] is unused).
constexpr int kMaxMr = kAvx512Mr;
using TileTable = std::array<TileFn, kMaxMr + 1>;

template <template <int> class Kernel, int... Rows>
constexpr TileTable tile_table(std::integer_sequence<int, Rows...>) {
  return TileTable{nullptr, Kernel<Rows + 1>::fn...};
}

template <int R> struct Avx512Tile { static constexpr TileFn fn = tile_avx512<R>; };
template <int R> struct Avx2Tile { static constexpr TileFn fn = tile_avx2<R>; };
template <int R> struct PortableTile { static constexpr TileFn fn = tile_portable<R>; };

constexpr TileTable kAvx512Tiles = tile_table<Avx512Tile>(std::make_integer_sequence<int, kAvx512Mr>{});
constexpr TileTable kAvx2Tiles = tile_table<Avx2Tile>(std::make_integer_sequence<int, kAvx2Mr>{});
constexpr TileTable kPortableTiles = tile_table<PortableTile>(std::make_integer_sequence<int, kPortableMr>{});

// ---- the blocking of each path --------------------------------------------------------------------
struct Config {
  Isa isa;
  int mr, nr;              // register tile
  int64_t mc, kc, nc;      // cache blocks: A block MC×KC (L2), B panel KC×NC (L3)
  const TileTable* tiles;  // micro-kernel by number of rows
  bool simd_packing;       // transpose row-major blocks with AVX2 while packing
};

constexpr int kMaxTile = kAvx512Mr * kAvx512Nr;

const Config kAvx512{Isa::Avx512, kAvx512Mr, kAvx512Nr, 14 * 6, 512, 2048, &kAvx512Tiles, true};
const Config kAvx2{Isa::Avx2, kAvx2Mr, kAvx2Nr, 6 * 16, 512, 2048, &kAvx2Tiles, true};
const Config kPortable{Isa::Portable, kPortableMr, kPortableNr, 4 * 32, 256, 1024, &kPortableTiles, false};

const Config& config_for(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return kAvx512;
    case Isa::Avx2: return kAvx2;
    default: return kPortable;
  }
}

// The AVX-512 path also packs with AVX2 (every AVX-512 CPU has it, but we check).
bool has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool has_avx512() { return __builtin_cpu_supports("avx512f") && has_avx2_fma(); }

Isa best_available() {
  if (has_avx512()) return Isa::Avx512;
  if (has_avx2_fma()) return Isa::Avx2;
  return Isa::Portable;
}

constexpr Isa kExplicitIsas[kIsaCount] = {Isa::Avx512, Isa::Avx2, Isa::Portable};
constexpr const char* kIsaNames[kIsaCount] = {"avx512", "avx2", "portable"};

const char* isa_name(Isa isa) {
  for (int i = 0; i < kIsaCount; ++i)
    if (kExplicitIsas[i] == isa) return kIsaNames[i];
  return "auto";
}

int64_t round_up(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// ---- packing ---------------------------------------------------------------------------------------
// A strided matrix: element (r, c) is data[r·row_stride + c·col_stride].
struct Operand {
  const float* data;
  int64_t row_stride, col_stride;
  const float* at(int64_t r, int64_t c) const { return data + r * row_stride + c * col_stride; }
};

// Lanes 0..count-1 of an AVX2 mask (count may be <= 0 or > 8).
__attribute__((target("avx2"))) inline __m256i first_lanes(int64_t count) {
  const int clamped = static_cast<int>(std::clamp<int64_t>(count, 0, 8));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(clamped), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Stores the first `count` (<= 8) lanes. Not vmaskmovps: masked stores are slow on AMD CPUs; nor a
// copy through memory, which GCC turns into a memcpy call per sliver row (the AVX2 path's A slivers
// are 6 wide, so that was every row of every packed A). Pieces of 4, 2 and 1 lanes instead.
__attribute__((target("avx2"))) inline void store_lanes(float* to, __m256 values, int count) {
  if (count == 8) {
    _mm256_storeu_ps(to, values);
    return;
  }
  __m128 part = _mm256_castps256_ps128(values);
  if (count >= 4) {
    _mm_storeu_ps(to, part);
    part = _mm256_extractf128_ps(values, 1);
    to += 4, count -= 4;
  }
  if (count >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(to), part);
    part = _mm_movehl_ps(part, part);
    to += 2, count -= 2;
  }
  if (count == 1) _mm_store_ss(to, part);
}

// Transposes an 8×8 block held as 8 rows in registers, in place: rows become columns.
__attribute__((target("avx2"))) inline void transpose8x8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int q = 0; q < 8; q += 2) {
    t[q] = _mm256_unpacklo_ps(r[q], r[q + 1]);
    t[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
  }
  for (int q = 0; q < 8; q += 4) {
    u[q] = _mm256_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int q = 0; q < 4; ++q) {
    r[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);
    r[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
  }
}

// One sliver whose lines are contiguous rows (step_stride == 1), e.g. op(A) = A: an 8×8 block
// at a time is loaded row by row, transposed in registers and stored step by step.
__attribute__((target("avx2"))) void pack_sliver_transposing(const float* from, int64_t line_stride,
                                                             int64_t lines, int64_t depth, int width,
                                                             float* dst) {
  int64_t p = 0;
  for (; p + 8 <= depth; p += 8) {
    for (int first = 0; first < width; first += 8) {
      __m256 block[8];
      for (int q = 0; q < 8; ++q)
        block[q] = first + q < lines ? _mm256_loadu_ps(from + (first + q) * line_stride + p)
                                     : _mm256_setzero_ps();
      transpose8x8(block);
      const int count = std::min(8, width - first);
      for (int q = 0; q < 8; ++q) store_lanes(dst + (p + q) * width + first, block[q], count);
    }
  }
  for (; p < depth; ++p)
    for (int64_t i = 0; i < width; ++i) dst[p * width + i] = i < lines ? from[i * line_stride + p] : 0.0f;
}

// A block whose lines are adjacent for each step (line_stride == 1), e.g. op(A) = Aᵀ: step by step,
// the run of `count` numbers is read once and dealt out to the slivers, 8 lanes at a time (masked
// loads supply the zero padding of the last sliver).
__attribute__((target("avx2"))) void pack_runs(const float* src, int64_t step_stride, int64_t count,
                                               int64_t depth, int width, float* dst) {
  for (int64_t p = 0; p < depth; ++p) {
    const float* run = src + p * step_stride;
    for (int64_t first = 0; first < count; first += width) {
      float* to = dst + first * depth + p * width;
      for (int lane = 0; lane < width; lane += 8) {
        const int64_t valid = count - first - lane;
        const __m256 values = valid >= 8 ? _mm256_loadu_ps(run + first + lane)
                                         : _mm256_maskload_ps(run + first + lane, first_lanes(valid));
        store_lanes(to + lane, values, std::min(8, width - lane));
      }
    }
  }
}

// Copies `count` lines of length `depth` (line i, step p at src[i·line_stride + p·step_stride])
// into slivers of `width` lines, each stored step-major (dst[p·width + i]) and zero-padded to a
// full sliver. Serves both operands: A's lines are rows of op(A), B's lines are columns of op(B).
// With `simd`, lines that are contiguous rows go through the AVX2 transposing path.
void pack(const float* src, int64_t line_stride, int64_t step_stride, int64_t count, int64_t depth,
          int width, bool simd, float* dst) {
  if (simd && line_stride == 1) {
    pack_runs(src, step_stride, count, depth, width, dst);
    return;
  }
  for (int64_t first = 0; first < count; first += width, dst += depth * width) {
    const int64_t lines = std::min<int64_t>(width, count - first);
    const float* from = src + first * line_stride;
    if (simd && step_stride == 1) {
      pack_sliver_transposing(from, line_stride, lines, depth, width, dst);
      continue;
    }
    for (int64_t p = 0; p < depth; ++p) {
      float* to = dst + p * width;
      if (line_stride == 1) {  // this step's lines are adjacent in memory: copy them as a run
        std::memcpy(to, from + p * step_stride, sizeof(float) * static_cast<size_t>(lines));
      } else {
        for (int64_t i = 0; i < lines; ++i) to[i] = from[i * line_stride + p * step_stride];
      }
      for (int64_t i = lines; i < width; ++i) to[i] = 0.0f;
    }
  }
}

// ---- the five loops --------------------------------------------------------------------------------
// The two innermost loops: every register tile of an mb×nb block of C from packed A and B.
void multiply_packed(const Config& cfg, const float* a_pack, const float* b_pack, float* c,
                     int64_t ldc, int64_t mb, int64_t nb, int64_t kb, bool accumulate) {
  alignas(64) float edge[kMaxTile];
  for (int64_t jr = 0; jr < nb; jr += cfg.nr) {
    const int64_t cols = std::min<int64_t>(cfg.nr, nb - jr);
    for (int64_t ir = 0; ir < mb; ir += cfg.mr) {
      const int64_t rows = std::min<int64_t>(cfg.mr, mb - ir);
      const float* a_sliver = a_pack + ir * kb;
      const float* b_sliver = b_pack + jr * kb;
      float* tile = c + ir * ldc + jr;
      const TileFn kernel = (*cfg.tiles)[rows];
      if (cols == cfg.nr) {
        kernel(kb, a_sliver, b_sliver, tile, ldc, accumulate);
        continue;
      }
      kernel(kb, a_sliver, b_sliver, edge, cfg.nr, false);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          tile[i * ldc + j] = (accumulate ? tile[i * ldc + j] : 0.0f) + edge[i * cfg.nr + j];
    }
  }
}

// Packing buffer sizes (floats) for one thread working on an m×n×k product.
struct Workspace {
  int64_t a_size, b_size;
  Workspace(const Config& cfg, int64_t m, int64_t n, int64_t k)
      : a_size(round_up(std::min(cfg.mc, m), cfg.mr) * std::min(cfg.kc, k)),
        b_size(round_up(std::min(cfg.nc, n), cfg.nr) * std::min(cfg.kc, k)) {}
  int64_t total() const { return round_up(a_size, 16) + round_up(b_size, 16); }
};

// Where the micro-kernel's B slivers come from: op(B) packed block by block into the thread's
// buffer, or a PackedMatrix prepared in advance (all of op(B), KC-deep blocks one after another).
struct BSource {
  Operand op;
  const float* prepacked = nullptr;
  int64_t padded_n = 0;   // columns of the prepacked matrix, rounded up to NR
  int64_t first_col = 0;  // first column of this thread's rectangle

  const float* block(const Config& cfg, int64_t pc, int64_t jc, int64_t kb, int64_t nb, float* buffer) const {
    if (prepacked) return prepacked + pc * padded_n + (first_col + jc) * kb;
    pack(op.at(pc, first_col + jc), op.col_stride, op.row_stride, nb, kb, cfg.nr, cfg.simd_packing, buffer);
    return buffer;
  }
};

// One thread's product on its rectangle of C (m×n, row stride ldc), with its own buffers.
void gemm_serial(const Config& cfg, Operand a, const BSource& b, float* c, int64_t ldc, int64_t m,
                 int64_t n, int64_t k, bool accumulate, float* a_pack, float* b_pack) {
  for (int64_t jc = 0; jc < n; jc += cfg.nc) {
    const int64_t nb = std::min(cfg.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += cfg.kc) {
      const int64_t kb = std::min(cfg.kc, k - pc);
      const float* b_block = b.block(cfg, pc, jc, kb, nb, b_pack);
      for (int64_t ic = 0; ic < m; ic += cfg.mc) {
        const int64_t mb = std::min(cfg.mc, m - ic);
        pack(a.at(ic, pc), a.row_stride, a.col_stride, mb, kb, cfg.mr, cfg.simd_packing, a_pack);
        multiply_packed(cfg, a_pack, b_block, c + ic * ldc + jc, ldc, mb, nb, kb,
                        accumulate || pc > 0);
      }
    }
  }
}

// ---- threads ---------------------------------------------------------------------------------------
// How C is cut among threads: row_parts × col_parts rectangles, counted in whole register tiles.
struct Split {
  int64_t row_parts, col_parts;
};

// Rough cost, in cycles per unit of k, of one thread's rows×cols rectangle: the multiply-adds at
// 16 per cycle, plus about one cycle per packed number (A is re-packed for every NC columns).
int64_t rectangle_cost(const Config& cfg, int64_t rows, int64_t cols) {
  return rows * cols / 16 + rows * ((cols + cfg.nc - 1) / cfg.nc) + cols;
}

// The cut (in whole register tiles) whose most expensive rectangle is cheapest.
Split choose_split(const Config& cfg, int threads, int64_t m, int64_t n) {
  const int64_t row_tiles = (m + cfg.mr - 1) / cfg.mr, col_tiles = (n + cfg.nr - 1) / cfg.nr;
  Split best{1, threads};
  int64_t best_cost = -1;
  for (int64_t rows = 1; rows <= threads; ++rows) {
    if (threads % rows != 0) continue;
    const int64_t cols = threads / rows;
    const int64_t cost = rectangle_cost(cfg, (row_tiles + rows - 1) / rows * cfg.mr,
                                        (col_tiles + cols - 1) / cols * cfg.nr);
    if (best_cost < 0 || cost < best_cost) best = {rows, cols}, best_cost = cost;
  }
  return best;
}

// [begin, end) of part `index` of `parts` when `length` is cut in whole blocks of `block`.
std::pair<int64_t, int64_t> part_range(int64_t length, int64_t block, int64_t parts, int64_t index) {
  const int64_t blocks = (length + block - 1) / block;
  const int64_t begin = blocks * index / parts * block, end = blocks * (index + 1) / parts * block;
  return {std::min(begin, length), std::min(end, length)};
}

int thread_count(int64_t m, int64_t n, int64_t k, int cap) {
  const int threads = threads_for(m * n * k);
  return cap > 0 ? std::min(cap, threads) : threads;
}


}  // namespace

const char* const* isa_names() { return kIsaNames; }

Isa parse_isa(const char* name) {
  const std::string text = name ? name : "";
  if (text == "auto") return Isa::Auto;
  std::string expected = "auto";
  for (int i = 0; i < kIsaCount; ++i) {
    if (text == kIsaNames[i]) return kExplicitIsas[i];
    expected += std::string(", ") + kIsaNames[i];
  }
  throw std::invalid_argument("matmul: unknown isa '" + text + "' (expected one of " + expected + ")");
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return has_avx512();
    case Isa::Avx2: return has_avx2_fma();
    default: return true;
  }
}

const char* best_isa() { return isa_name(best_available()); }

namespace {

const Config& checked_config(Isa isa) {
  if (!isa_supported(isa))
    throw std::runtime_error(std::string("matmul: this CPU does not support the ") + isa_name(isa) + " path");
  return config_for(isa == Isa::Auto ? best_available() : isa);
}

// C (m×n, =|+=) op(A)·op(B): cuts C among the threads and runs the five loops on each piece.
void run(const Config& cfg, Operand op_a, const BSource& op_b, float* c, int64_t m, int64_t n, int64_t k,
         bool accumulate, int thread_cap = 0) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) std::memset(c, 0, sizeof(float) * static_cast<size_t>(m * n));
    return;
  }
  const int threads = thread_count(m, n, k, thread_cap);
  const Split split = choose_split(cfg, threads, m, n);
  const Workspace space(cfg, (m + split.row_parts - 1) / split.row_parts + cfg.mr,
                        (n + split.col_parts - 1) / split.col_parts + cfg.nr, k);
  thread_local AlignedBuffer buffer;  // allocated here, outside the parallel region, so it can throw
  float* const workspace = buffer.get(space.total() * threads);

#pragma omp parallel num_threads(threads) if (threads > 1)
  {
#ifdef _OPENMP
    const int self = omp_get_thread_num(), team = omp_get_num_threads();
#else
    const int self = 0, team = 1;
#endif
    float* a_pack = workspace + space.total() * self;
    float* b_pack = a_pack + round_up(space.a_size, 16);
    for (int part = self; part < threads; part += team) {
      const auto [r0, r1] = part_range(m, cfg.mr, split.row_parts, part / split.col_parts);
      const auto [c0, c1] = part_range(n, cfg.nr, split.col_parts, part % split.col_parts);
      if (r0 == r1 || c0 == c1) continue;
      BSource b_part = op_b;
      b_part.first_col = c0;
      gemm_serial(cfg, Operand{op_a.at(r0, 0), op_a.row_stride, op_a.col_stride}, b_part,
                  c + r0 * n + c0, n, r1 - r0, c1 - c0, k, accumulate, a_pack, b_pack);
    }
  }
}

Operand operand_a(const float* a, int64_t m, int64_t k, bool trans_a) {
  return trans_a ? Operand{a, 1, m} : Operand{a, k, 1};
}

Operand operand_b(const float* b, int64_t k, int64_t n, bool trans_b) {
  return trans_b ? Operand{b, 1, k} : Operand{b, n, 1};
}

}  // namespace

void matmul(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
            bool trans_b, Isa isa, bool accumulate, int threads) {
  if (m < 0 || n < 0 || k < 0) throw std::invalid_argument("matmul: negative size");
  const Config& cfg = checked_config(isa);
  run(cfg, operand_a(a, m, k, trans_a), BSource{operand_b(b, k, n, trans_b)}, c, m, n, k, accumulate,
      threads);
}

PackedMatrix::PackedMatrix(const float* b, int64_t k, int64_t n, bool trans_b, Isa isa)
    : isa_(isa == Isa::Auto ? best_available() : isa), k_(k), n_(n) {
  if (k < 0 || n < 0) throw std::invalid_argument("PackedMatrix: negative size");
  const Config& cfg = checked_config(isa_);
  const int64_t padded_n = round_up(n, cfg.nr);
  storage_.reset(new float[static_cast<size_t>(padded_n * k + 16)]);
  data_ = storage_.get() + (16 - reinterpret_cast<uintptr_t>(storage_.get()) / sizeof(float) % 16) % 16;
  const Operand op = operand_b(b, k, n, trans_b);
  for (int64_t pc = 0; pc < k; pc += cfg.kc) {
    const int64_t kb = std::min(cfg.kc, k - pc);
    pack(op.at(pc, 0), op.col_stride, op.row_stride, n, kb, cfg.nr, cfg.simd_packing, data_ + pc * padded_n);
  }
}

void matmul(const float* a, const PackedMatrix& b, float* c, int64_t m, bool trans_a, bool accumulate) {
  if (m < 0) throw std::invalid_argument("matmul: negative size");
  const Config& cfg = checked_config(b.isa());
  const int64_t k = b.rows(), n = b.cols();
  BSource source{Operand{nullptr, 0, 0}, b.data(), round_up(n, cfg.nr)};
  run(cfg, operand_a(a, m, k, trans_a), source, c, m, n, k, accumulate);
}

}  // namespace zengrad::cpu
