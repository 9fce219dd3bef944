/// \file
/// \brief The SRS parts of the SCF 222.10.02 slot messages as plain data: the UL_TTI.request SRS
/// PDU (Table 3-73) and SRS.indication (section 3.4.10) with its PDUs. The UL_TTI.request that
/// holds the SRS PDUs is in fapi_p7_messages.h.
///
/// SRS.indication has fixed capacities, like the other indications: fapi_max_srs_pdus PDUs of
/// up to fapi_max_srs_reported_symbols reported symbols of fapi_max_srs_rbs RB SNRs each (about
/// 72 kB in all): allocate it once and reuse it.
#pragma once

#include "airan/io/fapi_types.h"
#include "airan/io/fapi_ul_fields.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace airan::io {

/// SRS PDUs one UL_TTI.request can hold, and PDUs one SRS.indication can hold (one per SRS PDU
/// of a slot, so that one SRS.indication answers a whole UL_TTI.request).
inline constexpr std::size_t fapi_max_srs_pdus = 64;
/// Reported symbols per SRS.indication PDU (NumReportedSymbols; an SRS has at most 4 symbols).
inline constexpr std::size_t fapi_max_srs_reported_symbols = 4;
/// RB SNRs per reported symbol (NumRBs) the decoder takes: a whole BWP of up to 275 PRBs.
inline constexpr std::size_t fapi_max_srs_rbs = 275;
/// RB SNRs per reported symbol the L1 sends: 222.10.02's NumRBs range, 0 .. 272 (the widest SRS);
/// the BWP's first 272 PRBs.
inline constexpr std::size_t fapi_max_srs_reported_rbs = 272;

/// SRS PDU of UL_TTI.request (Table 3-73). The enumerated fields keep their FAPI codes
/// (numAntPorts 0, 1, 2 for 1, 2, 4 ports; ...); to_srs_config() (fapi_srs_conversion.h) maps
/// them and checks every range.
struct FapiSrsPdu {
  std::uint16_t rnti = 1;   ///< 1 .. 65535.
  std::uint32_t handle = 0; ///< Returned in SRS.indication.
  // BWP
  std::uint16_t bwp_size = 273;        ///< 1 .. 275.
  std::uint16_t bwp_start = 0;         ///< 0 .. 274.
  std::uint8_t subcarrier_spacing = 1; ///< mu, 0 .. 4.
  std::uint8_t cyclic_prefix = 0;      ///< 0 normal, 1 extended.
  // Ports and symbols
  std::uint8_t num_ant_ports = 0;        ///< N_ap^SRS: 0, 1, 2 for 1, 2, 4 ports.
  std::uint8_t num_symbols = 0;          ///< N_symb^SRS: 0, 1, 2 for 1, 2, 4 symbols.
  std::uint8_t num_repetitions = 0;      ///< R: 0, 1, 2 for 1, 2, 4.
  std::uint8_t time_start_position = 13; ///< l0, 0 .. 13.
  // Sequence and frequency allocation (TS 38.211 6.4.1.4)
  std::uint8_t config_index = 0;              ///< C_SRS, 0 .. 63.
  std::uint16_t sequence_id = 0;              ///< n_ID^SRS, 0 .. 1023.
  std::uint8_t bandwidth_index = 0;           ///< B_SRS, 0 .. 3.
  std::uint8_t comb_size = 0;                 ///< K_TC: 0 comb 2, 1 comb 4.
  std::uint8_t comb_offset = 0;               ///< kbar_TC: 0 .. 1 (comb 2), 0 .. 3 (comb 4).
  std::uint8_t cyclic_shift = 0;              ///< n_SRS^cs: 0 .. 7 (comb 2), 0 .. 11 (comb 4).
  std::uint8_t frequency_position = 0;        ///< n_RRC, 0 .. 67.
  std::uint16_t frequency_shift = 0;          ///< n_shift, 0 .. 268.
  std::uint8_t frequency_hopping = 0;         ///< b_hop, 0 .. 3.
  std::uint8_t group_or_sequence_hopping = 0; ///< 0 neither, 1 group, 2 sequence.
  // Time-domain behaviour
  std::uint8_t resource_type = 0; ///< 0 aperiodic, 1 semi-persistent, 2 periodic.
  std::uint16_t t_srs = 1;        ///< Tsrs, slots: 1, 2, 4, 5, 8, 10, .. 2560 (not aperiodic).
  std::uint16_t t_offset = 0;     ///< Toffset, 0 .. Tsrs - 1 (not aperiodic).
  FapiRxBeamforming beamforming;
  friend bool operator==(const FapiSrsPdu&, const FapiSrsPdu&) = default;
};

