// ONNX executor: the committed reference model reproduces PyTorch's LLRs (bit-identical for 1 and
// 2 threads); unsupported nodes are named when the executor is built; bad inputs at run() are
// OnnxErrors; plans are cached per input shape and a cached run allocates nothing.
#include "../../support/allocation_counter.h"
#include "airan/io/npy.h"
#include "airan/phy/nn/onnx_executor.h"
#include "onnx_test_graphs.h"
#include "onnx_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>

namespace airan::phy::nn {
namespace {

using test::expect_error;

const std::filesystem::path reference_dir = std::filesystem::path(AIRAN_MODELS_DIR) / "reference";

test::Dense read_tensor(const std::string& name) {
  const io::NpyArray array = io::read_npy(reference_dir / (name + ".npy"));
  EXPECT_EQ(array.dtype, io::NpyDtype::f32) << name;
  test::Dense dense;
  for (const std::size_t dim : array.shape) {
    dense.shape.push_back(static_cast<std::int64_t>(dim));
  }
  dense.data.resize(array.num_elements());
  std::memcpy(dense.data.data(), array.data.data(), dense.data.size() * sizeof(float));
  return dense;
}

struct Reference {
  test::Dense rx_grid = read_tensor("rx_grid");
  test::Dense ls_channel = read_tensor("ls_channel");
  test::Dense side_info = read_tensor("side_info");
  test::Dense llr = read_tensor("llr");
};

std::vector<float> run_reference(const Reference& ref, const OnnxExecutorOptions& options) {
  OnnxExecutor executor(read_onnx_model(reference_dir / "neural_receiver_small.onnx"), options);
  EXPECT_EQ(executor.inputs().size(), 3U);
  // Feed the inputs by name, in the executor's order.
  std::vector<ConstTensorView> views;
  for (const OnnxValueInfo& input : executor.inputs()) {
    const test::Dense& dense = input.name == "rx_grid"      ? ref.rx_grid
                               : input.name == "ls_channel" ? ref.ls_channel
                                                            : ref.side_info;
    views.push_back(dense.view());
  }
  executor.run(views);
  const ConstTensorView llr = executor.output(0);
  EXPECT_TRUE(
      std::equal(llr.shape.begin(), llr.shape.end(), ref.llr.shape.begin(), ref.llr.shape.end()))
      << shape_to_string(llr.shape) << " vs " << shape_to_string(ref.llr.shape);
  return {llr.data.begin(), llr.data.end()};
}

/// Max |a - b| relative to max |reference|; prints both.
double relative_error(const std::vector<float>& got, const std::vector<float>& reference,
                      const std::string& label) {
  EXPECT_EQ(got.size(), reference.size());
  double max_error = 0.0;
  double max_reference = 0.0;
  for (std::size_t i = 0; i < std::min(got.size(), reference.size()); ++i) {
    max_error = std::max(max_error, std::abs(static_cast<double>(got[i]) - reference[i]));
    max_reference = std::max(max_reference, std::abs(static_cast<double>(reference[i])));
  }
  std::printf("%s: max |llr| %.4g, max abs error %.3g, relative %.3g\n", label.c_str(),
              max_reference, max_error, max_error / max_reference);
  return max_error / max_reference;
}

TEST(OnnxExecutor, ReferenceModelMatchesPyTorch) {
  const Reference ref;
  const std::vector<float> one = run_reference(ref, {.num_threads = 1});
  const std::vector<float> two = run_reference(ref, {.num_threads = 2});
  EXPECT_LT(relative_error(one, ref.llr.data, "1 thread"), 1e-4);
  ASSERT_EQ(one.size(), two.size());
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0)
      << "1 and 2 threads differ";
  const std::vector<float> portable =
      run_reference(ref, {.num_threads = 2, .use_simd = false, .fuse_relu = false});
  EXPECT_LT(relative_error(portable, ref.llr.data, "portable kernels, no fusion"), 1e-4);
}

TEST(OnnxExecutor, ExposesInputsOutputsAndParameters) {
  const OnnxExecutor executor(read_onnx_model(reference_dir / "neural_receiver_small.onnx"));
  ASSERT_EQ(executor.outputs().size(), 1U);
  EXPECT_EQ(executor.outputs()[0].name, "llr");
  EXPECT_GT(executor.num_parameters(), 1000);
  EXPECT_EQ(executor.num_plans(), 0U);
  const auto ops = OnnxExecutor::supported_operators();
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
  EXPECT_EQ(ops.size(), 20U);
  EXPECT_THROW((void)executor.output(0), std::out_of_range);
  EXPECT_THROW((void)executor.output(1), std::out_of_range);
}

TEST(OnnxExecutor, UnsupportedNodesAreNamedAtConstruction) {
  test::GraphBuilder lstm;
  lstm.input("x", {1, 2, 3});
  lstm.node("LSTM", {"x"}, "y").name = "/rnn/LSTM";
  lstm.output("y");
  expect_error([&] { OnnxExecutor executor(lstm.build()); }, "node '/rnn/LSTM' (LSTM)");

  test::GraphBuilder domain;
  domain.input("x", {2});
  domain.node("Relu", {"x"}, "y").domain = "com.example";
  domain.output("y");
  expect_error([&] { OnnxExecutor executor(domain.build()); }, "domain 'com.example'");

  test::GraphBuilder attribute;
  attribute.input("x", {2});
  attribute.node("Relu", {"x"}, "y").attributes.push_back(int_attribute("alpha", 1));
  attribute.output("y");
  expect_error([&] { OnnxExecutor executor(attribute.build()); }, "attribute 'alpha'");

  test::GraphBuilder wrong_type;
  wrong_type.input("x", {1, 2, 3});
  wrong_type.node("Concat", {"x", "x"}, "y").attributes.push_back(float_attribute("axis", 1.0F));
  wrong_type.output("y");
  expect_error([&] { OnnxExecutor executor(wrong_type.build()); }, "of type float, expected int");

  std::mt19937 rng(1);
  test::GraphBuilder weights;
  weights.input("x", {1, 2, 4, 4}).input("w", {3, 2, 1, 1});
  weights.node("Conv", {"x", "w"}, "y");
  weights.output("y");
  expect_error([&] { OnnxExecutor executor(weights.build()); }, "initializer");

  test::GraphBuilder shape;
  shape.input("x", {2, 3}).input("s", {2});
  shape.node("Reshape", {"x", "s"}, "y");
  shape.output("y");
  expect_error([&] { OnnxExecutor executor(shape.build()); }, "must be a constant");

  test::GraphBuilder opset(6);
  opset.input("x", {2});
  opset.node("Relu", {"x"}, "y");
  opset.output("y");
  expect_error([&] { OnnxExecutor executor(opset.build()); }, "opset 6");
}

TEST(OnnxExecutor, BadRunInputsAreErrors) {
  test::GraphBuilder graph;
  graph.symbolic_input("a", {"1", "4", "n"}).symbolic_input("b", {"1", "4", "n"});
  graph.node("Add", {"a", "b"}, "c");
  graph.output("c");
  OnnxExecutor executor(graph.build());
  std::mt19937 rng(2);
  const test::Dense a = test::random_dense({1, 4, 5}, rng);
  const test::Dense b = test::random_dense({1, 4, 5}, rng);
  const test::Dense wrong_channels = test::random_dense({1, 3, 5}, rng);
  const test::Dense other_n = test::random_dense({1, 4, 6}, rng);
  expect_error([&] { executor.run(std::vector{a.view()}); }, "takes 2 inputs, got 1");
  expect_error(
      [&] {
        executor.run(std::vector{a.view(), wrong_channels.view()});
      },
      "expects [1, 4, n]");
  expect_error([&] { executor.run(std::vector{a.view(), other_n.view()}); }, "dimension 'n'");
  const ConstTensorView short_data{std::span(a.data).first(19), a.shape};
  expect_error([&] { executor.run(std::vector{short_data, b.view()}); }, "19 elements");
  // An empty input whose other dimensions are absurd (2^32 * 2^32 wraps int64) is refused.
  const std::vector<std::int64_t> empty_huge{0, std::int64_t{1} << 32, std::int64_t{1} << 32};
  test::GraphBuilder reduce;
  reduce.symbolic_input("x", {"a", "b", "c"});
  reduce.node("ReduceMean", {"x"}, "y").attributes.push_back(ints_attribute("axes", {1, 2}));
  reduce.output("y");
  OnnxExecutor reducer(reduce.build());
  expect_error(
      [&] {
        reducer.run(std::vector{ConstTensorView{{}, empty_huge}});
      },
      "negative or too large dimensions");
  // An empty kept dimension is a valid, empty result.
  const std::vector<std::int64_t> empty{0, 3, 4};
  reducer.run(std::vector{ConstTensorView{{}, empty}});
  EXPECT_EQ(reducer.output(0).shape.size(), 3U);
  EXPECT_TRUE(reducer.output(0).data.empty());
  EXPECT_EQ(executor.num_plans(), 0U);
  executor.run(std::vector{a.view(), b.view()});
  EXPECT_FLOAT_EQ(executor.output(0).data[7], a.data[7] + b.data[7]);

  // A node that cannot take the shapes it gets is named at run().
  test::GraphBuilder mismatch;
  mismatch.symbolic_input("a", {"n"}).symbolic_input("b", {"m"});
  mismatch.node("Mul", {"a", "b"}, "c").name = "/mul";
  mismatch.output("c");
  OnnxExecutor broadcast(mismatch.build());
  const test::Dense three = test::random_dense({3}, rng);
  const test::Dense four = test::random_dense({4}, rng);
  expect_error(
      [&] {
        broadcast.run(std::vector{three.view(), four.view()});
      },
      "node '/mul' (Mul): shapes [3] and [4] cannot be broadcast");
}

TEST(OnnxExecutor, PlansAreCachedPerInputShapeAndCachedRunsDoNotAllocate) {
  const Reference ref;
  for (const unsigned threads : {1U, 2U}) {
    OnnxExecutor executor(read_onnx_model(reference_dir / "neural_receiver_small.onnx"),
                          {.num_threads = threads});
    const std::vector<ConstTensorView> views{ref.rx_grid.view(), ref.ls_channel.view(),
                                             ref.side_info.view()};
    executor.run(views);
    EXPECT_EQ(executor.num_plans(), 1U);
    const std::vector<float> first(executor.output(0).data.begin(), executor.output(0).data.end());
    const long before = airan::test::allocation_count();
    executor.run(views);
    EXPECT_EQ(airan::test::allocation_count() - before, 0) << threads << " threads";
    EXPECT_EQ(executor.num_plans(), 1U);
    EXPECT_TRUE(std::equal(first.begin(), first.end(), executor.output(0).data.begin()));

    // Fewer subcarriers: a second plan; the first one is still used for the first shape.
    std::mt19937 rng(3);
    const auto narrow = [&](const test::Dense& d) {
      return test::random_dense({d.shape[0], d.shape[1], d.shape[2], 12}, rng);
    };
    const test::Dense rx = narrow(ref.rx_grid);
    const test::Dense ls = narrow(ref.ls_channel);
    test::Dense side = narrow(ref.side_info);
    // Antenna masks.
    std::fill(side.data.begin(), side.data.begin() + std::ptrdiff_t{4} * 14 * 12, 1.0F);
    executor.run(std::vector{rx.view(), ls.view(), side.view()});
    EXPECT_EQ(executor.num_plans(), 2U);
    EXPECT_EQ(executor.output(0).shape[3], 12);
    executor.run(views);
    EXPECT_EQ(executor.num_plans(), 2U);
    EXPECT_TRUE(std::equal(first.begin(), first.end(), executor.output(0).data.begin()));
  }
}

// At most max_plans plans (each an arena for its shapes): a cell whose allocations vary in size
// kept one per size ever seen. The plan used longest ago goes; a kept plan runs without
// allocating, a new or re-made one allocates its arena.
TEST(OnnxExecutor, PlansBeyondMaxPlansFreeTheOneUsedLongestAgo) {
  const Reference ref;
  OnnxExecutor executor(read_onnx_model(reference_dir / "neural_receiver_small.onnx"),
                        {.max_plans = 2});
  std::mt19937 rng(5);
  // Runs on inputs of this many subcarriers; true when the run allocated (a plan was made).
  const auto made_a_plan = [&](std::int64_t subcarriers) {
    const auto resized = [&](const test::Dense& d) {
      return test::random_dense({d.shape[0], d.shape[1], d.shape[2], subcarriers}, rng);
    };
    const test::Dense rx = resized(ref.rx_grid);
    const test::Dense ls = resized(ref.ls_channel);
    test::Dense side = resized(ref.side_info);
    std::fill(side.data.begin(), side.data.begin() + std::ptrdiff_t{4} * 14 * subcarriers, 1.0F);
    const std::vector views{rx.view(), ls.view(), side.view()};
    const long before = airan::test::allocation_count();
    executor.run(views);
    EXPECT_EQ(executor.output(0).shape[3], subcarriers);
    return airan::test::allocation_count() != before;
  };
  EXPECT_TRUE(made_a_plan(12));
  EXPECT_TRUE(made_a_plan(24));
  EXPECT_FALSE(made_a_plan(12)); // 24 is now the one used longest ago
  EXPECT_TRUE(made_a_plan(36));  // frees 24's
  EXPECT_EQ(executor.num_plans(), 2U);
  EXPECT_FALSE(made_a_plan(12)) << "12 was kept";
  EXPECT_FALSE(made_a_plan(36)) << "36 was kept";
  EXPECT_TRUE(made_a_plan(24)) << "24 was freed";
  EXPECT_EQ(executor.num_plans(), 2U);
}

} // namespace
} // namespace airan::phy::nn
