// ONNX model files: the committed reference model parses with its inputs, outputs and
// initializers; serialize -> parse round-trips; truncated or garbage bytes and structurally
// broken graphs are OnnxErrors that name the problem (and the node).
#include "airan/phy/nn/onnx_model.h"
#include "onnx_test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace airan::phy::nn {
namespace {

using test::expect_error;
using test::small_model;

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

OnnxModel parse(const std::string& bytes, const std::string& name = "test") {
  return parse_onnx_model(std::as_bytes(std::span(bytes.data(), bytes.size())), name);
}

OnnxModel tiny_model() {
  OnnxModel model;
  model.graph.name = "tiny";
  model.graph.inputs.push_back({"x", 1, {1, std::nullopt}, {"", "n"}});
  model.graph.outputs.push_back({"y", 1, {1, std::nullopt}, {"", "n"}});
  Tensor bias;
  bias.name = "b";
  bias.shape = {1};
  bias.floats = {0.5F};
  model.graph.initializers.push_back(bias);
  OnnxNode add;
  add.name = "add";
  add.op_type = "Add";
  add.inputs = {"x", "b"};
  add.outputs = {"y"};
  model.graph.nodes.push_back(add);
  return model;
}

TEST(OnnxModel, ParsesTheReferenceModel) {
  const OnnxModel model = read_onnx_model(small_model);
  EXPECT_EQ(model.opset_version, 13);
  EXPECT_EQ(model.producer_name, "pytorch");
  ASSERT_EQ(model.graph.inputs.size(), 3U);
  const std::vector<std::string> names{"rx_grid", "ls_channel", "side_info"};
  const std::vector<std::int64_t> channels{8, 32, 7};
  for (std::size_t i = 0; i < 3; ++i) {
    const OnnxValueInfo& input = model.graph.inputs[i];
    EXPECT_EQ(input.name, names[i]);
    EXPECT_EQ(input.elem_type, 1);
    ASSERT_EQ(input.dims.size(), 4U);
    EXPECT_EQ(input.dims[0], 1);
    EXPECT_EQ(input.dims[1], channels[i]);
    EXPECT_FALSE(input.dims[2].has_value());
    EXPECT_FALSE(input.dims[3].has_value());
    EXPECT_EQ(input.dim_names[2], "symbols");
    EXPECT_EQ(input.dim_names[3], "subcarriers");
  }
  ASSERT_EQ(model.graph.outputs.size(), 1U);
  EXPECT_EQ(model.graph.outputs[0].name, "llr");
  EXPECT_EQ(model.graph.outputs[0].dims[1], 32);
  ASSERT_FALSE(model.graph.initializers.empty());
  // The first initializers are the smoothers' depthwise 1xK frequency kernels over the 32 LS
  // channels; the input convolution's depthwise 3x3 kernel follows them.
  const Tensor& first = model.graph.initializers[0];
  EXPECT_EQ(first.name, "smoothers.0.frozen_freq_32");
  ASSERT_EQ(first.shape.size(), 4U); // [32, 1, 1, K]
  EXPECT_EQ(first.shape[0], 32);
  EXPECT_EQ(first.shape[2], 1);
  const Tensor* depthwise = nullptr;
  for (const Tensor& tensor : model.graph.initializers) {
    if (tensor.name == "input_conv.depthwise.weight") {
      depthwise = &tensor;
    }
  }
  ASSERT_NE(depthwise, nullptr);
  ASSERT_EQ(depthwise->shape.size(), 4U); // depthwise 3x3: [C, 1, 3, 3]
  EXPECT_EQ(depthwise->shape[1], 1);
  EXPECT_EQ(depthwise->shape[2], 3);
  EXPECT_EQ(depthwise->shape[3], 3);
  EXPECT_EQ(depthwise->floats.size(), static_cast<std::size_t>(depthwise->shape[0] * 9));
  bool has_conv = false;
  for (const OnnxNode& node : model.graph.nodes) {
    if (node.op_type == "Conv") {
      has_conv = true;
      ASSERT_NE(node.find_attribute("group"), nullptr);
      EXPECT_EQ(node.find_attribute("group")->type, OnnxAttributeType::integer);
    }
    if (node.op_type == "Constant") {
      ASSERT_NE(node.find_attribute("value"), nullptr);
      EXPECT_EQ(node.find_attribute("value")->type, OnnxAttributeType::tensor);
    }
  }
  EXPECT_TRUE(has_conv);
}

TEST(OnnxModel, SerializeParseRoundTrip) {
  const OnnxModel model = read_onnx_model(small_model);
  const OnnxModel again = parse(serialize_onnx_model(model));
  EXPECT_EQ(again.opset_version, model.opset_version);
  EXPECT_EQ(again.ir_version, model.ir_version);
  ASSERT_EQ(again.graph.inputs.size(), model.graph.inputs.size());
  for (std::size_t i = 0; i < model.graph.inputs.size(); ++i) {
    EXPECT_EQ(again.graph.inputs[i].name, model.graph.inputs[i].name);
    EXPECT_EQ(again.graph.inputs[i].dims, model.graph.inputs[i].dims);
    EXPECT_EQ(again.graph.inputs[i].dim_names, model.graph.inputs[i].dim_names);
  }
  ASSERT_EQ(again.graph.initializers.size(), model.graph.initializers.size());
  for (std::size_t i = 0; i < model.graph.initializers.size(); ++i) {
    EXPECT_EQ(again.graph.initializers[i].name, model.graph.initializers[i].name);
    EXPECT_EQ(again.graph.initializers[i].shape, model.graph.initializers[i].shape);
    EXPECT_EQ(again.graph.initializers[i].floats, model.graph.initializers[i].floats);
  }
  ASSERT_EQ(again.graph.nodes.size(), model.graph.nodes.size());
  for (std::size_t i = 0; i < model.graph.nodes.size(); ++i) {
    const OnnxNode& a = model.graph.nodes[i];
    const OnnxNode& b = again.graph.nodes[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.op_type, b.op_type);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_EQ(a.outputs, b.outputs);
    ASSERT_EQ(a.attributes.size(), b.attributes.size());
    for (std::size_t j = 0; j < a.attributes.size(); ++j) {
      EXPECT_EQ(a.attributes[j].name, b.attributes[j].name);
      EXPECT_EQ(a.attributes[j].type, b.attributes[j].type);
      EXPECT_EQ(a.attributes[j].ints, b.attributes[j].ints);
      EXPECT_EQ(a.attributes[j].i, b.attributes[j].i);
      EXPECT_EQ(a.attributes[j].t.ints, b.attributes[j].t.ints);
      EXPECT_EQ(a.attributes[j].t.floats, b.attributes[j].t.floats);
    }
  }
}

TEST(OnnxModel, RoundTripOfAConstructedModel) {
  OnnxModel model = tiny_model();
  model.graph.nodes[0].attributes.push_back(ints_attribute("axes", {-1, 2}));
  const OnnxModel again = parse(serialize_onnx_model(model));
  EXPECT_EQ(again.graph.inputs[0].dims, model.graph.inputs[0].dims);
  EXPECT_EQ(again.graph.inputs[0].dim_names[1], "n");
  EXPECT_EQ(again.graph.initializers[0].floats, std::vector<float>{0.5F});
  EXPECT_EQ(again.graph.nodes[0].attributes[0].ints, (std::vector<std::int64_t>{-1, 2}));
}

TEST(OnnxModel, TruncatedAndGarbageBytesAreErrors) {
  const std::string bytes = read_bytes(small_model);
  ASSERT_GT(bytes.size(), 1000U);
  for (const std::size_t length : {bytes.size() / 2, bytes.size() - 1, std::size_t{7}}) {
    EXPECT_THROW(parse(bytes.substr(0, length)), OnnxError) << length;
  }
  std::string garbage(512, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) {
    garbage[i] = static_cast<char>((i * 131 + 17) % 251);
  }
  EXPECT_THROW(parse(garbage), OnnxError);
  expect_error([] { parse(""); }, "opset"); // an empty message parses but has no opset
  expect_error([] { (void)read_onnx_model("/nonexistent/model.onnx"); }, "cannot open");
}

TEST(OnnxModel, UndefinedInputNamesTheNode) {
  OnnxModel model = tiny_model();
  model.graph.nodes[0].inputs[1] = "missing";
  expect_error([&] { parse(serialize_onnx_model(model)); }, "node 'add' (Add)");
  expect_error([&] { validate_onnx_graph(model, "m"); }, "'missing' is not defined");
}

TEST(OnnxModel, StructuralErrors) {
  OnnxModel twice = tiny_model();
  twice.graph.nodes.push_back(twice.graph.nodes[0]);
  expect_error([&] { validate_onnx_graph(twice, "m"); }, "defined twice");

  OnnxModel no_output = tiny_model();
  no_output.graph.outputs[0].name = "z";
  expect_error([&] { validate_onnx_graph(no_output, "m"); }, "'z' is not produced");

  OnnxModel bad_initializer = tiny_model();
  bad_initializer.graph.initializers[0].shape = {2};
  expect_error([&] { validate_onnx_graph(bad_initializer, "m"); }, "initializer 'b'");
  // The same inconsistency in a file: raw data of 4 bytes for two floats.
  expect_error([&] { parse(serialize_onnx_model(bad_initializer)); }, "initializer 'b'");

  OnnxModel huge = tiny_model();
  huge.graph.initializers[0].shape = {std::int64_t{1} << 40};
  expect_error([&] { parse(serialize_onnx_model(huge)); }, "too large");

  // No elements, but dimensions whose product wraps int64 (2^32 * 2^32): refused, as their
  // strides and reduction counts would overflow.
  OnnxModel empty_but_huge = tiny_model();
  empty_but_huge.graph.initializers[0].shape = {0, std::int64_t{1} << 32, std::int64_t{1} << 32};
  empty_but_huge.graph.initializers[0].floats.clear();
  expect_error([&] { validate_onnx_graph(empty_but_huge, "m"); }, "too large");
  expect_error([&] { parse(serialize_onnx_model(empty_but_huge)); }, "too large");
}

TEST(OnnxModel, ElementCountsBoundTheNonZeroDimensions) {
  const std::int64_t big = std::int64_t{1} << 32;
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{}), 1);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{3, 0, 5}), 0);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{1 << 14, 1 << 14}), max_tensor_elements);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{1 << 14, (1 << 14) + 1}), -1);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{0, big, big}), -1);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{big, 0}), -1);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{0, max_tensor_elements}), 0);
  EXPECT_EQ(bounded_num_elements(std::vector<std::int64_t>{2, -1}), -1);
}

} // namespace
} // namespace airan::phy::nn
