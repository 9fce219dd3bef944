/// \file
/// \brief Conv (2-D, NCHW): attribute checks and shape inference, then one of three paths:
/// pointwise 1x1 as a blocked GEMM, depthwise 3x3 (stride 1, padding 1) specialised, and direct
/// loops for every other geometry (grouped, strided, dilated, padded).
#include "onnx_kernels.h"

#include <algorithm>

namespace airan::phy::nn::detail {
namespace {

constexpr std::int64_t max_geometry = std::int64_t{1} << 16; ///< Cap of pads/strides/dilations.
constexpr std::int64_t gemm_column_block = 256;              ///< Columns per parallel item.

class ConvKernel final : public Kernel {
public:
  explicit ConvKernel(const NodeBuildContext& context);

  TensorShape infer_shape(std::span<const TensorShape> inputs) const override;
  void run(std::span<const ConstTensorView> inputs, const TensorView& output,
           const Parallel& parallel) const override;
  bool fuse_relu() override {
    relu_ = true;
    return true;
  }

private:
  /// Padding (top, left, bottom, right) for an input of height \p h and width \p w.
  std::array<std::int64_t, 4> padding(std::int64_t h, std::int64_t w) const;
  void run_general(const ConstTensorView& x, const TensorView& y, const Parallel& parallel) const;

