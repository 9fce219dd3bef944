// Neural PUSCH detector: the I/O contract check names what a model gets wrong; the detector's
// LLRs are the model's output at the codeword positions, identical for any thread count; the
// committed trained model decodes TBs through PuschReceiver over a fading channel; a detector
// takes no genie and no more than 4 receive antennas.
#include "airan/apps/link_simulation.h"
#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"
#include "onnx_test_support.h"

#include "../../support/sanitizer_sweeps.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy::nn {
namespace {

using test::small_model;

const std::filesystem::path models_dir = AIRAN_MODELS_DIR;
const std::filesystem::path trained_model = models_dir / "neural_receiver.onnx";
/// The committed model before stage 4, trained on 1-2 layers (docs/NEURAL_RECEIVER.md).
const std::filesystem::path two_layer_model =
    models_dir / "pretrained" / "neural_receiver_stage3.onnx";

apps::LinkScenario make_scenario(unsigned num_prbs, unsigned num_rx, const std::string& channel,
                                 double doppler_hz) {
  apps::LinkScenario scenario;
  scenario.cell.num_prbs = num_prbs;
  scenario.cell.numerology = 1;
  scenario.cell.n_cell_id = 1;
  scenario.num_rx_antennas = num_rx;
  scenario.channel.model = channel;
  scenario.channel.max_doppler_hz = doppler_hz;
  return scenario;
}

PuschConfig make_pusch(unsigned num_prbs, unsigned mcs) {
  PuschConfig p;
  p.rnti = 0x4601;
  p.bwp_size = num_prbs;
  p.prb_size = num_prbs;
  p.num_symbols = 14;
  p.dmrs_additional_position = 1;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.dmrs_scrambling_id = 1;
  p.data_scrambling_id = 1;
  p.mcs_index = mcs;
  return p;
}

/// A PuschReceiver configuration whose detector is the neural one with `model`.
PuschReceiverConfig neural_receiver_config(std::shared_ptr<const OnnxModel> model, unsigned num_rx,
                                           unsigned max_layers, unsigned num_threads) {
  PuschReceiverConfig config;
  config.num_rx_antennas = num_rx;
  config.max_layers = max_layers;
  config.num_threads = num_threads;
  config.detector = make_neural_detector_factory(std::move(model));
  return config;
}

/// Simulates and receives `slots` slots of `pusch` at `snr_db` (channel, payload and noise seeds
/// from `seed`); every PDU must come back without an error and a detection time. Returns how many
/// TBs decoded, each checked against the transmitted bits.
unsigned receive_slots(PuschReceiver& receiver, apps::SlotSimulator& simulator,
                       const PuschConfig& pusch, unsigned slots, unsigned seed, double snr_db) {
  std::vector<PuschPduResult> results;
  unsigned decoded = 0;
  for (unsigned s = 0; s < slots; ++s) {
    simulator.reseed_channel(seed + s);
    simulator.simulate(std::span(&pusch, 1), s, seed + 100 + s, seed + 200 + s,
                       noise_variance_from_snr_db(snr_db));
    receiver.process_slot(simulator.received_grid(), simulator.slot_number(), std::span(&pusch, 1),
                          results);
    if (results.size() != 1 || !results[0].error.empty() ||
        !(results[0].times.detection_us > 0.0)) {
      ADD_FAILURE() << "slot " << s << ": " << results.size() << " results"
                    << (results.empty() ? "" : ", error '" + results[0].error + "'");
      continue;
    }
    if (results[0].tb_crc_ok) {
      ++decoded;
      EXPECT_EQ(results[0].tb_bits, simulator.tb_bits(0));
    }
  }
  return decoded;
}

std::string contract_error(const OnnxModel& model) {
  try {
    check_neural_receiver_model(model, "test.onnx");
  } catch (const OnnxError& e) {
    return e.what();
  }
  return "";
}

TEST(NeuralReceiverModel, ContractCheckNamesWhatIsWrong) {
  const OnnxModel model = read_onnx_model(small_model);
  EXPECT_EQ(contract_error(model), "");

  OnnxModel renamed = model;
  renamed.graph.inputs[0].name = "grid";
  EXPECT_NE(contract_error(renamed).find("no input 'rx_grid'"), std::string::npos)
      << contract_error(renamed);

  OnnxModel wrong_channels = model;
  wrong_channels.graph.outputs[0].dims[1] = 16;
  EXPECT_NE(contract_error(wrong_channels).find("'llr' must have 32 channels"), std::string::npos)
      << contract_error(wrong_channels);

  OnnxModel two_inputs = model;
  two_inputs.graph.inputs.pop_back();
  EXPECT_NE(contract_error(two_inputs).find("takes 3 inputs"), std::string::npos);

  EXPECT_THROW(load_neural_receiver_model(models_dir / "no_such_model.onnx"), OnnxError);
}

TEST(NeuralPuschDetector, LlrsAreTheModelOutputAtTheCodewordPositions) {
  const auto model = load_neural_receiver_model(small_model);
  const apps::LinkScenario scenario = make_scenario(8, 3, "TDL-C300", 100.0);
  const PuschConfig pusch = make_pusch(8, 16);
  apps::SlotSimulator simulator(scenario);
  simulator.reseed_channel(5);
  simulator.simulate(std::span(&pusch, 1), 3, 6, 7, noise_variance_from_snr_db(15.0));
  const ResourceGrid& grid = simulator.received_grid();
  const unsigned slot = simulator.slot_number();

  const std::size_t g = pusch_coded_bits(scenario.cell, pusch);
  std::vector<float> one(g), two(g);
  NeuralPuschDetector detector_one(model, {3, 1, 8}, 1);
  NeuralPuschDetector detector_two(model, {3, 1, 8}, 2);
  const PuschMeasurements measurements = detector_one.detect(grid, scenario.cell, pusch, slot, one);
  detector_two.detect(grid, scenario.cell, pusch, slot, two);
  EXPECT_EQ(one, two);
  EXPECT_GT(measurements.sinr_db, 5.0F);

  // The same computation by hand: inputs, executor, positions.
  NeuralReceiverInputs inputs(8);
  inputs.build(grid, scenario.cell, pusch, slot);
  OnnxExecutor executor(*model);
  const auto rx_shape = inputs.shape(neural_rx_grid_channels);
  const auto ls_shape = inputs.shape(neural_ls_channel_channels);
  const auto side_shape = inputs.shape(neural_side_info_channels);
  std::vector<ConstTensorView> views(3);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string& name = executor.inputs()[i].name;
    if (name == "rx_grid") {
      views[i] = {inputs.rx_grid(), rx_shape};
    } else if (name == "ls_channel") {
      views[i] = {inputs.ls_channel(), ls_shape};
    } else {
      views[i] = {inputs.side_info(), side_shape};
    }
  }
  executor.run(views);
  const ConstTensorView llr = executor.output(0);
  std::vector<std::uint32_t> positions(g);
  neural_llr_positions(scenario.cell, pusch, positions);
  for (std::size_t i = 0; i < g; ++i) {
    ASSERT_EQ(one[i], llr.data[positions[i]]) << "bit " << i;
  }
  std::vector<float> wrong(g - 1);
  EXPECT_THROW(detector_one.detect(grid, scenario.cell, pusch, slot, wrong), std::invalid_argument);
}

