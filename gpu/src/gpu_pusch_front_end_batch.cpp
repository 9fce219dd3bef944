// GpuPuschFrontEnd::prepare() and enqueue_prepared(): the PDUs of several front ends (a slot's
// cells) through every front-end stage with one launch per kernel (the span launchers of
// front_end_kernels.h, which put the PDUs' blocks in one grid).
#include "airan/gpu/gpu_pusch_front_end.h"

#include "gpu_ofdm_workspace_impl.h"
#include "gpu_pusch_front_end_impl.h"
#include "launch_batches.h"

#include "airan/gpu/launch_profiler.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace airan::gpu {

/// The launch arguments of up to `capacity` front ends' PDUs, per kind, the estimation kernels'
/// per hop (about 120 KB on the stack: a slot allocates nothing).
struct GpuPuschFrontEnd::Batch {
  static constexpr std::size_t capacity = max_batch;
  static constexpr std::size_t hop_capacity = 2 * capacity; ///< Two hops per PDU at most.
  static_assert(capacity == detail::max_launch_batches);
  std::array<detail::ScramblingWordsPdu, capacity> scrambling;
  std::array<detail::DmrsGenerationPdu, hop_capacity> generation;
  std::array<detail::DmrsEstimationPdu, hop_capacity> estimation;
  std::array<detail::CfoEstimationPdu, hop_capacity> cfo;
  std::array<detail::TimeWienerPdu, hop_capacity> wiener;
  std::array<detail::PtrsPhasePdu, capacity> ptrs;
  std::array<detail::IrcCovariancePdu, hop_capacity> covariance;
  std::array<detail::EqualizeDemapPdu, capacity> equalization;
  std::array<detail::TransformDeprecodingPdu, capacity> deprecoding;
  std::array<CufftPlan*, capacity> deprecoding_plans{};
  std::array<detail::EqualizationQualityPdu, capacity> quality;
  std::size_t num_scrambling = 0;
  std::size_t num_generation = 0;
  std::size_t num_hops = 0; ///< Estimations (a PDU's hops).
  std::size_t num_pdus = 0;
  std::size_t num_covariance = 0;
  std::size_t num_wiener = 0;
  std::size_t num_ptrs = 0;
  std::size_t num_deprecoding = 0;

  void clear() {
    num_scrambling = num_generation = num_hops = num_pdus = num_covariance = num_wiener = num_ptrs =
        num_deprecoding = 0;
  }

  /// \throws std::logic_error when \p front_ends holds one twice, one whose flag \p prepared is
  /// not set, or front ends of different devices (\p what: the caller, for the message).
  static void check(std::span<GpuPuschFrontEnd* const> front_ends, bool Impl::*prepared,
                    const char* what);
  /// \p front_ends' work on \p batch_stream, in runs of up to `capacity`: each run waits for its
  /// front ends' streams (their open branches joined first with \p join_branches), \p launch
  /// (begin, end) enqueues its work, the front ends' streams wait for it, then \p commit(f)
  /// records front end f's new state and its flag \p prepared is cleared. A throw joins what was
  /// forked and clears every front end's flag.
  template <class Launch, class Commit>
  static void run_forked(std::span<GpuPuschFrontEnd* const> front_ends, cudaStream_t batch_stream,
                         bool join_branches, bool Impl::*prepared, const Launch& launch,
                         const Commit& commit);

