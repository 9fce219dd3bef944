/// \file
/// \brief One PUCCH transmission, shaped like the SCF FAPI UL_TTI.request PUCCH PDU (SCF 222.10
/// Table 3-51), and the UCI it carries (TS 38.211 6.3.2, TS 38.213 9.2).
///
/// All five formats are supported; CSI part 2 (formats 3, 4) and multi-slot repetition are not.
#pragma once

#include "airan/phy/pusch_config.h"
#include "airan/phy/types.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace airan::phy {

/// PUCCH format (TS 38.211 Table 6.3.2.1-1; FAPI FormatType).
enum class PucchFormat : std::uint8_t {
  format0 = 0, ///< 1-2 symbols, 1 PRB, up to 2 HARQ-ACK bits and SR by cyclic shift selection.
  format1 = 1, ///< 4-14 symbols, 1 PRB, up to 2 bits BPSK/QPSK, block-wise spread, DMRS.
  format2 = 2, ///< 1-2 symbols, 1-16 PRBs, more than 2 bits, QPSK, DMRS on every third RE.
  format3 = 3, ///< 4-14 symbols, 1-16 PRBs, more than 2 bits, transform precoded, DMRS symbols.
  format4 = 4, ///< 4-14 symbols, 1 PRB, as format 3 with a pre-DFT cover of 2 or 4 (multiplexing).
};

/// True for formats 2, 3 and 4: a coded UCI payload of 3..1706 bits (HARQ-ACK, SR, CSI part 1)
/// rather than up to 2 HARQ-ACK bits and an SR occasion.
constexpr bool pucch_carries_uci_payload(PucchFormat format) {
  return format == PucchFormat::format2 || format == PucchFormat::format3 ||
         format == PucchFormat::format4;
}

/// pucch-GroupHopping (TS 38.211 6.3.2.2.1; FAPI pucchGroupHopping 0, 1, 2).
enum class PucchGroupHopping : std::uint8_t {
  neither = 0, ///< f_gh = 0, v = 0.
  enable = 1,  ///< f_gh per slot and hop, v = 0.
  disable = 2, ///< f_gh = 0, v per slot and hop (sequence hopping).
};

/// One PUCCH PDU (FAPI field names spelled out; PRBs relative to the BWP start).
struct PucchConfig {
  static constexpr unsigned max_sr_bits = 4;         ///< FAPI SRBitLen (formats 2-4).
  static constexpr unsigned max_payload_bits = 1706; ///< HARQ + SR + CSI part 1 (TS 38.212).
  static constexpr unsigned max_format2_prbs = 16;   ///< nrofPRBs of format 2.
  static constexpr unsigned max_format3_prbs = 16;   ///< nrofPRBs of format 3.
  static constexpr unsigned format01_max_harq_bits = 2;

  std::uint16_t rnti = 1;   ///< n_RNTI: the scrambling of formats 2-4.
  std::uint32_t handle = 0; ///< FAPI Handle, carried through unchanged.
  PucchFormat format = PucchFormat::format1;

  unsigned bwp_start = 0;  ///< BWP start in CRBs from point A.
  unsigned bwp_size = 273; ///< BWP size in PRBs.
  unsigned prb_start = 0;  ///< First PRB, relative to the BWP start.
  unsigned num_prbs = 1;   ///< FAPI prbSize: 1 (formats 0, 1, 4), 1..16 (2), 2^a 3^b 5^c <= 16 (3).
  unsigned start_symbol = 0;
  unsigned num_symbols = 14; ///< 1-2 (formats 0, 2) or 4-14 (formats 1, 3, 4).

  /// intraSlotFrequencyHopping: the first floor(N / 2) symbols on prb_start, the others on
  /// second_hop_prb (TS 38.213 9.2.1).
  bool intra_slot_hopping = false;
  unsigned second_hop_prb = 0; ///< secondHopPRB, relative to the BWP start.

  PucchGroupHopping group_hopping = PucchGroupHopping::neither;
  std::uint16_t hopping_id = 0;         ///< nIdPucchHopping: n_ID of 6.3.2.2 (0..1023).
  unsigned initial_cyclic_shift = 0;    ///< InitialCyclicShift m_0 (0..11), used by formats 0, 1.
  unsigned time_domain_occ = 0;         ///< TimeDomainOccIdx i (0..6), format 1.
  std::uint16_t scrambling_id = 0;      ///< nIdPucchScrambling n_ID (0..1023), formats 2-4.
  std::uint16_t dmrs_scrambling_id = 0; ///< nId0PucchDmrsScrambling N_ID^0 (0..65535), format 2.
  bool pi2_bpsk = false;                ///< pi2Bpsk: pi/2-BPSK instead of QPSK (formats 3, 4).
  bool additional_dmrs = false; ///< AddDmrsFlag: 4 DMRS symbols from 10 symbols (formats 3, 4).
  /// PreDftOccLen N_SF^PUCCH,4 (format 4): 2 or 4; the DMRS cyclic shift m_0 follows from the
  /// cover (TS 38.211 Table 6.4.1.3.3.1-1).
  unsigned pre_dft_occ_length = 2;
  unsigned pre_dft_occ_index = 0; ///< PreDftOccIdx n (format 4): 0 .. N_SF - 1.

  unsigned sr_bits = 0;        ///< SRBitLen: 0/1 (formats 0, 1: an SR occasion), else 0..4.
  unsigned harq_bits = 0;      ///< BitLenHarq: 0..2 (formats 0, 1), 0..1706 (formats 2-4).
  unsigned csi_part1_bits = 0; ///< csiPart1BitLength (formats 2-4).

