#include "airan/apps/bler_evaluation.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_precoder.h"
#include "airan/phy/pusch_re_mapper.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"
#include "airan/phy/tbs_calculator.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>

namespace airan::apps {
namespace {

/// One thread's simulator and receivers.
struct Worker {
  Worker(const EvaluationConfig& config) : simulator(config.scenario) {
    for (std::size_t i = 0; i < config.receivers.size(); ++i) {
      const ReceiverSpec& spec = config.receivers[i];
      phy::PuschReceiverConfig rx;
      rx.num_rx_antennas = config.scenario.num_rx_antennas;
      rx.max_layers = config.pusch.num_layers;
      rx.num_threads = 1;
      rx.num_harq_buffers = 1;
      rx.front_end = spec.front_end;
      if (i < config.detectors.size()) {
        rx.detector = config.detectors[i];
      }
      if (i < config.ldpc_decoders.size()) {
        rx.ldpc_batch_decoder = config.ldpc_decoders[i];
      }
      if (i < config.ulsch_decoders.size()) {
        rx.ulsch_decoder = config.ulsch_decoders[i];
      }
      rx.ldpc_max_iterations = config.ldpc_max_iterations;
      receivers.push_back(std::make_unique<phy::PuschReceiver>(config.scenario.cell, rx));
    }
  }
  SlotSimulator simulator;
  std::vector<std::unique_ptr<phy::PuschReceiver>> receivers;
  std::vector<phy::PuschPduResult> results;
};

/// What one receiver made of one slot.
struct SlotOutcome {
  bool error = false;
  bool undetected = false;
  /// Why the receiver refused the PDU (not a decoding failure: the run is void), or empty.
  std::string refusal;
  float post_eq_sinr_db = 0.0F;
  double receiver_us = 0.0;
  std::array<bool, 3> uci_error{}; ///< HARQ-ACK, CSI part 1, CSI part 2 wrong or not detected.
};

/// Running totals of one receiver at one SNR.
struct Tally {
  std::uint64_t slots = 0;
  std::uint64_t errors = 0;
  std::uint64_t undetected = 0;
  double sinr_sum = 0.0;
  std::uint64_t sinr_slots = 0; ///< Slots with a finite post-equalization SINR.
  double time_sum = 0.0;
  std::array<std::uint64_t, 3> uci_errors{};
  bool done = false;
  std::vector<PairedOutcome> paired; ///< Against each receiver.
};

void run_slot(const EvaluationConfig& config, Worker& worker, std::uint64_t slot, float noise,
              const std::vector<bool>& active, SlotOutcome* outcomes) {
  SlotSimulator& sim = worker.simulator;
  sim.reseed_channel(derive_seed(config.seed, slot, 1));
  const std::span<const phy::PuschConfig> pdus(&config.pusch, 1);
  sim.simulate(pdus, slot, derive_seed(config.seed, slot, 2), derive_seed(config.seed, slot, 3),
               noise, derive_seed(config.seed, slot, 4));
  const phy::PerfectCsi genie{&sim.true_channel(), noise};
  for (std::size_t r = 0; r < config.receivers.size(); ++r) {
    if (!active[r]) {
      continue;
    }
    worker.receivers[r]->process_slot(sim.received_grid(), sim.slot_number(), pdus, worker.results,
                                      config.receivers[r].perfect_csi ? &genie : nullptr);
    const phy::PuschPduResult& result = worker.results[0];
    SlotOutcome& outcome = outcomes[r];
    const bool bits_equal = result.tb_crc_ok && result.tb_bits == sim.tb_bits(0);
    outcome.error = !bits_equal;
    outcome.undetected = result.tb_crc_ok && !bits_equal;
    if (!result.error.empty()) {
      outcome.refusal = result.error;
    }
    outcome.post_eq_sinr_db = result.measurements.post_eq_sinr_db;
    outcome.receiver_us = result.times.total_us();
    const SimulatedUci& sent = sim.uci_bits(0);
    const phy::PuschUciResult& got = result.uci;
    outcome.uci_error = {
        !sent.harq_ack.empty() && !(got.harq_ack_detected && got.harq_ack == sent.harq_ack),
        !sent.csi_part1.empty() && !(got.csi_part1_detected && got.csi_part1 == sent.csi_part1),
        !sent.csi_part2.empty() && !(got.csi_part2_detected && got.csi_part2 == sent.csi_part2)};
  }
}

} // namespace

std::string enable_transform_precoding(phy::PuschConfig& pusch, bool pi2bpsk) {
  if (pusch.mcs_table == phy::McsTable::qam64_low_se) {
    pusch.mcs_table = phy::McsTable::transform_precoding_qam64_low_se;
  }
  if (pusch.mcs_table == phy::McsTable::qam64) {
    pusch.mcs_table = phy::McsTable::transform_precoding_qam64;
  }
  pusch.transform_precoding = true;
  pusch.tp_pi2bpsk = pi2bpsk;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  return {};
}

std::string validate_evaluation(const EvaluationConfig& config) {
  std::string problems = validate_link(config.scenario, std::span(&config.pusch, 1));
  if (config.receivers.empty()) {
    problems += "no receiver to evaluate\n";
  }
  if (!config.pusch.ulsch) {
    problems += "a PUSCH without UL-SCH (ulsch: false) has no TB for a BLER\n";
  }
  if (config.snr_db.empty()) {
    problems += "no SNR point\n";
  }
  if (std::any_of(config.snr_db.begin(), config.snr_db.end(),
                  [](double snr) { return !std::isfinite(snr) || std::abs(snr) > 100.0; })) {
    problems += "SNR points must be finite and within +-100 dB\n";
  }
  if (std::adjacent_find(config.snr_db.begin(), config.snr_db.end(), std::greater_equal<>()) !=
      config.snr_db.end()) {
    problems += "SNR points must rise strictly (early stop and the BLER crossing read them in "
                "order)\n";
  }
  if (config.target_errors == 0 || config.max_slots == 0) {
    problems += "target errors and max slots must be positive\n";
  }
  if (config.num_threads > max_evaluation_threads) {
    problems += "threads: at most " + std::to_string(max_evaluation_threads) +
                " (each builds a receiver of its own)\n";
  }
  if (config.ldpc_max_iterations == 0 || config.ldpc_max_iterations > 100) {
    problems += "LDPC iterations: 1 .. 100\n";
  }
  for (std::size_t i = 0; i < config.receivers.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (config.receivers[j].name == config.receivers[i].name) {
        problems += "receiver '" + config.receivers[i].name + "' is listed twice\n";
      }
    }
    if (!config.receivers[i].neural) {
      continue;
    }
    if (i >= config.detectors.size() || !config.detectors[i]) {
      problems += "the neural receiver needs a model (--model)\n";
    }
    if (config.scenario.num_rx_antennas > 4 || config.pusch.num_layers > 4) {
      problems += "the neural receiver takes at most 4 receive antennas and 4 layers\n";
    }
    if (config.pusch.transform_precoding) {
      problems += "the neural receiver takes CP-OFDM PUSCH only, not transform precoding "
                  "(DFT-s-OFDM)\n";
    }
    if (config.pusch.intra_slot_hopping) {
      problems += "the neural receiver sees one allocation, not intra-slot frequency hopping\n";
    }
  }
  return problems;
}

