// Shared by the GpuOnnxExecutor tests: the device check, runs of a model on the CPU executor and
// on the GPU executor (with and without the CUDA graph, twice each: the first run of a plan is
// launched directly, later ones replay the graph), and the relative max error.
#pragma once

#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_executor.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace airan::gpu::test {

/// Empty when a CUDA device is usable, else why not (for GTEST_SKIP).
inline std::string no_device_reason() {
  const auto result = query_devices();
  return result.devices.empty() ? "no CUDA device: " + result.status : std::string();
}

inline std::vector<phy::nn::ConstTensorView>
views_of(const std::vector<phy::nn::test::Dense>& inputs) {
  std::vector<phy::nn::ConstTensorView> views;
  for (const auto& input : inputs) {
    views.push_back(input.view());
  }
  return views;
}

/// Random inputs [1, C, symbols, subcarriers] with the antenna mask (side_info 0..3) set.
inline std::vector<phy::nn::test::Dense> random_receiver_inputs(const phy::nn::OnnxModel& model,
                                                                std::int64_t symbols,
                                                                std::int64_t subcarriers,
                                                                unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<phy::nn::test::Dense> inputs;
  for (const auto& input : model.graph.inputs) {
    const std::int64_t channels = input.dims.at(1).value_or(1);
    phy::nn::test::Dense dense =
        phy::nn::test::random_dense({1, channels, symbols, subcarriers}, rng);
    if (input.name == "side_info") {
      // Four antennas present, and a noise variance (channel 4) that is a variance, as the I/O
      // contract says: a negative one can cancel the channel gain in the model's MMSE feature
      // (gain + noise / 4), and there fp32 itself is ill-conditioned (PyTorch's fp32 output
      // moved 5e-4 from its fp64 output on such inputs, 1e-6 on these).
      const auto plane = static_cast<std::ptrdiff_t>(symbols * subcarriers);
      std::fill(dense.data.begin(), dense.data.begin() + 4 * plane, 1.0F);
      std::for_each(dense.data.begin() + 4 * plane, dense.data.begin() + 5 * plane,
                    [](float& value) { value = 0.05F + 0.5F * std::abs(value); });
    }
    inputs.push_back(std::move(dense));
  }
  return inputs;
}

/// A committed reference tensor of the small model (models/reference/<name>.npy, float32).
inline phy::nn::test::Dense read_reference_tensor(const std::string& name) {
  const io::NpyArray array =
      io::read_npy(std::filesystem::path(AIRAN_MODELS_DIR) / "reference" / (name + ".npy"));
  EXPECT_EQ(array.dtype, io::NpyDtype::f32) << name;
  phy::nn::test::Dense dense;
  for (const std::size_t dim : array.shape) {
    dense.shape.push_back(static_cast<std::int64_t>(dim));
  }
  dense.data.resize(array.num_elements());
  std::memcpy(dense.data.data(), array.data.data(), dense.data.size() * sizeof(float));
  return dense;
}

/// Output 0 of \p model on the CPU executor.
inline phy::nn::test::Dense run_cpu(const phy::nn::OnnxModel& model,
                                    const std::vector<phy::nn::test::Dense>& inputs,
                                    unsigned threads = 4) {
  phy::nn::OnnxExecutor executor(model, {.num_threads = threads});
  executor.run(views_of(inputs));
  const auto out = executor.output(0);
  return {{out.shape.begin(), out.shape.end()}, {out.data.begin(), out.data.end()}};
}

/// Output 0 of \p executor after run().
inline phy::nn::test::Dense run_gpu(GpuOnnxExecutor& executor,
                                    const std::vector<phy::nn::test::Dense>& inputs) {
  executor.run(views_of(inputs));
  const auto out = executor.output(0);
  return {{out.shape.begin(), out.shape.end()}, {out.data.begin(), out.data.end()}};
}

/// max |got - expected| / max(max |expected|, tiny).
inline double relative_max_error(const phy::nn::test::Dense& got,
                                 const phy::nn::test::Dense& expected, const std::string& label) {
  EXPECT_EQ(got.shape, expected.shape) << label;
  EXPECT_EQ(got.data.size(), expected.data.size()) << label;
  double max_error = 0.0;
  double max_expected = 0.0;
  for (std::size_t i = 0; i < std::min(got.data.size(), expected.data.size()); ++i) {
    const double error = std::abs(static_cast<double>(got.data[i]) - expected.data[i]);
    max_error = std::isnan(error) ? INFINITY : std::max(max_error, error);
    max_expected = std::max(max_expected, std::abs(static_cast<double>(expected.data[i])));
  }
  const double relative = max_error / std::max(max_expected, 1e-30);
  std::printf("%s: max |expected| %.4g, max abs error %.3g, relative %.3g\n", label.c_str(),
              max_expected, max_error, relative);
  return relative;
}

/// Executor options on device 0 with or without CUDA graphs: the default plans (streams side by
/// side, Concat inputs in place, residual Adds and element-wise chains folded), or plain ones
/// (one stream, every Concat copied, neither fold).
inline GpuOnnxExecutorOptions plan_options(bool graph, bool plain) {
  GpuOnnxExecutorOptions options{.device = 0, .use_cuda_graph = graph};
  if (plain) {
    options.fuse_residual = false;
    options.fuse_elementwise = false;
    options.max_streams = 1;
    options.concat_in_place = false;
  }
  return options;
}

/// Runs \p model on the CPU and on the GPU (graph and direct launches, default and plain plans,
/// two runs each) and
/// expects every GPU output within \p tolerance relative max error of the CPU's.
inline void expect_gpu_matches_cpu(const phy::nn::OnnxModel& model,
                                   const std::vector<phy::nn::test::Dense>& inputs,
                                   const std::string& label, double tolerance = 1e-5) {
  const phy::nn::test::Dense expected = run_cpu(model, inputs);
  for (const bool graph : {true, false}) {
    // The default plans (streams side by side, Concat inputs in place, residual Adds and
    // element-wise chains folded) and plain ones (one stream, every Concat copied, neither).
    for (const bool plain : {false, true}) {
      GpuOnnxExecutor executor(model, plan_options(graph, plain));
      for (int run = 0; run < 2; ++run) {
        const std::string what = label + (graph ? ", graph" : ", direct") +
                                 (plain ? ", plain" : "") + ", run " + std::to_string(run + 1);
        EXPECT_LE(relative_max_error(run_gpu(executor, inputs), expected, what), tolerance) << what;
        EXPECT_EQ(executor.capture_error(), "") << what;
      }
    }
  }
}

} // namespace airan::gpu::test
