// GpuOnnxExecutor: on a device it reproduces the CPU executor (and PyTorch's LLRs) on the
// committed reference model and the full neural receiver at 106 PRB, a run at known shapes
// allocates nothing, plans are kept per input shape, bad inputs are OnnxErrors naming what is
// wrong. Without CUDA the constructor says so; an unsupported operator is an OnnxError naming the
// node before any device is touched (runs wherever CUDA is compiled in).
#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_model.h"
#include "gpu_onnx_test_support.h"

#if defined(AIRAN_HAVE_CUDA)
#include <cuda_runtime.h>
#endif

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace airan::gpu {
namespace {

using phy::nn::OnnxError;
using phy::nn::OnnxModel;
using phy::nn::read_onnx_model;
using phy::nn::test::Dense;
using phy::nn::test::GraphBuilder;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

/// The inputs of \p model in its order, from the committed reference tensors.
std::vector<Dense> reference_inputs(const OnnxModel& model) {
  std::vector<Dense> inputs;
  for (const auto& input : model.graph.inputs) {
    inputs.push_back(test::read_reference_tensor(input.name));
  }
  return inputs;
}

GraphBuilder unsupported_graph() {
  GraphBuilder graph;
  graph.input("x", {1, 4});
  graph.node("Relu", {"x"}, "r");
  graph.node("Softmax", {"r"}, "y");
  graph.output("y");
  return graph;
}

TEST(GpuOnnxExecutor, WithoutCudaTheConstructorSaysSo) {
  if (query_devices().cuda_compiled) {
    GTEST_SKIP() << "built with CUDA";
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  try {
    GpuOnnxExecutor executor(model);
    FAIL() << "constructed without CUDA";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("built without CUDA"), std::string::npos)
        << error.what();
  }
  const auto factory = make_gpu_inference_engine_factory(0);
  EXPECT_THROW((void)factory(model, 1), std::runtime_error);
}

TEST(GpuOnnxExecutor, MathNamesParseAndPrint) {
  EXPECT_EQ(parse_gpu_onnx_math("fp32"), GpuOnnxMath::fp32);
  EXPECT_EQ(parse_gpu_onnx_math("tf32"), GpuOnnxMath::tf32);
  EXPECT_STREQ(to_string(GpuOnnxMath::fp32), "fp32");
  EXPECT_STREQ(to_string(GpuOnnxMath::tf32), "tf32");
  EXPECT_THROW((void)parse_gpu_onnx_math("fp16"), std::invalid_argument);
  EXPECT_EQ(GpuOnnxExecutorOptions{}.math, GpuOnnxMath::fp32);
}

TEST(GpuOnnxExecutor, UnsupportedOperatorIsAnOnnxErrorNamingTheNode) {
  if (!query_devices().cuda_compiled) {
    GTEST_SKIP() << "built without CUDA";
  }
  // Validation comes before any CUDA call, so this needs no device.
  try {
    GpuOnnxExecutor executor(unsupported_graph().build());
    FAIL() << "an unsupported operator was accepted";
  } catch (const OnnxError& error) {
    EXPECT_NE(std::string(error.what()).find("/Softmax_1"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("Softmax"), std::string::npos) << error.what();
  }
}

TEST(GpuOnnxExecutor, ReproducesTheCpuExecutorAndPyTorchOnTheReferenceModel) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  const std::vector<Dense> inputs = reference_inputs(model);
  const Dense cpu = test::run_cpu(model, inputs);
  const Dense pytorch = test::read_reference_tensor("llr");
  for (const bool graph : {true, false}) {
    GpuOnnxExecutor executor(model, {.device = 0, .use_cuda_graph = graph});
    EXPECT_EQ(executor.inputs().size(), 3U);
    for (int run = 0; run < 2; ++run) {
      const Dense gpu = test::run_gpu(executor, inputs);
      const std::string label =
          std::string(graph ? "graph" : "direct") + " run " + std::to_string(run + 1);
      EXPECT_LT(test::relative_max_error(gpu, cpu, label + " vs CPU"), 1e-4);
      EXPECT_LT(test::relative_max_error(gpu, pytorch, label + " vs PyTorch"), 1e-4);
    }
  }
}

TEST(GpuOnnxExecutor, ReproducesTheCpuExecutorOnTheFullModelAt106Prb) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const std::vector<Dense> inputs =
      test::random_receiver_inputs(model, 14, std::int64_t{12} * 106, 11);
  const Dense cpu = test::run_cpu(model, inputs);
  GpuOnnxExecutor executor(model);
  for (int run = 0; run < 2; ++run) {
    const Dense gpu = test::run_gpu(executor, inputs);
    EXPECT_EQ(gpu.shape, (phy::nn::TensorShape{1, 32, 14, 1272}));
    EXPECT_LT(test::relative_max_error(gpu, cpu, "106 PRB run " + std::to_string(run + 1)), 1e-4);
  }
}

TEST(GpuOnnxExecutor, BatchedLaunchesGiveTheUnbatchedOutputs) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  // A batch runs each member's elements with the member's own per-element function, so the
  // outputs are the unbatched plan's, with the graph and with direct launches, up to the
  // compiler's contraction choices inside another kernel (1e-6, as profile() against run()).
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const std::vector<Dense> inputs =
      test::random_receiver_inputs(model, 14, std::int64_t{12} * 106, 17);
  GpuOnnxExecutor unbatched(model, {.device = 0, .batch_launches = false});
  const Dense expected = test::run_gpu(unbatched, inputs);
  EXPECT_LT(test::relative_max_error(expected, test::run_cpu(model, inputs), "unbatched"), 1e-4);
  for (const bool graph : {true, false}) {
    GpuOnnxExecutor batched(model, {.device = 0, .use_cuda_graph = graph});
    for (int run = 0; run < 2; ++run) {
      const Dense gpu = test::run_gpu(batched, inputs);
      const std::string label = std::string("batched, ") + (graph ? "graph" : "direct") + " run " +
                                std::to_string(run + 1);
      EXPECT_EQ(gpu.shape, expected.shape) << label;
      EXPECT_LT(test::relative_max_error(gpu, expected, label), 1e-6);
    }
    EXPECT_EQ(batched.capture_error(), "");
  }
}

