/// \file
/// \brief Cell (carrier) and PUSCH configuration, shaped like the SCF FAPI UL_TTI.request PUSCH
/// PDU (SCF 222.10 Table 3-46): CP-OFDM PUSCH, or DFT-s-OFDM (transform precoding) with one
/// layer.
///
/// A PuschConfig is plain data; validate() tells whether it describes a transmission that
/// TS 38.211/38.214 allow and this implementation supports, and why not.
#pragma once

#include "airan/phy/csi_part2_sizing.h"
#include "airan/phy/ldpc_base_graph.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/numerology.h"

#include <cstdint>
#include <optional>
#include <string>

namespace airan::phy {

/// PUSCH time-domain mapping type (TS 38.214 6.1.2.1).
enum class PuschMappingType : std::uint8_t {
  type_a, ///< Slot based: starts at symbol 0, first DMRS at dmrs-TypeA-Position.
  type_b, ///< Mini-slot: first DMRS on the first PUSCH symbol.
};

/// DMRS configuration type (TS 38.211 6.4.1.1.3, higher-layer dmrs-Type).
enum class DmrsConfigType : std::uint8_t {
  type1 = 1, ///< Comb-2: 2 CDM groups, 6 REs per PRB and group, ports 0..7.
  type2 = 2, ///< 3 CDM groups of 2 adjacent REs, 4 REs per PRB and group, ports 0..11.
};

/// How layers become antenna ports (TS 38.214 6.1.1).
enum class PuschPrecoding : std::uint8_t {
  non_codebook, ///< Identity: layer i is antenna port i (number of ports = number of layers).
  codebook,     ///< TS 38.211 Tables 6.3.1.5-1..7, selected by the TPMI.
};

/// DMRS group and sequence hopping of a transform-precoded PUSCH (TS 38.211 6.4.1.1.1.2,
/// higher-layer groupHopping / sequenceHopping of DMRS-UplinkTransformPrecoding).
enum class LowPaprHopping : std::uint8_t {
  none,     ///< u = n_ID^RS mod 30, v = 0 on every DMRS symbol.
  group,    ///< u changes per DMRS symbol (f_gh), v = 0.
  sequence, ///< u = n_ID^RS mod 30, v per DMRS symbol when the sequence has at least 72 values.
};

/// UCI multiplexed on a PUSCH with UL-SCH (FAPI puschUci, SCF 222.10 Table 3-48; TS 38.212
/// 6.3.2): HARQ-ACK, CSI part 1 and CSI part 2 payloads of up to 1706 bits each (the small block
/// codes of TS 38.212 5.3.3 up to 11 bits, polar codes with a CRC above), and the scaling that
/// sizes their coded bits (TS 38.212 6.3.2.4).
struct PuschUciConfig {
  static constexpr unsigned max_short_block_bits = 11; ///< Largest payload without polar coding.
  static constexpr unsigned max_payload_bits = 1706;   ///< Largest payload (TS 38.212 6.3.1.2.1).
  unsigned harq_ack_bits = 0;  ///< O_ACK (0: none; then CSI part 1 avoids the reserved REs).
  unsigned csi_part1_bits = 0; ///< O_CSI-1.
  /// O_CSI-2 (needs CSI part 1). With csi_part2_sizing, the size the transmitter sends (what
  /// its part 1 gives); a PDU for the receiver, which derives the size, keeps it 0 (validate()
  /// still checks it).
  unsigned csi_part2_bits = 0;
  unsigned alpha_scaling = 3;        ///< FAPI alphaScaling 0..3: alpha = 0.5, 0.65, 0.8, 1.
  unsigned beta_offset_harq_ack = 0; ///< I_offset^HARQ-ACK 0..15 (TS 38.213 Table 9.3-1).
  unsigned beta_offset_csi1 = 0;     ///< I_offset^CSI-1 0..18 (TS 38.213 Table 9.3-2).
  unsigned beta_offset_csi2 = 0;     ///< I_offset^CSI-2 0..18.
  /// When not empty, CSI part 2 is present and its size follows from the decoded CSI part 1
  /// (FAPI csiPart2BitLength 0xFFFF, csi_part2_sizing.h), by the receiver's size maps
  /// (PuschReceiverConfig::csi_part2_size_maps).
  CsiPart2Sizing csi_part2_sizing{};

