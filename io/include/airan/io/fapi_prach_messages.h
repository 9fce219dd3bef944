/// \file
/// \brief The PRACH parts of SCF 222.10.02 as plain data: the UL_TTI.request PRACH PDU (Table 3-45,
/// with the Rx beamforming of Table 3-53 and, from FAPIv3 MACs, the PRACH maintenance part of
/// 222.10.04), RACH.indication (Table 3-74) and the PRACH configuration TLVs of CONFIG.request
/// (Table 3-24). The messages that hold them are in fapi_p7_messages.h and fapi_p5_messages.h;
/// the layouts and their sources are listed in docs/FAPI.md.
///
/// Every variable part has a fixed capacity (no allocation when decoding); unused entries past a
/// count are ignored by ==.
#pragma once

#include "airan/io/fapi_types.h"
#include "airan/io/fapi_ul_fields.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace airan::io {

/// PRACH PDUs one UL_TTI.request can hold (one per FD occasion, numRa 0 .. 7, with room for two
/// PRACH configurations in a slot).
inline constexpr std::size_t fapi_max_prach_pdus = 16;
/// PDUs one RACH.indication can hold: one per PRACH occasion reported, and a slot has at most 8
/// FD x 7 TD occasions of one configuration.
inline constexpr std::size_t fapi_max_rach_pdus = 64;
/// Preambles one RACH.indication PDU can report (64 preambles per occasion, TS 38.211 6.3.3.1).
inline constexpr std::size_t fapi_max_rach_preambles = 64;
/// FD occasions a CONFIG.request can describe (numPrachFdOccasions: 1, 2, 4 or 8).
inline constexpr std::size_t fapi_max_prach_fd_occasions = 8;
/// unusedRootSequences one FD occasion can list.
inline constexpr std::size_t fapi_max_unused_root_sequences = 16;

/// prachFormat values of the PRACH PDU (222.10.02 Table 3-45): the long formats 0 .. 3, the short
/// ones, and the pairs of TS 38.211 Tables 6.3.3.2-2 .. -4 whose last occasion in the PRACH slot
/// is the B format and the others the A format (B2 and B3 exist only there).
namespace fapi_prach_format {
inline constexpr std::uint8_t format0 = 0;
inline constexpr std::uint8_t format1 = 1;
inline constexpr std::uint8_t format2 = 2;
inline constexpr std::uint8_t format3 = 3;
inline constexpr std::uint8_t a1 = 4;
inline constexpr std::uint8_t a2 = 5;
inline constexpr std::uint8_t a3 = 6;
inline constexpr std::uint8_t b1 = 7;
inline constexpr std::uint8_t b4 = 8;
inline constexpr std::uint8_t c0 = 9;
inline constexpr std::uint8_t c2 = 10;
inline constexpr std::uint8_t a1_b1 = 11;
inline constexpr std::uint8_t a2_b2 = 12;
inline constexpr std::uint8_t a3_b3 = 13;
inline constexpr std::uint8_t last = a3_b3; ///< Largest valid prachFormat.
} // namespace fapi_prach_format

/// PRACH maintenance FAPIv3 (SCF 222.10.04): appended after the Rx beamforming part of the PRACH
/// PDU by MACs of that version, absent from 222.10.02 PDUs (told apart by pduSize). 10 bytes.
struct FapiPrachMaintenanceV3 {
  /// startPreambleIndex: the preambles follow from prachResConfigIndex.
  static constexpr std::uint8_t start_preamble_index_from_config = 0xFF;
  std::uint32_t handle = 0;                 ///< Returned in the 222.10.04 RACH.indication.
  std::uint8_t prach_config_scope = 0;      ///< prachConfigScope, 0 .. 1.
  std::uint16_t prach_res_config_index = 0; ///< prachResConfigIndex (not range-checked).
  std::uint8_t num_fd_ra = 1;               ///< NumFdRa, 1 .. 8.
  std::uint8_t start_preamble_index = 0;    ///< 0 .. 63, or 0xFF.
  std::uint8_t num_preamble_indices = 64;   ///< NumPreambleIndices, 1 .. 64.
  friend bool operator==(const FapiPrachMaintenanceV3&, const FapiPrachMaintenanceV3&) = default;
};

/// PRACH PDU of UL_TTI.request (Table 3-45): the PRACH occasions of one FD occasion in the slot.
struct FapiPrachPdu {
  static constexpr std::uint16_t max_num_cs = 419; ///< Largest N_CS (TS 38.211 Table 6.3.3.1-5).
  std::uint16_t phys_cell_id = 0;                  ///< physCellID, 0 .. 1007.
  std::uint8_t num_prach_ocas = 1;     ///< NumPrachOcas: TD occasions in the slot, 1 .. 7.
  std::uint8_t prach_format = 0;       ///< prachFormat, 0 .. 13 (fapi_prach_format).
  std::uint8_t num_ra = 0;             ///< numRa: the FD occasion's index n_RA, 0 .. 7.
  std::uint8_t prach_start_symbol = 0; ///< First symbol of the first TD occasion, 0 .. 13.
  std::uint16_t num_cs = 0;            ///< numCs: the cyclic shift N_CS itself, 0 .. 419.
  FapiRxBeamforming beamforming;
  std::optional<FapiPrachMaintenanceV3> maintenance_v3; ///< After beamforming (FAPIv3 MACs).
  friend bool operator==(const FapiPrachPdu&, const FapiPrachPdu&) = default;
};