TEST(GpuOnnxExecutor, GemmEpiloguesReproduceTheCpuExecutorOnTheFullModel) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  // Pointwise convolutions as cuBLASLt matmuls with bias (a plane of ones), residual and Relu
  // folded in: the fp32 contract's 1e-4, graph and direct launches, two runs each.
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const std::vector<Dense> inputs =
      test::random_receiver_inputs(model, 14, std::int64_t{12} * 106, 13);
  const Dense cpu = test::run_cpu(model, inputs);
  for (const bool graph : {true, false}) {
    GpuOnnxExecutor executor(model, {.device = 0, .use_cuda_graph = graph, .gemm_epilogue = true});
    for (int run = 0; run < 2; ++run) {
      const std::string label = std::string("cuBLASLt epilogues, ") + (graph ? "graph" : "direct") +
                                " run " + std::to_string(run + 1);
      EXPECT_LT(test::relative_max_error(test::run_gpu(executor, inputs), cpu, label), 1e-4);
      EXPECT_EQ(executor.capture_error(), "") << label;
      // 14 pointwise convolutions; the 13 after a depthwise Conv take the bias as a plane of
      // ones (the output head reads a pointwise Conv's output and keeps the epilogue kernel).
      EXPECT_EQ(executor.num_fused_gemms(), 13U) << label;
    }
  }
}

