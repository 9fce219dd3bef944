// The UL_TTI.request PUCCH PDU (SCF 222.10.02 Table 3-51), little-endian, offsets after pduType
// and pduSize: RNTI 0 (u16), Handle 2 (u32), BWPSize 6, BWPStart 8, SubcarrierSpacing 10,
// CyclicPrefix 11, FormatType 12, multiSlotTxIndicator 13, pi2Bpsk 14, prbStart 15 (u16),
// prbSize 17 (u16), StartSymbolIndex 19, NrOfSymbols 20, intraSlotFrequencyHopping 21,
// secondHopPRB 22 (u16), pucchGroupHopping 24, reserved 25, nIdPucchHopping 26 (u16),
// InitialCyclicShift 28 (u16), nIdPucchScrambling 30 (u16), TimeDomainOccIdx 32, PreDftOccIdx
// 33, PreDftOccLen 34, AddDmrsFlag 35, nId0PucchDmrsScrambling 36 (u16), m0PucchDmrsCyclicShift
// 38, SRBitLen 39, BitLenHarq 40 (u16), csiPart1BitLength 42 (u16), csiPart2BitLength 44 (u16),
// then the Rx beamforming part at 46 (Table 3-53, as in the PUSCH PDU).
#include "fapi_pucch_pdu_codec.h"

#include "fapi_codec_common.h"
#include "fapi_pusch_pdu_codec.h"

namespace airan::io::fapi_detail {
namespace {

constexpr FapiMessageType pucch_pdu_message = FapiMessageType::ul_tti_request;
constexpr unsigned pucch_max_sr_bit_len = 4;

} // namespace

FapiError check_pucch_pdu_reportable(const FapiPucchPdu& pdu, std::size_t offset) {
  FapiError error;
  const unsigned max_uci = FapiPucchPdu::max_uci_bits;
  const bool ok =
      ul_tti_in_range("RNTI", pdu.rnti, 1, 65535, offset, error) &&
      ul_tti_in_range("SRBitLen", pdu.sr_bit_len, 0, pucch_max_sr_bit_len, offset, error) &&
      ul_tti_in_range("BitLenHarq", pdu.bit_len_harq, 0, max_uci, offset, error) &&
      ul_tti_in_range("csiPart1BitLength", pdu.csi_part1_bit_length, 0, max_uci, offset, error) &&
      // 0xFFFF: sized from CSI part 1 (FAPIv3); to_pucch_config() refuses that PDU alone.
      (pdu.csi_part2_bit_length == 0xFFFF ||
       ul_tti_in_range("csiPart2BitLength", pdu.csi_part2_bit_length, 0, max_uci, offset, error));
  if (!ok) {
    return error;
  }
  return check_rx_beamforming(pdu.beamforming, offset);
}

FapiError decode_pucch_pdu(std::span<const std::uint8_t> body, std::size_t base_offset,
                           FapiPucchPdu& out) {
  out = {};
  ByteReader r(body, base_offset);
  out.rnti = r.u16();
  out.handle = r.u32();
  out.bwp_size = r.u16();
  out.bwp_start = r.u16();
  out.subcarrier_spacing = r.u8();
  out.cyclic_prefix = r.u8();
  out.format_type = r.u8();
  out.multi_slot_tx_indicator = r.u8();
  out.pi2_bpsk = r.u8();
  out.prb_start = r.u16();
  out.prb_size = r.u16();
  out.start_symbol_index = r.u8();
  out.num_symbols = r.u8();
  out.intra_slot_frequency_hopping = r.u8();
  out.second_hop_prb = r.u16();
  out.pucch_group_hopping = r.u8();
  r.skip(1); // reserved
  out.n_id_pucch_hopping = r.u16();
  out.initial_cyclic_shift = r.u16();
  out.n_id_pucch_scrambling = r.u16();
  out.time_domain_occ_idx = r.u8();
  out.pre_dft_occ_idx = r.u8();
  out.pre_dft_occ_len = r.u8();
  out.add_dmrs_flag = r.u8();
  out.n_id0_pucch_dmrs_scrambling = r.u16();
  out.m0_pucch_dmrs_cyclic_shift = r.u8();
  out.sr_bit_len = r.u8();
  out.bit_len_harq = r.u16();
  out.csi_part1_bit_length = r.u16();
  out.csi_part2_bit_length = r.u16();
  if (r.failed()) {
    return truncated_error(pucch_pdu_message, r, "PUCCH PDU");
  }
  if (FapiError error = read_rx_beamforming(r, "PUCCH PDU", out.beamforming); !error.ok()) {
    return error;
  }
  // What follows inside pduSize (a FAPIv3 MAC's PUCCH maintenance and UCI part 1 -> part 2
  // parts) is not read: the PDU's body view ends at pduSize, so nothing else is affected.
  // Only what a UCI.indication needs to answer the PDU is checked here (RNTI, payload sizes,
  // the beamforming part's shape): a field the receiver cannot take refuses that PDU alone, in
  // to_pucch_config(), and the MAC still hears back about it.
  return check_pucch_pdu_reportable(out, base_offset);
}

void write_pucch_pdu(ByteWriter& w, const FapiPucchPdu& pdu) {
  w.u16(pdu.rnti);
  w.u32(pdu.handle);
  w.u16(pdu.bwp_size);
  w.u16(pdu.bwp_start);
  w.u8(pdu.subcarrier_spacing);
  w.u8(pdu.cyclic_prefix);
  w.u8(pdu.format_type);
  w.u8(pdu.multi_slot_tx_indicator);
  w.u8(pdu.pi2_bpsk);
  w.u16(pdu.prb_start);
  w.u16(pdu.prb_size);
  w.u8(pdu.start_symbol_index);
  w.u8(pdu.num_symbols);
  w.u8(pdu.intra_slot_frequency_hopping);
  w.u16(pdu.second_hop_prb);
  w.u8(pdu.pucch_group_hopping);
  w.u8(0); // reserved
  w.u16(pdu.n_id_pucch_hopping);
  w.u16(pdu.initial_cyclic_shift);
  w.u16(pdu.n_id_pucch_scrambling);
  w.u8(pdu.time_domain_occ_idx);
  w.u8(pdu.pre_dft_occ_idx);
  w.u8(pdu.pre_dft_occ_len);
  w.u8(pdu.add_dmrs_flag);
  w.u16(pdu.n_id0_pucch_dmrs_scrambling);
  w.u8(pdu.m0_pucch_dmrs_cyclic_shift);
  w.u8(pdu.sr_bit_len);
  w.u16(pdu.bit_len_harq);
  w.u16(pdu.csi_part1_bit_length);
  w.u16(pdu.csi_part2_bit_length);
  write_rx_beamforming(w, pdu.beamforming);
}

} // namespace airan::io::fapi_detail
