// libFuzzer target for the ONNX model parser and executor: any byte string must parse or raise
// OnnxError; a model that parses must build an executor or raise OnnxError; an executor whose
// inputs have small dimensions (symbolic ones set to 2) must run once on zeros or raise OnnxError,
// and its outputs must match their shapes. Anything else (another exception, a crash, an
// out-of-bounds access, unbounded allocation) is a bug.
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace airan::phy::nn;
  try {
    OnnxModel model = parse_onnx_model(std::as_bytes(std::span(data, size)), "fuzz");
    OnnxExecutorOptions options;
    options.num_threads = 1;
    options.max_arena_bytes = std::size_t{64} << 20; // a hostile plan is an OnnxError
    OnnxExecutor executor(std::move(model), options);
    std::vector<std::vector<std::int64_t>> shapes;
    std::vector<std::vector<float>> values;
    for (const OnnxValueInfo& input : executor.inputs()) {
      std::vector<std::int64_t> shape;
      std::int64_t count = 1;
      for (const auto& dim : input.dims) {
        const std::int64_t d = dim ? *dim : 2;
        if (d > 256) {
          return 0; // too large to run on zeros here; parsing and building were still checked
        }
        shape.push_back(d);
        count *= d;
        if (count > (1 << 16)) {
          return 0;
        }
      }
      shapes.push_back(shape);
      values.emplace_back(static_cast<std::size_t>(count), 0.0F);
    }
    std::vector<ConstTensorView> views;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      views.push_back(ConstTensorView{values[i], shapes[i]});
    }
    executor.run(views);
    for (std::size_t i = 0; i < executor.outputs().size(); ++i) {
      const ConstTensorView out = executor.output(i);
      if (static_cast<std::int64_t>(out.data.size()) != shape_num_elements(out.shape)) {
        __builtin_trap();
      }
    }
  } catch (const OnnxError&) {
  }
  return 0;
}