/// One preamble of a RACH.indication PDU (Table 3-74).
struct FapiRachPreamble {
  static constexpr std::uint16_t max_timing_advance = 3846; ///< TS 38.213 4.2 (the RAR's T_A).
  static constexpr std::uint16_t invalid_timing_advance = 0xFFFF;
  static constexpr std::uint32_t max_preamble_power = 170000; ///< +30 dBm.
  static constexpr std::uint32_t invalid_preamble_power = 0xFFFFFFFF;
  std::uint8_t preamble_index = 0; ///< preambleIndex, 0 .. 63.
  /// TimingAdvance T_A in units of 16 x 64 T_c / 2^mu, 0 .. 3846; 0xFFFF invalid.
  std::uint16_t timing_advance = 0;
  /// PreamblePwr, 0 .. 170000 for -140 .. +30 dBm in 0.001 dB steps; 0xFFFFFFFF invalid.
  std::uint32_t preamble_power = invalid_preamble_power;
  friend bool operator==(const FapiRachPreamble&, const FapiRachPreamble&) = default;
};

/// One PDU of RACH.indication (Table 3-74): the preambles detected in one PRACH occasion.
struct FapiRachPdu {
  static constexpr std::uint8_t invalid_u8 = 0xFF; ///< avgSnr's (and avgRssi's) "invalid".
  std::uint16_t phys_cell_id = 0;                  ///< physCellID, 0 .. 1007.
  std::uint8_t symbol_index = 0; ///< SymbolIndex: the occasion's first symbol, 0 .. 13.
  std::uint8_t slot_index = 0;   ///< SlotIndex: its first slot in the frame, 0 .. 79.
  std::uint8_t freq_index = 0;   ///< FreqIndex: its FD occasion n_RA, 0 .. 7 (10.04: raIndex).
  /// avgRssi, carried as sent: 0 .. 254 for -64 .. 63 dB in 0.5 dB steps as implementations
  /// read it (docs/FAPI.md); 0xFF invalid.
  std::uint8_t avg_rssi = invalid_u8;
  std::uint8_t avg_snr = invalid_u8; ///< avgSnr, 0 .. 254 for -64 .. 63 dB in 0.5 dB; 0xFF invalid.
  std::uint8_t num_preambles = 0;    ///< numPreambles, 0 .. 64.
  std::array<FapiRachPreamble, fapi_max_rach_preambles> preambles{};

  /// The preambles in use.
  [[nodiscard]] std::span<const FapiRachPreamble> preamble_entries() const {
    return {preambles.data(), std::min<std::size_t>(num_preambles, fapi_max_rach_preambles)};
  }
  /// Compares the preambles in use.
  friend bool operator==(const FapiRachPdu& a, const FapiRachPdu& b) {
    return a.phys_cell_id == b.phys_cell_id && a.symbol_index == b.symbol_index &&
           a.slot_index == b.slot_index && a.freq_index == b.freq_index &&
           a.avg_rssi == b.avg_rssi && a.avg_snr == b.avg_snr &&
           a.num_preambles == b.num_preambles &&
           std::ranges::equal(a.preamble_entries(), b.preamble_entries());
  }
};

/// RACH.indication (Table 3-74): SFN, slot, numPdus (u8), the PDUs.
struct FapiRachIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::rach_indication;
  std::uint16_t sfn = 0;  ///< 0 .. 1023.
  std::uint16_t slot = 0; ///< 0 .. 159.
  std::array<FapiRachPdu, fapi_max_rach_pdus> pdus{};
  std::size_t num_pdus = 0;

  /// The PDUs present.
  [[nodiscard]] std::span<const FapiRachPdu> entries() const {
    return {pdus.data(), std::min(num_pdus, fapi_max_rach_pdus)};
  }
  /// Compares the PDUs in use.
  friend bool operator==(const FapiRachIndication& a, const FapiRachIndication& b) {
    return a.sfn == b.sfn && a.slot == b.slot && a.num_pdus == b.num_pdus &&
           std::ranges::equal(a.entries(), b.entries());
  }
};

/// PRACH CONFIG TLV tags (Table 3-24). The per-FD-occasion TLVs (0x1015 .. 0x101A) repeat for each
/// occasion, each occasion starting with its prachRootSequenceIndex.
namespace fapi_prach_config_tag {
inline constexpr std::uint16_t prach_sequence_length = 0x1011;
inline constexpr std::uint16_t prach_sub_c_spacing = 0x1012;
inline constexpr std::uint16_t restricted_set_config = 0x1013;
inline constexpr std::uint16_t num_prach_fd_occasions = 0x1014;
inline constexpr std::uint16_t prach_root_sequence_index = 0x1015;
inline constexpr std::uint16_t num_root_sequences = 0x1016;
inline constexpr std::uint16_t k1 = 0x1017;
inline constexpr std::uint16_t prach_zero_corr_conf = 0x1018;
inline constexpr std::uint16_t num_unused_root_sequences = 0x1019;
inline constexpr std::uint16_t unused_root_sequences = 0x101A;
inline constexpr std::uint16_t ssb_per_rach = 0x101B;
inline constexpr std::uint16_t prach_multiple_carriers_in_a_band = 0x101C;
inline constexpr std::uint16_t prach_config_index = 0x1029;
} // namespace fapi_prach_config_tag

