/// \file
/// \brief Shape inference of GpuOnnxExecutor's steps (the same rules and checks as the CPU
/// executor's kernels), Slice starts and ReduceMean axes.
#include "gpu_onnx_program.h"

#include <algorithm>

namespace airan::gpu::detail {
namespace {

using phy::nn::max_tensor_elements;
using phy::nn::shape_to_string;

std::size_t normalize_axis(const Step& step, std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    step.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

TensorShape broadcast(const Step& step, std::span<const std::int64_t> a,
                      std::span<const std::int64_t> b) {
  const std::size_t rank = std::max(a.size(), b.size());
  TensorShape shape(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const std::int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      step.fail("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                " cannot be broadcast");
    }
    shape[i] = da == 1 ? db : da;
  }
  return shape;
}

TensorShape conv_shape(const Step& step, const TensorShape& x) {
  const ConvParameters& c = step.conv;
  if (x.size() != 4 || x[1] != c.group_channels * c.group) {
    step.fail("input " + shape_to_string(x) + " does not fit the weights [" +
              std::to_string(c.out_channels) + ", " + std::to_string(c.group_channels) + ", " +
              std::to_string(c.kernel[0]) + ", " + std::to_string(c.kernel[1]) + "] with group " +
              std::to_string(c.group) + " (expected [N, " +
              std::to_string(c.group_channels * c.group) + ", H, W])");
  }
  const auto pads = c.padding(x[2], x[3]);
  TensorShape y{x[0], c.out_channels, 0, 0};
  for (std::size_t axis = 0; axis < 2; ++axis) {
    const std::int64_t span = c.dilations[axis] * (c.kernel[axis] - 1) + 1;
    const std::int64_t padded = x[2 + axis] + pads[axis] + pads[axis + 2];
    if (padded < span) {
      step.fail("input " + shape_to_string(x) + " is smaller than the kernel");
    }
    y[2 + axis] = (padded - span) / c.strides[axis] + 1;
  }
  return y;
}

TensorShape concat_shape(const Step& step, std::span<const TensorShape> inputs) {
  TensorShape shape = inputs[0];
  const std::size_t axis = normalize_axis(step, step.axis, shape.size());
  shape[axis] = 0;
  for (const TensorShape& input : inputs) {
    bool fits = input.size() == shape.size();
    for (std::size_t d = 0; fits && d < shape.size(); ++d) {
      fits = d == axis || input[d] == shape[d];
    }
    if (!fits) {
      step.fail("input " + shape_to_string(input) + " does not fit " + shape_to_string(inputs[0]) +
                " along axis " + std::to_string(step.axis));
    }
    shape[axis] += input[axis];
    if (shape[axis] > max_tensor_elements) {
      step.fail("the result is too large");
    }
  }
  return shape;
}

TensorShape reshape_shape(const Step& step, const TensorShape& in) {
  TensorShape out = step.shape;
  std::size_t unknown = out.size();
  std::int64_t known = 1;
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 0 && !step.allow_zero) {
      if (d >= in.size()) {
        step.fail("shape " + shape_to_string(step.shape) + " copies a dimension " +
                  shape_to_string(in) + " does not have");
      }
      out[d] = in[d];
    }
    if (out[d] == -1) {
      unknown = d;
    } else if (out[d] > 0 && known > max_tensor_elements / out[d]) {
      step.fail("shape " + shape_to_string(step.shape) + " is too large");
    } else {
      known *= out[d];
    }
  }
  const std::int64_t count = phy::nn::shape_num_elements(in);
  if (unknown < out.size()) {
    if (known == 0 || count % known != 0) {
      step.fail("cannot reshape " + shape_to_string(in) + " to " + shape_to_string(step.shape));
    }
    out[unknown] = count / known;
  }
  if (phy::nn::shape_num_elements(out) != count) {
    step.fail("cannot reshape " + shape_to_string(in) + " to " + shape_to_string(step.shape));
  }
  return out;
}

std::vector<std::int64_t> permutation(const Step& step, std::size_t rank) {
  std::vector<std::int64_t> perm = step.perm;
  if (perm.empty()) {
    for (std::size_t d = 0; d < rank; ++d) {
      perm.push_back(static_cast<std::int64_t>(rank - 1 - d));
    }
    return perm;
  }
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (std::size_t d = 0; valid && d < rank; ++d) {
    valid = perm[d] >= 0 && perm[d] < static_cast<std::int64_t>(rank) &&
            !seen[static_cast<std::size_t>(perm[d])];
    if (valid) {
      seen[static_cast<std::size_t>(perm[d])] = true;
    }
  }
  if (!valid) {
    step.fail("attribute 'perm' " + shape_to_string(perm) + " is not a permutation of rank " +
              std::to_string(rank));
  }
  return perm;
}

/// Output shape of a Slice, with the first index and step of every input dimension.
TensorShape slice_geometry(const Step& step, std::span<const std::int64_t> in, SliceStart* starts) {
  TensorShape shape(in.begin(), in.end());
  SliceStart g;
  g.step.fill(1);
  std::array<bool, onnx::max_rank> sliced{};
  for (std::size_t i = 0; i < step.starts.size(); ++i) {
    const std::size_t axis = normalize_axis(step, step.axes[i], in.size());
    if (sliced[axis]) {
      step.fail("axis " + std::to_string(step.axes[i]) + " is sliced twice");
    }
    sliced[axis] = true;
    const std::int64_t dim = in[axis];
    const std::int64_t stride = step.steps[i];
    std::int64_t start = step.starts[i] < 0 ? step.starts[i] + dim : step.starts[i];
    std::int64_t end = step.ends[i] < 0 ? step.ends[i] + dim : step.ends[i];
    std::int64_t count = 0;
    if (dim == 0) {
      start = 0;
    } else if (stride > 0) {
      start = std::clamp<std::int64_t>(start, 0, dim);
      end = std::clamp<std::int64_t>(end, 0, dim);
      count = end > start ? 1 + (end - start - 1) / stride : 0;
    } else {
      start = std::clamp<std::int64_t>(start, 0, dim - 1);
      end = std::clamp<std::int64_t>(end, -1, dim - 1);
      count = start > end ? 1 + (start - end - 1) / -stride : 0;
    }
    g.start[axis] = count > 0 ? start : 0;
    g.step[axis] = stride;
    shape[axis] = count;
  }
  if (starts != nullptr) {
    *starts = g;
  }
  return shape;
}

TensorShape reduce_shape(const Step& step, const TensorShape& in) {
  const auto flags = reduced_axes(step, in.size());
  TensorShape out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (flags[d] && in[d] == 0) {
      step.fail("cannot average over an empty dimension of " + shape_to_string(in));
    }
    if (!flags[d]) {
      out.push_back(in[d]);
    } else if (step.keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

TensorShape gemm_shape(const Step& step, std::span<const TensorShape> inputs) {
  const TensorShape& a = inputs[0];
  const TensorShape& b = inputs[1];
  if (a.size() != 2 || b.size() != 2) {
    step.fail("A " + shape_to_string(a) + " and B " + shape_to_string(b) + " must be matrices");
  }
  const std::int64_t m = step.trans_a ? a[1] : a[0];
  const std::int64_t k = step.trans_a ? a[0] : a[1];
  const std::int64_t k_b = step.trans_b ? b[1] : b[0];
  const std::int64_t n = step.trans_b ? b[0] : b[1];
  if (k != k_b) {
    step.fail("A " + shape_to_string(a) + " and B " + shape_to_string(b) + " do not match");
  }
  if (inputs.size() == 3) {
    const TensorShape& c = inputs[2];
    const bool fits = c.size() <= 2 && (c.empty() || c.back() == 1 || c.back() == n) &&
                      (c.size() < 2 || c[0] == 1 || c[0] == m);
    if (!fits) {
      step.fail("C " + shape_to_string(c) + " cannot be broadcast to [" + std::to_string(m) + ", " +
                std::to_string(n) + "]");
    }
  }
  return {m, n};
}

TensorShape matmul_shape(const Step& step, const TensorShape& a, const TensorShape& b) {
  if (a.empty() || b.empty()) {
    step.fail("MatMul does not take scalars");
  }
  const std::int64_t k_b = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (a.back() != k_b) {
    step.fail("A " + shape_to_string(a) + " and B " + shape_to_string(b) + " do not match");
  }
  const std::span<const std::int64_t> batch_a(a.data(), a.size() >= 2 ? a.size() - 2 : 0);
  const std::span<const std::int64_t> batch_b(b.data(), b.size() >= 2 ? b.size() - 2 : 0);
  TensorShape out = broadcast(step, batch_a, batch_b);
  if (a.size() >= 2) {
    out.push_back(a[a.size() - 2]);
  }
  if (b.size() >= 2) {
    out.push_back(b.back());
  }
  return out;
}

} // namespace

std::array<bool, onnx::max_rank> reduced_axes(const Step& step, std::size_t rank) {
  std::array<bool, onnx::max_rank> flags{};
  if (step.reduce_axes.empty()) {
    for (std::size_t d = 0; d < rank; ++d) {
      flags[d] = !step.noop_with_empty_axes;
    }
  }
  for (const std::int64_t axis : step.reduce_axes) {
    const std::size_t d = normalize_axis(step, axis, rank);
    if (flags[d]) {
      step.fail("axis " + std::to_string(axis) + " is listed twice");
    }
    flags[d] = true;
  }
  return flags;
}

SliceStart slice_starts(const Step& step, std::span<const std::int64_t> in) {
  SliceStart starts;
  slice_geometry(step, in, &starts);
  return starts;
}

std::array<std::int64_t, onnx::max_rank> row_major_strides(std::span<const std::int64_t> shape) {
  std::array<std::int64_t, onnx::max_rank> strides{};
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

TensorShape infer_shape(const Step& step, std::span<const TensorShape> inputs) {
  switch (step.kind) {
  case StepKind::conv:
    return conv_shape(step, inputs[0]);
  case StepKind::unary:
    return inputs[0];
  case StepKind::binary:
    return broadcast(step, inputs[0], inputs[1]);
  case StepKind::copy:
    return inputs[0];
  case StepKind::reshape:
    return reshape_shape(step, inputs[0]);
  case StepKind::concat:
    return concat_shape(step, inputs);
  case StepKind::transpose: {
    const std::vector<std::int64_t> perm = permutation(step, inputs[0].size());
    TensorShape out(inputs[0].size());
    for (std::size_t d = 0; d < out.size(); ++d) {
      out[d] = inputs[0][static_cast<std::size_t>(perm[d])];
    }
    return out;
  }
  case StepKind::slice:
    return slice_geometry(step, inputs[0], nullptr);
  case StepKind::reduce_mean:
    return reduce_shape(step, inputs[0]);
  case StepKind::gemm:
    return gemm_shape(step, inputs);
  case StepKind::matmul:
    return matmul_shape(step, inputs[0], inputs[1]);
  }
  step.fail("unknown step");
}

} // namespace airan::gpu::detail