TEST(NeuralPuschDetector, ReportsThePostEqualizationSinrOfItsInputs) {
  // MMSE on the model's LS inputs: close to what the classical front end (LS + interpolation +
  // MMSE) reports on the same slot, and rising with the SNR.
  const auto model = load_neural_receiver_model(small_model);
  const apps::LinkScenario scenario = make_scenario(8, 3, "TDL-C300", 100.0);
  const PuschConfig pusch = make_pusch(8, 16);
  NeuralPuschDetector detector(model, {3, 1, 8}, 1);
  PuschFrontEnd classical({3, 1, 8});
  std::vector<float> llrs(pusch_coded_bits(scenario.cell, pusch));
  float previous = -100.0F;
  for (const double snr_db : {0.0, 10.0, 20.0}) {
    apps::SlotSimulator simulator(scenario);
    simulator.reseed_channel(5);
    simulator.simulate(std::span(&pusch, 1), 3, 6, 7, noise_variance_from_snr_db(snr_db));
    const ResourceGrid& grid = simulator.received_grid();
    const unsigned slot = simulator.slot_number();
    const float neural = detector.detect(grid, scenario.cell, pusch, slot, llrs).post_eq_sinr_db;
    const float reference =
        classical.process(grid, scenario.cell, pusch, slot, {}, llrs).post_eq_sinr_db;
    EXPECT_NEAR(neural, reference, 1.5) << snr_db << " dB";
    EXPECT_GT(neural, previous + 3.0F) << snr_db << " dB";
    previous = neural;
  }
}

TEST(NeuralPuschDetector, RefusesLimitsBeyondTheModel) {
  const auto model = load_neural_receiver_model(small_model);
  EXPECT_THROW(NeuralPuschDetector(model, {5, 1, 10}, 1), std::invalid_argument);
  EXPECT_THROW(NeuralPuschDetector(nullptr, {1, 1, 10}, 1), std::invalid_argument);
  // A model outside the contract is refused by the constructor itself (a fourth input wrote past
  // its 3-entry input order).
  auto four_inputs = std::make_shared<OnnxModel>(*model);
  four_inputs->graph.inputs.push_back(four_inputs->graph.inputs[0]);
  four_inputs->graph.inputs.back().name = "extra";
  EXPECT_THROW(NeuralPuschDetector(four_inputs, {1, 1, 10}, 1), OnnxError);
  CellConfig cell;
  cell.num_prbs = 10;
  PuschReceiverConfig config;
  config.num_rx_antennas = 8;
  config.detector = make_neural_detector_factory(model);
  EXPECT_THROW(PuschReceiver(cell, config), std::invalid_argument);
}

