/// \file
/// \brief OnnxExecutor: builds one kernel per node (validating it), plans shapes and one arena
/// per set of input shapes, and runs the nodes in order on the thread pool.
#include "airan/phy/nn/onnx_executor.h"

#include "onnx_executor_impl.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace airan::phy::nn {
namespace {

using detail::Kernel;
using detail::KernelFactory;

constexpr std::int64_t min_opset = 7;
constexpr std::int64_t max_opset = 18;
constexpr std::int64_t arena_alignment = 16; ///< Floats (64 bytes).

const std::map<std::string, KernelFactory>& factories() {
  static const std::map<std::string, KernelFactory> table{
      {"Add", detail::create_binary_kernel},
      {"Concat", detail::create_concat_kernel},
      {"Conv", detail::create_conv_kernel},
      {"Div", detail::create_binary_kernel},
      {"Gemm", detail::create_gemm_kernel},
      {"Identity", detail::create_unary_kernel},
      {"MatMul", detail::create_matmul_kernel},
      {"Mul", detail::create_binary_kernel},
      {"ReduceMean", detail::create_reduce_mean_kernel},
      {"Relu", detail::create_unary_kernel},
      {"Neg", detail::create_unary_kernel},
      {"Reciprocal", detail::create_unary_kernel},
      {"Reshape", detail::create_reshape_kernel},
      {"Sigmoid", detail::create_unary_kernel},
      {"Slice", detail::create_slice_kernel},
      {"Sqrt", detail::create_unary_kernel},
      {"Sub", detail::create_binary_kernel},
      {"Tanh", detail::create_unary_kernel},
      {"Transpose", detail::create_transpose_kernel},
  };
  return table;
}

} // namespace

OnnxExecutor::Impl::Impl(OnnxModel m, const OnnxExecutorOptions& opts)
    : model(std::move(m)), options(opts) {
  if (model.opset_version < min_opset || model.opset_version > max_opset) {
    fail("opset " + std::to_string(model.opset_version) + " is not supported (" +
         std::to_string(min_opset) + " .. " + std::to_string(max_opset) + ")");
  }
  validate_onnx_graph(model, model.graph.name);
  const auto define = [&](const std::string& name, Value value) {
    ids[name] = values.size();
    values.push_back(value);
  };
  for (std::size_t i = 0; i < model.graph.inputs.size(); ++i) {
    const OnnxValueInfo& input = model.graph.inputs[i];
    if (input.elem_type != 1) {
      fail("graph input '" + input.name + "' has element type " + std::to_string(input.elem_type) +
           "; only float32 inputs are supported");
    }
    if (input.dims.size() > max_tensor_rank) {
      fail("graph input '" + input.name + "' has more than 8 dimensions");
    }
    input_ids.push_back(values.size());
    define(input.name, Value{nullptr, -1, static_cast<std::ptrdiff_t>(i)});
  }
  for (const Tensor& initializer : model.graph.initializers) {
    define(initializer.name, Value{&initializer, -1, -1});
    num_parameters += static_cast<std::int64_t>(initializer.floats.size());
  }
  for (const OnnxNode& node : model.graph.nodes) {
    add_node(node);
  }
  for (const OnnxValueInfo& output : model.graph.outputs) {
    const std::size_t id = ids.at(output.name);
    const Tensor* constant = values[id].constant;
    if (constant != nullptr && constant->data_type != TensorDataType::float32) {
      fail("graph output '" + output.name + "' is an int64 constant; outputs must be float32");
    }
    output_ids.push_back(id);
  }
  if (options.fuse_relu) {
    fuse_relu();
  }
  if (options.num_threads > 1) {
    pool = std::make_unique<ThreadPool>(options.num_threads - 1);
    parallel = detail::Parallel(pool.get());
  }
  data.assign(values.size(), nullptr);
  std::size_t max_inputs = 0;
  for (std::size_t v = 0; v < values.size(); ++v) {
    if (values[v].constant != nullptr && values[v].constant->data_type == TensorDataType::float32) {
      data[v] = values[v].constant->floats.data();
    }
  }
  for (const Step& step : steps) {
    max_inputs = std::max(max_inputs, step.inputs.size());
  }
  scratch.resize(max_inputs);
}

void OnnxExecutor::Impl::add_node(const OnnxNode& node) {
  if (!node.domain.empty() && node.domain != "ai.onnx") {
    throw OnnxError(node.describe() + ": domain '" + node.domain + "' is not supported");
  }
  std::vector<const Tensor*> constants;
  for (const std::string& input : node.inputs) {
    constants.push_back(input.empty() ? nullptr : values[ids.at(input)].constant);
  }
  const detail::NodeBuildContext context{node, model.opset_version, constants,
                                         options.use_simd ? best_gemm_isa() : GemmIsa::scalar};
  if (node.op_type == "Constant") {
    detail::check_node(context,
                       {{"value", OnnxAttributeType::tensor},
                        {"value_float", OnnxAttributeType::floating},
                        {"value_floats", OnnxAttributeType::floats},
                        {"value_int", OnnxAttributeType::integer},
                        {"value_ints", OnnxAttributeType::integers}},
                       0, 0);
    constant_nodes.push_back(constant_node_tensor(node));
    ids[node.outputs[0]] = values.size();
    values.push_back(Value{&constant_nodes.back(), -1, -1});
    return;
  }
  const auto factory = factories().find(node.op_type);
  if (factory == factories().end()) {
    throw OnnxError(node.describe() + ": operator '" + node.op_type + "' is not supported");
  }
  Step step;
  step.kernel = factory->second(context);
  step.op_type = node.op_type;
  for (std::size_t i = 0; i < step.kernel->num_value_inputs(); ++i) {
    if (i >= node.inputs.size() || node.inputs[i].empty()) {
      throw OnnxError(node.describe() + ": input " + std::to_string(i) + " is missing");
    }
    const std::size_t id = ids.at(node.inputs[i]);
    if (values[id].constant != nullptr &&
        values[id].constant->data_type != TensorDataType::float32) {
      throw OnnxError(node.describe() + ": input '" + node.inputs[i] +
                      "' is an int64 constant where a float32 value is expected");
    }
    step.inputs.push_back(id);
  }
  step.output = values.size();
  ids[node.outputs[0]] = values.size();
  values.push_back(Value{nullptr, static_cast<std::ptrdiff_t>(steps.size()), -1});
  steps.push_back(std::move(step));
}