TEST(GpuOnnxExecutor, Tf32TensorCoresStayWithinTheirRoundingOfTheCpuExecutor) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  // TF32 rounds the GEMM inputs to a 10-bit mantissa. An emulation in PyTorch (the committed
  // model's pointwise convolutions with inputs and weights rounded, these inputs) moved the
  // output by 0.9e-3 of its largest magnitude with rounding to nearest and 2.9e-3 with
  // truncation, and flipped no LLR sign above 1% of that magnitude: 1e-2 leaves room for the
  // tensor cores' accumulation order and still fails on a wrong layout or mode.
  const OnnxModel model = read_onnx_model(models_dir / "neural_receiver.onnx");
  const std::vector<Dense> inputs =
      test::random_receiver_inputs(model, 14, std::int64_t{12} * 106, 11);
  const Dense cpu = test::run_cpu(model, inputs);
  GpuOnnxExecutor executor(model, {.device = 0, .math = GpuOnnxMath::tf32});
  EXPECT_NE(executor.description().find(", tf32)"), std::string::npos) << executor.description();
  const float largest =
      std::abs(*std::max_element(cpu.data.begin(), cpu.data.end(),
                                 [](float a, float b) { return std::abs(a) < std::abs(b); }));
  for (int run = 0; run < 2; ++run) {
    const Dense gpu = test::run_gpu(executor, inputs);
    EXPECT_LT(test::relative_max_error(gpu, cpu, "tf32 run " + std::to_string(run + 1)), 1e-2);
    std::size_t flipped = 0;
    for (std::size_t i = 0; i < std::min(gpu.data.size(), cpu.data.size()); ++i) {
      if (std::abs(cpu.data[i]) > 0.01F * largest && (gpu.data[i] > 0) != (cpu.data[i] > 0)) {
        ++flipped;
      }
    }
    EXPECT_EQ(flipped, 0U) << "LLR signs flipped above 1% of the largest magnitude";
  }
}

TEST(GpuOnnxExecutor, ProfileTimesEveryLaunchAndGivesTheRunsOutputs) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  const std::vector<Dense> inputs = test::random_receiver_inputs(model, 14, 48, 5);
  GpuOnnxExecutor executor(model);
  // Profiled first: the plan it makes is still captured into a graph by the next run().
  const std::vector<GpuOnnxLaunchTime> times = executor.profile(test::views_of(inputs));
  const auto out = executor.output(0);
  const Dense profiled{{out.shape.begin(), out.shape.end()}, {out.data.begin(), out.data.end()}};
  ASSERT_FALSE(times.empty());
  double total_us = 0.0;
  std::size_t pointwise = 0;
  for (const GpuOnnxLaunchTime& time : times) {
    EXPECT_FALSE(time.node.empty());
    EXPECT_FALSE(time.kernel.empty());
    EXPECT_GE(time.device_us, 0.0F) << time.node;
    total_us += time.device_us;
    pointwise += time.kernel == "pointwise conv (cuBLAS)" ? 1 : 0;
  }
  EXPECT_GT(total_us, 0.0);
  EXPECT_GT(pointwise, 0U) << "the separable model has pointwise convolutions";
  const Dense direct = test::run_gpu(executor, inputs);
  const Dense replayed = test::run_gpu(executor, inputs);
  EXPECT_EQ(executor.num_plans(), 1U);
  EXPECT_LT(test::relative_max_error(profiled, direct, "profile vs run"), 1e-6);
  EXPECT_LT(test::relative_max_error(replayed, direct, "graph vs direct"), 1e-6);
  EXPECT_LT(test::relative_max_error(direct, test::run_cpu(model, inputs), "vs CPU"), 1e-4);
}

TEST(GpuOnnxExecutor, RunsAtKnownShapesAllocateNothing) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  const std::vector<Dense> small = test::random_receiver_inputs(model, 14, 48, 1);
  const std::vector<Dense> large = test::random_receiver_inputs(model, 12, 96, 2);
  GpuOnnxExecutor executor(model);
  const std::size_t at_construction = executor.num_allocations();
  EXPECT_GE(at_construction, 2U); // constants, cuBLAS workspace
  const Dense first = test::run_gpu(executor, small);
  const std::size_t after_plan = executor.num_allocations();
  EXPECT_GT(after_plan, at_construction);
  EXPECT_EQ(executor.num_plans(), 1U);
  const Dense second = test::run_gpu(executor, small); // first replay of the graph
  EXPECT_EQ(executor.num_allocations(), after_plan);
  EXPECT_EQ(executor.num_plans(), 1U);
  // The first run launches directly, the second replays the captured graph.
  EXPECT_LT(test::relative_max_error(second, first, "graph vs direct"), 1e-6);
