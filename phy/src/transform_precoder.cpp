#include "airan/phy/transform_precoder.h"

#include "airan/phy/numerology.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned max_transform_prbs = 275;

} // namespace

bool transform_precoding_prbs_allowed(unsigned num_prbs) {
  if (num_prbs == 0) {
    return false;
  }
  for (const unsigned p : {2U, 3U, 5U}) {
    while (num_prbs % p == 0) {
      num_prbs /= p;
    }
  }
  return num_prbs == 1;
}

TransformPrecoder::TransformPrecoder(unsigned max_prbs, TransformPrecodingDirection direction)
    : max_prbs_(max_prbs), direction_(direction) {
  if (max_prbs == 0 || max_prbs > max_transform_prbs) {
    throw std::invalid_argument("transform precoder: maximum PRBs must be 1..275");
  }
  const FftDirection fft = direction == TransformPrecodingDirection::precode
                               ? FftDirection::forward
                               : FftDirection::backward;
  plans_.resize(max_prbs + 1);
  for (unsigned n = 1; n <= max_prbs; ++n) {
    if (transform_precoding_prbs_allowed(n)) {
      plans_[n] = std::make_unique<FftPlan>(subcarriers_per_prb * n, fft);
    }
  }
}

TransformPrecoder::~TransformPrecoder() = default;
TransformPrecoder::TransformPrecoder(TransformPrecoder&&) noexcept = default;
TransformPrecoder& TransformPrecoder::operator=(TransformPrecoder&&) noexcept = default;

FftPlan& TransformPrecoder::plan_for(unsigned num_prbs, std::size_t num_values) {
  if (num_prbs == 0 || num_prbs > max_prbs_ || !plans_[num_prbs]) {
    throw std::invalid_argument("transform precoder: " + std::to_string(num_prbs) +
                                " PRBs is not 2^a 3^b 5^c up to " + std::to_string(max_prbs_));
  }
  const std::size_t m = std::size_t{subcarriers_per_prb} * num_prbs;
  if (num_values % m != 0) {
    throw std::invalid_argument("transform precoder: " + std::to_string(num_values) +
                                " values are not whole symbols of " + std::to_string(m));
  }
  return *plans_[num_prbs];
}

void TransformPrecoder::transform(std::span<cf32> values, unsigned num_prbs) {
  FftPlan& plan = plan_for(num_prbs, values.size());
  const std::size_t m = plan.size();
  const float scale = 1.0F / std::sqrt(static_cast<float>(m));
  for (std::size_t first = 0; first < values.size(); first += m) {
    std::span<cf32> block = values.subspan(first, m);
    std::copy(block.begin(), block.end(), plan.input().begin());
    plan.execute();
    const std::span<const cf32> out = plan.output();
    for (std::size_t i = 0; i < m; ++i) {
      block[i] = out[i] * scale;
    }
  }
}

void TransformPrecoder::deprecode_equalized(std::span<cf32> values,
                                            std::span<float> noise_variances, unsigned num_prbs) {
  if (direction_ != TransformPrecodingDirection::deprecode) {
    throw std::invalid_argument("transform precoder: built to precode, not to deprecode");
  }
  if (noise_variances.size() != values.size()) {
    throw std::invalid_argument("transform precoder: one noise variance per value is needed");
  }
  FftPlan& plan = plan_for(num_prbs, values.size());
  const std::size_t m = plan.size();
  const std::span<cf32> input = plan.input();
  for (std::size_t first = 0; first < values.size(); first += m) {
    double weight_sum = 0.0;   // sum of b_k
    double residual_sum = 0.0; // sum of 1 - b_k = v_k / (1 + v_k)
    for (std::size_t k = 0; k < m; ++k) {
      const float v = noise_variances[first + k];
      if (std::isfinite(v) && v >= 0.0F) {
        const double b = 1.0 / (1.0 + double{v});
        weight_sum += b;
        residual_sum += double{v} * b;
        input[k] = values[first + k] * static_cast<float>(b);
      } else {
        residual_sum += 1.0;
        input[k] = cf32(0.0F, 0.0F);
      }
    }
    const double mu = weight_sum / static_cast<double>(m);
    if (!(mu > 0.0)) {
      std::fill_n(values.begin() + static_cast<std::ptrdiff_t>(first), m, cf32(0.0F, 0.0F));
      std::fill_n(noise_variances.begin() + static_cast<std::ptrdiff_t>(first), m,
                  std::numeric_limits<float>::infinity());
      continue;
    }
    plan.execute();
    const float scale = static_cast<float>(1.0 / (mu * std::sqrt(static_cast<double>(m))));
    const auto variance = static_cast<float>(residual_sum / weight_sum);
    const std::span<const cf32> out = plan.output();
    for (std::size_t i = 0; i < m; ++i) {
      values[first + i] = out[i] * scale;
      noise_variances[first + i] = variance;
    }
  }
}

} // namespace airan::phy
