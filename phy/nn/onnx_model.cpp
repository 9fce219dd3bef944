/// \file
/// \brief ONNX protobuf <-> OnnxModel: decoding with every protobuf failure turned into an
/// OnnxError, and encoding with initializers as little-endian raw data.
#include "airan/phy/nn/onnx_model.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>

namespace airan::phy::nn {

OnnxAttribute int_attribute(std::string name, std::int64_t value) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.type = OnnxAttributeType::integer;
  attribute.i = value;
  return attribute;
}

OnnxAttribute ints_attribute(std::string name, std::vector<std::int64_t> values) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.type = OnnxAttributeType::integers;
  attribute.ints = std::move(values);
  return attribute;
}

OnnxAttribute float_attribute(std::string name, float value) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.type = OnnxAttributeType::floating;
  attribute.f = value;
  return attribute;
}

OnnxAttribute string_attribute(std::string name, std::string value) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.type = OnnxAttributeType::string;
  attribute.s = std::move(value);
  return attribute;
}
namespace {

constexpr int onnx_float = onnx::TensorProto_DataType_FLOAT;
constexpr int onnx_int64 = onnx::TensorProto_DataType_INT64;

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw OnnxError("ONNX model '" + source + "': " + what);
}

/// Copies \p count little-endian elements of type T from \p raw.
template <typename T> std::vector<T> from_little_endian(const std::string& raw, std::size_t count) {
  std::vector<T> values(count);
  if (count > 0) {
    std::memcpy(values.data(), raw.data(), count * sizeof(T));
  }
  if constexpr (std::endian::native == std::endian::big) {
    for (T& value : values) {
      unsigned char bytes[sizeof(T)];
      std::memcpy(bytes, &value, sizeof(T));
      for (std::size_t i = 0; i < sizeof(T) / 2; ++i) {
        std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
      }
      std::memcpy(&value, bytes, sizeof(T));
    }
  }
  return values;
}

template <typename T> std::string to_little_endian(const std::vector<T>& values) {
  std::string raw(values.size() * sizeof(T), '\0');
  if (!values.empty()) {
    std::memcpy(raw.data(), values.data(), raw.size());
  }
  if constexpr (std::endian::native == std::endian::big) {
    for (std::size_t offset = 0; offset < raw.size(); offset += sizeof(T)) {
      std::reverse(raw.begin() + offset, raw.begin() + offset + sizeof(T));
    }
  }
  return raw;
}

/// Decodes one TensorProto; \p what names it ("initializer 'w'") in errors.
Tensor decode_tensor(const onnx::TensorProto& proto, const std::string& source,
                     const std::string& what) {
  Tensor tensor;
  tensor.name = proto.name();
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    fail(source, what + ": external data is not supported");
  }
  if (proto.has_segment()) {
    fail(source, what + ": segmented tensors are not supported");
  }
  if (static_cast<std::size_t>(proto.dims_size()) > max_tensor_rank) {
    fail(source, what + ": rank " + std::to_string(proto.dims_size()) + " is above " +
                     std::to_string(max_tensor_rank));
  }
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  const std::int64_t count = bounded_num_elements(tensor.shape);
  if (count < 0) {
    fail(source, what + ": shape " + shape_to_string(tensor.shape) + " is negative or too large");
  }
  const auto n = static_cast<std::size_t>(count);
  const bool raw = proto.has_raw_data();
  if (proto.data_type() == onnx_float) {
    tensor.data_type = TensorDataType::float32;
    const std::size_t have =
        raw ? proto.raw_data().size() / sizeof(float) : proto.float_data_size();
    if (have != n || (raw && proto.raw_data().size() % sizeof(float) != 0)) {
      fail(source, what + ": " + std::to_string(have) + " float elements for shape " +
                       shape_to_string(tensor.shape));
    }
    tensor.floats = raw ? from_little_endian<float>(proto.raw_data(), n)
                        : std::vector<float>(proto.float_data().begin(), proto.float_data().end());
  } else if (proto.data_type() == onnx_int64) {
    tensor.data_type = TensorDataType::int64;
    const std::size_t have =
        raw ? proto.raw_data().size() / sizeof(std::int64_t) : proto.int64_data_size();
    if (have != n || (raw && proto.raw_data().size() % sizeof(std::int64_t) != 0)) {
      fail(source, what + ": " + std::to_string(have) + " int64 elements for shape " +
                       shape_to_string(tensor.shape));
    }
    tensor.ints =
        raw ? from_little_endian<std::int64_t>(proto.raw_data(), n)
            : std::vector<std::int64_t>(proto.int64_data().begin(), proto.int64_data().end());
  } else {
    fail(source, what + ": element type " + std::to_string(proto.data_type()) +
                     " is not supported (float32 and int64 are)");
  }
  return tensor;
}

