/// \file
/// \brief GpuOfdmWorkspace: the shared FFT work area (one allocation) and its cuFFT plans by
/// window count.
#include "airan/gpu/gpu_ofdm_workspace.h"

#include "gpu_ofdm_workspace_impl.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace airan::gpu {

namespace {

std::size_t checked_area(unsigned fft_size, std::size_t max_windows) {
  if (fft_size == 0 || max_windows == 0) {
    throw std::invalid_argument("GpuOfdmWorkspace: the FFT size and the window count must be "
                                "positive");
  }
  return std::size_t{fft_size} * max_windows;
}

/// Makes \p device current first, so that the work area is allocated there.
int current(int device) {
  make_device_current(device);
  return device;
}

} // namespace

GpuOfdmWorkspace::Impl::Impl(unsigned fft_size_in, std::size_t max_windows_in, int device_in)
    : fft_size(fft_size_in), max_windows(max_windows_in), device(current(device_in)),
      windows(checked_area(fft_size_in, max_windows_in)) {
  plans.reserve(max_plans);
  failed.reserve(max_plans);
}

CufftPlan* GpuOfdmWorkspace::Impl::plan(std::size_t count, bool may_make) {
  for (auto& [windows_planned, made] : plans) {
    if (windows_planned == count) {
      return &made;
    }
  }
  if (count == 0 || count > max_windows || plans.size() == max_plans ||
      std::find(failed.begin(), failed.end(), count) != failed.end()) {
    return nullptr;
  }
  if (!may_make) {
    missed = count; // prepare_missed() makes it outside the capture
    return nullptr;
  }
  try {
    make_device_current(device);
    CufftPlan made(static_cast<int>(fft_size), static_cast<int>(count));
    plans.emplace_back(count, std::move(made));
  } catch (const CudaError&) { // (out of memory, say) each front end's own plan serves
    (void)cudaGetLastError();  // not the next launch check's error
    failed.push_back(count);
    return nullptr;
  }
  return &plans.back().second;
}

CufftPlan* GpuOfdmWorkspace::Impl::place(std::span<detail::OfdmSlot> slots,
                                         std::span<bool> in_workspace, bool may_make) {
  const auto windows_of = [](const detail::OfdmGeometry& g) {
    return std::size_t{g.num_rx} * g.num_symbols;
  };
  std::size_t count = 0;
  for (const detail::OfdmSlot& slot : slots) {
    if (slot.g.fft_size == fft_size && count + windows_of(slot.g) <= max_windows) {
      count += windows_of(slot.g);
    }
  }
  CufftPlan* const joint = count == 0 ? nullptr : plan(count, may_make);
  std::size_t next = 0;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    in_workspace[i] = false;
    const detail::OfdmGeometry& g = slots[i].g;
    if (joint != nullptr && g.fft_size == fft_size && next + windows_of(g) <= max_windows) {
      slots[i].fft = windows.data() + next * fft_size;
      in_workspace[i] = true;
      next += windows_of(g);
    }
  }
  return joint;
}

GpuOfdmWorkspace::GpuOfdmWorkspace(unsigned fft_size, std::size_t max_windows, int device)
    : impl_(std::make_unique<Impl>(fft_size, max_windows, device)) {}
GpuOfdmWorkspace::~GpuOfdmWorkspace() = default;
GpuOfdmWorkspace::GpuOfdmWorkspace(GpuOfdmWorkspace&&) noexcept = default;
GpuOfdmWorkspace& GpuOfdmWorkspace::operator=(GpuOfdmWorkspace&&) noexcept = default;

unsigned GpuOfdmWorkspace::fft_size() const {
  return impl_->fft_size;
}
std::size_t GpuOfdmWorkspace::max_windows() const {
  return impl_->max_windows;
}
int GpuOfdmWorkspace::device() const {
  return impl_->device;
}
bool GpuOfdmWorkspace::prepare(std::size_t windows) {
  return impl_->plan(windows, /*may_make=*/true) != nullptr;
}
bool GpuOfdmWorkspace::prepare_missed() {
  const std::size_t windows = std::exchange(impl_->missed, 0);
  return windows != 0 && prepare(windows);
}
bool GpuOfdmWorkspace::prepared(std::size_t windows) const {
  for (const auto& entry : impl_->plans) {
    if (entry.first == windows) {
      return true;
    }
  }
  return false;
}
std::uint64_t GpuOfdmWorkspace::joint_transforms() const {
  return impl_->joint;
}
std::uint64_t GpuOfdmWorkspace::own_transforms() const {
  return impl_->own;
}

} // namespace airan::gpu
