// Graphs that exercise the CUDA ONNX executor's fused element-wise regions: Slices with steps
// (reversed, chained) under broadcasts of different ranks, a ReduceMean root over short and long
// reductions, a value read twice (recomputed in both readers), a chain too long for one region,
// unary chains.
// Shared by the host emulation test (tests/gpu/gpu_onnx_plan_emulation_test.cpp) and the GPU
// operator tests.
#pragma once

#include "../phy/nn/onnx_test_graphs.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace airan::gpu::test {

struct RegionTestGraph {
  std::string label;
  phy::nn::OnnxModel model;
  std::vector<phy::nn::test::Dense> inputs;
};

inline std::vector<RegionTestGraph> region_test_graphs() {
  using phy::nn::test::GraphBuilder;
  using phy::nn::test::random_dense;
  std::mt19937 rng(31);
  std::vector<RegionTestGraph> graphs;
  const auto slice = [](GraphBuilder& graph, const std::string& in, const std::string& out,
                        std::int64_t start, std::int64_t end, std::int64_t axis,
                        std::int64_t step) {
    graph.ints(out + "_starts", {start})
        .ints(out + "_ends", {end})
        .ints(out + "_axes", {axis})
        .ints(out + "_steps", {step});
    graph.node("Slice", {in, out + "_starts", out + "_ends", out + "_axes", out + "_steps"}, out);
  };
  {
    // Even and odd channels, one of them reversed along the last axis through a second Slice,
    // a rank-2 broadcast, Sqrt of a broadcast row, Relu fused into the Sub.
    GraphBuilder graph;
    graph.input("x", {1, 8, 6, 10}).input("r", {6, 1}).input("k", {1, 1, 1, 10});
    slice(graph, "x", "even", 0, INT64_MAX, 1, 2);
    slice(graph, "x", "odd", 1, INT64_MAX, 1, 2);
    slice(graph, "odd", "odd_reversed", -1, INT64_MIN, 3, -1);
    graph.node("Mul", {"even", "odd_reversed"}, "m");
    graph.node("Add", {"m", "r"}, "s");
    graph.node("Sqrt", {"k"}, "root");
    graph.node("Sub", {"s", "root"}, "d");
    graph.node("Relu", {"d"}, "y");
    graph.output("y");
    graphs.push_back({"slices and broadcasts",
                      graph.build(),
                      {random_dense({1, 8, 6, 10}, rng), random_dense({6, 1}, rng),
                       random_dense({1, 1, 1, 10}, rng, 0.1F, 2.0F)}});
  }
  {
    // mean over the even/odd channel pairs of a^2 + b^2 (short reduction), the mean of x^2
    // over everything but the batch (480 > 256 elements: the long-reduction kernel), divided.
    GraphBuilder graph;
    graph.input("x", {1, 8, 6, 10});
    slice(graph, "x", "a", 0, INT64_MAX, 1, 2);
    slice(graph, "x", "b", 1, INT64_MAX, 1, 2);
    graph.node("Mul", {"a", "a"}, "aa");
    graph.node("Mul", {"b", "b"}, "bb");
    graph.node("Add", {"aa", "bb"}, "p");
    graph.node("ReduceMean", {"p"}, "pm")
        .attributes.push_back(phy::nn::ints_attribute("axes", {1}));
    graph.node("Mul", {"x", "x"}, "xx");
    graph.node("ReduceMean", {"xx"}, "power")
        .attributes.push_back(phy::nn::ints_attribute("axes", {1, 2, 3}));
    graph.node("Div", {"pm", "power"}, "y");
    graph.output("y");
    graphs.push_back({"ReduceMean roots", graph.build(), {random_dense({1, 8, 6, 10}, rng)}});
  }
  {
    // t is read twice: each reader's region evaluates it.
    GraphBuilder graph;
    graph.input("x", {2, 3, 5}).input("z", {5});
    graph.node("Mul", {"x", "x"}, "t");
    graph.node("Add", {"t", "z"}, "u");
    graph.node("Tanh", {"u"}, "v");
    graph.node("Sub", {"z", "t"}, "w");
    graph.node("Sigmoid", {"w"}, "q");
    graph.node("Neg", {"q"}, "nq");
    graph.node("Div", {"v", "nq"}, "y");
    graph.output("y");
    graphs.push_back({"shared value, unary chains",
                      graph.build(),
                      {random_dense({2, 3, 5}, rng), random_dense({5}, rng)}});
  }
  {
    // 40 Adds in a chain: more than one region holds.
    GraphBuilder graph;
    graph.input("x", {1, 4, 3, 7}).input("c", {1, 4, 1, 1});
    std::string previous = "x";
    for (int i = 0; i < 40; ++i) {
      const std::string next = "chain" + std::to_string(i);
      graph.node(i % 3 == 2 ? "Mul" : "Add", {previous, "c"}, next);
      previous = next;
    }
    graph.node("Relu", {previous}, "y");
    graph.output("y");
    graphs.push_back(
        {"long chain",
         graph.build(),
         {random_dense({1, 4, 3, 7}, rng), random_dense({1, 4, 1, 1}, rng, 0.5F, 1.0F)}});
  }
  {
    // Concat inputs read elsewhere too: before the Concat (in place, read inside its output),
    // and after the Concat's output is gone (must keep a block of its own).
    GraphBuilder graph;
    graph.input("x", {1, 2, 6, 8}).input("z", {1, 3, 6, 8});
    graph.node("Sigmoid", {"x"}, "early");
    graph.node("Tanh", {"z"}, "late");
    graph.node("Sqrt", {"early"}, "early_root"); // reads "early" before the Concat
    graph.node("Concat", {"early", "late", "early_root"}, "stack")
        .attributes.push_back(phy::nn::int_attribute("axis", 1));
    graph.node("ReduceMean", {"stack"}, "mean")
        .attributes.push_back(phy::nn::ints_attribute("axes", {1}));
    graph.node("Mul", {"late", "z"}, "after"); // reads "late" after the Concat's last reader
    graph.node("Add", {"after", "mean"}, "y");
    graph.output("y");
    graphs.push_back({"Concat inputs read elsewhere",
                      graph.build(),
                      {random_dense({1, 2, 6, 8}, rng), random_dense({1, 3, 6, 8}, rng)}});
  }
  return graphs;
}

} // namespace airan::gpu::test
