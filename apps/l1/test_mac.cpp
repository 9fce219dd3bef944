/// \file
/// \brief The test MAC's session: transport kind names, receiving and dispatching the L1's
/// messages, and the PARAM, CONFIG, START ... STOP exchange of one run (run_test_mac()).
#include "airan/l1/test_mac.h"

#include "test_mac_run.h"

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_prach_conversion.h"
#include "airan/l1/fapi_phy.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

namespace airan::l1 {

TransportKind parse_transport_kind(const std::string& text) {
  if (text == "udp") {
    return TransportKind::udp;
  }
  if (text == "shm") {
    return TransportKind::shm;
  }
  throw std::invalid_argument("transport '" + text + "' is neither 'udp' nor 'shm'");
}

const char* transport_kind_name(TransportKind kind) {
  return kind == TransportKind::shm ? "shm" : "udp";
}

namespace test_mac_detail {

bool TestMacRun::receive_and_handle(std::chrono::microseconds timeout) {
  const auto result = transport_.receive(buffer_, timeout);
  if (result.status != io::FapiTransportStatus::ok) {
    return false;
  }
  io::FapiMessageReader reader(std::span<const std::uint8_t>(buffer_.data(), result.size));
  io::FapiMessageView view;
  while (reader.next(view)) {
    const io::FapiError error = io::decode_message(view, *message_);
    if (!error.ok()) {
      mismatch("undecodable message from the L1: " + std::string(error.reason()));
      continue;
    }
    last_type_ = message_->type;
    handle(*message_);
  }
  if (!reader.error().ok()) {
    mismatch("malformed buffer from the L1: " + std::string(reader.error().reason()));
  }
  return true;
}

bool TestMacRun::wait_for(io::FapiMessageType type) {
  auto last_heard = Clock::now();
  while (Clock::now() - last_heard < options_.silence_timeout) {
    if (receive_and_handle(std::chrono::milliseconds(10))) {
      last_heard = Clock::now();
      if (last_type_ == type) {
        return true;
      }
    }
  }
  return false;
}

void TestMacRun::handle(const io::FapiMessage& message) {
  switch (message.type) {
  case io::FapiMessageType::slot_indication:
    if (!stop_sent_) { // a slot on air after STOP was asked for is not the session's
      on_slot_indication(message.slot_indication.sfn, message.slot_indication.slot);
    }
    return;
  case io::FapiMessageType::rx_data_indication:
    on_rx_data(message.rx_data_indication);
    return;
  case io::FapiMessageType::crc_indication:
    on_crc(message.crc_indication);
    return;
  case io::FapiMessageType::uci_indication:
    on_uci(message.uci_indication);
    return;
  case io::FapiMessageType::srs_indication:
    on_srs(message.srs_indication);
    break;
  case io::FapiMessageType::rach_indication:
    on_rach(message.rach_indication);
    return;
  case io::FapiMessageType::error_indication: {
    const auto& e = message.error_indication;
    ++report_.error_indications;
    std::array<char, 8> id{};
    std::snprintf(id.data(), id.size(), "0x%02X", static_cast<unsigned>(e.message_id));
    mismatch("ERROR.indication for message " + std::string(id.data()) + " at SFN " +
             std::to_string(e.sfn) + " slot " + std::to_string(e.slot) + ": " +
             io::fapi_error_code_name(e.error_code));
    return;
  }
  case io::FapiMessageType::stop_indication:
    stopped_ = true;
    return;
  case io::FapiMessageType::param_response:
  case io::FapiMessageType::config_response:
    return; // Checked by run().
  default:
    mismatch(std::string("unexpected ") + io::fapi_message_type_name(message.type));
  }
}

void TestMacRun::number_csi_part2_maps() {
  for (const PatternUe& ue : pattern_.ues) {
    ue_pusch_.push_back(ue.pusch);
    const auto first = static_cast<std::uint16_t>(csi_part2_maps_.size());
    phy::CsiPart2Sizing& sizing = ue_pusch_.back().uci.csi_part2_sizing;
    for (std::size_t r = 0; r < sizing.num_reports; ++r) {
      sizing.reports[r].map_index = static_cast<std::uint16_t>(sizing.reports[r].map_index + first);
    }
    csi_part2_maps_.insert(csi_part2_maps_.end(), ue.csi_part2_size_maps.begin(),
                           ue.csi_part2_size_maps.end());
  }
  if (csi_part2_maps_.size() > io::fapi_max_uci_part2_maps) {
    throw std::invalid_argument("test MAC: the UEs have " + std::to_string(csi_part2_maps_.size()) +
                                " CSI part 2 size maps, more than the " +
                                std::to_string(io::fapi_max_uci_part2_maps) +
                                " of a CONFIG.request");
  }
}

TestMacReport TestMacRun::run() {
  send(io::FapiParamRequest{});
  if (!wait_for(io::FapiMessageType::param_response)) {
    throw std::runtime_error("test MAC: no PARAM.response from the L1");
  }
  io::FapiConfigRequest config =
      io::to_fapi_config_request(pattern_.cell, pattern_.num_rx_antennas);
  if (pattern_.prach) {
    config.prach = io::to_fapi_prach_config(pattern_.prach->config);
  }
  for (const phy::CsiPart2SizeMap& map : csi_part2_maps_) { // UCI configuration TLV 0x1036
    config.uci_part2_maps.push_back({map.field_bits, map.part2_bits});
  }
  send(config);
  if (!wait_for(io::FapiMessageType::config_response)) {
    throw std::runtime_error("test MAC: no CONFIG.response from the L1");
  }
  if (message_->config_response.error_code != io::FapiErrorCode::msg_ok) {
    throw std::runtime_error(std::string("test MAC: the L1 refused the cell: ") +
                             io::fapi_error_code_name(message_->config_response.error_code));
  }
  send(io::FapiStartRequest{});
  auto last_heard = Clock::now();
  // The newest slot still owed indications (CRCs, PUSCH or PUCCH UCIs, SRS or RACH PDUs).
  const auto newest_owed = [this] {
    std::uint64_t newest = slots_.empty() ? 0 : slots_.rbegin()->first;
    for (const auto& [handle, pucch] : pucchs_) {
      newest = std::max(newest, pucch.slot);
    }
    for (const auto& [handle, uci] : ucis_) { // a UCI-only PUSCH owes no CRC, only this
      newest = std::max(newest, uci.slot);
    }
    for (const auto& [handle, srs] : srs_) {
      newest = std::max(newest, srs.slot);
    }
    if (!rach_occasions_.empty()) {
      newest = std::max(newest, rach_occasions_.rbegin()->first.first);
    }
    return newest;
  };
  while (!(scheduling_done_ && slots_.empty() && pucchs_.empty() && ucis_.empty() && srs_.empty() &&
           rach_occasions_.empty())) {
    // Slots whose indications never came (e.g. their UL_TTI.requests were too late and refused)
    // are not waited for once the L1's clock is well past the newest of them: they are reported
    // below, and the run ends.
    if (scheduling_done_ && last_slot_ > newest_owed() + 32) {
      break;
    }
    if (receive_and_handle(std::chrono::milliseconds(10))) {
      last_heard = Clock::now();
    } else if (Clock::now() - last_heard > options_.silence_timeout) {
      mismatch("the L1 fell silent");
      break;
    }
  }
  for (const auto& [slot, record] : slots_) {
    mismatch("no CRC for " + std::to_string(record.outstanding.size()) + " PDU(s) of slot " +
             std::to_string(slot));
  }
  send(io::FapiStopRequest{});
  stop_sent_ = true;
  samples_.session_stopped(); // a paced O-RU's frames of slots scheduled ahead go nowhere
  while (!stopped_) {
    if (!wait_for(io::FapiMessageType::stop_indication)) {
      mismatch("no STOP.indication from the L1");
      break;
    }
  }
  expire_ucis(std::numeric_limits<std::uint64_t>::max()); // waited for above: late or lost
  expire_pucchs(std::numeric_limits<std::uint64_t>::max());
  expire_srs(std::numeric_limits<std::uint64_t>::max());
  expire_rach(std::numeric_limits<std::uint64_t>::max());
  // TBs that failed and were owed a retransmission when scheduling stopped (drain_slots ran
  // out) were neither delivered nor lost: a run that ends with them has not shown them through.
  for (const UeState& ue : ues_) {
    for (const HarqProcess& process : ue.processes) {
      report_.tbs_unfinished += process.state == HarqProcess::State::needs_retransmission ? 1U : 0U;
    }
  }
  if (report_.tbs_unfinished > 0) {
    mismatch(std::to_string(report_.tbs_unfinished) +
             " TB(s) still owed a retransmission when scheduling stopped (drain_slots ran out)");
  }
  report_.mac_latency = summarize_latency(mac_latencies_);
  return report_;
}

} // namespace test_mac_detail

void check_slot_ahead(const TestMacOptions& options) {
  if (options.slot_ahead > 0 && options.clock != SlotClockMode::real_time) {
    throw std::invalid_argument(
        "test MAC: slot_ahead " + std::to_string(options.slot_ahead) +
        " needs the real-time clock (the stepped clock ends a slot when its samples are in, so "
        "the slots the MAC would schedule ahead never come)");
  }
  if (options.slot_ahead > FapiPhyConfig{}.max_advance_slots) {
    throw std::invalid_argument("test MAC: slot_ahead " + std::to_string(options.slot_ahead) +
                                " is more than the " +
                                std::to_string(FapiPhyConfig{}.max_advance_slots) +
                                " slots ahead an L1 takes a UL_TTI.request");
  }
}

TestMacReport run_test_mac(const LaunchPattern& pattern, io::FapiTransport& transport,
                           SlotSampleWriter& samples, const TestMacOptions& options) {
  check_slot_ahead(options);
  if (!(options.decode_error_budget >= 0.0 && options.decode_error_budget <= 1.0)) {
    throw std::invalid_argument("test MAC: the decoding error budget must be 0 .. 1, not " +
                                std::to_string(options.decode_error_budget));
  }
  test_mac_detail::TestMacRun run(pattern, transport, samples, options);
  TestMacReport report = run.run();
  judge_decoding(report, options.decode_error_budget);
  return report;
}

} // namespace airan::l1
