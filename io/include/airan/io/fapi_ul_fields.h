/// \file
/// \brief Building blocks shared by the SCF 222.10.02 uplink slot messages: the Rx beamforming
/// part of the PUSCH and PUCCH PDUs (Table 3-53), the measurements of the indications (UL_CQI,
/// TimingAdvance, RSSI) and one UCI part (CRC, bit length, payload) of UCI.indication.
///
/// The messages themselves are in fapi_p7_messages.h and fapi_pucch_messages.h.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace airan::io {

/// Rx beamforming beam indices (numPRGs x digBFInterfaces) a PUSCH or PUCCH PDU can carry.
inline constexpr std::size_t fapi_max_beam_indices = 64;

/// Rx beamforming (Table 3-53), always present at the end of the PUSCH and PUCCH PDUs.
struct FapiRxBeamforming {
  std::uint16_t num_prgs = 0;         ///< 0 .. 275.
  std::uint16_t prg_size = 0;         ///< 0 .. 275.
  std::uint8_t dig_bf_interfaces = 0; ///< Beam indices per PRG.
  /// beamIdx[prg][interface] at beam_index[prg * dig_bf_interfaces + interface].
  std::array<std::uint16_t, fapi_max_beam_indices> beam_index{};
  friend bool operator==(const FapiRxBeamforming&, const FapiRxBeamforming&) = default;
};

/// Measurement fields shared by CRC, RX_DATA and UCI entries, in 222.10.02 units.
struct FapiUlMeasurement {
  static constexpr std::uint8_t invalid_ul_cqi = 255;     ///< UL_CQI's "invalid"
  static constexpr std::uint16_t invalid_u16 = 0xFFFF;    ///< TimingAdvance's and RSSI's
  static constexpr std::uint16_t max_timing_advance = 63; ///< largest valid TimingAdvance
  static constexpr std::uint16_t no_timing_change = 31;   ///< TimingAdvance: keep the timing
  static constexpr std::uint16_t max_rssi = 1280;         ///< largest valid RSSI (0 dB)
  /// UL_CQI: SNR, 0 .. 254 for -64 .. 63 dB in 0.5 dB steps; 255 invalid.
  std::uint8_t ul_cqi = invalid_ul_cqi;
  /// TimingAdvance T_A, 0 .. 63 (TS 38.213 4.2, 31 = no change); 0xFFFF invalid.
  std::uint16_t timing_advance = invalid_u16;
  /// RSSI, 0 .. 1280 for -128 .. 0 dB (dBm or dBFS per CONFIG) in 0.1 dB steps; 0xFFFF invalid.
  std::uint16_t rssi = invalid_u16;
  friend bool operator==(const FapiUlMeasurement&, const FapiUlMeasurement&) = default;
};

/// One UCI part of a UCI.indication PUSCH or PUCCH format 2/3/4 PDU: HARQ PDU or CSI part 1 /
/// part 2 PDU (Table 3-66 and following): its CRC status, length and payload.
struct FapiUciPart {
  static constexpr std::uint16_t max_bits = 1706; ///< Largest UCI payload (TS 38.212 6.3.2).
  static constexpr std::uint8_t crc_pass = 0;
  static constexpr std::uint8_t crc_fail = 1;
  static constexpr std::uint8_t crc_not_present = 2; ///< Payloads of at most 11 bits have none.
  std::uint8_t crc = crc_not_present;                ///< HarqCrc / CsiPart1Crc / CsiPart2Crc.
  std::uint16_t bit_length = 0; ///< HarqBitLen / CsiPart1BitLen / CsiPart2BitLen.
  /// ceil(bit_length / 8) bytes; payload bit i (o_i of TS 38.212 6.3.2.1) is bit i % 8, from the
  /// least significant, of byte i / 8; the unused bits of the last byte are 0.
  std::array<std::uint8_t, (max_bits + 7) / 8> payload{};

  [[nodiscard]] std::size_t num_bytes() const { return (bit_length + 7U) / 8U; }
  [[nodiscard]] std::uint8_t bit(std::size_t i) const {
    return static_cast<std::uint8_t>((payload[i / 8] >> (i % 8)) & 1U);
  }
  /// Compares the bytes in use.
  friend bool operator==(const FapiUciPart& a, const FapiUciPart& b) {
    return a.crc == b.crc && a.bit_length == b.bit_length &&
           std::equal(a.payload.begin(), a.payload.begin() + a.num_bytes(), b.payload.begin());
  }
};

} // namespace airan::io
