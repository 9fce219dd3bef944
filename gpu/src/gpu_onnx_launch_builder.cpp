/// \file
/// \brief build_launches(): one launch record per step of a plan (per Concat input that is not
/// in place), with its arena pointers and geometry.
#include "gpu_onnx_launches.h"

#include "gpu_onnx_regions.h"

#include <array>

namespace airan::gpu::detail {
namespace {

using phy::nn::shape_num_elements;
using phy::nn::TensorShape;

/// What the launch records point at and the launches made so far.
struct Values {
  const Program& program;
  const std::vector<TensorShape>& shapes; ///< Per value.
  const std::vector<std::int64_t>& ones;  ///< Per value: PlanLayout::ones.
  std::vector<float*> pointers;           ///< Per value.
  std::vector<Launch> launches;
  const DerivedConstantStore& store;
};

int count_of(const TensorShape& shape) {
  return static_cast<int>(shape_num_elements(shape));
}

Launch conv_launch(const Step& step, const Values& values, std::span<float* const> constants) {
  const ConvParameters& c = step.conv;
  const TensorShape& x = values.shapes[step.inputs[0]];
  const TensorShape& y = values.shapes[step.output];
  const float* bias = c.bias >= 0 ? constants[static_cast<std::size_t>(c.bias)] : nullptr;
  if (c.pointwise()) {
    PointwiseConvLaunch launch;
    launch.batch = static_cast<int>(x[0]);
    launch.out_channels = static_cast<int>(c.out_channels);
    launch.in_channels = static_cast<int>(x[1]);
    launch.pixels = static_cast<int>(x[2] * x[3]);
    launch.x = values.pointers[step.inputs[0]];
    launch.weights = constants[c.weights];
    launch.bias = bias;
    launch.y = values.pointers[step.output];
    launch.relu = c.relu;
    if (values.ones[step.inputs[0]] > 0 && bias != nullptr) {
      // The bias as input channel K: weights [W | bias] over a plane of ones after X.
      // (From the host copies: the launch's pointers may be device memory.)
      const std::vector<float>& w = values.program.values[c.weights].constant->floats;
      const std::vector<float>& b =
          values.program.values[static_cast<std::size_t>(c.bias)].constant->floats;
      // Rows padded with zeros to a multiple of 4 floats, so that every row is 16-byte aligned
      // (tensor-core GEMMs want 16-byte strides).
      const auto m = static_cast<std::size_t>(launch.out_channels);
      const auto k = static_cast<std::size_t>(launch.in_channels);
      const std::size_t ld = (k + 1 + 3) / 4 * 4;
      std::vector<float> weights(ld * m, 0.0F);
      for (std::size_t row = 0; row < m; ++row) {
        std::copy(w.begin() + static_cast<std::ptrdiff_t>(row * k),
                  w.begin() + static_cast<std::ptrdiff_t>((row + 1) * k),
                  weights.begin() + static_cast<std::ptrdiff_t>(row * ld));
        weights[row * ld + k] = b[row];
      }
      launch.weights = values.store(std::move(weights));
      launch.weights_ld = static_cast<int>(ld);
      launch.in_channels += 1;
      launch.bias = nullptr;
    }
    if (c.residual) {
      launch.residual = values.pointers[step.inputs[1]];
      launch.residual_map = onnx::make_broadcast_map(values.shapes[step.inputs[1]], y);
    }
    return launch;
  }
  const auto pads = c.padding(x[2], x[3]);
  onnx::ConvGeometry g;
  g.in_channels = static_cast<int>(x[1]);
  g.in_h = static_cast<int>(x[2]);
  g.in_w = static_cast<int>(x[3]);
  g.out_channels = static_cast<int>(y[1]);
  g.out_h = static_cast<int>(y[2]);
  g.out_w = static_cast<int>(y[3]);
  g.group_in_channels = static_cast<int>(c.group_channels);
  g.group_out_channels = static_cast<int>(c.out_channels / c.group);
  g.kernel_h = static_cast<int>(c.kernel[0]);
  g.kernel_w = static_cast<int>(c.kernel[1]);
  g.stride_h = static_cast<int>(c.strides[0]);
  g.stride_w = static_cast<int>(c.strides[1]);
  g.dilation_h = static_cast<int>(c.dilations[0]);
  g.dilation_w = static_cast<int>(c.dilations[1]);
  g.pad_top = static_cast<int>(pads[0]);
  g.pad_left = static_cast<int>(pads[1]);
  g.relu = c.relu;
  return ConvLaunch{g,
                    values.pointers[step.inputs[0]],
                    constants[c.weights],
                    bias,
                    values.pointers[step.output],
                    count_of(y),
                    static_cast<int>(values.ones[step.output]),
                    onnx::is_depthwise_3x3(g)};
}

Launch matmul_launch(const Step& step, const Values& values) {
  const TensorShape& a = values.shapes[step.inputs[0]];
  const TensorShape& b = values.shapes[step.inputs[1]];
  const TensorShape& out = values.shapes[step.output];
  onnx::MatMulGeometry g;
  g.m = a.size() >= 2 ? static_cast<int>(a[a.size() - 2]) : 1;
  g.k = static_cast<int>(a.back());
  g.n = b.size() >= 2 ? static_cast<int>(b.back()) : 1;
  const std::size_t batch_rank = out.size() - (a.size() >= 2 ? 1 : 0) - (b.size() >= 2 ? 1 : 0);
  const std::size_t rank_a = a.size() >= 2 ? a.size() - 2 : 0;
  const std::size_t rank_b = b.size() >= 2 ? b.size() - 2 : 0;
  std::array<std::int64_t, onnx::max_rank> stride_a{};
  std::array<std::int64_t, onnx::max_rank> stride_b{};
  std::int64_t step_a = std::int64_t{g.m} * g.k;
  std::int64_t step_b = std::int64_t{g.k} * g.n;
  for (std::size_t d = batch_rank; d-- > 0;) {
    const std::size_t from_end = batch_rank - 1 - d;
    if (from_end < rank_a) {
      const std::int64_t dim = a[rank_a - 1 - from_end];
      stride_a[d] = dim == 1 ? 0 : step_a;
      step_a *= dim;
    }
    if (from_end < rank_b) {
      const std::int64_t dim = b[rank_b - 1 - from_end];
      stride_b[d] = dim == 1 ? 0 : step_b;
      step_b *= dim;
    }
  }
  const std::span<const std::int64_t> batch(out.data(), batch_rank);
  g.batch_a = onnx::make_strided_map(batch, 0, stride_a);
  g.batch_b = onnx::make_strided_map(batch, 0, stride_b);
  return MatMulLaunch{g, values.pointers[step.inputs[0]], values.pointers[step.inputs[1]],
                      values.pointers[step.output], count_of(out)};
}

Launch gemm_launch(const Step& step, const Values& values) {
  const TensorShape& a = values.shapes[step.inputs[0]];
  const TensorShape& out = values.shapes[step.output];
  onnx::GemmGeometry g;
  g.m = static_cast<int>(out[0]);
  g.n = static_cast<int>(out[1]);
  g.k = static_cast<int>(step.trans_a ? a[0] : a[1]);
  g.trans_a = step.trans_a;
  g.trans_b = step.trans_b;
  g.alpha = step.alpha;
  g.beta = step.beta;
  const float* c = nullptr;
  if (step.inputs.size() == 3) {
    const TensorShape& cs = values.shapes[step.inputs[2]];
    c = values.pointers[step.inputs[2]];
    g.c_col_stride = !cs.empty() && cs.back() != 1 ? 1 : 0;
    g.c_row_stride = cs.size() == 2 && cs[0] != 1 ? static_cast<int>(cs[1]) : 0;
  }
  return GemmLaunch{g, values.pointers[step.inputs[0]], values.pointers[step.inputs[1]],
                    c, values.pointers[step.output],    count_of(out)};
}

/// Appends the launches of \p step (none for the Concat inputs in \p in_place).
void add_launches(const Step& step, Values& values, std::span<float* const> constants,
                  const std::vector<bool>& in_place) {
  const TensorShape& out = values.shapes[step.output];
  const int count = count_of(out);
  float* y = values.pointers[step.output];
  const auto in = [&](std::size_t i) { return values.pointers[step.inputs[i]]; };
  const auto in_shape = [&](std::size_t i) -> const TensorShape& {
    return values.shapes[step.inputs[i]];
  };
  if (count == 0) {
    return;
  }
  switch (step.kind) {
  case StepKind::conv:
    values.launches.push_back(conv_launch(step, values, constants));
    return;
  case StepKind::unary:
    values.launches.push_back(UnaryLaunch{step.unary, in(0), y, count});
    return;
  case StepKind::binary:
    values.launches.push_back(BinaryLaunch{step.binary, step.binary_relu, in(0), in(1), y, count,
                                           onnx::make_broadcast_map(in_shape(0), out),
                                           onnx::make_broadcast_map(in_shape(1), out)});
    return;
  case StepKind::copy:
  case StepKind::reshape: {
    const std::size_t bytes = static_cast<std::size_t>(count) * sizeof(float);
    values.launches.push_back(DeviceCopyLaunch{in(0), y, bytes, bytes, bytes, 1});
    return;
  }
  case StepKind::concat: {
    const std::size_t axis = static_cast<std::size_t>(
        step.axis < 0 ? step.axis + static_cast<std::int64_t>(out.size()) : step.axis);
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) {
      outer *= out[d];
    }
    const std::int64_t out_block = count / outer;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < step.inputs.size(); ++i) {
      const std::int64_t block = shape_num_elements(in_shape(i)) / outer;
      if (block > 0 && !in_place[step.inputs[i]]) {
        values.launches.push_back(DeviceCopyLaunch{
            in(i), y + offset, static_cast<std::size_t>(block) * sizeof(float),
            static_cast<std::size_t>(block) * sizeof(float),
            static_cast<std::size_t>(out_block) * sizeof(float), static_cast<std::size_t>(outer)});
      }
      offset += block;
    }
    return;
  }
  case StepKind::transpose: {
    const TensorShape& x = in_shape(0);
    const auto in_strides = row_major_strides(x);
    std::array<std::int64_t, onnx::max_rank> strides{};
    for (std::size_t d = 0; d < x.size(); ++d) {
      const std::int64_t source =
          step.perm.empty() ? static_cast<std::int64_t>(x.size() - 1 - d) : step.perm[d];
      strides[d] = in_strides[static_cast<std::size_t>(source)];
    }
    values.launches.push_back(
        StridedCopyLaunch{in(0), y, count, onnx::make_strided_map(out, 0, strides)});
    return;
  }
  case StepKind::slice: {
    const TensorShape& x = in_shape(0);
    const phy::nn::SliceWindow starts = slice_window(step, x);
    const auto in_strides = row_major_strides(x);
    std::array<std::int64_t, onnx::max_rank> strides{};
    std::int64_t base = 0;
    for (std::size_t d = 0; d < x.size(); ++d) {
      base += starts.start[d] * in_strides[d];
      strides[d] = starts.step[d] * in_strides[d];
    }
    values.launches.push_back(
        StridedCopyLaunch{in(0), y, count, onnx::make_strided_map(out, base, strides)});
    return;
  }
  case StepKind::reduce_mean: {
    const auto flags = reduced_axes(step, in_shape(0).size());
    values.launches.push_back(ReduceMeanLaunch{
        onnx::make_reduce_geometry(in_shape(0), std::span(flags.data(), in_shape(0).size())), in(0),
        y, count, SplitReduction{}});
    return;
  }
  case StepKind::gemm:
    values.launches.push_back(gemm_launch(step, values));
    return;
  case StepKind::matmul:
    values.launches.push_back(matmul_launch(step, values));
    return;
  case StepKind::region: {
    std::vector<TensorShape> shapes;
    std::vector<const float*> pointers;
    for (const std::size_t v : step.inputs) {
      shapes.push_back(values.shapes[v]);
      pointers.push_back(values.pointers[v]);
    }
    values.launches.push_back(region_launch(step, shapes, pointers, y, count));
    return;
  }
  }
}

} // namespace

std::vector<Launch> build_launches(const Program& program, const PlanLayout& layout, float* arena,
                                   std::span<float* const> constants,
                                   std::vector<std::size_t>& launch_steps,
                                   const DerivedConstantStore& store) {
  Values values{program,     layout.shapes,
                layout.ones, std::vector<float*>(program.values.size(), nullptr),
                {},          store};
  for (std::size_t v = 0; v < program.values.size(); ++v) {
    values.pointers[v] = layout.offsets[v] >= 0 ? arena + layout.offsets[v] : constants[v];
  }
  launch_steps.clear();
  for (std::size_t s = 0; s < program.steps.size(); ++s) {
    if (!program.steps[s].removed) {
      add_launches(program.steps[s], values, constants, layout.in_place);
      launch_steps.resize(values.launches.size(), s);
    }
  }
  return std::move(values.launches);
}

} // namespace airan::gpu::detail
