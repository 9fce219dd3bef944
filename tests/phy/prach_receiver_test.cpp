// PrachReceiver: occasions gathered slot by slot from a carrier's time-domain samples, within
// one slot and across several, and the occasions that lose samples.
#include "airan/phy/prach_receiver.h"

#include "../support/allocation_counter.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace airan::phy {
namespace {

/// Time-domain samples of \p num_slots slots on \p antennas antennas (each slot's antennas one
/// after the other), noise of power \p noise per PRACH subcarrier, plus one preamble.
class PrachSlotStream {
public:
  PrachSlotStream(const Numerology& numerology, unsigned num_prbs, unsigned antennas,
                  unsigned num_slots)
      : numerology_(numerology), num_prbs_(num_prbs), antennas_(antennas), slots_(num_slots) {
    for (unsigned s = 0; s < num_slots; ++s) {
      offsets_.push_back(total_);
      total_ += numerology.slot_length(s % numerology.slots_per_frame());
    }
    stream_.assign(std::size_t{antennas} * total_, cf32{});
  }

  void add_noise(float noise, std::mt19937& rng) {
    std::normal_distribution<float> gauss(0.0F, std::sqrt(noise / 2));
    for (auto& sample : stream_) {
      sample += cf32(gauss(rng), gauss(rng));
    }
  }

  /// Preamble \p preamble of \p config in slot \p slot, \p delay samples late.
  void add_preamble(const PrachConfig& config, unsigned slot, unsigned preamble, unsigned delay) {
    PrachModulator modulator(config, numerology_, num_prbs_);
    const auto layout = modulator.layout(slot);
    std::vector<cf32> samples(layout.length());
    modulator.modulate(slot, preamble, 1.0F, samples);
    for (unsigned a = 0; a < antennas_; ++a) {
      const std::size_t first = std::size_t{a} * total_ + offsets_[slot] + layout.start + delay;
      for (std::size_t n = 0; n < samples.size(); ++n) {
        stream_[first + n] += samples[n];
      }
    }
  }

  /// Slot \p slot's samples in PrachReceiver's layout.
  std::span<const cf32> slot(unsigned slot) {
    const std::size_t length = numerology_.slot_length(slot % numerology_.slots_per_frame());
    slot_buffer_.resize(length * antennas_);
    for (unsigned a = 0; a < antennas_; ++a) {
      std::copy_n(stream_.begin() + static_cast<std::ptrdiff_t>(a * total_ + offsets_[slot]),
                  length, slot_buffer_.begin() + static_cast<std::ptrdiff_t>(a * length));
    }
    return slot_buffer_;
  }

private:
  Numerology numerology_;
  unsigned num_prbs_;
  unsigned antennas_;
  unsigned slots_;
  std::size_t total_ = 0;
  std::vector<std::size_t> offsets_;
  std::vector<cf32> stream_;
  std::vector<cf32> slot_buffer_;
};

struct MultiSlotCase {
  PrachFormat format;
  unsigned mu;
  unsigned start_symbol;
  unsigned slots_spanned;
};

TEST(PrachReceiver, GathersOccasionsWithinAndAcrossSlots) {
  for (const MultiSlotCase c :
       {MultiSlotCase{PrachFormat::f0, 1, 0, 2}, MultiSlotCase{PrachFormat::f1, 0, 0, 3},
        MultiSlotCase{PrachFormat::a1, 1, 4, 1}, MultiSlotCase{PrachFormat::b4, 0, 0, 1}}) {
    const unsigned prbs = 24;
    const auto numerology = Numerology::for_carrier(c.mu, CyclicPrefix::normal, prbs);
    PrachConfig config;
    config.format = c.format;
    config.short_format_numerology = c.mu;
    config.cyclic_shift_length = prach_is_long_format(c.format) ? 13 : 15;
    config.root_sequence_index = 3;
    config.first_prb = 2;
    config.start_symbol = c.start_symbol;
    const unsigned start_slot = 2;
    PrachSlotStream stream(numerology, prbs, 2, start_slot + c.slots_spanned + 1);
    std::mt19937 rng(9);
    stream.add_noise(0.5F, rng);
    stream.add_preamble(config, start_slot, 21, 6);

    PrachReceiverConfig receiver_config;
    receiver_config.num_rx_antennas = 2;
    PrachReceiver receiver(numerology, prbs, receiver_config);
    ASSERT_EQ(receiver.add_occasion(config, start_slot, 77), "");
    std::vector<PrachOccasionResult> completed;
    for (unsigned s = 0; s < start_slot + c.slots_spanned; ++s) {
      EXPECT_TRUE(completed.empty()) << prach_format_name(c.format) << " slot " << s;
      receiver.process_slot(s, stream.slot(s), completed);
    }
    ASSERT_EQ(completed.size(), 1U) << prach_format_name(c.format);
    EXPECT_EQ(receiver.num_pending(), 0U);
    const auto& result = completed[0];
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.tag, 77U);
    EXPECT_EQ(result.start_slot, start_slot);
    ASSERT_EQ(result.detection.preambles.size(), 1U) << prach_format_name(c.format);
    EXPECT_EQ(result.detection.preambles[0].index, 21U);
    EXPECT_NEAR(result.detection.preambles[0].delay_s, 6 / numerology.sample_rate_hz(),
                0.1 / (prach_format_info(c.format).sequence_length *
                       double(prach_subcarrier_spacing_hz(config))));
  }
}

