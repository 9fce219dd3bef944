// CUDA ONNX executor benchmark: the full neural receiver (models/neural_receiver.onnx) at 273 PRB
// x 14 symbols, 4 Rx ([1, C, 14, 3276] inputs, antenna mask channels 0..3 set), median of 50 runs
// after warm-up: device time from CUDA events (input upload, model, output download) and host
// wall clock of run(), with and without the CUDA graph, in fp32 and with TF32 tensor cores, and
// without launch batching (the independent element-wise launches of a dependency level as one
// kernel, GpuOnnxExecutorOptions::batch_launches) as its baseline; then
// where the device time goes (GpuOnnxExecutor::profile(), median per launch of 9 profiles), per
// kind of kernel and for the slowest nodes. Without a device it says so and exits 0. Accepts (and
// ignores) Google Benchmark flags such as --benchmark_min_time=0.2.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"
#include "bench_main.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using airan::phy::nn::ConstTensorView;
using airan::phy::nn::TensorShape;

float median(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0.0F : values[values.size() / 2];
}

struct Timing {
  float device_us = 0.0F;
  float host_us = 0.0F;
};

Timing measure(airan::gpu::GpuOnnxExecutor& engine, std::span<const ConstTensorView> inputs) {
  constexpr int warm_up = 5;
  constexpr int runs = 50;
  std::vector<float> device_us;
  std::vector<float> host_us;
  for (int i = 0; i < warm_up + runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    engine.run(inputs);
    const auto end = std::chrono::steady_clock::now();
    if (i >= warm_up) {
      device_us.push_back(1e3F * engine.last_run_device_ms());
      host_us.push_back(std::chrono::duration<float, std::micro>(end - start).count());
    }
  }
  return {median(device_us), median(host_us)};
}

/// Median device time of each launch over several profiles of \p engine.
std::vector<airan::gpu::GpuOnnxLaunchTime> median_profile(airan::gpu::GpuOnnxExecutor& engine,
                                                          std::span<const ConstTensorView> inputs) {
  constexpr int profiles = 9;
  std::vector<std::vector<airan::gpu::GpuOnnxLaunchTime>> runs;
  runs.reserve(profiles);
  for (int i = 0; i < profiles; ++i) {
    runs.push_back(engine.profile(inputs));
  }
  std::vector<airan::gpu::GpuOnnxLaunchTime> result = runs.front();
  for (std::size_t l = 0; l < result.size(); ++l) {
    std::vector<float> times;
    times.reserve(runs.size());
    for (const auto& run : runs) {
      times.push_back(run.at(l).device_us);
    }
    result[l].device_us = median(times);
  }
  return result;
}

/// Prints the device time per kind of kernel (fp32 and TF32 side by side) and the slowest nodes.
void print_profiles(const std::vector<airan::gpu::GpuOnnxLaunchTime>& fp32,
                    const std::vector<airan::gpu::GpuOnnxLaunchTime>& tf32) {
  struct KindTotal {
    int launches = 0;
    float fp32_us = 0.0F;
    float tf32_us = 0.0F;
  };
  std::map<std::string, KindTotal> kinds;
  std::map<std::string, float> nodes;
  float fp32_total = 0.0F;
  float tf32_total = 0.0F;
  for (std::size_t l = 0; l < fp32.size() && l < tf32.size(); ++l) {
    KindTotal& kind = kinds[fp32[l].kernel];
    ++kind.launches;
    kind.fp32_us += fp32[l].device_us;
    kind.tf32_us += tf32[l].device_us;
    nodes[fp32[l].node] += fp32[l].device_us;
    fp32_total += fp32[l].device_us;
    tf32_total += tf32[l].device_us;
  }
  std::printf("\nprofile (launches back to back in a graph, event after each, median of 9)\n");
  std::printf("%-28s %9s %10s %10s\n", "kernel", "launches", "fp32 us", "tf32 us");
  for (const auto& [name, total] : kinds) {
    std::printf("%-28s %9d %10.1f %10.1f\n", name.c_str(), total.launches, total.fp32_us,
                total.tf32_us);
  }
  std::printf("%-28s %9zu %10.1f %10.1f\n", "all", fp32.size(), fp32_total, tf32_total);
  std::vector<std::pair<float, std::string>> slowest;
  slowest.reserve(nodes.size());
  for (const auto& [name, us] : nodes) {
    slowest.emplace_back(us, name);
  }
  std::sort(slowest.rbegin(), slowest.rend());
  std::printf("\nslowest nodes (fp32)\n");
  for (std::size_t i = 0; i < std::min<std::size_t>(12, slowest.size()); ++i) {
    std::printf("%10.1f us  %s\n", slowest[i].first, slowest[i].second.c_str());
  }
}