/// The TLVs of one PRACH FD occasion in CONFIG.request (each absent when not sent).
struct FapiPrachFdOccasionConfig {
  std::optional<std::uint16_t> prach_root_sequence_index; ///< 0x1015, 0 .. 837 (starts one).
  std::optional<std::uint8_t> num_root_sequences;         ///< 0x1016, 1 .. 64.
  std::optional<std::uint16_t> k1;                        ///< 0x1017, 0 .. 272 (PRBs from BWP).
  std::optional<std::uint8_t> prach_zero_corr_conf;       ///< 0x1018, 0 .. 15.
  /// 0x1019 (u16; a 1-byte value is accepted), 0 .. fapi_max_unused_root_sequences.
  std::optional<std::uint16_t> num_unused_root_sequences;
  /// 0x101A, one TLV (u16; 1 byte accepted) per entry, each 0 .. 837; num_unused_root_sequences
  /// of them.
  std::array<std::uint16_t, fapi_max_unused_root_sequences> unused_root_sequences{};

  /// The unused root sequences listed (num_unused_root_sequences of them).
  [[nodiscard]] std::span<const std::uint16_t> unused() const {
    return {unused_root_sequences.data(),
            std::min<std::size_t>(num_unused_root_sequences.value_or(0),
                                  fapi_max_unused_root_sequences)};
  }
  /// Compares the TLVs present.
  friend bool operator==(const FapiPrachFdOccasionConfig& a, const FapiPrachFdOccasionConfig& b) {
    return a.prach_root_sequence_index == b.prach_root_sequence_index &&
           a.num_root_sequences == b.num_root_sequences && a.k1 == b.k1 &&
           a.prach_zero_corr_conf == b.prach_zero_corr_conf &&
           a.num_unused_root_sequences == b.num_unused_root_sequences &&
           std::ranges::equal(a.unused(), b.unused());
  }
};

/// The PRACH configuration TLVs of CONFIG.request (Table 3-24); all absent when none was sent.
struct FapiPrachConfig {
  std::optional<std::uint8_t> prach_sequence_length;  ///< 0x1011: 0 long (839), 1 short (139).
  std::optional<std::uint8_t> prach_sub_c_spacing;    ///< 0x1012, 0 .. 5 (docs/FAPI.md).
  std::optional<std::uint8_t> restricted_set_config;  ///< 0x1013: 0 unrestricted, 1 A, 2 B.
  std::optional<std::uint8_t> num_prach_fd_occasions; ///< 0x1014: msg1-FDM, 1, 2, 4 or 8.
  std::optional<std::uint8_t> prach_config_index;     ///< 0x1029, 0 .. 255.
  /// The FD occasions, in message order (num_fd_occasions of them).
  std::array<FapiPrachFdOccasionConfig, fapi_max_prach_fd_occasions> fd_occasions{};
  std::size_t num_fd_occasions = 0;
  std::optional<std::uint8_t> ssb_per_rach; ///< 0x101B: 0 .. 7 for 1/8, 1/4, .. 16 SSBs per RO.
  std::optional<std::uint8_t> prach_multiple_carriers_in_a_band; ///< 0x101C, 0/1.

  /// The FD occasions present.
  [[nodiscard]] std::span<const FapiPrachFdOccasionConfig> occasions() const {
    return {fd_occasions.data(), std::min(num_fd_occasions, fapi_max_prach_fd_occasions)};
  }
  /// True when no PRACH TLV is present.
  [[nodiscard]] bool empty() const {
    return !prach_sequence_length && !prach_sub_c_spacing && !restricted_set_config &&
           !num_prach_fd_occasions && !prach_config_index && num_fd_occasions == 0 &&
           !ssb_per_rach && !prach_multiple_carriers_in_a_band;
  }
  /// Compares the TLVs present.
  friend bool operator==(const FapiPrachConfig& a, const FapiPrachConfig& b) {
    return a.prach_sequence_length == b.prach_sequence_length &&
           a.prach_sub_c_spacing == b.prach_sub_c_spacing &&
           a.restricted_set_config == b.restricted_set_config &&
           a.num_prach_fd_occasions == b.num_prach_fd_occasions &&
           a.prach_config_index == b.prach_config_index &&
           a.num_fd_occasions == b.num_fd_occasions &&
           std::ranges::equal(a.occasions(), b.occasions()) && a.ssb_per_rach == b.ssb_per_rach &&
           a.prach_multiple_carriers_in_a_band == b.prach_multiple_carriers_in_a_band;
  }
};

} // namespace airan::io
