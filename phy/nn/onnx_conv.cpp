/// \file
/// \brief Conv (2-D, NCHW): attribute checks and shape inference, then one of three paths:
/// pointwise 1x1 as a blocked GEMM, depthwise 3x3 (stride 1, padding 1) specialised, and direct
/// loops for every other geometry (grouped, strided, dilated, padded).
#include "onnx_kernels.h"

#include <algorithm>

namespace airan::phy::nn::detail {
namespace {

constexpr std::int64_t gemm_column_block = 256; ///< Columns per parallel item.

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
  void run_general(const ConstTensorView& x, const TensorView& y, const Parallel& parallel) const;

  ConvGeometry g_;
  std::vector<float> weights_; ///< [M][C / group][kH][kW]
  std::vector<float> bias_;    ///< [M], zeros when the node has none
  bool pointwise_ = false;     ///< 1x1, stride 1, no padding, one group
  bool depthwise3x3_ = false;  ///< 3x3 per channel, stride 1, dilation 1, padding 1
  GemmWeights gemm_;
  GemmIsa isa_ = GemmIsa::scalar;
  bool relu_ = false;
};

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
  g_ = conv_geometry(node, w->shape);
  isa_ = context.isa;
  weights_ = w->floats;
  bias_.assign(static_cast<std::size_t>(g_.out_channels), 0.0F);
  if (context.has_input(2)) {
    const Tensor* b = context.constants[2];
    if (b == nullptr || b->data_type != TensorDataType::float32 ||
        b->shape != TensorShape{g_.out_channels}) {
      fail("the bias must be a float32 initializer of shape [" + std::to_string(g_.out_channels) +
           "]");
    }
    bias_ = b->floats;
  }
  pointwise_ = g_.pointwise();
  depthwise3x3_ = g_.kernel == std::array<std::int64_t, 2>{3, 3} &&
                  g_.strides == std::array<std::int64_t, 2>{1, 1} &&
                  g_.dilations == std::array<std::int64_t, 2>{1, 1} && g_.group_channels == 1 &&
                  g_.group == g_.out_channels && g_.auto_pad == "NOTSET" &&
                  g_.pads == std::array<std::int64_t, 4>{1, 1, 1, 1};
  if (pointwise_) {
    gemm_ = make_gemm_weights(weights_, g_.out_channels, g_.group_channels, bias_);
  }
}

TensorShape ConvKernel::infer_shape(std::span<const TensorShape> inputs) const {
  return g_.output_shape(description(), inputs[0]);
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
      gemm_columns(gemm_, in + n * channels * pixels, pixels, out + n * g_.out_channels * pixels,
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
  const std::int64_t per_group_out = g_.out_channels / g_.group;
  const auto pads = g_.padding(in_h, in_w);
  const std::int64_t kernel_size = g_.group_channels * g_.kernel[0] * g_.kernel[1];
  parallel.run(static_cast<std::size_t>(y.shape[0] * g_.out_channels), [&](std::size_t item) {
    const auto n = static_cast<std::int64_t>(item) / g_.out_channels;
    const auto oc = static_cast<std::int64_t>(item) % g_.out_channels;
    const std::int64_t first_channel = (oc / per_group_out) * g_.group_channels;
    const float* weights = weights_.data() + oc * kernel_size;
    const float* image = x.data.data() + (n * channels + first_channel) * in_h * in_w;
    float* out = y.data.data() + static_cast<std::int64_t>(item) * out_h * out_w;
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        float acc = bias_[static_cast<std::size_t>(oc)];
        for (std::int64_t ic = 0; ic < g_.group_channels; ++ic) {
          for (std::int64_t ky = 0; ky < g_.kernel[0]; ++ky) {
            const std::int64_t iy = oy * g_.strides[0] - pads[0] + ky * g_.dilations[0];
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            const float* row = image + (ic * in_h + iy) * in_w;
            const float* taps = weights + (ic * g_.kernel[0] + ky) * g_.kernel[1];
            for (std::int64_t kx = 0; kx < g_.kernel[1]; ++kx) {
              const std::int64_t ix = ox * g_.strides[1] - pads[1] + kx * g_.dilations[1];
              if (ix >= 0 && ix < in_w) {
                acc += taps[kx] * row[ix];
              }
            }
          }
        }
        out[oy * out_w + ox] = relu_ ? relu_value(acc) : acc;
      }
    }
  });
}

} // namespace

std::unique_ptr<Kernel> create_conv_kernel(const NodeBuildContext& context) {
  return std::make_unique<ConvKernel>(context);
}

} // namespace airan::phy::nn::detail
