// The O-RU side of 7.2x PRACH: requests it cannot serve (and why), occasions lost to a skipped
// slot and only those, no allocation in add_request / add_slot, the PRACH ports of the scopes,
// and the PRACH part of take_cplane_frame.
#include "ru_prach_emulator_test_helpers.h"

#include "airan/io/fronthaul_prach_assembler.h"

#include "../support/allocation_counter.h"

namespace airan::io::ru_prach_test {
namespace {

TEST(RuPrachEmulator, RefusesRequestsItCannotServe) {
  const Occasion occasion(prach(PrachFormat::f0, 4), 0, 25, 2, 3006);
  const auto config = fronthaul(bfp9);
  RuPrachEmulator emulator(occasion.cell(), 2, config, 2);
  const RuPrachRequest valid = occasion.prach_request(config, 7);
  const std::int64_t slot = occasion.slot();
  auto odd_offset = valid;
  odd_offset.section.frequency_offset += 1;
  auto reserved_spacing = valid;
  reserved_spacing.header.subcarrier_spacing = 7;
  auto not_prach = valid;
  not_prach.header.timing.filter_index = 0;
  auto beyond = valid;
  beyond.antenna = 2;
  for (const auto& bad : {odd_offset, reserved_spacing, not_prach, beyond}) {
    EXPECT_NE(emulator.add_request(slot, bad), "");
  }
  EXPECT_NE(emulator.add_request(slot + 1, valid), ""); // the header names another slot
  auto second = valid;
  second.antenna = 1;
  EXPECT_EQ(emulator.add_request(slot, valid), "");
  EXPECT_EQ(emulator.add_request(slot, second), "");
  EXPECT_NE(emulator.add_request(slot, valid), ""); // the pool of 2 is full
  EXPECT_EQ(emulator.counters().requests, 2U);
  EXPECT_EQ(emulator.counters().requests_refused, 6U);
  EXPECT_EQ(emulator.num_pending(), 2U);

  const auto sink = [](std::span<const std::uint8_t>, std::int64_t) {};
  auto iq = occasion.slot_iq(0);
  iq.pop_back();
  EXPECT_THROW(emulator.add_slot(slot, epoch, iq, sink), std::invalid_argument);
  EXPECT_EQ(emulator.add_slot(slot, epoch, occasion.slot_iq(0), sink), 4U); // 2 x 2 frames
  EXPECT_EQ(emulator.num_pending(), 0U);
  EXPECT_THROW(emulator.add_slot(slot, epoch, occasion.slot_iq(0), sink), std::invalid_argument);
  EXPECT_NE(emulator.add_request(slot, valid), ""); // its slot was fed
  const Occasion next(prach(PrachFormat::f0, 4), 0, 25, 2, 3007);
  EXPECT_EQ(emulator.add_request(slot + 1, next.prach_request(config, 7)), "");

  EXPECT_THROW(RuPrachEmulator(occasion.cell(), 2, config, 0), std::invalid_argument);
  EXPECT_THROW(RuPrachEmulator(occasion.cell(), 17, config), std::invalid_argument);
  auto high_ports = config;
  high_ports.prach_ru_port = 15; // ports 15 and 16 of a 4-bit field
  EXPECT_THROW(RuPrachEmulator(occasion.cell(), 2, high_ports), std::invalid_argument);
  // A PRACH port that is also antenna 1's PUSCH port (two ecpriSeqid sequences on one eAxC):
  // refused by the O-RU, the DU's PRACH assembler and its C-plane sender alike.
  auto shared_port = config;
  shared_port.prach_ru_port = 1;
  EXPECT_THROW(RuPrachEmulator(occasion.cell(), 2, shared_port), std::invalid_argument);
  EXPECT_THROW(FronthaulPrachAssembler(occasion.cell(), 2, shared_port), std::invalid_argument);
  shared_port.prach_ru_port = 2; // right after the PUSCH ports: taken
  EXPECT_NO_THROW(RuPrachEmulator(occasion.cell(), 2, shared_port));
  EXPECT_NO_THROW(FronthaulPrachAssembler(occasion.cell(), 2, shared_port));
}

TEST(RuPrachEmulator, ASkippedSlotLosesOnlyOccasionsThatNeededIt) {
  const auto config = fronthaul(bfp9);
  const auto sink = [](std::span<const std::uint8_t>, std::int64_t) {};
  const Occasion format1(prach(PrachFormat::f1, 4), 0, 25, 2, 3006); // slots 3006 .. 3008
  RuPrachEmulator emulator(format1.cell(), 2, config, 4);
  for (unsigned a = 0; a < 2; ++a) {
    auto request = format1.prach_request(config, 1);
    request.antenna = a;
    ASSERT_EQ(emulator.add_request(format1.slot(), request), "");
  }
  EXPECT_EQ(emulator.add_slot(format1.slot(), epoch, format1.slot_iq(0), sink), 0U);
  EXPECT_EQ(emulator.add_slot(format1.slot() + 2, epoch, format1.slot_iq(2), sink), 0U);
  EXPECT_EQ(emulator.counters().occasions_lost, 2U);
  EXPECT_EQ(emulator.counters().occasions_sent, 0U);
  EXPECT_EQ(emulator.num_pending(), 0U);

  // At 30 kHz format 1's CP (0.68 ms) outlasts its 0.5 ms slot: that slot is not needed.
  const Occasion late(prach(PrachFormat::f1, 4), 1, 51, 1, 3006);
  ASSERT_GT(late.layout().start + late.layout().cyclic_prefix, late.slot_start(1));
  RuPrachEmulator skipper(late.cell(), 1, config, 4);
  ASSERT_EQ(skipper.add_request(late.slot(), late.prach_request(config, 1)), "");
  std::size_t frames = 0;
  for (unsigned n = 1; n < late.num_slots(); ++n) {
    frames += skipper.add_slot(late.slot() + n, epoch, late.slot_iq(n), sink);
  }
  EXPECT_EQ(frames, 2U * 2U); // 2 periods of 2 frames
  EXPECT_EQ(skipper.counters().occasions_lost, 0U);
  EXPECT_EQ(skipper.counters().occasions_sent, 1U);
}

TEST(RuPrachEmulator, AddRequestAndAddSlotDoNotAllocate) {
  const Occasion occasion(prach(PrachFormat::f1, 4), 0, 25, 2, 3006);
  const auto config = fronthaul(bfp9);
  RuPrachEmulator emulator(occasion.cell(), 2, config, 4);
  std::vector<RuPrachRequest> requests(2, occasion.prach_request(config, 1));
  requests[1].antenna = 1;
  std::vector<std::vector<cf32>> slots;
  for (unsigned n = 0; n < occasion.num_slots(); ++n) {
    slots.push_back(occasion.slot_iq(n));
  }
  std::size_t bytes = 0;
  const FronthaulFrameSink sink = [&](std::span<const std::uint8_t> frame, std::int64_t) {
    bytes += frame.size();
  };
  std::size_t frames = 0;
  const long before = airan::test::allocation_count();
  for (const auto& request : requests) {
    frames += emulator.add_request(occasion.slot(), request).size(); // "" when taken
  }
  for (unsigned n = 0; n < occasion.num_slots(); ++n) {
    frames += emulator.add_slot(occasion.slot() + n, epoch, slots[n], sink);
  }
  EXPECT_EQ(airan::test::allocation_count(), before);
  EXPECT_EQ(frames, 2U * 2U * 2U); // 2 antennas, 2 periods, 2 BFP9 frames
  EXPECT_GT(bytes, 0U);
}

TEST(RuPrachEmulator, ScopesNameThePrachPorts) {
  const Occasion occasion(prach(PrachFormat::f0, 4), 0, 25, 2, 3006);
  auto config = fronthaul(bfp9);
  EXPECT_EQ(RuEmulator(occasion.cell(), 2, config).cplane_scope().prach_first_ru_port, 2U);
  EXPECT_EQ(RuPrachEmulator(occasion.cell(), 2, config).cplane_scope().prach_first_ru_port, 2U);
  config.prach_ru_port = 9;
  EXPECT_EQ(RuEmulator(occasion.cell(), 2, config).cplane_scope().prach_first_ru_port, 9U);
  const auto scope = RuPrachEmulator(occasion.cell(), 2, config).cplane_scope();
  EXPECT_EQ(scope.prach_first_ru_port, 9U);
  EXPECT_EQ(scope.num_ru_ports, 2U);
  EXPECT_EQ(scope.carrier_prbs, 25U);
}

TEST(RuCplaneRequests, TakesPrachRequestsWithAListOnThePrachPortsOnly) {
  const Occasion occasion(prach(PrachFormat::f0, 4), 0, 25, 2, 3006);
  const auto config = fronthaul(bfp9);
  RuCplaneScope scope;
  scope.du_port = 1;
  scope.band_sector = 2;
  scope.cc = 3;
  scope.num_ru_ports = 2;
  scope.carrier_prbs = 25;
  scope.prach_first_ru_port = 4;
  const FronthaulLinkConfig link{EaxcIdLayout{}, {}};
  const auto take = [&](const std::vector<std::uint8_t>& frame, RuPrachRequestsBySlot* prach) {
    RuRequestsBySlot pusch;
    const auto tally = take_cplane_frame(frame, link, scope, occasion.clock(), pusch, prach);
    EXPECT_TRUE(pusch.empty());
    return tally;
  };
  // Two sections in one message: one request each, antenna 1 (RU port 5), cycle slot 3006.
  RuPrachRequest written = occasion.prach_request(config, 11);
  const std::vector<CplaneSection> sections = {written.section, [&] {
                                                 auto s = written.section;
                                                 s.section_id = 12;
                                                 return s;
                                               }()};
  const auto frame = cplane_frame(config, 5, written.header, sections);
  RuPrachRequestsBySlot prach;
  const auto tally = take(frame, &prach);
  EXPECT_EQ(tally.messages, 1U);
  EXPECT_EQ(tally.messages_ignored, 0U);
  EXPECT_EQ(tally.sections_taken, 2U);
  ASSERT_EQ(prach.size(), 1U);
  EXPECT_EQ(prach.begin()->cycle_slot, 3006U % (256U * 10U));
  const auto& taken = prach.begin()->requests;
  ASSERT_EQ(taken.size(), 2U);
  written.header.num_sections = 2;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(taken[i].antenna, 1U);
    EXPECT_EQ(taken[i].header, written.header);
    EXPECT_EQ(taken[i].section, sections[i]);
  }
  // Without a list, as before: ignored.
  const auto without = take(frame, nullptr);
  EXPECT_EQ(without.messages_ignored, 1U);
  EXPECT_EQ(without.sections_taken, 0U);
  // Not this O-RU's PRACH: a PUSCH port, a port past the antennas, another CC, filterIndex 0.
  auto other_cc = config;
  other_cc.cc = 4;
  auto unfiltered = written.header;
  unfiltered.timing.filter_index = 0;
  const auto one = std::span(&written.section, 1);
  for (const auto& ignored :
       {cplane_frame(config, 1, written.header, one), cplane_frame(config, 6, written.header, one),
        cplane_frame(other_cc, 4, written.header, one), cplane_frame(config, 4, unfiltered, one)}) {
    RuPrachRequestsBySlot none;
    const auto result = take(ignored, &none);
    EXPECT_EQ(result.messages_ignored, 1U);
    EXPECT_TRUE(none.empty());
  }
}

} // namespace
} // namespace airan::io::ru_prach_test
