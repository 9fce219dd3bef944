/// \file
/// \brief The PUCCH parts of the SCF 222.10.02 slot messages as plain data: the UL_TTI.request
/// PUCCH PDU (Table 3-51) and the UCI.indication PUCCH PDUs of formats 0/1 (Table 3-67) and
/// 2/3/4 (Table 3-68). The messages that hold them are in fapi_p7_messages.h.
#pragma once

#include "airan/io/fapi_ul_fields.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace airan::io {

/// PUCCH PDUs one UL_TTI.request can hold, and UCI.indication PUCCH PDUs of each type.
inline constexpr std::size_t fapi_max_pucch_pdus = 64;

/// PUCCH PDU of UL_TTI.request (Table 3-51). PRBs are relative to the BWP start. The reserved
/// byte after pucchGroupHopping is not kept (written as 0).
struct FapiPucchPdu {
  static constexpr std::uint16_t max_uci_bits = 1706; ///< BitLenHarq / csiPart*BitLength.
  std::uint16_t rnti = 1;                             ///< 1 .. 65535.
  std::uint32_t handle = 0;                           ///< Returned in UCI.indication.
  // BWP
  std::uint16_t bwp_size = 273;             ///< 1 .. 275.
  std::uint16_t bwp_start = 0;              ///< 0 .. 274.
  std::uint8_t subcarrier_spacing = 1;      ///< mu, 0 .. 4.
  std::uint8_t cyclic_prefix = 0;           ///< 0 normal, 1 extended.
  std::uint8_t format_type = 0;             ///< PUCCH format 0 .. 4.
  std::uint8_t multi_slot_tx_indicator = 0; ///< 0 none, 1 starting, 2 continuing, 3 ending.
  std::uint8_t pi2_bpsk = 0;                ///< pi/2-BPSK instead of QPSK (formats 3, 4): 0/1.
  // Allocation
  std::uint16_t prb_start = 0;                   ///< 0 .. 274.
  std::uint16_t prb_size = 1;                    ///< 1 .. 16.
  std::uint8_t start_symbol_index = 0;           ///< 0 .. 13.
  std::uint8_t num_symbols = 14;                 ///< 1 .. 14 - StartSymbolIndex.
  std::uint8_t intra_slot_frequency_hopping = 0; ///< 0/1.
  std::uint16_t second_hop_prb = 0;              ///< 0 .. 274.
  // Sequences
  std::uint8_t pucch_group_hopping = 0;    ///< 0 neither, 1 enable, 2 disable.
  std::uint16_t n_id_pucch_hopping = 0;    ///< nIdPucchHopping, 0 .. 1023.
  std::uint16_t initial_cyclic_shift = 0;  ///< m_0, 0 .. 11 (formats 0, 1).
  std::uint16_t n_id_pucch_scrambling = 0; ///< nIdPucchScrambling, 0 .. 1023 (formats 2-4).
  std::uint8_t time_domain_occ_idx = 0;    ///< 0 .. 6 (format 1).
  std::uint8_t pre_dft_occ_idx = 0;        ///< Format 4 (not range-checked).
  std::uint8_t pre_dft_occ_len = 0;        ///< Format 4 (not range-checked).
  // DMRS
  std::uint8_t add_dmrs_flag = 0;                ///< Additional DMRS (formats 3, 4): 0/1.
  std::uint16_t n_id0_pucch_dmrs_scrambling = 0; ///< N_ID^0 (format 2).
  std::uint8_t m0_pucch_dmrs_cyclic_shift = 0;   ///< Formats 3, 4 (not range-checked).
  // UCI payload sizes
  std::uint8_t sr_bit_len = 0;            ///< SRBitLen: 0 .. 4 (formats 0, 1: 0/1 SR occasion).
  std::uint16_t bit_len_harq = 0;         ///< 0 .. 1706.
  std::uint16_t csi_part1_bit_length = 0; ///< 0 .. 1706.
  std::uint16_t csi_part2_bit_length = 0; ///< 0 .. 1706.
  FapiRxBeamforming beamforming;
  friend bool operator==(const FapiPucchPdu&, const FapiPucchPdu&) = default;
};

/// Confidence levels of the UCI.indication PUCCH format 0/1 SR and HARQ PDUs.
namespace fapi_uci_confidence {
inline constexpr std::uint8_t good = 0;
inline constexpr std::uint8_t bad = 1;
inline constexpr std::uint8_t invalid = 0xFF;
} // namespace fapi_uci_confidence

