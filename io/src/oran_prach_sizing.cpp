/// \file
/// \brief oran_prach_sizing(): every format the carrier can carry, at every start symbol and
/// slot of a subframe, through the DU's request and the O-RU's window (oran_prach.h).
#include "airan/io/oran_prach_sizing.h"

#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fapi_prach_messages.h"
#include "airan/io/oran_prach.h"

#include <algorithm>
#include <stdexcept>

namespace airan::io {
namespace {

/// PRBs of a short format's section (N_RB^RA = 12 PRBs of the carrier's own spacing).
constexpr std::size_t short_format_prbs = 12;

} // namespace

OranPrachSizing oran_prach_sizing(const phy::CellConfig& cell, unsigned lead_slots) {
  if (const auto error = cell.validate(); !error.empty()) {
    throw std::invalid_argument("oran_prach_sizing: cell: " + error);
  }
  const auto numerology = phy::carrier_numerology(cell);
  const unsigned symbols = numerology.symbols_per_slot();
  OranPrachSizing sizing;
  unsigned max_long_prb_periods = 0;
  unsigned short_slots = 0; // slots the windows of each kind span
  unsigned long_slots = 0;
  // The slots from \p slot (of a subframe) that hold \p end samples from its start.
  const auto slots_spanned = [&](unsigned slot, std::uint64_t end) {
    unsigned count = 0;
    for (std::uint64_t held = 0; held < end; ++count) {
      held += numerology.slot_length((slot + count) % numerology.slots_per_frame());
    }
    return count;
  };
  for (unsigned f = 0; f < phy::num_prach_formats; ++f) {
    phy::PrachConfig config;
    config.format = static_cast<phy::PrachFormat>(f);
    config.short_format_numerology = cell.numerology;
    config.cyclic_shift_length = 0;
    const bool is_long = phy::prach_is_long_format(config.format);
    const unsigned duration = phy::prach_format_info(config.format).duration_symbols;
    for (unsigned start = 0; start < symbols; ++start) {
      if (!is_long && start + duration > symbols) {
        break; // a short format's occasions lie inside their slot
      }
      config.start_symbol = start;
      for (unsigned slot = 0; slot < numerology.slots_per_subframe(); ++slot) {
        const auto result = oran_prach_request(config, numerology, cell.num_prbs, slot);
        if (!result.error.empty()) {
          continue;
        }
        CplaneMessageHeader header;
        CplaneSection section;
        fill_prach_cplane(result.request, IqCompression{}, 0, header, section);
        const auto window = oran_prach_window(numerology, cell.num_prbs, header, section);
        if (!window.error.empty()) {
          continue;
        }
        const unsigned prb_periods = unsigned{section.num_prbs} * section.num_symbols;
        sizing.longest_window = std::max(sizing.longest_window, window.window.end());
        const unsigned spanned = slots_spanned(slot, window.window.end());
        sizing.window_slots = std::max(sizing.window_slots, spanned);
        sizing.max_prb_periods = std::max(sizing.max_prb_periods, prb_periods);
        if (is_long) {
          sizing.long_formats = true;
          max_long_prb_periods = std::max(max_long_prb_periods, prb_periods);
          long_slots = std::max(long_slots, spanned);
        } else {
          sizing.short_formats = true;
          short_slots = std::max(short_slots, spanned);
        }
      }
    }
  }
  if (sizing.short_formats) {
    // In flight: the C-plane's lead, the window, one slot to the deadline.
    const unsigned slots_in_flight = lead_slots + short_slots + 1;
    const std::size_t per_slot = fapi_max_prach_pdus * symbols * short_format_prbs;
    sizing.prb_periods_per_slot = per_slot;
    sizing.occasions_in_flight = static_cast<unsigned>(fapi_max_prach_occasions) * slots_in_flight;
    sizing.prb_periods_in_flight = per_slot * slots_in_flight;
  }
  if (sizing.long_formats) {
    const unsigned slots_in_flight = lead_slots + long_slots + 1;
    // One occasion per PDU and subframe: the subframes the slots in flight touch.
    const unsigned subframes =
        (slots_in_flight + numerology.slots_per_subframe() - 1) / numerology.slots_per_subframe() +
        1;
    const std::size_t per_slot = fapi_max_prach_pdus * std::size_t{max_long_prb_periods};
    const auto occasions = static_cast<unsigned>(fapi_max_prach_pdus) * subframes;
    sizing.prb_periods_per_slot = std::max(sizing.prb_periods_per_slot, per_slot);
    sizing.occasions_in_flight = std::max(sizing.occasions_in_flight, occasions);
    sizing.prb_periods_in_flight = std::max(sizing.prb_periods_in_flight, per_slot * subframes);
  }
  return sizing;
}

} // namespace airan::io
