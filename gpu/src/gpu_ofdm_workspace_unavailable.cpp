/// \file
/// \brief GpuOfdmWorkspace in a build without CUDA: the constructor says so; nothing else is
/// reachable.
#include "airan/gpu/gpu_ofdm_workspace.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuOfdmWorkspace::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuOfdmWorkspace: airan was built without CUDA");
}
} // namespace

GpuOfdmWorkspace::GpuOfdmWorkspace(unsigned, std::size_t, int) {
  unavailable();
}
GpuOfdmWorkspace::~GpuOfdmWorkspace() = default;
GpuOfdmWorkspace::GpuOfdmWorkspace(GpuOfdmWorkspace&&) noexcept = default;
GpuOfdmWorkspace& GpuOfdmWorkspace::operator=(GpuOfdmWorkspace&&) noexcept = default;
unsigned GpuOfdmWorkspace::fft_size() const {
  unavailable();
}
std::size_t GpuOfdmWorkspace::max_windows() const {
  unavailable();
}
int GpuOfdmWorkspace::device() const {
  unavailable();
}
bool GpuOfdmWorkspace::prepare(std::size_t) {
  unavailable();
}
bool GpuOfdmWorkspace::prepare_missed() {
  unavailable();
}
bool GpuOfdmWorkspace::prepared(std::size_t) const {
  unavailable();
}
std::uint64_t GpuOfdmWorkspace::joint_transforms() const {
  unavailable();
}
std::uint64_t GpuOfdmWorkspace::own_transforms() const {
  unavailable();
}

} // namespace airan::gpu
