/// \file
/// \brief Sizes a PUSCH receiver (PuschReceiver, gpu::GpuCellGroup) allocates for.
#pragma once

#include <cstddef>
#include <cstdint>

namespace airan::phy {

/// Largest TBS a PDU can have on \p num_prbs PRBs with \p layers layers (156 REs per PRB,
/// 256-QAM at R = 948/1024), with room for the quantisation of TS 38.214 5.1.3.2.
std::uint32_t pusch_largest_tbs(unsigned num_prbs, unsigned layers);

/// Soft values a HARQ buffer needs for any TB up to \p max_tbs (C N_cb, no LBRM): BG1, or BG2
/// for small TBs (A <= 3824) and for low rates (R <= 1/4, which the MCS tables reach with QPSK
/// only: at most a quarter of \p max_qpsk_bits, the coded bits of a QPSK allocation).
std::size_t pusch_harq_buffer_length(std::uint32_t max_tbs, std::uint32_t max_qpsk_bits);

} // namespace airan::phy
