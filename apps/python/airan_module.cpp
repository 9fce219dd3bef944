// `import airan`: this project's transmitter, channel models and reference receiver front end
// from Python, so that training data for a neural receiver comes from the same code paths as
// the product (docs/PYTHON.md). Built when pybind11 is found (pybind11-dev).
#include "airan/apps/bler_evaluation.h"
#include "airan/apps/link_simulation.h"
#include "airan/apps/receiver_catalog.h"
#include "airan/io/pusch_config_file.h"
#include "airan/phy/antenna_correlation.h"
#include "airan/phy/dmrs_pusch.h"
#include "airan/phy/nn/neural_receiver_inputs.h"
#include "airan/phy/ptrs_pusch.h"
#include "airan/phy/pusch_front_end.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "airan/phy/snr_definition.h"
#include "airan/phy/ulsch_encoder.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace py = pybind11;

namespace airan::python {
namespace {

/// A C-contiguous numpy array of \p shape holding a copy of \p values.
template <typename T>
py::array_t<T> to_numpy(std::span<const T> values, std::vector<py::ssize_t> shape) {
  py::array_t<T> array(shape);
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

/// One scenario's slots with their training labels (see the class docstring below).
class Simulator {
public:
  Simulator(const std::string& scenario, const std::string& channel, double delay_spread_ns,
            double doppler_hz, const std::string& correlation, const std::string& domain,
            unsigned num_rx_antennas, const std::string& reference_receiver, bool neural_inputs,
            const std::string& scenario_yaml, const std::string& bs_antenna_pattern,
            const std::string& bs_polarization, const std::string& ue_polarization,
            bool transform_precoding, bool pi2bpsk)
      : scenario_(scenario_yaml.empty() ? io::load_slot_scenario(scenario)
                                        : io::parse_slot_scenario(scenario_yaml, "scenario_yaml")),
        reference_(reference_receiver.empty() ? nullptr : &apps::find_receiver(reference_receiver)),
        neural_(neural_inputs) {
    apply_transform_precoding(transform_precoding, pi2bpsk);
    link_.cell = scenario_.cell;
    link_.num_rx_antennas = num_rx_antennas != 0 ? num_rx_antennas : scenario_.num_rx_antennas;
    link_.channel.model = channel;
    link_.channel.delay_spread_s = delay_spread_ns * 1e-9;
    link_.channel.max_doppler_hz = doppler_hz;
    link_.channel.correlation = phy::parse_antenna_correlation(correlation);
    link_.channel.domain = apps::parse_channel_domain(domain);
    link_.channel.bs_antenna_pattern = phy::parse_cdl_element_pattern(bs_antenna_pattern);
    link_.channel.bs_polarization = phy::parse_cdl_polarization(bs_polarization);
    link_.channel.ue_polarization = phy::parse_cdl_polarization(ue_polarization);
    if (const auto problems = apps::validate_link(link_, scenario_.pusch); !problems.empty()) {
      throw std::invalid_argument("airan.Simulator: " + problems);
    }
    if (reference_ != nullptr && (reference_->perfect_csi || reference_->neural)) {
      throw std::invalid_argument("airan.Simulator: the reference receiver must be a classical "
                                  "one that estimates the channel (not perfect-csi or neural)");
    }
    simulator_ = std::make_unique<apps::SlotSimulator>(link_);
    phy::PuschFrontEndLimits limits;
    limits.max_rx_antennas = link_.num_rx_antennas;
    limits.max_prbs = link_.cell.num_prbs;
    front_end_ = std::make_unique<phy::PuschFrontEnd>(limits);
    encoder_ = phy::create_ulsch_encoder();
    if (neural_) {
      inputs_ = std::make_unique<phy::nn::NeuralReceiverInputs>(link_.cell.num_prbs);
    }
  }

  /// Slot \p slot (absolute; the slot number in the frame follows) at per-RE SNR \p snr_db,
  /// random TBs, channel realisation and noise all derived from \p seed.
  /// The simulation itself runs without the GIL, so other Python threads (data loaders, a
  /// trainer) go on meanwhile; calls on one Simulator from several threads take turns.
  py::dict simulate(double snr_db, std::uint64_t seed, std::uint64_t slot) {
    const float noise_variance = phy::noise_variance_from_snr_db(snr_db);
    std::unique_lock busy(busy_, std::defer_lock);
    {
      const py::gil_scoped_release release; // waiting for another thread's call, and simulating
      busy.lock();
      simulator_->reseed_channel(apps::derive_seed(seed, 0, 1));
      simulator_->simulate(scenario_.pusch, slot, apps::derive_seed(seed, 1),
                           apps::derive_seed(seed, 2), noise_variance);
    }
    const auto& grid = simulator_->received_grid();
    const auto& h = simulator_->true_channel();
    py::dict out;
    out["slot"] = simulator_->slot_number();
    out["noise_variance"] = noise_variance;
    out["grid"] = to_numpy<phy::cf32>(
        grid.elements(), {grid.num_ports(), grid.num_symbols(), grid.num_subcarriers()});
    out["true_channel"] = to_numpy<phy::cf32>(
        h.data(), {h.num_rx(), h.num_tx(), h.num_symbols(), h.num_subcarriers()});
    py::list pdus;
    for (std::size_t i = 0; i < scenario_.pusch.size(); ++i) {
      pdus.append(describe_pdu(i, grid));
    }
    out["pdus"] = pdus;
    return out;
  }

  [[nodiscard]] unsigned num_rx_antennas() const { return link_.num_rx_antennas; }
  [[nodiscard]] unsigned num_prbs() const { return link_.cell.num_prbs; }
  [[nodiscard]] std::size_t num_pdus() const { return scenario_.pusch.size(); }

private:
  /// transform_precoding=True: every PUSCH of the scenario as `airan eval --transform-precoding`
  /// makes it (apps::enable_transform_precoding()).
  void apply_transform_precoding(bool transform_precoding, bool pi2bpsk) {
    if (pi2bpsk && !transform_precoding) {
      throw std::invalid_argument("airan.Simulator: pi2bpsk=True needs transform_precoding=True");
    }
    for (phy::PuschConfig& pusch : scenario_.pusch) {
      if (transform_precoding) {
        if (const auto error = apps::enable_transform_precoding(pusch, pi2bpsk); !error.empty()) {
          throw std::invalid_argument("airan.Simulator: transform_precoding: " + error);
        }
      }
      if (pusch.uci.present()) {
        throw std::invalid_argument("airan.Simulator: UCI on PUSCH (pusch.uci) is not simulated "
                                    "here: its labels would be the UL-SCH codeword's alone");
      }
      if (neural_ && pusch.transform_precoding) {
        throw std::invalid_argument("airan.Simulator: neural_inputs: the neural receiver takes "
                                    "CP-OFDM PUSCH only, not transform precoding (DFT-s-OFDM)");
      }
      if (neural_ && pusch.intra_slot_hopping) {
        throw std::invalid_argument("airan.Simulator: neural_inputs: the neural receiver takes "
                                    "one allocation, not intra-slot frequency hopping");
      }
      if (neural_ && pusch.ptrs.enabled) {
        throw std::invalid_argument("airan.Simulator: neural_inputs: the neural receiver does "
                                    "not take PT-RS (its inputs do not mark the PT-RS REs and "
                                    "it does not track phase)");
      }
    }
  }

  /// PDU \p i of the last slot: its allocation, TB, labels and the reference LLRs.
  py::dict describe_pdu(std::size_t i, const phy::ResourceGrid& grid) {
    const phy::PuschConfig& p = scenario_.pusch[i];
    const auto& tb = simulator_->tb_bits(i);
    const std::uint32_t g = phy::pusch_coded_bits(link_.cell, p);
    // Labels: the scrambled codeword, in the order the front end writes its LLRs.
    phy::PuschMeasurements measurements;
    {
      const py::gil_scoped_release release;
      codeword_.resize(g);
      encoder_->encode(tb, phy::ulsch_coding_config(p, static_cast<std::uint32_t>(tb.size()), g),
                       codeword_);
      phy::scramble_bits(codeword_, phy::pusch_scrambling_init(p.rnti, p.data_scrambling_id));
      if (reference_ != nullptr) {
        llrs_.resize(g);
        measurements = front_end_->process(grid, link_.cell, p, simulator_->slot_number(),
                                           reference_->front_end, llrs_);
      }
    }
    py::dict pdu;
    if (reference_ != nullptr) {
      pdu["llr_reference"] = to_numpy<float>(llrs_, {static_cast<py::ssize_t>(g)});
      pdu["reference_noise_variance"] = measurements.noise_variance;
    }
    if (neural_) {
      describe_neural_inputs(p, g, grid, pdu);
    }
    pdu["rnti"] = p.rnti;
    pdu["prb_start"] = p.bwp_start - link_.cell.grid_start_crb + p.prb_start;
    pdu["prb_size"] = p.prb_size;
    // Intra-slot hopping: the symbols from start_symbol + num_symbols // 2 on lie here instead.
    pdu["second_hop_prb_start"] =
        p.intra_slot_hopping
            ? py::object(py::int_(p.bwp_start - link_.cell.grid_start_crb + p.second_hop_prb_start))
            : py::object(py::none());
    pdu["start_symbol"] = p.start_symbol;
    pdu["num_symbols"] = p.num_symbols;
    pdu["num_layers"] = p.num_layers;
    pdu["modulation_order"] = p.modulation_order();
    pdu["ptrs"] = describe_ptrs(p);
    pdu["tb_bits"] = to_numpy<phy::bit_t>(tb, {static_cast<py::ssize_t>(tb.size())});
    pdu["codeword_bits"] = to_numpy<phy::bit_t>(codeword_, {static_cast<py::ssize_t>(g)});
    return pdu;
  }

  /// The PT-RS of \p p (None without): PuschConfig::ptrs and where its REs lie.
  [[nodiscard]] py::object describe_ptrs(const phy::PuschConfig& p) const {
    if (!p.ptrs.enabled) {
      return py::none();
    }
    const phy::PtrsPattern pattern =
        phy::make_ptrs_pattern(p, phy::pusch_dmrs_symbols(link_.cell, p).mask);
    py::dict ptrs;
    ptrs["time_density"] = p.ptrs.time_density;
    ptrs["frequency_density"] = p.ptrs.frequency_density;
    ptrs["re_offset"] = p.ptrs.re_offset;
    ptrs["dmrs_port"] = p.ptrs.dmrs_port;
    ptrs["power"] = p.ptrs.power;
    ptrs["symbol_mask"] = pattern.symbol_mask;
    ptrs["subcarrier_offset"] = pattern.offset;
    ptrs["subcarrier_period"] = pattern.period;
    ptrs["layer"] = pattern.layer;
    return ptrs;
  }

  /// The neural receiver's input tensors of PDU \p p and where its LLRs land (training data).
  void describe_neural_inputs(const phy::PuschConfig& p, std::uint32_t g,
                              const phy::ResourceGrid& grid, py::dict& pdu) {
    namespace nn = phy::nn;
    {
      const py::gil_scoped_release release;
      inputs_->build(grid, link_.cell, p, simulator_->slot_number());
      positions_.resize(g);
      nn::neural_llr_positions(link_.cell, p, positions_);
    }
    const auto s = static_cast<py::ssize_t>(inputs_->num_symbols());
    const auto f = static_cast<py::ssize_t>(inputs_->num_subcarriers());
    pdu["rx_grid"] = to_numpy<float>(inputs_->rx_grid(), {1, nn::neural_rx_grid_channels, s, f});
    pdu["ls_channel"] =
        to_numpy<float>(inputs_->ls_channel(), {1, nn::neural_ls_channel_channels, s, f});
    pdu["side_info"] =
        to_numpy<float>(inputs_->side_info(), {1, nn::neural_side_info_channels, s, f});
    pdu["llr_positions"] = to_numpy<std::uint32_t>(positions_, {static_cast<py::ssize_t>(g)});
  }

  io::SlotScenario scenario_;
  const apps::ReceiverSpec* reference_; ///< nullptr: no reference receiver.
  bool neural_;
  apps::LinkScenario link_;
  std::unique_ptr<apps::SlotSimulator> simulator_;
  std::unique_ptr<phy::PuschFrontEnd> front_end_;
  std::unique_ptr<phy::UlschEncoder> encoder_;
  std::vector<phy::bit_t> codeword_;
  std::vector<float> llrs_;
  std::unique_ptr<phy::nn::NeuralReceiverInputs> inputs_;
  std::vector<std::uint32_t> positions_;
  std::mutex busy_; ///< Held by the simulate() call running (it releases the GIL).
};

} // namespace
} // namespace airan::python

PYBIND11_MODULE(airan, m) {
  using airan::python::Simulator;
  m.doc() = "airan: the NR PUSCH transmitter, channel models and reference receiver front end";
  m.attr("__version__") = AIRAN_VERSION;
  py::class_<Simulator>(m, "Simulator",
                        R"(Slots of a YAML scenario (configs/*.yaml) through a channel model.

simulate(snr_db, seed, slot) returns a dict: slot (number in the frame), noise_variance (per RE
and receive antenna), grid (complex64 [rx, symbol, subcarrier], the received resource grid),
true_channel (complex64 [rx, port, symbol, subcarrier]; each PUSCH is a UE with its own fading,
so per subcarrier the channel of the PUSCH there) and pdus, a list of dicts per PUSCH:
rnti, prb_start (in the carrier), prb_size, start_symbol, num_symbols, num_layers,
modulation_order, ptrs (None, or the PUSCH's PT-RS: time_density, frequency_density, re_offset,
dmrs_port, power as the scenario's ptrs map gives them, and symbol_mask (bit l: slot symbol l
carries PT-RS), layer, and the PT-RS subcarriers of the allocation, subcarrier_offset +
i * subcarrier_period), tb_bits (uint8), codeword_bits (uint8 [G], the scrambled codeword: the labels
of a receiver's LLRs, in the order the front end writes them), llr_reference (float32 [G], the
reference receiver's LLRs, log P(0)/P(1): positive favours 0) and reference_noise_variance
(both absent when reference_receiver is ""), and with neural_inputs=True the neural receiver's
inputs rx_grid, ls_channel, side_info (float32 [1, C, S, F]) and llr_positions (uint32 [G]: the
flat index into its [32, S, F] LLR tensor of each codeword bit). scenario_yaml, when given,
is the scenario's YAML text and replaces the scenario file. channel may also be CDL-A .. CDL-E
(delay_spread_ns required), whose base station elements are isotropic or, with
bs_antenna_pattern="38.901", TR 38.901 Table 7.3-1 elements, and whose arrays are vertically
polarised or, with bs_polarization / ue_polarization "H", "VH" or "cross" (Sionna's names),
horizontal or dual-polarised (antennas 2k and 2k+1 share a position). transform_precoding=True
makes every PUSCH DFT-s-OFDM as `airan eval --transform-precoding` does (2 DMRS CDM groups
without data, MCS tables 1 and 3 read as TS 38.214 Tables 6.1.4.1-1 and -2; one layer and
a PRB count 2^a 3^b 5^c needed), pi2bpsk=True with it makes the rows whose Q_m is q pi/2-BPSK
(tp-pi2BPSK); the
scenario's YAML keys transform_precoding, tp_pi2bpsk, pusch_identity and dmrs_hopping do the
same per PUSCH. A scenario's ptrs map adds PT-RS to a CP-OFDM PUSCH (its REs carry no data, so
G shrinks). The neural receiver's inputs are CP-OFDM only.)")
      .def(py::init<const std::string&, const std::string&, double, double, const std::string&,
                    const std::string&, unsigned, const std::string&, bool, const std::string&,
                    const std::string&, const std::string&, const std::string&, bool, bool>(),
           py::arg("scenario") = "", py::arg("channel") = "awgn", py::arg("delay_spread_ns") = 0.0,
           py::arg("doppler_hz") = 0.0, py::arg("correlation") = "none",
           py::arg("domain") = "frequency", py::arg("num_rx_antennas") = 0,
           py::arg("reference_receiver") = "mmse-lmmse", py::arg("neural_inputs") = false,
           py::arg("scenario_yaml") = "", py::arg("bs_antenna_pattern") = "omni",
           py::arg("bs_polarization") = "V", py::arg("ue_polarization") = "V",
           py::arg("transform_precoding") = false, py::arg("pi2bpsk") = false)
      .def("simulate", &Simulator::simulate, py::arg("snr_db"), py::arg("seed"),
           py::arg("slot") = 0)
      .def_property_readonly("num_rx_antennas", &Simulator::num_rx_antennas)
      .def_property_readonly("num_prbs", &Simulator::num_prbs)
      .def_property_readonly("num_pdus", &Simulator::num_pdus);
}
