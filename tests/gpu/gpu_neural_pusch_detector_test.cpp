// The neural receiver entirely on the device (GpuPuschFrontEnd::build_neural_inputs,
// GpuOnnxExecutor::enqueue_device, gather_neural_llrs) against the CPU:
// - the three input tensors equal NeuralReceiverInputs' (the grid copy and the distances bit for
//   bit, the LS estimates within 1e-5, the noise variance within 1e-4), over PRB counts 3-273,
//   1-4 receive antennas, 1-4 layers, DMRS types 1 and 2, double-symbol DMRS, type B mapping;
// - on two slots per case, detected A, B, A by one device detector (a direct run, then graph
//   replays on fresh inputs): its descrambled LLRs equal the CPU executor's on the device-built
//   inputs within 1e-4 of their largest magnitude (the executors' fp32 agreement), their signs the
//   CPU detector's on 99.99% of the bits (those not within 1e-3 of the largest magnitude of zero),
//   and its measurements (post-equalization SINR, delay and CFO included) the CPU detector's;
// - PuschReceiver with the device detector and the device UL-SCH decoder (LLRs in device memory,
//   no host wait between them) decodes every TB as the CPU neural receiver does, from a host grid
//   and from time-domain IQ, at an SNR with margin (10 dB for 16-QAM MCS 14 on TDL-B100);
// - a PDU with UCI (with and without UL-SCH) decodes its UCI and TB as the CPU neural receiver
//   does, its LLRs handed to the host for the demultiplexing.
// Skipped without a CUDA device.
#include "airan/apps/link_simulation.h"
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_neural_pusch_detector.h"
#include "airan/gpu/gpu_pusch_front_end.h"
#include "airan/gpu/gpu_ulsch_decoder.h"
#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"

#include "neural_receiver_test_links.h"

#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/device_buffer.h"
#endif

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace airan::phy;
using namespace airan::phy::nn;
namespace apps = airan::apps;

const std::filesystem::path trained_model =
    std::filesystem::path(AIRAN_MODELS_DIR) / "neural_receiver.onnx";
/// The committed model before stage 4, trained on 1-2 layers (its airan.max_layers is 2).
const std::filesystem::path two_layer_model =
    std::filesystem::path(AIRAN_MODELS_DIR) / "pretrained" / "neural_receiver_stage3.onnx";

bool no_device() {
  return airan::gpu::query_devices().devices.empty();
}

/// One link and PDU of the comparisons.
using airan::test::make_neural_link;
using airan::test::neural_cases;
using Case = airan::test::NeuralCase;
using Link = airan::test::NeuralLink;

#if defined(AIRAN_HAVE_CUDA)
/// max |a - b| over max |b|.
float relative_max_error(const std::vector<float>& a, const std::vector<float>& b) {
  float error = 0.0F;
  float scale = 0.0F;
  for (std::size_t i = 0; i < a.size(); ++i) {
    error = std::max(error, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return scale > 0.0F ? error / scale : error;
}

TEST(GpuNeuralInputs, DeviceTensorsEqualTheHostInputs) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  for (std::size_t n = 0; n < neural_cases().size(); ++n) {
    const Case& c = neural_cases()[n];
    const Link link = make_neural_link(c);
    ASSERT_EQ(apps::validate_link(link.scenario, std::span(&link.pusch, 1)), "") << n;
    apps::SlotSimulator simulator(link.scenario);
    simulator.reseed_channel(n);
    simulator.simulate(std::span(&link.pusch, 1), 3 + n, 10 + n, 20 + n,
                       noise_variance_from_snr_db(c.snr_db));
    const ResourceGrid& grid = simulator.received_grid();
    NeuralReceiverInputs host(c.prbs);
    host.build(grid, link.scenario.cell, link.pusch, simulator.slot_number());

    airan::gpu::GpuPuschFrontEnd front(link.scenario.cell, {4, 4, c.prbs}, 0);
    const std::size_t plane = std::size_t{host.num_symbols()} * host.num_subcarriers();
    airan::gpu::DeviceBuffer<float> rx(8 * plane), ls(32 * plane), side(7 * plane);
    PuschFrontEndOptions options;
    options.estimator.frequency_interpolation = FrequencyInterpolation::linear;
    front.upload_grid(grid);
    front.build_neural_inputs(link.pusch, simulator.slot_number(), options,
                              {rx.data(), ls.data(), side.data()});
    front.synchronize();
    std::vector<float> device_rx(8 * plane), device_ls(32 * plane), device_side(7 * plane);
    rx.copy_to_host(device_rx, nullptr);
    ls.copy_to_host(device_ls, nullptr);
    side.copy_to_host(device_side, nullptr);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);

    const auto span_of = [](std::span<const float> s) { return std::vector(s.begin(), s.end()); };
    EXPECT_EQ(device_rx, span_of(host.rx_grid())) << "case " << n;
    EXPECT_LE(relative_max_error(device_ls, span_of(host.ls_channel())), 1e-5F) << "case " << n;
    const std::vector<float> host_side = span_of(host.side_info());
    for (std::size_t i = 0; i < host_side.size(); ++i) {
      const std::size_t channel = i / plane;
      if (channel == neural_noise_variance_channel) {
        ASSERT_NEAR(device_side[i], host_side[i], 1e-4F * host_side[i]) << "case " << n;
      } else {
        ASSERT_EQ(device_side[i], host_side[i]) << "case " << n << " channel " << channel;
      }
    }
  }
}

