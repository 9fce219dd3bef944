// GpuCellGroup: three cells of different sizes (52 PRB 2 layers, 106 PRB 1 layer, 24 PRB 4 Rx
// 2 layers, several PDUs each, one with PT-RS, one hopping, one DFT-s-OFDM) over eight slots
// with HARQ retransmissions (rv 0, 2, 3, 1 until decoded), IQ in device memory for one cell and
// on the host for the others. Every result equals that of a PuschReceiver per cell with the CUDA
// detector and UL-SCH decoder (`--backend cuda`), PDU for PDU (CRC outcome, TB bytes,
// iterations, measurements); at the higher SNR every TB decodes and its bytes equal what was
// sent; bad PDUs get their errors while the others decode. Each runs with the whole slot as one
// CUDA graph and with each cell on its own stream, and two slots in flight as one graph each give
// the results of one slot at a time cell by cell. Skipped without a CUDA device.
#include "gpu_cell_group_test_support.h"

#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/cuda_graph.h"

#include <cuda_runtime.h>
#endif

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace cell_group_test;
using airan::gpu::GpuCellConfig;
using airan::gpu::GpuCellGroup;
using airan::gpu::GpuCellSlot;

/// False under AIRAN_CUDA_GRAPHS=0 (gpu-check's second pass): no slot goes as one graph then.
bool graphs_enabled() {
#if defined(AIRAN_HAVE_CUDA)
  return airan::gpu::cuda_graphs_enabled();
#else
  return true;
#endif
}

/// Runs eight slots of HARQ traffic through the group and through one CUDA PuschReceiver per
/// cell; returns {TBs decoded, TB transmissions that failed}.
std::pair<unsigned, unsigned> run_and_compare(float snr_offset_db,
                                              const airan::gpu::GpuCellGroupOptions& options) {
  std::vector<CellSetup> cells = make_cells(snr_offset_db);
  std::vector<GpuCellConfig> configs;
  std::vector<std::unique_ptr<PuschReceiver>> references;
  for (const auto& setup : cells) {
    configs.push_back(setup.config);
    references.push_back(make_cuda_receiver(setup.config));
  }
  GpuCellGroup group(configs, 0, options);
  std::mt19937_64 rng(99);
  std::vector<std::vector<BitVector>> tbs(cells.size());
  std::vector<std::vector<unsigned>> rv_index(cells.size());
  unsigned decoded = 0;
  unsigned failed = 0;
  const unsigned rvs[] = {0, 2, 3, 1};
  for (unsigned slot = 0; slot < 8; ++slot) {
    std::vector<std::vector<PuschConfig>> pdus(cells.size());
    std::vector<std::vector<cf32>> iq(cells.size());
    std::vector<GpuCellSlot> inputs(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      pdus[c] = cells[c].pdus;
      tbs[c].resize(pdus[c].size());
      rv_index[c].resize(pdus[c].size(), 4);
      for (std::size_t p = 0; p < pdus[c].size(); ++p) {
        if (rv_index[c][p] >= 4) { // new data
          rv_index[c][p] = 0;
          PuschTransmitter transmitter(cells[c].config.cell);
          tbs[c][p].resize(transmitter.transport_block_size(pdus[c][p]));
          for (auto& bit : tbs[c][p]) {
            bit = static_cast<bit_t>(rng() & 1U);
          }
        }
        pdus[c][p].rv = rvs[rv_index[c][p]];
        pdus[c][p].new_data_indicator = rv_index[c][p] == 0;
      }
      iq[c] = make_slot_iq(cells[c], pdus[c], tbs[c], slot % 20, std::size_t{1000} * slot + c);
      inputs[c].host_iq = iq[c];
      inputs[c].slot = slot % 20;
      inputs[c].pdus = pdus[c];
    }
#if defined(AIRAN_HAVE_CUDA)
    // Cell 1's IQ in device memory.
    cf32* device_iq = nullptr;
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&device_iq), iq[1].size() * sizeof(cf32)),
              cudaSuccess);
    EXPECT_EQ(
        cudaMemcpy(device_iq, iq[1].data(), iq[1].size() * sizeof(cf32), cudaMemcpyHostToDevice),
        cudaSuccess);
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess); // a pageable copy may still be in flight
    inputs[1].device_iq = device_iq;
#endif
    std::vector<std::vector<PuschPduResult>> results;
    group.process(inputs, results);
#if defined(AIRAN_HAVE_CUDA)
    cudaFree(device_iq);
