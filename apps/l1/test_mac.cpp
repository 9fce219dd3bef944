#include "airan/l1/test_mac.h"

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/l1/uplink_signal.h"
#include "airan/phy/pusch_receiver.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

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

namespace {

using Clock = SteadyClock;

struct HarqProcess {
  enum class State : std::uint8_t { idle, awaiting_crc, needs_retransmission };
  State state = State::idle;
  std::uint64_t tb_seed = 0;
  unsigned transmissions = 0; ///< Of the current TB.
  bool first_failed = false;
  std::uint32_t handle = 0;           ///< Of the transmission awaiting its CRC.
  std::vector<std::uint8_t> expected; ///< The TB's bytes.
  std::vector<std::uint8_t> received; ///< RX_DATA payload of the pending transmission.
  bool rx_data_seen = false;
};

struct UeState {
  std::vector<HarqProcess> processes;
  std::uint64_t tb_counter = 0;
};

/// What was sent in a slot and is still owed a CRC.
struct SlotRecord {
  Clock::time_point samples_pushed{};
  std::vector<std::uint32_t> outstanding; ///< Handles without a CRC yet.
  std::string line;                       ///< Per-slot summary being built.
};

struct HandleOwner {
  std::size_t ue = 0;
  std::size_t process = 0;
  std::uint64_t slot = 0;
  unsigned rv = 0;
};

class TestMacRun {
public:
  TestMacRun(const LaunchPattern& pattern, io::FapiTransport& transport, SlotSampleWriter& samples,
             const TestMacOptions& options)
      : pattern_(pattern), transport_(transport), samples_(samples), options_(options),
        message_(std::make_unique<io::FapiMessage>()), buffer_(transport.max_message_size()),
        ul_tti_(std::make_unique<io::FapiUlTtiRequest>()),
        generator_(pattern.cell, pattern.num_rx_antennas, pattern.channel, ue_layers(pattern),
                   pattern.snr_db, pattern.seed),
        ues_(pattern.ues.size()), slots_per_frame_(10U << pattern.cell.numerology) {
    for (auto& ue : ues_) {
      ue.processes.resize(pattern.harq.num_processes);
    }
  }

