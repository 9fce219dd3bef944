/// \file
/// \brief The PRACH parts of a launch pattern: the cell's `prach:` block, a PRACH UE's `prach:`
/// map, and the checks of the UEs against the PRACH once the whole pattern is read.
#include "test_mac_prach_pattern.h"

#include "airan/io/fapi_prach_conversion.h"
#include "airan/l1/uplink_prach.h"
#include "airan/phy/tdl_channel.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>
#include <vector>

namespace airan::l1 {

double prach_timing_advance_unit_s(unsigned numerology) {
  // T_c = 1 / (480 kHz * 4096).
  return 16.0 * 64.0 / (480e3 * 4096.0) / static_cast<double>(1U << numerology);
}

phy::PrachConfig PatternPrach::occasion(unsigned occasion) const {
  phy::PrachConfig out = config;
  out.start_symbol += occasion * phy::prach_format_info(config.format).duration_symbols;
  return out;
}

namespace prach_pattern_detail {
namespace {

using io::yaml_fields::Context;

std::string prach_microseconds(double seconds) {
  std::ostringstream text;
  text.precision(3);
  text << seconds * 1e6 << " us";
  return text.str();
}

unsigned prach_integer(const YAML::Node& node, const std::string& where, unsigned min, unsigned max,
                       const Context& ctx) {
  const auto value = io::yaml_fields::read_unsigned<unsigned long long>(node, where, ctx);
  if (value < min || value > max) {
    ctx.fail(where, std::to_string(value) + " is outside " + std::to_string(min) + " .. " +
                        std::to_string(max));
  }
  return static_cast<unsigned>(value);
}

bool prach_random(const YAML::Node& node) {
  return node.IsScalar() && node.Scalar() == "random";
}

/// True when a UE of period \p period and offset \p offset has a slot among the \p span slots
/// from a PRACH slot of \p prach.
bool prach_slots_meet(unsigned period, unsigned offset, const PatternPrach& prach, unsigned span) {
  const unsigned step = std::gcd(period, prach.period_slots);
  for (unsigned k = 0; k < span; ++k) {
    if (offset % step == (prach.offset_slots + k) % step) {
      return true;
    }
  }
  return false;
}

/// Samples from the start of slot \p slot until the end of \p samples: how many slots that takes.
unsigned prach_slots_reached(const phy::Numerology& numerology, unsigned slot,
                             std::size_t samples) {
  unsigned slots = 0;
  std::size_t covered = 0;
  while (covered < samples) {
    covered += numerology.slot_length((slot + slots) % numerology.slots_per_frame());
    ++slots;
  }
  return std::max(slots, 1U);
}

} // namespace

PatternPrach parse_pattern_prach(const YAML::Node& node, const LaunchPattern& pattern,
                                 const Context& ctx) {
  if (!node.IsMap()) {
    ctx.fail("prach", "expected a mapping of keys to values");
  }
  const std::set<std::string> keys = {"format",
                                      "subcarrier_spacing_khz",
                                      "root_sequence_index",
                                      "zero_correlation_zone",
                                      "n_cs",
                                      "prb_start",
                                      "start_symbol",
                                      "occasions_per_slot",
                                      "period_slots",
                                      "offset_slots"};
  for (const auto& entry : node) {
    if (!keys.contains(entry.first.Scalar())) {
      ctx.fail("prach", "unknown key '" + entry.first.Scalar() + "'");
    }
  }
  PatternPrach prach;
  phy::PrachConfig& config = prach.config;
  if (!node["format"]) {
    ctx.fail("prach.format", "missing (0 .. 3, A1, A2, A3, B1, B2, B3, B4, C0 or C2)");
  }
  const std::string format = io::yaml_fields::read_word(node["format"], "prach.format", ctx);
  const auto parsed = phy::prach_format_from_name(format);
  if (!parsed) {
    ctx.fail("prach.format",
             "'" + format + "' is not a PRACH format (0 .. 3, A1, A2, A3, B1, B2, B3, B4, C0, C2)");
  }
  config.format = *parsed;
  const bool long_format = phy::prach_is_long_format(config.format);
  const auto& info = phy::prach_format_info(config.format);
  if (const auto spacing = node["subcarrier_spacing_khz"]) {
    if (long_format) {
      ctx.fail("prach.subcarrier_spacing_khz", "format " + format + " has its own spacing (" +
                                                   std::to_string(info.long_subcarrier_spacing_hz) +
                                                   " Hz); the key is for the short formats");
    }
    const unsigned khz = prach_integer(spacing, "prach.subcarrier_spacing_khz", 15, 120, ctx);
    if (khz != 15 && khz != 30 && khz != 60 && khz != 120) {
      ctx.fail("prach.subcarrier_spacing_khz", std::to_string(khz) + " is not 15, 30, 60 or 120");
    }
    config.short_format_numerology = static_cast<unsigned>(std::countr_zero(khz / 15));
  } else if (!long_format) {
    if (pattern.cell.numerology > 3) {
      ctx.fail("prach.subcarrier_spacing_khz",
               "missing: the carrier's " +
                   std::to_string(phy::subcarrier_spacing_hz(pattern.cell.numerology) / 1000) +
                   " kHz is no short-format PRACH spacing (15, 30, 60 or 120)");
    }
    config.short_format_numerology = pattern.cell.numerology;
  }
  if (node["root_sequence_index"]) {
    config.root_sequence_index = prach_integer(
        node["root_sequence_index"], "prach.root_sequence_index", 0, info.sequence_length - 2, ctx);
  }
  const std::uint32_t spacing_hz = phy::prach_subcarrier_spacing_hz(config);
  if (node["zero_correlation_zone"] && node["n_cs"]) {
    ctx.fail("prach", "give zero_correlation_zone or n_cs, not both");
  }
  if (node["zero_correlation_zone"]) {
    const unsigned zone =
        prach_integer(node["zero_correlation_zone"], "prach.zero_correlation_zone", 0, 15, ctx);
    config.cyclic_shift_length = phy::prach_cyclic_shift_length(spacing_hz, zone);
  } else if (node["n_cs"]) {
    config.cyclic_shift_length = prach_integer(node["n_cs"], "prach.n_cs", 0, 419, ctx);
  } else {
    ctx.fail("prach", "missing zero_correlation_zone (0 .. 15) or n_cs (N_CS itself)");
  }
  if (node["prb_start"]) {
    config.first_prb = prach_integer(node["prb_start"], "prach.prb_start", 0, 274, ctx);
  }
  if (node["start_symbol"]) {
    config.start_symbol = prach_integer(node["start_symbol"], "prach.start_symbol", 0, 13, ctx);
  }
  if (node["occasions_per_slot"]) {
    prach.occasions_per_slot = prach_integer(node["occasions_per_slot"], "prach.occasions_per_slot",
                                             1, long_format ? 1 : 7, ctx);
  }
  if (node["period_slots"]) {
    prach.period_slots = prach_integer(node["period_slots"], "prach.period_slots", 1, 10240, ctx);
  }
  if (node["offset_slots"]) {
    prach.offset_slots =
        prach_integer(node["offset_slots"], "prach.offset_slots", 0, prach.period_slots - 1, ctx);
  }
  if (!long_format && config.start_symbol + prach.occasions_per_slot * info.duration_symbols > 14) {
    ctx.fail("prach.occasions_per_slot",
             std::to_string(prach.occasions_per_slot) + " occasions of " +
                 std::to_string(info.duration_symbols) + " symbols from symbol " +
                 std::to_string(config.start_symbol) + " do not fit the slot");
  }
  if (pattern.channel.domain != apps::ChannelDomain::time) {
    ctx.fail("prach", "needs channel.domain: time (the L1 detects preambles in time-domain IQ; a "
                      "frequency-domain channel gives the grid of the carrier's numerology, which "
                      "cannot hold a " +
                          std::to_string(spacing_hz) + " Hz preamble)");
  }
  const auto numerology = phy::carrier_numerology(pattern.cell);
  for (unsigned i = 0; i < prach.occasions_per_slot; ++i) {
    if (const std::string error =
            phy::validate_prach_config(prach.occasion(i), numerology, pattern.cell.num_prbs);
        !error.empty()) {
      ctx.fail("prach", error);
    }
  }
  // What the test MAC sends must be what the L1 takes.
  const io::FapiPrachPdu pdu = io::to_fapi_prach_pdu(
      config, 0, static_cast<std::uint8_t>(prach.occasions_per_slot), pattern.cell.n_cell_id);
  std::array<io::FapiPrachOccasion, 7> occasions{};
  std::size_t count = 0;
  if (const io::FapiError error = io::to_prach_occasions(pdu, io::to_fapi_prach_config(config),
                                                         pattern.cell, occasions, count);
      !error.ok()) {
    ctx.fail("prach", "the L1 would refuse it: " + std::string(error.reason()));
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (occasions[i].config.format != config.format) { // B2, B3 only as A2/B2, A3/B3
      ctx.fail("prach", "FAPI's prachFormat has format " +
                            std::string(phy::prach_format_name(config.format)) +
                            " only as the last occasion of a slot whose others are " +
                            std::string(phy::prach_format_name(occasions[i].config.format)) +
                            ": occasions_per_slot must be 1");
    }
  }
  return prach;
}

PatternPrachUe parse_pattern_prach_ue(const YAML::Node& node, const std::string& where,
                                      const PatternPrach& prach, const Context& ctx) {
  const io::yaml_fields::KeyHandler known = [](const YAML::Node&, const std::string&) {};
  io::yaml_fields::for_each_key(
      node, where,
      {{"preamble", known}, {"delay_us", known}, {"occasion", known}, {"power_db", known}}, ctx);
  PatternPrachUe ue;
  ue.occasion = 0;
  if (const auto preamble = node["preamble"]; preamble && !prach_random(preamble)) {
    ue.preamble = prach_integer(preamble, where + ".preamble", 0, 63, ctx);
  }
  if (const auto delay = node["delay_us"]; delay && !prach_random(delay)) {
    const double us = io::yaml_fields::read_real(delay, where + ".delay_us", ctx);
    if (us < 0.0 || us > 10000.0) {
      ctx.fail(where + ".delay_us", delay.Scalar() + " is outside 0 .. 10000 (or random)");
    }
    ue.delay_s = us * 1e-6; // the cyclic-shift window is checked with the channel
  } else if (!delay) {
    ue.delay_s = 0.0;
  }
  if (const auto occasion = node["occasion"]) {
    ue.occasion = prach_random(occasion)
                      ? std::nullopt
                      : std::optional(prach_integer(occasion, where + ".occasion", 0,
                                                    prach.occasions_per_slot - 1, ctx));
  }
  if (const auto power = node["power_db"]) {
    ue.power_db = io::yaml_fields::read_real(power, where + ".power_db", ctx);
    if (std::abs(ue.power_db) > 60.0) {
      ctx.fail(where + ".power_db", power.Scalar() + " is outside -60 .. 60");
    }
  }
  return ue;
}

namespace {

/// PatternPrach's derived fields: the channel's last path, the longest delay and the slots an
/// occasion reaches (which period_slots must cover).
void derive_prach_spans(LaunchPattern& pattern, const Context& ctx) {
  PatternPrach& prach = *pattern.prach;
  const phy::PrachConfig& config = prach.config;
  const auto numerology = phy::carrier_numerology(pattern.cell);
  try {
    // A preamble goes from one UE antenna: the channel must take that (a dual-polarised UE not).
    phy::TdlChannel probe(prach_channel_config(pattern.channel, pattern.num_rx_antennas, 0.0),
                          numerology, pattern.cell.num_prbs, 0);
    prach.channel_spread_s = prach_channel_spread_s(pattern.channel, pattern.num_rx_antennas);
  } catch (const std::exception& e) {
    ctx.fail("prach", std::string("the channel cannot carry a preamble: ") + e.what());
  }
  const auto& info = phy::prach_format_info(config.format);
  const double lag_s =
      1.0 / (info.sequence_length * static_cast<double>(phy::prach_subcarrier_spacing_hz(config)));
  const unsigned window =
      config.cyclic_shift_length == 0 ? info.sequence_length : config.cyclic_shift_length;
  prach.max_delay_s = std::min((static_cast<double>(window) - 2.0) * lag_s,
                               3846.0 * prach_timing_advance_unit_s(pattern.cell.numerology)) -
                      prach.channel_spread_s;
  if (prach.max_delay_s < 0.0) {
    ctx.fail("prach", "N_CS " + std::to_string(config.cyclic_shift_length) +
                          " gives a cyclic-shift window of " + prach_microseconds(window * lag_s) +
                          ", too short for two lags of margin and the channel's last path at " +
                          prach_microseconds(prach.channel_spread_s) +
                          ": raise zero_correlation_zone or n_cs");
  }
  // The slots an occasion's samples reach, its longest delay and last path included.
  const phy::PrachConfig last = prach.occasion(prach.occasions_per_slot - 1);
  const auto reach = static_cast<std::size_t>(
      std::ceil((prach.max_delay_s + prach.channel_spread_s) * numerology.sample_rate_hz()));
  prach.span_slots = 1;
  for (unsigned s = 0; s < numerology.slots_per_frame(); ++s) {
    const auto layout = phy::prach_occasion_layout(last, numerology, pattern.cell.num_prbs, s);
    prach.span_slots =
        std::max(prach.span_slots,
                 prach_slots_reached(numerology, s, layout.start + layout.length() + reach + 1));
  }
  if (prach.period_slots < prach.span_slots) {
    ctx.fail("prach.period_slots",
             std::to_string(prach.period_slots) + " is shorter than the " +
                 std::to_string(prach.span_slots) + " slots a format " +
                 std::string(phy::prach_format_name(config.format)) +
                 " occasion reaches on this carrier (with the longest delay)");
  }
}

/// The carrier PRBs \p prbs PRBs from BWP PRB \p prb of a BWP at CRB \p bwp_start take, as
/// (first, count); first may be negative for a BWP before the carrier (the UE's own check refuses
/// it).
std::pair<long long, long long> prach_carrier_prbs(const phy::CellConfig& cell, unsigned bwp_start,
                                                   unsigned prb, unsigned prbs) {
  return {static_cast<long long>(bwp_start) + prb - cell.grid_start_crb, prbs};
}

/// A PRACH UE against the PRACH and the PRACH UEs before it.
void check_prach_ue(const LaunchPattern& pattern, std::size_t u, const Context& ctx) {
  const PatternPrach& prach = *pattern.prach;
  const PatternUe& ue = pattern.ues[u];
  const std::string where = "ues[" + std::to_string(u) + "]";
  if (ue.period_slots % prach.period_slots != 0 ||
      ue.offset_slots % prach.period_slots != prach.offset_slots) {
    ctx.fail(where, "period_slots " + std::to_string(ue.period_slots) + " / offset_slots " +
                        std::to_string(ue.offset_slots) +
                        " pick slots without a PRACH occasion (prach: period_slots " +
                        std::to_string(prach.period_slots) + ", offset_slots " +
                        std::to_string(prach.offset_slots) + ")");
  }
  if (ue.prach->delay_s && *ue.prach->delay_s > prach.max_delay_s) {
    ctx.fail(where + ".prach.delay_us",
             prach_microseconds(*ue.prach->delay_s) + " is beyond the " +
                 prach_microseconds(prach.max_delay_s) +
                 " a preamble may be delayed (its cyclic-shift window less two lags and the "
                 "channel's last path)");
  }
  for (std::size_t v = 0; v < u; ++v) {
    const PatternUe& other = pattern.ues[v];
    const unsigned step = std::gcd(ue.period_slots, other.period_slots);
    if (!other.prach || !other.prach->preamble || other.prach->preamble != ue.prach->preamble ||
        (ue.prach->occasion && other.prach->occasion &&
         ue.prach->occasion != other.prach->occasion) ||
        ue.offset_slots % step != other.offset_slots % step) {
      continue;
    }
    ctx.fail(where + ".prach.preamble", std::to_string(*ue.prach->preamble) + " is also ues[" +
                                            std::to_string(v) +
                                            "]'s, in an occasion both can send in");
  }
}

/// The PRBs an SRS may occupy, from the carrier's first PRB: first and size of the span of its
/// first symbol's positions over every value of the hopping counter (n_SRS up to the product of
/// its N_b).
std::pair<long long, long long> srs_carrier_prbs(const phy::CellConfig& cell,
                                                 const phy::SrsConfig& srs) {
  const phy::SrsBandwidthRow row = phy::srs_bandwidth_row(srs.c_srs);
  unsigned positions = 1;
  for (unsigned b = 0; b <= srs.b_srs; ++b) {
    positions *= row.n[b];
  }
  long long first = std::numeric_limits<long long>::max();
  long long last = 0;
  for (unsigned n_srs = 0; n_srs < positions; ++n_srs) {
    const long long k0 = phy::srs_first_subcarrier(srs, cell, 0, n_srs);
    first = std::min(first, k0 / 12);
    last = std::max(last, k0 / 12 + srs.num_prbs() - 1);
  }
  return {first, last - first + 1};
}

/// A PUSCH, PUCCH or SRS UE stays off the PRACH's PRBs in the slots an occasion covers.
void check_prach_prbs_free(const LaunchPattern& pattern, std::size_t u, const Context& ctx) {
  const PatternPrach& prach = *pattern.prach;
  const PatternUe& ue = pattern.ues[u];
  if (!prach_slots_meet(ue.period_slots, ue.offset_slots, prach, prach.span_slots)) {
    return;
  }
  const auto& info = phy::prach_format_info(prach.config.format);
  const auto mapping = phy::prach_frequency_mapping(
      info.sequence_length, phy::prach_subcarrier_spacing_hz(prach.config),
      phy::subcarrier_spacing_hz(pattern.cell.numerology));
  const long long prach_first = prach.config.first_prb;
  const long long prach_last = prach_first + mapping->num_prbs - 1;
  // Each hop's PRBs, from the carrier's first PRB.
  std::vector<std::pair<long long, long long>> ranges;
  const phy::CellConfig& cell = pattern.cell;
  if (ue.srs) {
    ranges.push_back(srs_carrier_prbs(cell, *ue.srs));
  } else if (ue.pucch) {
    const phy::PucchConfig& pucch = *ue.pucch;
    ranges.push_back(prach_carrier_prbs(cell, pucch.bwp_start, pucch.prb_start, pucch.num_prbs));
    if (pucch.intra_slot_hopping) {
      ranges.push_back(
          prach_carrier_prbs(cell, pucch.bwp_start, pucch.second_hop_prb, pucch.num_prbs));
    }
  } else {
    const phy::PuschConfig& pusch = ue.pusch;
    ranges.push_back(prach_carrier_prbs(cell, pusch.bwp_start, pusch.prb_start, pusch.prb_size));
    if (pusch.intra_slot_hopping) {
      ranges.push_back(
          prach_carrier_prbs(cell, pusch.bwp_start, pusch.second_hop_prb_start, pusch.prb_size));
    }
  }
  for (const auto& [first, size] : ranges) {
    if (first <= prach_last && first + size > prach_first) {
      ctx.fail("ues[" + std::to_string(u) + "]" +
                   (ue.srs     ? ".srs"
                    : ue.pucch ? ".pucch"
                               : ".pusch"),
               "PRBs " + std::to_string(first) + " .. " + std::to_string(first + size - 1) +
                   " overlap the PRACH occasion's PRBs " + std::to_string(prach_first) + " .. " +
                   std::to_string(prach_last) + " in slots it covers");
    }
  }
}

} // namespace

void finish_pattern_prach(LaunchPattern& pattern, const Context& ctx) {
  derive_prach_spans(pattern, ctx);
  unsigned prach_ues = 0;
  for (std::size_t u = 0; u < pattern.ues.size(); ++u) {
    if (pattern.ues[u].prach) {
      ++prach_ues;
      check_prach_ue(pattern, u, ctx);
    } else {
      check_prach_prbs_free(pattern, u, ctx);
    }
  }
  if (prach_ues > phy::prach_preambles_per_occasion) {
    ctx.fail("ues",
             std::to_string(prach_ues) + " PRACH UEs: an occasion has 64 preambles to give them");
  }
}

} // namespace prach_pattern_detail
} // namespace airan::l1
