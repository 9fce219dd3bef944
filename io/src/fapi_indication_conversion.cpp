#include "airan/io/fapi_indication_conversion.h"

#include "airan/phy/dmrs_pusch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace airan::io {

namespace {

/// T_c = 1 / (480 kHz * 4096), TS 38.211 4.1.
constexpr double t_c = 1.0 / (480e3 * 4096.0);

/// Timing-advance step 16 * 64 T_c / 2^mu, in seconds.
double timing_advance_step(unsigned mu) {
  return 16.0 * 64.0 * t_c / static_cast<double>(1U << mu);
}

} // namespace

std::uint8_t fapi_ul_cqi_from_snr_db(float snr_db) {
  if (std::isnan(snr_db)) {
    return FapiUlMeasurement::invalid_ul_cqi;
  }
  const double code = std::round((static_cast<double>(snr_db) + 64.0) * 2.0);
  return static_cast<std::uint8_t>(std::clamp(code, 0.0, 254.0));
}

float fapi_snr_db_from_ul_cqi(std::uint8_t ul_cqi) {
  if (ul_cqi == FapiUlMeasurement::invalid_ul_cqi) {
    return std::numeric_limits<float>::quiet_NaN();
  }
  return static_cast<float>(ul_cqi) / 2.0F - 64.0F;
}

std::uint16_t fapi_timing_advance_from_delay(double delay_s, unsigned mu) {
  if (std::isnan(delay_s)) {
    return FapiUlMeasurement::invalid_u16;
  }
  const double command =
      FapiUlMeasurement::no_timing_change + std::round(delay_s / timing_advance_step(mu));
  return static_cast<std::uint16_t>(
      std::clamp(command, 0.0, double{FapiUlMeasurement::max_timing_advance}));
}

double fapi_delay_from_timing_advance(std::uint16_t timing_advance, unsigned mu) {
  if (timing_advance == FapiUlMeasurement::invalid_u16) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return (static_cast<double>(timing_advance) - FapiUlMeasurement::no_timing_change) *
         timing_advance_step(mu);
}

std::uint16_t fapi_rssi_from_db(float power_db) {
  if (std::isnan(power_db)) {
    return FapiUlMeasurement::invalid_u16;
  }
  const double code = std::round((static_cast<double>(power_db) + 128.0) * 10.0);
  return static_cast<std::uint16_t>(std::clamp(code, 0.0, double{FapiUlMeasurement::max_rssi}));
}

float fapi_db_from_rssi(std::uint16_t rssi) {
  if (rssi == FapiUlMeasurement::invalid_u16) {
    return std::numeric_limits<float>::quiet_NaN();
  }
  return static_cast<float>(rssi) / 10.0F - 128.0F;
}

FapiUlMeasurement to_fapi_measurement(const phy::PuschPduResult& result,
                                      const phy::PuschConfig& pusch, const phy::CellConfig& cell,
                                      float full_scale) {
  FapiUlMeasurement m; // every field invalid
  if (!result.error.empty()) {
    return m;
  }
  const phy::PuschMeasurements& measured = result.measurements;
  m.ul_cqi = fapi_ul_cqi_from_snr_db(measured.post_eq_sinr_db);
  m.timing_advance = fapi_timing_advance_from_delay(measured.delay_s, cell.numerology);
  // RSRP is the power of a DMRS RE (TS 38.215 5.1.28), boosted by beta_DMRS^2 over the data's
  // (TS 38.214 Table 6.2.2-1): per RE of the allocation the layers bring rsrp / beta^2 each.
  const float beta = phy::dmrs_amplitude(pusch.num_dmrs_cdm_groups_no_data);
  const float power = (measured.rsrp / (beta * beta) * static_cast<float>(pusch.num_layers) +
                       measured.noise_variance) /
                      (full_scale * full_scale); // relative to an RE at the int16 full scale
  if (power > 0.0F && std::isfinite(power)) {
    m.rssi = fapi_rssi_from_db(10.0F * std::log10(power));
  }
  return m;
}

