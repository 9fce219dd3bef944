// GpuPuschFrontEnd's neural receiver path: the model's inputs built on the device from the device
// grid (neural_input_kernels.cu) and its LLR tensor gathered into codeword order, so that the
// neural receiver's slot never leaves the device.
#include "airan/gpu/gpu_pusch_front_end.h"

#include "gpu_pusch_front_end_impl.h"

#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/pusch_data_layout.h"
#include "airan/phy/pusch_re_mapper.h"

#include <stdexcept>
#include <string>

namespace airan::gpu {

void GpuPuschFrontEnd::build_neural_inputs(const phy::PuschConfig& pusch, unsigned slot,
                                           const phy::PuschFrontEndOptions& options,
                                           const NeuralInputTensors& tensors) {
  Impl& s = *impl_;
  make_device_current(s.device);
  s.join_branch();              // a process() branch reads what the inputs overwrite
  s.pregenerated_valid = false; // the DMRS are generated below
  s.has_prepared = false;       // a prepared PDU may have taken the DMRS that these overwrite
  s.neural.built = false;
  s.hopping = false; // one allocation: the downloads merge no second hop
  s.hop_geometry = {};
  s.check_pdu(pusch);
  if (pusch.intra_slot_hopping) { // the model takes one allocation (as the CPU neural detector)
    throw std::invalid_argument("GpuPuschFrontEnd: the neural receiver does not take intra-slot "
                                "frequency hopping (refused; the classical receivers take it)");
  }
  if (pusch.transform_precoding) { // the model takes CP-OFDM (as the CPU neural detector)
    throw std::invalid_argument("GpuPuschFrontEnd: the neural receiver does not take transform "
                                "precoding (DFT-s-OFDM; refused, the classical receivers take it)");
  }
  if (pusch.ptrs.enabled) { // the model has no phase tracking (as the CPU neural detector)
    throw std::invalid_argument("GpuPuschFrontEnd: the neural receiver does not take PT-RS "
                                "(phase tracking; refused, the classical receivers take it)");
  }
  if (s.grid_rx > phy::nn::neural_max_rx_antennas ||
      pusch.num_layers > phy::nn::neural_max_layers) {
    throw std::invalid_argument("GpuPuschFrontEnd: the neural receiver takes 1 .. 4 receive "
                                "antennas and 1 .. 4 layers, not " +
                                std::to_string(s.grid_rx) + " and " +
                                std::to_string(pusch.num_layers));
  }
  if (tensors.rx_grid == nullptr || tensors.ls_channel == nullptr || tensors.side_info == nullptr) {
    throw std::invalid_argument("GpuPuschFrontEnd: build_neural_inputs() without its tensors");
  }
  const detail::PduGeometry g = s.make_geometry(pusch, slot, options);
  const float2* banks = s.filter_banks(g, options);

  const detail::NeuralInputGeometry n = detail::make_neural_input_geometry(s.cell, pusch, g);
  const phy::PuschReMapping mapping = phy::make_pusch_re_mapping(s.cell, pusch);

  cudaStream_t stream = s.stream.get();
  s.estimate_start.record(stream); // stage_times(): estimation, then inputs + model + gathering
  detail::launch_dmrs_generation(g, s.dmrs_generation, s.gold_table.data(),
                                 s.low_papr_phases.data(), s.dmrs.data(), stream);
  const detail::DmrsEstimationPdu estimation{
      g,     s.grid.data(),    s.dmrs.data(), s.delay_sums.data(),  s.pilots.data(),
      banks, s.device_state(), s.h.data(),    s.time_weights.data()};
  const detail::CfoEstimationPdu cfo{g, s.pilots.data(), s.device_state()};
  detail::TimeWienerPdu wiener;
  if (g.wiener_time) {
    wiener = detail::make_time_wiener_pdu(s.cell, slot, g, banks, s.device_state(),
                                          s.time_weights.data());
  }
  detail::launch_dmrs_estimation(std::span(&estimation, 1), std::span(&cfo, 1),
                                 std::span(&wiener, g.wiener_time ? 1 : 0), stream);
  s.estimate_end.record(stream);
  detail::launch_neural_inputs(g, n, s.grid.data(), s.dmrs.data(), s.device_state(),
                               tensors.rx_grid, tensors.ls_channel, tensors.side_info,
                               s.symbols.data(), s.noise.data(), stream);
  const unsigned qm = pusch.modulation_order();
  detail::launch_equalization_quality(s.symbols.data(), s.noise.data(),
                                      std::size_t{n.num_data_rows} * n.num_subcarriers *
                                          n.num_layers,
                                      qm, s.quality_partials.data(), s.device_quality(), stream);

  s.geometry = g;
  s.processed = false; // until gather_neural_llrs()
  s.neural.geometry = n;
  s.neural.layout = phy::make_pusch_data_layout(mapping);
  s.neural.start_symbol = mapping.start_symbol;
  s.neural.qm = qm;
  s.neural.built = true;
}

std::size_t GpuPuschFrontEnd::gather_neural_llrs(const float* llr_tensor) {
  Impl& s = *impl_;
  if (!s.neural.built) {
    throw std::logic_error("GpuPuschFrontEnd: gather_neural_llrs() without build_neural_inputs()");
  }
  if (llr_tensor == nullptr) {
    throw std::invalid_argument("GpuPuschFrontEnd: gather_neural_llrs() without an LLR tensor");
  }
  make_device_current(s.device);
  s.join_branch();
  const Impl::NeuralPdu& pdu = s.neural;
  detail::launch_neural_llr_gather(pdu.geometry, pdu.layout, pdu.start_symbol, pdu.qm, llr_tensor,
                                   s.llrs.data(), s.stream.get());
  s.equalize_end.record(s.stream.get());
  s.num_res = pdu.layout.num_res();
  s.num_llrs = s.num_res * pdu.geometry.num_layers * pdu.qm;
  s.processed = true;
  s.process_timed = true; // the neural path always records its events
  s.descrambled = false;
  s.demapped_descrambled = false;
  return s.num_llrs;
}

} // namespace airan::gpu