void OnnxExecutor::Impl::fuse_relu() {
  std::vector<std::size_t> uses(values.size(), 0);
  for (const Step& step : steps) {
    for (const std::size_t v : step.inputs) {
      ++uses[v];
    }
  }
  for (const std::size_t v : output_ids) {
    uses[v] += 2; // never fold a graph output away
  }
  for (Step& relu : steps) {
    if (relu.op_type != "Relu") {
      continue;
    }
    const std::size_t source = relu.inputs[0];
    if (values[source].step < 0 || uses[source] != 1) {
      continue;
    }
    Step& producer = steps[static_cast<std::size_t>(values[source].step)];
    if (!producer.kernel->fuse_relu()) { // Conv and element-wise arithmetic take it
      continue;
    }
    producer.output = relu.output;
    values[relu.output].step = values[source].step;
    values[source].step = -1; // no longer computed
    relu.removed = true;
  }
}

std::unique_ptr<OnnxExecutor::Impl::Plan>
OnnxExecutor::Impl::make_plan(std::span<const ConstTensorView> inputs) const {
  auto plan = std::make_unique<Plan>();
  plan->shapes.resize(values.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    plan->input_shapes.emplace_back(inputs[i].shape.begin(), inputs[i].shape.end());
    plan->shapes[input_ids[i]] = plan->input_shapes.back();
  }
  for (std::size_t v = 0; v < values.size(); ++v) {
    if (values[v].constant != nullptr) {
      plan->shapes[v] = values[v].constant->shape;
    }
  }
  // Shapes, and the last step that reads each value.
  std::vector<std::ptrdiff_t> last_use(values.size(), -1);
  std::vector<TensorShape> input_shapes;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    if (step.removed) {
      continue;
    }
    input_shapes.clear();
    for (const std::size_t v : step.inputs) {
      input_shapes.push_back(plan->shapes[v]);
      last_use[v] = static_cast<std::ptrdiff_t>(s);
    }
    TensorShape shape = step.kernel->infer_shape(input_shapes);
    if (shape.size() > max_tensor_rank || detail::checked_num_elements(shape) < 0) {
      step.kernel->fail("output shape " + shape_to_string(shape) + " is invalid or too large");
    }
    plan->shapes[step.output] = std::move(shape);
  }
  for (const std::size_t v : output_ids) {
    last_use[v] = static_cast<std::ptrdiff_t>(steps.size());
  }
  // First-fit allocation in one arena; a value's block is released after its last reader.
  plan->offsets.assign(values.size(), -1);
  plan->sizes.assign(values.size(), 0);
  std::vector<std::pair<std::int64_t, std::int64_t>> live; // (offset, size), sorted
  std::int64_t arena_size = 0;
  const auto release = [&](std::size_t v) {
    const auto it =
        std::find(live.begin(), live.end(), std::make_pair(plan->offsets[v], plan->sizes[v]));
    if (it != live.end()) {
      live.erase(it);
    }
  };
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const Step& step = steps[s];
    if (step.removed) {
      continue;
    }
    const std::int64_t count = shape_num_elements(plan->shapes[step.output]);
    const std::int64_t size = (count + arena_alignment - 1) / arena_alignment * arena_alignment;
    std::int64_t offset = 0;
    auto position = live.begin();
    for (; position != live.end(); ++position) {
      if (position->first - offset >= size) {
        break;
      }
      offset = position->first + position->second;
    }
    live.insert(position, {offset, std::max<std::int64_t>(size, 1)});
    plan->offsets[step.output] = offset;
    plan->sizes[step.output] = std::max<std::int64_t>(size, 1);
    arena_size = std::max(arena_size, offset + size);
    if (arena_size > static_cast<std::int64_t>(options.max_arena_bytes / sizeof(float))) {
      step.kernel->fail("the intermediate values need more than " +
                        std::to_string(options.max_arena_bytes) + " bytes");
    }
    for (const std::size_t v : step.inputs) {
      if (last_use[v] == static_cast<std::ptrdiff_t>(s) && plan->offsets[v] >= 0) {
        release(v);
      }
    }
    if (last_use[step.output] < 0) {
      release(step.output);
    }
  }
  plan->arena.assign(static_cast<std::size_t>(arena_size + arena_alignment), 0.0F);
  const auto address = reinterpret_cast<std::uintptr_t>(plan->arena.data());
  const std::uintptr_t aligned = (address + 63) & ~std::uintptr_t{63};
  plan->base = plan->arena.data() + (aligned - address) / sizeof(float);
  return plan;
}

} // namespace airan::phy::nn