TEST(NeuralReceiverModel, MaxLayersMetadataIsCheckedAndKeptThroughSerialization) {
  OnnxModel model = read_onnx_model(small_model);
  EXPECT_EQ(neural_receiver_max_layers(model, "test.onnx"), neural_max_layers); // none: 4
  model.metadata.emplace_back("producer.note", "kept");
  model.metadata.emplace_back(neural_max_layers_key, "2");
  const std::string bytes = serialize_onnx_model(model);
  const OnnxModel reread =
      parse_onnx_model(std::as_bytes(std::span(bytes.data(), bytes.size())), "reread.onnx");
  EXPECT_EQ(reread.metadata, model.metadata);
  EXPECT_EQ(neural_receiver_max_layers(reread, "reread.onnx"), 2U);
  EXPECT_EQ(contract_error(reread), "");
  for (const char* bad : {"0", "5", "two", "", "12"}) {
    OnnxModel wrong = model;
    wrong.metadata.back().second = bad;
    EXPECT_NE(contract_error(wrong).find("'airan.max_layers' must be 1 to 4"), std::string::npos)
        << bad << ": " << contract_error(wrong);
  }
  // The committed model was trained on 1-4 layers, stage 3 on 1 and 2, and they say so.
  EXPECT_EQ(neural_receiver_max_layers(read_onnx_model(trained_model), "trained"), 4U);
  EXPECT_EQ(neural_receiver_max_layers(read_onnx_model(two_layer_model), "stage 3"), 2U);
}

/// Through the receiver: an error \p error for \p pusch (the simulator's last slot), nothing
/// decoded, and the receiver goes on.
void expect_refused_by_the_receiver(const std::shared_ptr<const OnnxModel>& model,
                                    const apps::LinkScenario& scenario,
                                    const apps::SlotSimulator& simulator, const PuschConfig& pusch,
                                    unsigned max_layers, const std::string& error) {
  PuschReceiver receiver(scenario.cell, neural_receiver_config(model, 2, max_layers, 1));
  std::vector<PuschPduResult> results;
  receiver.process_slot(simulator.received_grid(), simulator.slot_number(), std::span(&pusch, 1),
                        results);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_NE(results[0].error.find(error), std::string::npos) << results[0].error;
}

TEST(NeuralPuschDetector, RefusesPdusWithMoreLayersThanTheModelTakes) {
  OnnxModel limited = read_onnx_model(small_model);
  limited.metadata.emplace_back(neural_max_layers_key, "1");
  const auto model = std::make_shared<const OnnxModel>(std::move(limited));
  apps::LinkScenario scenario = make_scenario(8, 2, "TDL-A30", 10.0);
  scenario.cell.num_antenna_ports = 2;
  PuschConfig pusch = make_pusch(8, 10);
  pusch.num_layers = 2;
  pusch.dmrs_ports = 0x3;
  apps::SlotSimulator simulator(scenario);
  simulator.simulate(std::span(&pusch, 1), 0, 1, 2, noise_variance_from_snr_db(20.0));
  NeuralPuschDetector detector(model, {2, 2, 8}, 1);
  std::vector<float> llrs(pusch_coded_bits(scenario.cell, pusch));
  try {
    detector.detect(simulator.received_grid(), scenario.cell, pusch, simulator.slot_number(), llrs);
    FAIL() << "a 2-layer PDU was detected by a 1-layer model";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("at most 1 layer(s)"), std::string::npos) << e.what();
  }
  expect_refused_by_the_receiver(model, scenario, simulator, pusch, 2, "at most 1 layer(s)");
}