#if defined(AIRAN_HAVE_CUDA)
  std::size_t free_before = 0;
  std::size_t free_after = 0;
  std::size_t total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_before, &total), cudaSuccess);
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(test::run_gpu(executor, small).data, second.data);
  }
  ASSERT_EQ(cudaMemGetInfo(&free_after, &total), cudaSuccess);
  EXPECT_EQ(free_after, free_before) << "device memory changed during runs at known shapes";
#endif
  EXPECT_EQ(executor.num_allocations(), after_plan);
  // A second shape gets its own plan; the first one still answers.
  const Dense other = test::run_gpu(executor, large);
  EXPECT_EQ(other.shape, (phy::nn::TensorShape{1, 32, 12, 96}));
  EXPECT_EQ(executor.num_plans(), 2U);
  EXPECT_EQ(test::run_gpu(executor, small).data, second.data);
  EXPECT_EQ(executor.num_plans(), 2U);
  EXPECT_GT(executor.last_run_device_ms(), 0.0F);
}

#if defined(AIRAN_HAVE_CUDA)
// Device-resident runs (prepare_device + enqueue_device): the inputs are copied into the plan's
// device memory on a stream of the caller's, the model is enqueued behind them, the outputs are
// read after it on that stream. Fresh inputs on every call (A, B, A), so a graph replay that
// computed nothing or read stale inputs fails; graph and direct, default and plain plans.
TEST(GpuOnnxExecutor, DeviceResidentRunsMatchTheCpuExecutor) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  const std::vector<Dense> a = test::random_receiver_inputs(model, 14, 48, 3);
  const std::vector<Dense> b = test::random_receiver_inputs(model, 14, 48, 4);
  const Dense expected_a = test::run_cpu(model, a);
  const Dense expected_b = test::run_cpu(model, b);
  std::vector<phy::nn::TensorShape> shapes;
  shapes.reserve(a.size());
  for (const Dense& input : a) {
    shapes.push_back(input.shape);
  }
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  for (const bool graph : {true, false}) {
    for (const bool plain : {false, true}) {
      GpuOnnxExecutor executor(model, test::plan_options(graph, plain));
      const GpuOnnxDeviceIo io = executor.prepare_device(shapes);
      ASSERT_EQ(io.inputs.size(), a.size());
      ASSERT_EQ(io.outputs.size(), 1U);
      ASSERT_EQ(io.output_shapes.size(), 1U);
      ASSERT_EQ(io.output_shapes[0], expected_a.shape);
      std::size_t allocations = 0;
      for (int run = 0; run < 3; ++run) {
        const std::vector<Dense>& inputs = run == 1 ? b : a;
        const Dense& expected = run == 1 ? expected_b : expected_a;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          ASSERT_EQ(cudaMemcpyAsync(io.inputs[i], inputs[i].data.data(),
                                    inputs[i].data.size() * sizeof(float), cudaMemcpyHostToDevice,
                                    stream),
                    cudaSuccess);
        }
        executor.enqueue_device(shapes, stream);
        Dense out{expected.shape, std::vector<float>(expected.data.size())};
        ASSERT_EQ(cudaMemcpyAsync(out.data.data(), io.outputs[0], out.data.size() * sizeof(float),
                                  cudaMemcpyDeviceToHost, stream),
                  cudaSuccess);
        ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
        const std::string what = std::string(graph ? "graph" : "direct") +
                                 (plain ? ", plain" : "") + ", run " + std::to_string(run + 1);
        EXPECT_LE(test::relative_max_error(out, expected, what), 1e-5) << what;
        if (run == 0) {
          allocations = executor.num_allocations();
        } else {
          EXPECT_EQ(executor.num_allocations(), allocations) << what;
        }
      }
      EXPECT_EQ(executor.capture_error(), "");
      const GpuOnnxDeviceIo again = executor.prepare_device(shapes);
      EXPECT_TRUE(std::ranges::equal(again.inputs, io.inputs)) << "the same plan";
      EXPECT_EQ(again.inputs.data(), io.inputs.data()) << "the plan's own lists";
      EXPECT_EQ(executor.num_plans(), 1U);
      EXPECT_THROW(executor.enqueue_device(shapes, nullptr), std::logic_error);
    }
  }
  ASSERT_EQ(cudaStreamDestroy(stream), cudaSuccess);
}
#endif

