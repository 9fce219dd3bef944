#include "airan/phy/nn/neural_pusch_detector.h"

#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/mimo_equalizer.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/pusch_transmitter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy::nn {
namespace {

/// Post-equalization SINR (dB) that MMSE would reach with the model's own inputs: per RE of the
/// non-DMRS symbols, the LS channel estimate of ls_channel and the DMRS noise variance through
/// equalize_resource_element(); 1 / (mean noise-plus-interference variance) over those REs and
/// the layers, capped at 100 dB like the classical front end's. Does not allocate.
float post_equalization_sinr_db(const NeuralReceiverInputs& inputs, unsigned num_rx,
                                unsigned num_layers, float noise_variance) {
  const std::size_t plane =
      static_cast<std::size_t>(inputs.num_symbols()) * inputs.num_subcarriers();
  const std::span<const float> rx = inputs.rx_grid();
  const std::span<const float> ls = inputs.ls_channel();
  const std::span<const float> side = inputs.side_info();
  constexpr std::size_t dmrs_distance_channel = 5;
  const float noise = std::max(noise_variance, 1e-12F);
  double noise_sum = 0.0;
  std::size_t count = 0;
  for (std::size_t re = 0; re < plane; ++re) {
    if (side[dmrs_distance_channel * plane + re] == 0.0F) {
      continue; // a DMRS symbol
    }
    std::array<cmat::Complex, std::size_t{neural_max_rx_antennas} * neural_max_layers> h{};
    std::array<cmat::Complex, neural_max_rx_antennas> y{};
    for (unsigned a = 0; a < num_rx; ++a) {
      y[a] = {rx[(std::size_t{2} * a) * plane + re], rx[(std::size_t{2} * a + 1) * plane + re]};
      for (unsigned l = 0; l < num_layers; ++l) {
        const std::size_t c = 2 * (std::size_t{neural_max_layers} * a + l);
        h[a * neural_max_layers + l] = {ls[c * plane + re], ls[(c + 1) * plane + re]};
      }
    }
    std::array<cmat::Complex, neural_max_layers> x{};
    std::array<float, neural_max_layers> post_noise{};
    equalize_resource_element<neural_max_layers>(h.data(), neural_max_layers, y.data(), num_rx,
                                                 num_layers, noise, true, x.data(),
                                                 post_noise.data());
    for (unsigned l = 0; l < num_layers; ++l) {
      if (std::isfinite(post_noise[l])) {
        noise_sum += post_noise[l];
        ++count;
      }
    }
  }
  const double mean_noise = count == 0 ? 0.0 : noise_sum / static_cast<double>(count);
  return mean_noise > 1e-10 ? std::min(static_cast<float>(-10.0 * std::log10(mean_noise)), 100.0F)
                            : 100.0F;
}

/// Channel count each named tensor must have.
struct ContractEntry {
  const char* name;
  std::int64_t channels;
};
constexpr std::array<ContractEntry, 3> input_contract{
    {{neural_rx_grid_name, neural_rx_grid_channels},
     {neural_ls_channel_name, neural_ls_channel_channels},
     {neural_side_info_name, neural_side_info_channels}}};

void check_value(const OnnxValueInfo& value, std::int64_t channels, const std::string& source) {
  if (value.elem_type != 1) {
    throw OnnxError(source + ": tensor '" + value.name + "' must be float32");
  }
  if (value.dims.size() != 4) {
    throw OnnxError(source + ": tensor '" + value.name + "' must have rank 4 [1, C, S, F], not " +
                    std::to_string(value.dims.size()));
  }
  if (value.dims[1].has_value() && *value.dims[1] != channels) {
    throw OnnxError(source + ": tensor '" + value.name + "' must have " + std::to_string(channels) +
                    " channels, not " + std::to_string(*value.dims[1]));
  }
  if (value.dims[0].has_value() && *value.dims[0] != 1) {
    throw OnnxError(source + ": tensor '" + value.name + "' must take batch 1");
  }
}

/// Index of the input called \p name in \p inputs. \throws OnnxError when missing.
std::size_t input_index(const std::vector<OnnxValueInfo>& inputs, const char* name,
                        const std::string& source) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) {
      return i;
    }
  }
  throw OnnxError(source + ": the model has no input '" + std::string(name) +
                  "' (a neural receiver takes rx_grid, ls_channel and side_info)");
}

} // namespace

unsigned neural_receiver_max_layers(const OnnxModel& model, const std::string& source_name) {
  for (const auto& [key, value] : model.metadata) {
    if (key != neural_max_layers_key) {
      continue;
    }
    if (value.size() != 1 || value[0] < '1' ||
        value[0] > static_cast<char>('0' + neural_max_layers)) {
      std::string message = source_name;
      message += ": metadata '" + key + "' must be 1 to ";
      message += std::to_string(neural_max_layers);
      message += ", not '" + value + "'";
      throw OnnxError(message);
    }
    return static_cast<unsigned>(value[0] - '0');
  }
  return neural_max_layers;
}