#endif
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::vector<PuschPduResult> expected;
      references[c]->process_slot_iq(iq[c], inputs[c].slot, pdus[c], expected);
      EXPECT_EQ(results[c].size(), pdus[c].size());
      if (results[c].size() != pdus[c].size()) {
        return {0, 0};
      }
      for (std::size_t p = 0; p < pdus[c].size(); ++p) {
        SCOPED_TRACE("slot " + std::to_string(slot) + ", cell " + std::to_string(c) + ", PDU " +
                     std::to_string(p));
        expect_same(results[c][p], expected[p]);
        EXPECT_TRUE(results[c][p].tb_bits.empty());
        if (results[c][p].tb_crc_ok) {
          std::vector<std::uint8_t> sent;
          pack_bits_msb_first(tbs[c][p], sent);
          EXPECT_EQ(results[c][p].tb_bytes, sent);
          ++decoded;
          rv_index[c][p] = 4;
        } else {
          ++failed;
          rv_index[c][p] = rv_index[c][p] + 1; // 4 after rv 1: give up, new data
        }
      }
    }
  }
  // Every slot went the way the options asked (the cells' PDUs share their filter banks).
  const airan::gpu::GpuCellGroupLaunches launches = group.launches();
  EXPECT_EQ(launches.one_graph, options.one_graph_per_slot && graphs_enabled() ? 8U : 0U);
  EXPECT_EQ(launches.one_graph + launches.streams, 8U);
  const bool cell_graphs = options.graph_per_cell && !options.one_graph_per_slot;
  EXPECT_EQ(launches.cell_graphs, cell_graphs && graphs_enabled() ? 8U * cells.size() : 0U);
  // The batched front end's cuFFT in the group's workspace: the first cell's FFT size (52 PRB:
  // 1024) is the others' (106 and 24 PRB) in none, so they run their own plans.
  EXPECT_EQ(launches.joint_ffts, options.batched_front_end ? 8U : 0U);
  EXPECT_EQ(launches.own_ffts, options.batched_front_end ? 8U * (cells.size() - 1) : 0U);
  return {decoded, failed};
}

/// How a test group launches its slots.
enum class LaunchMode {
  one_graph_per_slot,
  stream_per_cell,
  graph_per_cell,
  stream_per_cell_threads, ///< Cells enqueued by 3 host threads.
  graph_per_cell_threads,
  // The slot's TBs decoded as one launch set (GpuCellGroupOptions::batched_decoding):
  one_graph_batched,
  stream_per_cell_batched,
  graph_per_cell_threads_batched,
  /// Without the CUDA events that time the stages (GpuCellGroupOptions::stage_timing).
  one_graph_untimed,
  stream_per_cell_untimed,
  // Every cell's k-th PDU through one front-end launch set (GpuCellGroupOptions::
  // batched_front_end): in one graph per slot, and on the group's stream with the decoding
  // batched too.
  one_graph_batched_front_end,
  streams_batched_front_end_and_decoding,
};

/// The tests below run with every launch mode: the whole slot as one CUDA graph, cell by cell
/// on streams (a graph per stage), and each cell's slot as a graph of its own; the last two also
/// with the cells enqueued by several host threads; and three of them with the TBs of all cells
/// decoded as one launch set; three of them with two code blocks per LDPC thread block.
class GpuCellGroupLaunch : public ::testing::TestWithParam<LaunchMode> {
protected:
  [[nodiscard]] static airan::gpu::GpuCellGroupOptions options() {
    airan::gpu::GpuCellGroupOptions options;
    options.one_graph_per_slot = one_graph();
    options.graph_per_cell = cell_graphs();
    const bool threads = GetParam() == LaunchMode::stream_per_cell_threads ||
                         GetParam() == LaunchMode::graph_per_cell_threads ||
                         GetParam() == LaunchMode::graph_per_cell_threads_batched;
    options.submit_threads = threads ? 3 : 1;
    options.batched_decoding = GetParam() == LaunchMode::one_graph_batched ||
                               GetParam() == LaunchMode::stream_per_cell_batched ||
                               GetParam() == LaunchMode::graph_per_cell_threads_batched ||
                               GetParam() == LaunchMode::streams_batched_front_end_and_decoding;
    options.batched_front_end = GetParam() == LaunchMode::one_graph_batched_front_end ||
                                GetParam() == LaunchMode::streams_batched_front_end_and_decoding;
    options.stage_timing = GetParam() != LaunchMode::one_graph_untimed &&
                           GetParam() != LaunchMode::stream_per_cell_untimed;
    // Three modes with two code blocks per LDPC thread block: per TB in one graph per slot,
    // and as the slot's launch set on streams and in a graph per cell.
    options.ldpc_code_block_pairs =
        GetParam() == LaunchMode::one_graph_batched_front_end ||
        GetParam() == LaunchMode::graph_per_cell_threads_batched ||
        GetParam() == LaunchMode::streams_batched_front_end_and_decoding;
    return options;
  }
  [[nodiscard]] static bool one_graph() {
    return GetParam() == LaunchMode::one_graph_per_slot ||
           GetParam() == LaunchMode::one_graph_batched ||
           GetParam() == LaunchMode::one_graph_untimed ||
           GetParam() == LaunchMode::one_graph_batched_front_end;
  }
  [[nodiscard]] static bool cell_graphs() {
    return GetParam() == LaunchMode::graph_per_cell ||
           GetParam() == LaunchMode::graph_per_cell_threads ||
           GetParam() == LaunchMode::graph_per_cell_threads_batched;
  }
};

