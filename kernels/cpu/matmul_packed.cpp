// Ladder rung 5, packing: rung 4's register tile, reading A and B from copies made in its order.
// Idea: in rung 4 the tile reads A down 4 rows k floats apart and B across rows n floats apart, so
// every step touches new cache lines and TLB pages. Packing copies a kBlockM×kBlockK block of A
// into 4-row slivers (a[p·4 + i]) and a kBlockK×kBlockN block of B into 8-column slivers
// (b[p·8 + j]), zero-padded to whole tiles: the tile then reads both with unit stride, the edges
// need no special loop (a padded tile is computed whole and only its valid part is stored), and
// the cost of the copy, O(m·k + k·n) per block, is shared by O(m·n·k) multiply-adds.
// Measured speed: benchmarks/results/ladder.md (`zengrad bench matmul --ladder`).
#include "ladder.h"

#include <algorithm>
#include <vector>

namespace zengrad::cpu::ladder {

namespace {

// Copies rows×cols of a row-major matrix (row stride ld) into slivers of `width` lines, each
// stored step by step: line i of a sliver at step p goes to dst[p·width + i]. Lines run along
// `line_stride` and steps along `step_stride`, so one function packs A (lines are rows) and B
// (lines are columns). Missing lines of the last sliver are zeros.
void pack(const float* src, int64_t line_stride, int64_t step_stride, int64_t lines, int64_t steps,
          int width, float* dst) {
  for (int64_t first = 0; first < lines; first += width, dst += steps * width)
    for (int64_t p = 0; p < steps; ++p)
      for (int i = 0; i < width; ++i)
        dst[p * width + i] = first + i < lines ? src[(first + i) * line_stride + p * step_stride] : 0.0f;
}

}  // namespace

void matmul_packed(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  std::fill(c, c + m * n, 0.0f);
  std::vector<float> a_pack((kBlockM + kTileM) * kBlockK), b_pack((kBlockN + kTileN) * kBlockK);
  for (int64_t jc = 0; jc < n; jc += kBlockN) {
    const int64_t nb = std::min(kBlockN, n - jc);
    for (int64_t pc = 0; pc < k; pc += kBlockK) {
      const int64_t kb = std::min(kBlockK, k - pc);
      pack(b + pc * n + jc, 1, n, nb, kb, kTileN, b_pack.data());
      for (int64_t ic = 0; ic < m; ic += kBlockM) {
        const int64_t mb = std::min(kBlockM, m - ic);
        pack(a + ic * k + pc, k, 1, mb, kb, kTileM, a_pack.data());
        for (int64_t i = 0; i < mb; i += kTileM)
          for (int64_t j = 0; j < nb; j += kTileN) {
            Tile acc = {};
            accumulate_tile(kb, a_pack.data() + i * kb, 1, kTileM, b_pack.data() + j * kb, kTileN, acc);
            for (int r = 0; r < std::min<int64_t>(kTileM, mb - i); ++r)
              for (int s = 0; s < std::min<int64_t>(kTileN, nb - j); ++s)
                c[(ic + i + r) * n + jc + j + s] += acc[r][s / 4][s % 4];
          }
      }
    }
  }
}

}  // namespace zengrad::cpu::ladder
