/// \file
/// \brief FronthaulCounters: totals and the printable list of non-zero counters.
#include "airan/io/fronthaul_counters.h"

#include <numeric>
#include <sstream>

namespace airan::io {

std::uint64_t FronthaulCounters::malformed() const {
  return std::accumulate(ecpri_malformed.begin(), ecpri_malformed.end(), std::uint64_t{0}) +
         std::accumulate(uplane_malformed.begin(), uplane_malformed.end(), std::uint64_t{0}) +
         bad_timing_fields + unsupported_compression + symbol_out_of_range + units_outside_symbol;
}

namespace {

std::string with_underscores(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = c == ' ' ? '_' : c;
  }
  return out;
}

} // namespace

std::string to_string(const FronthaulCounters& c) {
  std::ostringstream out;
  const auto line = [&](const std::string& name, std::uint64_t value) {
    if (value != 0) {
      out << name << ' ' << value << '\n';
    }
  };
  line("packets", c.packets);
  line("bytes", c.bytes);
  line("concatenated_messages", c.concatenated_messages);
  for (std::size_t i = 1; i < c.ecpri_malformed.size(); ++i) {
    line("ecpri_malformed." + with_underscores(to_string(static_cast<EcpriParseStatus>(i))),
         c.ecpri_malformed[i]);
  }
  for (std::size_t i = 1; i < c.uplane_malformed.size(); ++i) {
    line("uplane_malformed." + with_underscores(to_string(static_cast<UplaneParseStatus>(i))),
         c.uplane_malformed[i]);
  }
  line("bad_timing_fields", c.bad_timing_fields);
  line("unsupported_compression", c.unsupported_compression);
  line("symbol_out_of_range", c.symbol_out_of_range);
  line("units_outside_symbol", c.units_outside_symbol);
  line("other_destination", c.other_destination);
  line("other_vlan", c.other_vlan);
  line("cplane", c.cplane);
  line("wrong_direction", c.wrong_direction);
  line("unknown_eaxc", c.unknown_eaxc);
  line("filtered_messages", c.filtered_messages);
  line("fragmented_unsupported", c.fragmented_unsupported);
  line("too_late", c.too_late);
  line("too_early", c.too_early);
  line("no_buffer", c.no_buffer);
  line("epoch_mismatch", c.epoch_mismatch);
  line("epoch_relearns", c.epoch_relearns);
  line("arrival_outliers", c.arrival_outliers);
  line("clock_resyncs", c.clock_resyncs);
  line("early", c.early);
  line("on_time", c.on_time);
  line("late", c.late);
  line("sections", c.sections);
  line("units", c.units);
  line("duplicate_units", c.duplicate_units);
  line("duplicate_packets", c.duplicate_packets);
  line("sequence_gaps", c.sequence_gaps);
  line("sequence_ids_skipped", c.sequence_ids_skipped);
  line("sequence_ids_behind", c.sequence_ids_behind);
  line("slots_complete", c.slots_complete);
  line("slots_deadline", c.slots_deadline);
  line("slots_pool_pressure", c.slots_pool_pressure);
  line("slots_flushed", c.slots_flushed);
  line("requested_slots", c.requested_slots);
  line("requested_slots_unserved", c.requested_slots_unserved);
  line("requests_refused", c.requests_refused);
  line("slots_overrun", c.slots_overrun);
  line("slots_discarded", c.slots_discarded);
  line("slots_given_up", c.slots_given_up);
  line("missing_units", c.missing_units);
  line("incomplete_symbols", c.incomplete_symbols);
  return out.str();
}

} // namespace airan::io
