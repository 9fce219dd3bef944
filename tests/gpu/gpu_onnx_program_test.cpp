// The CUDA ONNX executor's program (host half, on the CPU): which nodes fold into the one before
// (Relu into Conv and arithmetic, a residual block's Add into its pointwise Conv), on small
// graphs and on the committed neural receiver.
#include "gpu_onnx_layout.h"
#include "gpu_onnx_program.h"

#include "airan/phy/nn/onnx_model.h"

#include "../phy/nn/onnx_test_graphs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

namespace airan::gpu::detail {
namespace {

using phy::nn::test::GraphBuilder;
using phy::nn::test::random_dense;

const std::filesystem::path models_dir(AIRAN_MODELS_DIR);

std::size_t count_steps(const Program& program, StepKind kind, bool removed) {
  return static_cast<std::size_t>(
      std::count_if(program.steps.begin(), program.steps.end(), [&](const Step& step) {
        return step.kind == kind && step.removed == removed;
      }));
}

const Step* fused_conv(const Program& program) {
  for (const Step& step : program.steps) {
    if (step.kind == StepKind::conv && step.conv.residual) {
      return &step;
    }
  }
  return nullptr;
}

/// Relu(Add(residual, Conv1x1(x))), the residual \p late computed after the Conv.
phy::nn::OnnxModel residual_block(bool late, bool shared_conv_output, const char* conv_kernel) {
  std::mt19937 rng(3);
  GraphBuilder graph;
  graph.input("x", {1, 4, 5, 6});
  const bool pointwise = std::string(conv_kernel) == "1x1";
  graph.floats("w", random_dense({4, 4, pointwise ? 1 : 3, pointwise ? 1 : 3}, rng));
  auto& conv = graph.node("Conv", {"x", "w"}, "c");
  if (!pointwise) {
    conv.attributes = {phy::nn::ints_attribute("pads", {1, 1, 1, 1})};
  }
  std::string residual = "x";
  if (late) {
    graph.node("Sigmoid", {"x"}, "late");
    residual = "late";
  }
  graph.node("Add", {"c", residual}, "s");
  graph.node("Relu", {"s"}, "y");
  graph.output("y");
  if (shared_conv_output) {
    graph.output("c");
  }
  return graph.build();
}

TEST(GpuOnnxProgram, ResidualAddFoldsIntoItsPointwiseConvolution) {
  const phy::nn::OnnxModel model = residual_block(false, false, "1x1");
  const Program program = compile_program(model, {});
  const Step* conv = fused_conv(program);
  ASSERT_NE(conv, nullptr);
  EXPECT_TRUE(conv->conv.relu); // the Add's Relu, applied after the residual
  ASSERT_EQ(conv->inputs.size(), 2U);
  EXPECT_EQ(conv->inputs[1], program.input_ids[0]);
  EXPECT_EQ(conv->output, program.output_ids[0]);
  EXPECT_EQ(count_steps(program, StepKind::binary, true), 1U);
  EXPECT_EQ(count_steps(program, StepKind::unary, true), 1U);

  const Program plain = compile_program(model, {.relu = true, .residual = false});
  EXPECT_EQ(fused_conv(plain), nullptr);
  EXPECT_EQ(count_steps(plain, StepKind::binary, false), 1U);
}

TEST(GpuOnnxProgram, ResidualAddStaysWhereFoldingWouldChangeTheResult) {
  // A residual computed after the Conv, a Conv output that is also a graph output, a 3x3 Conv.
  EXPECT_EQ(fused_conv(compile_program(residual_block(true, false, "1x1"), {})), nullptr);
  EXPECT_EQ(fused_conv(compile_program(residual_block(false, true, "1x1"), {})), nullptr);
  EXPECT_EQ(fused_conv(compile_program(residual_block(false, false, "3x3"), {})), nullptr);
}

TEST(GpuOnnxProgram, TheNeuralReceiversResidualBlocksFold) {
  const phy::nn::OnnxModel model = phy::nn::read_onnx_model(models_dir / "neural_receiver.onnx");
  const Program fused = compile_program(model, {.relu = true, .residual = true, .regions = false});
  const Program plain =
      compile_program(model, {.relu = false, .residual = false, .regions = false});
  std::size_t residual_convs = 0;
  std::size_t constant_residuals = 0;
  for (std::size_t s = 0; s < fused.steps.size(); ++s) {
    const Step& step = fused.steps[s];
    if (step.kind == StepKind::conv && step.conv.residual) {
      ++residual_convs;
      if (fused.values[step.inputs[1]].constant != nullptr) {
        // The LLR gain head's 1 + g: the constant is broadcast in the epilogue, no Relu.
        ++constant_residuals;
        EXPECT_FALSE(step.conv.relu) << step.description;
        continue;
      }
      EXPECT_TRUE(step.conv.relu) << step.description;
      const std::ptrdiff_t producer = fused.values[step.inputs[1]].step;
      EXPECT_LT(producer, static_cast<std::ptrdiff_t>(s)) << step.description;
    }
  }
  // models/neural_receiver.py: num_blocks = 6, and llr_gain.
  EXPECT_EQ(residual_convs - constant_residuals, 6U);
  EXPECT_EQ(constant_residuals, 1U);
  const auto live = [](const Program& p) {
    return std::count_if(p.steps.begin(), p.steps.end(),
                         [](const Step& step) { return !step.removed; });
  };
  // Each residual block: its Add and its Relu fold; the other Relus fold into Convs.
  EXPECT_EQ(
      live(plain) - live(fused),
      static_cast<std::ptrdiff_t>(residual_convs + count_steps(fused, StepKind::unary, true)));
}

TEST(GpuOnnxProgram, RegionIterationSpaceIsBoundedLikeATensor) {
  // mean(a * b) over a broadcast of 70000 x 70000: the product was never a tensor of its own
  // once folded, but its shape must still respect the element limit.
  GraphBuilder graph;
  graph.input("a", {1, 1, 70000, 1}).input("b", {1, 1, 1, 70000});
  graph.node("Mul", {"a", "b"}, "p");
  graph.node("ReduceMean", {"p"}, "y");
  graph.output("y");
  const phy::nn::OnnxModel model = graph.build();
  const std::vector<TensorShape> shapes{{1, 1, 70000, 1}, {1, 1, 1, 70000}};
  for (const bool regions : {false, true}) {
    const Program program =
        compile_program(model, {.relu = true, .residual = true, .regions = regions});
    EXPECT_THROW(layout_plan(program, shapes, true), phy::nn::OnnxError) << regions;
  }
}

// A product read by two element-wise readers is evaluated inside both readers' regions and no
// longer computed on its own; read also by a Concat, it stays a value (and its element-wise
// readers still read it, not its inputs).
TEST(GpuOnnxProgram, SharedElementwiseValuesAreRecomputedInEveryReader) {
  for (const bool concat_reader : {false, true}) {
    GraphBuilder graph;
    graph.input("x", {1, 2, 3, 4}).input("z", {1, 2, 3, 4});
    graph.node("Mul", {"x", "z"}, "t");
    graph.node("Add", {"t", "z"}, "u");
    graph.node("Sub", {"x", "t"}, "w");
    graph.node("Tanh", {"w"}, "v");
    graph.node("Div", {"u", "v"}, "y");
    if (concat_reader) {
      graph.node("Concat", {"y", "t"}, "out").attributes = {phy::nn::int_attribute("axis", 1)};
      graph.output("out");
    } else {
      graph.output("y");
    }
    const Program program = compile_program(graph.build(), {});
    std::size_t regions = 0;
    std::size_t reading_t = 0;
    for (const Step& step : program.steps) {
      if (step.removed) {
        continue;
      }
      regions += step.kind == StepKind::region ? 1 : 0;
      const std::size_t t = program.steps[0].output; // the Mul's value
      reading_t += step.kind == StepKind::region &&
                           std::find(step.inputs.begin(), step.inputs.end(), t) != step.inputs.end()
                       ? 1
                       : 0;
    }
    // Without the Concat: one region (y, with u, w, v and both copies of t inside), the Mul
    // removed. With it: the Mul stays for the Concat, and the region reads t.
    EXPECT_EQ(regions, 1U) << concat_reader;
    EXPECT_EQ(program.steps[0].removed, !concat_reader);
    EXPECT_EQ(reading_t, concat_reader ? 1U : 0U);
  }
}

TEST(GpuOnnxProgram, TheNeuralReceiversElementwiseChainsBecomeRegions) {
  const phy::nn::OnnxModel model = phy::nn::read_onnx_model(models_dir / "neural_receiver.onnx");
  const Program without =
      compile_program(model, {.relu = true, .residual = true, .regions = false});
  const Program with = compile_program(model, {});
  const auto live = [](const Program& p) {
    return std::count_if(p.steps.begin(), p.steps.end(),
                         [](const Step& step) { return !step.removed; });
  };
  std::size_t regions = 0;
  std::size_t reduce_regions = 0;
  std::size_t slices_folded = 0;
  for (const Step& step : with.steps) {
    if (step.removed || step.kind != StepKind::region) {
      continue;
    }
    ++regions;
    reduce_regions += step.region.reduce ? 1 : 0;
    EXPECT_LE(step.region.nodes.size(), static_cast<std::size_t>(onnx::max_region_ops));
    for (const RegionNode& node : step.region.nodes) {
      slices_folded += node.slices.size();
      if (node.kind == onnx::RegionOpKind::load) {
        EXPECT_LT(node.input, step.inputs.size()) << step.description;
      }
    }
  }
  std::printf("regions %zu (%zu ending in ReduceMean), %zu Slice uses folded; steps %td -> %td\n",
              regions, reduce_regions, slices_folded, live(without), live(with));
  // Per layer and feature set: the matched filter's two means and the gain are regions.
  EXPECT_GE(reduce_regions, 36U);
  EXPECT_LT(live(with), live(without) * 2 / 3);
  EXPECT_EQ(count_steps(with, StepKind::slice, false) + count_steps(with, StepKind::slice, true),
            count_steps(without, StepKind::slice, false));
}

} // namespace
} // namespace airan::gpu::detail