// The models' training data had DMRS type 2 with two CDM groups without data and layer 0 on
// port 0: data on the DMRS symbols +1.5 and +2.5 subcarriers from layer 0's DMRS (type 2 with one
// CDM group without data, or layer 0 on port 1002 / 1003) were never trained, and are refused
// unless the model says "airan.dmrs_layouts" = "all".
TEST(NeuralPuschDetector, RefusesDmrsLayoutsTheTrainingNeverHad) {
  PuschConfig pusch = make_pusch(8, 10);
  pusch.dmrs_config_type = DmrsConfigType::type2;
  const auto refusal = [&](bool all_layouts) {
    try {
      check_neural_pdu_dmrs(all_layouts, pusch, "test");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  pusch.num_dmrs_cdm_groups_no_data = 2; // trained: data only beside CDM group 2
  EXPECT_EQ(refusal(false), "");
  pusch.num_dmrs_cdm_groups_no_data = 3; // no data on the DMRS symbols
  EXPECT_EQ(refusal(false), "");
  pusch.num_dmrs_cdm_groups_no_data = 1;
  EXPECT_NE(refusal(false).find("never trained"), std::string::npos) << refusal(false);
  EXPECT_EQ(refusal(true), "");
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_ports = 0x4; // port 1002, CDM group 1
  EXPECT_NE(refusal(false).find("port 1002"), std::string::npos) << refusal(false);
  pusch.dmrs_ports = 0x2; // port 1001, CDM group 0 as port 1000
  EXPECT_EQ(refusal(false), "");
  pusch.dmrs_config_type = DmrsConfigType::type1; // type 1: every layout was drawn
  pusch.num_dmrs_cdm_groups_no_data = 1;
  pusch.dmrs_ports = 0x1;
  EXPECT_EQ(refusal(false), "");

  // The key is read and checked; the committed models have none.
  OnnxModel model = read_onnx_model(small_model);
  EXPECT_FALSE(neural_receiver_takes_all_dmrs_layouts(model, "small"));
  EXPECT_FALSE(neural_receiver_takes_all_dmrs_layouts(read_onnx_model(trained_model), "trained"));
  model.metadata.emplace_back(neural_dmrs_layouts_key, "all");
  EXPECT_TRUE(neural_receiver_takes_all_dmrs_layouts(model, "small"));
  EXPECT_EQ(contract_error(model), "");
  model.metadata.back().second = "some";
  EXPECT_NE(contract_error(model).find("'airan.dmrs_layouts' must be 'all'"), std::string::npos)
      << contract_error(model);

  // Through the receiver: an error for that PDU, nothing decoded, the receiver goes on.
  const auto shared = std::make_shared<const OnnxModel>(read_onnx_model(small_model));
  const apps::LinkScenario scenario = make_scenario(8, 2, "TDL-A30", 10.0);
  PuschConfig type2 = make_pusch(8, 10);
  type2.dmrs_config_type = DmrsConfigType::type2;
  type2.num_dmrs_cdm_groups_no_data = 1;
  apps::SlotSimulator simulator(scenario);
  simulator.simulate(std::span(&type2, 1), 0, 1, 2, noise_variance_from_snr_db(20.0));
  expect_refused_by_the_receiver(shared, scenario, simulator, type2, 1, "never trained");
}

TEST(NeuralPuschDetector, TrainedModelDecodesThroughThePuschReceiver) {
  if (!std::filesystem::exists(trained_model)) {
    GTEST_FAIL() << trained_model << " is missing (models/train_neural_receiver.py writes it)";
  }
  const auto model = load_neural_receiver_model(trained_model);
  const apps::LinkScenario scenario = make_scenario(24, 4, "TDL-B100", 400.0);
  const PuschConfig pusch = make_pusch(24, 14);
  PuschReceiver receiver(scenario.cell, neural_receiver_config(model, 4, 1, 2));
  apps::SlotSimulator simulator(scenario);
  // 16-QAM R 0.54 at 12 dB with 4 Rx is well above the waterfall of every receiver (10 slots, 3
  // under the sanitizers).
  const unsigned slots = 10 / airan::test::sweep_stride(3);
  EXPECT_EQ(receive_slots(receiver, simulator, pusch, slots, 100, 12.0), slots);
  std::vector<PuschPduResult> results;

  // A detector takes no genie.
  const PerfectCsi genie{&simulator.true_channel(), 0.1F};
  receiver.process_slot(simulator.received_grid(), simulator.slot_number(), std::span(&pusch, 1),
                        results, &genie);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_NE(results[0].error.find("no perfect CSI"), std::string::npos);
}

TEST(NeuralPuschDetector, TrainedModelDecodesFourLayers) {
  // Trained on 1-4 layers (stage 4): 4 layers over 4 Rx well above its waterfall decode.
  const auto model = load_neural_receiver_model(trained_model);
  apps::LinkScenario scenario = make_scenario(24, 4, "TDL-A30", 10.0);
  scenario.cell.num_antenna_ports = 4;
  PuschConfig pusch = make_pusch(24, 14);
  pusch.num_layers = 4;
  pusch.dmrs_ports = 0xF;
  PuschReceiver receiver(scenario.cell, neural_receiver_config(model, 4, 4, 2));
  apps::SlotSimulator simulator(scenario);
  const unsigned slots = 6 / airan::test::sweep_stride(3);
  EXPECT_EQ(receive_slots(receiver, simulator, pusch, slots, 500, 24.0), slots);
}

} // namespace
} // namespace airan::phy::nn
