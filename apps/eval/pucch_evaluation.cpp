#include "airan/apps/pucch_evaluation.h"

#include "airan/apps/bler_evaluation.h"
#include "airan/phy/pucch_receiver.h"
#include "airan/phy/snr_definition.h"
#include "airan/phy/thread_pool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace airan::apps {
namespace {

// Streams of derive_seed(seed, slot, stream): one per kind of random numbers.
constexpr std::uint64_t channel_stream = 1;
constexpr std::uint64_t payload_stream = 2;
constexpr std::uint64_t noise_stream = 3;
constexpr std::uint64_t dtx_noise_stream = 4;

/// One thread's simulator, receiver and payload.
struct PucchWorker {
  explicit PucchWorker(const PucchEvaluationConfig& config)
      : simulator(config.scenario),
        receiver(config.scenario.cell, config.scenario.num_rx_antennas) {}
  SlotSimulator simulator;
  phy::PucchReceiver receiver;
  std::vector<phy::PucchResult> results;
  std::vector<phy::bit_t> harq;
  std::vector<phy::bit_t> sr;
  std::vector<phy::bit_t> csi;
};

/// Formats 2, 3 and 4: a coded payload (HARQ-ACK, SR and CSI part 1 bits) scored as a block.
bool has_payload(const phy::PucchConfig& pucch) {
  return phy::pucch_carries_uci_payload(pucch.format);
}

/// The payload of PUCCH slot \p slot into the worker's buffers.
void draw_payload(const PucchEvaluationConfig& config, std::uint64_t slot, PucchWorker& worker) {
  const phy::PucchConfig& pucch = config.pucch;
  std::mt19937_64 random(derive_seed(config.seed, slot, payload_stream));
  const auto random_bit = [&random] { return static_cast<phy::bit_t>(random() & 1U); };
  worker.harq.resize(pucch.harq_bits);
  for (auto& bit : worker.harq) {
    bit = config.harq == HarqPayload::random
              ? random_bit()
              : static_cast<phy::bit_t>(config.harq == HarqPayload::ack);
  }
  worker.sr.resize(pucch.sr_bits);
  for (auto& bit : worker.sr) {
    // Formats 0 and 1: an SR occasion alone is always a positive SR (a negative one sends
    // nothing, which the noise-only slots measure).
    bit = !has_payload(pucch) && pucch.harq_bits == 0 ? phy::bit_t{1} : random_bit();
  }
  worker.csi.resize(pucch.csi_part1_bits);
  for (auto& bit : worker.csi) {
    bit = random_bit();
  }
}

/// Scores what the receiver reported for a PUCCH slot against what was sent.
void score_pucch(const phy::PucchConfig& pucch, const PucchWorker& worker,
                 const phy::PucchResult& result, PucchEvaluationPoint& counts) {
  const bool detected = result.detected;
  for (std::size_t i = 0; i < worker.harq.size(); ++i) {
    const bool reported_ack = detected && result.harq()[i] == 1;
    PucchErrorCount& count = worker.harq[i] == 1 ? counts.ack_missed : counts.nack_to_ack;
    ++count.trials;
    count.errors += (worker.harq[i] == 1) != reported_ack ? 1 : 0;
  }
  if (!has_payload(pucch) && pucch.sr_bits != 0) {
    const bool positive = worker.sr[0] == 1;
    const bool reported_positive = detected && result.sr()[0] == 1;
    PucchErrorCount& count = positive ? counts.sr_missed : counts.sr_false;
    ++count.trials;
    count.errors += positive != reported_positive ? 1 : 0;
  }
  if (has_payload(pucch)) {
    const bool right = detected && result.crc_ok &&
                       std::ranges::equal(result.harq(), worker.harq) &&
                       std::ranges::equal(result.sr(), worker.sr) &&
                       std::ranges::equal(result.csi_part1(), worker.csi);
    ++counts.uci_block.trials;
    counts.uci_block.errors += right ? 0 : 1;
  }
  ++counts.missed.trials;
  counts.missed.errors += detected ? 0 : 1;
}

/// Scores what the receiver reported for a noise-only slot.
void score_dtx(const phy::PucchConfig& pucch, const phy::PucchResult& result,
               PucchEvaluationPoint& counts) {
  ++counts.dtx_detected.trials;
  counts.dtx_detected.errors += result.detected ? 1 : 0;
  counts.dtx_to_ack.trials += pucch.harq_bits;
  if (result.detected) {
    counts.dtx_to_ack.errors +=
        static_cast<std::uint64_t>(std::ranges::count(result.harq(), phy::bit_t{1}));
  }
}

/// Receives the worker's simulated slot; \throws std::runtime_error when the receiver refused
/// the PUCCH (a configuration error, not a detection failure).
const phy::PucchResult& receive_pucch(const PucchEvaluationConfig& config, PucchWorker& worker) {
  const SlotSimulator& sim = worker.simulator;
  worker.receiver.process_slot(sim.received_grid(), sim.slot_number(), std::span(&config.pucch, 1),
                               worker.results);
  const phy::PucchResult& result = worker.results.front();
  if (!result.error.empty()) {
    throw std::runtime_error("the PUCCH receiver refused the PUCCH: " + result.error);
  }
  return result;
}

/// Item \p item of SNR point \p point: PUCCH slot item, or noise-only slot item - slots.
void run_item(const PucchEvaluationConfig& config, PucchWorker& worker, std::uint64_t item,
              std::uint64_t point, float noise, PucchEvaluationPoint& counts) {
  SlotSimulator& sim = worker.simulator;
  if (item < config.slots) {
    const std::uint64_t slot = item;
    ++counts.slots;
    sim.reseed_channel(derive_seed(config.seed, slot, channel_stream));
    draw_payload(config, slot, worker);
    const phy::PucchUciBits bits{worker.harq, worker.sr, worker.csi};
    sim.simulate_pucch(std::span(&config.pucch, 1), std::span(&bits, 1), slot,
                       derive_seed(config.seed, slot, noise_stream), noise);
    score_pucch(config.pucch, worker, receive_pucch(config, worker), counts);
    return;
  }
  const std::uint64_t slot = item - config.slots;
  ++counts.dtx_slots;
  sim.simulate_pucch({}, {}, slot, derive_seed(config.seed, slot, dtx_noise_stream, point), noise);
  score_dtx(config.pucch, receive_pucch(config, worker), counts);
}

std::string validate_snr_points(const std::vector<double>& snr_db) {
  std::string problems;
  if (snr_db.empty()) {
    problems += "no SNR point\n";
  }
  if (std::ranges::any_of(
          snr_db, [](double snr) { return !std::isfinite(snr) || std::abs(snr) > 100.0; })) {
    problems += "SNR points must be finite and within +-100 dB\n";
  }
  if (std::ranges::adjacent_find(snr_db, std::greater_equal<>()) != snr_db.end()) {
    problems += "SNR points must rise strictly\n";
  }
  return problems;
}

std::string validate_payload_choice(const PucchEvaluationConfig& config) {
  const phy::PucchConfig& pucch = config.pucch;
  std::string problems;
  if (pucch.format == phy::PucchFormat::format1 && pucch.sr_bits != 0 && pucch.harq_bits != 0) {
    problems += "format 1 with an SR occasion and HARQ-ACK bits is the SR resource, sent only for "
                "a positive SR: evaluate the HARQ-ACK (no SR bit) or the SR alone (no HARQ-ACK "
                "bit)\n";
  }
  if (config.harq != HarqPayload::random && pucch.harq_bits == 0) {
    problems += "an all-ACK or all-NACK HARQ-ACK payload needs HARQ-ACK bits\n";
  }
  return problems;
}

} // namespace

