// The test MAC's checks of UCI.indication PUCCH PDUs that an L1 got wrong, fed by a scripted L1
// (scripted_l1.h): formats 2-4 report each part's CRC as the payload's code asks (polar from 12
// bits: pass or fail; Reed-Muller or short block: not present or fail), as the PUSCH UCI path
// checks it, and their SR part with the length sent; a format 0/1 report is silence or a miss
// only when every HARQ-ACK value is DTX. Before, a 25-bit payload reported without its CRC,
// an SR of another length and a silent SR occasion reported {DTX, ACK} all counted as right.
#include "scripted_l1.h"

#include "airan/l1/launch_pattern.h"
#include "airan/l1/test_mac.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace airan::l1::testmac_pucch_verdict_test {

using scripted_l1::consecutive_slots;
using scripted_l1::ScriptedL1;

constexpr unsigned num_slots = 20;

/// A PUCCH-only pattern of 20 slots on 36 PRBs with the UEs of \p ues (YAML list items).
LaunchPattern pucch_pattern(const std::string& ues) {
  return parse_launch_pattern("cell: {num_prbs: 36, numerology: 1}\nnum_slots: " +
                                  std::to_string(num_slots) + "\ndrain_slots: 0\nues:\n" + ues,
                              "pucch_verdict");
}

/// Format 2, HARQ-ACK 4 + SR 1 + CSI part 1 20 bits: a 25-bit payload, polar with a CRC.
const std::string polar_ue = "  - rnti: 16\n    pucch: {format: 2, prb_start: 28, num_prbs: 4, "
                             "start_symbol: 12, num_symbols: 2, harq_bits: 4, sr_bits: 1, "
                             "csi_part1_bits: 20}\n";
/// Format 2, CSI part 1 6 bits: Reed-Muller, no CRC.
const std::string short_ue = "  - rnti: 17\n    pucch: {format: 2, prb_start: 32, num_prbs: 2, "
                             "start_symbol: 13, num_symbols: 1, csi_part1_bits: 6}\n";
/// Format 1 on an SR resource with 2 HARQ-ACK bits: sent only with a positive SR.
const std::string sr_resource_ue = "  - rnti: 18\n    pucch: {format: 1, prb_start: 1, "
                                   "num_symbols: 14, harq_bits: 2, sr_bits: 1}\n";

/// A UCI part of \p bits bits (all 0) with CRC flag \p crc.
io::FapiUciPart part(unsigned bits, std::uint8_t crc) {
  io::FapiUciPart out;
  out.bit_length = static_cast<std::uint16_t>(bits);
  out.crc = crc;
  return out;
}

/// How the scripted L1 answers each PUCCH: format 2-4 parts with CRC flag \p polar_crc (payload
/// of 12 bits or more) or \p short_crc, an SR part \p sr_extra_bits longer than asked; format 0/1
/// with HARQ-ACK values \p harq and no SR.
struct Answer {
  std::uint8_t polar_crc = io::FapiUciPart::crc_pass;
  std::uint8_t short_crc = io::FapiUciPart::crc_not_present;
  unsigned sr_extra_bits = 0;
  std::array<std::uint8_t, 2> harq{io::FapiUciHarqFormat01::dtx, io::FapiUciHarqFormat01::dtx};
};

/// run_test_mac() on \p pattern against a scripted L1 that answers each PUCCH PDU in the
/// UCI.indication of its slot as \p answer says.
TestMacReport run_answering(const LaunchPattern& pattern, const Answer& answer) {
  ScriptedL1 l1;
  l1.slots = consecutive_slots({0, 0}, num_slots + 1, 20);
  l1.on_ul_tti = [&](const io::FapiUlTtiRequest& request) {
    io::FapiUciIndication uci;
    uci.sfn = request.sfn;
    uci.slot = request.slot;
    for (std::size_t i = 0; i < request.num_pucch; ++i) {
      const io::FapiPucchPdu& pdu = request.pucch[i];
      if (pdu.format_type <= 1) {
        io::FapiUciPucchFormat01& out = uci.pucch_f01[uci.num_pucch_f01++];
        out.handle = pdu.handle;
        out.rnti = pdu.rnti;
        out.pucch_format = pdu.format_type;
        if (pdu.sr_bit_len != 0) {
          out.sr.emplace().sr_indication = 0;
        }
        if (pdu.bit_len_harq != 0) {
          out.harq.emplace().num_harq = static_cast<std::uint8_t>(pdu.bit_len_harq);
          out.harq->values = answer.harq;
        }
        continue;
      }
      io::FapiUciPucchFormat234& out = uci.pucch_f234[uci.num_pucch_f234++];
      out.handle = pdu.handle;
      out.rnti = pdu.rnti;
      out.pucch_format = static_cast<std::uint8_t>(pdu.format_type - 2);
      const unsigned payload = pdu.sr_bit_len + pdu.bit_len_harq + pdu.csi_part1_bit_length;
      const std::uint8_t crc = payload >= 12 ? answer.polar_crc : answer.short_crc;
      if (pdu.sr_bit_len != 0) {
        out.sr.emplace().bit_length =
            static_cast<std::uint16_t>(pdu.sr_bit_len + answer.sr_extra_bits);
      }
      if (pdu.bit_len_harq != 0) {
        out.harq = part(pdu.bit_len_harq, crc);
      }
      if (pdu.csi_part1_bit_length != 0) {
        out.csi_part1 = part(pdu.csi_part1_bit_length, crc);
      }
    }
    l1.queue(uci);
  };
  return run_test_mac(pattern, l1, l1, {});
}