/// The CPU executor's LLRs (codeword order, descrambled) on the tensors the device builds for
/// \p link's PDU from \p grid: what the device detector must reproduce within the executors'
/// fp32 agreement (the device-built inputs differ from the CPU's by the estimator's rounding).
std::vector<float> cpu_model_on_device_inputs(const OnnxModel& model, const Link& link,
                                              const ResourceGrid& grid, unsigned slot) {
  const CellConfig& cell = link.scenario.cell;
  const PuschConfig& pusch = link.pusch;
  airan::gpu::GpuPuschFrontEnd front(cell, {4, 4, pusch.prb_size}, 0);
  const std::int64_t symbols = pusch.num_symbols;
  const std::int64_t subcarriers = std::int64_t{12} * pusch.prb_size;
  const std::size_t plane = static_cast<std::size_t>(symbols * subcarriers);
  airan::gpu::DeviceBuffer<float> rx(8 * plane), ls(32 * plane), side(7 * plane);
  PuschFrontEndOptions options;
  options.estimator.frequency_interpolation = FrequencyInterpolation::linear;
  front.upload_grid(grid);
  front.build_neural_inputs(pusch, slot, options, {rx.data(), ls.data(), side.data()});
  front.synchronize();
  std::vector<float> host_rx(8 * plane), host_ls(32 * plane), host_side(7 * plane);
  rx.copy_to_host(host_rx, nullptr);
  ls.copy_to_host(host_ls, nullptr);
  side.copy_to_host(host_side, nullptr);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  OnnxExecutor executor(model, {.num_threads = 2});
  const std::vector<std::int64_t> rx_shape{1, 8, symbols, subcarriers};
  const std::vector<std::int64_t> ls_shape{1, 32, symbols, subcarriers};
  const std::vector<std::int64_t> side_shape{1, 7, symbols, subcarriers};
  std::vector<ConstTensorView> views(3);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string& name = executor.inputs()[i].name;
    views[i] = name == "rx_grid"      ? ConstTensorView{host_rx, rx_shape}
               : name == "ls_channel" ? ConstTensorView{host_ls, ls_shape}
                                      : ConstTensorView{host_side, side_shape};
  }
  executor.run(views);
  const ConstTensorView llr = executor.output(0);
  const std::size_t g = pusch_coded_bits(cell, pusch);
  std::vector<std::uint32_t> positions(g);
  neural_llr_positions(cell, pusch, positions);
  std::vector<float> llrs(g);
  for (std::size_t i = 0; i < g; ++i) {
    llrs[i] = llr.data[positions[i]];
  }
  descramble_llrs(llrs, pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
  return llrs;
}

