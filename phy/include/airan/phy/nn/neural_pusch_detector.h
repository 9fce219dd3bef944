/// \file
/// \brief The neural receiver as a PuschDetector: builds the model inputs of a PDU
/// (neural_receiver_inputs.h), runs the ONNX model on an inference engine (CPU or CUDA,
/// inference_engine.h) and gathers its LLRs into codeword order. The I/O contract is in
/// docs/NEURAL_RECEIVER.md.
#pragma once

#include "airan/phy/nn/inference_engine.h"
#include "airan/phy/nn/onnx_model.h"
#include "airan/phy/pusch_detector.h"

#include <filesystem>
#include <memory>
#include <string>

namespace airan::phy::nn {

/// Names of the model's tensors.
inline constexpr const char* neural_rx_grid_name = "rx_grid";
inline constexpr const char* neural_ls_channel_name = "ls_channel";
inline constexpr const char* neural_side_info_name = "side_info";
inline constexpr const char* neural_llr_name = "llr";

/// Metadata key (ONNX metadata_props) of the most layers a model was trained for, "1" to "4".
inline constexpr const char* neural_max_layers_key = "airan.max_layers";

/// The most layers \p model takes: its neural_max_layers_key, or neural_max_layers (4, the I/O
/// contract) when it has none. \throws OnnxError for a value other than 1 to 4.
unsigned neural_receiver_max_layers(const OnnxModel& model, const std::string& source_name);

/// \throws std::invalid_argument ("<who>: the model takes at most N layer(s) ...") when \p pusch
/// has more layers than \p max_layers (a model's neural_receiver_max_layers()).
void check_neural_pdu_layers(unsigned max_layers, const PuschConfig& pusch, const char* who);

/// Metadata key of the DMRS layouts a model was trained on: "all" when its training data put
/// data beside every CDM group on the DMRS symbols. Without it (every model so far:
/// models/training_data.py draws DMRS type 2 with two CDM groups without data and layer 0 on
/// port 0), the layouts that put data where the training never had any are refused
/// (check_neural_pdu_dmrs()).
inline constexpr const char* neural_dmrs_layouts_key = "airan.dmrs_layouts";

/// Whether \p model takes every DMRS layout (its neural_dmrs_layouts_key is "all").
/// \throws OnnxError for another value of the key.
bool neural_receiver_takes_all_dmrs_layouts(const OnnxModel& model, const std::string& source_name);

/// \throws std::invalid_argument ("<who>: ...") when \p all_layouts is false and \p pusch has
/// data on its DMRS symbols at distances from layer 0's DMRS that the training data never had
/// data at (the side_info frequency channel's +1.5 and +2.5 subcarriers): DMRS type 2 with one
/// CDM group without data, or with two and layer 0 on a port of CDM group 1 (ports 2, 3). The
/// model's LLRs there were never trained: 2.4 to 10.5% of the coded bits.
void check_neural_pdu_dmrs(bool all_layouts, const PuschConfig& pusch, const char* who);

/// Checks that \p model has the neural receiver's I/O contract: float inputs rx_grid, ls_channel
/// and side_info (any order) and output llr, each of rank 4 with channel dimensions 8, 32, 7 and
/// 32 (or symbolic), a valid neural_max_layers_key and neural_dmrs_layouts_key if it has them,
/// and that the executor supports
/// every node. \throws OnnxError naming what differs.
void check_neural_receiver_model(const OnnxModel& model, const std::string& source_name);

/// Reads \p path and checks it with check_neural_receiver_model(). \throws OnnxError.
std::shared_ptr<const OnnxModel> load_neural_receiver_model(const std::filesystem::path& path);

/// Neural PUSCH detector. Allocates at construction for the limits (and, per new PDU shape, the
/// executor's plan on first use); detect() then does not allocate. Not thread-safe.
class NeuralPuschDetector final : public PuschDetector {
public:
  /// \param model The model (checked with check_neural_receiver_model()).
  /// \param limits Largest PDU (at most 4 receive antennas and 4 layers).
  /// \param num_threads Threads of the model executor.
  /// \param engine Builds the inference engine (default: the CPU executor).
  /// \throws std::invalid_argument for limits the model cannot take, OnnxError for a model that
  /// breaks the contract or that the engine cannot run.
  NeuralPuschDetector(const std::shared_ptr<const OnnxModel>& model,
                      const PuschFrontEndLimits& limits, unsigned num_threads,
                      const InferenceEngineFactory& engine = make_cpu_inference_engine);
  ~NeuralPuschDetector() override;

  /// The engine's description ("cpu (2 threads)", "cuda (...)").
  [[nodiscard]] std::string engine_description() const;

  /// \throws std::invalid_argument for a PDU with more layers than the model's
  /// neural_receiver_max_layers() (its LLRs for the other layers were never trained) or a DMRS
  /// layout it was not trained on (check_neural_pdu_dmrs()).
  PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                           const PuschConfig& pusch, unsigned slot, std::span<float> llrs) override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A PuschReceiverConfig::detector factory that makes NeuralPuschDetectors sharing \p model,
/// each with its own engine from \p engine.
PuschDetectorFactory
make_neural_detector_factory(std::shared_ptr<const OnnxModel> model,
                             InferenceEngineFactory engine = make_cpu_inference_engine);

} // namespace airan::phy::nn