std::uint32_t evaluation_tbs(const EvaluationConfig& config) {
  return config.pusch.tb_size_bits != 0
             ? config.pusch.tb_size_bits
             : phy::compute_pusch_tbs(config.scenario.cell, config.pusch);
}

float evaluation_noise_variance(const EvaluationConfig& config, double snr_db) {
  if (!config.snr_is_ebno) {
    return phy::noise_variance_from_snr_db(snr_db);
  }
  const auto& cell = config.scenario.cell;
  const auto& pusch = config.pusch;
  const unsigned qm = pusch.modulation_order();
  const double data_res = double(phy::pusch_coded_bits(cell, pusch)) / (qm * pusch.num_layers);
  // The energy one port sends: data REs at unit power, DMRS REs at beta_DMRS^2 (3 dB more with
  // two CDM groups free of data). Per RE of the slot's allocation this is Sionna's full-grid count
  // when every RE is used (e.g. 168 per PRB for 144 data REs and 2 x 6 DMRS REs at twice the
  // power).
  const auto dmrs = phy::make_pusch_dmrs_params(cell, pusch, 0);
  const double dmrs_energy = double(dmrs.symbols.count()) * double(dmrs.values_per_symbol()) *
                             double(dmrs.beta) * double(dmrs.beta);
  // PT-RS: one port, on one layer, at beta_PT-RS^2 (N_layers with ptrs-Power '00'): per layer
  // that port's energy over the layers. With PT-RS every RE is still used (1944 + 72 of 2016
  // on 12 PRB, L 1, K 2).
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(cell, pusch);
  const double ptrs_beta = phy::ptrs_amplitude(pusch.ptrs.power, pusch.num_layers);
  const double ptrs_energy =
      mapping.ptrs.present() ? double(phy::ptrs_count(mapping.ptrs, mapping.num_subcarriers())) *
                                   double(std::popcount(mapping.ptrs.symbol_mask)) * ptrs_beta *
                                   ptrs_beta / double(pusch.num_layers)
                             : 0.0;
  // Codebook precoding sends layer l with the energy ||w_l||^2 of its column of W (TS 38.211's
  // matrices are normalised over the UE's ports: 1/2 a layer for W = I / sqrt(2)), DMRS and PT-RS
  // alike: E_b counts the energy sent, so N0 scales with the mean column energy (1 without).
  double layer_energy = 1.0;
  if (pusch.precoding == phy::PuschPrecoding::codebook) {
    const phy::PrecodingMatrix w = phy::pusch_codebook_matrix(
        pusch.num_layers, cell.num_antenna_ports, pusch.tpmi, pusch.transform_precoding);
    double energy = 0.0;
    for (unsigned p = 0; p < w.num_ports(); ++p) {
      for (unsigned l = 0; l < w.num_layers(); ++l) {
        energy += std::norm(w(p, l));
      }
    }
    layer_energy = energy / w.num_layers();
  }
  return static_cast<float>(layer_energy * phy::noise_variance_from_ebno_db(
                                               snr_db, qm, pusch.code_rate_x10240() / 10240.0,
                                               data_res / (data_res + dmrs_energy + ptrs_energy)));
}