  /// True when a part of \p bits payload bits is polar coded (with a CRC).
  [[nodiscard]] static constexpr bool polar_coded(unsigned bits) {
    return bits > max_short_block_bits;
  }
  /// True when the PUSCH carries any UCI bit.
  [[nodiscard]] bool present() const {
    return harq_ack_bits != 0 || csi_part1_bits != 0 || has_csi_part2();
  }
  /// True when the PUSCH carries CSI part 2: of csi_part2_bits bits, or sized from part 1.
  [[nodiscard]] bool has_csi_part2() const {
    return csi_part2_bits != 0 || !csi_part2_sizing.empty();
  }
  friend bool operator==(const PuschUciConfig&, const PuschUciConfig&) = default;
};

/// Phase-tracking reference signal of a CP-OFDM PUSCH with one PT-RS port (FAPI puschPtrs;
/// TS 38.211 6.4.1.2, TS 38.214 6.2.3.1): on every L_PT-RS-th symbol counted from each DMRS
/// occasion, one subcarrier in every K_PT-RS PRBs carries the DMRS sequence value of that
/// subcarrier, on the layer of the associated DMRS port, and no data on any layer.
struct PuschPtrsConfig {
  bool enabled = false;
  unsigned time_density = 1;      ///< L_PT-RS: 1, 2 or 4 symbols.
  unsigned frequency_density = 2; ///< K_PT-RS: 2 or 4 PRBs.
  /// resourceElementOffset 0..3 (RRC '00' .. '11'): the column of TS 38.211 Table
  /// 6.4.1.2.2.1-1 that gives k_ref^RE for the associated DMRS port.
  unsigned re_offset = 0;
  /// Associated DMRS port: one of the PDU's dmrs_ports, 0..3 (type 1) or 0..5 (type 2).
  unsigned dmrs_port = 0;
  /// ptrs-Power / FAPI ulPTRSPower: 0 ('00') or 1 ('01'), TS 38.214 Table 6.2.3.1-3.
  unsigned power = 0;
  friend bool operator==(const PuschPtrsConfig&, const PuschPtrsConfig&) = default;
};

/// Carrier-wide parameters (FAPI CONFIG.request carrier and cell parameters).
struct CellConfig {
  unsigned num_prbs = 273;     ///< Carrier size N_grid^size in PRBs (1 .. 275).
  unsigned grid_start_crb = 0; ///< N_grid^start: first CRB of the carrier, from point A.
  unsigned numerology = 1;     ///< mu, subcarrier spacing 15 * 2^mu kHz.
  CyclicPrefix cyclic_prefix = CyclicPrefix::normal;
  std::uint16_t n_cell_id = 0;       ///< Physical cell identity N_ID^cell (0 .. 1007).
  unsigned dmrs_type_a_position = 2; ///< dmrs-TypeA-Position: l0 = 2 or 3.
  unsigned num_antenna_ports = 1;    ///< Transmit antenna ports of the UE (1, 2 or 4).
  /// OFDM FFT size N, which sets the sample rate N * 15 * 2^mu kHz of the cell's time-domain IQ
  /// (an RU's or radio's sample rate, e.g. 1536 for 23.04 MHz at 15 kHz): a multiple of 128 in
  /// 128 .. max_cell_fft_size with room for the carrier's 12 * num_prbs subcarriers. 0: the
  /// smallest power of two choose_fft_size() takes for num_prbs.
  unsigned fft_size = 0;

  /// Empty when valid, otherwise what is wrong.
  [[nodiscard]] std::string validate() const;
};

/// Largest CellConfig::fft_size (four times NR's largest, 4096).
inline constexpr unsigned max_cell_fft_size = 16384;

/// OFDM timing of \p cell: its numerology and cyclic prefix at its fft_size, or at
/// choose_fft_size(num_prbs) when that is 0. Every stage that works on the cell's time-domain
/// samples takes this one. \throws std::invalid_argument for an FFT size, numerology or cyclic
/// prefix that Numerology refuses, or an FFT size below the carrier's subcarriers.
Numerology carrier_numerology(const CellConfig& cell);

struct PuschConfig;

/// The LDPC base graph of \p pusch's TB of \p tbs bits: PuschConfig::ldpc_base_graph when set,
/// otherwise the one TS 38.212 7.2.2 selects for \p tbs at the PUSCH's code rate.
LdpcBaseGraph pusch_ldpc_base_graph(const PuschConfig& pusch, std::uint32_t tbs);

/// One PUSCH transmission (FAPI PUSCH PDU fields, names spelled out; sizes in PRBs/symbols).
struct PuschConfig {
  std::uint16_t rnti = 1;   ///< n_RNTI (C-RNTI etc.), used by the data scrambling.
  std::uint32_t handle = 0; ///< FAPI handle, carried through unchanged.

