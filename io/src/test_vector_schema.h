/// \file
/// \brief Private: the HDF5 test-vector schema shared by the writer and the reader. Each group's
/// attributes are listed once, in a visit_*() function that calls a visitor per field (the
/// writer's visitor writes, the reader's reads and range-checks), and the rules a vector obeys
/// are checked by the same functions on both sides, so the writer never writes what the reader
/// rejects.
#pragma once

#include "airan/io/test_vector_file.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

namespace airan::io::schema {

inline constexpr unsigned max_rx_antennas = 64;
inline constexpr unsigned max_tx_antennas = 8;
inline constexpr std::size_t max_pdus_per_slot = 256;
inline constexpr std::size_t max_slots = 1000000;
/// Largest absolute_slot (2^40: 35 years of 1 ms slots): slot times in ns, absolute_slot x slot
/// duration, stay far inside 63 bits at every numerology.
inline constexpr std::uint64_t max_absolute_slot = std::uint64_t{1} << 40;
/// Largest TBS accepted (above any TS 38.214 PUSCH TBS; bounds what a file can make us allocate).
inline constexpr std::uint32_t max_tb_bits = 1U << 21;
inline constexpr unsigned min_fft_size = phy::fft_size_granularity;
inline constexpr unsigned max_fft_size = phy::max_cell_fft_size;
/// Longest free-text attribute (generator, reference_receiver) in bytes.
inline constexpr std::size_t max_text_length = 65536;
/// Longest enumeration-like string attribute in bytes.
inline constexpr std::size_t max_word_length = 64;

/// Name of an enumerator in the file.
template <typename E> struct EnumName {
  E value;
  const char* name;
};

inline constexpr std::array<EnumName<phy::CyclicPrefix>, 2> cyclic_prefix_names{
    {{phy::CyclicPrefix::normal, "normal"}, {phy::CyclicPrefix::extended, "extended"}}};
inline constexpr std::array<EnumName<phy::PuschMappingType>, 2> mapping_type_names{
    {{phy::PuschMappingType::type_a, "A"}, {phy::PuschMappingType::type_b, "B"}}};
inline constexpr std::array<EnumName<phy::DmrsConfigType>, 2> dmrs_config_type_names{
    {{phy::DmrsConfigType::type1, "type1"}, {phy::DmrsConfigType::type2, "type2"}}};
inline constexpr std::array<EnumName<phy::McsTable>, 5> mcs_table_names{
    {{phy::McsTable::qam64, "qam64"},
     {phy::McsTable::qam256, "qam256"},
     {phy::McsTable::qam64_low_se, "qam64_low_se"},
     {phy::McsTable::transform_precoding_qam64, "transform_precoding_qam64"},
     {phy::McsTable::transform_precoding_qam64_low_se, "transform_precoding_qam64_low_se"}}};
inline constexpr std::array<EnumName<phy::LowPaprHopping>, 3> low_papr_hopping_names{
    {{phy::LowPaprHopping::none, "none"},
     {phy::LowPaprHopping::group, "group"},
     {phy::LowPaprHopping::sequence, "sequence"}}};
/// PuschConfig::ldpc_base_graph as stored: "selected" when unset (TS 38.212 7.2.2 picks it).
enum class StoredLdpcBaseGraph : std::uint8_t { selected, bg1, bg2 };
inline constexpr std::array<EnumName<StoredLdpcBaseGraph>, 3> ldpc_base_graph_names{
    {{StoredLdpcBaseGraph::selected, "selected"},
     {StoredLdpcBaseGraph::bg1, "bg1"},
     {StoredLdpcBaseGraph::bg2, "bg2"}}};
inline StoredLdpcBaseGraph stored_ldpc_base_graph(const std::optional<phy::LdpcBaseGraph>& graph) {
  if (!graph) {
    return StoredLdpcBaseGraph::selected;
  }
  return *graph == phy::LdpcBaseGraph::bg1 ? StoredLdpcBaseGraph::bg1 : StoredLdpcBaseGraph::bg2;
}
inline std::optional<phy::LdpcBaseGraph> ldpc_base_graph_of(StoredLdpcBaseGraph stored) {
  switch (stored) {
  case StoredLdpcBaseGraph::bg1:
    return phy::LdpcBaseGraph::bg1;
  case StoredLdpcBaseGraph::bg2:
    return phy::LdpcBaseGraph::bg2;
  case StoredLdpcBaseGraph::selected:
    break;
  }
  return std::nullopt;
}
inline constexpr std::array<EnumName<phy::PuschPrecoding>, 2> precoding_names{
    {{phy::PuschPrecoding::non_codebook, "non-codebook"},
     {phy::PuschPrecoding::codebook, "codebook"}}};

inline constexpr std::array<const char*, 15> channel_models{
    "awgn",     "flat",     "TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E", "TDL-A30",
    "TDL-B100", "TDL-C300", "CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E"};
inline constexpr std::array<const char*, 4> correlations{"none", "low", "medium", "high"};
inline constexpr std::array<const char*, 2> domains{"time", "frequency"};
inline constexpr std::array<const char*, 2> antenna_patterns{"omni", "38.901"};
inline constexpr std::array<const char*, 4> polarizations{"V", "H", "VH", "cross"};

// A visitor V provides, for T& (reading) or const T& (writing):
//   uint(name, unsigned integer)   real(name, double or float)   boolean(name, bool)
//   text(name, std::string)        enumeration(name, E, table)
//   optional_text(name, std::string): written always, read when present (added after version 1)
//   optional(name, visit): visit() visits attribute name; written always, read when present
//                          (added after version 1: files without it keep the field's default)

/// Root attributes other than format and format_version.
template <typename Header, typename V> void visit_root(Header& h, V& v) {
  v.text("generator", h.generator);
  v.uint("seed", h.seed);
  v.real("snr_db", h.snr_db);
  v.real("noise_variance", h.noise_variance);
  v.text("reference_receiver", h.reference_receiver);
  v.uint("num_rx_antennas", h.num_rx_antennas);
  v.uint("num_tx_antennas", h.num_tx_antennas);
}

/// Attributes of /cell: one per phy::CellConfig field.
template <typename Cell, typename V> void visit_cell(Cell& c, V& v) {
  v.uint("num_prbs", c.num_prbs);
  v.uint("grid_start_crb", c.grid_start_crb);
  v.uint("numerology", c.numerology);
  v.enumeration("cyclic_prefix", c.cyclic_prefix, cyclic_prefix_names);
  v.uint("n_cell_id", c.n_cell_id);
  v.uint("dmrs_type_a_position", c.dmrs_type_a_position);
  v.uint("num_antenna_ports", c.num_antenna_ports);
  // Added with configurable FFT sizes: vectors written before have 0 (choose_fft_size()).
  v.optional("fft_size", [&] { v.uint("fft_size", c.fft_size); });
}

/// Attributes of /channel: one per TestVectorChannel field.
template <typename Channel, typename V> void visit_channel(Channel& c, V& v) {
  v.text("model", c.model);
  v.real("delay_spread_s", c.delay_spread_s);
  v.real("max_doppler_hz", c.max_doppler_hz);
  v.text("correlation", c.correlation);
  v.real("cfo_hz", c.cfo_hz);
  v.real("timing_offset_s", c.timing_offset_s);
  v.text("domain", c.domain);
  v.optional_text("bs_antenna_pattern", c.bs_antenna_pattern);
  v.optional_text("bs_polarization", c.bs_polarization);
  v.optional_text("ue_polarization", c.ue_polarization);
  // Added with phase noise: vectors written before have none.
  v.optional("phase_noise_linewidth_hz",
             [&] { v.real("phase_noise_linewidth_hz", c.phase_noise_linewidth_hz); });
}

/// Attributes of /slots/NNNN/pdus/K: one per phy::PuschConfig field (except
/// uci.csi_part2_sizing, which the writer refuses: a vector carries the part 2 size it sent),
/// then expected_crc_ok and expected_uci_ok.
template <typename Pdu, typename V> void visit_pdu(Pdu& pdu, V& v) {
  auto& p = pdu.config;
  v.uint("rnti", p.rnti);
  v.uint("handle", p.handle);
  v.uint("bwp_start", p.bwp_start);
  v.uint("bwp_size", p.bwp_size);
  v.uint("prb_start", p.prb_start);
  v.uint("prb_size", p.prb_size);
  v.uint("start_symbol", p.start_symbol);
  v.uint("num_symbols", p.num_symbols);
  v.enumeration("mapping_type", p.mapping_type, mapping_type_names);
  v.enumeration("dmrs_config_type", p.dmrs_config_type, dmrs_config_type_names);
  v.uint("dmrs_symbol_mask", p.dmrs_symbol_mask);
  v.uint("dmrs_additional_position", p.dmrs_additional_position);
  v.uint("dmrs_length", p.dmrs_length);
  v.uint("dmrs_ports", p.dmrs_ports);
  v.uint("n_scid", p.n_scid);
  v.uint("dmrs_scrambling_id", p.dmrs_scrambling_id);
  v.uint("num_dmrs_cdm_groups_no_data", p.num_dmrs_cdm_groups_no_data);
  v.uint("mcs_index", p.mcs_index);
  v.enumeration("mcs_table", p.mcs_table, mcs_table_names);
  v.uint("target_code_rate_x10240", p.target_code_rate_x10240);
  v.uint("qam_order", p.qam_order);
  v.uint("num_layers", p.num_layers);
  v.enumeration("precoding", p.precoding, precoding_names);
  v.uint("tpmi", p.tpmi);
  v.boolean("transform_precoding", p.transform_precoding);
  // Added with DFT-s-OFDM: vectors written before keep the defaults (off, 0, none).
  v.optional("tp_pi2bpsk", [&] { v.boolean("tp_pi2bpsk", p.tp_pi2bpsk); });
  v.optional("pusch_identity", [&] { v.uint("pusch_identity", p.pusch_identity); });
  v.optional("dmrs_hopping",
             [&] { v.enumeration("dmrs_hopping", p.dmrs_hopping, low_papr_hopping_names); });
  v.uint("rv", p.rv);
  v.uint("harq_process_id", p.harq_process_id);
  v.boolean("new_data_indicator", p.new_data_indicator);
  v.uint("data_scrambling_id", p.data_scrambling_id);
  v.uint("tb_size_bits", p.tb_size_bits);
  v.uint("tbs_lbrm", p.tbs_lbrm);
  // Added 2026-12-08 (a retransmission's kept graph): vectors written before say "selected".
  StoredLdpcBaseGraph graph = stored_ldpc_base_graph(p.ldpc_base_graph);
  v.optional("ldpc_base_graph",
             [&] { v.enumeration("ldpc_base_graph", graph, ldpc_base_graph_names); });
  if constexpr (!std::is_const_v<Pdu>) {
    p.ldpc_base_graph = ldpc_base_graph_of(graph);
  }
  v.uint("x_overhead", p.x_overhead);
  // Added with PT-RS: vectors written before carry none (ptrs_enabled 0).
  v.optional("ptrs_enabled", [&] { v.boolean("ptrs_enabled", p.ptrs.enabled); });
  v.optional("ptrs_time_density", [&] { v.uint("ptrs_time_density", p.ptrs.time_density); });
  v.optional("ptrs_frequency_density",
             [&] { v.uint("ptrs_frequency_density", p.ptrs.frequency_density); });
  v.optional("ptrs_re_offset", [&] { v.uint("ptrs_re_offset", p.ptrs.re_offset); });
  v.optional("ptrs_dmrs_port", [&] { v.uint("ptrs_dmrs_port", p.ptrs.dmrs_port); });
  v.optional("ptrs_power", [&] { v.uint("ptrs_power", p.ptrs.power); });
  // Added with UCI on PUSCH: vectors written before carry none (every size 0).
  v.optional("uci_harq_ack_bits", [&] { v.uint("uci_harq_ack_bits", p.uci.harq_ack_bits); });
  v.optional("uci_csi_part1_bits", [&] { v.uint("uci_csi_part1_bits", p.uci.csi_part1_bits); });
  v.optional("uci_csi_part2_bits", [&] { v.uint("uci_csi_part2_bits", p.uci.csi_part2_bits); });
  v.optional("uci_alpha_scaling", [&] { v.uint("uci_alpha_scaling", p.uci.alpha_scaling); });
  v.optional("uci_beta_offset_harq_ack",
             [&] { v.uint("uci_beta_offset_harq_ack", p.uci.beta_offset_harq_ack); });
  v.optional("uci_beta_offset_csi1",
             [&] { v.uint("uci_beta_offset_csi1", p.uci.beta_offset_csi1); });
  v.optional("uci_beta_offset_csi2",
             [&] { v.uint("uci_beta_offset_csi2", p.uci.beta_offset_csi2); });
  // Added with intra-slot frequency hopping: vectors written before carry none (no hopping).
  v.optional("intra_slot_hopping", [&] { v.boolean("intra_slot_hopping", p.intra_slot_hopping); });
  v.optional("second_hop_prb_start",
             [&] { v.uint("second_hop_prb_start", p.second_hop_prb_start); });
  // Added with UCI-only PUSCH: vectors written before carry a TB (ulsch 1).
  v.optional("ulsch", [&] { v.boolean("ulsch", p.ulsch); });
  v.boolean("expected_crc_ok", pdu.expected_crc_ok);
  // Added 2026-12-07: vectors written before expect every UCI payload right.
  v.optional("expected_uci_ok", [&] { v.boolean("expected_uci_ok", pdu.expected_uci_ok); });
}

/// The UCI parts of a PDU: dataset name, payload, size the config gives.
template <typename Pdu> auto uci_parts(Pdu& pdu) {
  struct Part {
    const char* dataset;
    decltype((pdu.harq_ack_bits)) bits; // const for a const PDU
    unsigned size;
  };
  return std::array<Part, 3>{
      Part{"uci_harq_ack", pdu.harq_ack_bits, pdu.config.uci.harq_ack_bits},
      Part{"uci_csi_part1", pdu.csi_part1_bits, pdu.config.uci.csi_part1_bits},
      Part{"uci_csi_part2", pdu.csi_part2_bits, pdu.config.uci.csi_part2_bits}};
}

/// Group name of slot \p index under /slots: at least four digits ("0000", "0001", ...).
std::string slot_name(std::size_t index);

/// OFDM symbols per slot of \p cell.
unsigned num_symbols(const phy::CellConfig& cell);
/// Subcarriers of the carrier, 12 * num_prbs.
unsigned num_subcarriers(const phy::CellConfig& cell);

/// Empty when \p header is valid (cell validate(), antenna counts, channel strings and ranges,
/// SNR and noise variance), otherwise the first problem.
std::string validate_header(const TestVectorHeader& header);

/// Empty when \p absolute_slot is at most max_absolute_slot and \p slot is its slot number for
/// \p cell, otherwise why not.
std::string validate_slot_number(const phy::CellConfig& cell, std::uint64_t absolute_slot,
                                 unsigned slot);

/// FFT size (a multiple of min_fft_size up to max_fft_size, at least 12 * num_prbs) at which
/// slot \p slot of \p cell lasts \p samples samples; 0 when there is none. A slot's length is
/// proportional to the FFT size, so there is at most one.
unsigned fft_size_for_slot(const phy::CellConfig& cell, unsigned slot, std::size_t samples);

/// Empty when \p config is valid on \p cell (validate()) and its TBS is computable and at most
/// max_tb_bits, which is then stored in \p tbs (0 for a PUSCH without UL-SCH); otherwise the
/// problem.
std::string validate_pdu_config(const phy::CellConfig& cell, const phy::PuschConfig& config,
                                std::uint32_t& tbs);

/// Index of the first bit other than 0 or 1, or bits.size().
std::size_t find_non_bit(std::span<const phy::bit_t> bits);
/// Index of the first non-finite element, or values.size().
std::size_t find_non_finite(std::span<const phy::cf32> values);

} // namespace airan::io::schema