  std::string auto_pad_;
  std::int64_t group_ = 1;
  std::array<std::int64_t, 4> pads_{};
  std::array<std::int64_t, 2> strides_{1, 1};
  std::array<std::int64_t, 2> dilations_{1, 1};
  std::int64_t out_channels_ = 0;
  std::int64_t group_channels_ = 0; ///< Input channels per group.
  std::array<std::int64_t, 2> kernel_{};
  std::vector<float> weights_; ///< [M][C / group][kH][kW]
  std::vector<float> bias_;    ///< [M], zeros when the node has none
  bool pointwise_ = false;     ///< 1x1, stride 1, no padding, one group
  bool depthwise3x3_ = false;  ///< 3x3 per channel, stride 1, dilation 1, padding 1
  GemmWeights gemm_;
  GemmIsa isa_ = GemmIsa::scalar;
  bool relu_ = false;
};

std::array<std::int64_t, 2> pair_attribute(const Kernel& kernel, const OnnxNode& node,
                                           const char* name) {
  const std::vector<std::int64_t> values = attribute_ints(node, name, {1, 1});
  if (values.size() != 2 || values[0] < 1 || values[1] < 1 || values[0] > max_geometry ||
      values[1] > max_geometry) {
    kernel.fail(std::string("attribute '") + name + "' must be two values in 1 .. 65536");
  }
  return {values[0], values[1]};
}

ConvKernel::ConvKernel(const NodeBuildContext& context) : Kernel(context.node, 1) {
  const OnnxNode& node = context.node;
  check_node(context,
             {{"auto_pad", OnnxAttributeType::string},
              {"dilations", OnnxAttributeType::integers},
              {"group", OnnxAttributeType::integer},
              {"kernel_shape", OnnxAttributeType::integers},
              {"pads", OnnxAttributeType::integers},
              {"strides", OnnxAttributeType::integers}},
             2, 3);
  const Tensor* w = context.constants[1];
  if (w == nullptr || w->data_type != TensorDataType::float32 || w->shape.size() != 4) {
    fail("the weights must be a float32 initializer of rank 4 (2-D convolution)");
  }
  out_channels_ = w->shape[0];
  group_channels_ = w->shape[1];
  kernel_ = {w->shape[2], w->shape[3]};
  group_ = attribute_int(node, "group", 1);
  if (group_ < 1 || out_channels_ % group_ != 0 || out_channels_ == 0 || group_channels_ == 0 ||
      kernel_[0] == 0 || kernel_[1] == 0) {
    fail("weights " + shape_to_string(w->shape) + " do not fit group " + std::to_string(group_));
  }
  isa_ = context.isa;
  const std::vector<std::int64_t> kernel_shape = attribute_ints(node, "kernel_shape", {});
  if (!kernel_shape.empty() && (kernel_shape.size() != 2 || kernel_shape[0] != kernel_[0] ||
                                kernel_shape[1] != kernel_[1])) {
    fail("attribute 'kernel_shape' contradicts the weights " + shape_to_string(w->shape));
  }
  strides_ = pair_attribute(*this, node, "strides");
  dilations_ = pair_attribute(*this, node, "dilations");
  auto_pad_ = attribute_string(node, "auto_pad", "NOTSET");
  if (auto_pad_ != "NOTSET" && auto_pad_ != "VALID" && auto_pad_ != "SAME_UPPER" &&
      auto_pad_ != "SAME_LOWER") {
    fail("attribute 'auto_pad' has the unknown value '" + auto_pad_ + "'");
  }
  if (const OnnxAttribute* pads = node.find_attribute("pads")) {
    if (auto_pad_ != "NOTSET") {
      fail("attributes 'pads' and 'auto_pad' exclude each other");
    }
    if (pads->ints.size() != 4 || std::any_of(pads->ints.begin(), pads->ints.end(),
                                              [](auto p) { return p < 0 || p > max_geometry; })) {
      fail("attribute 'pads' must be four values in 0 .. 65536");
    }
    pads_ = {pads->ints[0], pads->ints[1], pads->ints[2], pads->ints[3]};
  }
  weights_ = w->floats;
  bias_.assign(static_cast<std::size_t>(out_channels_), 0.0F);
  if (context.has_input(2)) {
    const Tensor* b = context.constants[2];
    if (b == nullptr || b->data_type != TensorDataType::float32 ||
        b->shape != TensorShape{out_channels_}) {
      fail("the bias must be a float32 initializer of shape [" + std::to_string(out_channels_) +
           "]");
    }
    bias_ = b->floats;
  }
  const bool unit_stride = strides_ == std::array<std::int64_t, 2>{1, 1};
  const bool no_padding =
      auto_pad_ == "VALID" || (auto_pad_ == "NOTSET" && pads_ == decltype(pads_){});
  pointwise_ =
      kernel_ == std::array<std::int64_t, 2>{1, 1} && unit_stride && no_padding && group_ == 1;
  depthwise3x3_ = kernel_ == std::array<std::int64_t, 2>{3, 3} && unit_stride &&
                  dilations_ == std::array<std::int64_t, 2>{1, 1} && group_channels_ == 1 &&
                  group_ == out_channels_ && auto_pad_ == "NOTSET" &&
                  pads_ == std::array<std::int64_t, 4>{1, 1, 1, 1};
  if (pointwise_) {
    gemm_ = make_gemm_weights(weights_, out_channels_, group_channels_, bias_);
  }
}

std::array<std::int64_t, 4> ConvKernel::padding(std::int64_t h, std::int64_t w) const {
  if (auto_pad_ == "NOTSET") {
    return pads_;
  }
  if (auto_pad_ == "VALID") {
    return {0, 0, 0, 0};
  }
  std::array<std::int64_t, 4> pads{};
  const std::array<std::int64_t, 2> in{h, w};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t out = (in[axis] + strides_[axis] - 1) / strides_[axis];
    const std::int64_t span = dilations_[axis] * (kernel_[axis] - 1) + 1;
    const std::int64_t total =
        std::max<std::int64_t>(0, (out - 1) * strides_[axis] + span - in[axis]);
    const std::int64_t small = total / 2;
    pads[axis] = auto_pad_ == "SAME_UPPER" ? small : total - small;
    pads[axis + 2] = total - pads[axis];
  }
  return pads;
}

TensorShape ConvKernel::infer_shape(std::span<const TensorShape> inputs) const {
  const TensorShape& x = inputs[0];
  if (x.size() != 4 || x[1] != group_channels_ * group_) {
    fail("input " + shape_to_string(x) + " does not fit the weights [" +
         std::to_string(out_channels_) + ", " + std::to_string(group_channels_) + ", " +
         std::to_string(kernel_[0]) + ", " + std::to_string(kernel_[1]) + "] with group " +
         std::to_string(group_) + " (expected [N, " + std::to_string(group_channels_ * group_) +
         ", H, W])");
  }
  const auto pads = padding(x[2], x[3]);
  TensorShape y{x[0], out_channels_, 0, 0};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t span = dilations_[axis] * (kernel_[axis] - 1) + 1;
    const std::int64_t padded = x[2 + axis] + pads[axis] + pads[axis + 2];
    if (padded < span) {
      fail("input " + shape_to_string(x) + " is smaller than the kernel");
    }
    y[2 + axis] = (padded - span) / strides_[axis] + 1;
  }
  return y;
}

