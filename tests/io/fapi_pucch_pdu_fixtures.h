/// \file
/// \brief Fixtures of the UL_TTI.request PUCCH PDU tests: a sample PDU, its bytes written out
/// field by field, and helpers that place it in a message and decode it.
#pragma once

#include "fapi_test_helpers.h"

#include "airan/io/fapi_pucch_messages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace airan::io::test {

/// A format 2 PUCCH PDU with intra-slot hopping and one beam.
inline FapiPucchPdu sample_pucch_pdu() {
  FapiPucchPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = 0x0A0B0C0D;
  pdu.bwp_size = 273;
  pdu.bwp_start = 0;
  pdu.subcarrier_spacing = 1;
  pdu.cyclic_prefix = 0;
  pdu.format_type = 2;
  pdu.prb_start = 20;
  pdu.prb_size = 4;
  pdu.start_symbol_index = 12;
  pdu.num_symbols = 2;
  pdu.intra_slot_frequency_hopping = 1;
  pdu.second_hop_prb = 200;
  pdu.pucch_group_hopping = 1;
  pdu.n_id_pucch_hopping = 500;
  pdu.n_id_pucch_scrambling = 1000;
  pdu.n_id0_pucch_dmrs_scrambling = 0x1234;
  pdu.sr_bit_len = 1;
  pdu.bit_len_harq = 4;
  pdu.csi_part1_bit_length = 6;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.prg_size = 273;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 7;
  return pdu;
}

/// pduType, pduSize and the PUCCH PDU of sample_pucch_pdu(); offsets within the PDU body (after
/// pduType and pduSize).
inline const Bytes sample_pucch_pdu_bytes = {
    0x02, 0x00,             // pduType 2 (PUCCH)
    0x39, 0x00,             // pduSize 57, counting these 4 bytes
    0x01, 0x46,             // 0: RNTI 0x4601
    0x0D, 0x0C, 0x0B, 0x0A, // 2: Handle 0x0A0B0C0D
    0x11, 0x01,             // 6: BWPSize 273
    0x00, 0x00,             // 8: BWPStart 0
    0x01,                   // 10: SubcarrierSpacing mu 1
    0x00,                   // 11: CyclicPrefix normal
    0x02,                   // 12: FormatType 2
    0x00,                   // 13: multiSlotTxIndicator 0
    0x00,                   // 14: pi2Bpsk 0
    0x14, 0x00,             // 15: prbStart 20
    0x04, 0x00,             // 17: prbSize 4
    0x0C,                   // 19: StartSymbolIndex 12
    0x02,                   // 20: NrOfSymbols 2
    0x01,                   // 21: intraSlotFrequencyHopping 1
    0xC8, 0x00,             // 22: secondHopPRB 200
    0x01,                   // 24: pucchGroupHopping 1 (enable)
    0x00,                   // 25: reserved
    0xF4, 0x01,             // 26: nIdPucchHopping 500
    0x00, 0x00,             // 28: InitialCyclicShift 0
    0xE8, 0x03,             // 30: nIdPucchScrambling 1000
    0x00,                   // 32: TimeDomainOccIdx 0
    0x00,                   // 33: PreDftOccIdx 0
    0x00,                   // 34: PreDftOccLen 0
    0x00,                   // 35: AddDmrsFlag 0
    0x34, 0x12,             // 36: nId0PucchDmrsScrambling 0x1234
    0x00,                   // 38: m0PucchDmrsCyclicShift 0
    0x01,                   // 39: SRBitLen 1
    0x04, 0x00,             // 40: BitLenHarq 4
    0x06, 0x00,             // 42: csiPart1BitLength 6
    0x00, 0x00,             // 44: csiPart2BitLength 0
    0x01, 0x00,             // 46: Rx beamforming numPRGs 1
    0x11, 0x01,             // 48: prgSize 273
    0x01,                   // 50: digBFInterface 1
    0x07, 0x00,             // 51: beamIdx[0][0] 7
};

/// The UL_TTI.request header: SFN 100, slot 9, nPDUs, RachPresent 0, nULSCH, nULCCH, nGroup.
inline Bytes ul_tti_header(std::uint8_t num_pusch, std::uint8_t num_pucch,
                           std::uint8_t num_groups) {
  const auto num_pdus = static_cast<std::uint8_t>(num_pusch + num_pucch);
  return {0x64, 0x00, 0x09, 0x00, num_pdus, 0x00, num_pusch, num_pucch, num_groups};
}

/// The UL_TTI.request of one sample PUCCH PDU without groups, as a buffer.
inline Bytes one_pucch_buffer(const Bytes& pdu = sample_pucch_pdu_bytes) {
  Bytes body = ul_tti_header(0, 1, 0);
  body.insert(body.end(), pdu.begin(), pdu.end());
  return with_headers(FapiMessageType::ul_tti_request, body);
}

/// Offset in one_pucch_buffer() of byte \p field of the PUCCH PDU body.
constexpr std::size_t field_at(std::size_t field) {
  return 8 + 9 + 4 + field;
}

inline void put(Bytes& bytes, std::size_t offset, unsigned value, unsigned width) {
  for (unsigned b = 0; b < width; ++b) {
    bytes.at(offset + b) = static_cast<std::uint8_t>(value >> (8 * b));
  }
}

/// \p bytes with the message length (generic header) and the first PDU's pduSize set again
/// after the PDU grew or shrank by \p delta bytes.
inline void resize_first_pdu(Bytes& bytes, int delta) {
  put(bytes, 4, static_cast<unsigned>(static_cast<int>(bytes.size()) - 8), 4);
  const unsigned pdu_size = bytes.at(8 + 9 + 2) | (bytes.at(8 + 9 + 3) << 8);
  put(bytes, 8 + 9 + 2, static_cast<unsigned>(static_cast<int>(pdu_size) + delta), 2);
}

} // namespace airan::io::test
