/// \file
/// \brief ONNX model files as plain data: the graph's inputs, outputs, initializers and nodes
/// with their attributes, read from and written to the ONNX protobuf format.
///
/// The protobuf types stay inside airan_nn; this header is all a caller needs. parse_onnx_model()
/// checks the structure of the graph (every value defined before use, initializers consistent
/// with their shapes, a default-domain opset); whether the operators are supported is checked by
/// OnnxExecutor when it is built. Every problem is an OnnxError whose message names the model
/// and, where there is one, the node.
#pragma once

#include "airan/phy/nn/tensor.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy::nn {

/// Error raised for a malformed, inconsistent or unsupported model, or a bad run-time input.
class OnnxError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Kinds of node attribute (ONNX AttributeProto types); graph-valued, sparse-tensor and type
/// attributes are kept as `unsupported` so that the executor can name them.
enum class OnnxAttributeType { floating, integer, string, tensor, floats, integers, unsupported };

/// One node attribute; the member that matches `type` holds the value.
struct OnnxAttribute {
  std::string name;
  OnnxAttributeType type = OnnxAttributeType::integer;
  float f = 0.0F;
  std::int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
};

/// Attributes for graphs built in code (tests, benchmarks, model builders).
OnnxAttribute int_attribute(std::string name, std::int64_t value);
OnnxAttribute ints_attribute(std::string name, std::vector<std::int64_t> values);
OnnxAttribute float_attribute(std::string name, float value);
OnnxAttribute string_attribute(std::string name, std::string value);

/// One operator application. An empty input name is an omitted optional input.
struct OnnxNode {
  std::string name;
  std::string op_type;
  std::string domain; ///< "" or "ai.onnx" for the standard operators.
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attributes;

  /// The attribute called \p attribute_name, or nullptr.
  [[nodiscard]] const OnnxAttribute* find_attribute(const std::string& attribute_name) const;
  /// "node '/Conv' (Conv)", for error messages.
  [[nodiscard]] std::string describe() const;
};

/// A graph input or output: element type (ONNX TensorProto.DataType) and dimensions, where a
/// symbolic or unknown dimension is std::nullopt (any size at run time).
struct OnnxValueInfo {
  std::string name;
  int elem_type = 1; ///< 1 = FLOAT
  std::vector<std::optional<std::int64_t>> dims;
  std::vector<std::string> dim_names; ///< dim_param per dimension ("" where fixed or unknown)
  bool has_shape = true; ///< false: the file gives no shape (any rank at run time; dims empty)
};

/// A computation graph in topological order.
struct OnnxGraph {
  std::string name;
  std::vector<OnnxValueInfo> inputs; ///< Run-time inputs (initializers are not listed here).
  std::vector<OnnxValueInfo> outputs;
  std::vector<Tensor> initializers;
  std::vector<OnnxNode> nodes;
};

/// A whole model file.
struct OnnxModel {
  std::int64_t ir_version = 7;
  std::int64_t opset_version = 13; ///< Version of the default ("" / "ai.onnx") operator set.
  std::string producer_name;
  std::string producer_version;
  /// The model's metadata_props (key, value), in file order.
  std::vector<std::pair<std::string, std::string>> metadata;
  OnnxGraph graph;
};

/// Decodes an ONNX model held in memory and checks its structure; \p source_name names it in
/// error messages. \throws OnnxError on a truncated or malformed file, an initializer whose data
/// does not match its shape or has an unsupported element type, a node input that no graph
/// input, initializer or earlier node defines, a value defined twice, a graph output nothing
/// produces, or a missing default-domain opset.
OnnxModel parse_onnx_model(std::span<const std::byte> bytes, const std::string& source_name);

/// Reads and parses an .onnx file. \throws OnnxError (also when the file cannot be read).
OnnxModel read_onnx_model(const std::filesystem::path& path);

/// Encodes \p model in the ONNX protobuf format (initializers as raw data).
std::string serialize_onnx_model(const OnnxModel& model);

/// Checks the structure of \p model as parse_onnx_model() does. \throws OnnxError.
void validate_onnx_graph(const OnnxModel& model, const std::string& source_name);

} // namespace airan::phy::nn