void ConvKernel::run(std::span<const ConstTensorView> inputs, const TensorView& output,
                     const Parallel& parallel) const {
  const ConstTensorView& x = inputs[0];
  const std::int64_t batch = x.shape[0];
  const std::int64_t channels = x.shape[1];
  const std::int64_t pixels = x.shape[2] * x.shape[3];
  const float* in = x.data.data();
  float* out = output.data.data();
  if (pointwise_) {
    const std::int64_t blocks = (pixels + gemm_column_block - 1) / gemm_column_block;
    parallel.run(static_cast<std::size_t>(batch * blocks), [&](std::size_t item) {
      const auto n = static_cast<std::int64_t>(item) / blocks;
      const std::int64_t begin = (static_cast<std::int64_t>(item) % blocks) * gemm_column_block;
      gemm_columns(gemm_, in + n * channels * pixels, pixels, out + n * out_channels_ * pixels,
                   pixels, begin, std::min(pixels, begin + gemm_column_block), relu_, isa_);
    });
  } else if (depthwise3x3_) {
    parallel.run(static_cast<std::size_t>(batch * channels), [&](std::size_t item) {
      const auto c = static_cast<std::int64_t>(item) % channels;
      depthwise3x3_plane(in + static_cast<std::int64_t>(item) * pixels, weights_.data() + 9 * c,
                         bias_[static_cast<std::size_t>(c)],
                         out + static_cast<std::int64_t>(item) * pixels, x.shape[2], x.shape[3],
                         relu_, isa_);
    });
  } else {
    run_general(x, output, parallel);
  }
}

void ConvKernel::run_general(const ConstTensorView& x, const TensorView& y,
                             const Parallel& parallel) const {
  const std::int64_t in_h = x.shape[2];
  const std::int64_t in_w = x.shape[3];
  const std::int64_t out_h = y.shape[2];
  const std::int64_t out_w = y.shape[3];
  const std::int64_t channels = x.shape[1];
  const std::int64_t per_group_out = out_channels_ / group_;
  const auto pads = padding(in_h, in_w);
  const std::int64_t kernel_size = group_channels_ * kernel_[0] * kernel_[1];
  parallel.run(static_cast<std::size_t>(y.shape[0] * out_channels_), [&](std::size_t item) {
    const auto n = static_cast<std::int64_t>(item) / out_channels_;
    const auto oc = static_cast<std::int64_t>(item) % out_channels_;
    const std::int64_t first_channel = (oc / per_group_out) * group_channels_;
    const float* weights = weights_.data() + oc * kernel_size;
    const float* image = x.data.data() + (n * channels + first_channel) * in_h * in_w;
    float* out = y.data.data() + static_cast<std::int64_t>(item) * out_h * out_w;
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        float acc = bias_[static_cast<std::size_t>(oc)];
        for (std::int64_t ic = 0; ic < group_channels_; ++ic) {
          for (std::int64_t ky = 0; ky < kernel_[0]; ++ky) {
            const std::int64_t iy = oy * strides_[0] - pads[0] + ky * dilations_[0];
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            const float* row = image + (ic * in_h + iy) * in_w;
            const float* taps = weights + (ic * kernel_[0] + ky) * kernel_[1];
            for (std::int64_t kx = 0; kx < kernel_[1]; ++kx) {
              const std::int64_t ix = ox * strides_[1] - pads[1] + kx * dilations_[1];
              if (ix >= 0 && ix < in_w) {
                acc += taps[kx] * row[ix];
              }
            }
          }
        }
        out[oy * out_w + ox] = relu_ ? std::max(acc, 0.0F) : acc;
      }
    }
  });
}

} // namespace

std::unique_ptr<Kernel> create_conv_kernel(const NodeBuildContext& context) {
  return std::make_unique<ConvKernel>(context);
}

} // namespace airan::phy::nn::detail
