/// \file
/// \brief GpuOfdmWorkspace in a build without CUDA: the constructor says so; nothing else is
/// reachable.
#include "airan/gpu/gpu_ofdm_workspace.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuOfdmWorkspace::Impl {};

GpuOfdmWorkspace::GpuOfdmWorkspace(unsigned, std::size_t, int) {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
GpuOfdmWorkspace::~GpuOfdmWorkspace() = default;
GpuOfdmWorkspace::GpuOfdmWorkspace(GpuOfdmWorkspace&&) noexcept = default;
GpuOfdmWorkspace& GpuOfdmWorkspace::operator=(GpuOfdmWorkspace&&) noexcept = default;
unsigned GpuOfdmWorkspace::fft_size() const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
std::size_t GpuOfdmWorkspace::max_windows() const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
int GpuOfdmWorkspace::device() const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
bool GpuOfdmWorkspace::prepare(std::size_t) {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
bool GpuOfdmWorkspace::prepare_missed() {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
bool GpuOfdmWorkspace::prepared(std::size_t) const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
std::uint64_t GpuOfdmWorkspace::joint_transforms() const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}
std::uint64_t GpuOfdmWorkspace::own_transforms() const {
  detail::throw_built_without_cuda("GpuOfdmWorkspace");
}

} // namespace airan::gpu