std::vector<EvaluationPoint>
run_evaluation(const EvaluationConfig& config,
               const std::function<void(const EvaluationProgress&)>& progress) {
  if (const auto problems = validate_evaluation(config); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  const unsigned threads = config.num_threads != 0
                               ? config.num_threads
                               : std::max(1U, std::thread::hardware_concurrency());
  phy::ThreadPool pool(threads - 1);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned lane = 0; lane < pool.num_lanes(); ++lane) {
    workers.push_back(std::make_unique<Worker>(config));
  }
  const std::size_t num_receivers = config.receivers.size();
  const std::size_t batch = std::max<std::size_t>(8, std::size_t{4} * pool.num_lanes());
  const std::uint32_t tbs = evaluation_tbs(config);
  const double slot_seconds = 1e-3 / double(1U << config.scenario.cell.numerology);
  std::vector<SlotOutcome> outcomes(batch * num_receivers);

  std::vector<EvaluationPoint> points;
  bool stopped = false;
  for (std::size_t i = 0; i < config.snr_db.size(); ++i) {
    const double snr = config.snr_db[i];
    std::vector<Tally> tallies(num_receivers);
    for (Tally& t : tallies) {
      t.paired.resize(num_receivers);
    }
    std::vector<char> counted(num_receivers);
    if (!stopped) {
      const float noise = evaluation_noise_variance(config, snr);
      std::uint64_t next = 0;
      std::vector<bool> active(num_receivers, true);
      while (std::any_of(active.begin(), active.end(), [](bool a) { return a; })) {
        const std::size_t count = std::min<std::uint64_t>(batch, config.max_slots - next);
        pool.parallel_for(count, [&](std::size_t item, unsigned lane) {
          run_slot(config, *workers[lane], next + item, noise, active,
                   outcomes.data() + item * num_receivers);
        });
        for (std::size_t item = 0; item < count * num_receivers; ++item) {
          if (!outcomes[item].refusal.empty()) {
            // A receiver that cannot take the PDU at all would read as BLER 1.
            std::string message = "receiver ";
            message += config.receivers[item % num_receivers].name;
            message += " refused the PUSCH: ";
            message += outcomes[item].refusal;
            throw std::runtime_error(message);
          }
        }
        for (std::size_t item = 0; item < count; ++item) {
          const SlotOutcome* slot_outcomes = outcomes.data() + item * num_receivers;
          for (std::size_t r = 0; r < num_receivers; ++r) {
            counted[r] = active[r] && !tallies[r].done ? 1 : 0;
          }
          // Pairs on this slot: both receivers simulated it.
          for (std::size_t r = 0; r < num_receivers; ++r) {
            for (std::size_t s = 0; s < num_receivers && counted[r] != 0; ++s) {
              if (s == r || counted[s] == 0) {
                continue;
              }
              PairedOutcome& pair = tallies[r].paired[s];
              ++pair.common_slots;
              if (slot_outcomes[r].error != slot_outcomes[s].error) {
                auto& slots = slot_outcomes[r].error ? pair.only_this_failed_slots
                                                     : pair.only_other_failed_slots;
                slots.push_back(next + item);
                (slot_outcomes[r].error ? pair.only_this_failed : pair.only_other_failed) += 1;
              }
            }
          }
          for (std::size_t r = 0; r < num_receivers; ++r) {
            Tally& t = tallies[r];
            if (counted[r] == 0) {
              continue;
            }
            const SlotOutcome& o = slot_outcomes[r];
            ++t.slots;
            t.errors += o.error ? 1 : 0;
            t.undetected += o.undetected ? 1 : 0;
            if (std::isfinite(o.post_eq_sinr_db)) { // NaN: no RE resolved (FAPI's invalid)
              t.sinr_sum += o.post_eq_sinr_db;
              ++t.sinr_slots;
            }
            t.time_sum += o.receiver_us;
            for (std::size_t part = 0; part < t.uci_errors.size(); ++part) {
              t.uci_errors[part] += o.uci_error[part] ? 1 : 0;
            }
            t.done = t.errors >= config.target_errors || t.slots >= config.max_slots;
          }
        }
        next += count;
        double fraction = 1.0;
        for (std::size_t r = 0; r < num_receivers; ++r) {
          active[r] = !tallies[r].done;
          const Tally& t = tallies[r];
          fraction = std::min(fraction, t.done ? 1.0
                                               : std::max(double(t.errors) / config.target_errors,
                                                          double(t.slots) / config.max_slots));
        }
        if (progress) {
          progress({i, config.snr_db.size(), snr, next,
                    (double(i) + fraction) / double(config.snr_db.size())});
        }
      }
    }
    bool any_error = false;
    for (std::size_t r = 0; r < num_receivers; ++r) {
      const Tally& t = tallies[r];
      EvaluationPoint p;
      p.receiver = config.receivers[r].name;
      p.snr_db = snr;
      p.simulated = !stopped;
      p.slots = t.slots;
      p.tb_errors = t.errors;
      p.undetected_errors = t.undetected;
      p.paired = t.paired;
      p.uci_errors = t.uci_errors;
      if (t.slots > 0) {
        p.bler = double(t.errors) / double(t.slots);
        p.throughput_mbps =
            double(t.slots - t.errors) * tbs / (double(t.slots) * slot_seconds) / 1e6;
        p.mean_post_eq_sinr_db = t.sinr_slots > 0 ? t.sinr_sum / double(t.sinr_slots)
                                                  : std::numeric_limits<double>::quiet_NaN();
        p.mean_receiver_us = t.time_sum / double(t.slots);
      }
      any_error = any_error || t.errors > 0;
      points.push_back(p);
    }
    if (config.early_stop && !stopped && !any_error) {
      stopped = true;
    }
  }
  return points;
}

