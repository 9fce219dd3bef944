#include "airan/l1/fapi_phy.h"

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pusch_conversion.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>

namespace airan::l1 {

const char* phy_state_name(PhyState state) {
  switch (state) {
  case PhyState::idle:
    return "IDLE";
  case PhyState::configured:
    return "CONFIGURED";
  case PhyState::running:
    return "RUNNING";
  }
  return "unknown";
}

namespace {

/// A slot's accepted UL_TTI.request, waiting for the slot's samples.
struct PendingSlot {
  bool used = false;
  std::uint64_t absolute_slot = 0;
  io::FapiSlotRequest request;
};

} // namespace

struct FapiPhy::Impl {
  Impl(FapiPhy& owner_in, io::FapiTransport& transport_in, IqSource& samples_in,
       const FapiPhyConfig& config_in)
      : owner(owner_in), transport(transport_in), samples(samples_in), config(config_in),
        message(std::make_unique<io::FapiMessage>()),
        receive_buffer(transport_in.max_message_size()),
        send_buffer(transport_in.max_message_size()),
        crc(std::make_unique<io::FapiCrcIndication>()),
        rx_data(std::make_unique<io::FapiRxDataIndication>()),
        pending(config_in.max_advance_slots + config_in.sample_wait_slots + 4) {
    latencies.reserve(config.max_latency_samples);
  }

