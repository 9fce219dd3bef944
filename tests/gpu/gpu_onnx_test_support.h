// Shared by the GpuOnnxExecutor tests: the device check, runs of a model on the CPU executor and
// on the GPU executor (with and without the CUDA graph, twice each: the first run of a plan is
// launched directly, later ones replay the graph), and the relative max error.
#pragma once

#include "airan/gpu/device_query.h"
#include "airan/gpu/gpu_onnx_executor.h"
#include "airan/phy/nn/onnx_executor.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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
      GpuOnnxExecutorOptions options{.device = 0, .use_cuda_graph = graph};
      if (plain) {
        options.fuse_residual = false;
        options.fuse_elementwise = false;
        options.max_streams = 1;
        options.concat_in_place = false;
      }
      GpuOnnxExecutor executor(model, options);
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
