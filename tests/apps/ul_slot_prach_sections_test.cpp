// UlSlotProcessor's PRACH from an O-RAN 7.2x O-RU's sections (prach_from_sections): a section
// reaches the occasion whose C-plane request it answers (cycle slot, start symbol, freqOffset)
// and is detected there; a section of no occasion is counted; an occasion whose section never
// comes is reported without preambles once its last slot is more than the grace slots behind.
#include "airan/l1/ul_slot_processor.h"

#include "airan/io/oran_prach.h"
#include "airan/phy/prach_modulator.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace airan::l1 {
namespace {

constexpr unsigned antennas = 2;

phy::CellConfig sections_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 9;
  return cell;
}

/// What a 7.2x O-RU sends for \p prach's occasion in slot \p slot: a preamble (and noise) on
/// every antenna, demodulated, at the sequence's REs of the request's section.
struct OruSection {
  OruSection(const phy::PrachConfig& prach, unsigned slot, unsigned preamble) {
    const auto numerology = phy::Numerology::for_carrier(1, phy::CyclicPrefix::normal, 24);
    const auto oran = io::oran_prach_request(prach, numerology, 24, slot);
    EXPECT_TRUE(oran.error.empty()) << oran.error;
    request = oran.request;
    phy::PrachModulator modulator(prach, numerology, 24);
    phy::PrachDemodulator demodulator(prach, numerology, 24);
    const auto layout = modulator.layout(slot);
    std::vector<phy::cf32> samples(layout.length());
    modulator.modulate(slot, preamble, 1.0F, samples);
    std::mt19937 rng(3);
    std::normal_distribution<float> gauss(0.0F, 0.1F);
    phy::PrachBuffer buffer(antennas, layout.repetitions, layout.sequence_length);
    for (unsigned a = 0; a < antennas; ++a) {
      std::vector<phy::cf32> noisy = samples;
      for (auto& x : noisy) {
        x += phy::cf32(gauss(rng), gauss(rng));
      }
      demodulator.demodulate(slot, noisy, a, buffer);
    }
    const unsigned res = 12U * request.num_prbs;
    values.assign(std::size_t{antennas} * layout.repetitions * res, phy::cf32{});
    for (unsigned a = 0; a < antennas; ++a) {
      for (unsigned p = 0; p < layout.repetitions; ++p) {
        const auto period = buffer.at(a, p);
        std::copy(period.begin(), period.end(),
                  values.begin() +
                      static_cast<std::ptrdiff_t>((std::size_t{a} * layout.repetitions + p) * res +
                                                  request.sequence_offset));
      }
    }
    received.cycle_slot = slot;
    received.start_symbol = request.start_symbol;
    received.section_id = 0; // the occasion's index in its request
    received.frequency_offset = request.frequency_offset;
    received.section = {antennas, layout.repetitions, res, request.frequency_offset / 2, values, 0};
  }
  io::OranPrachRequest request;
  std::vector<phy::cf32> values;
  ReceivedPrach received;
};

io::FapiSlotRequest prach_slot(const phy::PrachConfig& prach) {
  io::FapiSlotRequest request;
  request.prach[0] = {prach, 0, 9, 0};
  request.num_prach = 1;
  return request;
}

TEST(UlSlotProcessorPrachSections, DetectsFromTheORusSections) {
  UlSlotProcessorConfig config;
  config.prach_from_sections = true;
  config.prach_section_grace_slots = 1;
  UlSlotProcessor processor(sections_cell(), antennas, config);
  phy::PrachConfig prach; // format 0: slots 2 and 3 at 30 kHz
  prach.root_sequence_index = 12;
  prach.first_prb = 5;
  ASSERT_EQ(processor.add_prach_occasions(prach_slot(prach), 2), 0U);
  ASSERT_EQ(processor.add_prach_occasions(prach_slot(prach), 6), 0U);
  EXPECT_TRUE(processor.prach_pending());

  PrachOutcome outcome;
  EXPECT_TRUE(processor.process_prach(2, ReceivedSlot{}, outcome).empty());
  // Slot 3 brings the section of slot 2's occasion, and one that answers no occasion.
  const OruSection section(prach, 2, 33);
  OruSection stray(prach, 2, 1);
  stray.received.frequency_offset += 2 * 12 * 24; // another PRB
  const std::array both{section.received, stray.received};
  ReceivedSlot slot3;
  slot3.prach = both;
  auto rach = processor.process_prach(3, slot3, outcome);
  ASSERT_EQ(rach.size(), 1U);
  EXPECT_EQ(rach[0].slot, 2);
  ASSERT_EQ(rach[0].num_pdus, 1U);
  ASSERT_EQ(rach[0].pdus[0].num_preambles, 1);
  EXPECT_EQ(rach[0].pdus[0].preambles[0].preamble_index, 33);
  EXPECT_EQ(outcome.num_occasions, 1U);
  EXPECT_EQ(outcome.num_preambles, 1U);
  EXPECT_EQ(outcome.num_unmatched_sections, 1U);
  // A repeat of the section finds its occasion done: unmatched too.
  const std::array again{section.received};
  ReceivedSlot slot4;
  slot4.prach = again;
  EXPECT_TRUE(processor.process_prach(4, slot4, outcome).empty());
  EXPECT_EQ(outcome.num_unmatched_sections, 2U);

  // Slot 6's occasion ends in slot 7; its section may come up to slot 8, and fails at slot 9.
  for (const std::uint64_t s : {6U, 7U, 8U}) {
    EXPECT_TRUE(processor.process_prach(s, ReceivedSlot{}, outcome).empty()) << s;
  }
  rach = processor.process_prach(9, ReceivedSlot{}, outcome);
  ASSERT_EQ(rach.size(), 1U);
  EXPECT_EQ(rach[0].slot, 6);
  EXPECT_EQ(rach[0].pdus[0].num_preambles, 0);
  EXPECT_EQ(outcome.num_failed, 1U);
  EXPECT_FALSE(processor.prach_pending());
}

} // namespace
} // namespace airan::l1