  /// Adds the PDU planned on \p s. \throws std::logic_error when its MMSE filter banks were
  /// replaced since prepare() (by other shapes' tables: prepare_capture(), the neural inputs).
  void add(Impl& s) {
    const Impl::PlannedPdu& p = s.prepared;
    const float2* banks = p.banks != nullptr ? s.banks.find(p.bank_key) : nullptr;
    const float2* hop_banks = p.hop_banks != nullptr ? s.banks.find(p.hop_bank_key) : nullptr;
    if ((p.banks != nullptr && banks == nullptr) ||
        (p.hop_banks != nullptr && hop_banks == nullptr)) {
      throw std::logic_error("GpuPuschFrontEnd::enqueue_prepared: a PDU's MMSE filter banks were "
                             "replaced since prepare() (prepare it again)");
    }
    if (p.descramble) {
      scrambling[num_scrambling++] = {s.scrambling_words.data(), p.num_llrs, p.c_init,
                                      s.gold_table.data()};
    }
    if (!p.pregenerated) {
      // These overwrite what a pregenerate_dmrs() after prepare() left there.
      s.pregenerated_valid = false;
    }
    const Impl::PduLaunches l = s.launches_of(p, banks, hop_banks);
    std::copy_n(l.generation, l.generations, generation.begin() + num_generation);
    num_generation += l.generations;
    std::copy_n(l.estimation, l.hops, estimation.begin() + num_hops);
    std::copy_n(l.cfo, l.hops, cfo.begin() + num_hops);
    num_hops += l.hops;
    std::copy_n(l.wiener, l.wieners, wiener.begin() + num_wiener);
    num_wiener += l.wieners;
    std::copy_n(l.covariance, l.covariances, covariance.begin() + num_covariance);
    num_covariance += l.covariances;
    if (p.ptrs.count > 0) {
      ptrs[num_ptrs++] = p.ptrs;
    }
    equalization[num_pdus] = l.equalization;
    if (l.deprecodings > 0) {
      deprecoding[num_deprecoding] = l.deprecoding;
      deprecoding_plans[num_deprecoding++] = l.deprecoding_plan;
    }
    quality[num_pdus] = l.quality;
    ++num_pdus;
  }

  /// Every stage over the PDUs added, in stream order; stage events on \p timer (nullptr: none).
  void launch(Impl* timer, cudaStream_t stream) const {
    const auto mark = [timer, stream](CudaEvent Impl::*event) {
      if (timer != nullptr) {
        (timer->*event).record(stream);
      }
    };
    mark(&Impl::estimate_start);
    profile_begin(stream);
    detail::launch_scrambling_words(std::span(scrambling.data(), num_scrambling), stream);
    detail::launch_dmrs_generation(std::span(generation.data(), num_generation), stream);
    // The CFO before the interpolation, which the Wiener weights (made from its correlations)
    // feed; one stream, so the chain is as long either way.
    detail::launch_dmrs_estimation(std::span(estimation.data(), num_hops),
                                   std::span(cfo.data(), num_hops),
                                   std::span(wiener.data(), num_wiener), stream);
    detail::launch_irc_covariance(std::span(covariance.data(), num_covariance), stream);
    detail::launch_ptrs_phases(std::span(ptrs.data(), num_ptrs), stream);
    mark(&Impl::estimate_end);
    detail::launch_equalize_demap(std::span(equalization.data(), num_pdus), stream);
    detail::launch_transform_deprecoding(
        std::span(deprecoding.data(), num_deprecoding),
        std::span<CufftPlan* const>(deprecoding_plans.data(), num_deprecoding), stream);
    mark(&Impl::equalize_end);
    detail::launch_equalization_quality(std::span(quality.data(), num_pdus), stream);
  }
};

std::size_t GpuPuschFrontEnd::prepare(const phy::PuschConfig& pusch, unsigned slot,
                                      const phy::PuschFrontEndOptions& options, bool descramble) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.has_prepared = false;
  s.prepared = s.plan_pdu(pusch, slot, options, descramble);
  s.has_prepared = true;
  return s.prepared.num_llrs;
}

void GpuPuschFrontEnd::Batch::check(std::span<GpuPuschFrontEnd* const> front_ends,
                                    bool Impl::*prepared, const char* what) {
  const Impl& first = *front_ends.front()->impl_;
  for (std::size_t f = 0; f < front_ends.size(); ++f) {
    const Impl& s = *front_ends[f]->impl_;
    // Twice in one batch, two PDUs would share its buffers (and its noise estimator's counter,
    // which would then be left off zero for every later PDU).
    if (std::find(front_ends.begin(), front_ends.begin() + static_cast<std::ptrdiff_t>(f),
                  front_ends[f]) != front_ends.begin() + static_cast<std::ptrdiff_t>(f)) {
      throw std::logic_error(std::string("GpuPuschFrontEnd::") + what +
                             ": a front end twice in the batch");
    }
    if (!(s.*prepared)) {
      throw std::logic_error(std::string("GpuPuschFrontEnd::") + what +
                             ": a front end without a prepared slot or PDU");
    }
    if (s.device != first.device) {
      throw std::logic_error(std::string("GpuPuschFrontEnd::") + what +
                             ": front ends of different devices");
    }
  }
}

