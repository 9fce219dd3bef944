#include "airan/phy/pucch_receiver.h"

#include "airan/phy/numerology.h"

#include <stdexcept>
#include <string>

namespace airan::phy {

void write_pucch(const CellConfig& cell, unsigned slot, const PucchConfig& pucch,
                 const PucchUciBits& bits, ResourceGrid& grid, unsigned port) {
  switch (pucch.format) {
  case PucchFormat::format0:
    write_pucch_format0(cell, slot, pucch, bits, grid, port);
    return;
  case PucchFormat::format1:
    write_pucch_format1(cell, slot, pucch, bits, grid, port);
    return;
  case PucchFormat::format2:
    write_pucch_format2(cell, slot, pucch, bits, grid, port);
    return;
  default:
    throw std::invalid_argument("write_pucch: " + pucch.validate(cell));
  }
}

PucchReceiver::PucchReceiver(const CellConfig& cell, unsigned num_rx_antennas)
    : cell_(cell), num_rx_antennas_(num_rx_antennas), format2_(num_rx_antennas) {
  if (std::string error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("PucchReceiver: " + error);
  }
  if (num_rx_antennas == 0) {
    throw std::invalid_argument("PucchReceiver: no receive antenna");
  }
}

void PucchReceiver::process_slot(const ResourceGrid& grid, unsigned slot,
                                 std::span<const PucchConfig> pdus,
                                 std::vector<PucchResult>& results) {
  if (grid.num_ports() != num_rx_antennas_ ||
      grid.num_symbols() != symbols_per_slot(cell_.cyclic_prefix) ||
      grid.num_subcarriers() != 12 * cell_.num_prbs) {
    throw std::invalid_argument("PucchReceiver::process_slot: the grid does not have the cell's "
                                "shape");
  }
  results.resize(pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const PucchConfig& pucch = pdus[i];
    PucchResult& result = results[i];
    if (std::string error = pucch.validate(cell_); !error.empty()) {
      result = PucchResult{};
      result.error = std::move(error);
      continue;
    }
    switch (pucch.format) {
    case PucchFormat::format0:
      format0_.detect(grid, cell_, slot, pucch, result);
      break;
    case PucchFormat::format1:
      format1_.detect(grid, cell_, slot, pucch, result);
      break;
    default:
      format2_.receive(grid, cell_, slot, pucch, result);
      break;
    }
  }
}

} // namespace airan::phy