// At most max_plans plans at once: a third shape frees the one used longest ago, and a shape
// whose plan was freed gets a new one with the same results.
TEST(GpuOnnxExecutor, PlansBeyondTheLimitFreeTheLeastRecentlyUsed) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  GpuOnnxExecutor executor(model, {.device = 0, .max_plans = 2});
  const std::vector<Dense> first = test::random_receiver_inputs(model, 14, 48, 5);
  const std::vector<Dense> second = test::random_receiver_inputs(model, 14, 24, 6);
  const std::vector<Dense> third = test::random_receiver_inputs(model, 12, 36, 7);
  const Dense expected = test::run_gpu(executor, first);
  (void)test::run_gpu(executor, second);
  EXPECT_EQ(executor.num_plans(), 2U);
  (void)test::run_gpu(executor, third); // frees the first shape's plan
  EXPECT_EQ(executor.num_plans(), 2U);
  (void)test::run_gpu(executor, third);
  EXPECT_EQ(test::run_gpu(executor, first).data, expected.data); // frees the second's
  EXPECT_EQ(executor.num_plans(), 2U);
  EXPECT_EQ(executor.capture_error(), "");
}

TEST(GpuOnnxExecutor, BadInputsAreOnnxErrors) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  GpuOnnxExecutor executor(model);
  std::vector<Dense> inputs = test::random_receiver_inputs(model, 14, 24, 3);
  EXPECT_THROW(executor.run(test::views_of({inputs[0], inputs[1]})), OnnxError);
  std::vector<Dense> wrong = inputs;
  wrong[0].shape[1] = 3; // channel count fixed by the model
  wrong[0].data.resize(static_cast<std::size_t>(phy::nn::shape_num_elements(wrong[0].shape)));
  EXPECT_THROW(executor.run(test::views_of(wrong)), OnnxError);
  EXPECT_THROW((void)executor.output(0), std::out_of_range); // no successful run yet

  // A shape a node cannot take names the node.
  GraphBuilder graph;
  graph.symbolic_input("a", {"1", "c"}).symbolic_input("b", {"1", "d"});
  graph.node("Add", {"a", "b"}, "y");
  graph.output("y");
  GpuOnnxExecutor add(graph.build());
  std::mt19937 rng(4);
  try {
    add.run(test::views_of(
        {phy::nn::test::random_dense({1, 3}, rng), phy::nn::test::random_dense({1, 4}, rng)}));
    FAIL() << "[1, 3] + [1, 4] was accepted";
  } catch (const OnnxError& error) {
    EXPECT_NE(std::string(error.what()).find("/Add_0"), std::string::npos) << error.what();
  }
}

TEST(GpuOnnxExecutor, DescriptionAndFactory) {
  if (const std::string reason = test::no_device_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  const OnnxModel model = read_onnx_model(models_dir / "reference" / "neural_receiver_small.onnx");
  const auto engine = make_gpu_inference_engine_factory(0)(model, 4);
  const std::string description = engine->description();
  EXPECT_EQ(description.rfind("cuda (device 0, ", 0), 0U) << description;
  EXPECT_NE(description.find(", fp32)"), std::string::npos) << description;
  const std::vector<Dense> inputs = reference_inputs(model);
  engine->run(test::views_of(inputs));
  EXPECT_EQ(engine->output(0).data.size(), test::read_reference_tensor("llr").data.size());
}

} // namespace
} // namespace airan::gpu
