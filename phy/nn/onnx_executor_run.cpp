/// \file
/// \brief OnnxExecutor's public entry points: input checks, plan lookup and the node loop of
/// run() (which allocates nothing once a plan exists), outputs and introspection.
#include "onnx_executor_impl.h"

#include <stdexcept>

namespace airan::phy::nn {

void OnnxExecutor::Impl::check_inputs(std::span<const ConstTensorView> inputs) const {
  if (inputs.size() != input_ids.size()) {
    fail("takes " + std::to_string(input_ids.size()) + " inputs, got " +
         std::to_string(inputs.size()));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const OnnxValueInfo& info = model.graph.inputs[i];
    const ConstTensorView& view = inputs[i];
    // Built only on failure: run() must not allocate.
    const auto what = [&] {
      return "input '" + info.name + "' with shape " + shape_to_string(view.shape);
    };
    if (view.shape.size() > max_tensor_rank) {
      fail(what() + ": more than 8 dimensions");
    }
    const std::int64_t count = detail::checked_num_elements(view.shape);
    if (count < 0) {
      fail(what() + ": negative or too large dimensions");
    }
    if (static_cast<std::size_t>(count) != view.data.size()) {
      fail(what() + ": " + std::to_string(view.data.size()) + " elements given");
    }
    if (!info.has_shape) {
      continue;
    }
    bool fits = view.shape.size() == info.dims.size();
    for (std::size_t d = 0; fits && d < info.dims.size(); ++d) {
      fits = !info.dims[d] || *info.dims[d] == view.shape[d];
    }
    if (!fits) {
      std::string expected = "[";
      for (std::size_t d = 0; d < info.dims.size(); ++d) {
        expected += (d > 0 ? ", " : "") +
                    (info.dims[d] ? std::to_string(*info.dims[d])
                                  : (d < info.dim_names.size() && !info.dim_names[d].empty()
                                         ? info.dim_names[d]
                                         : std::string("?")));
      }
      fail(what() + ": the model expects " + expected + "]");
    }
    // A symbolic dimension has one size across all inputs.
    for (std::size_t d = 0; d < info.dim_names.size(); ++d) {
      if (info.dim_names[d].empty()) {
        continue;
      }
      for (std::size_t j = 0; j < i; ++j) {
        const OnnxValueInfo& other = model.graph.inputs[j];
        for (std::size_t e = 0; e < other.dim_names.size() && other.has_shape; ++e) {
          if (other.dim_names[e] == info.dim_names[d] && inputs[j].shape[e] != view.shape[d]) {
            fail(what() + ": dimension '" + info.dim_names[d] + "' is " +
                 std::to_string(inputs[j].shape[e]) + " in input '" + other.name + "'");
          }
        }
      }
    }
  }
}

OnnxExecutor::OnnxExecutor(OnnxModel model, const OnnxExecutorOptions& options)
    : impl_(std::make_unique<Impl>(std::move(model), options)) {}

OnnxExecutor::~OnnxExecutor() = default;

std::vector<std::string> OnnxExecutor::supported_operators() {
  return {"Add",      "Concat", "Constant", "Conv",       "Div",  "Gemm",
          "Identity", "MatMul", "Mul",      "ReduceMean", "Relu", "Reshape",
          "Sigmoid",  "Slice",  "Sqrt",     "Sub",        "Tanh", "Transpose"};
}

const std::vector<OnnxValueInfo>& OnnxExecutor::inputs() const {
  return impl_->model.graph.inputs;
}

const std::vector<OnnxValueInfo>& OnnxExecutor::outputs() const {
  return impl_->model.graph.outputs;
}

std::int64_t OnnxExecutor::num_parameters() const {
  return impl_->num_parameters;
}

std::size_t OnnxExecutor::num_plans() const {
  return impl_->plans.size();
}

void OnnxExecutor::run(std::span<const ConstTensorView> inputs) {
  Impl& s = *impl_;
  s.check_inputs(inputs);
  const Impl::Plan* plan = nullptr;
  for (const auto& candidate : s.plans) {
    bool same = true;
    for (std::size_t i = 0; same && i < inputs.size(); ++i) {
      same = std::equal(inputs[i].shape.begin(), inputs[i].shape.end(),
                        candidate->input_shapes[i].begin(), candidate->input_shapes[i].end());
    }
    if (same) {
      plan = candidate.get();
      break;
    }
  }
  if (plan == nullptr) {
    s.plans.push_back(s.make_plan(inputs));
    plan = s.plans.back().get();
  }
  s.current = nullptr;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    s.data[s.input_ids[i]] = inputs[i].data.data();
  }
  for (std::size_t v = 0; v < s.values.size(); ++v) {
    if (plan->offsets[v] >= 0) {
      s.data[v] = plan->base + plan->offsets[v];
    }
  }
  const auto view = [&](std::size_t v) {
    const auto count = static_cast<std::size_t>(shape_num_elements(plan->shapes[v]));
    return ConstTensorView{std::span<const float>(s.data[v], count), plan->shapes[v]};
  };
  for (const Impl::Step& step : s.steps) {
    if (step.removed) {
      continue;
    }
    for (std::size_t i = 0; i < step.inputs.size(); ++i) {
      s.scratch[i] = view(step.inputs[i]);
    }
    const TensorShape& shape = plan->shapes[step.output];
    const TensorView output{std::span<float>(plan->base + plan->offsets[step.output],
                                             static_cast<std::size_t>(shape_num_elements(shape))),
                            shape};
    step.kernel->run(std::span<const ConstTensorView>(s.scratch.data(), step.inputs.size()), output,
                     s.parallel);
  }
  s.current = plan;
}

ConstTensorView OnnxExecutor::output(std::size_t index) const {
  const Impl& s = *impl_;
  if (index >= s.output_ids.size()) {
    throw std::out_of_range("ONNX executor: output " + std::to_string(index) + " of " +
                            std::to_string(s.output_ids.size()));
  }
  if (s.current == nullptr) {
    throw std::out_of_range("ONNX executor: no successful run() yet");
  }
  const std::size_t v = s.output_ids[index];
  const TensorShape& shape = s.current->shapes[v];
  return ConstTensorView{
      std::span<const float>(s.data[v], static_cast<std::size_t>(shape_num_elements(shape))),
      shape};
}

} // namespace airan::phy::nn
