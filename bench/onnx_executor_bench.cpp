// Neural-receiver inference on the CPU (OnnxExecutor).
//
// PointwiseGemm: the 1x1 convolution kernel at the network's inner size, 96 -> 96 channels over
// one 106-PRB slot (14 x 1272 pixels), single thread, AVX2 + FMA vs the portable kernel; the
// SIMD run reports "speedup_vs_portable", measured in the same process. Counter "GFLOPs".
//
// NeuralReceiver: a full model shaped like models/neural_receiver.py at width 96 with 6 residual
// blocks (input concat -> separable conv 47 -> 96 -> 6 x [separable, Relu, separable, skip Add,
// Relu] -> 1x1 conv 96 -> 32), built in C++ with random weights, run on [1, *, 14, 1272] with 1
// and 2 threads. The input normalisation prelude of the real model (a few reductions and
// element-wise ops) is left out; the convolutions are >95% of the work.
#include "airan/phy/nn/onnx_executor.h"
#include "airan/phy/nn/onnx_gemm_kernel.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace airan::phy::nn;

namespace {

constexpr std::int64_t symbols = 14;
constexpr std::int64_t subcarriers = std::int64_t{106} * 12;
constexpr std::int64_t pixels = symbols * subcarriers;
constexpr std::int64_t width = 96;
constexpr int num_blocks = 6;

std::vector<float> random_values(std::size_t count, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0F, scale);
  std::vector<float> values(count);
  for (float& v : values) {
    v = gauss(rng);
  }
  return values;
}