PucchEvaluationPoint& PucchEvaluationPoint::operator+=(const PucchEvaluationPoint& other) {
  slots += other.slots;
  dtx_slots += other.dtx_slots;
  ack_missed += other.ack_missed;
  nack_to_ack += other.nack_to_ack;
  sr_missed += other.sr_missed;
  sr_false += other.sr_false;
  uci_block += other.uci_block;
  missed += other.missed;
  dtx_to_ack += other.dtx_to_ack;
  dtx_detected += other.dtx_detected;
  return *this;
}

HarqPayload parse_harq_payload(const std::string& text) {
  if (text == "random") {
    return HarqPayload::random;
  }
  if (text == "ack") {
    return HarqPayload::ack;
  }
  if (text == "nack") {
    return HarqPayload::nack;
  }
  throw std::invalid_argument("HARQ-ACK payload '" + text + "' is not random, ack or nack");
}

std::string validate_pucch_evaluation(const PucchEvaluationConfig& config) {
  std::string problems = validate_link(config.scenario, {});
  if (problems.empty()) {
    if (const std::string error = config.pucch.validate(config.scenario.cell); !error.empty()) {
      problems += "PUCCH: " + error + "\n";
    }
  }
  if (config.scenario.cell.num_antenna_ports != 1) {
    problems += "the UE sends the PUCCH from one antenna port, not " +
                std::to_string(config.scenario.cell.num_antenna_ports) + "\n";
  }
  problems += validate_snr_points(config.snr_db);
  if (config.slots == 0) {
    problems += "PUCCH slots per point must be positive\n";
  }
  if (config.dtx_slots > std::numeric_limits<std::uint64_t>::max() - config.slots) {
    problems += "PUCCH slots plus DTX slots per point exceed 2^64 - 1\n";
  }
  if (config.num_threads > max_evaluation_threads) {
    problems += "threads: at most " + std::to_string(max_evaluation_threads) + "\n";
  }
  problems += validate_payload_choice(config);
  return problems;
}