/// Sign flips of \p got against \p expected among the bits whose expected LLR is not within
/// 1e-3 of the largest magnitude of zero (there fp32 rounding decides the sign).
std::size_t sign_flips(const std::vector<float>& got, const std::vector<float>& expected) {
  float scale = 0.0F;
  for (const float v : expected) {
    scale = std::max(scale, std::abs(v));
  }
  std::size_t flips = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::abs(expected[i]) >= 1e-3F * scale && (got[i] >= 0.0F) != (expected[i] >= 0.0F)) {
      ++flips;
    }
  }
  return flips;
}

// Two slots A and B of each case, detected A, B, A on one device detector (the first run
// direct, then the plan's CUDA graph on fresh inputs each time).
TEST(GpuNeuralPuschDetector, LlrsAndMeasurementsMatchTheCpuDetector) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  // The committed model takes 1-4 layers (airan.max_layers 4), so every case runs.
  const auto model = load_neural_receiver_model(trained_model);
  for (std::size_t n = 0; n < neural_cases().size(); ++n) {
    const Case& c = neural_cases()[n];
    const Link link = make_neural_link(c);
    const CellConfig& cell = link.scenario.cell;
    const std::size_t g = pusch_coded_bits(cell, link.pusch);
    const PuschFrontEndLimits limits{c.rx, c.layers, c.prbs};
    struct Slot {
      ResourceGrid grid;
      unsigned number = 0;
      std::vector<float> cpu_llrs;    ///< CPU detector, descrambled.
      std::vector<float> model_llrs;  ///< CPU executor on the device-built inputs.
      PuschMeasurements measurements; ///< CPU detector's.
    };
    std::vector<Slot> slots;
    NeuralPuschDetector cpu(model, limits, 2);
    for (std::size_t k = 0; k < 2; ++k) {
      apps::SlotSimulator simulator(link.scenario);
      simulator.reseed_channel(40 + 2 * n + k);
      simulator.simulate(std::span(&link.pusch, 1), 5 + n, 50 + n + 7 * k, 60 + n + 7 * k,
                         noise_variance_from_snr_db(c.snr_db));
      Slot slot{simulator.received_grid(), simulator.slot_number(), std::vector<float>(g), {}, {}};
      slot.measurements = cpu.detect(slot.grid, cell, link.pusch, slot.number, slot.cpu_llrs);
      descramble_llrs(slot.cpu_llrs,
                      pusch_scrambling_init(link.pusch.rnti, link.pusch.data_scrambling_id));
      slot.model_llrs = cpu_model_on_device_inputs(*model, link, slot.grid, slot.number);
      slots.push_back(std::move(slot));
    }

    const auto gpu = airan::gpu::make_gpu_neural_detector_factory(cell, model)(limits, 1);
    ASSERT_TRUE(gpu->writes_descrambled_llrs());
    std::vector<float> got(g);
    for (const unsigned k : {0U, 1U, 0U}) {
      const Slot& slot = slots[k];
      const std::string what = "case " + std::to_string(n) + " slot " + std::to_string(k);
      const PuschMeasurements m = gpu->detect(slot.grid, cell, link.pusch, slot.number, got);
      EXPECT_LE(relative_max_error(got, slot.model_llrs), 1e-4F) << what;
      EXPECT_LE(sign_flips(got, slot.cpu_llrs), g / 10000) << what;
      const PuschMeasurements& e = slot.measurements;
      EXPECT_NEAR(m.noise_variance, e.noise_variance, 1e-4F * e.noise_variance) << what;
      EXPECT_NEAR(m.rsrp, e.rsrp, 1e-4F * e.rsrp) << what;
      EXPECT_NEAR(m.sinr_db, e.sinr_db, 2e-3F) << what; // from RSRP and noise, 1e-4 each
      EXPECT_NEAR(m.post_eq_sinr_db, e.post_eq_sinr_db, 2e-3F) << what;
      EXPECT_NEAR(m.delay_s, e.delay_s, 1e-4 * std::abs(e.delay_s) + 1e-12) << what;
      ASSERT_EQ(m.cfo_hz.has_value(), e.cfo_hz.has_value()) << what;
      if (e.cfo_hz) {
        EXPECT_NEAR(*m.cfo_hz, *e.cfo_hz, 1e-3F * std::abs(*e.cfo_hz) + 0.1F) << what;
      }
      EXPECT_EQ(m.evm, 0.0F);
    }
  }
}