// Results handed back with recycle() keep their preamble lists: an occasion after the first
// allocates nothing (each detection reserved a new 64-preamble list, freed when the L1 cleared
// its completed results: 2 KiB per occasion, every PRACH period).
TEST(PrachReceiver, RecycledResultsMakeLaterOccasionsAllocationFree) {
  const unsigned prbs = 24;
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, prbs);
  PrachConfig config;
  config.format = PrachFormat::a1;
  config.short_format_numerology = 1;
  config.cyclic_shift_length = 15;
  config.root_sequence_index = 3;
  config.first_prb = 2;
  PrachSlotStream stream(numerology, prbs, 2, 8);
  std::mt19937 rng(4);
  stream.add_noise(0.5F, rng);
  stream.add_preamble(config, 2, 11, 3);
  stream.add_preamble(config, 5, 12, 4);
  PrachReceiverConfig receiver_config;
  receiver_config.num_rx_antennas = 2;
  PrachReceiver receiver(numerology, prbs, receiver_config);
  std::vector<PrachOccasionResult> completed;
  completed.reserve(4);
  ASSERT_EQ(receiver.add_occasion(config, 2, 1), "");
  for (unsigned s = 0; s <= 2; ++s) {
    receiver.process_slot(s, stream.slot(s), completed);
  }
  ASSERT_EQ(completed.size(), 1U);
  ASSERT_EQ(completed[0].detection.preambles.size(), 1U);
  EXPECT_EQ(completed[0].detection.preambles[0].index, 11U);
  receiver.recycle(completed);
  EXPECT_TRUE(completed.empty());
  ASSERT_EQ(receiver.add_occasion(config, 5, 2), "");
  const long before = airan::test::allocation_count();
  for (unsigned s = 3; s <= 5; ++s) {
    receiver.process_slot(s, stream.slot(s), completed);
  }
  const long allocations = airan::test::allocation_count() - before;
  EXPECT_EQ(allocations, 0);
  ASSERT_EQ(completed.size(), 1U);
  EXPECT_EQ(completed[0].tag, 2U);
  ASSERT_EQ(completed[0].detection.preambles.size(), 1U);
  EXPECT_EQ(completed[0].detection.preambles[0].index, 12U);
}