void encode_tensor(const Tensor& tensor, onnx::TensorProto& proto) {
  proto.set_name(tensor.name);
  for (const std::int64_t dim : tensor.shape) {
    proto.add_dims(dim);
  }
  if (tensor.data_type == TensorDataType::float32) {
    proto.set_data_type(onnx_float);
    proto.set_raw_data(to_little_endian(tensor.floats));
  } else {
    proto.set_data_type(onnx_int64);
    proto.set_raw_data(to_little_endian(tensor.ints));
  }
}

OnnxValueInfo decode_value_info(const onnx::ValueInfoProto& proto) {
  OnnxValueInfo info;
  info.name = proto.name();
  if (!proto.type().has_tensor_type()) {
    info.elem_type = 0; // not a tensor: the executor rejects it
    info.has_shape = false;
    return info;
  }
  const auto& tensor_type = proto.type().tensor_type();
  info.elem_type = tensor_type.elem_type();
  info.has_shape = tensor_type.has_shape();
  for (const auto& dim : tensor_type.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      info.dims.emplace_back(dim.dim_value());
    } else {
      info.dims.emplace_back(std::nullopt);
    }
    info.dim_names.push_back(dim.has_dim_param() ? dim.dim_param() : std::string());
  }
  return info;
}

void encode_value_info(const OnnxValueInfo& info, onnx::ValueInfoProto& proto) {
  proto.set_name(info.name);
  auto* tensor_type = proto.mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(info.elem_type);
  if (!info.has_shape) {
    return;
  }
  auto* shape = tensor_type->mutable_shape();
  for (std::size_t i = 0; i < info.dims.size(); ++i) {
    auto* dim = shape->add_dim();
    if (info.dims[i]) {
      dim->set_dim_value(*info.dims[i]);
    } else if (i < info.dim_names.size() && !info.dim_names[i].empty()) {
      dim->set_dim_param(info.dim_names[i]);
    }
  }
}

OnnxAttribute decode_attribute(const onnx::AttributeProto& proto, const std::string& source,
                               const std::string& node) {
  OnnxAttribute attribute;
  attribute.name = proto.name();
  if (!proto.ref_attr_name().empty()) {
    attribute.type = OnnxAttributeType::unsupported;
    return attribute;
  }
  switch (proto.type()) {
  case onnx::AttributeProto_AttributeType_FLOAT:
    attribute.type = OnnxAttributeType::floating;
    attribute.f = proto.f();
    break;
  case onnx::AttributeProto_AttributeType_INT:
    attribute.type = OnnxAttributeType::integer;
    attribute.i = proto.i();
    break;
  case onnx::AttributeProto_AttributeType_STRING:
    attribute.type = OnnxAttributeType::string;
    attribute.s = proto.s();
    break;
  case onnx::AttributeProto_AttributeType_TENSOR:
    attribute.type = OnnxAttributeType::tensor;
    attribute.t = decode_tensor(proto.t(), source, node + ": attribute '" + proto.name() + "'");
    break;
  case onnx::AttributeProto_AttributeType_FLOATS:
    attribute.type = OnnxAttributeType::floats;
    attribute.floats.assign(proto.floats().begin(), proto.floats().end());
    break;
  case onnx::AttributeProto_AttributeType_INTS:
    attribute.type = OnnxAttributeType::integers;
    attribute.ints.assign(proto.ints().begin(), proto.ints().end());
    break;
  default:
    attribute.type = OnnxAttributeType::unsupported;
    break;
  }
  return attribute;
}

void encode_attribute(const OnnxAttribute& attribute, onnx::AttributeProto& proto) {
  proto.set_name(attribute.name);
  switch (attribute.type) {
  case OnnxAttributeType::floating:
    proto.set_type(onnx::AttributeProto_AttributeType_FLOAT);
    proto.set_f(attribute.f);
    break;
  case OnnxAttributeType::integer:
    proto.set_type(onnx::AttributeProto_AttributeType_INT);
    proto.set_i(attribute.i);
    break;
  case OnnxAttributeType::string:
    proto.set_type(onnx::AttributeProto_AttributeType_STRING);
    proto.set_s(attribute.s);
    break;
  case OnnxAttributeType::tensor:
    proto.set_type(onnx::AttributeProto_AttributeType_TENSOR);
    encode_tensor(attribute.t, *proto.mutable_t());
    break;
  case OnnxAttributeType::floats:
    proto.set_type(onnx::AttributeProto_AttributeType_FLOATS);
    for (const float value : attribute.floats) {
      proto.add_floats(value);
    }
    break;
  case OnnxAttributeType::integers:
    proto.set_type(onnx::AttributeProto_AttributeType_INTS);
    for (const std::int64_t value : attribute.ints) {
      proto.add_ints(value);
    }
    break;
  case OnnxAttributeType::unsupported:
    proto.set_type(onnx::AttributeProto_AttributeType_GRAPH); // kept unsupported on re-read
    break;
  }
}