/// Seconds per call of the GEMM kernel over the whole slot (median of a few).
double gemm_seconds(const GemmWeights& weights, const std::vector<float>& x, std::vector<float>& y,
                    GemmIsa isa) {
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    gemm_columns(weights, x.data(), pixels, y.data(), pixels, 0, pixels, false, isa);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

void BM_PointwiseGemm(benchmark::State& state) {
  const auto isa = static_cast<GemmIsa>(state.range(0));
  if (isa == GemmIsa::avx2 && best_gemm_isa() != GemmIsa::avx2) {
    state.SkipWithError("the CPU has no AVX2 + FMA");
    return;
  }
  const GemmWeights weights = make_gemm_weights(random_values(width * width, 0.1F, 1), width, width,
                                                random_values(width, 0.1F, 2));
  const std::vector<float> x = random_values(static_cast<std::size_t>(width * pixels), 1.0F, 3);
  std::vector<float> y(static_cast<std::size_t>(width * pixels));
  for (auto _ : state) {
    gemm_columns(weights, x.data(), pixels, y.data(), pixels, 0, pixels, false, isa);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * width * width * pixels;
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  if (isa == GemmIsa::avx2) {
    state.counters["speedup_vs_portable"] =
        gemm_seconds(weights, x, y, GemmIsa::scalar) / gemm_seconds(weights, x, y, GemmIsa::avx2);
  }
}
BENCHMARK(BM_PointwiseGemm)
    ->ArgName("isa_avx2")
    ->Arg(static_cast<int>(GemmIsa::scalar))
    ->Arg(static_cast<int>(GemmIsa::avx2))
    ->Unit(benchmark::kMillisecond);

/// Builds NeuralReceiver(width, blocks) with random weights.
class ModelBuilder {
public:
  ModelBuilder() {
    model_.graph.name = "neural_receiver_bench";
    for (const auto& [name, channels] : std::vector<std::pair<std::string, std::int64_t>>{
             {"rx_grid", 8}, {"ls_channel", 32}, {"side_info", 7}}) {
      OnnxValueInfo input;
      input.name = name;
      input.dims = {1, channels, std::nullopt, std::nullopt};
      input.dim_names = {"", "", "symbols", "subcarriers"};
      model_.graph.inputs.push_back(input);
    }
    OnnxValueInfo output;
    output.name = "llr";
    output.dims = {1, 32, std::nullopt, std::nullopt};
    output.dim_names = {"", "", "symbols", "subcarriers"};
    model_.graph.outputs.push_back(output);
  }

  std::string node(const std::string& op, std::vector<std::string> inputs,
                   std::vector<OnnxAttribute> attributes = {}, const std::string& output = "") {
    OnnxNode node;
    node.name = "/" + op + "_" + std::to_string(model_.graph.nodes.size());
    node.op_type = op;
    node.inputs = std::move(inputs);
    node.outputs = {output.empty() ? node.name + "_output" : output};
    node.attributes = std::move(attributes);
    model_.graph.nodes.push_back(node);
    return model_.graph.nodes.back().outputs[0];
  }

  std::string conv(const std::string& x, std::int64_t in, std::int64_t out, bool depthwise,
                   const std::string& output = "") {
    const std::string name = "w" + std::to_string(model_.graph.initializers.size());
    const std::int64_t k = depthwise ? 3 : 1;
    const std::int64_t per_group = depthwise ? 1 : in;
    add_initializer(name, {out, per_group, k, k},
                    random_values(static_cast<std::size_t>(out * per_group * k * k),
                                  1.0F / std::sqrt(static_cast<float>(per_group * k * k)),
                                  seed_++));
    add_initializer(name + "_b", {out},
                    random_values(static_cast<std::size_t>(out), 0.1F, seed_++));
    std::vector<OnnxAttribute> attributes{
        int_attribute("group", depthwise ? in : 1), ints_attribute("kernel_shape", {k, k}),
        ints_attribute("pads", depthwise ? std::vector<std::int64_t>{1, 1, 1, 1}
                                         : std::vector<std::int64_t>{0, 0, 0, 0}),
        ints_attribute("strides", {1, 1})};
    return node("Conv", {x, name, name + "_b"}, attributes, output);
  }

  std::string separable(const std::string& x, std::int64_t in, std::int64_t out) {
    return conv(conv(x, in, in, true), in, out, false);
  }

  OnnxModel build() {
    std::string x =
        node("Concat", {"rx_grid", "ls_channel", "side_info"}, {int_attribute("axis", 1)});
    x = node("Relu", {separable(x, 47, width)});
    for (int b = 0; b < num_blocks; ++b) {
      const std::string y = separable(node("Relu", {separable(x, width, width)}), width, width);
      x = node("Relu", {node("Add", {x, y})});
    }
    conv(x, width, 32, false, "llr");
    return model_;
  }

private:
  void add_initializer(const std::string& name, TensorShape shape, std::vector<float> values) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.floats = std::move(values);
    model_.graph.initializers.push_back(std::move(t));
  }

  OnnxModel model_;
  unsigned seed_ = 10;
};

void BM_NeuralReceiver(benchmark::State& state) {
  OnnxExecutorOptions options;
  options.num_threads = static_cast<unsigned>(state.range(0));
  options.use_simd = state.range(1) != 0;
  options.fuse_relu = state.range(2) != 0;
  OnnxExecutor executor(ModelBuilder().build(), options);
  const std::vector<float> rx = random_values(static_cast<std::size_t>(8 * pixels), 1.0F, 4);
  const std::vector<float> ls = random_values(static_cast<std::size_t>(32 * pixels), 1.0F, 5);
  const std::vector<float> side = random_values(static_cast<std::size_t>(7 * pixels), 1.0F, 6);
  const std::vector<std::int64_t> s8{1, 8, symbols, subcarriers};
  const std::vector<std::int64_t> s32{1, 32, symbols, subcarriers};
  const std::vector<std::int64_t> s7{1, 7, symbols, subcarriers};
  const std::vector<ConstTensorView> views{{rx, s8}, {ls, s32}, {side, s7}};
  executor.run(views); // plans and allocates
  for (auto _ : state) {
    executor.run(views);
    benchmark::DoNotOptimize(executor.output(0).data.data());
  }
  const double pointwise = 47.0 * width + 2.0 * num_blocks * width * width + width * 32.0;
  const double depthwise = 9.0 * (47 + std::int64_t{2} * num_blocks * width);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * (pointwise + depthwise) * pixels * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["parameters"] = static_cast<double>(executor.num_parameters());
}
BENCHMARK(BM_NeuralReceiver)
    ->ArgNames({"threads", "simd", "fuse_relu"})
    ->Args({1, 1, 1})
    ->Args({2, 1, 1})
    ->Args({1, 0, 1})
    ->Args({1, 1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
