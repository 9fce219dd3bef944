#include "airan/io/cplane_timing_window.h"

#include "airan/io/ecpri.h"
#include "airan/io/oran_cplane.h"

namespace airan::io {

CplaneArrivalTally& CplaneArrivalTally::operator+=(const CplaneArrivalTally& other) {
  on_time += other.on_time;
  early += other.early;
  late += other.late;
  unclassified += other.unclassified;
  return *this;
}

std::optional<CplaneMessageStart> first_cplane_message_start(std::span<const std::uint8_t> frame,
                                                             const FronthaulSlotClock& clock) {
  const auto parsed = parse_ecpri_frame(frame);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  std::optional<CplaneMessageStart> first;
  bool seen = false; // the first C-plane message decides, whether it names a slot or not
  const auto take = [&](const EcpriMessageView& ecpri) {
    if (seen || ecpri.header.type != EcpriMessageType::real_time_control) {
      return;
    }
    seen = true;
    const auto message = parse_cplane_message(ecpri.application_payload);
    if (!message.ok()) {
      return;
    }
    const OranTimingHeader& timing = message.message.header.timing;
    if (const auto cycle_slot = clock.cycle_slot(timing)) {
      first = CplaneMessageStart{*cycle_slot, timing.symbol_id, ecpri.header.eaxc_id};
    }
  };
  for_each_ecpri_message(frame, parsed.frame, take);
  return first;
}

CplaneArrivalTally tally_cplane_arrival(std::span<const std::uint8_t> frame,
                                        const FronthaulSlotClock& clock, std::int64_t epoch_ns,
                                        std::int64_t arrival_ns, const CplaneWindow& window) {
  CplaneArrivalTally tally;
  const auto parsed = parse_ecpri_frame(frame);
  if (!parsed.ok()) {
    ++tally.unclassified;
    return tally;
  }
  const std::int64_t arrival_slot = clock.absolute_slot_at(epoch_ns, arrival_ns);
  const auto classify = [&](const EcpriMessageView& ecpri) {
    if (ecpri.header.type != EcpriMessageType::real_time_control) {
      return;
    }
    const auto message = parse_cplane_message(ecpri.application_payload);
    const auto cycle_slot =
        message.ok() ? clock.cycle_slot(message.message.header.timing) : std::nullopt;
    if (!cycle_slot) {
      ++tally.unclassified;
      return;
    }
    const std::int64_t symbol_start =
        clock.symbol_start_ns(epoch_ns, clock.resolve(*cycle_slot, arrival_slot),
                              message.message.header.timing.symbol_id);
    const CplaneTiming timing = window.classify(arrival_ns, symbol_start);
    ++(timing == CplaneTiming::early  ? tally.early
       : timing == CplaneTiming::late ? tally.late
                                      : tally.on_time);
  };
  if (for_each_ecpri_message(frame, parsed.frame, classify).status != EcpriParseStatus::ok) {
    ++tally.unclassified; // the announced message after the last one did not parse
  }
  return tally;
}

} // namespace airan::io