OnnxModel decode_model(const onnx::ModelProto& proto, const std::string& source) {
  OnnxModel model;
  model.ir_version = proto.ir_version();
  model.producer_name = proto.producer_name();
  model.producer_version = proto.producer_version();
  for (const auto& entry : proto.metadata_props()) {
    model.metadata.emplace_back(entry.key(), entry.value());
  }
  bool have_default_opset = false;
  for (const auto& opset : proto.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      model.opset_version = opset.version();
      have_default_opset = true;
    }
  }
  if (!have_default_opset) {
    fail(source, "no opset is imported for the default domain");
  }
  const auto& graph = proto.graph();
  model.graph.name = graph.name();
  for (const auto& initializer : graph.initializer()) {
    model.graph.initializers.push_back(
        decode_tensor(initializer, source, "initializer '" + initializer.name() + "'"));
  }
  for (const auto& input : graph.input()) {
    // Models before IR version 4 list the initializers among the inputs.
    bool is_initializer = false;
    for (const Tensor& initializer : model.graph.initializers) {
      is_initializer = is_initializer || initializer.name == input.name();
    }
    if (!is_initializer) {
      model.graph.inputs.push_back(decode_value_info(input));
    }
  }
  for (const auto& output : graph.output()) {
    model.graph.outputs.push_back(decode_value_info(output));
  }
  for (const auto& node_proto : graph.node()) {
    OnnxNode node;
    node.name = node_proto.name();
    node.op_type = node_proto.op_type();
    node.domain = node_proto.domain();
    node.inputs.assign(node_proto.input().begin(), node_proto.input().end());
    node.outputs.assign(node_proto.output().begin(), node_proto.output().end());
    for (const auto& attribute : node_proto.attribute()) {
      node.attributes.push_back(decode_attribute(attribute, source, node.describe()));
    }
    model.graph.nodes.push_back(std::move(node));
  }
  return model;
}

} // namespace

OnnxModel parse_onnx_model(std::span<const std::byte> bytes, const std::string& source_name) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    fail(source_name, "larger than 2 GiB");
  }
  OnnxModel model;
  try {
    onnx::ModelProto proto;
    if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      fail(source_name, "not a valid ONNX protobuf (truncated or corrupt, " +
                            std::to_string(bytes.size()) + " bytes)");
    }
    model = decode_model(proto, source_name);
  } catch (const OnnxError&) {
    throw;
  } catch (const std::exception& error) {
    fail(source_name, std::string("cannot be decoded: ") + error.what());
  }
  validate_onnx_graph(model, source_name);
  return model;
}

OnnxModel read_onnx_model(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    fail(path.string(), "cannot open the file");
  }
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (file.bad()) {
    fail(path.string(), "cannot read the file");
  }
  return parse_onnx_model(std::as_bytes(std::span(bytes.data(), bytes.size())), path.string());
}

std::string serialize_onnx_model(const OnnxModel& model) {
  onnx::ModelProto proto;
  proto.set_ir_version(model.ir_version);
  proto.set_producer_name(model.producer_name);
  proto.set_producer_version(model.producer_version);
  for (const auto& [key, value] : model.metadata) {
    auto* entry = proto.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(model.opset_version);
  std::vector<std::string> domains;
  for (const OnnxNode& node : model.graph.nodes) {
    if (!node.domain.empty() && node.domain != "ai.onnx" &&
        std::find(domains.begin(), domains.end(), node.domain) == domains.end()) {
      domains.push_back(node.domain);
      auto* other = proto.add_opset_import();
      other->set_domain(node.domain);
      other->set_version(1);
    }
  }
  auto* graph = proto.mutable_graph();
  graph->set_name(model.graph.name);
  for (const OnnxValueInfo& input : model.graph.inputs) {
    encode_value_info(input, *graph->add_input());
  }
  for (const OnnxValueInfo& output : model.graph.outputs) {
    encode_value_info(output, *graph->add_output());
  }
  for (const Tensor& initializer : model.graph.initializers) {
    encode_tensor(initializer, *graph->add_initializer());
  }
  for (const OnnxNode& node : model.graph.nodes) {
    auto* node_proto = graph->add_node();
    node_proto->set_name(node.name);
    node_proto->set_op_type(node.op_type);
    node_proto->set_domain(node.domain);
    for (const std::string& input : node.inputs) {
      node_proto->add_input(input);
    }
    for (const std::string& output : node.outputs) {
      node_proto->add_output(output);
    }
    for (const OnnxAttribute& attribute : node.attributes) {
      encode_attribute(attribute, *node_proto->add_attribute());
    }
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    throw OnnxError("ONNX model '" + model.graph.name + "': cannot be encoded");
  }
  return bytes;
}

} // namespace airan::phy::nn
