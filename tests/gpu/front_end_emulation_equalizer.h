// What the front-end emulation tests share about the equalizer kernel (CUDA builds: the kernels'
// structs hold CUDA vector types): the instance of equalize_demap_re() a PDU's launch takes.
#pragma once

#include "equalize_demap_elements.h"

namespace emulation_test {

/// equalize_demap_re() of the kernel instance \p p's layer count and antenna class selects.
inline void equalize_re(const airan::gpu::detail::EqualizeDemapPdu& p,
                        const airan::phy::PamLlrTable& table, unsigned re) {
  using airan::gpu::detail::equalize_demap_re;
  const bool few = p.g.num_rx <= 4;
  switch (p.g.num_layers) {
  case 1:
    few ? equalize_demap_re<1, 4>(p, table, re) : equalize_demap_re<1, 16>(p, table, re);
    break;
  case 2:
    few ? equalize_demap_re<2, 4>(p, table, re) : equalize_demap_re<2, 16>(p, table, re);
    break;
  case 3:
    few ? equalize_demap_re<3, 4>(p, table, re) : equalize_demap_re<3, 16>(p, table, re);
    break;
  default:
    few ? equalize_demap_re<4, 4>(p, table, re) : equalize_demap_re<4, 16>(p, table, re);
    break;
  }
}

} // namespace emulation_test