BlerInterval bler_wilson_interval(std::uint64_t errors, std::uint64_t trials, double z) {
  z = std::abs(z);
  if (trials == 0 || !std::isfinite(z)) {
    return {};
  }
  const double n = double(trials);
  const double p = double(std::min(errors, trials)) / n;
  const double z2 = z * z;
  const double centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
  const double half = z / (1.0 + z2 / n) * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::optional<double> snr_at_bler(const std::vector<EvaluationPoint>& points,
                                  const std::string& receiver, double target_bler,
                                  BlerCurve curve) {
  const auto bler_of = [curve](const EvaluationPoint& p) {
    if (curve == BlerCurve::estimate) {
      return p.bler;
    }
    const BlerInterval interval = bler_wilson_interval(p.tb_errors, p.slots);
    return curve == BlerCurve::lower95 ? interval.low : interval.high;
  };
  const EvaluationPoint* previous = nullptr;
  for (const auto& p : points) {
    if (p.receiver != receiver || !p.simulated) {
      continue;
    }
    const double bler = bler_of(p);
    if (previous != nullptr && bler_of(*previous) >= target_bler && bler < target_bler) {
      // An error-free point (or a lower bound of 0) stands for a BLER below half an error in its
      // slots, and below the target, so that the crossing stays between the two points.
      const double floor =
          std::min(0.5 / double(std::max<std::uint64_t>(p.slots, 1)), target_bler / 2.0);
      const double y0 = std::log10(bler_of(*previous));
      const double y1 = std::log10(std::max(bler, floor));
      const double y = std::log10(target_bler);
      return previous->snr_db + (y0 - y) / (y0 - y1) * (p.snr_db - previous->snr_db);
    }
    previous = &p;
  }
  return std::nullopt;
}

} // namespace airan::apps
