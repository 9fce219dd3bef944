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
  case PucchFormat::format3:
  case PucchFormat::format4:
    write_pucch_format34(cell, slot, pucch, bits, grid, port);
    return;
  default:
    throw std::invalid_argument("write_pucch: " + pucch.validate(cell));
  }
}

PucchReceiver::PucchReceiver(const CellConfig& cell, unsigned num_rx_antennas)
    : cell_(cell), num_rx_antennas_(num_rx_antennas), format2_(num_rx_antennas),
      format34_(num_rx_antennas) {
  valid_pdus_.reserve(max_pdus_per_slot);
  valid_index_.reserve(max_pdus_per_slot);
  format1_correlations_.resize(max_pdus_per_slot);
  for (PucchFormat1Correlation& correlation : format1_correlations_) {
    correlation.reserve(num_rx_antennas);
  }
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
  // The valid PDUs, among which the format 0/1 detectors find each one's neighbours.
  valid_pdus_.clear();
  valid_index_.clear();
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    PucchResult& result = results[i];
    if (std::string error = pdus[i].validate(cell_); !error.empty()) {
      result = PucchResult{};
      result.error = std::move(error);
      continue;
    }
    valid_pdus_.push_back(pdus[i]);
    valid_index_.push_back(i);
  }
  // Format 1: every PDU despread once, then each decided with its neighbours' energies.
  if (format1_correlations_.size() < valid_pdus_.size()) {
    format1_correlations_.resize(valid_pdus_.size());
    for (PucchFormat1Correlation& correlation : format1_correlations_) {
      correlation.reserve(num_rx_antennas_);
    }
  }
  for (std::size_t v = 0; v < valid_pdus_.size(); ++v) {
    if (valid_pdus_[v].format == PucchFormat::format1) {
      format1_.correlate(grid, cell_, slot, valid_pdus_[v], format1_correlations_[v]);
    }
  }
  const std::span<const PucchFormat1Correlation> correlations =
      std::span(format1_correlations_).first(valid_pdus_.size());
  for (std::size_t v = 0; v < valid_pdus_.size(); ++v) {
    const PucchConfig& pucch = valid_pdus_[v];
    PucchResult& result = results[valid_index_[v]];
    switch (pucch.format) {
    case PucchFormat::format0:
      format0_.detect(grid, cell_, slot, valid_pdus_, v, result);
      break;
    case PucchFormat::format1:
      format1_.decide(valid_pdus_, correlations, v, result);
      break;
    case PucchFormat::format2:
      format2_.receive(grid, cell_, slot, pucch, result);
      break;
    default:
      format34_.receive(grid, cell_, slot, pucch, result);
      break;
    }
    result.received_power = received_power(grid, pucch);
  }
}

float PucchReceiver::received_power(const ResourceGrid& grid, const PucchConfig& pucch) const {
  constexpr unsigned subcarriers_per_prb = 12;
  double sum = 0.0;
  for (unsigned rx = 0; rx < grid.num_ports(); ++rx) {
    for (unsigned l = 0; l < pucch.num_symbols; ++l) {
      const std::span<const cf32> row = grid.symbol(rx, pucch.start_symbol + l);
      const std::size_t first =
          std::size_t{subcarriers_per_prb} * (pucch.first_crb_of(l) - cell_.grid_start_crb);
      for (std::size_t k = 0; k < std::size_t{subcarriers_per_prb} * pucch.num_prbs; ++k) {
        sum += std::norm(row[first + k]);
      }
    }
  }
  const double res =
      double(grid.num_ports()) * pucch.num_symbols * subcarriers_per_prb * pucch.num_prbs;
  return static_cast<float>(sum / res);
}

} // namespace airan::phy
