// A PDU's plan (Impl::plan_pdu, Impl::commit: process()'s and prepare()'s host part), what a
// capture needs made beforehand (prepare_capture(), the inverse-DFT plans of DFT-s-OFDM) and
// Impl::launches_of(): a planned PDU's launch arguments on the front end's buffers, shared by
// process() (one PDU) and enqueue_prepared() (the PDUs of several front ends in one launch set).
// With intra-slot hopping the estimation kernels get one PDU per hop, the second on the second
// hop's buffers and state (front_end_hops.h).
#include "gpu_pusch_front_end_impl.h"

#include "airan/phy/numerology.h"
#include "airan/phy/pusch_scrambler.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace airan::gpu {

GpuPuschFrontEnd::Impl::PlannedPdu
GpuPuschFrontEnd::Impl::plan_pdu(const phy::PuschConfig& pusch, unsigned slot,
                                 const phy::PuschFrontEndOptions& options, bool descramble) {
  check_pdu(pusch);
  if (options.demapping != phy::SoftDemapping::max_log) {
    throw std::invalid_argument("GpuPuschFrontEnd: exact (log-MAP) demapping is CPU only");
  }
  if (options.equalizer == phy::EqualizerAlgorithm::zf && grid_rx < pusch.num_layers) {
    throw std::invalid_argument("GpuPuschFrontEnd: zero forcing needs at least as many receive "
                                "antennas as layers");
  }
  PlannedPdu planned;
  // Each hop estimated as a PUSCH of its own (one hop without intra-slot hopping).
  const detail::HopGeometries hops =
      detail::make_hop_geometries(cell, grid_rx, num_symbols, pusch, slot, options);
  planned.hops = hops.count;
  planned.g = hops.hops[0].g;
  planned.generation = hops.hops[0].generation;
  dmrs_generation = planned.generation;
  // The DMRS of pregenerate_dmrs() (joined before the launches) serve when they are this PDU's
  // (never a hopping PDU's: pregenerate_dmrs() leaves those).
  planned.pregenerated = pregenerated_valid && hops.count == 1 &&
                         pregenerated == detail::DmrsGenerationKey(planned.g, dmrs_generation);
  pregenerated_valid = false;
  planned.banks = filter_banks(planned.g, options);
  if (planned.banks != nullptr) {
    planned.bank_key = bank_key(planned.g, options);
  }
  if (planned.g.wiener_time) {
    planned.wiener = detail::make_time_wiener_pdu(cell, slot, planned.g, planned.banks,
                                                  device_state(), time_weights.data());
  }
  if (hops.count > 1) {
    planned.hop_g = hops.hops[1].g;
    planned.hop_generation = hops.hops[1].generation;
    planned.hop_banks = filter_banks(planned.hop_g, options);
    if (planned.hop_banks != nullptr) {
      planned.hop_bank_key = bank_key(planned.hop_g, options);
      // Loading the second hop's banks may have replaced the first's: both in the table now.
      planned.banks = banks.find(planned.bank_key);
      if (planned.banks == nullptr) {
        throw std::logic_error("GpuPuschFrontEnd: the MMSE filter-bank table holds too few "
                               "shapes for both hops");
      }
    }
    if (planned.hop_g.wiener_time) {
      planned.hop_wiener = detail::make_time_wiener_pdu(
          cell, slot, planned.hop_g, planned.hop_banks, device_hop_state(), time_weights.data());
    }
  }
  planned.ptrs = detail::make_ptrs_phase_pdu(pusch, planned.g, planned.generation);
  planned.ptrs.grid = grid.data();
  planned.ptrs.dmrs = dmrs.data();
  planned.ptrs.h = h.data();
  planned.ptrs.state = device_state();
  planned.d = make_data_geometry(pusch, options);
  // The equalizer turns the REs by the rotations only where ptrs_phase_kernel writes them.
  planned.d.rotate = planned.ptrs.count > 0;
  if (const unsigned qm = planned.d.qm; qm != 1 && qm != 2 && qm != 4 && qm != 6 && qm != 8) {
    throw std::invalid_argument("GpuPuschFrontEnd: modulation order " + std::to_string(qm) +
                                " is not demapped on the device");
  }
  planned.num_llrs = std::size_t{planned.d.layout.num_res()} * pusch.num_layers * planned.d.qm;
  planned.deprecoding = detail::make_transform_deprecoding_pdu(pusch, planned.d);
  planned.empty = detail::make_empty_values(cell, pusch);
  if (planned.deprecoding.m > 0) {
    planned.deprecoding_plan = &deprecoding_plan(pusch.prb_size);
  }
  planned.descramble = descramble;
  planned.c_init = phy::pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id);
  return planned;
}

