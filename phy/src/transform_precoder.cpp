#include "airan/phy/transform_precoder.h"

#include "airan/phy/transform_deprecoding_math.h"

#include "airan/phy/fft_plan.h"
#include "airan/phy/numerology.h"

#include <fftw3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

constexpr unsigned max_transform_prbs = 275;

/// FFTW plans of every allowed size for one direction, indexed by the PRB count. Made once per
/// process and never destroyed (they stay valid for every TransformPrecoder, on any thread: new-
/// array execution of a plan is thread-safe in FFTW).
using PlanTable = std::array<void*, max_transform_prbs + 1>;

const PlanTable& shared_plans(TransformPrecodingDirection direction) {
  static PlanTable tables[2]{};
  static std::once_flag made[2];
  const auto d = static_cast<std::size_t>(direction == TransformPrecodingDirection::deprecode);
  std::call_once(made[d], [d] {
    const std::lock_guard lock(fftw_planner_mutex()); // other threads may plan meanwhile
    const std::size_t max_values = std::size_t{subcarriers_per_prb} * max_transform_prbs;
    fftwf_complex* in = fftwf_alloc_complex(max_values);
    fftwf_complex* out = fftwf_alloc_complex(max_values);
    if (in == nullptr || out == nullptr) {
      fftwf_free(in);
      fftwf_free(out);
      throw std::bad_alloc();
    }
    for (unsigned n = 1; n <= max_transform_prbs; ++n) {
      if (transform_precoding_prbs_allowed(n)) {
        tables[d][n] = fftwf_plan_dft_1d(static_cast<int>(subcarriers_per_prb * n), in, out,
                                         d == 0 ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE);
      }
    }
    fftwf_free(in);
    fftwf_free(out);
  });
  return tables[d];
}

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

void TransformPrecoder::FftwFree::operator()(cf32* p) const {
  const std::lock_guard lock(fftw_planner_mutex());
  fftwf_free(p);
}

TransformPrecoder::TransformPrecoder(unsigned max_prbs, TransformPrecodingDirection direction)
    : max_prbs_(max_prbs), direction_(direction) {
  if (max_prbs == 0 || max_prbs > max_transform_prbs) {
    throw std::invalid_argument("transform precoder: maximum PRBs must be 1..275");
  }
  plans_ = shared_plans(direction).data();
  const std::size_t max_values = std::size_t{subcarriers_per_prb} * max_prbs;
  {
    const std::lock_guard lock(fftw_planner_mutex());
    input_.reset(reinterpret_cast<cf32*>(fftwf_alloc_complex(max_values)));
    output_.reset(reinterpret_cast<cf32*>(fftwf_alloc_complex(max_values)));
  }
  if (!input_ || !output_) {
    throw std::bad_alloc();
  }
}

TransformPrecoder::~TransformPrecoder() = default;
TransformPrecoder::TransformPrecoder(TransformPrecoder&&) noexcept = default;
TransformPrecoder& TransformPrecoder::operator=(TransformPrecoder&&) noexcept = default;

void* TransformPrecoder::plan_for(unsigned num_prbs, std::size_t num_values) const {
  if (num_prbs == 0 || num_prbs > max_prbs_ || plans_[num_prbs] == nullptr) {
    throw std::invalid_argument("transform precoder: " + std::to_string(num_prbs) +
                                " PRBs is not 2^a 3^b 5^c up to " + std::to_string(max_prbs_));
  }
  const std::size_t m = std::size_t{subcarriers_per_prb} * num_prbs;
  if (num_values % m != 0) {
    throw std::invalid_argument("transform precoder: " + std::to_string(num_values) +
                                " values are not whole symbols of " + std::to_string(m));
  }
  return plans_[num_prbs];
}

void TransformPrecoder::transform(std::span<cf32> values, unsigned num_prbs) {
  auto* plan = static_cast<fftwf_plan>(plan_for(num_prbs, values.size()));
  const std::size_t m = std::size_t{subcarriers_per_prb} * num_prbs;
  const float scale = 1.0F / std::sqrt(static_cast<float>(m));
  auto* in = reinterpret_cast<fftwf_complex*>(input_.get());
  auto* out = reinterpret_cast<fftwf_complex*>(output_.get());
  for (std::size_t first = 0; first < values.size(); first += m) {
    std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(first), m, input_.get());
    fftwf_execute_dft(plan, in, out);
    for (std::size_t i = 0; i < m; ++i) {
      values[first + i] = output_[i] * scale;
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
  auto* plan = static_cast<fftwf_plan>(plan_for(num_prbs, values.size()));
  const std::size_t m = std::size_t{subcarriers_per_prb} * num_prbs;
  cf32* input = input_.get();
  for (std::size_t first = 0; first < values.size(); first += m) {
    double weight_sum = 0.0;   // sum of b_k
    double residual_sum = 0.0; // sum of 1 - b_k = v_k / (1 + v_k)
    for (std::size_t k = 0; k < m; ++k) {
      const DeprecodingWeight w = deprecoding_weight(noise_variances[first + k]);
      weight_sum += w.weight;
      residual_sum += w.residual;
      input[k] = w.resolved ? values[first + k] * w.factor : cf32(0.0F, 0.0F);
    }
    const DeprecodingScale s =
        deprecoding_scale(weight_sum, residual_sum, static_cast<unsigned>(m));
    if (!s.resolved) {
      std::fill_n(values.begin() + static_cast<std::ptrdiff_t>(first), m, cf32(0.0F, 0.0F));
      std::fill_n(noise_variances.begin() + static_cast<std::ptrdiff_t>(first), m,
                  std::numeric_limits<float>::infinity());
      continue;
    }
    fftwf_execute_dft(plan, reinterpret_cast<fftwf_complex*>(input),
                      reinterpret_cast<fftwf_complex*>(output_.get()));
    for (std::size_t i = 0; i < m; ++i) {
      values[first + i] = output_[i] * s.scale;
      noise_variances[first + i] = s.variance;
    }
  }
}

} // namespace airan::phy