template <class Launch, class Commit>
void GpuPuschFrontEnd::Batch::run_forked(std::span<GpuPuschFrontEnd* const> front_ends,
                                         cudaStream_t batch_stream, bool join_branches,
                                         bool Impl::*prepared, const Launch& launch,
                                         const Commit& commit) {
  Impl& first = *front_ends.front()->impl_;
  // Runs of up to `capacity` front ends; each run forks from its front ends' streams and joins
  // back into them (also when a launch throws: a capture must be endable).
  for (std::size_t begin = 0; begin < front_ends.size(); begin += capacity) {
    const std::size_t end = std::min(front_ends.size(), begin + capacity);
    std::size_t forked = begin;
    const auto join = [&] {
      if (forked == begin) {
        return;
      }
      first.batch_done.mark(batch_stream);
      for (std::size_t f = begin; f < forked; ++f) {
        Impl& s = *front_ends[f]->impl_;
        if (s.stream.get() != batch_stream) {
          first.batch_done.order_before(s.stream.get());
        }
      }
    };
    try {
      for (; forked < end; ++forked) {
        Impl& s = *front_ends[forked]->impl_;
        if (join_branches) {
          s.join_branch(); // its pregenerated DMRS, or a previous PDU's branch
        }
        if (s.stream.get() != batch_stream) {
          s.branch_fork.mark(s.stream.get());
          s.branch_fork.order_before(batch_stream);
        }
      }
      launch(begin, end);
      join();
      // This run's front ends hold its work now, whatever a later run does.
      for (std::size_t f = begin; f < end; ++f) {
        commit(f);
        (*front_ends[f]->impl_).*prepared = false;
      }
    } catch (...) {
      try {
        join();
      } catch (...) { // the first error is the one to report
      }
      for (GpuPuschFrontEnd* front_end : front_ends) {
        (*front_end->impl_).*prepared = false;
      }
      throw;
    }
  }
}

void GpuPuschFrontEnd::enqueue_prepared(std::span<GpuPuschFrontEnd* const> front_ends,
                                        void* stream) {
  if (front_ends.empty()) {
    return;
  }
  Batch::check(front_ends, &Impl::has_prepared, "enqueue_prepared");
  for (GpuPuschFrontEnd* front_end : front_ends) {
    front_end->impl_->forget_processed(); // until the batch's commit
  }
  Impl& first = *front_ends.front()->impl_;
  make_device_current(first.device);
  const cudaStream_t batch_stream =
      stream != nullptr ? static_cast<cudaStream_t>(stream) : first.stream.get();
  Batch arguments;
  Batch::run_forked(
      front_ends, batch_stream, /*join_branches=*/true, &Impl::has_prepared,
      [&](std::size_t begin, std::size_t end) {
        arguments.clear();
        for (std::size_t f = begin; f < end; ++f) {
          arguments.add(*front_ends[f]->impl_);
        }
        arguments.launch(begin == 0 && first.stage_timing ? &first : nullptr, batch_stream);
      },
      [&](std::size_t f) {
        Impl& s = *front_ends[f]->impl_;
        s.commit(s.prepared, f == 0 && s.stage_timing);
      });
}

void GpuPuschFrontEnd::prepare_demodulation(const phy::cf32* device_iq, unsigned num_rx,
                                            unsigned slot) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.has_prepared_ofdm = false;
  s.prepared_ofdm = s.ofdm_slot(device_iq, num_rx, slot);
  s.has_prepared_ofdm = true;
}

