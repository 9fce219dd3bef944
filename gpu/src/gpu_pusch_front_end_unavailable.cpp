// GpuPuschFrontEnd in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_pusch_front_end.h"
#include "built_without_cuda.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuPuschFrontEnd::Impl {};

GpuPuschFrontEnd::GpuPuschFrontEnd(const phy::CellConfig&, const GpuPuschFrontEndLimits&, int) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;
GpuPuschFrontEnd::GpuPuschFrontEnd(GpuPuschFrontEnd&&) noexcept = default;
GpuPuschFrontEnd& GpuPuschFrontEnd::operator=(GpuPuschFrontEnd&&) noexcept = default;
std::size_t GpuPuschFrontEnd::slot_length(unsigned) const {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::demodulate(const phy::cf32*, unsigned, unsigned) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::demodulate_host(std::span<const phy::cf32>, unsigned, unsigned) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
const phy::cf32* GpuPuschFrontEnd::upload_iq(std::span<const phy::cf32>, unsigned, unsigned,
                                             void*) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
bool GpuPuschFrontEnd::prepare_capture(unsigned, std::span<const phy::PuschConfig>, unsigned,
                                       const phy::PuschFrontEndOptions&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::upload_grid(const phy::ResourceGrid&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
std::size_t GpuPuschFrontEnd::process(const phy::PuschConfig&, unsigned,
                                      const phy::PuschFrontEndOptions&, bool) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
std::size_t GpuPuschFrontEnd::prepare(const phy::PuschConfig&, unsigned,
                                      const phy::PuschFrontEndOptions&, bool) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::enqueue_prepared(std::span<GpuPuschFrontEnd* const>, void*) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::prepare_demodulation(const phy::cf32*, unsigned, unsigned) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::enqueue_prepared_demodulation(std::span<GpuPuschFrontEnd* const>, void*,
                                                     GpuOfdmWorkspace*) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
bool GpuPuschFrontEnd::llrs_descrambled() const {
  return false;
}
bool GpuPuschFrontEnd::used_pregenerated_dmrs() const {
  return false;
}
unsigned GpuPuschFrontEnd::graph_instantiations() const {
  return 0;
}
void GpuPuschFrontEnd::build_neural_inputs(const phy::PuschConfig&, unsigned,
                                           const phy::PuschFrontEndOptions&,
                                           const NeuralInputTensors&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
std::size_t GpuPuschFrontEnd::gather_neural_llrs(const float*) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
const float* GpuPuschFrontEnd::device_llrs() const {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
phy::DmrsMeasurements GpuPuschFrontEnd::download_measurements() {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::download_ptrs_phases(std::span<float>) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::enqueue_measurements(unsigned) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
phy::PuschMeasurements GpuPuschFrontEnd::download_pusch_measurements() {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
phy::PuschMeasurements GpuPuschFrontEnd::pending_measurements(unsigned) const {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void* GpuPuschFrontEnd::native_stream() const {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::descramble(std::uint32_t) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::synchronize() {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::set_deferred_branch_join(bool) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::set_stage_timing(bool) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::set_antenna_ports(unsigned) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::set_fused_ofdm(bool) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
bool GpuPuschFrontEnd::fused_ofdm() const {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::join_branch() {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::pregenerate_dmrs(const phy::PuschConfig&, unsigned,
                                        const phy::PuschFrontEndOptions&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::download_llrs(std::span<float>) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::download_grid(phy::ResourceGrid&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::download_channel_estimate(phy::ChannelEstimate&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::download_equalized(std::vector<phy::cf32>&, std::vector<float>&) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
GpuStageTimes GpuPuschFrontEnd::stage_times() {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}
void GpuPuschFrontEnd::process_grid(const phy::ResourceGrid&, const phy::PuschConfig&, unsigned,
                                    const phy::PuschFrontEndOptions&, std::span<float>) {
  detail::throw_built_without_cuda("GpuPuschFrontEnd");
}

} // namespace airan::gpu