FapiCrc to_fapi_crc(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                    const phy::CellConfig& cell, float full_scale) {
  FapiCrc crc;
  crc.handle = result.handle;
  crc.rnti = result.rnti;
  crc.harq_id = static_cast<std::uint8_t>(result.harq_process_id);
  crc.tb_crc_status = result.tb_crc_ok ? 0 : 1;
  if (result.error.empty()) {
    const unsigned blocks = std::min<unsigned>(result.decoding.num_code_blocks,
                                               static_cast<unsigned>(fapi_max_code_blocks));
    crc.num_cb = static_cast<std::uint16_t>(blocks);
    for (unsigned c = 0; c < blocks; ++c) {
      if (!result.decoding.code_block_crc_ok[c]) {
        crc.cb_crc_status[c / 8] |= static_cast<std::uint8_t>(1U << (c % 8));
      }
    }
  }
  crc.measurement = to_fapi_measurement(result, pusch, cell, full_scale);
  return crc;
}

FapiRxData to_fapi_rx_data(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                           const phy::CellConfig& cell, float full_scale) {
  FapiRxData pdu;
  pdu.handle = result.handle;
  pdu.rnti = result.rnti;
  pdu.harq_id = static_cast<std::uint8_t>(result.harq_process_id);
  pdu.measurement = to_fapi_measurement(result, pusch, cell, full_scale);
  if (result.tb_crc_ok) {
    pdu.payload = result.tb_bytes;
  }
  return pdu;
}

namespace {

/// A UCI part of \p length payload bits: the decoded ones LSB first (with a CRC pass when polar
/// coded), or a failure.
FapiUciPart to_fapi_uci_part(std::span<const phy::bit_t> bits, unsigned length, bool decoded) {
  FapiUciPart part;
  part.bit_length = static_cast<std::uint16_t>(length);
  if (!decoded || bits.size() != length) { // not decoded, or not told from noise
    part.crc = FapiUciPart::crc_fail;
    return part;
  }
  part.crc = phy::PuschUciConfig::polar_coded(length) ? FapiUciPart::crc_pass
                                                      : FapiUciPart::crc_not_present;
  for (std::size_t i = 0; i < bits.size(); ++i) {
    part.payload[i / 8] =
        static_cast<std::uint8_t>(part.payload[i / 8] | ((bits[i] & 1U) << (i % 8)));
  }
  return part;
}

} // namespace

FapiUciPusch to_fapi_uci(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                         const phy::CellConfig& cell, float full_scale) {
  FapiUciPusch pdu;
  pdu.handle = result.handle;
  pdu.rnti = result.rnti;
  pdu.measurement = to_fapi_measurement(result, pusch, cell, full_scale);
  const phy::PuschUciResult& uci = result.uci;
  if (pusch.uci.harq_ack_bits != 0) {
    pdu.harq = to_fapi_uci_part(uci.harq_ack, pusch.uci.harq_ack_bits,
                                uci.decoded && uci.harq_ack_detected);
  }
  if (pusch.uci.csi_part1_bits != 0) {
    pdu.csi_part1 = to_fapi_uci_part(uci.csi_part1, pusch.uci.csi_part1_bits,
                                     uci.decoded && uci.csi_part1_detected);
  }
  // Sized from CSI part 1: the size part 1 gave (none when it gave 0 or was not decoded; a
  // result of an undecoded PDU may hold an earlier PDU's part 2).
  const unsigned csi_part2_bits =
      !pusch.uci.csi_part2_sizing.empty()
          ? (uci.decoded ? static_cast<unsigned>(uci.csi_part2.size()) : 0U)
          : pusch.uci.csi_part2_bits;
  if (csi_part2_bits != 0 && csi_part2_bits <= FapiUciPart::max_bits) {
    pdu.csi_part2 =
        to_fapi_uci_part(uci.csi_part2, csi_part2_bits, uci.decoded && uci.csi_part2_detected);
  }
  return pdu;
}

