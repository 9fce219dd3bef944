// libFuzzer target for the test MAC's launch pattern parser (airan testmac --pattern): any text
// must parse or raise PatternError, and a pattern that parses must hold everything the test MAC
// relies on without checking again: a valid cell, at least one UE with a unique RNTI, each UE's
// PUSCH valid on the cell with its antenna ports = layers and no more layers than receive
// antennas (or its PUCCH valid on the cell, or its SRS valid on the cell with no more ports than
// receive antennas and T_SRS its period), an offset inside the period, finite SNR and channel
// figures, and HARQ and L1 settings inside their documented ranges.
//
// Seeds: tests/fuzz/seeds/launch_pattern copies configs/patterns/*.yaml.
#include "airan/l1/launch_pattern.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace {

void check(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

void check_pattern(const airan::l1::LaunchPattern& pattern) {
  check(pattern.cell.validate().empty());
  check(pattern.num_rx_antennas >= 1 && pattern.num_rx_antennas <= 16);
  check(std::isfinite(pattern.snr_db));
  check(std::isfinite(pattern.channel.delay_spread_s) && pattern.channel.delay_spread_s >= 0.0);
  check(std::isfinite(pattern.channel.max_doppler_hz) && pattern.channel.max_doppler_hz >= 0.0);
  check(pattern.num_slots >= 1);
  check(!pattern.harq.rv_sequence.empty());
  for (const unsigned rv : pattern.harq.rv_sequence) {
    check(rv <= 3);
  }
  check(pattern.harq.max_transmissions >= 1 && pattern.harq.max_transmissions <= 16);
  check(pattern.harq.num_processes >= 1 && pattern.harq.num_processes <= 16);
  check(pattern.l1.receiver_threads >= 1 && pattern.l1.receiver_threads <= 64);
  check(pattern.l1.max_layers >= 1 && pattern.l1.max_layers <= 4);
  check(!pattern.ues.empty());
  std::set<std::uint16_t> rntis;
  if (pattern.prach) {
    check(pattern.prach->offset_slots < pattern.prach->period_slots);
    check(pattern.prach->span_slots >= 1 &&
          pattern.prach->period_slots >= pattern.prach->span_slots);
    check(pattern.prach->max_delay_s >= 0.0);
  }
  for (const auto& ue : pattern.ues) {
    check(ue.rnti >= 1 && ue.rnti <= 65519);
    check(rntis.insert(ue.rnti).second);
    check(ue.period_slots >= 1 && ue.offset_slots < ue.period_slots);
    if (ue.pucch) { // a PUCCH UE: its pusch is unused
      check(ue.pucch->rnti == ue.rnti);
      check(ue.pucch->validate(pattern.cell).empty());
      continue;
    }
    if (ue.srs) { // an SRS UE: its pusch is unused
      check(ue.srs->rnti == ue.rnti);
      check(ue.srs->validate(pattern.cell).empty());
      check(ue.srs->num_ports <= pattern.num_rx_antennas);
      check(ue.srs->resource_type == airan::phy::SrsResourceType::aperiodic ||
            ue.srs->periodicity == ue.period_slots);
      continue;
    }
    if (ue.prach) { // a PRACH UE: its pusch is unused
      check(pattern.prach.has_value());
      check(ue.period_slots % pattern.prach->period_slots == 0);
      check(!ue.prach->preamble || *ue.prach->preamble < 64);
      check(!ue.prach->occasion || *ue.prach->occasion < pattern.prach->occasions_per_slot);
      check(!ue.prach->delay_s || *ue.prach->delay_s <= pattern.prach->max_delay_s);
      continue;
    }
    check(ue.pusch.rnti == ue.rnti);
    auto ue_cell = pattern.cell;
    ue_cell.num_antenna_ports = ue.pusch.num_layers;
    check(ue.pusch.validate(ue_cell).empty());
    check(ue.pusch.num_layers <= pattern.num_rx_antennas);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) {
    return 0; // yaml-cpp's recursion on deeply nested input is not what is under test here
  }
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    check_pattern(airan::l1::parse_launch_pattern(text, "fuzz"));
  } catch (const airan::l1::PatternError&) {
  }
  return 0;
}
