// libFuzzer target for the FAPI L1 (FapiPhy) as a MAC drives it: what the codec accepts must
// still be handled, whatever the state, the slot or the PDUs' fields. Each input starts a fresh
// PHY (stepped clock, CPU receiver, 24 PRBs at 30 kHz, 2 Rx) with CONFIG.request and
// START.request, then runs the input as a list of steps:
//   op 0, u16 length, bytes : the bytes as one transport unit (PHY API header and messages)
//   op 1, u8 type, u16 length, bytes : one message of that type with the bytes as its body
//   op 2 : the samples of the slot on air (that of the PHY's latest SLOT.indication) as an
//          all-zero grid, so that the slot's PDUs go through the receivers
//   op 3 : that slot's samples as "none" (its PDUs fail without being received)
// (op is the step's first byte modulo 4) with one poll_once() after each. poll_once() must never
// throw (FapiPhy::run() would count an internal error and lose the slot), every message the PHY
// sends must encode (no send failure) and fit the smallest transport, and every unit decode.
//
// Seeds: with AIRAN_FUZZ_WRITE_SEEDS=DIR the binary writes a few valid sessions (UL_TTI.requests
// with PUSCH, UCI, PUCCH and SRS PDUs on time, late, too early and twice; STOP and START; a second
// CONFIG.request) to DIR and exits (tests/fuzz/seeds/fapi_phy).
#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"
#include "airan/io/fapi_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/iq_source.h"
#include "airan/l1/slot_clock.h"
#include "airan/phy/resource_grid.h"

#include "../support/fapi_units.h"
#include "../support/queued_fapi_transport.h"
#include "fuzz_seeds.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace airan;
using io::FapiMessageType;

constexpr unsigned num_rx = 2;

/// The MAC's units queued for the PHY; what the PHY sends is checked as it is sent. The size is
/// the smallest of the product's transports (shared memory, 512 KiB): whatever the L1 sends
/// must fit it.
class CheckingTransport final : public test::QueuedFapiTransport {
public:
  CheckingTransport() : QueuedFapiTransport(std::size_t{1} << 19) {}
  io::FapiTransportStatus send(std::span<const std::uint8_t> unit) override {
    io::FapiMessageReader reader(unit);
    io::FapiMessageView view;
    while (reader.next(view)) {
      if (!io::decode_message(view, *message_).ok()) {
        __builtin_trap(); // the PHY sent a message that does not decode
      }
      if (message_->type == FapiMessageType::slot_indication) {
        on_air = l1::FapiSlotAddress{message_->slot_indication.sfn, message_->slot_indication.slot};
      }
    }
    if (!reader.error().ok()) {
      __builtin_trap(); // a unit whose headers do not add up
    }
    return io::FapiTransportStatus::ok;
  }

  l1::FapiSlotAddress on_air{}; ///< The latest SLOT.indication's slot.

private:
  std::unique_ptr<io::FapiMessage> message_ = std::make_unique<io::FapiMessage>();
};

phy::CellConfig fuzz_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 3;
  return cell;
}

template <typename Message> std::vector<std::uint8_t> encoded(const Message& message) {
  std::vector<std::uint8_t> unit(1 << 16);
  std::size_t size = 0;
  if (!io::encode_single_message(message, unit, size).ok()) {
    std::abort();
  }
  unit.resize(size);
  return unit;
}

/// Reads steps from the input; false at its end.
class StepReader {
public:
  explicit StepReader(std::span<const std::uint8_t> data) : data_(data) {}
  bool byte(std::uint8_t& out) {
    if (position_ >= data_.size()) {
      return false;
    }
    out = data_[position_++];
    return true;
  }
  std::span<const std::uint8_t> bytes() {
    std::uint8_t low = 0;
    std::uint8_t high = 0;
    if (!byte(low) || !byte(high)) {
      return {};
    }
    const std::size_t length = std::min<std::size_t>(low | (high << 8), data_.size() - position_);
    const auto out = data_.subspan(position_, length);
    position_ += length;
    return out;
  }

private:
  std::span<const std::uint8_t> data_;
  std::size_t position_ = 0;
};

/// A session's seed: the steps that deliver each of \p units, each followed by op 2.
void append_steps(std::vector<std::uint8_t>& seed, const std::vector<std::uint8_t>& unit,
                  bool samples_after) {
  seed.push_back(0);
  seed.push_back(static_cast<std::uint8_t>(unit.size()));
  seed.push_back(static_cast<std::uint8_t>(unit.size() >> 8));
  seed.insert(seed.end(), unit.begin(), unit.end());
  if (samples_after) {
    seed.push_back(2);
  }
}

