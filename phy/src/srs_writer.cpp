/// \file
/// \brief write_srs(): the UE side of the sounding reference signal (TS 38.211 6.4.1.4.2
/// sequence, 6.4.1.4.3 mapping).
#include "airan/phy/srs_estimator.h"

#include "srs_phasors.h"

#include "airan/phy/low_papr_sequence.h"
#include "airan/phy/numerology.h"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {

void write_srs(const CellConfig& cell, unsigned sfn, unsigned slot, const SrsConfig& srs,
               ResourceGrid& grid, unsigned first_port) {
  if (std::string error = srs.validate(cell); !error.empty()) {
    throw std::invalid_argument("write_srs: " + error);
  }
  const unsigned slot_symbols = symbols_per_slot(cell.cyclic_prefix);
  if (grid.num_symbols() != slot_symbols ||
      grid.num_subcarriers() != subcarriers_per_prb * cell.num_prbs ||
      std::uint64_t{first_port} + srs.num_ports > grid.num_ports()) {
    throw std::invalid_argument("write_srs: the grid does not have the cell's shape or ports " +
                                std::to_string(first_port) + ".." +
                                std::to_string(first_port + srs.num_ports - 1));
  }
  const unsigned length = srs.sequence_length();
  const unsigned comb = srs.comb_size;
  std::array<LowPaprSequenceId, SrsConfig::max_symbols> ids{};
  srs_sequence_ids(srs, slot_symbols, slot, ids);
  const srs_detail::CyclicShiftPhasors& shifts = srs_detail::cyclic_shift_phasors(srs.comb_size);
  const auto amplitude = static_cast<float>(1.0 / std::sqrt(static_cast<double>(srs.num_ports)));
  std::vector<cf32> base(length);
  for (unsigned l = 0; l < srs.num_symbols; ++l) {
    // The base sequence (alpha = 0); each port's cyclic shift from exact phasors.
    generate_low_papr_sequence(ids[l].u, ids[l].v, 0.0F, base);
    const unsigned n_srs = srs_hopping_counter(srs, slots_per_frame(cell.numerology), sfn, slot, l);
    for (unsigned port = 0; port < srs.num_ports; ++port) {
      const unsigned k0 = srs_first_subcarrier(srs, cell, port, n_srs);
      const unsigned shift = srs.port_cyclic_shift(port);
      std::span<cf32> symbol = grid.symbol(first_port + port, srs.start_symbol + l);
      unsigned phase = 0; // n_SRS^cs,i k' mod n_SRS^cs,max
      for (unsigned k = 0; k < length; ++k) {
        symbol[k0 + comb * k] = amplitude * srs_detail::multiply(base[k], shifts.forward(phase));
        phase = shifts.next(phase, shift);
      }
    }
  }
}

} // namespace airan::phy