/// One reported symbol of an SRS.indication PDU: an SNR per RB.
struct FapiSrsReportedSymbol {
  std::uint16_t num_rbs = 0; ///< NumRBs, 0 .. fapi_max_srs_rbs.
  /// RBSNR of RB i (i = 0: the BWP's first PRB): 0 .. 254 for -64 .. 63 dB in 0.5 dB steps (as
  /// UL_CQI), 0xFF invalid. Entries past num_rbs are zero after a decode.
  std::array<std::uint8_t, fapi_max_srs_rbs> rb_snr{};

  /// The RB SNRs in use.
  [[nodiscard]] std::span<const std::uint8_t> snrs() const {
    return {rb_snr.data(), std::min<std::size_t>(num_rbs, fapi_max_srs_rbs)};
  }
  /// Compares the RB SNRs in use.
  friend bool operator==(const FapiSrsReportedSymbol& a, const FapiSrsReportedSymbol& b) {
    return a.num_rbs == b.num_rbs && std::ranges::equal(a.snrs(), b.snrs());
  }
};

/// One PDU of SRS.indication (222.10.02 layout): the measurements of one UL_TTI.request SRS PDU.
struct FapiSrsIndicationPdu {
  static constexpr std::uint8_t invalid_snr = 0xFF;               ///< WideBandSNR's / RBSNR's
  static constexpr std::uint16_t invalid_timing_advance = 0xFFFF; ///< TimingAdvance's
  static constexpr std::uint16_t max_timing_advance = 63;         ///< largest valid T_A
  std::uint32_t handle = 0;                                       ///< The SRS PDU's.
  std::uint16_t rnti = 1;                                         ///< The SRS PDU's.
  /// T_A of TS 38.213 4.2, 0 .. 63 (31: no change); 0xFFFF invalid.
  std::uint16_t timing_advance = invalid_timing_advance;
  std::uint8_t num_symbols = 1; ///< NumSymbols: the SRS's symbols (1, 2, 4); carried as sent.
  /// WideBandSNR: 0 .. 254 for -64 .. 63 dB in 0.5 dB steps (as UL_CQI); 0xFF invalid.
  std::uint8_t wide_band_snr = invalid_snr;
  std::uint8_t num_reported_symbols = 0; ///< NumReportedSymbols, 0 .. 4.
  std::array<FapiSrsReportedSymbol, fapi_max_srs_reported_symbols> reported_symbols{};

  /// The reported symbols in use.
  [[nodiscard]] std::span<const FapiSrsReportedSymbol> reported() const {
    return {reported_symbols.data(),
            std::min<std::size_t>(num_reported_symbols, fapi_max_srs_reported_symbols)};
  }
  /// Compares the fields and the reported symbols in use.
  friend bool operator==(const FapiSrsIndicationPdu& a, const FapiSrsIndicationPdu& b) {
    return a.handle == b.handle && a.rnti == b.rnti && a.timing_advance == b.timing_advance &&
           a.num_symbols == b.num_symbols && a.wide_band_snr == b.wide_band_snr &&
           a.num_reported_symbols == b.num_reported_symbols &&
           std::ranges::equal(a.reported(), b.reported());
  }
};

/// Bytes \p pdu takes in an encoded SRS.indication: 11 fixed, then 2 + NumRBs per reported
/// symbol.
inline std::size_t fapi_srs_indication_pdu_size(const FapiSrsIndicationPdu& pdu) {
  std::size_t size = 11;
  for (const FapiSrsReportedSymbol& symbol : pdu.reported()) {
    size += 2 + symbol.snrs().size();
  }
  return size;
}

/// Bytes of a transport unit holding one SRS.indication without PDUs: the PHY API header (2),
/// the message header (6), SFN, slot and NumPDUs (5).
inline constexpr std::size_t fapi_srs_indication_unit_overhead = 13;

/// SRS.indication (0x88, SCF 222.10.02 section 3.4.10): SFN, slot and one PDU per SRS PDU.
struct FapiSrsIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::srs_indication;
  std::uint16_t sfn = 0;  ///< 0 .. 1023.
  std::uint16_t slot = 0; ///< 0 .. 159.
  std::array<FapiSrsIndicationPdu, fapi_max_srs_pdus> pdus{};
  std::size_t num_pdus = 0;

  /// The PDUs present.
  [[nodiscard]] std::span<const FapiSrsIndicationPdu> entries() const {
    return {pdus.data(), std::min(num_pdus, fapi_max_srs_pdus)};
  }
  /// Compares the entries in use.
  friend bool operator==(const FapiSrsIndication& a, const FapiSrsIndication& b) {
    return a.sfn == b.sfn && a.slot == b.slot && a.num_pdus == b.num_pdus &&
           std::ranges::equal(a.entries(), b.entries());
  }
};

} // namespace airan::io