TEST_P(GpuCellGroupLaunch, CellsMatchTheCudaReceiverWithHarq) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  const auto [decoded_high, failed_high] = run_and_compare(10.0F, options());
  EXPECT_EQ(failed_high, 0U) << "every TB decodes at the higher SNR";
  EXPECT_EQ(decoded_high, 8U * 6U);
  const auto [decoded_low, failed_low] = run_and_compare(-6.0F, options());
  EXPECT_GT(failed_low, 3U) << "the lower SNR needs retransmissions";
  EXPECT_GT(decoded_low, 3U);
}

TEST_P(GpuCellGroupLaunch, BadPdusGetErrorsAndTheOthersDecode) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  std::vector<CellSetup> cells = make_cells(10.0F);
  cells.resize(1);
  GpuCellGroup group(std::span(&cells[0].config, 1), 0, options());
  std::vector<PuschConfig> pdus = cells[0].pdus;
  std::vector<BitVector> tbs(pdus.size());
  PuschTransmitter transmitter(cells[0].config.cell);
  for (std::size_t p = 0; p < pdus.size(); ++p) {
    tbs[p].assign(transmitter.transport_block_size(pdus[p]), 1);
  }
  const std::vector<cf32> iq = make_slot_iq(cells[0], pdus, tbs, 3, 5);
  PuschConfig duplicate = pdus[0];
  PuschConfig too_many_layers = pdus[1];
  too_many_layers.num_layers = 4;
  too_many_layers.dmrs_ports = 0xF;
  PuschConfig outside = pdus[1];
  outside.prb_start = 50;
  std::vector<PuschConfig> slot_pdus = {pdus[0], pdus[1], duplicate, too_many_layers, outside};
  GpuCellSlot input;
  input.host_iq = iq;
  input.slot = 3;
  input.pdus = slot_pdus;
  std::vector<std::vector<PuschPduResult>> results;
  group.process(std::span(&input, 1), results);
  ASSERT_EQ(results[0].size(), 5U);
  EXPECT_TRUE(results[0][0].tb_crc_ok) << results[0][0].error;
  EXPECT_TRUE(results[0][1].tb_crc_ok) << results[0][1].error;
  EXPECT_NE(results[0][2].error.find("same RNTI and HARQ process"), std::string::npos);
  EXPECT_NE(results[0][3].error, "") << "4 layers on a 2-layer cell";
  EXPECT_NE(results[0][4].error.find("PDUs"), std::string::npos) << results[0][4].error;
  // A slot outside the frame fails the cell's PDUs.
  input.slot = airan::phy::slots_per_frame(cells[0].config.cell.numerology);
  group.process(std::span(&input, 1), results);
  EXPECT_NE(results[0][0].error.find("outside the frame"), std::string::npos)
      << results[0][0].error;
  input.slot = 3;
  // IQ of the wrong length fails the cell's PDUs, and the group keeps working.
  input.host_iq = std::span(iq).first(iq.size() - 1);
  input.pdus = std::span(pdus);
  group.process(std::span(&input, 1), results);
  EXPECT_NE(results[0][0].error.find("slot IQ"), std::string::npos) << results[0][0].error;
  input.host_iq = iq;
  group.process(std::span(&input, 1), results);
  EXPECT_TRUE(results[0][0].tb_crc_ok && results[0][1].tb_crc_ok);
  // Every stage of the slot was timed on the device (the demapper descrambles and the LDPC
  // kernel recovers the rate: those two have no time of their own), or none without timing.
  const airan::gpu::GpuCellStageTimes times = group.stage_times(0);
  for (const float us :
       {times.ofdm_us, times.estimate_us, times.equalize_demap_us, times.ldpc_us}) {
    if (options().stage_timing) {
      EXPECT_GT(us, 0.0F);
    } else {
      EXPECT_EQ(us, 0.0F);
    }
  }
  EXPECT_EQ(times.descramble_us, 0.0F);
  EXPECT_EQ(times.rate_recovery_us, 0.0F);
}

