// CUDA ONNX executor benchmark: the full neural receiver (models/neural_receiver.onnx) at 273 PRB
// x 14 symbols, 4 Rx ([1, C, 14, 3276] inputs, antenna mask channels 0..3 set), median of 50 runs
// after warm-up: device time from CUDA events (input upload, model, output download) and host
// wall clock of run(), with and without the CUDA graph. Without a device it says so and exits 0.
// Accepts (and ignores) Google Benchmark flags such as --benchmark_min_time=0.2.
#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/phy/nn/onnx_model.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
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

int run() {
  const auto devices = airan::gpu::query_devices();
  if (devices.devices.empty()) {
    std::printf("bench_gpu_onnx: no CUDA device (%s); nothing measured\n", devices.status.c_str());
    return 0;
  }
  constexpr std::int64_t symbols = 14;
  constexpr std::int64_t subcarriers = 12 * 273;
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
      std::fill(values.begin(), values.begin() + 4 * symbols * subcarriers, 1.0F);
    }
    data.push_back(std::move(values));
  }
  std::vector<ConstTensorView> views;
  for (std::size_t i = 0; i < data.size(); ++i) {
    views.push_back({data[i], shapes[i]});
  }
  const int device = devices.devices.front().index;
  airan::gpu::GpuOnnxExecutor graph_engine(model, {.device = device});
  airan::gpu::GpuOnnxExecutor eager_engine(model, {.device = device, .use_cuda_graph = false});
  const Timing graph = measure(graph_engine, views);
  const Timing eager = measure(eager_engine, views);

  std::printf("GPU ONNX executor, %s: neural_receiver.onnx, 273 PRB x 14 symbols, 4 Rx, "
              "median of 50 runs\n",
              graph_engine.description().c_str());
  std::printf("%-40s %10s %10s\n", "mode", "device us", "host us");
  std::printf("%-40s %10.1f %10.1f\n", "CUDA graph", graph.device_us, graph.host_us);
  std::printf("%-40s %10.1f %10.1f\n", "kernel launches (no graph)", eager.device_us,
              eager.host_us);
  std::printf("gpu onnx neural receiver 273 PRB: %.1f us device, %.1f us run()\n", graph.device_us,
              graph.host_us);
  return 0;
}

} // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_gpu_onnx: %s\n", error.what());
    return 1;
  }
}