TEST(PrachReceiver, OccasionsThatLoseSamplesFail) {
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, 24);
  PrachReceiverConfig receiver_config;
  receiver_config.num_rx_antennas = 1;
  receiver_config.max_pending_occasions = 2;
  PrachReceiver receiver(numerology, 24, receiver_config);
  PrachConfig config; // format 0: two slots at 30 kHz
  PrachSlotStream stream(numerology, 24, 1, 8);
  std::vector<PrachOccasionResult> completed;
  ASSERT_EQ(receiver.add_occasion(config, 1, 1), "");
  ASSERT_EQ(receiver.add_occasion(config, 4, 2), "");
  EXPECT_NE(receiver.add_occasion(config, 6, 3).find("pending"), std::string::npos);
  config.cyclic_shift_length = 14;
  EXPECT_NE(receiver.add_occasion(config, 6, 3).find("N_CS"), std::string::npos);
  config.cyclic_shift_length = 13;
  receiver.process_slot(1, stream.slot(1), completed);
  receiver.process_slot(3, stream.slot(3), completed); // slot 2 lost
  ASSERT_EQ(completed.size(), 1U);
  EXPECT_EQ(completed[0].tag, 1U);
  EXPECT_NE(completed[0].error.find("slot 2"), std::string::npos);
  receiver.process_slot(4, {}, completed); // no samples
  ASSERT_EQ(completed.size(), 2U);
  EXPECT_NE(completed[1].error.find("no samples"), std::string::npos);
  EXPECT_NE(receiver.add_occasion(config, 4, 5).find("already"), std::string::npos);
  EXPECT_THROW(receiver.process_slot(5, stream.slot(6).first(10), completed),
               std::invalid_argument);
  // Nothing sent: noise-free silence yields no preamble.
  ASSERT_EQ(receiver.add_occasion(config, 6, 6), "");
  receiver.process_slot(6, stream.slot(6), completed);
  receiver.process_slot(7, stream.slot(7), completed);
  ASSERT_EQ(completed.size(), 3U);
  EXPECT_EQ(completed[2].error, "");
  EXPECT_TRUE(completed[2].detection.preambles.empty());
  // A restart drops what was gathering and takes slots from 0 again.
  ASSERT_EQ(receiver.add_occasion(config, 8, 7), "");
  receiver.process_slot(8, stream.slot(0), completed);
  EXPECT_EQ(receiver.num_pending(), 1U);
  receiver.reset();
  EXPECT_EQ(receiver.num_pending(), 0U);
  ASSERT_EQ(receiver.add_occasion(config, 0, 8), "");
  receiver.process_slot(0, stream.slot(0), completed);
  receiver.process_slot(1, stream.slot(1), completed);
  ASSERT_EQ(completed.size(), 4U);
  EXPECT_EQ(completed[3].tag, 8U);
  EXPECT_EQ(completed[3].error, "");
}

/// The section a 7.2x O-RU would send for an occasion: each period's DFT at \p num_res REs from
/// first_bin = the occasion's first_bin - \p sequence_offset (only the occasion's subcarriers are
/// filled here; the others are the band's guard and do not matter to the receiver).
std::vector<cf32> section_of(const PrachConfig& config, const Numerology& numerology, unsigned prbs,
                             PrachSlotStream& stream, unsigned start_slot, unsigned slots,
                             unsigned antennas, unsigned num_res, unsigned sequence_offset) {
  PrachDemodulator demodulator(config, numerology, prbs);
  const auto layout = demodulator.layout(start_slot);
  std::vector<cf32> joined;
  for (unsigned a = 0; a < antennas; ++a) {
    std::vector<cf32> antenna;
    for (unsigned s = start_slot; s < start_slot + slots; ++s) {
      const auto slot = stream.slot(s);
      const std::size_t length = slot.size() / antennas;
      antenna.insert(antenna.end(), slot.begin() + static_cast<std::ptrdiff_t>(a * length),
                     slot.begin() + static_cast<std::ptrdiff_t>((a + 1) * length));
    }
    joined.insert(joined.end(), antenna.begin() + layout.start,
                  antenna.begin() + layout.start + layout.length());
  }
  PrachBuffer buffer(antennas, layout.repetitions, layout.sequence_length);
  for (unsigned a = 0; a < antennas; ++a) {
    demodulator.demodulate(
        start_slot, std::span<const cf32>(joined).subspan(a * layout.length(), layout.length()), a,
        buffer);
  }
  std::vector<cf32> values(std::size_t{antennas} * layout.repetitions * num_res);
  for (unsigned a = 0; a < antennas; ++a) {
    for (unsigned p = 0; p < layout.repetitions; ++p) {
      const auto period = buffer.at(a, p);
      std::copy(period.begin(), period.end(),
                values.begin() +
                    static_cast<std::ptrdiff_t>(
                        (std::size_t{a} * layout.repetitions + p) * num_res + sequence_offset));
    }
  }
  return values;
}