  TestMacReport run();

private:
  static std::vector<unsigned> ue_layers(const LaunchPattern& pattern) {
    std::vector<unsigned> layers;
    for (const auto& ue : pattern.ues) {
      layers.push_back(ue.pusch.num_layers);
    }
    return layers;
  }
  void mismatch(const std::string& text) {
    ++report_.mismatches;
    if (report_.mismatch_details.size() < 20) {
      report_.mismatch_details.push_back(text);
    }
    if (options_.log != nullptr) {
      *options_.log << "MISMATCH: " << text << '\n';
    }
  }
  template <typename Message> void send(const Message& message) {
    std::size_t size = 0;
    const io::FapiError error = io::encode_single_message(message, buffer_, size);
    if (!error.ok()) {
      throw std::runtime_error("test MAC: cannot encode " +
                               std::string(io::fapi_message_type_name(Message::message_type)) +
                               ": " + std::string(error.reason()));
    }
    for (int attempt = 0;
         transport_.send(std::span(buffer_).first(size)) != io::FapiTransportStatus::ok;
         ++attempt) {
      if (attempt > 1000) {
        throw std::runtime_error("test MAC: the transport refuses to send");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
  /// Waits for the next message of type \p type, handling the others; false on silence.
  bool wait_for(io::FapiMessageType type);
  bool receive_and_handle(std::chrono::microseconds timeout);
  void handle(const io::FapiMessage& message);
  void on_slot(std::uint64_t absolute_slot);
  void on_rx_data(const io::FapiRxDataIndication& indication);
  void on_crc(const io::FapiCrcIndication& indication);
  bool all_idle() const {
    return std::ranges::all_of(ues_, [](const UeState& ue) {
      return std::ranges::all_of(
          ue.processes, [](const HarqProcess& p) { return p.state == HarqProcess::State::idle; });
    });
  }
  std::uint64_t absolute_of(std::uint16_t sfn, std::uint16_t slot) const {
    return nearest_absolute_slot(last_slot_, {sfn, slot}, slots_per_frame_);
  }

  const LaunchPattern& pattern_;
  io::FapiTransport& transport_;
  SlotSampleWriter& samples_;
  TestMacOptions options_;
  std::unique_ptr<io::FapiMessage> message_;
  std::vector<std::uint8_t> buffer_;
  std::unique_ptr<io::FapiUlTtiRequest> ul_tti_;
  UplinkSignalGenerator generator_;
  std::vector<UeState> ues_;
  unsigned slots_per_frame_;
  std::map<std::uint64_t, SlotRecord> slots_;
  std::unordered_map<std::uint32_t, HandleOwner> handles_;
  std::vector<UeTransmission> transmissions_;
  std::vector<double> mac_latencies_;
  std::uint32_t next_handle_ = 1;
  std::uint64_t last_slot_ = 0;
  bool scheduling_done_ = false;
  bool stopped_ = false;
  io::FapiMessageType last_type_ = io::FapiMessageType::param_request;
  TestMacReport report_;
};

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
    on_slot(absolute_of(message.slot_indication.sfn, message.slot_indication.slot));
    return;
  case io::FapiMessageType::rx_data_indication:
    on_rx_data(message.rx_data_indication);
    return;
  case io::FapiMessageType::crc_indication:
    on_crc(message.crc_indication);
    return;
  case io::FapiMessageType::error_indication: {
    const auto& e = message.error_indication;
    ++report_.error_indications;
    mismatch("ERROR.indication for message 0x" + std::to_string(e.message_id) + " at SFN " +
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

void TestMacRun::on_slot(std::uint64_t absolute_slot) {
  ++report_.slots;
  last_slot_ = absolute_slot;
  const FapiSlotAddress address = to_slot_address(absolute_slot, slots_per_frame_);
  const std::chrono::seconds push_timeout(5);
  if (!scheduling_done_ && absolute_slot >= pattern_.num_slots &&
      (all_idle() || absolute_slot >= pattern_.num_slots + pattern_.drain_slots)) {
    scheduling_done_ = true;
  }
  transmissions_.clear();
  ul_tti_->sfn = address.sfn;
  ul_tti_->slot = address.slot;
  ul_tti_->num_pusch = 0;
  ul_tti_->num_groups = 0;
  SlotRecord record;
  for (std::size_t u = 0; u < pattern_.ues.size() && !scheduling_done_; ++u) {
    const PatternUe& ue = pattern_.ues[u];
    if ((absolute_slot + ue.period_slots - ue.offset_slots % ue.period_slots) % ue.period_slots !=
        0) {
      continue;
    }
    auto& processes = ues_[u].processes;
    auto chosen = std::ranges::find_if(processes, [](const HarqProcess& p) {
      return p.state == HarqProcess::State::needs_retransmission;
    });
    if (chosen == processes.end() && absolute_slot < pattern_.num_slots) {
      chosen = std::ranges::find_if(
          processes, [](const HarqProcess& p) { return p.state == HarqProcess::State::idle; });
      if (chosen != processes.end()) {
        chosen->tb_seed = apps::derive_seed(pattern_.seed, u, ues_[u].tb_counter++, 0x7B);
        chosen->transmissions = 0;
        chosen->first_failed = false;
        chosen->expected.clear();
      }
    }
    if (chosen == processes.end()) {
      continue;
    }
    HarqProcess& process = *chosen;
    UeTransmission tx;
    tx.ue = u;
    tx.tb_seed = process.tb_seed;
    tx.pusch = ue.pusch;
    tx.pusch.handle = next_handle_++;
    tx.pusch.harq_process_id = static_cast<unsigned>(chosen - processes.begin());
    tx.pusch.rv =
        pattern_.harq.rv_sequence[process.transmissions % pattern_.harq.rv_sequence.size()];
    tx.pusch.new_data_indicator = process.transmissions == 0;
    phy::CellConfig ue_cell = pattern_.cell;
    ue_cell.num_antenna_ports = ue.pusch.num_layers;
    const io::FapiError error =
        io::to_fapi_pusch_pdu(tx.pusch, ue_cell, ul_tti_->pusch[ul_tti_->num_pusch]);
    if (!error.ok()) {
      throw std::invalid_argument(
          "test MAC: UE " + std::to_string(ue.rnti) +
          ": PUSCH not expressible in FAPI: " + std::string(error.reason()));
    }
    ul_tti_->pusch_pdu_index[ul_tti_->num_pusch] = static_cast<std::uint8_t>(ul_tti_->num_pusch);
    ++ul_tti_->num_pusch;
    (process.transmissions == 0 ? report_.new_tbs : report_.retransmissions) += 1;
    process.state = HarqProcess::State::awaiting_crc;
    process.handle = tx.pusch.handle;
    process.rx_data_seen = false;
    ++process.transmissions;
    handles_[tx.pusch.handle] = {u, tx.pusch.harq_process_id, absolute_slot, tx.pusch.rv};
    record.outstanding.push_back(tx.pusch.handle);
    transmissions_.push_back(tx);
  }
  if (transmissions_.empty()) {
    samples_.push_empty(address.sfn, address.slot, push_timeout);
    return;
  }
  // UL_TTI.request first, then the slot's samples: the slot is over when they are in.
  send(*ul_tti_);
  report_.pdus_sent += ul_tti_->num_pusch;
  generator_.generate(transmissions_, absolute_slot);
  for (std::size_t i = 0; i < transmissions_.size(); ++i) {
    HarqProcess& process =
        ues_[transmissions_[i].ue].processes[transmissions_[i].pusch.harq_process_id];
    std::vector<std::uint8_t> bytes;
    phy::pack_bits_msb_first(generator_.tb_bits(i), bytes);
    if (process.expected.empty()) {
      process.expected = std::move(bytes);
    } else if (bytes != process.expected) {
      mismatch("internal: a retransmission's TB differs from its first transmission");
    }
  }
  const bool pushed =
      generator_.time_domain()
          ? samples_.push_iq(address.sfn, address.slot, generator_.iq(), push_timeout)
          : samples_.push_grid(address.sfn, address.slot, generator_.grid(), push_timeout);
  if (!pushed) {
    mismatch("the L1 did not take the samples of slot " + std::to_string(absolute_slot));
  }
  record.samples_pushed = Clock::now();
  slots_[absolute_slot] = std::move(record);
}

void TestMacRun::on_rx_data(const io::FapiRxDataIndication& indication) {
  for (const auto& pdu : indication.entries()) {
    const auto owner = handles_.find(pdu.handle);
    if (owner == handles_.end()) {
      mismatch("RX_DATA for unknown handle " + std::to_string(pdu.handle));
      continue;
    }
    HarqProcess& process = ues_[owner->second.ue].processes[owner->second.process];
    process.received.assign(pdu.payload.begin(), pdu.payload.end());
    process.rx_data_seen = true;
  }
}

void TestMacRun::on_crc(const io::FapiCrcIndication& indication) {
  const auto now = Clock::now();
  const std::uint64_t absolute_slot = absolute_of(indication.sfn, indication.slot);
  const auto record = slots_.find(absolute_slot);
  if (record == slots_.end()) {
    mismatch("CRC.indication for slot " + std::to_string(absolute_slot) + " without PUSCH");
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
  if (options_.log != nullptr && options_.per_slot_lines) {
    char latency[48];
    std::snprintf(latency, sizeof(latency), "  (%.0f us)", mac_latencies_.back());
    *options_.log << line.str() << latency << '\n';
  }
}

TestMacReport TestMacRun::run() {
  send(io::FapiParamRequest{});
  if (!wait_for(io::FapiMessageType::param_response)) {
    throw std::runtime_error("test MAC: no PARAM.response from the L1");
  }
  send(io::to_fapi_config_request(pattern_.cell, pattern_.num_rx_antennas));
  if (!wait_for(io::FapiMessageType::config_response)) {
    throw std::runtime_error("test MAC: no CONFIG.response from the L1");
  }
  if (message_->config_response.error_code != io::FapiErrorCode::msg_ok) {
    throw std::runtime_error(std::string("test MAC: the L1 refused the cell: ") +
                             io::fapi_error_code_name(message_->config_response.error_code));
  }
  send(io::FapiStartRequest{});
  auto last_heard = Clock::now();
  while (!(scheduling_done_ && slots_.empty())) {
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
  while (!stopped_) {
    if (!wait_for(io::FapiMessageType::stop_indication)) {
      mismatch("no STOP.indication from the L1");
      break;
    }
  }
  report_.mac_latency = summarize_latency(mac_latencies_);
  return report_;
}

} // namespace

TestMacReport run_test_mac(const LaunchPattern& pattern, io::FapiTransport& transport,
                           SlotSampleWriter& samples, const TestMacOptions& options) {
  TestMacRun run(pattern, transport, samples, options);
  return run.run();
}

} // namespace airan::l1
