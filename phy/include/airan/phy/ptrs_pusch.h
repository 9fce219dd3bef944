/// \file
/// \brief PUSCH phase-tracking reference signal without transform precoding (TS 38.211
/// 6.4.1.2.1.1 and 6.4.1.2.2.1, TS 38.214 6.2.3.1, one PT-RS port): which symbols and
/// subcarriers carry it, on which layer, its values and its amplitude. Shared by the
/// transmitter, the RE mapping (data skips PT-RS REs on every layer) and the receiver.
#pragma once

#include "airan/phy/host_device.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <cstdint>
#include <span>

namespace airan::phy {

struct PuschDmrsParams;

/// Where the PT-RS of one PUSCH lies: subcarriers first_subcarrier + offset + i * period of the
/// allocation (i = 0, 1, ... while inside it) on the symbols of symbol_mask. Plain numbers, so
/// that CUDA kernels can take it by value.
struct PtrsPattern {
  std::uint16_t symbol_mask = 0; ///< Bit l: slot symbol l carries PT-RS (0: no PT-RS).
  unsigned period = 24;          ///< 12 K_PT-RS subcarriers.
  unsigned offset = 0;           ///< 12 k_ref^RB + k_ref^RE, below period.
  unsigned layer = 0;            ///< Layer of the associated DMRS port.

  [[nodiscard]] AIRAN_HOST_DEVICE bool present() const { return symbol_mask != 0; }
  [[nodiscard]] AIRAN_HOST_DEVICE bool on_symbol(unsigned l) const {
    return ((symbol_mask >> l) & 1U) != 0;
  }
  /// True when allocated subcarrier \p k carries PT-RS on PT-RS symbols.
  [[nodiscard]] AIRAN_HOST_DEVICE bool on_subcarrier(unsigned k) const {
    return k % period == offset;
  }
  /// PT-RS subcarriers below allocated subcarrier \p k.
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned count_below(unsigned k) const {
    return k / period + (k % period > offset ? 1U : 0U);
  }
  /// Allocated subcarrier of the \p j-th data RE of a PT-RS symbol (the other subcarriers in
  /// order).
  [[nodiscard]] AIRAN_HOST_DEVICE unsigned data_subcarrier(unsigned j) const {
    const unsigned r = j % (period - 1);
    return (j / (period - 1)) * period + r + (r >= offset ? 1U : 0U);
  }
};

/// Slot symbols of the PT-RS of TS 38.211 6.4.1.2.2.1: from l_ref = the first PUSCH symbol,
/// every \p time_density-th symbol, restarting from each DMRS symbol met (the second of a
/// double-symbol pair), never on DMRS symbols.
std::uint16_t ptrs_symbol_mask(unsigned start_symbol, unsigned num_symbols,
                               std::uint16_t dmrs_symbol_mask, unsigned time_density);

/// k_ref^RE of TS 38.211 Table 6.4.1.2.2.1-1 for DMRS port \p dmrs_port and resourceElementOffset
/// \p re_offset (0..3); -1 where the table has no entry (type 1 ports above 3, type 2 above 5).
int ptrs_re_reference(DmrsConfigType type, unsigned dmrs_port, unsigned re_offset);

/// The PT-RS pattern of \p pusch whose DMRS symbols are \p dmrs_symbol_mask; an empty pattern
/// (present() false) when pusch.ptrs is not enabled. k_ref^RB = n_RNTI mod K_PT-RS, or
/// n_RNTI mod (N_RB mod K_PT-RS) when K_PT-RS does not divide N_RB.
/// \throws std::invalid_argument for a configuration PuschConfig::validate() refuses.
PtrsPattern make_ptrs_pattern(const PuschConfig& pusch, std::uint16_t dmrs_symbol_mask);

/// beta_PT-RS: amplitude of the PT-RS relative to a data RE of one layer, 10^(alpha/20) with
/// alpha of TS 38.214 Table 6.2.3.1-3 for one PT-RS port: ptrs-Power '00' 10 log10(N_layers) dB,
/// '01' 0 dB.
float ptrs_amplitude(unsigned power, unsigned num_layers);

/// Number of PT-RS subcarriers of an allocation of \p num_subcarriers.
inline unsigned ptrs_count(const PtrsPattern& pattern, unsigned num_subcarriers) {
  return pattern.count_below(num_subcarriers);
}

/// The PT-RS values of \p pusch, one per PT-RS subcarrier of the allocation in increasing order
/// (the same on every PT-RS symbol): beta_PT-RS times r(2m + k'), the DMRS sequence of
/// TS 38.211 6.4.1.1.1.1 on the first DMRS symbol at that subcarrier (without w_f, w_t and
/// beta_DMRS). \p dmrs are the DMRS parameters of the PUSCH in its slot.
/// \throws std::invalid_argument when \p out does not hold ptrs_count() values.
void generate_pusch_ptrs(const PuschDmrsParams& dmrs, const PuschConfig& pusch,
                         const PtrsPattern& pattern, std::span<cf32> out);

} // namespace airan::phy