// Two slots in flight (submit slot n + 1 before collecting slot n) give the results of one at a
// time cell by cell on streams, with HARQ processes alternating between slots; a HARQ process
// still decoding in the other slot in flight is refused with an error.
TEST_P(GpuCellGroupLaunch, TwoSlotsInFlightGiveTheSameResults) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  std::vector<CellSetup> cells = make_cells(-4.0F);
  cells.resize(2);
  std::vector<GpuCellConfig> one_config = {cells[0].config, cells[1].config};
  std::vector<GpuCellConfig> two_config = one_config;
  for (auto& config : two_config) {
    config.slots_in_flight = 2;
  }
  airan::gpu::GpuCellGroupOptions streams;
  streams.one_graph_per_slot = false;
  GpuCellGroup one(one_config, 0, streams);
  GpuCellGroup two(two_config, 0, options());
  constexpr unsigned num_slots = 8;
  std::vector<std::vector<std::vector<PuschConfig>>> pdus(num_slots);
  std::vector<std::vector<std::vector<cf32>>> iq(num_slots);
  std::vector<std::vector<GpuCellSlot>> inputs(num_slots);
  std::mt19937_64 rng(7);
  for (unsigned n = 0; n < num_slots; ++n) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      pdus[n].push_back(cells[c].pdus);
      std::vector<BitVector> tbs;
      for (auto& pdu : pdus[n][c]) {
        pdu.harq_process_id = n % 2;
        pdu.rv = (n / 2) % 2 == 0 ? 0 : 2; // slots n and n + 2 carry rv 0 then rv 2
        pdu.new_data_indicator = pdu.rv == 0;
        PuschTransmitter transmitter(cells[c].config.cell);
        BitVector tb(transmitter.transport_block_size(pdu));
        std::mt19937_64 tb_rng(100 * (n / 4) + 10 * (n % 2) + c); // same TB for rv 0 and 2
        for (auto& bit : tb) {
          bit = static_cast<bit_t>(tb_rng() & 1U);
        }
        tbs.push_back(std::move(tb));
      }
      iq[n].push_back(make_slot_iq(cells[c], pdus[n][c], tbs, n, 500 + n * 3 + c));
    }
  }
  for (unsigned n = 0; n < num_slots; ++n) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      GpuCellSlot input;
      input.host_iq = iq[n][c];
      input.slot = n;
      input.pdus = pdus[n][c];
      inputs[n].push_back(input);
    }
  }
  std::vector<std::vector<std::vector<PuschPduResult>>> expected(num_slots);
  for (unsigned n = 0; n < num_slots; ++n) {
    one.process(inputs[n], expected[n]);
  }
  std::vector<std::vector<PuschPduResult>> got;
  two.submit(inputs[0]);
  for (unsigned n = 0; n < num_slots; ++n) {
    if (n + 1 < num_slots) {
      two.submit(inputs[n + 1]);
      EXPECT_EQ(two.slots_in_flight(), 2U);
      EXPECT_THROW(two.submit(inputs[n]), std::logic_error);
    }
    two.collect(got);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      for (std::size_t p = 0; p < got[c].size(); ++p) {
        SCOPED_TRACE("slot " + std::to_string(n) + ", cell " + std::to_string(c));
        expect_same(got[c][p], expected[n][c][p]);
      }
    }
  }
  EXPECT_THROW(two.collect(got), std::logic_error);

  // The same HARQ process in both slots in flight: the second is refused.
  two.submit(inputs[0]);
  two.submit(inputs[2]); // HARQ process 0 again
  std::vector<std::vector<PuschPduResult>> first;
  two.collect(first);
  two.collect(got);
  EXPECT_NE(got[0][0].error.find("still being decoded"), std::string::npos) << got[0][0].error;
}

