// GpuPuschFrontEnd::prepare() and enqueue_prepared(): the PDUs of several front ends (cells)
// through every front-end stage with one launch per kernel give each front end exactly what its
// own process() gives (the same kernel bodies: LLRs bit for bit, the same measurements), on the
// first front end's stream or on another, for PDUs of other layer counts, equalizers, DMRS
// pregenerated or not, and for more front ends than one grid holds (32); and several cells' OFDM
// demodulation (prepare_demodulation(), enqueue_prepared_demodulation()) gives each front end's
// own grid bit for bit, also beyond 32 front ends. DMRS pregenerated after prepare() and filter
// banks replaced since prepare() are never used stale. Skipped without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/phy/pusch_transmitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using airan::gpu::GpuPuschFrontEnd;
using airan::phy::PuschConfig;

bool have_device(std::string& status) {
  const auto devices = airan::gpu::query_devices();
  status = devices.status;
  return !devices.devices.empty();
}

airan::apps::LinkScenario make_scenario(unsigned prbs, unsigned rx) {
  airan::apps::LinkScenario scenario;
  scenario.cell.num_prbs = prbs;
  scenario.cell.num_antenna_ports = 2;
  scenario.num_rx_antennas = rx;
  scenario.channel.model = "TDL-A30";
  scenario.channel.domain = airan::apps::ChannelDomain::frequency;
  scenario.channel.max_doppler_hz = 50.0;
  return scenario;
}

/// One cell's PDU, its received grid and how the front end runs it.
struct CellPdu {
  PuschConfig pusch;
  airan::phy::ResourceGrid grid;
  unsigned slot = 0;
  airan::phy::PuschFrontEndOptions options;
  bool descramble = false;
  bool pregenerate = false;
};

CellPdu make_pdu(const airan::apps::LinkScenario& scenario, unsigned layers, unsigned mcs,
                 unsigned seed) {
  CellPdu out;
  PuschConfig& pusch = out.pusch;
  pusch.bwp_size = static_cast<std::uint16_t>(scenario.cell.num_prbs);
  pusch.prb_size = static_cast<std::uint16_t>(scenario.cell.num_prbs);
  pusch.num_layers = layers;
  pusch.dmrs_ports = static_cast<std::uint16_t>((1U << layers) - 1);
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.mcs_index = mcs;
  pusch.mcs_table = airan::phy::McsTable::qam256;
  pusch.rnti = static_cast<std::uint16_t>(0x4601 + seed);
  if (layers == 1) { // a 2-port UE sends one layer through a precoder
    pusch.precoding = airan::phy::PuschPrecoding::codebook;
    pusch.tpmi = 0;
  }
  EXPECT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
  airan::apps::SlotSimulator simulator(scenario);
  simulator.simulate(std::span(&pusch, 1), seed, seed + 1, seed + 2,
                     std::pow(10.0F, -25.0F / 10.0F));
  out.grid = simulator.received_grid();
  out.slot = simulator.slot_number();
  return out;
}

/// A front end's LLRs and measurements after its PDU.
struct Outcome {
  std::vector<float> llrs;
  airan::phy::PuschMeasurements measurements;
  bool descrambled = false;
};

Outcome outcome_of(GpuPuschFrontEnd& front_end, std::size_t g) {
  Outcome out;
  out.llrs.resize(g);
  front_end.download_llrs(out.llrs);
  out.measurements = front_end.download_pusch_measurements();
  out.descrambled = front_end.llrs_descrambled();
  return out;
}

void expect_same(const Outcome& batched, const Outcome& own) {
  ASSERT_EQ(batched.llrs.size(), own.llrs.size());
  EXPECT_EQ(std::memcmp(batched.llrs.data(), own.llrs.data(), own.llrs.size() * sizeof(float)), 0)
      << "LLRs differ";
  EXPECT_EQ(batched.descrambled, own.descrambled);
  const auto& b = batched.measurements;
  const auto& o = own.measurements;
  EXPECT_EQ(b.noise_variance, o.noise_variance);
  EXPECT_EQ(b.rsrp, o.rsrp);
  EXPECT_EQ(b.sinr_db, o.sinr_db);
  EXPECT_EQ(b.post_eq_sinr_db, o.post_eq_sinr_db);
  EXPECT_EQ(b.delay_s, o.delay_s);
  EXPECT_EQ(b.evm, o.evm);
  EXPECT_EQ(b.cfo_hz.has_value(), o.cfo_hz.has_value());
  if (b.cfo_hz && o.cfo_hz) {
    EXPECT_EQ(*b.cfo_hz, *o.cfo_hz);
  }
}