  // --- Frequency and time allocation ---
  unsigned bwp_start = 0;    ///< BWP start in CRBs from point A.
  unsigned bwp_size = 273;   ///< BWP size in PRBs.
  unsigned prb_start = 0;    ///< First PRB of the allocation, relative to the BWP start.
  unsigned prb_size = 273;   ///< Contiguous PRBs allocated (resource allocation type 1).
  unsigned start_symbol = 0; ///< S: first OFDM symbol in the slot.
  unsigned num_symbols = 14; ///< L: number of OFDM symbols.
  PuschMappingType mapping_type = PuschMappingType::type_a;
  /// Intra-slot frequency hopping (TS 38.214 6.3.1; FAPI frequencyHopping with the FAPIv3
  /// puschSecondHopPRB): the first floor(L / 2) symbols on prb_start, the others on
  /// second_hop_prb_start, each hop with its own DMRS (TS 38.211 Table 6.4.1.1.3-6 when
  /// dmrs_symbol_mask is 0) and its own channel estimate. Single-symbol DMRS, without PT-RS or UCI.
  bool intra_slot_hopping = false;
  unsigned second_hop_prb_start = 0; ///< First PRB of the second hop, relative to the BWP start.

  // --- DMRS ---
  DmrsConfigType dmrs_config_type = DmrsConfigType::type1;
  /// FAPI ulDmrsSymbPos: bit l set when symbol l of the slot carries DMRS (both symbols of a
  /// double-symbol DMRS). 0: derived from dmrs_additional_position and dmrs_length with TS
  /// 38.211 Tables 6.4.1.1.3-3/-4.
  std::uint16_t dmrs_symbol_mask = 0;
  unsigned dmrs_additional_position = 1; ///< dmrs-AdditionalPosition pos0..pos3 as 0..3.
  /// Symbols per DMRS occasion actually used: 1 single-symbol, 2 double-symbol (the RRC
  /// maxLength must allow it). With 2, the DMRS symbols pair up as l' = 0, 1.
  unsigned dmrs_length = 1;
  /// FAPI dmrsPorts: bit p set when DMRS antenna port p (0 .. 11) is used; the i-th set bit, from
  /// bit 0 up, is the port of layer i.
  std::uint16_t dmrs_ports = 0x1;
  unsigned n_scid = 0;                      ///< n_SCID, 0 or 1.
  std::uint16_t dmrs_scrambling_id = 0;     ///< N_ID^{n_SCID} (0 .. 65535).
  unsigned num_dmrs_cdm_groups_no_data = 1; ///< 1..2 (type 1) or 1..3 (type 2).

  // --- Modulation and coding ---
  unsigned mcs_index = 0;
  McsTable mcs_table = McsTable::qam64;
  /// FAPI targetCodeRate, R * 1024 * 10; 0: take it from the MCS table.
  std::uint32_t target_code_rate_x10240 = 0;
  /// FAPI qamModOrder Q_m (1 = pi/2-BPSK with transform precoding, 2, 4, 6, 8); 0: take it from
  /// the MCS table.
  unsigned qam_order = 0;
  unsigned num_layers = 1; ///< 1..4, one codeword.
  PuschPrecoding precoding = PuschPrecoding::non_codebook;
  unsigned tpmi = 0; ///< Transmitted precoding matrix indicator (codebook precoding only).
  /// DFT-s-OFDM (TS 38.211 6.3.1.4): one layer, DMRS type 1 with 2 CDM groups without data, a
  /// PRB count 2^a 3^b 5^c, and the low-PAPR DMRS sequence of 6.4.1.1.1.2.
  bool transform_precoding = false;
  /// tp-pi2BPSK: with transform precoding, the rows of TS 38.214 Tables 6.1.4.1-1 and -2 whose
  /// Q_m is q (MCS 0 and 1 of -1, 0 to 5 of -2, and 28) are pi/2-BPSK (Q_m = 1) instead of QPSK.
  bool tp_pi2bpsk = false;
  /// n_ID^RS (FAPI puschIdentity, 0 .. 1007): low-PAPR DMRS group (and hopping seed) with
  /// transform precoding.
  std::uint16_t pusch_identity = 0;
  LowPaprHopping dmrs_hopping = LowPaprHopping::none; ///< With transform precoding only.