/// True when one of \p report's mismatch details contains \p text.
bool has_detail(const TestMacReport& report, const std::string& text) {
  for (const std::string& detail : report.mismatch_details) {
    if (detail.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(TestMacPucchVerdict, Format2CrcFlagsFollowThePayloadsCode) {
  const LaunchPattern pattern = pucch_pattern(polar_ue + short_ue);
  // As the code asks (the bits are all 0, not the UE's: wrong, a decoding outcome).
  const TestMacReport right = run_answering(pattern, {});
  EXPECT_EQ(right.pucch_sent, 2U * num_slots);
  EXPECT_EQ(right.pucch_reports, right.pucch_sent);
  EXPECT_EQ(right.mismatches, 0U);
  for (const std::string& detail : right.mismatch_details) {
    ADD_FAILURE() << detail;
  }
  // CRC fail is "not decoded" whatever the code: missed, no mismatch.
  Answer failed;
  failed.polar_crc = io::FapiUciPart::crc_fail;
  failed.short_crc = io::FapiUciPart::crc_fail;
  const TestMacReport not_decoded = run_answering(pattern, failed);
  EXPECT_EQ(not_decoded.mismatches, 0U);
  EXPECT_EQ(not_decoded.pucch_missed, not_decoded.pucch_sent);
  // Swapped: the polar payload's two parts without their CRC, the short one's part with one.
  Answer swapped;
  swapped.polar_crc = io::FapiUciPart::crc_not_present;
  swapped.short_crc = io::FapiUciPart::crc_pass;
  const TestMacReport wrong = run_answering(pattern, swapped);
  EXPECT_EQ(wrong.mismatches, 3U * num_slots);
  EXPECT_TRUE(has_detail(wrong, ": HARQ-ACK of a payload of 25 bits (polar) reported without its "
                                "CRC"));
  EXPECT_TRUE(has_detail(wrong, ": CSI part 1 of a payload of 25 bits (polar) reported without "
                                "its CRC"));
  EXPECT_TRUE(has_detail(wrong, ": CSI part 1 of a payload of 6 bits (at most 11: no CRC) "
                                "reported with a CRC"));
}

TEST(TestMacPucchVerdict, Format2SrPartMustHaveTheLengthSent) {
  const LaunchPattern pattern = pucch_pattern(polar_ue);
  EXPECT_EQ(run_answering(pattern, {}).mismatches, 0U);
  Answer longer;
  longer.sr_extra_bits = 1;
  const TestMacReport report = run_answering(pattern, longer);
  EXPECT_EQ(report.mismatches, num_slots);
  EXPECT_TRUE(has_detail(report, ": SR part of 2 bits, sent 1"));
}

TEST(TestMacPucchVerdict, Format1HarqAckIsDtxOnlyWhenEveryValueIs) {
  const LaunchPattern pattern = pucch_pattern(sr_resource_ue);
  // All DTX, no SR: right for the silent occasions (negative SR), missed for the others.
  const TestMacReport dtx = run_answering(pattern, {});
  EXPECT_EQ(dtx.mismatches, 0U);
  EXPECT_EQ(dtx.pucch_sent, num_slots);
  EXPECT_GT(dtx.pucch_ok, 0U);
  EXPECT_GT(dtx.pucch_missed, 0U);
  EXPECT_EQ(dtx.pucch_ok + dtx.pucch_missed, dtx.pucch_sent);
  // {DTX, ACK}: one value claims an ACK. Wrong on a silent occasion (no ACK was sent) and on a
  // PUCCH sent (its first value is no miss of the whole PUCCH).
  Answer mixed;
  mixed.harq = {io::FapiUciHarqFormat01::dtx, io::FapiUciHarqFormat01::ack};
  const TestMacReport report = run_answering(pattern, mixed);
  EXPECT_EQ(report.mismatches, 0U); // decoding outcomes
  EXPECT_EQ(report.pucch_ok, 0U);
  EXPECT_EQ(report.pucch_missed, 0U);
  EXPECT_EQ(report.pucch_wrong, report.pucch_sent);
}

} // namespace airan::l1::testmac_pucch_verdict_test
