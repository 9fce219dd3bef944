/// \file
/// \brief OnnxExecutor's public entry points: input checks, plan lookup and the node loop of
/// run() (which allocates nothing once a plan exists), outputs and introspection.
#include "onnx_executor_impl.h"

#include <algorithm>
#include <stdexcept>

namespace airan::phy::nn {

void OnnxExecutor::Impl::check_inputs(std::span<const ConstTensorView> inputs) const {
  if (auto what = input_mismatch(model.graph, inputs)) {
    fail(*what);
  }
}

OnnxExecutor::OnnxExecutor(OnnxModel model, const OnnxExecutorOptions& options)
    : impl_(std::make_unique<Impl>(std::move(model), options)) {}

OnnxExecutor::~OnnxExecutor() = default;

std::vector<std::string> OnnxExecutor::supported_operators() {
  return {"Add",     "Concat", "Constant", "Conv",       "Div",        "Gemm",     "Identity",
          "MatMul",  "Mul",    "Neg",      "Reciprocal", "ReduceMean", "Relu",     "Reshape",
          "Sigmoid", "Slice",  "Sqrt",     "Sub",        "Tanh",       "Transpose"};
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
  Impl::Plan* plan = nullptr;
  for (const auto& candidate : s.plans) {
    if (input_shapes_equal(inputs, candidate->input_shapes)) {
      plan = candidate.get();
      break;
    }
  }
  s.current = nullptr;
  if (plan == nullptr) {
    auto made = s.make_plan(inputs);
    if (s.plans.size() >= std::max<std::size_t>(s.options.max_plans, 1)) {
      // A cell whose allocations vary in size would otherwise keep a plan (and its arena) per
      // size ever seen: the one used longest ago goes.
      const auto oldest =
          std::min_element(s.plans.begin(), s.plans.end(),
                           [](const auto& a, const auto& b) { return a->last_run < b->last_run; });
      *oldest = std::move(made);
      plan = oldest->get();
    } else {
      s.plans.push_back(std::move(made));
      plan = s.plans.back().get();
    }
  }
  plan->last_run = ++s.runs;
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
