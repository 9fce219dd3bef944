// GpuCellGroup in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_cell_group.h"
#include "airan/phy/thread_pool.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuCellGroup::Cell {};
struct GpuCellGroup::SlotLaunch {};

GpuDeviceIq::GpuDeviceIq(std::span<const phy::cf32>, int device) : device_(device) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
GpuDeviceIq::~GpuDeviceIq() = default; // NOLINT(performance-trivially-destructible)
GpuDeviceIq::GpuDeviceIq(GpuDeviceIq&& other) noexcept
    : data_(other.data_), size_(other.size_), device_(other.device_) {}
GpuDeviceIq& GpuDeviceIq::operator=(GpuDeviceIq&&) noexcept = default;

GpuCellGroup::GpuCellGroup(std::span<const GpuCellConfig>, int device,
                           const GpuCellGroupOptions& options)
    : device_(device), options_(options) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
GpuCellGroupLaunches GpuCellGroup::launches() const {
  detail::throw_built_without_cuda("GpuCellGroup");
}
GpuCellGroup::~GpuCellGroup() = default;
unsigned GpuCellGroup::num_cells() const {
  detail::throw_built_without_cuda("GpuCellGroup");
}
std::size_t GpuCellGroup::slot_length(unsigned, unsigned) const {
  detail::throw_built_without_cuda("GpuCellGroup");
}
phy::HarqBufferPool& GpuCellGroup::harq_pool(unsigned) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
GpuCellStageTimes GpuCellGroup::stage_times(unsigned) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
unsigned GpuCellGroup::slots_in_flight() const {
  detail::throw_built_without_cuda("GpuCellGroup");
}
void GpuCellGroup::submit(std::span<const GpuCellSlot>) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
void GpuCellGroup::collect(std::vector<std::vector<phy::PuschPduResult>>&) {
  detail::throw_built_without_cuda("GpuCellGroup");
}
void GpuCellGroup::process(std::span<const GpuCellSlot>,
                           std::vector<std::vector<phy::PuschPduResult>>&) {
  detail::throw_built_without_cuda("GpuCellGroup");
}

} // namespace airan::gpu
