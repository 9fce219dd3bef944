#include "airan/phy/nn/inference_engine.h"
#include "airan/phy/nn/onnx_executor.h"

#include <string>

namespace airan::phy::nn {
namespace {

/// OnnxExecutor behind the InferenceEngine interface.
class CpuInferenceEngine final : public InferenceEngine {
public:
  CpuInferenceEngine(const OnnxModel& model, unsigned num_threads)
      : executor_(model, OnnxExecutorOptions{num_threads}), num_threads_(num_threads) {}

  [[nodiscard]] const std::vector<OnnxValueInfo>& inputs() const override {
    return executor_.inputs();
  }
  void run(std::span<const ConstTensorView> inputs) override { executor_.run(inputs); }
  [[nodiscard]] ConstTensorView output(std::size_t index) const override {
    return executor_.output(index);
  }
  [[nodiscard]] std::string description() const override {
    return "cpu (" + std::to_string(num_threads_) + (num_threads_ == 1 ? " thread)" : " threads)");
  }

private:
  OnnxExecutor executor_;
  unsigned num_threads_;
};

} // namespace

std::unique_ptr<InferenceEngine> make_cpu_inference_engine(const OnnxModel& model,
                                                           unsigned num_threads) {
  return std::make_unique<CpuInferenceEngine>(model, num_threads == 0 ? 1 : num_threads);
}

} // namespace airan::phy::nn
