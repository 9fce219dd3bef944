#include "airan/gpu/gpu_neural_pusch_detector.h"

#include "gpu_front_end_detector.h"

#include "airan/phy/nn/neural_pusch_detector.h"
#include "airan/phy/nn/neural_receiver_inputs.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::gpu {
namespace {

/// Position of the input called \p name among \p inputs. \throws phy::nn::OnnxError.
std::size_t input_position(const std::vector<phy::nn::OnnxValueInfo>& inputs, const char* name) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) {
      return i;
    }
  }
  throw phy::nn::OnnxError(std::string("neural receiver (cuda): the model has no input '") + name +
                           "'");
}

GpuPuschFrontEndLimits checked_limits(const phy::PuschFrontEndLimits& limits) {
  if (limits.max_rx_antennas > phy::nn::neural_max_rx_antennas ||
      limits.max_layers > phy::nn::neural_max_layers) {
    throw std::invalid_argument("neural PUSCH detector (cuda): the neural receiver takes at most "
                                "4 receive antennas and 4 layers, not " +
                                std::to_string(limits.max_rx_antennas) + " and " +
                                std::to_string(limits.max_layers));
  }
  return {limits.max_rx_antennas, limits.max_layers, limits.max_prbs};
}

class GpuNeuralPuschDetector final : public GpuFrontEndDetector {
public:
  GpuNeuralPuschDetector(const phy::CellConfig& cell, const phy::nn::OnnxModel& model,
                         const GpuOnnxExecutorOptions& options,
                         const phy::PuschFrontEndLimits& limits)
      : GpuFrontEndDetector(cell, checked_limits(limits), options.device), limits_(limits),
        max_layers_(phy::nn::neural_receiver_max_layers(model, "neural receiver (cuda)")),
        all_dmrs_layouts_(
            phy::nn::neural_receiver_takes_all_dmrs_layouts(model, "neural receiver (cuda)")),
        executor_(model, options) {
    const auto& inputs = executor_.inputs();
    if (inputs.size() != 3 || executor_.outputs().size() != 1) {
      throw phy::nn::OnnxError("neural receiver (cuda): the model must take rx_grid, ls_channel "
                               "and side_info and give llr");
    }
    const std::array<const char*, 3> names{phy::nn::neural_rx_grid_name,
                                           phy::nn::neural_ls_channel_name,
                                           phy::nn::neural_side_info_name};
    const std::array<std::int64_t, 3> channels{phy::nn::neural_rx_grid_channels,
                                               phy::nn::neural_ls_channel_channels,
                                               phy::nn::neural_side_info_channels};
    shapes_.resize(inputs.size());
    for (std::size_t t = 0; t < names.size(); ++t) {
      position_[t] = input_position(inputs, names[t]);
      shapes_[position_[t]] = {1, channels[t], 0, 0};
    }
    // The CPU neural detector's estimator settings (NeuralReceiverInputs): linear frequency
    // interpolation; the noise estimate does not depend on it.
    options_.estimator.frequency_interpolation = phy::FrequencyInterpolation::linear;
  }

private:
  std::size_t enqueue_detection(const phy::PuschConfig& pusch, unsigned slot) override {
    // Checked before a plan is made for the PDU's shape (a plan allocates and stays).
    if (const std::string error = pusch.validate(cell()); !error.empty()) {
      throw std::invalid_argument("neural PUSCH detector (cuda): " + error);
    }
    if (pusch.num_layers > limits_.max_layers || pusch.prb_size > limits_.max_prbs) {
      throw std::invalid_argument("neural PUSCH detector (cuda): the PDU exceeds the limits");
    }
    phy::nn::check_neural_pdu_layers(max_layers_, pusch, "neural PUSCH detector (cuda)");
    phy::nn::check_neural_pdu_dmrs(all_dmrs_layouts_, pusch, "neural PUSCH detector (cuda)");
    const std::int64_t symbols = pusch.num_symbols;
    const std::int64_t subcarriers = std::int64_t{phy::subcarriers_per_prb} * pusch.prb_size;
    for (phy::nn::TensorShape& shape : shapes_) {
      shape[2] = symbols;
      shape[3] = subcarriers;
    }
    const GpuOnnxDeviceIo io = executor_.prepare_device(shapes_);
    const std::array<std::int64_t, 4> expected{1, phy::nn::neural_llr_channels, symbols,
                                               subcarriers};
    if (!std::ranges::equal(io.output_shapes[0], expected)) { // one output (the constructor's)
      throw std::invalid_argument(
          "neural PUSCH detector (cuda): the model's llr output has shape " +
          phy::nn::shape_to_string(io.output_shapes[0]) + ", expected " +
          phy::nn::shape_to_string(phy::nn::TensorShape(expected.begin(), expected.end())));
    }
    GpuPuschFrontEnd& front = front_end();
    front.build_neural_inputs(
        pusch, slot, options_,
        {io.inputs[position_[0]], io.inputs[position_[1]], io.inputs[position_[2]]});
    executor_.enqueue_device(shapes_, front.native_stream());
    return front.gather_neural_llrs(io.outputs[0]);
  }

  [[nodiscard]] phy::PuschMeasurements reported(const phy::PuschMeasurements& m) const override {
    phy::PuschMeasurements result = m;
    result.evm = 0.0F; // as the CPU neural detector: no EVM
    return result;
  }

  phy::PuschFrontEndLimits limits_;
  unsigned max_layers_;   ///< The model's phy::nn::neural_receiver_max_layers().
  bool all_dmrs_layouts_; ///< The model's phy::nn::neural_receiver_takes_all_dmrs_layouts().
  GpuOnnxExecutor executor_;
  phy::PuschFrontEndOptions options_;
  std::array<std::size_t, 3> position_{};    ///< Executor input of rx_grid, ls_channel, side_info.
  std::vector<phy::nn::TensorShape> shapes_; ///< Per executor input, of the current PDU.
};

} // namespace

phy::PuschDetectorFactory
make_gpu_neural_detector_factory(const phy::CellConfig& cell,
                                 std::shared_ptr<const phy::nn::OnnxModel> model,
                                 const GpuOnnxExecutorOptions& options) {
  if (!model) {
    throw std::invalid_argument("neural PUSCH detector (cuda): no model");
  }
  return
      [cell, model = std::move(model), options](const phy::PuschFrontEndLimits& limits, unsigned) {
        return std::unique_ptr<phy::PuschDetector>(
            std::make_unique<GpuNeuralPuschDetector>(cell, *model, options, limits));
      };
}

} // namespace airan::gpu