  /// Empty when the PDU is valid for \p cell and supported, otherwise what is wrong.
  [[nodiscard]] std::string validate(const CellConfig& cell) const;
  /// A = harq_bits + sr_bits + csi_part1_bits: the payload of a format 2, 3 or 4 PUCCH
  /// (TS 38.212 6.3.1.1: HARQ-ACK, then SR, then CSI part 1). Saturates at UINT_MAX: parts far
  /// beyond 1706 bits never wrap into the range that the size checks accept.
  [[nodiscard]] unsigned payload_bits() const {
    const std::uint64_t sum = std::uint64_t{harq_bits} + sr_bits + csi_part1_bits;
    return static_cast<unsigned>(
        std::min<std::uint64_t>(sum, std::numeric_limits<unsigned>::max()));
  }
  /// Symbols of the first hop: floor(N / 2) with intra-slot hopping, else N.
  [[nodiscard]] unsigned first_hop_symbols() const {
    return intra_slot_hopping ? num_symbols / 2 : num_symbols;
  }
  /// First CRB of PUCCH symbol \p l (0 .. num_symbols - 1, counted from start_symbol).
  [[nodiscard]] unsigned first_crb_of(unsigned l) const {
    return bwp_start + (l < first_hop_symbols() ? prb_start : second_hop_prb);
  }
  /// Hop index n_hop of PUCCH symbol \p l (0 without hopping).
  [[nodiscard]] unsigned hop_of(unsigned l) const { return l < first_hop_symbols() ? 0U : 1U; }
  friend bool operator==(const PucchConfig&, const PucchConfig&) = default;
};

/// E_tot, the coded bits of a format 2 PUCCH: 16 per PRB and symbol (8 QPSK data REs; TS 38.212
/// Table 6.3.1.4-1).
unsigned pucch_format2_coded_bits(const PucchConfig& pucch);

/// Most DMRS symbols of a format 3 or 4 PUCCH.
inline constexpr unsigned pucch_format34_max_dmrs_symbols = 4;

/// The DMRS symbols of a format 3 or 4 PUCCH (TS 38.211 Table 6.4.1.3.3.2-1): bit l is set when
/// PUCCH symbol l (counted from start_symbol) carries DMRS. Depends on the length, on
/// intra_slot_hopping (4 symbols) and on additional_dmrs (10 symbols or more); 0 for a length
/// outside 4..14.
std::uint16_t pucch_format34_dmrs_mask(const PucchConfig& pucch);

/// N_symb,UCI of a format 3 or 4 PUCCH: its symbols without DMRS (TS 38.212 Table 6.3.1.4.1-1).
unsigned pucch_format34_uci_symbols(const PucchConfig& pucch);

/// E_tot of a format 3 or 4 PUCCH (TS 38.212 Table 6.3.1.4-1): 12 N_symb,UCI N_PRB Q_m
/// (format 3) or 12 N_symb,UCI Q_m / N_SF (format 4), Q_m = 2 for QPSK, 1 for pi/2-BPSK.
unsigned pucch_format34_coded_bits(const PucchConfig& pucch);

/// E_tot of a PUCCH of format 2, 3 or 4 (0 for formats 0 and 1).
unsigned pucch_uci_coded_bits(const PucchConfig& pucch);

/// The largest E_tot: format 3 on 16 PRBs and 12 UCI symbols, QPSK.
inline constexpr unsigned pucch_max_uci_coded_bits = 16 * 12 * 12 * 2;

/// The UCI bits of one PUCCH (one bit per byte, values 0/1).
///
/// Formats 0 and 1: harq holds 0..2 HARQ-ACK bits (1 = ACK) and sr the SR (1 = positive).
/// Formats 2-4: harq, sr and csi_part1 are the parts of the payload.
struct PucchUciBits {
  std::span<const bit_t> harq;
  std::span<const bit_t> sr;
  std::span<const bit_t> csi_part1;
};

/// What a PUCCH receiver found in one PDU.
struct PucchResult {
  /// False: discontinuous transmission (nothing from this UE told from noise). Formats 0/1:
  /// HARQ-ACK reported DTX and SR negative. Formats 2-4 with a short block: the parts are invalid.
  bool detected = false;
  /// Formats 2-4 with a polar code: true when every segment's CRC held. Formats 0/1 and short
  /// blocks: equal to detected.
  bool crc_ok = false;
  std::array<bit_t, PucchConfig::max_payload_bits> bits{}; ///< HARQ, SR, CSI part 1 in order.
  unsigned num_harq_bits = 0;
  unsigned num_sr_bits = 0;
  unsigned num_csi_part1_bits = 0;
  float sinr_db = 0.0F; ///< Estimated SINR of the detected signal.
  /// Mean power per RE and receive antenna over the PUCCH's REs, grid units (what RSSI
  /// reports); set by PucchReceiver.
  float received_power = 0.0F;
  float detection_metric = 0; ///< The statistic compared with the detection threshold.
  std::string error;          ///< Non-empty: the PDU was not processed (invalid config).

  [[nodiscard]] std::span<const bit_t> harq() const { return {bits.data(), num_harq_bits}; }
  [[nodiscard]] std::span<const bit_t> sr() const {
    return {bits.data() + num_harq_bits, num_sr_bits};
  }
  [[nodiscard]] std::span<const bit_t> csi_part1() const {
    return {bits.data() + num_harq_bits + num_sr_bits, num_csi_part1_bits};
  }
};

} // namespace airan::phy