  // --- HARQ and transport block ---
  /// The PUSCH carries a transport block (FAPI pduBitmap bit 0, puschData). False: UCI only
  /// (TS 38.212 6.3.2.4 without UL-SCH): no TB and no HARQ process; CSI part 1 is required, the
  /// code rate R and Q_m size the UCI, the data REs of DMRS symbols (fewer CDM groups without
  /// data than the DMRS type has) are sent with zero power (UCI is never mapped there);
  /// tb_size_bits must be 0.
  bool ulsch = true;
  unsigned rv = 0;                      ///< Redundancy version 0..3.
  unsigned harq_process_id = 0;         ///< 0..15 (0..31 with Rel-17); carried through.
  bool new_data_indicator = true;       ///< Carried through.
  std::uint16_t data_scrambling_id = 0; ///< n_ID for the data scrambling (0 .. 1023).
  std::uint32_t tb_size_bits = 0;       ///< TBS in bits; 0: derived with TS 38.214 5.1.3.2.
  std::uint32_t tbs_lbrm = 0;           ///< TBS_LBRM for limited-buffer rate matching; 0: none.
  /// The TB's LDPC base graph where it is not the one TS 38.212 7.2.2 selects from the TBS and
  /// this transmission's code rate: a retransmission keeps its first transmission's (6.2.2;
  /// FAPIv3 ldpcBaseGraph), which also sizes its UCI (6.3.2.4, the code blocks' K_r). Unset: the
  /// selected one (pusch_ldpc_base_graph()). validate() refuses one that differs from it for new
  /// data. A receiver that holds the TB's HARQ buffer takes the buffer's graph.
  std::optional<LdpcBaseGraph> ldpc_base_graph;
  unsigned x_overhead = 0; ///< xOverhead: 0, 6, 12 or 18 REs per PRB.

  // --- PT-RS ---
  PuschPtrsConfig ptrs; ///< Phase-tracking RS (CP-OFDM only; none by default).

  // --- UCI on PUSCH ---
  PuschUciConfig uci; ///< HARQ-ACK and CSI multiplexed with the UL-SCH (none by default).

  /// Empty when this PUSCH can be transmitted on \p cell, otherwise the first problem found.
  [[nodiscard]] std::string validate(const CellConfig& cell) const;
  /// The part of validate() that the reference signals need (cell, allocation, DMRS, precoding,
  /// transform precoding, PT-RS, hopping), without the modulation, coding and size checks (TBS,
  /// data REs, xOverhead, UCI): what a DMRS channel estimator checks, which also estimates each
  /// hop of a hopping PUSCH as a PUSCH of its own (pusch_hop_config()).
  [[nodiscard]] std::string validate_reference_signals(const CellConfig& cell) const;

  /// The MCS table row of mcs_index (with tp_pi2bpsk for Tables 6.1.4.1-1 and -2).
  [[nodiscard]] McsEntry mcs() const { return mcs_entry(mcs_table, mcs_index, tp_pi2bpsk); }
  /// Q_m: qam_order when set, otherwise from the MCS table.
  [[nodiscard]] unsigned modulation_order() const;
  /// R * 10240: target_code_rate_x10240 when set, otherwise from the MCS table.
  [[nodiscard]] std::uint32_t code_rate_x10240() const;
  /// DMRS port of layer \p layer (the layer-th set bit of dmrs_ports). \pre layer < num_layers.
  [[nodiscard]] unsigned dmrs_port_of_layer(unsigned layer) const;
  /// First CRB of the allocation: bwp_start + prb_start.
  [[nodiscard]] unsigned first_crb() const { return bwp_start + prb_start; }
  /// First slot symbol of the second hop: start_symbol + floor(num_symbols / 2) with intra-slot
  /// hopping, otherwise past the PUSCH (start_symbol + num_symbols).
  [[nodiscard]] unsigned second_hop_symbol() const {
    return start_symbol + (intra_slot_hopping ? num_symbols / 2 : num_symbols);
  }
  /// First CRB of the hop that slot symbol \p symbol belongs to (first_crb() for every symbol
  /// of a PUSCH that does not hop, whatever second_hop_prb_start says).
  [[nodiscard]] unsigned first_crb_of_symbol(unsigned symbol) const {
    return bwp_start +
           (intra_slot_hopping && symbol >= second_hop_symbol() ? second_hop_prb_start : prb_start);
  }
};

} // namespace airan::phy