/// Runs \p pdus batched on \p front_ends (on \p stream) and one by one on \p reference, and
/// compares them.
void check_batch(const airan::phy::CellConfig& cell, std::span<const CellPdu> pdus,
                 std::vector<std::unique_ptr<GpuPuschFrontEnd>>& front_ends,
                 GpuPuschFrontEnd& reference, void* stream) {
  std::vector<GpuPuschFrontEnd*> batch;
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const CellPdu& p = pdus[i];
    GpuPuschFrontEnd& fe = *front_ends[i];
    fe.upload_grid(p.grid);
    if (p.pregenerate) {
      fe.pregenerate_dmrs(p.pusch, p.slot, p.options);
    }
    sizes.push_back(fe.prepare(p.pusch, p.slot, p.options, p.descramble));
    EXPECT_EQ(sizes.back(), airan::phy::pusch_coded_bits(cell, p.pusch));
    batch.push_back(&fe);
  }
  GpuPuschFrontEnd::enqueue_prepared(batch, stream);
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    SCOPED_TRACE("PDU " + std::to_string(i));
    const CellPdu& p = pdus[i];
    const Outcome batched = outcome_of(*front_ends[i], sizes[i]);
    reference.upload_grid(p.grid);
    ASSERT_EQ(reference.process(p.pusch, p.slot, p.options, p.descramble), sizes[i]);
    expect_same(batched, outcome_of(reference, sizes[i]));
  }
}

TEST(GpuFrontEndBatch, PdusOfSeveralCellsMatchEachFrontEndsOwnProcess) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario(273, 4);
  std::vector<CellPdu> pdus = {make_pdu(scenario, 2, 27, 3), make_pdu(scenario, 1, 20, 11),
                               make_pdu(scenario, 2, 14, 19), make_pdu(scenario, 2, 5, 23),
                               make_pdu(scenario, 2, 20, 29)};
  pdus[0].descramble = true;
  pdus[1].options.equalizer = airan::phy::EqualizerAlgorithm::mmse_irc;
  pdus[2].pregenerate = true;
  pdus[2].descramble = true;
  pdus[3].options.equalizer = airan::phy::EqualizerAlgorithm::zf;
  pdus[3].options.estimator.time_interpolation = airan::phy::TimeInterpolation::average;
  pdus[3].options.estimator.frequency_interpolation = airan::phy::FrequencyInterpolation::linear;
  // Wiener time interpolation: its weights between the batch's CFO and interpolation launches.
  pdus[4].options.estimator.time_interpolation = airan::phy::TimeInterpolation::wiener;
  std::vector<std::unique_ptr<GpuPuschFrontEnd>> front_ends;
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    front_ends.push_back(std::make_unique<GpuPuschFrontEnd>(
        scenario.cell, airan::gpu::GpuPuschFrontEndLimits{4, 4, 273}));
  }
  GpuPuschFrontEnd reference(scenario.cell, {4, 4, 273});
  GpuPuschFrontEnd other(scenario.cell, {1, 1, 1}); // its stream: a caller's stream
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "on the first front end's stream" : "on another stream");
    check_batch(scenario.cell, pdus, front_ends, reference,
                round == 0 ? nullptr : other.native_stream());
  }
  // The first front end holds the batch's stage times.
  const auto times = front_ends.front()->stage_times();
  EXPECT_GT(times.estimate_ms, 0.0F);
  EXPECT_GT(times.equalize_demap_ms, 0.0F);
}

// pregenerate_dmrs() after prepare(): the prepared PDU generates its own DMRS over the
// pregenerated ones, so a later process() of the pregenerated PDU must not take them as its own.
TEST(GpuFrontEndBatch, DmrsPregeneratedAfterPrepareAreNotTakenOnceOverwritten) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario(24, 2);
  const CellPdu first = make_pdu(scenario, 1, 10, 5);
  const CellPdu second = make_pdu(scenario, 2, 12, 9); // other DMRS ports
  GpuPuschFrontEnd front_end(scenario.cell, {2, 2, 24});
  GpuPuschFrontEnd reference(scenario.cell, {2, 2, 24});
  front_end.upload_grid(first.grid);
  const std::size_t g_first = front_end.prepare(first.pusch, first.slot, first.options);
  front_end.pregenerate_dmrs(second.pusch, second.slot, second.options);
  GpuPuschFrontEnd* batch[] = {&front_end};
  GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
  reference.upload_grid(first.grid);
  ASSERT_EQ(reference.process(first.pusch, first.slot, first.options), g_first);
  expect_same(outcome_of(front_end, g_first), outcome_of(reference, g_first));
  front_end.upload_grid(second.grid);
  const std::size_t g_second = front_end.process(second.pusch, second.slot, second.options);
  reference.upload_grid(second.grid);
  ASSERT_EQ(reference.process(second.pusch, second.slot, second.options), g_second);
  expect_same(outcome_of(front_end, g_second), outcome_of(reference, g_second));
}

