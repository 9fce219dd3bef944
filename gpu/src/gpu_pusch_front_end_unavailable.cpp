// GpuPuschFrontEnd in a build without CUDA: the constructor says so; nothing else is reachable.
#include "airan/gpu/gpu_pusch_front_end.h"

#include <stdexcept>

namespace airan::gpu {

struct GpuPuschFrontEnd::Impl {};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("GpuPuschFrontEnd: airan was built without CUDA");
}
} // namespace

GpuPuschFrontEnd::GpuPuschFrontEnd(const phy::CellConfig&, const GpuPuschFrontEndLimits&, int) {
  unavailable();
}
GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;
GpuPuschFrontEnd::GpuPuschFrontEnd(GpuPuschFrontEnd&&) noexcept = default;
GpuPuschFrontEnd& GpuPuschFrontEnd::operator=(GpuPuschFrontEnd&&) noexcept = default;
std::size_t GpuPuschFrontEnd::slot_length(unsigned) const {
  unavailable();
}
void GpuPuschFrontEnd::demodulate(const phy::cf32*, unsigned, unsigned) {
  unavailable();
}
void GpuPuschFrontEnd::demodulate_host(std::span<const phy::cf32>, unsigned, unsigned) {
  unavailable();
}
const phy::cf32* GpuPuschFrontEnd::upload_iq(std::span<const phy::cf32>, unsigned, unsigned,
                                             void*) {
  unavailable();
}
bool GpuPuschFrontEnd::prepare_capture(unsigned, std::span<const phy::PuschConfig>, unsigned,
                                       const phy::PuschFrontEndOptions&) {
  unavailable();
}
void GpuPuschFrontEnd::upload_grid(const phy::ResourceGrid&) {
  unavailable();
}
std::size_t GpuPuschFrontEnd::process(const phy::PuschConfig&, unsigned,
                                      const phy::PuschFrontEndOptions&, bool) {
  unavailable();
}
std::size_t GpuPuschFrontEnd::prepare(const phy::PuschConfig&, unsigned,
                                      const phy::PuschFrontEndOptions&, bool) {
  unavailable();
}
void GpuPuschFrontEnd::enqueue_prepared(std::span<GpuPuschFrontEnd* const>, void*) {
  unavailable();
}
void GpuPuschFrontEnd::prepare_demodulation(const phy::cf32*, unsigned, unsigned) {
  unavailable();
}
void GpuPuschFrontEnd::enqueue_prepared_demodulation(std::span<GpuPuschFrontEnd* const>, void*,
                                                     GpuOfdmWorkspace*) {
  unavailable();
}
bool GpuPuschFrontEnd::llrs_descrambled() const {
  return false;
}
void GpuPuschFrontEnd::build_neural_inputs(const phy::PuschConfig&, unsigned,
                                           const phy::PuschFrontEndOptions&,
                                           const NeuralInputTensors&) {
  unavailable();
}
std::size_t GpuPuschFrontEnd::gather_neural_llrs(const float*) {
  unavailable();
}
const float* GpuPuschFrontEnd::device_llrs() const {
  unavailable();
}
phy::DmrsMeasurements GpuPuschFrontEnd::download_measurements() {
  unavailable();
}
void GpuPuschFrontEnd::enqueue_measurements(unsigned) {
  unavailable();
}
phy::PuschMeasurements GpuPuschFrontEnd::download_pusch_measurements() {
  unavailable();
}
phy::PuschMeasurements GpuPuschFrontEnd::pending_measurements(unsigned) const {
  unavailable();
}
void* GpuPuschFrontEnd::native_stream() const {
  unavailable();
}
void GpuPuschFrontEnd::descramble(std::uint32_t) {
  unavailable();
}
void GpuPuschFrontEnd::synchronize() {
  unavailable();
}
void GpuPuschFrontEnd::set_deferred_branch_join(bool) {
  unavailable();
}
void GpuPuschFrontEnd::set_stage_timing(bool) {
  unavailable();
}
void GpuPuschFrontEnd::set_fused_ofdm(bool) {
  unavailable();
}
bool GpuPuschFrontEnd::fused_ofdm() const {
  unavailable();
}
void GpuPuschFrontEnd::join_branch() {
  unavailable();
}
void GpuPuschFrontEnd::pregenerate_dmrs(const phy::PuschConfig&, unsigned,
                                        const phy::PuschFrontEndOptions&) {
  unavailable();
}
void GpuPuschFrontEnd::download_llrs(std::span<float>) {
  unavailable();
}
void GpuPuschFrontEnd::download_grid(phy::ResourceGrid&) {
  unavailable();
}
void GpuPuschFrontEnd::download_channel_estimate(phy::ChannelEstimate&) {
  unavailable();
}
void GpuPuschFrontEnd::download_equalized(std::vector<phy::cf32>&, std::vector<float>&) {
  unavailable();
}
GpuStageTimes GpuPuschFrontEnd::stage_times() {
  unavailable();
}
void GpuPuschFrontEnd::process_grid(const phy::ResourceGrid&, const phy::PuschConfig&, unsigned,
                                    const phy::PuschFrontEndOptions&, std::span<float>) {
  unavailable();
}

} // namespace airan::gpu