void check_neural_pdu_layers(unsigned max_layers, const PuschConfig& pusch, const char* who) {
  if (pusch.num_layers > max_layers) {
    throw std::invalid_argument(std::string(who) + ": the model takes at most " +
                                std::to_string(max_layers) + " layer(s) (its '" +
                                neural_max_layers_key + "'), the PDU has " +
                                std::to_string(pusch.num_layers));
  }
}

bool neural_receiver_takes_all_dmrs_layouts(const OnnxModel& model,
                                            const std::string& source_name) {
  for (const auto& [key, value] : model.metadata) {
    if (key != neural_dmrs_layouts_key) {
      continue;
    }
    if (value != "all") {
      std::string message = source_name;
      message += ": metadata '" + key + "' must be 'all', not '";
      message += value;
      message += "'";
      throw OnnxError(message);
    }
    return true;
  }
  return false;
}

void check_neural_pdu_dmrs(bool all_layouts, const PuschConfig& pusch, const char* who) {
  if (all_layouts || pusch.dmrs_config_type != DmrsConfigType::type2 || pusch.num_layers == 0 ||
      pusch.dmrs_ports == 0) {
    return;
  }
  const unsigned layer0_port = pusch.dmrs_port_of_layer(0);
  const unsigned group = dmrs_port_params(DmrsConfigType::type2, layer0_port).cdm_group;
  if (pusch.num_dmrs_cdm_groups_no_data == 1 ||
      (pusch.num_dmrs_cdm_groups_no_data == 2 && group == 1)) {
    throw std::invalid_argument(
        std::string(who) + ": DMRS type 2 with " +
        std::to_string(pusch.num_dmrs_cdm_groups_no_data) +
        " CDM group(s) without data and layer 0 on port " + std::to_string(1000 + layer0_port) +
        " puts data on the DMRS symbols where the model was never trained (no '" +
        neural_dmrs_layouts_key + "' = 'all'): refused, the classical receivers take it");
  }
}

void check_neural_receiver_model(const OnnxModel& model, const std::string& source_name) {
  (void)neural_receiver_max_layers(model, source_name);
  (void)neural_receiver_takes_all_dmrs_layouts(model, source_name);
  const auto& inputs = model.graph.inputs;
  if (inputs.size() != input_contract.size()) {
    throw OnnxError(source_name +
                    ": a neural receiver takes 3 inputs (rx_grid, ls_channel, "
                    "side_info), this model " +
                    std::to_string(inputs.size()));
  }
  for (const ContractEntry& entry : input_contract) {
    check_value(inputs[input_index(inputs, entry.name, source_name)], entry.channels, source_name);
  }
  const auto& outputs = model.graph.outputs;
  if (outputs.size() != 1 || outputs[0].name != neural_llr_name) {
    throw OnnxError(source_name + ": a neural receiver has one output, 'llr'");
  }
  check_value(outputs[0], neural_llr_channels, source_name);
  // Every node must be supported: building an executor validates them.
  const OnnxExecutor executor(model);
}

std::shared_ptr<const OnnxModel> load_neural_receiver_model(const std::filesystem::path& path) {
  auto model = std::make_shared<OnnxModel>(read_onnx_model(path));
  check_neural_receiver_model(*model, path.string());
  return model;
}

struct NeuralPuschDetector::Impl {
  Impl(const OnnxModel& model, const PuschFrontEndLimits& limits, unsigned num_threads,
       const InferenceEngineFactory& engine)
      : inputs(limits.max_prbs), executor(engine(model, num_threads)),
        max_layers(neural_receiver_max_layers(model, "neural receiver")),
        all_dmrs_layouts(neural_receiver_takes_all_dmrs_layouts(model, "neural receiver")),
        positions(std::size_t{subcarriers_per_prb} * limits.max_prbs * max_symbols_per_slot *
                  neural_llr_channels) {
    if (!executor) {
      throw std::invalid_argument("neural PUSCH detector: the engine factory made no engine");
    }
    const auto& graph_inputs = executor->inputs();
    for (std::size_t i = 0; i < input_contract.size(); ++i) {
      order[input_index(graph_inputs, input_contract[i].name, "neural receiver")] = i;
    }
  }

  NeuralReceiverInputs inputs;
  std::unique_ptr<InferenceEngine> executor;
  unsigned max_layers;   ///< The model's neural_receiver_max_layers().
  bool all_dmrs_layouts; ///< The model's neural_receiver_takes_all_dmrs_layouts().
  std::vector<std::uint32_t> positions;
  std::array<std::size_t, 3> order{}; ///< order[i]: contract entry of executor input i.
};