void GpuPuschFrontEnd::Impl::forget_processed() {
  processed = false;
  used_pregenerated = false;
  hopping = false;
  hop_geometry = {};
  process_timed = false;
  num_llrs = 0;
  descrambled = false;
  demapped_descrambled = false;
}

void GpuPuschFrontEnd::Impl::commit(const PlannedPdu& planned, bool timed) {
  geometry = planned.g;
  hop_geometry = planned.hop_g;
  hopping = planned.hops > 1;
  neural.built = false;
  num_res = planned.d.layout.num_res();
  num_llrs = planned.num_llrs;
  processed = true;
  used_pregenerated = planned.pregenerated;
  process_timed = timed;
  descrambled = false;
  demapped_descrambled = planned.descramble;
}

GpuPuschFrontEnd::Impl::PduLaunches GpuPuschFrontEnd::Impl::launches_of(const PlannedPdu& p,
                                                                        const float2* banks,
                                                                        const float2* hop_banks) {
  PduLaunches l;
  l.hops = p.hops;
  const detail::PduGeometry* geometries[2] = {&p.g, &p.hop_g};
  const detail::DmrsGeneration* generations[2] = {&p.generation, &p.hop_generation};
  float2* dmrs_buffers[2] = {dmrs.data(), hop_dmrs.data()};
  float* scratch[2] = {delay_sums.data(), hop_delay_sums.data()};
  float2* pilot_buffers[2] = {pilots.data(), hop_pilots.data()};
  const float2* hop_bank_tables[2] = {banks, hop_banks};
  detail::EstimatorState* states[2] = {device_state(), device_hop_state()};
  float* covariance_buffers[2] = {covariances.data(), hop_covariances.data()};
  phy::cmat::Complex* whitening_buffers[2] = {whitening.data(), hop_whitening.data()};
  for (unsigned hop = 0; hop < p.hops; ++hop) {
    const detail::PduGeometry& g = *geometries[hop];
    if (hop > 0 || !p.pregenerated) {
      l.generation[l.generations++] = {g, *generations[hop], gold_table.data(), dmrs_buffers[hop],
                                       low_papr_phases.data()};
    }
    l.estimation[hop] = {g,
                         grid.data(),
                         dmrs_buffers[hop],
                         scratch[hop],
                         pilot_buffers[hop],
                         hop_bank_tables[hop],
                         states[hop],
                         h.data(),
                         time_weights.data()};
    l.cfo[hop] = {g, pilot_buffers[hop], states[hop]};
    if (g.wiener_time) {
      l.wiener[l.wieners] = hop == 0 ? p.wiener : p.hop_wiener;
      l.wiener[l.wieners++].banks = hop_bank_tables[hop];
    }
    if (g.estimate_covariance) {
      l.covariance[l.covariances++] = {g, pilot_buffers[hop], states[hop], covariance_buffers[hop],
                                       whitening_buffers[hop]};
    }
  }
  l.equalization = {p.g,
                    p.d,
                    grid.data(),
                    h.data(),
                    device_state(),
                    whitening.data(),
                    symbols.data(),
                    noise.data(),
                    llrs.data(),
                    p.descramble ? scrambling_words.data() : nullptr,
                    p.hops > 1 ? device_hop_state() : nullptr,
                    p.hops > 1 ? hop_whitening.data() : nullptr};
  if (p.deprecoding.m > 0) { // equalized only, then deprecoded and demapped
    l.deprecodings = 1;
    l.deprecoding = p.deprecoding;
    l.deprecoding.symbols = symbols.data();
    l.deprecoding.noise_variances = noise.data();
    l.deprecoding.work = deprecoding_work.data();
    l.deprecoding.scales = deprecoding_scales.data();
    l.deprecoding.llrs = llrs.data();
    l.deprecoding.scrambling = p.descramble ? scrambling_words.data() : nullptr;
    l.deprecoding_plan = p.deprecoding_plan;
  }
  l.quality = {symbols.data(),
               noise.data(),
               std::size_t{p.d.layout.num_res()} * p.g.num_layers,
               p.d.qm,
               quality_partials.data(),
               device_quality(),
               p.empty};
  return l;
}