// The MMSE filter banks a prepared PDU planned with, replaced by three other shapes' banks
// (prepare_capture() with other configured delay spreads) before enqueue_prepared(): refused,
// and the PDU prepared again gives process()'s results.
TEST(GpuFrontEndBatch, FilterBanksReplacedSincePrepareAreRefused) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario(24, 2);
  const CellPdu pdu = make_pdu(scenario, 1, 10, 5);
  ASSERT_EQ(pdu.options.estimator.frequency_interpolation,
            airan::phy::FrequencyInterpolation::mmse);
  GpuPuschFrontEnd front_end(scenario.cell, {2, 2, 24});
  front_end.upload_grid(pdu.grid);
  (void)front_end.prepare(pdu.pusch, pdu.slot, pdu.options);
  for (const float spread_s : {100e-9F, 300e-9F, 1000e-9F}) {
    airan::phy::PuschFrontEndOptions other = pdu.options;
    other.estimator.delay_spread_s = spread_s;
    ASSERT_TRUE(front_end.prepare_capture(2, std::span(&pdu.pusch, 1), pdu.slot, other));
  }
  GpuPuschFrontEnd* batch[] = {&front_end};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error);
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error); // dropped
  const std::size_t g = front_end.prepare(pdu.pusch, pdu.slot, pdu.options);
  GpuPuschFrontEnd::enqueue_prepared(batch, nullptr);
  GpuPuschFrontEnd reference(scenario.cell, {2, 2, 24});
  reference.upload_grid(pdu.grid);
  ASSERT_EQ(reference.process(pdu.pusch, pdu.slot, pdu.options), g);
  expect_same(outcome_of(front_end, g), outcome_of(reference, g));
}

TEST(GpuFrontEndBatch, MoreFrontEndsThanOneGridHolds) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario(24, 2);
  constexpr unsigned cells = 37; // two runs of launches: 32 and 5
  std::vector<CellPdu> pdus;
  std::vector<std::unique_ptr<GpuPuschFrontEnd>> front_ends;
  for (unsigned c = 0; c < cells; ++c) {
    pdus.push_back(make_pdu(scenario, 1 + c % 2, 4 + (3 * c) % 24, 100 + 3 * c));
    pdus.back().descramble = c % 3 == 0;
    if (c % 4 == 1) { // several PDUs in the IRC covariance's grid
      pdus.back().options.equalizer = airan::phy::EqualizerAlgorithm::mmse_irc;
    }
    front_ends.push_back(std::make_unique<GpuPuschFrontEnd>(
        scenario.cell, airan::gpu::GpuPuschFrontEndLimits{2, 2, 24}));
  }
  GpuPuschFrontEnd reference(scenario.cell, {2, 2, 24});
  check_batch(scenario.cell, pdus, front_ends, reference, nullptr);
  // Their OFDM demodulation too (random IQ: two runs of launches again), on another stream.
  std::mt19937 generator(7);
  std::normal_distribution<float> normal;
  const unsigned slot = 3;
  std::vector<std::vector<airan::phy::cf32>> iq(cells);
  std::vector<GpuPuschFrontEnd*> batch;
  for (unsigned c = 0; c < cells; ++c) {
    iq[c].resize(2 * front_ends[c]->slot_length(slot));
    for (auto& sample : iq[c]) {
      sample = {normal(generator), normal(generator)};
    }
    front_ends[c]->prepare_demodulation(front_ends[c]->upload_iq(iq[c], 2, slot), 2, slot);
    batch.push_back(front_ends[c].get());
  }
  GpuPuschFrontEnd other(scenario.cell, {1, 1, 1});
  GpuPuschFrontEnd::enqueue_prepared_demodulation(batch, other.native_stream());
  for (unsigned c = 0; c < cells; ++c) {
    SCOPED_TRACE("cell " + std::to_string(c));
    airan::phy::ResourceGrid batched(2, 14, 12 * 24);
    front_ends[c]->download_grid(batched);
    reference.demodulate_host(iq[c], 2, slot);
    airan::phy::ResourceGrid own(2, 14, 12 * 24);
    reference.download_grid(own);
    EXPECT_EQ(std::memcmp(batched.elements().data(), own.elements().data(),
                          own.elements().size() * sizeof(airan::phy::cf32)),
              0)
        << "grids differ";
  }
}