/// SR PDU of a UCI.indication PUCCH format 0/1 PDU.
struct FapiUciSrFormat01 {
  std::uint8_t sr_indication = 0;                            ///< 0 not detected, 1 detected.
  std::uint8_t confidence_level = fapi_uci_confidence::good; ///< 0 good, 1 bad, 0xFF invalid.
  friend bool operator==(const FapiUciSrFormat01&, const FapiUciSrFormat01&) = default;
};

/// HARQ PDU of a UCI.indication PUCCH format 0/1 PDU.
struct FapiUciHarqFormat01 {
  // SCF 222.10.02 Table 3-70: "0 = pass, 1 = fail, 2 = not present" (OAI's nFAPI and the O-RAN
  // SC O-DU read it so; srsRAN's own enum orders NACK, ACK, DTX, which is not the wire value).
  static constexpr std::uint8_t ack = 0;  ///< pass
  static constexpr std::uint8_t nack = 1; ///< fail
  static constexpr std::uint8_t dtx = 2;  ///< not present
  static constexpr std::size_t max_harq = 2;
  std::uint8_t num_harq = 1;                                 ///< NumHarq, 1 .. 2.
  std::uint8_t confidence_level = fapi_uci_confidence::good; ///< 0 good, 1 bad, 0xFF invalid.
  std::array<std::uint8_t, max_harq> values{};               ///< HarqValue: 0 ACK, 1 NACK, 2 DTX.
  /// Compares the values in use.
  friend bool operator==(const FapiUciHarqFormat01& a, const FapiUciHarqFormat01& b) {
    return a.num_harq == b.num_harq && a.confidence_level == b.confidence_level &&
           std::equal(a.values.begin(),
                      a.values.begin() + std::min(std::size_t{a.num_harq}, max_harq),
                      b.values.begin());
  }
};

/// UCI.indication PDU of type 1: PUCCH format 0 or 1 (Table 3-67).
struct FapiUciPucchFormat01 {
  static constexpr std::uint8_t format0 = 0; ///< PucchFormat of format 0.
  static constexpr std::uint8_t format1 = 1; ///< PucchFormat of format 1.
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  std::uint8_t pucch_format = format0; ///< 0 format 0, 1 format 1.
  FapiUlMeasurement measurement;
  std::optional<FapiUciSrFormat01> sr;     ///< pduBitmap bit 0.
  std::optional<FapiUciHarqFormat01> harq; ///< pduBitmap bit 1.
  friend bool operator==(const FapiUciPucchFormat01&, const FapiUciPucchFormat01&) = default;
};

/// SR PDU of a UCI.indication PUCCH format 2/3/4 PDU: SrBitLen (u16) and ceil(SrBitLen / 8) = 1
/// payload byte.
struct FapiUciSrPayload {
  static constexpr std::uint16_t max_bits = 8;
  std::uint16_t bit_length = 1; ///< SrBitLen, 1 .. 8.
  /// SR bit i in bit i (least significant first); the unused bits are 0.
  std::uint8_t payload = 0;
  friend bool operator==(const FapiUciSrPayload&, const FapiUciSrPayload&) = default;
};

/// UCI.indication PDU of type 2: PUCCH format 2, 3 or 4 (Table 3-68).
struct FapiUciPucchFormat234 {
  static constexpr std::uint8_t format2 = 0; ///< PucchFormat of format 2.
  static constexpr std::uint8_t format3 = 1; ///< PucchFormat of format 3.
  static constexpr std::uint8_t format4 = 2; ///< PucchFormat of format 4.
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  std::uint8_t pucch_format = format2; ///< 0 format 2, 1 format 3, 2 format 4.
  FapiUlMeasurement measurement;
  std::optional<FapiUciSrPayload> sr;   ///< pduBitmap bit 0.
  std::optional<FapiUciPart> harq;      ///< pduBitmap bit 1.
  std::optional<FapiUciPart> csi_part1; ///< pduBitmap bit 2.
  std::optional<FapiUciPart> csi_part2; ///< pduBitmap bit 3.
  friend bool operator==(const FapiUciPucchFormat234&, const FapiUciPucchFormat234&) = default;
};

} // namespace airan::io