std::vector<PucchEvaluationPoint>
run_pucch_evaluation(const PucchEvaluationConfig& config,
                     const std::function<void(const PucchEvaluationProgress&)>& progress) {
  if (const std::string problems = validate_pucch_evaluation(config); !problems.empty()) {
    throw std::invalid_argument(problems);
  }
  const unsigned threads = config.num_threads != 0
                               ? config.num_threads
                               : std::max(1U, std::thread::hardware_concurrency());
  phy::ThreadPool pool(threads - 1);
  std::vector<std::unique_ptr<PucchWorker>> workers;
  for (unsigned lane = 0; lane < pool.num_lanes(); ++lane) {
    workers.push_back(std::make_unique<PucchWorker>(config));
  }
  const std::uint64_t items = config.slots + config.dtx_slots;
  const std::size_t batch = std::max<std::size_t>(64, std::size_t{16} * pool.num_lanes());
  std::vector<PucchEvaluationPoint> counts(batch);
  std::vector<PucchEvaluationPoint> points;
  for (std::size_t i = 0; i < config.snr_db.size(); ++i) {
    const float noise = phy::noise_variance_from_snr_db(config.snr_db[i]);
    PucchEvaluationPoint point;
    point.snr_db = config.snr_db[i];
    for (std::uint64_t next = 0; next < items;) {
      const std::size_t count = std::min<std::uint64_t>(batch, items - next);
      pool.parallel_for(count, [&](std::size_t item, unsigned lane) {
        counts[item] = PucchEvaluationPoint{};
        run_item(config, *workers[lane], next + item, i, noise, counts[item]);
      });
      for (std::size_t item = 0; item < count; ++item) {
        point += counts[item];
      }
      next += count;
      if (progress) {
        const double fraction =
            (double(i) + double(next) / double(items)) / double(config.snr_db.size());
        progress({i, config.snr_db.size(), config.snr_db[i], fraction});
      }
    }
    points.push_back(point);
  }
  return points;
}

} // namespace airan::apps