TEST(GpuFrontEndBatch, SlotsOfSeveralCellsDemodulateAsEachFrontEndsOwn) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  airan::apps::LinkScenario scenario = make_scenario(51, 4);
  scenario.channel.domain = airan::apps::ChannelDomain::time;
  constexpr unsigned cells = 5;
  std::vector<std::unique_ptr<GpuPuschFrontEnd>> front_ends;
  std::vector<GpuPuschFrontEnd*> batch;
  std::vector<std::vector<airan::phy::cf32>> iq(cells);
  std::vector<unsigned> slots(cells);
  GpuPuschFrontEnd reference(scenario.cell, {4, 2, 51});
  for (unsigned c = 0; c < cells; ++c) {
    PuschConfig pusch;
    pusch.bwp_size = 51;
    pusch.prb_size = static_cast<std::uint16_t>(20 + 6 * c);
    pusch.num_layers = 1 + c % 2;
    pusch.dmrs_ports = static_cast<std::uint16_t>((1U << pusch.num_layers) - 1);
    pusch.mcs_index = 10;
    if (pusch.num_layers == 1) {
      pusch.precoding = airan::phy::PuschPrecoding::codebook;
      pusch.tpmi = 0;
    }
    ASSERT_EQ(airan::apps::validate_link(scenario, std::span(&pusch, 1)), "");
    airan::apps::SlotSimulator simulator(scenario);
    simulator.simulate(std::span(&pusch, 1), 40 + c, 50 + c, 60 + c,
                       std::pow(10.0F, -20.0F / 10.0F));
    iq[c].assign(simulator.received_iq().begin(), simulator.received_iq().end());
    slots[c] = simulator.slot_number();
    const unsigned rx = c == 3 ? 2 : 4; // another antenna count: another FFT plan
    front_ends.push_back(std::make_unique<GpuPuschFrontEnd>(
        scenario.cell, airan::gpu::GpuPuschFrontEndLimits{4, 2, 51}));
    const std::size_t samples = front_ends.back()->slot_length(slots[c]);
    iq[c].resize(rx * samples);
    front_ends.back()->prepare_demodulation(front_ends.back()->upload_iq(iq[c], rx, slots[c]), rx,
                                            slots[c]);
    batch.push_back(front_ends.back().get());
  }
  GpuPuschFrontEnd::enqueue_prepared_demodulation(batch, nullptr);
  for (unsigned c = 0; c < cells; ++c) {
    SCOPED_TRACE("cell " + std::to_string(c));
    const unsigned rx = c == 3 ? 2 : 4;
    airan::phy::ResourceGrid batched(rx, 14, 12 * 51);
    front_ends[c]->download_grid(batched);
    reference.demodulate_host(iq[c], rx, slots[c]);
    airan::phy::ResourceGrid own(rx, 14, 12 * 51);
    reference.download_grid(own);
    ASSERT_EQ(batched.elements().size(), own.elements().size());
    EXPECT_EQ(std::memcmp(batched.elements().data(), own.elements().data(),
                          own.elements().size() * sizeof(airan::phy::cf32)),
              0)
        << "grids differ";
  }
  EXPECT_GT(front_ends.front()->stage_times().ofdm_ms, 0.0F);
  // Twice in one batch is refused; a slot is enqueued once.
  front_ends[0]->prepare_demodulation(front_ends[0]->upload_iq(iq[0], 4, slots[0]), 4, slots[0]);
  std::vector<GpuPuschFrontEnd*> twice = {front_ends[0].get(), front_ends[0].get()};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared_demodulation(twice, nullptr), std::logic_error);
  twice.pop_back();
  GpuPuschFrontEnd::enqueue_prepared_demodulation(twice, nullptr);
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared_demodulation(twice, nullptr), std::logic_error);
}

TEST(GpuFrontEndBatch, AFrontEndWithoutAPreparedPduIsRefused) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const airan::apps::LinkScenario scenario = make_scenario(24, 2);
  const CellPdu pdu = make_pdu(scenario, 1, 10, 5);
  GpuPuschFrontEnd prepared(scenario.cell, {2, 2, 24});
  GpuPuschFrontEnd unprepared(scenario.cell, {2, 2, 24});
  prepared.upload_grid(pdu.grid);
  unprepared.upload_grid(pdu.grid);
  (void)prepared.prepare(pdu.pusch, pdu.slot, pdu.options);
  std::vector<GpuPuschFrontEnd*> batch = {&prepared, &unprepared};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error);
  // A front end twice would run two PDUs in one set of buffers.
  batch = {&prepared, &prepared};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error);
  // A new grid drops the PDU planned for the previous one.
  (void)unprepared.prepare(pdu.pusch, pdu.slot, pdu.options);
  unprepared.upload_grid(pdu.grid);
  batch = {&unprepared};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error);
  // A PDU beyond the limits fails in prepare(), as in process().
  PuschConfig wide = pdu.pusch;
  wide.num_layers = 3;
  wide.dmrs_ports = 7;
  EXPECT_THROW((void)unprepared.prepare(wide, pdu.slot, pdu.options), std::invalid_argument);
  // process() drops a prepared PDU: enqueueing it again is refused.
  (void)prepared.process(pdu.pusch, pdu.slot, pdu.options);
  batch = {&prepared};
  EXPECT_THROW(GpuPuschFrontEnd::enqueue_prepared(batch, nullptr), std::logic_error);
}

} // namespace