int run() {
  const auto chosen = airan::bench::bench_device("bench_gpu_onnx");
  if (!chosen) {
    return 0;
  }
  constexpr std::int64_t symbols = 14;
  constexpr std::int64_t subcarriers = std::int64_t{12} * 273;
  const auto model = airan::phy::nn::read_onnx_model(std::filesystem::path(AIRAN_MODELS_DIR) /
                                                     "neural_receiver.onnx");
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<TensorShape> shapes;
  std::vector<std::vector<float>> data;
  for (const auto& input : model.graph.inputs) {
    const std::int64_t channels = input.dims.at(1).value_or(1);
    shapes.push_back({1, channels, symbols, subcarriers});
    std::vector<float> values(static_cast<std::size_t>(channels * symbols * subcarriers));
    for (float& value : values) {
      value = normal(rng);
    }
    if (input.name == "side_info") {
      // Four antennas present, and a noise variance (channel 4) that is a variance.
      const auto plane = static_cast<std::ptrdiff_t>(symbols * subcarriers);
      std::fill(values.begin(), values.begin() + 4 * plane, 1.0F);
      std::for_each(values.begin() + 4 * plane, values.begin() + 5 * plane,
                    [](float& value) { value = 0.05F + 0.5F * std::abs(value); });
    }
    data.push_back(std::move(values));
  }
  std::vector<ConstTensorView> views;
  for (std::size_t i = 0; i < data.size(); ++i) {
    views.push_back({data[i], shapes[i]});
  }
  const int device = chosen->index;
  airan::gpu::GpuOnnxExecutor graph_engine(model, {.device = device});
  airan::gpu::GpuOnnxExecutor eager_engine(model, {.device = device, .use_cuda_graph = false});
  airan::gpu::GpuOnnxExecutor tf32_engine(
      model, {.device = device, .math = airan::gpu::GpuOnnxMath::tf32});
  // The baseline of the plan optimisations: one stream, every Concat copied, no residual or
  // element-wise fusion.
  airan::gpu::GpuOnnxExecutor plain_engine(model, {.device = device,
                                                   .fuse_residual = false,
                                                   .fuse_elementwise = false,
                                                   .max_streams = 1,
                                                   .concat_in_place = false});
  // The baseline of launch batching: every element-wise launch its own kernel.
  airan::gpu::GpuOnnxExecutor unbatched_engine(model, {.device = device, .batch_launches = false});
  const Timing graph = measure(graph_engine, views);
  const Timing unbatched = measure(unbatched_engine, views);
  const Timing eager = measure(eager_engine, views);
  const Timing tf32 = measure(tf32_engine, views);
  const Timing plain = measure(plain_engine, views);
  // Pointwise convolutions as cuBLASLt matmuls with bias, residual and Relu folded in.
  airan::gpu::GpuOnnxExecutor lt_engine(model, {.device = device, .gemm_epilogue = true});
  airan::gpu::GpuOnnxExecutor lt_tf32_engine(
      model, {.device = device, .math = airan::gpu::GpuOnnxMath::tf32, .gemm_epilogue = true});
  const Timing lt = measure(lt_engine, views);
  const Timing lt_tf32 = measure(lt_tf32_engine, views);

  std::printf("GPU ONNX executor, %s: neural_receiver.onnx, 273 PRB x 14 symbols, 4 Rx, "
              "median of 50 runs\n",
              graph_engine.description().c_str());
  std::printf("%-40s %10s %10s\n", "mode", "device us", "host us");
  std::printf("%-40s %10.1f %10.1f\n", "CUDA graph", graph.device_us, graph.host_us);
  std::printf("%-40s %10.1f %10.1f\n", "kernel launches (no graph)", eager.device_us,
              eager.host_us);
  std::printf("%-40s %10.1f %10.1f\n", "tf32 CUDA graph", tf32.device_us, tf32.host_us);
  std::printf("%-40s %10.1f %10.1f  (graph / plain %.2f)\n", "plain plan graph (1 stream, unfused)",
              plain.device_us, plain.host_us, graph.device_us / plain.device_us);
  std::printf("%-40s %10.1f %10.1f  (graph / unbatched %.2f)\n", "unbatched graph (a kernel each)",
              unbatched.device_us, unbatched.host_us, graph.device_us / unbatched.device_us);
  std::printf("%-40s %10.1f %10.1f  (%zu of the pointwise convolutions fused)\n",
              "cuBLASLt epilogues graph", lt.device_us, lt.host_us, lt_engine.num_fused_gemms());
  std::printf("%-40s %10.1f %10.1f\n", "cuBLASLt epilogues tf32 graph", lt_tf32.device_us,
              lt_tf32.host_us);
  print_profiles(median_profile(graph_engine, views), median_profile(tf32_engine, views));
  std::printf("gpu onnx neural receiver 273 PRB: %.1f us device, %.1f us run() (fp32); %.1f us "
              "device (tf32)\n",
              graph.device_us, graph.host_us, tf32.device_us);
  return 0;
}

} // namespace

int main() {
  return airan::bench::run_reporting_errors("bench_gpu_onnx", run);
}