void GpuPuschFrontEnd::enqueue_prepared_demodulation(std::span<GpuPuschFrontEnd* const> front_ends,
                                                     void* stream, GpuOfdmWorkspace* workspace) {
  if (front_ends.empty()) {
    return;
  }
  Batch::check(front_ends, &Impl::has_prepared_ofdm, "enqueue_prepared_demodulation");
  Impl& first = *front_ends.front()->impl_;
  GpuOfdmWorkspace::Impl* shared = workspace != nullptr ? workspace->impl_.get() : nullptr;
  if (shared != nullptr && shared->device != first.device) {
    throw std::logic_error("GpuPuschFrontEnd::enqueue_prepared_demodulation: a workspace of "
                           "another device");
  }
  for (GpuPuschFrontEnd* front_end : front_ends) {
    front_end->impl_->has_prepared = false; // PDUs planned for the previous grids' antennas
    front_end->impl_->ofdm_timed = false;   // until the batch's events are recorded
  }
  make_device_current(first.device);
  const cudaStream_t batch_stream =
      stream != nullptr ? static_cast<cudaStream_t>(stream) : first.stream.get();
  std::array<detail::OfdmSlot, Batch::capacity> slots;          // through cuFFT
  std::array<GpuPuschFrontEnd*, Batch::capacity> slot_owners{}; // their front ends
  std::array<bool, Batch::capacity> in_workspace{};
  std::array<detail::OfdmSlot, Batch::capacity> fused; // through the fused kernel
  Batch::run_forked(
      front_ends, batch_stream, /*join_branches=*/false, &Impl::has_prepared_ofdm,
      [&](std::size_t begin, std::size_t end) {
        Impl* timer = begin == 0 && first.stage_timing ? &first : nullptr;
        if (timer != nullptr) {
          timer->ofdm_start.record(batch_stream);
        }
        profile_begin(batch_stream);
        std::size_t count = 0;
        std::size_t fused_count = 0;
        for (std::size_t i = begin; i < end; ++i) {
          Impl& s = *front_ends[i]->impl_;
          if (s.prepared_ofdm.twiddles != nullptr) { // prepared for the fused kernel
            fused[fused_count++] = s.prepared_ofdm;
          } else {
            slots[count] = s.prepared_ofdm;
            slot_owners[count] = front_ends[i];
            in_workspace[count] = false;
            ++count;
          }
        }
        if (fused_count > 0) {
          detail::launch_fused_ofdm(std::span<const detail::OfdmSlot>(fused.data(), fused_count),
                                    batch_stream);
        }
        if (count > 0) {
          // The workspace's windows, front end after front end while they fit (runs of launches
          // follow each other on batch_stream, so each starts at the first window again); the
          // others keep their own area and plan.
          CufftPlan* const joint_plan = shared == nullptr
                                            ? nullptr
                                            : shared->place(std::span(slots.data(), count),
                                                            std::span(in_workspace.data(), count),
                                                            !stream_is_capturing(batch_stream));
          const std::span<const detail::OfdmSlot> run(slots.data(), count);
          detail::launch_remove_cp(run, batch_stream);
          if (joint_plan != nullptr) {
            auto* windows = reinterpret_cast<cufftComplex*>(shared->windows.data());
            joint_plan->forward(windows, windows, batch_stream);
            profile_launch("cuFFT", batch_stream);
            ++shared->joint;
          }
          for (std::size_t i = 0; i < count; ++i) {
            if (!in_workspace[i]) {
              Impl& s = *slot_owners[i]->impl_;
              s.fft_forward(s.prepared_ofdm.g.num_rx, batch_stream);
              if (shared != nullptr) {
                ++shared->own;
              }
            }
          }
          detail::launch_extract_subcarriers(run, batch_stream);
        }
        if (timer != nullptr) {
          timer->ofdm_end.record(batch_stream);
        }
      },
      [&](std::size_t f) {
        Impl& s = *front_ends[f]->impl_;
        s.commit_ofdm(s.prepared_ofdm.g.num_rx, f == 0 && s.stage_timing);
      });
}

} // namespace airan::gpu