#endif

/// A receiver of \p rx antennas and up to 2 layers behind the neural receiver \p model: on the
/// CPU, or with \p device_cell on the device for that cell, with the device UL-SCH decoder.
template <class Model>
PuschReceiverConfig neural_receiver_config(unsigned rx, const Model& model,
                                           const CellConfig* device_cell) {
  PuschReceiverConfig config;
  config.num_rx_antennas = rx;
  config.max_layers = 2;
  if (device_cell == nullptr) {
    config.detector = make_neural_detector_factory(model);
  } else {
    config.detector = airan::gpu::make_gpu_neural_detector_factory(*device_cell, model);
    config.ulsch_decoder = airan::gpu::make_gpu_ulsch_decoder_factory(0);
  }
  return config;
}

TEST(GpuNeuralPuschDetector, ReceiverDecodesAsTheCpuNeuralReceiver) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  const auto model = load_neural_receiver_model(trained_model);
  for (const apps::ChannelDomain domain :
       {apps::ChannelDomain::frequency, apps::ChannelDomain::time}) {
    const Case c{106, 4, 1, DmrsConfigType::type1, 1, 1, 2, false, 14, 10.0F};
    const Link link = make_neural_link(c, domain);
    const CellConfig& cell = link.scenario.cell;
    PuschReceiver cpu(cell, neural_receiver_config(c.rx, model, nullptr));
    PuschReceiver gpu(cell, neural_receiver_config(c.rx, model, &cell));

    apps::SlotSimulator simulator(link.scenario);
    unsigned decoded = 0;
    for (unsigned slot_index = 0; slot_index < 12; ++slot_index) {
      simulator.reseed_channel(100 + slot_index);
      simulator.simulate(std::span(&link.pusch, 1), slot_index, 200 + slot_index, 300 + slot_index,
                         noise_variance_from_snr_db(c.snr_db));
      std::vector<PuschPduResult> a, b;
      if (domain == apps::ChannelDomain::time) {
        cpu.process_slot_iq(simulator.received_iq(), simulator.slot_number(),
                            std::span(&link.pusch, 1), a);
        gpu.process_slot_iq(simulator.received_iq(), simulator.slot_number(),
                            std::span(&link.pusch, 1), b);
      } else {
        cpu.process_slot(simulator.received_grid(), simulator.slot_number(),
                         std::span(&link.pusch, 1), a);
        gpu.process_slot(simulator.received_grid(), simulator.slot_number(),
                         std::span(&link.pusch, 1), b);
      }
      ASSERT_EQ(a.size(), 1U);
      ASSERT_EQ(b.size(), 1U);
      EXPECT_EQ(b[0].error, "") << "slot " << slot_index;
      EXPECT_EQ(a[0].tb_crc_ok, b[0].tb_crc_ok) << "slot " << slot_index;
      if (a[0].tb_crc_ok && b[0].tb_crc_ok) {
        EXPECT_EQ(a[0].tb_bits, b[0].tb_bits);
        EXPECT_EQ(b[0].tb_bits, simulator.tb_bits(0));
        ++decoded;
      }
      EXPECT_NEAR(b[0].measurements.noise_variance, a[0].measurements.noise_variance,
                  1e-4F * a[0].measurements.noise_variance);
      EXPECT_NEAR(b[0].measurements.post_eq_sinr_db, a[0].measurements.post_eq_sinr_db, 1e-3F);
    }
    EXPECT_GT(decoded, 0U) << "no TB decoded: the case tests nothing";
    // A new HARQ process per slot would be needed for retransmissions; every slot is new data.
  }
}

