// CPU stand-in for cooperative_groups::this_grid().sync(): a barrier over every emulated thread.
#pragma once
#include "cuda_runtime.h"

namespace cooperative_groups {
struct grid_group {
  void sync() const {
    if (!emu::grid_barrier) emu::fail("grid.sync() outside a cooperative launch");
    emu::grid_barrier->arrive_and_wait();
  }
};
inline grid_group this_grid() { return {}; }
}  // namespace cooperative_groups