io::FapiUlTtiRequest seed_request(const phy::CellConfig& cell, std::uint16_t slot) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = 7;
  pusch.bwp_size = cell.num_prbs;
  pusch.prb_size = 12;
  pusch.mcs_index = 9;
  pusch.harq_process_id = 3;
  pusch.uci.harq_ack_bits = 2;
  pusch.uci.csi_part1_bits = 14;
  io::FapiUlTtiRequest request;
  request.slot = slot;
  if (!io::to_fapi_pusch_pdu(pusch, cell, request.pusch[0]).ok()) {
    std::abort();
  }
  request.num_pusch = 1;
  phy::PucchConfig f1;
  f1.handle = 8;
  f1.bwp_size = cell.num_prbs;
  f1.prb_start = 20;
  f1.harq_bits = 2;
  f1.sr_bits = 1;
  phy::PucchConfig f3 = f1;
  f3.handle = 9;
  f3.format = phy::PucchFormat::format3;
  f3.prb_start = 14;
  f3.num_prbs = 2;
  f3.harq_bits = 20;
  request.pucch[0] = io::to_fapi_pucch_pdu(f1, cell);
  request.pucch[1] = io::to_fapi_pucch_pdu(f3, cell);
  request.num_pucch = 2;
  // SRS: 2 ports hopping over two symbols, and 4 ports on comb 4 split over two combs.
  phy::SrsConfig hopping;
  hopping.handle = 10;
  hopping.bwp_size = cell.num_prbs;
  hopping.num_ports = 2;
  hopping.num_symbols = 2;
  hopping.start_symbol = 12;
  hopping.c_srs = 3;
  hopping.b_srs = 1;
  hopping.group_or_sequence_hopping = phy::SrsHopping::group;
  phy::SrsConfig split = hopping;
  split.handle = 11;
  split.num_ports = 4;
  split.num_symbols = 1;
  split.start_symbol = 13;
  split.comb_size = 4;
  split.cyclic_shift = 9;
  split.b_srs = 0;
  split.resource_type = phy::SrsResourceType::periodic;
  split.periodicity = 4;
  split.slot_offset = slot % 4;
  if (!hopping.validate(cell).empty() || !split.validate(cell).empty()) {
    std::abort();
  }
  request.srs[0] = io::to_fapi_srs_pdu(hopping, cell);
  request.srs[1] = io::to_fapi_srs_pdu(split, cell);
  request.num_srs = 2;
  return request;
}

void write_seeds(const std::string& dir) {
  const phy::CellConfig cell = fuzz_cell();
  std::vector<std::vector<std::uint8_t>> seeds(4);
  // On time, slot after slot.
  for (std::uint16_t slot = 0; slot < 3; ++slot) {
    append_steps(seeds[0], encoded(seed_request(cell, slot)), true);
  }
  // Late (the slot is over), too early, twice for one slot.
  seeds[1].push_back(2);
  seeds[1].push_back(2);
  append_steps(seeds[1], encoded(seed_request(cell, 0)), false);
  append_steps(seeds[1], encoded(seed_request(cell, 15)), false);
  append_steps(seeds[1], encoded(seed_request(cell, 3)), false);
  append_steps(seeds[1], encoded(seed_request(cell, 3)), true);
  // STOP, a second CONFIG.request, START, a slot without samples.
  append_steps(seeds[2], encoded(io::FapiStopRequest{}), false);
  phy::CellConfig wider = cell;
  wider.num_prbs = 51;
  append_steps(seeds[2], encoded(io::to_fapi_config_request(wider, num_rx)), false);
  append_steps(seeds[2], encoded(io::FapiStartRequest{}), false);
  append_steps(seeds[2], encoded(seed_request(cell, 0)), false);
  seeds[2].push_back(3);
  // PARAM.request while running, then a slot.
  append_steps(seeds[3], encoded(io::FapiParamRequest{}), false);
  append_steps(seeds[3], encoded(seed_request(cell, 0)), true);
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    fuzz::write_seed_file(dir + "/seed-" + std::to_string(i), seeds[i]);
  }
}

} // namespace

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer's entry point
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  airan::fuzz::write_seeds_when_asked(write_seeds);
  return 0;
}

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer's entry point
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const phy::CellConfig cell = fuzz_cell();
  static const std::vector<std::uint8_t> config = encoded(io::to_fapi_config_request(cell, num_rx));
  static const std::vector<std::uint8_t> start = encoded(io::FapiStartRequest{});
  static phy::ResourceGrid zeros(num_rx, 14, 12 * cell.num_prbs);
  CheckingTransport transport;
  l1::InMemoryIqSource samples(l1::InMemoryIqSourceConfig{4, num_rx, 14, 12 * cell.num_prbs});
  l1::FapiPhyConfig phy_config;
  phy_config.receiver.max_layers = 2;
  phy_config.receiver.num_harq_buffers = 8;
  phy_config.poll_interval = std::chrono::microseconds(0);
  phy_config.max_latency_samples = 16;
  l1::FapiPhy phy(transport, samples, phy_config);
  for (const auto* unit : {&config, &start}) {
    transport.inbound.push_back(*unit);
    phy.poll_once();
  }
  StepReader steps(std::span(data, size));
  std::uint8_t op = 0;
  while (steps.byte(op)) {
    switch (op % 4) {
    case 0: {
      const auto unit = steps.bytes();
      transport.inbound.emplace_back(unit.begin(), unit.end());
      break;
    }
    case 1: {
      std::uint8_t type = 0;
      if (!steps.byte(type)) {
        return 0;
      }
      transport.inbound.push_back(test::fapi_unit(std::uint16_t{type}, steps.bytes()));
      break;
    }
    case 2:
      static_cast<void>(samples.push_grid(transport.on_air.sfn, transport.on_air.slot, zeros,
                                          std::chrono::microseconds(0)));
      break;
    default:
      static_cast<void>(samples.push_empty(transport.on_air.sfn, transport.on_air.slot,
                                           std::chrono::microseconds(0)));
      break;
    }
    phy.poll_once(); // throws nothing: an exception escaping it is a finding
    // The transport takes everything: a send failure is a message the L1 could not encode.
    if (phy.counters().send_failures != 0) {
      __builtin_trap();
    }
  }
  return 0;
}
