// The UL_TTI.request SRS PDU (SCF 222.10.02 Table 3-73), little-endian, offsets after pduType and
// pduSize: RNTI 0 (u16), Handle 2 (u32), BWPSize 6 (u16), BWPStart 8 (u16), SubcarrierSpacing 10,
// CyclicPrefix 11, numAntPorts 12, numSymbols 13, numRepetitions 14, timeStartPosition 15,
// configIndex 16, sequenceId 17 (u16), bandwidthIndex 19, combSize 20, combOffset 21,
// cyclicShift 22, frequencyPosition 23, frequencyShift 24 (u16), frequencyHopping 26,
// groupOrSequenceHopping 27, resourceType 28, Tsrs 29 (u16), Toffset 31 (u16), then the Rx
// beamforming part at 33 (Table 3-53, as in the PUSCH PDU).
#include "fapi_srs_pdu_codec.h"

#include "fapi_codec_common.h"
#include "fapi_pusch_pdu_codec.h"

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType srs_pdu_message = FapiMessageType::ul_tti_request;
constexpr std::size_t srs_rnti_offset = 0;

} // namespace

FapiError check_srs_pdu_reportable(const FapiSrsPdu& pdu, std::size_t offset) {
  FapiError error;
  // numSymbols out of range is left to to_srs_config(), which refuses that PDU alone (its
  // SRS.indication PDU then says 1 symbol): the message's other PDUs still run.
  const bool ok = ul_tti_in_range("SRS RNTI", pdu.rnti, 1, 65535, offset + srs_rnti_offset, error);
  if (!ok) {
    return error;
  }
  return check_rx_beamforming(pdu.beamforming, offset + srs_pdu_fixed_size);
}

FapiError decode_srs_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                         FapiSrsPdu& out) {
  out = {};
  ByteReader r(body, base_offset);
  out.rnti = r.u16();
  out.handle = r.u32();
  out.bwp_size = r.u16();
  out.bwp_start = r.u16();
  out.subcarrier_spacing = r.u8();
  out.cyclic_prefix = r.u8();
  out.num_ant_ports = r.u8();
  out.num_symbols = r.u8();
  out.num_repetitions = r.u8();
  out.time_start_position = r.u8();
  out.config_index = r.u8();
  out.sequence_id = r.u16();
  out.bandwidth_index = r.u8();
  out.comb_size = r.u8();
  out.comb_offset = r.u8();
  out.cyclic_shift = r.u8();
  out.frequency_position = r.u8();
  out.frequency_shift = r.u16();
  out.frequency_hopping = r.u8();
  out.group_or_sequence_hopping = r.u8();
  out.resource_type = r.u8();
  out.t_srs = r.u16();
  out.t_offset = r.u16();
  if (r.failed()) {
    return truncated_error(srs_pdu_message, r, "SRS PDU");
  }
  if (FapiError error = read_rx_beamforming(r, "SRS PDU", out.beamforming); !error.ok()) {
    return error;
  }
  // What follows inside pduSize (a 222.10.04 MAC's srsParamsV4: usage, report type, spatial
  // stream ports...) is not read: the PDU's body view ends at pduSize, so nothing else is
  // affected. Only what an SRS.indication needs to answer the PDU is checked here.
  return check_srs_pdu_reportable(out, base_offset);
}

void write_srs_pdu(ByteWriter& w, const FapiSrsPdu& pdu) {
  w.u16(pdu.rnti);
  w.u32(pdu.handle);
  w.u16(pdu.bwp_size);
  w.u16(pdu.bwp_start);
  w.u8(pdu.subcarrier_spacing);
  w.u8(pdu.cyclic_prefix);
  w.u8(pdu.num_ant_ports);
  w.u8(pdu.num_symbols);
  w.u8(pdu.num_repetitions);
  w.u8(pdu.time_start_position);
  w.u8(pdu.config_index);
  w.u16(pdu.sequence_id);
  w.u8(pdu.bandwidth_index);
  w.u8(pdu.comb_size);
  w.u8(pdu.comb_offset);
  w.u8(pdu.cyclic_shift);
  w.u8(pdu.frequency_position);
  w.u16(pdu.frequency_shift);
  w.u8(pdu.frequency_hopping);
  w.u8(pdu.group_or_sequence_hopping);
  w.u8(pdu.resource_type);
  w.u16(pdu.t_srs);
  w.u16(pdu.t_offset);
  write_rx_beamforming(w, pdu.beamforming);
}

} // namespace airan::io::fapi_detail