// PDUs of 1, 2 and 30 PRBs in one slot need three MMSE filter-bank sets (windows 6, 12, 16):
// the front end keeps all three, so the slot is still one graph, and the results equal the CUDA
// receiver's.
TEST_P(GpuCellGroupLaunch, MixedPduSizesInOneSlot) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  std::vector<CellSetup> cells = make_cells(4.0F);
  cells.resize(1);
  cells[0].pdus = {make_pdu(1, 52, 0, 1, 1, 4), make_pdu(2, 52, 1, 2, 1, 8),
                   make_pdu(3, 52, 3, 30, 2, 16)};
  // The cell has two antenna ports: its 1-layer PDUs are codebook-precoded (TS 38.211 Table
  // 6.3.1.5-1, TPMI 0 and 2).
  cells[0].pdus[0].precoding = PuschPrecoding::codebook;
  cells[0].pdus[1].precoding = PuschPrecoding::codebook;
  cells[0].pdus[1].tpmi = 2;
  GpuCellGroup group(std::span(&cells[0].config, 1), 0, options());
  const std::unique_ptr<PuschReceiver> reference = make_cuda_receiver(cells[0].config);
  PuschTransmitter transmitter(cells[0].config.cell);
  for (unsigned slot = 0; slot < 2; ++slot) {
    std::vector<BitVector> tbs;
    for (const auto& pdu : cells[0].pdus) {
      tbs.emplace_back(transmitter.transport_block_size(pdu), static_cast<bit_t>(slot & 1U));
    }
    const std::vector<cf32> iq = make_slot_iq(cells[0], cells[0].pdus, tbs, slot, 40 + slot);
    GpuCellSlot input;
    input.host_iq = iq;
    input.slot = slot;
    input.pdus = cells[0].pdus;
    std::vector<std::vector<PuschPduResult>> results;
    group.process(std::span(&input, 1), results);
    std::vector<PuschPduResult> expected;
    reference->process_slot_iq(iq, slot, cells[0].pdus, expected);
    ASSERT_EQ(results[0].size(), expected.size());
    for (std::size_t p = 0; p < expected.size(); ++p) {
      SCOPED_TRACE("slot " + std::to_string(slot) + ", PDU " + std::to_string(p));
      expect_same(results[0][p], expected[p]);
      EXPECT_TRUE(results[0][p].tb_crc_ok) << results[0][p].error;
    }
  }
  EXPECT_EQ(group.launches().one_graph, one_graph() && graphs_enabled() ? 2U : 0U);
  EXPECT_EQ(group.launches().cell_graphs, cell_graphs() && graphs_enabled() ? 2U : 0U);
}