// An O-RU's PRACH section in place of the time-domain samples: the same detection, bit for bit,
// as the samples' own path; sections that do not hold the occasion, or lost PRBs, fail it; an
// occasion whose section never comes fails once its last slot is past.
TEST(PrachReceiver, TakesAnORusSubcarrierSection) {
  const unsigned prbs = 24;
  const auto numerology = Numerology::for_carrier(1, CyclicPrefix::normal, prbs);
  PrachConfig config; // format 0: two slots at 30 kHz
  config.root_sequence_index = 5;
  config.first_prb = 3;
  PrachSlotStream stream(numerology, prbs, 2, 6);
  std::mt19937 rng(4);
  stream.add_noise(0.5F, rng);
  stream.add_preamble(config, 2, 40, 9);
  PrachReceiverConfig receiver_config;
  receiver_config.num_rx_antennas = 2;
  PrachReceiver from_samples(numerology, prbs, receiver_config);
  PrachReceiver from_sections(numerology, prbs, receiver_config);
  std::vector<PrachOccasionResult> expected;
  std::vector<PrachOccasionResult> completed;
  ASSERT_EQ(from_samples.add_occasion(config, 2, 1), "");
  from_samples.process_slot(2, stream.slot(2), expected);
  from_samples.process_slot(3, stream.slot(3), expected);
  ASSERT_EQ(expected.size(), 1U);
  ASSERT_EQ(expected[0].detection.preambles.size(), 1U);

  const unsigned num_res = 864; // 72 PRBs of 1.25 kHz, the sequence 7 REs in
  const auto values = section_of(config, numerology, prbs, stream, 2, 2, 2, num_res, 7);
  const auto layout = prach_occasion_layout(config, numerology, prbs, 2);
  PrachSubcarrierSection section{2, 1, num_res, layout.first_bin - 7, values, 0};
  ASSERT_EQ(from_sections.add_occasion(config, 2, 1), "");
  EXPECT_FALSE(from_sections.process_subcarriers(9, section, completed)); // no such occasion
  EXPECT_TRUE(from_sections.process_subcarriers(1, section, completed));
  ASSERT_EQ(completed.size(), 1U);
  EXPECT_EQ(completed[0].error, "");
  ASSERT_EQ(completed[0].detection.preambles.size(), 1U);
  EXPECT_EQ(completed[0].detection.preambles[0].index, 40U);
  EXPECT_EQ(completed[0].detection.preambles[0].delay_s,
            expected[0].detection.preambles[0].delay_s);
  EXPECT_EQ(completed[0].detection.preambles[0].power, expected[0].detection.preambles[0].power);
  EXPECT_EQ(completed[0].detection.noise_power, expected[0].detection.noise_power);
  EXPECT_FALSE(from_sections.process_subcarriers(1, section, completed)); // already done

  const auto fails_with = [&](PrachSubcarrierSection changed, const char* why) {
    completed.clear();
    ASSERT_EQ(from_sections.add_occasion(config, 2, 3), "");
    EXPECT_TRUE(from_sections.process_subcarriers(3, changed, completed));
    ASSERT_EQ(completed.size(), 1U);
    EXPECT_NE(completed[0].error.find(why), std::string::npos) << completed[0].error;
  };
  PrachSubcarrierSection shifted = section;
  shifted.first_bin += 8; // the sequence would start before RE 0
  fails_with(shifted, "does not hold");
  PrachSubcarrierSection narrow = section;
  narrow.num_res = 840;
  narrow.values = std::span(values).first(2 * 840);
  fails_with(narrow, "does not hold");
  PrachSubcarrierSection one_antenna = section;
  one_antenna.num_antennas = 1;
  one_antenna.values = std::span(values).first(num_res);
  fails_with(one_antenna, "does not hold");
  PrachSubcarrierSection lossy = section;
  lossy.missing_prbs = 3;
  fails_with(lossy, "3 PRBs");

  // Occasions of slots 2 (last sample in slot 3) and 4 (in slot 5): only the first has ended
  // before slot 5.
  completed.clear();
  ASSERT_EQ(from_sections.add_occasion(config, 2, 4), "");
  ASSERT_EQ(from_sections.add_occasion(config, 4, 5), "");
  from_sections.fail_ended_before(4, "never came", completed);
  ASSERT_EQ(completed.size(), 1U);
  EXPECT_EQ(completed[0].tag, 4U);
  EXPECT_EQ(completed[0].error, "never came");
  from_sections.fail_ended_before(5, "never came", completed);
  EXPECT_EQ(completed.size(), 1U);
  from_sections.fail_ended_before(6, "never came", completed);
  EXPECT_EQ(completed.size(), 2U);
  EXPECT_EQ(from_sections.num_pending(), 0U);
}

} // namespace
} // namespace airan::phy
