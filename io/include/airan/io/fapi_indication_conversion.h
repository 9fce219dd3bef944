/// \file
/// \brief From the receiver's phy::PuschPduResult to CRC.indication, RX_DATA.indication and
/// UCI.indication entries, and the 222.10.02 fixed-point measurement units.
///
/// Units (SCF 222.10.02 Tables 3-61 / 3-62): UL_CQI is an SNR from -64 dB (0) in 0.5 dB steps,
/// 255 invalid (so 254 = 63 dB is the largest reported); TimingAdvance is the TS 38.213 4.2
/// command T_A, 0 .. 63 with 31 = no change, N_TA += (T_A - 31) 16 64 / 2^mu T_c, 0xFFFF
/// invalid; RSSI is 0 .. 1280 for -128 .. 0 dB in 0.1 dB steps, 0xFFFF invalid. The receiver
/// measures powers in grid units; RSSI is reported in dBFS, relative to the power of an RE whose
/// amplitude is \p full_scale (the grid amplitude of the fronthaul's int16 full scale,
/// io::FronthaulConfig::full_scale; 1 without a fronthaul: dB relative to a unit-power RE).
/// 222.10.02 has no RSRP or 16-bit SINR field (they arrive with 222.10.04's measurement block).
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/pusch_receiver.h"

#include <cstdint>
#include <span>

namespace airan::io {

/// UL_CQI for an SNR in dB: round((snr + 64) * 2), clamped to 0 .. 254.
std::uint8_t fapi_ul_cqi_from_snr_db(float snr_db);
/// SNR in dB of a UL_CQI value (255, invalid, gives NaN).
float fapi_snr_db_from_ul_cqi(std::uint8_t ul_cqi);

/// Timing advance command T_A for a measured timing offset \p delay_s (positive: the UE is late)
/// at numerology \p mu: 31 + round(delay / (16 * 64 T_c / 2^mu)), clamped to 0 .. 63.
std::uint16_t fapi_timing_advance_from_delay(double delay_s, unsigned mu);
/// Timing offset in seconds that command \p timing_advance corrects (0xFFFF: NaN).
double fapi_delay_from_timing_advance(std::uint16_t timing_advance, unsigned mu);

/// RSSI field for a power in dB: round((db + 128) * 10), clamped to 0 .. 1280.
std::uint16_t fapi_rssi_from_db(float power_db);
/// Power in dB of an RSSI field (0xFFFF: NaN).
float fapi_db_from_rssi(std::uint16_t rssi);

/// Measurements of \p result in FAPI units: UL_CQI from the post-equalization SINR, T_A from the
/// estimated delay, RSSI from RSRP x layers + noise variance (per RE and antenna) over
/// full_scale^2. All invalid when the PDU was not processed (result.error not empty).
FapiUlMeasurement to_fapi_measurement(const phy::PuschPduResult& result,
                                      const phy::PuschConfig& pusch, const phy::CellConfig& cell,
                                      float full_scale = 1.0F);

/// CRC.indication entry: TbCrcStatus, NumCb = C with a bit set per failed code block (NumCb 0
/// when the PDU was not decoded), and the measurements.
FapiCrc to_fapi_crc(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                    const phy::CellConfig& cell, float full_scale = 1.0F);

/// RX_DATA.indication entry: the TB bytes (viewing result.tb_bytes, so \p result must outlive
/// the encode) when the CRC passed, an empty PDU (PDU_Length 0) otherwise.
FapiRxData to_fapi_rx_data(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                           const phy::CellConfig& cell, float full_scale = 1.0F);

/// UCI.indication PUSCH PDU of a PDU that carried UCI (pusch.uci.present()): a part per UCI
/// payload with its decoded bits and CRC "not present" (payloads of at most 11 bits have none)
/// or "pass" (polar-coded payloads of 12 bits or more), or CRC "fail" and zero bits when the PDU
/// was not decoded (result.uci.decoded false), a polar-coded part failed its CRC, or a short
/// part was not told from noise (PuschUciResult's *_detected: the UE sent nothing). A CSI part 2
/// sized from part 1 (pusch.uci.csi_part2_sizing) is reported with the size the decoded part 1
/// gave (result.uci.csi_part2's), and not at all when that is 0 (part 1 asked for none, or was
/// not decoded, so that the size is not known).
FapiUciPusch to_fapi_uci(const phy::PuschPduResult& result, const phy::PuschConfig& pusch,
                         const phy::CellConfig& cell, float full_scale = 1.0F);

/// Fills \p uci for slot \p sfn / \p slot with one PDU per result whose PDU carried UCI. The
/// PUCCH arrays are emptied: a caller with PUCCH PDUs appends them afterwards
/// (fapi_pucch_conversion.h).
/// \pre results.size() == pdus.size() <= fapi_max_pusch_pdus.
void to_uci_indication(std::uint16_t sfn, std::uint16_t slot,
                       std::span<const phy::PuschPduResult> results,
                       std::span<const phy::PuschConfig> pdus, const phy::CellConfig& cell,
                       FapiUciIndication& uci, float full_scale = 1.0F);

/// As above for the slot \p request was built for (results[i] belongs to request.pdus()[i]),
/// followed by a PDU with CRC "fail" parts for every PDU the request rejected that carried a
/// puschUci part, so that the MAC hears back about each UCI it scheduled.
void to_uci_indication(const FapiSlotRequest& request, std::span<const phy::PuschPduResult> results,
                       const phy::CellConfig& cell, FapiUciIndication& uci,
                       float full_scale = 1.0F);

/// Fills \p crc and \p rx_data for slot \p sfn / \p slot with one entry per result (result i
/// belongs to pdus[i]) of a PDU with a TB (a PUSCH without UL-SCH has none: only UCI.indication
/// reports it). \pre results.size() == pdus.size() <= fapi_max_pusch_pdus.
void to_slot_indications(std::uint16_t sfn, std::uint16_t slot,
                         std::span<const phy::PuschPduResult> results,
                         std::span<const phy::PuschConfig> pdus, const phy::CellConfig& cell,
                         FapiCrcIndication& crc, FapiRxDataIndication& rx_data,
                         float full_scale = 1.0F);

/// As above for the slot \p request was built for (results[i] belongs to request.pdus()[i]),
/// followed by a failed CRC (NumCb 0, measurements invalid) and an empty RX_DATA PDU for every
/// PDU the request rejected, so that the MAC hears back about each PUSCH it scheduled.
/// \pre results.size() == request.num_pusch.
void to_slot_indications(const FapiSlotRequest& request,
                         std::span<const phy::PuschPduResult> results, const phy::CellConfig& cell,
                         FapiCrcIndication& crc, FapiRxDataIndication& rx_data,
                         float full_scale = 1.0F);

} // namespace airan::io