// New data that the group refuses ends its HARQ process's previous TB, as in PuschReceiver: TB 1
// fails, TB 2's new data is refused, and TB 2's retransmission decodes from an empty buffer (one
// transmission) instead of combining TB 1's soft values into it.
TEST_P(GpuCellGroupLaunch, RefusedNewDataEndsThePreviousTb) {
  std::string status;
  if (!have_device(status)) {
    GTEST_SKIP() << "no CUDA device: " << status;
  }
  std::vector<CellSetup> cells = make_cells(0.0F);
  cells.resize(1);
  { // Refused by both (4 layers on a 2-layer cell): the results equal the CUDA receiver's.
    GpuCellGroup group(std::span(&cells[0].config, 1), 0, options());
    const std::unique_ptr<PuschReceiver> reference = make_cuda_receiver(cells[0].config);
    PuschConfig refused = refused_new_data_pdu();
    refused.num_layers = 4;
    refused.dmrs_ports = 0xF;
    const RefusedNewDataResults r = run_refused_new_data(group, reference.get(), cells[0], refused);
    ASSERT_EQ(r.group.size(), 3U);
    expect_same(r.group[0], r.reference[0]);
    EXPECT_FALSE(r.group[0].tb_crc_ok) << "TB 1 fails";
    EXPECT_NE(r.group[1].error, "");
    EXPECT_NE(r.reference[1].error, "");
    expect_same(r.group[2], r.reference[2]);
    EXPECT_EQ(r.group[2].decoding.num_transmissions, 1U);
    EXPECT_TRUE(r.group[2].tb_crc_ok) << r.group[2].error;
  }
  { // Refused by the group only (UCI on PUSCH: PuschReceiver demultiplexes it on the host;
    // frequency hopping and DFT-s-OFDM, refused here until 2026-12-06, the group takes).
    GpuCellGroup group(std::span(&cells[0].config, 1), 0, options());
    PuschConfig refused = refused_new_data_pdu();
    refused.uci.harq_ack_bits = 2;
    const RefusedNewDataResults r = run_refused_new_data(group, nullptr, cells[0], refused);
    ASSERT_EQ(r.group.size(), 3U);
    EXPECT_FALSE(r.group[0].tb_crc_ok) << "TB 1 fails";
    EXPECT_NE(r.group[1].error.find("PuschReceiver only"), std::string::npos) << r.group[1].error;
    EXPECT_EQ(r.group[2].decoding.num_transmissions, 1U);
    EXPECT_TRUE(r.group[2].tb_crc_ok) << r.group[2].error;
  }
  { // Refused because slot 0 still decodes the process (two slots in flight): slot 0's collect
    // frees the buffer, as the CPU receiver, a slot at a time, would have at slot 1.
    airan::gpu::GpuCellConfig pipelined = cells[0].config;
    pipelined.slots_in_flight = 2;
    GpuCellGroup group(std::span(&pipelined, 1), 0, options());
    const RefusedNewDataResults r =
        run_refused_new_data(group, nullptr, cells[0], refused_new_data_pdu(), true);
    ASSERT_EQ(r.group.size(), 3U);
    EXPECT_FALSE(r.group[0].tb_crc_ok) << "TB 1 fails";
    EXPECT_NE(r.group[1].error.find("still being decoded"), std::string::npos) << r.group[1].error;
    EXPECT_EQ(r.group[2].decoding.num_transmissions, 1U);
    EXPECT_TRUE(r.group[2].tb_crc_ok) << r.group[2].error;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, GpuCellGroupLaunch,
    ::testing::Values(LaunchMode::one_graph_per_slot, LaunchMode::stream_per_cell,
                      LaunchMode::graph_per_cell, LaunchMode::stream_per_cell_threads,
                      LaunchMode::graph_per_cell_threads, LaunchMode::one_graph_batched,
                      LaunchMode::stream_per_cell_batched,
                      LaunchMode::graph_per_cell_threads_batched, LaunchMode::one_graph_untimed,
                      LaunchMode::stream_per_cell_untimed, LaunchMode::one_graph_batched_front_end,
                      LaunchMode::streams_batched_front_end_and_decoding),
    [](const ::testing::TestParamInfo<LaunchMode>& info) {
      switch (info.param) {
      case LaunchMode::one_graph_per_slot:
        return "OneGraphPerSlot";
      case LaunchMode::stream_per_cell:
        return "StreamPerCell";
      case LaunchMode::graph_per_cell:
        return "GraphPerCell";
      case LaunchMode::stream_per_cell_threads:
        return "StreamPerCellThreads";
      case LaunchMode::graph_per_cell_threads:
        return "GraphPerCellThreads";
      case LaunchMode::one_graph_batched:
        return "OneGraphBatchedDecoding";
      case LaunchMode::stream_per_cell_batched:
        return "StreamPerCellBatchedDecoding";
      case LaunchMode::graph_per_cell_threads_batched:
        return "GraphPerCellThreadsBatchedDecoding";
      case LaunchMode::one_graph_untimed:
        return "OneGraphUntimed";
      case LaunchMode::one_graph_batched_front_end:
        return "OneGraphBatchedFrontEnd";
      case LaunchMode::streams_batched_front_end_and_decoding:
        return "StreamsBatchedFrontEndAndDecoding";
      case LaunchMode::stream_per_cell_untimed:
        break;
      }
      return "StreamPerCellUntimed";
    });

// The test cells' PDUs (PT-RS, hopping and DFT-s-OFDM among them) are valid (runs without a
// device).
TEST(GpuCellGroup, TestCellsHaveValidPdus) {
  unsigned transform_precoded = 0;
  for (const CellSetup& setup : make_cells(0.0F)) {
    for (const PuschConfig& pdu : setup.pdus) {
      EXPECT_EQ(pdu.validate(setup.config.cell), "") << "RNTI " << pdu.rnti;
      transform_precoded += pdu.transform_precoding ? 1U : 0U;
    }
  }
  EXPECT_EQ(transform_precoded, 1U);
}

TEST(GpuCellGroup, WithoutADeviceTheConstructorThrows) {
  std::string status;
  if (have_device(status)) {
    GTEST_SKIP() << "a device is present";
  }
  GpuCellConfig config;
  config.cell.num_prbs = 52;
  EXPECT_THROW(GpuCellGroup(std::span(&config, 1), 0), std::runtime_error);
}

} // namespace