  // --- plumbing ---
  void count(auto update) {
    std::lock_guard lock(stats_mutex);
    update(counters);
  }
  template <typename Message> bool send(const Message& out) {
    std::size_t size = 0;
    if (!io::encode_single_message(out, send_buffer, size).ok()) {
      count([](L1Counters& c) { ++c.send_failures; });
      return false;
    }
    for (unsigned attempt = 0;; ++attempt) {
      const auto status = transport.send(std::span(send_buffer).first(size));
      if (status == io::FapiTransportStatus::ok) {
        return true;
      }
      if (status != io::FapiTransportStatus::would_block || attempt >= config.send_retries) {
        count([](L1Counters& c) { ++c.send_failures; });
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void send_error(FapiSlotAddress at, io::FapiMessageType type, io::FapiErrorCode code) {
    io::FapiErrorIndication error;
    error.sfn = at.sfn;
    error.slot = at.slot;
    error.message_id = static_cast<std::uint8_t>(static_cast<std::uint16_t>(type) & 0xFF);
    error.error_code = code;
    count([&](L1Counters& c) {
      ++c.error_indications_sent;
      ++c.errors_by_code[std::min<std::size_t>(static_cast<std::size_t>(code), 8)];
    });
    send(error);
  }
  /// Counts a response that carries \p code: the cause's counter and the per-code tally.
  void count_response_error(std::uint64_t L1Counters::*cause, io::FapiErrorCode code) {
    count([&](L1Counters& c) {
      ++(c.*cause);
      ++c.errors_by_code[static_cast<std::size_t>(code)];
    });
  }
  /// True in \p required; otherwise counts the message and answers MSG_INVALID_STATE.
  bool in_state(PhyState required, FapiSlotAddress at, io::FapiMessageType type) {
    if (state() == required) {
      return true;
    }
    count([](L1Counters& c) { ++c.invalid_state; });
    send_error(at, type, io::FapiErrorCode::msg_invalid_state);
    return false;
  }
  /// Forgets every slot's pending UL_TTI work and samples (START, STOP).
  void clear_slots() {
    for (auto& slot : pending) {
      slot.used = false;
    }
    samples.clear();
  }
  [[nodiscard]] FapiSlotAddress now_address() const {
    return clock ? clock->current_address() : FapiSlotAddress{};
  }
  void set_state(PhyState state) { owner.state_.store(state, std::memory_order_relaxed); }
  [[nodiscard]] PhyState state() const { return owner.state(); }

  // --- messages ---
  void receive_all();
  void dispatch(std::span<const std::uint8_t> unit);
  void handle(const io::FapiMessage& in);
  void on_param();
  void on_config(const io::FapiConfigRequest& request);
  void on_start();
  void on_stop();
  void on_ul_tti(const io::FapiUlTtiRequest& request);

  // --- slots ---
  void send_slot_indication();
  void advance_slots(bool current_ended);
  bool close_slot(std::uint64_t absolute_slot, bool give_up);
  void run_slot(PendingSlot& slot, const ReceivedSlot& received);

  FapiPhy& owner;
  io::FapiTransport& transport;
  IqSource& samples;
  FapiPhyConfig config;
  std::unique_ptr<io::FapiMessage> message;
  std::vector<std::uint8_t> receive_buffer;
  std::vector<std::uint8_t> send_buffer;
  std::unique_ptr<io::FapiCrcIndication> crc;
  std::unique_ptr<io::FapiRxDataIndication> rx_data;
  std::vector<PendingSlot> pending;

  phy::CellConfig cell;
  unsigned num_rx_antennas = 0;
  std::unique_ptr<UlSlotProcessor> processor;
  std::optional<SlotClock> clock;
  std::uint64_t next_to_close = 0; ///< Oldest slot whose work is not done.

  mutable std::mutex stats_mutex;
  L1Counters counters;
  std::vector<double> latencies;
};

void FapiPhy::Impl::receive_all() {
  // Bounded, so that a flood cannot starve the slot work.
  for (int i = 0; i < 64; ++i) {
    const auto result = transport.receive(receive_buffer, std::chrono::microseconds(0));
    if (result.status != io::FapiTransportStatus::ok) {
      return;
    }
    dispatch(std::span(receive_buffer).first(result.size));
  }
}

void FapiPhy::Impl::dispatch(std::span<const std::uint8_t> unit) {
  io::FapiMessageReader reader(unit);
  io::FapiMessageView view;
  while (reader.next(view)) {
    const io::FapiError error = io::decode_message(view, *message);
    if (!error.ok()) {
      count([](L1Counters& c) { ++c.undecodable_messages; });
      send_error(now_address(), view.type, error.code);
      continue;
    }
    count([](L1Counters& c) { ++c.messages_received; });
    handle(*message);
  }
  if (!reader.error().ok()) {
    count([](L1Counters& c) { ++c.undecodable_messages; });
    send_error(now_address(), reader.error().message_type, reader.error().code);
  }
}

void FapiPhy::Impl::handle(const io::FapiMessage& in) {
  switch (in.type) {
  case io::FapiMessageType::param_request:
    on_param();
    return;
  case io::FapiMessageType::config_request:
    on_config(in.config_request);
    return;
  case io::FapiMessageType::start_request:
    on_start();
    return;
  case io::FapiMessageType::stop_request:
    on_stop();
    return;
  case io::FapiMessageType::ul_tti_request:
    on_ul_tti(in.ul_tti_request);
    return;
  default:
    count([](L1Counters& c) { ++c.unexpected_messages; });
    send_error(now_address(), in.type, io::FapiErrorCode::msg_invalid_state);
    return;
  }
}

void FapiPhy::Impl::on_param() {
  io::FapiParamResponse response;
  if (state() == PhyState::running) {
    count_response_error(&L1Counters::invalid_state, io::FapiErrorCode::msg_invalid_state);
    response.error_code = io::FapiErrorCode::msg_invalid_state;
    send(response);
    return;
  }
  auto& caps = response.capabilities;
  caps.release_capability = 1; // Rel-15
  caps.phy_state = static_cast<std::uint16_t>(state());
  caps.skip_blank_ul_config = 1;
  caps.cyclic_prefix = 0b11;                      // normal and extended
  caps.supported_subcarrier_spacings_ul = 0b1111; // 15 .. 120 kHz
  caps.uci_mux_ulsch_in_pusch = 0;
  caps.uci_only_pusch = 0;
  caps.pusch_frequency_hopping = 0;
  caps.pusch_dmrs_config_types = 1; // types 1 and 2
  caps.pusch_dmrs_max_len = 1;      // double-symbol DMRS
  caps.pusch_dmrs_additional_pos = 3;
  caps.pusch_cbg = 0;
  caps.pusch_mapping_type = 0b11;
  caps.pusch_allocation_types = 0b10; // type 1 only
  caps.pusch_vrb_to_prb_mapping = 0b01;
  caps.pusch_max_ptrs_ports = 0;
  caps.max_puschs_tbs_per_slot = static_cast<std::uint8_t>(io::fapi_max_pusch_pdus);
  caps.max_number_mimo_layers_non_cb_pusch =
      static_cast<std::uint8_t>(std::clamp(config.receiver.max_layers, 1U, 4U));
  caps.supported_modulation_order_ul = 3; // up to 256-QAM
  caps.max_mu_mimo_users_ul = 1;
  caps.dfts_ofdm_support = 0;
  caps.pusch_aggregation_factor = 0;
  caps.rssi_measurement_support = 2; // dBFS
  send(response);
}

void FapiPhy::Impl::on_config(const io::FapiConfigRequest& request) {
  io::FapiConfigResponse response;
  if (state() == PhyState::running) {
    count_response_error(&L1Counters::invalid_state, io::FapiErrorCode::msg_invalid_state);
    response.error_code = io::FapiErrorCode::msg_invalid_state;
    send(response);
    return;
  }
  phy::CellConfig new_cell;
  unsigned new_rx = 0;
  io::FapiError error = io::to_cell_config(request, new_cell, new_rx, &response);
  if (error.ok()) {
    try {
      processor = std::make_unique<UlSlotProcessor>(new_cell, new_rx, config.receiver);
      cell = new_cell;
      num_rx_antennas = new_rx;
      clock.emplace(cell.numerology, config.clock_mode, config.period_scale);
      set_state(PhyState::configured);
    } catch (const std::exception&) {
      error = io::make_fapi_error(
          io::FapiStatus::unsupported, io::FapiErrorCode::msg_invalid_config,
          io::FapiMessageType::config_request, 0, "the receiver cannot be built for this cell");
      response.error_code = io::FapiErrorCode::msg_invalid_config;
      io::FapiTlv rx_tlv;
      rx_tlv.tag = io::fapi_config_tag::num_rx_ant;
      response.invalid_or_unsupported.push(rx_tlv);
    }
  }
  if (!error.ok()) {
    response.error_code = io::FapiErrorCode::msg_invalid_config;
    count_response_error(&L1Counters::config_rejected, io::FapiErrorCode::msg_invalid_config);
  }
  send(response);
}

void FapiPhy::Impl::on_start() {
  if (!in_state(PhyState::configured, now_address(), io::FapiMessageType::start_request)) {
    return;
  }
  clear_slots();
  clock->start(SteadyClock::now());
  next_to_close = 0;
  set_state(PhyState::running);
  send_slot_indication();
}

void FapiPhy::Impl::on_stop() {
  if (!in_state(PhyState::running, now_address(), io::FapiMessageType::stop_request)) {
    return;
  }
  clear_slots();
  set_state(PhyState::configured);
  send(io::FapiStopIndication{});
}

void FapiPhy::Impl::on_ul_tti(const io::FapiUlTtiRequest& request) {
  const FapiSlotAddress address{request.sfn, request.slot};
  if (!in_state(PhyState::running, address, io::FapiMessageType::ul_tti_request)) {
    return;
  }
  if (request.slot >= clock->slots_per_frame()) {
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_invalid_sfn);
    return;
  }
  const std::uint64_t target =
      nearest_absolute_slot(clock->current(), address, clock->slots_per_frame());
  if (target < clock->current() || target < next_to_close) {
    count([](L1Counters& c) { ++c.ul_tti_late; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_slot_err);
    return;
  }
  if (target > clock->current() + config.max_advance_slots) {
    count([](L1Counters& c) { ++c.ul_tti_too_early; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::sfn_out_of_sync);
    return;
  }
  PendingSlot& slot = pending[target % pending.size()];
  if (slot.used) {
    count([](L1Counters& c) { ++c.ul_tti_duplicate; });
    send_error(address, io::FapiMessageType::ul_tti_request, io::FapiErrorCode::msg_slot_err);
    return;
  }
  io::to_slot_request(request, cell, slot.request);
  // PDUs with a layer count no receiver decodes are rejected like invalid ones.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < slot.request.num_pusch; ++i) {
    const auto& pdu = slot.request.pusch[i];
    if (processor->supports_layers(pdu.num_layers)) {
      slot.request.pusch[kept] = pdu;
      slot.request.source_index[kept] = slot.request.source_index[i];
      ++kept;
      continue;
    }
    auto& rejected = slot.request.rejected[slot.request.num_rejected++];
    rejected.pusch_index = slot.request.source_index[i];
    rejected.handle = pdu.handle;
    rejected.rnti = pdu.rnti;
    rejected.harq_process_id = static_cast<std::uint8_t>(pdu.harq_process_id);
    rejected.error =
        io::make_fapi_error(io::FapiStatus::unsupported, io::FapiErrorCode::msg_slot_err,
                            io::FapiMessageType::ul_tti_request, 0,
                            "%u layers: no receiver for that port count", pdu.num_layers);
  }
  slot.request.num_pusch = kept;
  if (slot.request.num_rejected > 0) {
    const auto rejected = slot.request.num_rejected;
    count([&](L1Counters& c) { c.pdus_rejected += rejected; });
    send_error(address, io::FapiMessageType::ul_tti_request, slot.request.rejected[0].error.code);
  }
  if (slot.request.num_pusch + slot.request.num_rejected == 0) {
    return; // Nothing to report for this slot.
  }
  slot.used = true;
  slot.absolute_slot = target;
  if (config.cplane != nullptr && slot.request.num_pusch > 0) {
    config.cplane->send_slot(request.sfn, request.slot, slot.request.pdus());
  }
}

void FapiPhy::Impl::send_slot_indication() {
  const FapiSlotAddress address = clock->current_address();
  io::FapiSlotIndication indication;
  indication.sfn = address.sfn;
  indication.slot = address.slot;
  if (send(indication)) {
    count([](L1Counters& c) { ++c.slot_indications_sent; });
  }
}

void FapiPhy::Impl::run_slot(PendingSlot& slot, const ReceivedSlot& received) {
  UlSlotOutcome outcome;
  try {
    outcome = processor->process(slot.request, received, *crc, *rx_data);
  } catch (const std::exception&) {
    // Samples of the wrong shape: report every PDU as failed and carry on.
    outcome = processor->process(slot.request, ReceivedSlot{}, *crc, *rx_data);
  }
  std::uint64_t failed = 0;
  for (const auto& entry : crc->entries()) {
    failed += entry.tb_crc_status != 0 ? 1U : 0U;
  }
  // Counted before the indications leave, so that a MAC reading the counters after it got them
  // sees them.
  count([&](L1Counters& c) {
    ++c.slots_processed;
    c.slots_without_samples += outcome.samples_missing ? 1U : 0U;
    c.pdus_decoded += outcome.num_decoded;
    c.crc_ok += crc->num_crcs - failed;
    c.crc_failed += failed;
  });
  send(*rx_data);
  const bool sent = send(*crc);
  const auto left = SteadyClock::now();
  if (sent && received.has_samples()) {
    std::lock_guard lock(stats_mutex);
    if (latencies.size() < config.max_latency_samples) {
      latencies.push_back(
          std::chrono::duration<double, std::micro>(left - received.available_at).count());
    }
  }
}

bool FapiPhy::Impl::close_slot(std::uint64_t absolute_slot, bool give_up) {
  const FapiSlotAddress address = to_slot_address(absolute_slot, clock->slots_per_frame());
  PendingSlot& slot = pending[absolute_slot % pending.size()];
  const bool has_work = slot.used && slot.absolute_slot == absolute_slot;
  ReceivedSlot received;
  const bool got = samples.try_acquire(address.sfn, address.slot, received);
  if (has_work) {
    if (!got && !give_up) {
      return false;
    }
    run_slot(slot, got ? received : ReceivedSlot{});
    slot.used = false;
  }
  if (got) {
    samples.release(address.sfn, address.slot);
  }
  return true;
}

void FapiPhy::Impl::advance_slots(bool current_ended) {
  if (current_ended) {
    clock->advance();
    send_slot_indication();
  }
  // Close every slot that is over, in order.
  while (next_to_close < clock->current()) {
    const bool give_up = clock->mode() == SlotClockMode::stepped ||
                         clock->current() - next_to_close > config.sample_wait_slots;
    if (!close_slot(next_to_close, give_up)) {
      return;
    }
    ++next_to_close;
  }
}

FapiPhy::FapiPhy(io::FapiTransport& transport, IqSource& samples, const FapiPhyConfig& config)
    : impl_(std::make_unique<Impl>(*this, transport, samples, config)) {}

FapiPhy::~FapiPhy() = default;

void FapiPhy::poll_once() {
  Impl& s = *impl_;
  const bool running = state() == PhyState::running;
  bool ended = false;
  if (running && s.clock->mode() == SlotClockMode::stepped) {
    // Wait for the samples that end the slot on air. Whether it ended is decided before the
    // messages are drained, so that a UL_TTI.request sent before the samples is never late.
    const FapiSlotAddress address = s.clock->current_address();
    ended = s.samples.wait_for(address.sfn, address.slot, s.config.poll_interval);
  } else if (running) {
    const auto now = SteadyClock::now();
    const auto end = s.clock->current_slot_end();
    if (end > now) {
      std::this_thread::sleep_for(
          std::min<SteadyClock::duration>(end - now, s.config.poll_interval));
    }
    ended = s.clock->current_slot_ended(SteadyClock::now(), s.samples);
  } else {
    const auto result = s.transport.receive(s.receive_buffer, std::chrono::milliseconds(1));
    if (result.status == io::FapiTransportStatus::ok) {
      s.dispatch(std::span(s.receive_buffer).first(result.size));
    }
  }
  s.receive_all();
  if (state() == PhyState::running) {
    s.advance_slots(ended && running);
  }
}

void FapiPhy::run() {
  while (!stop_requested_.load(std::memory_order_relaxed)) {
    try {
      poll_once();
    } catch (const std::exception&) {
      // Nothing in a slot may stop the PHY; what failed was counted where it failed.
      impl_->count([](L1Counters& c) { ++c.internal_errors; });
    }
  }
}

L1Counters FapiPhy::counters() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->counters;
}

std::vector<double> FapiPhy::latencies_us() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->latencies;
}

} // namespace airan::l1
