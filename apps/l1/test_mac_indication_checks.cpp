/// \file
/// \brief The test MAC's checks of what the L1 sends back: RX_DATA payloads kept per HARQ process,
/// and each CRC.indication matched against the PDUs of its slot and the TB bytes sent, which
/// decides whether a HARQ process is done, retransmits or has lost its TB.
#include "test_mac_run.h"

#include "airan/io/fapi_indication_conversion.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

namespace airan::l1::test_mac_detail {

void TestMacRun::on_rx_data(const io::FapiRxDataIndication& indication) {
  const std::uint64_t slot = absolute_of(indication.sfn, indication.slot);
  for (const auto& pdu : indication.entries()) {
    const auto owner = handles_.find(pdu.handle);
    if (owner == handles_.end()) {
      mismatch("RX_DATA for unknown handle " + std::to_string(pdu.handle));
      continue;
    }
    const HandleOwner& who = owner->second;
    HarqProcess& process = ues_[who.ue].processes[who.process];
    const std::string what = "RX_DATA for handle " + std::to_string(pdu.handle);
    // The slot, RNTI and HARQ process of the transmission, and once (a TB handed up twice, or
    // under another UE's RNTI, would reach a real MAC as such).
    if (slot != who.slot || pdu.rnti != pattern_.ues[who.ue].rnti || pdu.harq_id != who.process) {
      mismatch(what + ": slot " + std::to_string(slot) + ", RNTI " + std::to_string(pdu.rnti) +
               " HARQ " + std::to_string(pdu.harq_id) + "; sent in slot " +
               std::to_string(who.slot) + " by " + std::to_string(pattern_.ues[who.ue].rnti) +
               " HARQ " + std::to_string(who.process));
    }
    if (process.rx_data_seen) {
      mismatch(what + " reported twice");
    }
    process.received.assign(pdu.payload.begin(), pdu.payload.end());
    process.rx_data_seen = true;
  }
}

void TestMacRun::on_crc(const io::FapiCrcIndication& indication) {
  const auto now = Clock::now();
  const std::uint64_t absolute_slot = absolute_of(indication.sfn, indication.slot);
  const auto record = slots_.find(absolute_slot);
  if (record == slots_.end()) {
    // An L1 may answer a slot of PUCCH or PRACH PDUs alone with an empty CRC.indication.
    if (indication.num_crcs != 0) {
      mismatch("CRC.indication for slot " + std::to_string(absolute_slot) + " without PUSCH");
    }
    return;
  }
  // Slots are processed in order: an older slot still owed CRCs lost them.
  for (auto older = slots_.begin(); older != record;) {
    mismatch("no CRC for " + std::to_string(older->second.outstanding.size()) + " PDU(s) of slot " +
             std::to_string(older->first));
    older = slots_.erase(older);
  }
  mac_latencies_.push_back(
      std::chrono::duration<double, std::micro>(now - record->second.samples_pushed).count());
  std::ostringstream line;
  const FapiSlotAddress address{indication.sfn, indication.slot};
  char head[96];
  std::snprintf(head, sizeof(head), "slot %6llu (SFN %4u.%-2u) %zu PDU:",
                static_cast<unsigned long long>(absolute_slot), address.sfn, address.slot,
                indication.num_crcs);
  line << head;
  auto& outstanding = record->second.outstanding;
  for (const auto& crc : indication.entries()) {
    const auto found = std::ranges::find(outstanding, crc.handle);
    const auto owner = handles_.find(crc.handle);
    if (found == outstanding.end() || owner == handles_.end()) {
      mismatch("CRC for handle " + std::to_string(crc.handle) + " not sent in slot " +
               std::to_string(absolute_slot) + " (or reported twice)");
      continue;
    }
    outstanding.erase(found);
    const HandleOwner who = owner->second;
    handles_.erase(owner);
    const PatternUe& ue = pattern_.ues[who.ue];
    HarqProcess& process = ues_[who.ue].processes[who.process];
    if (crc.rnti != ue.rnti || crc.harq_id != who.process) {
      mismatch("CRC for handle " + std::to_string(crc.handle) + ": RNTI " +
               std::to_string(crc.rnti) + " HARQ " + std::to_string(crc.harq_id) + ", sent " +
               std::to_string(ue.rnti) + " HARQ " + std::to_string(who.process));
    }
    if (crc.measurement.rssi != io::FapiUlMeasurement::invalid_u16) {
      ++report_.rssi_reports;
      report_.rssi_db_sum += io::fapi_db_from_rssi(crc.measurement.rssi);
      report_.rssi_at_ceiling += crc.measurement.rssi == io::FapiUlMeasurement::max_rssi ? 1U : 0U;
    }
    char entry[64];
    const bool ok = crc.tb_crc_status == 0;
    std::snprintf(entry, sizeof(entry), " %04x/h%u/rv%u:%s", ue.rnti,
                  static_cast<unsigned>(who.process), who.rv, ok ? "ok" : "FAIL");
    line << entry;
    if (!process.rx_data_seen) {
      mismatch("no RX_DATA before the CRC of handle " + std::to_string(crc.handle));
    }
    if (ok) {
      ++report_.crc_ok;
      if (process.received != process.expected) {
        mismatch("CRC ok but RX_DATA bytes differ from the TB sent (handle " +
                 std::to_string(crc.handle) + ")");
      } else {
        ++report_.tbs_delivered;
        report_.recovered_by_harq += process.first_failed ? 1U : 0U;
      }
      process.state = HarqProcess::State::idle;
      continue;
    }
    ++report_.crc_failed;
    if (!process.received.empty()) {
      mismatch("RX_DATA payload with a failed CRC (handle " + std::to_string(crc.handle) + ")");
    }
    if (process.transmissions == 1) {
      ++report_.first_transmissions_failed;
      process.first_failed = true;
    }
    if (process.transmissions >= pattern_.harq.max_transmissions) {
      ++report_.tbs_lost;
      mismatch("TB of RNTI " + std::to_string(ue.rnti) + " HARQ " + std::to_string(who.process) +
               " lost after " + std::to_string(process.transmissions) + " transmissions");
      process.state = HarqProcess::State::idle;
    } else {
      process.state = HarqProcess::State::needs_retransmission;
    }
  }
  if (!outstanding.empty()) {
    mismatch("slot " + std::to_string(absolute_slot) + ": " + std::to_string(outstanding.size()) +
             " PDU(s) without a CRC");
  }
  slots_.erase(record);
  expire_ucis(absolute_slot); // the UCIs of earlier slots came after their CRCs
  expire_pucchs(absolute_slot);
  expire_srs(absolute_slot);
  if (options_.log != nullptr && options_.per_slot_lines) {
    char latency[48];
    std::snprintf(latency, sizeof(latency), "  (%.0f us)", mac_latencies_.back());
    *options_.log << line.str() << latency << '\n';
  }
}

void TestMacRun::on_uci(const io::FapiUciIndication& indication) {
  on_uci_pucch(indication);
  const std::uint64_t slot = absolute_of(indication.sfn, indication.slot);
  for (const io::FapiUciPusch& pdu : indication.entries()) {
    const auto found = ucis_.find(pdu.handle);
    if (found == ucis_.end()) {
      mismatch("UCI.indication for handle " + std::to_string(pdu.handle) +
               " that carried no UCI (or reported twice)");
      continue;
    }
    const ExpectedUci expected = std::move(found->second);
    ucis_.erase(found);
    const std::string who = "UCI of handle " + std::to_string(pdu.handle);
    if (pdu.rnti != expected.rnti || slot != expected.slot) {
      mismatch(who + ": RNTI " + std::to_string(pdu.rnti) + " in slot " + std::to_string(slot) +
               ", sent by " + std::to_string(expected.rnti) + " in slot " +
               std::to_string(expected.slot));
    }
    ++report_.uci_reports;
    check_uci_part(pdu.harq, expected.bits.harq_ack, "HARQ-ACK", who);
    const bool part1_right =
        check_uci_part(pdu.csi_part1, expected.bits.csi_part1, "CSI part 1", who);
    if (expected.csi_part2_sized) {
      check_sized_csi_part2(pdu, expected, part1_right, who);
    } else {
      check_uci_part(pdu.csi_part2, expected.bits.csi_part2, "CSI part 2", who);
    }
  }
}

bool TestMacRun::check_uci_part(const std::optional<io::FapiUciPart>& part,
                                const phy::BitVector& bits, const char* name,
                                const std::string& who) {
  if (part.has_value() != !bits.empty()) {
    mismatch(who + ": " + name + (bits.empty() ? " reported but not sent" : " missing"));
    return false;
  }
  if (!part.has_value()) {
    return false;
  }
  const io::FapiUciPart& got = *part;
  if (got.bit_length != bits.size()) {
    mismatch(who + ": " + name + " of " + std::to_string(got.bit_length) + " bits, sent " +
             std::to_string(bits.size()));
    return false;
  }
  if (got.crc == io::FapiUciPart::crc_fail) {
    ++report_.uci_payloads_failed; // not decoded (the PDU failed before its UCI)
    return false;
  }
  const bool polar = phy::PuschUciConfig::polar_coded(static_cast<unsigned>(bits.size()));
  if (got.crc != (polar ? io::FapiUciPart::crc_pass : io::FapiUciPart::crc_not_present)) {
    mismatch(who + ": " + name +
             (polar ? " of 12 bits or more reported without its CRC"
                    : " of at most 11 bits reported with a CRC"));
  }
  bool same = true;
  for (std::size_t b = 0; b < bits.size(); ++b) {
    same = same && got.bit(b) == bits[b];
  }
  (same ? report_.uci_payloads_ok : report_.uci_payloads_wrong) += 1;
  return same;
}

void TestMacRun::check_sized_csi_part2(const io::FapiUciPusch& pdu, const ExpectedUci& expected,
                                       bool part1_right, const std::string& who) {
  const phy::BitVector& bits = expected.bits.csi_part2;
  const bool same_size =
      pdu.csi_part2.has_value() ? pdu.csi_part2->bit_length == bits.size() : bits.empty();
  if (same_size && part1_right) { // a length checked against the part 1 the UE sent
    ++report_.csi_part2_sized_lengths[static_cast<unsigned>(bits.size())];
  } else if (!same_size && !part1_right) {
    // Sized from a part 1 the L1 decoded wrong (another size: wrong) or not at all (none: not
    // decoded): decoding outcomes, not faults.
    (pdu.csi_part2.has_value() ? report_.uci_payloads_wrong : report_.uci_payloads_failed) += 1;
    return;
  }
  check_uci_part(pdu.csi_part2, bits, "CSI part 2 (sized from part 1)", who);
}

void TestMacRun::expire_ucis(std::uint64_t slot) {
  for (auto it = ucis_.begin(); it != ucis_.end();) {
    if (it->second.slot < slot) {
      mismatch("no UCI.indication for handle " + std::to_string(it->first) + " of slot " +
               std::to_string(it->second.slot));
      it = ucis_.erase(it);
    } else {
      ++it;
    }
  }
}

} // namespace airan::l1::test_mac_detail