NeuralPuschDetector::NeuralPuschDetector(const std::shared_ptr<const OnnxModel>& model,
                                         const PuschFrontEndLimits& limits, unsigned num_threads,
                                         const InferenceEngineFactory& engine) {
  if (!model) {
    throw std::invalid_argument("neural PUSCH detector: no model");
  }
  if (limits.max_rx_antennas > neural_max_rx_antennas || limits.max_layers > neural_max_layers) {
    throw std::invalid_argument("neural PUSCH detector: the neural receiver takes at most 4 "
                                "receive antennas and 4 layers, not " +
                                std::to_string(limits.max_rx_antennas) + " and " +
                                std::to_string(limits.max_layers));
  }
  // The contract first: the input order below has room for its 3 inputs only.
  check_neural_receiver_model(*model, "neural PUSCH detector");
  impl_ = std::make_unique<Impl>(*model, limits, std::max(num_threads, 1U), engine);
}

NeuralPuschDetector::~NeuralPuschDetector() = default;

std::string NeuralPuschDetector::engine_description() const {
  return impl_->executor->description();
}

PuschMeasurements NeuralPuschDetector::detect(const ResourceGrid& grid, const CellConfig& cell,
                                              const PuschConfig& pusch, unsigned slot,
                                              std::span<float> llrs) {
  Impl& s = *impl_;
  check_neural_pdu_layers(s.max_layers, pusch, "neural PUSCH detector");
  check_neural_pdu_dmrs(s.all_dmrs_layouts, pusch, "neural PUSCH detector");
  if (pusch.ptrs.enabled) {
    throw std::invalid_argument("neural PUSCH detector: PT-RS PDUs are refused (the model does not "
                                "track phase; the classical receivers take them)");
  }
  if (pusch.intra_slot_hopping) {
    throw std::invalid_argument("neural PUSCH detector: intra-slot hopping PDUs are refused (the "
                                "model sees one allocation; the classical receivers take them)");
  }
  const std::size_t g = pusch_coded_bits(cell, pusch);
  if (llrs.size() != g) {
    throw std::invalid_argument("neural PUSCH detector: " + std::to_string(llrs.size()) +
                                " LLRs for G = " + std::to_string(g));
  }
  s.inputs.build(grid, cell, pusch, slot);
  const std::array<std::span<const float>, 3> data{s.inputs.rx_grid(), s.inputs.ls_channel(),
                                                   s.inputs.side_info()};
  const std::array<std::array<std::int64_t, 4>, 3> shapes{
      s.inputs.shape(neural_rx_grid_channels), s.inputs.shape(neural_ls_channel_channels),
      s.inputs.shape(neural_side_info_channels)};
  std::array<ConstTensorView, 3> views{};
  for (std::size_t i = 0; i < views.size(); ++i) {
    views[i] = ConstTensorView{data[s.order[i]], shapes[s.order[i]]};
  }
  s.executor->run(views);
  const ConstTensorView llr = s.executor->output(0);
  const auto expected = s.inputs.shape(neural_llr_channels);
  if (!std::equal(llr.shape.begin(), llr.shape.end(), expected.begin(), expected.end())) {
    throw std::invalid_argument("neural PUSCH detector: the model's llr output has shape " +
                                shape_to_string(llr.shape) + ", expected " +
                                shape_to_string(expected));
  }
  const std::span<std::uint32_t> positions(s.positions.data(), g);
  neural_llr_positions(cell, pusch, positions);
  for (std::size_t i = 0; i < g; ++i) {
    llrs[i] = llr.data[positions[i]];
  }
  const DmrsMeasurements& dmrs = s.inputs.measurements();
  PuschMeasurements result;
  result.noise_variance = dmrs.noise_variance;
  result.rsrp = dmrs.rsrp;
  result.sinr_db = dmrs.sinr_db;
  result.cfo_hz = dmrs.cfo_hz;
  result.delay_s = dmrs.delay_s;
  result.post_eq_sinr_db =
      post_equalization_sinr_db(s.inputs, std::min(grid.num_ports(), neural_max_rx_antennas),
                                pusch.num_layers, dmrs.noise_variance);
  return result;
}

PuschDetectorFactory make_neural_detector_factory(std::shared_ptr<const OnnxModel> model,
                                                  InferenceEngineFactory engine) {
  return [model = std::move(model), engine = std::move(engine)](const PuschFrontEndLimits& limits,
                                                                unsigned num_threads) {
    return std::unique_ptr<PuschDetector>(
        std::make_unique<NeuralPuschDetector>(model, limits, num_threads, engine));
  };
}

} // namespace airan::phy::nn
