/// \file
/// \brief Fixtures of the SRS tests (UL_TTI.request SRS PDU, SRS.indication): a sample SRS PDU
/// and its bytes written out field by field from SCF 222.10.02 Table 3-73 (not by the encoder),
/// helpers that place it in a UL_TTI.request, and a cell and SrsConfig the conversions accept.
/// Names carry "srs" so that they stay apart from the other codec tests' in a unity batch.
#pragma once

#include "fapi_test_helpers.h"

#include "airan/io/fapi_srs_messages.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"

#include <cstddef>
#include <cstdint>

namespace airan::io::srs_fixtures {

using airan::io::test::Bytes;

/// An SRS PDU with every field at a different value (not an SRS the conversion accepts: its
/// frequencyShift puts it past the carrier) and one beam.
inline FapiSrsPdu sample_srs_pdu() {
  FapiSrsPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = 0x0A0B0C0D;
  pdu.bwp_size = 273;
  pdu.bwp_start = 2;
  pdu.subcarrier_spacing = 1;
  pdu.cyclic_prefix = 0;
  pdu.num_ant_ports = 1;
  pdu.num_symbols = 2;
  pdu.num_repetitions = 1;
  pdu.time_start_position = 8;
  pdu.config_index = 63;
  pdu.sequence_id = 500;
  pdu.bandwidth_index = 3;
  pdu.comb_size = 1;
  pdu.comb_offset = 3;
  pdu.cyclic_shift = 11;
  pdu.frequency_position = 67;
  pdu.frequency_shift = 258;
  pdu.frequency_hopping = 2;
  pdu.group_or_sequence_hopping = 1;
  pdu.resource_type = 2;
  pdu.t_srs = 40;
  pdu.t_offset = 39;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.prg_size = 273;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 7;
  return pdu;
}

/// pduType, pduSize and the SRS PDU of sample_srs_pdu(); offsets within the PDU body (after
/// pduType and pduSize).
inline const Bytes sample_srs_pdu_bytes = {
    0x03, 0x00,             // pduType 3 (SRS)
    0x2C, 0x00,             // pduSize 44, counting these 4 bytes
    0x01, 0x46,             // 0: RNTI 0x4601
    0x0D, 0x0C, 0x0B, 0x0A, // 2: Handle 0x0A0B0C0D
    0x11, 0x01,             // 6: BWPSize 273
    0x02, 0x00,             // 8: BWPStart 2
    0x01,                   // 10: SubcarrierSpacing mu 1
    0x00,                   // 11: CyclicPrefix normal
    0x01,                   // 12: numAntPorts 1 (2 ports)
    0x02,                   // 13: numSymbols 2 (4 symbols)
    0x01,                   // 14: numRepetitions 1 (R = 2)
    0x08,                   // 15: timeStartPosition 8
    0x3F,                   // 16: configIndex 63
    0xF4, 0x01,             // 17: sequenceId 500
    0x03,                   // 19: bandwidthIndex 3
    0x01,                   // 20: combSize 1 (comb 4)
    0x03,                   // 21: combOffset 3
    0x0B,                   // 22: cyclicShift 11
    0x43,                   // 23: frequencyPosition 67
    0x02, 0x01,             // 24: frequencyShift 258
    0x02,                   // 26: frequencyHopping 2
    0x01,                   // 27: groupOrSequenceHopping 1 (group)
    0x02,                   // 28: resourceType 2 (periodic)
    0x28, 0x00,             // 29: Tsrs 40
    0x27, 0x00,             // 31: Toffset 39
    0x01, 0x00,             // 33: Rx beamforming numPRGs 1
    0x11, 0x01,             // 35: prgSize 273
    0x01,                   // 37: digBFInterface 1
    0x07, 0x00,             // 38: beamIdx[0][0] 7
};

/// The UL_TTI.request header: SFN 100, slot 9, nPDUs, RachPresent 0, nULSCH 0, nULCCH 0, nGroup.
inline Bytes srs_ul_tti_header(std::uint8_t num_pdus, std::uint8_t num_groups) {
  return {0x64, 0x00, 0x09, 0x00, num_pdus, 0x00, 0x00, 0x00, num_groups};
}

/// The UL_TTI.request of one SRS PDU (\p pdu: pduType, pduSize, body) without groups.
inline Bytes one_srs_buffer(const Bytes& pdu = sample_srs_pdu_bytes) {
  Bytes body = srs_ul_tti_header(1, 0);
  body.insert(body.end(), pdu.begin(), pdu.end());
  return airan::io::test::with_headers(FapiMessageType::ul_tti_request, body);
}

/// Offset in one_srs_buffer() of byte \p field of the SRS PDU body.
constexpr std::size_t srs_field_at(std::size_t field) {
  return 8 + 9 + 4 + field;
}

/// Writes the \p width low bytes of \p value little-endian at \p offset.
inline void srs_put(Bytes& bytes, std::size_t offset, unsigned value, unsigned width) {
  for (unsigned b = 0; b < width; ++b) {
    bytes.at(offset + b) = static_cast<std::uint8_t>(value >> (8 * b));
  }
}

/// The cell of the conversion tests: 273 PRBs at 30 kHz, normal cyclic prefix.
inline phy::CellConfig srs_test_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 273;
  cell.numerology = 1;
  cell.n_cell_id = 7;
  return cell;
}

/// An SRS PDU the conversion accepts on srs_test_cell(): 1 port, 1 symbol at symbol 13, C_SRS 9
/// B_SRS 0 (32 PRBs, TS 38.211 Table 6.4.1.4.3-1), comb 2, aperiodic.
inline FapiSrsPdu valid_srs_pdu() {
  FapiSrsPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = 77;
  pdu.bwp_size = 273;
  pdu.bwp_start = 0;
  pdu.subcarrier_spacing = 1;
  pdu.time_start_position = 13;
  pdu.config_index = 9;
  pdu.sequence_id = 7;
  return pdu;
}

} // namespace airan::io::srs_fixtures