// UCI on PUSCH behind the device detector whose other LLRs stay on the device: it hands the UCI
// PDUs' LLRs to the host (PuschDetector::takes_uci_on_pusch()), the receiver demultiplexes them:
// HARQ-ACK and CSI part 1 as the CPU neural receiver decodes them and as sent, with a TB and
// without (a UCI-only PUSCH), the TB as the CPU's.
TEST(GpuNeuralPuschDetector, UciPdusDecodeAsTheCpuNeuralReceiver) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  const auto model = load_neural_receiver_model(trained_model);
  const Case c{51, 4, 1, DmrsConfigType::type1, 1, 1, 2, false, 10, 14.0F};
  for (const bool ulsch : {true, false}) {
    SCOPED_TRACE(ulsch ? "with UL-SCH" : "UCI only");
    Link link = make_neural_link(c, apps::ChannelDomain::time);
    link.pusch.uci = {2, 9, 0, 3, 9, 9, 9};
    link.pusch.ulsch = ulsch;
    const CellConfig& cell = link.scenario.cell;
    PuschReceiver cpu(cell, neural_receiver_config(c.rx, model, nullptr));
    PuschReceiver gpu(cell, neural_receiver_config(c.rx, model, &cell));
    EXPECT_TRUE(gpu.takes_uci());
    apps::SlotSimulator simulator(link.scenario);
    simulator.simulate(std::span(&link.pusch, 1), 4, 5, 6, noise_variance_from_snr_db(c.snr_db));
    std::vector<PuschPduResult> a;
    std::vector<PuschPduResult> b;
    cpu.process_slot_iq(simulator.received_iq(), simulator.slot_number(), std::span(&link.pusch, 1),
                        a);
    gpu.process_slot_iq(simulator.received_iq(), simulator.slot_number(), std::span(&link.pusch, 1),
                        b);
    ASSERT_EQ(b.size(), 1U);
    EXPECT_EQ(b[0].error, "");
    ASSERT_TRUE(b[0].uci.decoded);
    EXPECT_EQ(b[0].uci.harq_ack, a[0].uci.harq_ack);
    EXPECT_EQ(b[0].uci.csi_part1, a[0].uci.csi_part1);
    EXPECT_EQ(b[0].uci.harq_ack, simulator.uci_bits(0).harq_ack);
    EXPECT_EQ(b[0].uci.csi_part1, simulator.uci_bits(0).csi_part1);
    EXPECT_EQ(b[0].tb_crc_ok, a[0].tb_crc_ok);
    if (ulsch) {
      EXPECT_TRUE(b[0].tb_crc_ok);
      EXPECT_EQ(b[0].tb_bits, simulator.tb_bits(0));
    }
  }
}

TEST(GpuNeuralPuschDetector, RefusesWhatTheModelCannotTake) {
  const auto model = load_neural_receiver_model(trained_model);
  CellConfig cell;
  cell.num_prbs = 24;
  const auto factory = airan::gpu::make_gpu_neural_detector_factory(cell, model);
  EXPECT_THROW(factory({8, 1, 24}, 1), std::invalid_argument); // more than 4 Rx, before CUDA
  EXPECT_THROW(airan::gpu::make_gpu_neural_detector_factory(cell, nullptr), std::invalid_argument);
  if (no_device()) {
    EXPECT_THROW(factory({4, 1, 24}, 1), std::runtime_error);
    return;
  }
  // A PDU with more layers than the model's airan.max_layers (2) is an error for that PDU.
  const auto limited = load_neural_receiver_model(two_layer_model);
  const Case c{24, 4, 4, DmrsConfigType::type1, 1, 1, 2, false, 10, 25.0F};
  const Link link = make_neural_link(c);
  PuschReceiverConfig config;
  config.num_rx_antennas = c.rx;
  config.max_layers = c.layers;
  config.detector = airan::gpu::make_gpu_neural_detector_factory(link.scenario.cell, limited);
  PuschReceiver receiver(link.scenario.cell, config);
  apps::SlotSimulator simulator(link.scenario);
  simulator.simulate(std::span(&link.pusch, 1), 0, 1, 2, noise_variance_from_snr_db(c.snr_db));
  std::vector<PuschPduResult> results;
  receiver.process_slot(simulator.received_grid(), simulator.slot_number(),
                        std::span(&link.pusch, 1), results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_NE(results[0].error.find("at most 2 layer(s)"), std::string::npos) << results[0].error;
}

} // namespace
