// GpuCellGroup in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_cell_group.h"
#include "airan/phy/thread_pool.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuCellGroup::Cell {};
struct GpuCellGroup::SlotLaunch {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuCellGroup: airan was built without CUDA");
}
} // namespace

GpuDeviceIq::GpuDeviceIq(std::span<const phy::cf32>, int device) : device_(device) {
  unavailable();
}
GpuDeviceIq::~GpuDeviceIq() = default; // NOLINT(performance-trivially-destructible)
GpuDeviceIq::GpuDeviceIq(GpuDeviceIq&& other) noexcept
    : data_(other.data_), size_(other.size_), device_(other.device_) {}
GpuDeviceIq& GpuDeviceIq::operator=(GpuDeviceIq&&) noexcept = default;

GpuCellGroup::GpuCellGroup(std::span<const GpuCellConfig>, int device,
                           const GpuCellGroupOptions& options)
    : device_(device), options_(options) {
  unavailable();
}
GpuCellGroupLaunches GpuCellGroup::launches() const {
  unavailable();
}
GpuCellGroup::~GpuCellGroup() = default;
unsigned GpuCellGroup::num_cells() const {
  unavailable();
}
std::size_t GpuCellGroup::slot_length(unsigned, unsigned) const {
  unavailable();
}
phy::HarqBufferPool& GpuCellGroup::harq_pool(unsigned) {
  unavailable();
}
GpuCellStageTimes GpuCellGroup::stage_times(unsigned) {
  unavailable();
}
unsigned GpuCellGroup::slots_in_flight() const {
  unavailable();
}
void GpuCellGroup::submit(std::span<const GpuCellSlot>) {
  unavailable();
}
void GpuCellGroup::collect(std::vector<std::vector<phy::PuschPduResult>>&) {
  unavailable();
}
void GpuCellGroup::process(std::span<const GpuCellSlot>,
                           std::vector<std::vector<phy::PuschPduResult>>&) {
  unavailable();
}

} // namespace airan::gpu