void to_uci_indication(std::uint16_t sfn, std::uint16_t slot,
                       std::span<const phy::PuschPduResult> results,
                       std::span<const phy::PuschConfig> pdus, const phy::CellConfig& cell,
                       FapiUciIndication& uci, float full_scale) {
  uci.sfn = sfn;
  uci.slot = slot;
  uci.num_pdus = 0;
  uci.num_pucch_f01 = uci.num_pucch_f234 = 0; // PUCCH PDUs are appended afterwards
  const std::size_t count = std::min({results.size(), pdus.size(), fapi_max_pusch_pdus});
  for (std::size_t i = 0; i < count; ++i) {
    if (pdus[i].uci.present()) {
      uci.pdus[uci.num_pdus++] = to_fapi_uci(results[i], pdus[i], cell, full_scale);
    }
  }
}

void to_uci_indication(const FapiSlotRequest& request, std::span<const phy::PuschPduResult> results,
                       const phy::CellConfig& cell, FapiUciIndication& uci, float full_scale) {
  to_uci_indication(request.sfn, request.slot, results, request.pdus(), cell, uci, full_scale);
  for (const FapiRejectedPdu& rejected : request.rejected_pdus()) {
    if (!rejected.uci || uci.num_pdus == fapi_max_pusch_pdus) {
      continue;
    }
    FapiUciPusch& failed = uci.pdus[uci.num_pdus++];
    failed = {};
    failed.handle = rejected.handle;
    failed.rnti = rejected.rnti;
    const auto part = [](std::uint16_t bits) -> std::optional<FapiUciPart> {
      if (bits == 0 || bits > FapiUciPart::max_bits) {
        return std::nullopt; // none, or a length no report can carry
      }
      FapiUciPart p;
      p.crc = FapiUciPart::crc_fail;
      p.bit_length = bits;
      return p;
    };
    failed.harq = part(rejected.uci->harq_ack_bit_length);
    failed.csi_part1 = part(rejected.uci->csi_part1_bit_length);
    failed.csi_part2 = part(rejected.uci->csi_part2_bit_length);
  }
}

void to_slot_indications(std::uint16_t sfn, std::uint16_t slot,
                         std::span<const phy::PuschPduResult> results,
                         std::span<const phy::PuschConfig> pdus, const phy::CellConfig& cell,
                         FapiCrcIndication& crc, FapiRxDataIndication& rx_data, float full_scale) {
  crc.sfn = rx_data.sfn = sfn;
  crc.slot = rx_data.slot = slot;
  const std::size_t count = std::min({results.size(), pdus.size(), fapi_max_pusch_pdus});
  std::size_t out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!pdus[i].ulsch) {
      continue; // no transport block (UCI only): UCI.indication reports it
    }
    crc.crcs[out] = to_fapi_crc(results[i], pdus[i], cell, full_scale);
    rx_data.pdus[out] = to_fapi_rx_data(results[i], pdus[i], cell, full_scale);
    ++out;
  }
  crc.num_crcs = rx_data.num_pdus = out;
}

void to_slot_indications(const FapiSlotRequest& request,
                         std::span<const phy::PuschPduResult> results, const phy::CellConfig& cell,
                         FapiCrcIndication& crc, FapiRxDataIndication& rx_data, float full_scale) {
  to_slot_indications(request.sfn, request.slot, results, request.pdus(), cell, crc, rx_data,
                      full_scale);
  for (const FapiRejectedPdu& rejected : request.rejected_pdus()) {
    if (!rejected.carries_tb) {
      continue; // no transport block (UCI only): nothing for CRC or RX_DATA to report
    }
    if (crc.num_crcs == fapi_max_pusch_pdus) {
      break;
    }
    FapiCrc& failed = crc.crcs[crc.num_crcs++];
    failed = {};
    failed.handle = rejected.handle;
    failed.rnti = rejected.rnti;
    failed.harq_id = rejected.harq_process_id;
    failed.tb_crc_status = 1;
    FapiRxData& empty = rx_data.pdus[rx_data.num_pdus++];
    empty = {};
    empty.handle = rejected.handle;
    empty.rnti = rejected.rnti;
    empty.harq_id = rejected.harq_process_id;
  }
}

} // namespace airan::io