CufftPlan& GpuPuschFrontEnd::Impl::deprecoding_plan(unsigned num_prbs) {
  CufftPlan& plan = deprecoding_plans.at(num_prbs);
  if (!plan.valid()) {
    if (stream_is_capturing(stream.get())) {
      throw std::logic_error("GpuPuschFrontEnd: no inverse-DFT plan for " +
                             std::to_string(num_prbs) +
                             " PRBs inside a capture (call prepare_capture() first)");
    }
    plan = CufftPlan(static_cast<int>(phy::subcarriers_per_prb * num_prbs),
                     static_cast<int>(detail::max_symbols));
  }
  return plan;
}

bool GpuPuschFrontEnd::prepare_capture(unsigned num_rx, std::span<const phy::PuschConfig> pdus,
                                       unsigned slot, const phy::PuschFrontEndOptions& options) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.check_rx(num_rx);
  if (!s.uses_fused_ofdm()) { // the fused kernel needs no plan
    (void)s.plan_for(num_rx);
  }
  if (slot >= phy::slots_per_frame(s.cell.numerology)) {
    return true; // its PDUs fail before estimation
  }
  // Distinct keys, at most the table's capacity (no allocation per cell and slot).
  std::array<detail::MmseBankKey, detail::MmseBankTable::capacity> needed;
  std::size_t num_needed = 0;
  for (const phy::PuschConfig& pusch : pdus) {
    if (!pusch.validate(s.cell).empty() || pusch.num_layers > s.limits.max_layers ||
        pusch.prb_size > s.limits.max_prbs) {
      continue; // fails in process()
    }
    if (pusch.transform_precoding) {
      (void)s.deprecoding_plan(pusch.prb_size); // made here, outside the capture
    }
    detail::HopGeometries hops;
    try {
      hops = detail::make_hop_geometries(s.cell, num_rx, s.num_symbols, pusch, slot, options);
    } catch (const std::invalid_argument&) {
      continue; // fails in process()
    }
    for (unsigned h = 0; h < hops.count; ++h) {
      const detail::PduGeometry& g = hops.hops[h].g;
      if (!g.mmse_frequency) {
        continue;
      }
      const detail::MmseBankKey key = Impl::bank_key(g, options);
      const auto needed_end = needed.begin() + static_cast<std::ptrdiff_t>(num_needed);
      if (std::find(needed.begin(), needed_end, key) == needed_end) {
        if (num_needed == needed.size()) {
          return false;
        }
        needed[num_needed++] = key;
      }
    }
  }
  // Least recently used first out: loading at most `capacity` keys keeps all of them.
  for (std::size_t k = 0; k < num_needed; ++k) {
    (void)s.banks.prepare(needed[k], s.stream);
  }
  return true;
}

unsigned GpuPuschFrontEnd::graph_instantiations() const {
  return impl_->graph_instantiations();
}

} // namespace airan::gpu
