/// \file
/// \brief The test MAC's checks of the UCI.indication PUCCH PDUs: each matched by its handle to
/// the PUCCH sent, its fields checked (protocol faults are mismatches: format, parts and their
/// lengths, SR length, formats 2-4's CRC flags as the payload's code asks) and its content scored
/// as right, missed or wrong against the bits the UE sent (or its silence).
#include "test_mac_run.h"

#include "airan/phy/uci_polar_code.h"

#include <optional>
#include <string>
#include <tuple>

namespace airan::l1::test_mac_detail {
namespace {

/// The bits of a reported UCI part, or an empty vector for a failed one.
phy::BitVector bits_of(const io::FapiUciPart& part) {
  phy::BitVector bits(part.bit_length);
  for (std::size_t b = 0; b < bits.size(); ++b) {
    bits[b] = part.bit(b);
  }
  return bits;
}

} // namespace

void TestMacRun::on_uci_pucch(const io::FapiUciIndication& indication) {
  const std::uint64_t slot = absolute_of(indication.sfn, indication.slot);
  const auto take = [&](std::uint32_t handle, std::uint16_t rnti) -> std::optional<ExpectedPucch> {
    const auto found = pucchs_.find(handle);
    if (found == pucchs_.end()) {
      mismatch("UCI.indication PUCCH PDU for handle " + std::to_string(handle) +
               " that was no PUCCH (or reported twice)");
      return std::nullopt;
    }
    ExpectedPucch expected = std::move(found->second);
    pucchs_.erase(found);
    if (expected.slot != slot || rnti != expected.config.rnti) {
      mismatch("PUCCH of handle " + std::to_string(handle) + " reported in slot " +
               std::to_string(slot) + " for RNTI " + std::to_string(rnti) + ", sent in slot " +
               std::to_string(expected.slot) + " by " + std::to_string(expected.config.rnti));
    }
    ++report_.pucch_reports;
    return expected;
  };
  for (const io::FapiUciPucchFormat01& pdu : indication.pucch_f01_entries()) {
    if (const auto expected = take(pdu.handle, pdu.rnti)) {
      check_pucch_format01(*expected, pdu);
    }
  }
  for (const io::FapiUciPucchFormat234& pdu : indication.pucch_f234_entries()) {
    if (const auto expected = take(pdu.handle, pdu.rnti)) {
      check_pucch_format234(*expected, pdu);
    }
  }
  expire_pucchs(slot);
}

void TestMacRun::check_pucch_format01(const ExpectedPucch& expected,
                                      const io::FapiUciPucchFormat01& pdu) {
  const std::string who = "PUCCH of handle " + std::to_string(pdu.handle);
  const phy::PucchConfig& config = expected.config;
  const bool format1 = config.format == phy::PucchFormat::format1;
  if (phy::pucch_carries_uci_payload(config.format) ||
      pdu.pucch_format !=
          (format1 ? io::FapiUciPucchFormat01::format1 : io::FapiUciPucchFormat01::format0)) {
    mismatch(who + ": reported as a format " + std::to_string(pdu.pucch_format) + " PUCCH");
    return;
  }
  if (pdu.sr.has_value() != (config.sr_bits != 0) ||
      pdu.harq.has_value() != (config.harq_bits != 0) ||
      (pdu.harq && pdu.harq->num_harq != config.harq_bits)) {
    mismatch(who + ": SR / HARQ parts do not match the PDU sent");
    return;
  }
  const SimulatedPucch& sent = expected.bits;
  // DTX: every HARQ-ACK value is DTX (nothing detected). One PUCCH carries them all: a report
  // with some values DTX and some not is wrong, never silence nor a miss.
  bool all_dtx = true;
  bool right = true;
  if (pdu.harq) {
    for (unsigned i = 0; i < config.harq_bits; ++i) {
      const std::uint8_t value = pdu.harq->values[i];
      all_dtx = all_dtx && value == io::FapiUciHarqFormat01::dtx;
      right = right && sent.sent &&
              value == (sent.harq[i] != 0 ? io::FapiUciHarqFormat01::ack
                                          : io::FapiUciHarqFormat01::nack);
    }
  }
  const bool sr_reported = pdu.sr && pdu.sr->sr_indication == 1;
  if (pdu.sr) {
    const bool positive = !sent.sr.empty() && sent.sr[0] != 0;
    right = right && sr_reported == positive;
  }
  if (!sent.sent) {
    // Silence on an SR occasion with a negative SR: all DTX and no SR is the right answer.
    const bool quiet = all_dtx && !sr_reported;
    (quiet ? report_.pucch_ok : report_.pucch_wrong) += 1;
    return;
  }
  if (config.harq_bits == 0) {
    (sr_reported ? report_.pucch_ok : report_.pucch_missed) += 1;
    return;
  }
  (right ? report_.pucch_ok : all_dtx ? report_.pucch_missed : report_.pucch_wrong) += 1;
}

void TestMacRun::check_pucch_format234(const ExpectedPucch& expected,
                                       const io::FapiUciPucchFormat234& pdu) {
  const std::string who = "PUCCH of handle " + std::to_string(pdu.handle);
  const phy::PucchConfig& config = expected.config;
  // UCI.indication PucchFormat: 0, 1, 2 for formats 2, 3, 4.
  const auto format = static_cast<unsigned>(config.format);
  if (!phy::pucch_carries_uci_payload(config.format) ||
      pdu.pucch_format != format - static_cast<unsigned>(phy::PucchFormat::format2)) {
    mismatch(who + ": a format " + std::to_string(format) +
             " PUCCH reported as a format 2/3/4 PDU of type " + std::to_string(pdu.pucch_format));
    return;
  }
  const SimulatedPucch& sent = expected.bits;
  // HARQ-ACK, SR and CSI part 1 are one payload, one code (TS 38.212 6.3.1.2; no CSI part 2 is
  // sent): polar with a CRC from 12 bits, else Reed-Muller or a short block without one. So, as
  // on PUSCH (check_uci_part()), a part decoded is reported CRC pass when the payload is polar
  // and CRC not present when it is not; CRC fail says it was not decoded, either way.
  const bool polar = config.payload_bits() >= phy::uci_polar_min_payload_bits;
  const std::uint8_t crc_decoded =
      polar ? io::FapiUciPart::crc_pass : io::FapiUciPart::crc_not_present;
  const phy::BitVector none;
  bool failed = false;
  bool right = true;
  for (const auto& [part, bits, name] : {std::tuple{&pdu.harq, &sent.harq, "HARQ-ACK"},
                                         std::tuple{&pdu.csi_part1, &sent.csi_part1, "CSI part 1"},
                                         std::tuple{&pdu.csi_part2, &none, "CSI part 2"}}) {
    if (part->has_value() != !bits->empty() ||
        (part->has_value() && (*part)->bit_length != bits->size())) {
      mismatch(who + ": " + name + " does not have the size sent");
      return;
    }
    if (!part->has_value()) {
      continue;
    }
    const std::uint8_t crc = (*part)->crc;
    if (crc != io::FapiUciPart::crc_fail && crc != crc_decoded) {
      mismatch(who + ": " + name + " of a payload of " + std::to_string(config.payload_bits()) +
               (polar ? " bits (polar) reported without its CRC"
                      : " bits (at most 11: no CRC) reported with a CRC"));
    }
    failed = failed || crc == io::FapiUciPart::crc_fail;
    right = right && bits_of(**part) == *bits;
  }
  if (pdu.sr.has_value() != !sent.sr.empty() || (pdu.sr && pdu.sr->bit_length != sent.sr.size())) {
    mismatch(who + ": SR part of " + (pdu.sr ? std::to_string(pdu.sr->bit_length) : "0") +
             " bits, sent " + std::to_string(sent.sr.size()));
    return;
  }
  if (pdu.sr) {
    for (std::size_t b = 0; b < sent.sr.size(); ++b) {
      right = right && ((pdu.sr->payload >> b) & 1U) == sent.sr[b];
    }
  }
  (failed ? report_.pucch_missed : right ? report_.pucch_ok : report_.pucch_wrong) += 1;
}

void TestMacRun::expire_pucchs(std::uint64_t slot) {
  for (auto it = pucchs_.begin(); it != pucchs_.end();) {
    if (it->second.slot < slot) {
      mismatch("no UCI.indication for the PUCCH of handle " + std::to_string(it->first) +
               " of slot " + std::to_string(it->second.slot));
      it = pucchs_.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace airan::l1::test_mac_detail
