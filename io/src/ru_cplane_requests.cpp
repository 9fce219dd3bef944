/// \file
/// \brief An emulated O-RU's reading of the DU's uplink C-plane (see ru_cplane_requests.h).
#include "airan/io/ru_cplane_requests.h"

#include <algorithm>
#include <optional>

namespace airan::io {
namespace {

constexpr std::uint16_t full_re_mask = 0xFFF;

/// Whether the O-RU can serve \p section as asked, its symbols starting at \p first_symbol.
bool servable(const CplaneSection& section, unsigned first_symbol, const RuCplaneScope& scope) {
  const unsigned prbs = section.num_prbs == 0 ? scope.carrier_prbs : section.num_prbs;
  return !section.every_other_prb && !section.has_extensions && section.re_mask == full_re_mask &&
         section.num_symbols >= 1 && first_symbol + section.num_symbols <= scope.symbols_per_slot &&
         section.start_prb + prbs <= scope.carrier_prbs;
}

/// Whether \p message is an uplink type 3 PRACH request (filterIndex != 0) on one of the
/// carrier's PRACH RU ports.
bool is_prach_request(const FronthaulFrameView& message, const RuCplaneScope& scope) {
  const CplaneMessageHeader& header = message.cplane.header;
  const EaxcId& eaxc = message.eaxc;
  return message.plane == FronthaulPlane::cplane &&
         header.timing.direction == DataDirection::uplink &&
         header.section_type == CplaneSectionType::prach_mixed_numerology &&
         header.timing.filter_index != 0 && eaxc.du_port == scope.du_port &&
         eaxc.band_sector == scope.band_sector && eaxc.cc == scope.cc &&
         eaxc.ru_port >= scope.prach_first_ru_port &&
         eaxc.ru_port - scope.prach_first_ru_port < scope.num_ru_ports;
}

/// Appends one request per section of the PRACH message \p message to \p requests.
RuCplaneTally append_prach_requests(const FronthaulFrameView& message, const RuCplaneScope& scope,
                                    std::vector<RuPrachRequest>& requests) {
  RuCplaneTally tally;
  tally.messages = 1;
  const unsigned antenna = message.eaxc.ru_port - scope.prach_first_ru_port;
  for (const auto& view : message.cplane.sections) {
    requests.push_back({antenna, message.cplane.header, view.section});
    ++tally.sections_taken;
  }
  return tally;
}

/// Whether \p message is an uplink type 1 request (filterIndex 0) for the carrier's PUSCH data.
bool takes_section_requests(const FronthaulFrameView& message, const RuCplaneScope& scope) {
  const CplaneMessageHeader& header = message.cplane.header;
  const EaxcId& eaxc = message.eaxc;
  return message.plane == FronthaulPlane::cplane &&
         header.timing.direction == DataDirection::uplink &&
         header.section_type == CplaneSectionType::normal && header.timing.filter_index == 0 &&
         eaxc.du_port == scope.du_port && eaxc.band_sector == scope.band_sector &&
         eaxc.cc == scope.cc && eaxc.ru_port < scope.num_ru_ports;
}

} // namespace

RuCplaneTally& RuCplaneTally::operator+=(const RuCplaneTally& other) {
  messages += other.messages;
  messages_ignored += other.messages_ignored;
  sections_taken += other.sections_taken;
  sections_ignored += other.sections_ignored;
  messages_without_room += other.messages_without_room;
  return *this;
}

RuCplaneTally append_section_requests(const FronthaulFrameView& message, const RuCplaneScope& scope,
                                      std::vector<RuSectionRequest>& requests) {
  RuCplaneTally tally;
  tally.messages = 1;
  if (!takes_section_requests(message, scope)) {
    tally.messages_ignored = 1;
    return tally;
  }
  const CplaneMessageHeader& header = message.cplane.header;
  const EaxcId& eaxc = message.eaxc;
  unsigned symbol = header.timing.symbol_id;
  for (const auto& view : message.cplane.sections) {
    const CplaneSection& section = view.section;
    if (section.symbol_increment) {
      ++symbol; // symInc: the next symbol, for this section and those after it
    }
    if (!servable(section, symbol, scope)) {
      ++tally.sections_ignored;
      continue;
    }
    requests.push_back({eaxc.ru_port, static_cast<std::uint8_t>(symbol), section});
    ++tally.sections_taken;
  }
  return tally;
}

RuCplaneTally take_cplane_frame(std::span<const std::uint8_t> frame,
                                const FronthaulLinkConfig& link, const RuCplaneScope& scope,
                                const FronthaulSlotClock& clock, RuRequestsBySlot& requests,
                                RuPrachRequestsBySlot* prach) {
  RuCplaneTally tally;
  const auto parsed = parse_ecpri_frame(frame);
  if (!parsed.ok()) {
    tally.messages = tally.messages_ignored = 1;
    return tally;
  }
  const auto take = [&](const EcpriMessageView& ecpri) {
    if (ecpri.header.type != EcpriMessageType::real_time_control) {
      return;
    }
    FronthaulFrameView view;
    view.plane = FronthaulPlane::cplane;
    view.eaxc = unpack_eaxc_id(ecpri.header.eaxc_id, link.eaxc_layout);
    const auto cplane = parse_cplane_message(ecpri.application_payload);
    view.cplane = cplane.message;
    const auto slot = cplane.status == CplaneParseStatus::ok
                          ? clock.cycle_slot(view.cplane.header.timing)
                          : std::nullopt;
    if (!slot) {
      ++tally.messages;
      ++tally.messages_ignored;
      return;
    }
    const bool prach_request = prach != nullptr && is_prach_request(view, scope);
    if (!prach_request && !takes_section_requests(view, scope)) {
      ++tally.messages;
      ++tally.messages_ignored;
      return;
    }
    if (prach_request) {
      if (std::vector<RuPrachRequest>* list = prach->requests_of(*slot); list != nullptr) {
        tally += append_prach_requests(view, scope, *list);
        return;
      }
    } else if (std::vector<RuSectionRequest>* list = requests.requests_of(*slot); list != nullptr) {
      tally += append_section_requests(view, scope, *list);
      if (list->empty()) {
        requests.erase(*slot); // opened for sections of which none could be served
      }
      return;
    }
    ++tally.messages;
    ++tally.messages_ignored;
    ++tally.messages_without_room;
  };
  if (for_each_ecpri_message(frame, parsed.frame, take).status != EcpriParseStatus::ok) {
    ++tally.messages; // a chain announcing a message that is not there
    ++tally.messages_ignored;
  }
  return tally;
}

} // namespace airan::io
