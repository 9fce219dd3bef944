#include "airan/phy/prach_receiver.h"

#include <algorithm>
#include <stdexcept>

namespace airan::phy {

struct PrachReceiver::Impl {
  /// A detector and its buffer, made once per detection configuration (format, spacing, root,
  /// N_CS): the occasions of every PRB and start symbol of that configuration share them.
  struct Engine {
    Engine(const PrachConfig& prach, const Numerology& numerology,
           const PrachReceiverConfig& receiver)
        : config(prach),
          detector(prach, numerology.mu(), receiver.num_rx_antennas, receiver.detector),
          buffer(receiver.num_rx_antennas, prach_format_info(prach.format).repetitions,
                 prach_format_info(prach.format).sequence_length) {}
    [[nodiscard]] bool detects(const PrachConfig& other) const {
      return other.format == config.format &&
             other.short_format_numerology == config.short_format_numerology &&
             other.root_sequence_index == config.root_sequence_index &&
             other.cyclic_shift_length == config.cyclic_shift_length;
    }
    PrachConfig config;
    PrachDetector detector;
    PrachBuffer buffer;
  };
  /// An occasion gathering its samples.
  struct Pending {
    bool active = false;
    std::uint64_t tag = 0;
    std::uint64_t start_slot = 0;
    std::uint64_t next_slot = 0;     ///< The slot whose samples come next.
    std::uint64_t last_slot = 0;     ///< The slot of the occasion's last sample.
    std::size_t stream_position = 0; ///< Samples from the start slot's first to next_slot's.
    PrachConfig config;
    PrachOccasionLayout layout;
    Engine* engine = nullptr;
    std::vector<cf32> samples; ///< [antenna][layout.length()].
  };

  Impl(const Numerology& carrier, unsigned prbs, const PrachReceiverConfig& receiver)
      : numerology(carrier), num_prbs(prbs), config(receiver),
        pending(receiver.max_pending_occasions) {}

  Engine& engine_for(const PrachConfig& prach) {
    for (auto& engine : engines) {
      if (engine->detects(prach)) {
        return *engine;
      }
    }
    engines.push_back(std::make_unique<Engine>(prach, numerology, config));
    return *engines.back();
  }

  /// The demodulator of \p prach's occasions (time-domain samples only), made once.
  PrachDemodulator& demodulator_for(const PrachConfig& prach) {
    for (auto& [key, demodulator] : demodulators) {
      if (key == prach) {
        return *demodulator;
      }
    }
    demodulators.emplace_back(prach,
                              std::make_unique<PrachDemodulator>(prach, numerology, num_prbs));
    return *demodulators.back().second;
  }

  [[nodiscard]] unsigned slot_in_frame(std::uint64_t absolute_slot) const {
    return static_cast<unsigned>(absolute_slot % numerology.slots_per_frame());
  }

  /// The slot that holds the last sample of an occasion starting in \p start_slot.
  [[nodiscard]] std::uint64_t last_slot_of(std::uint64_t start_slot,
                                           const PrachOccasionLayout& layout) const {
    std::uint64_t slot = start_slot;
    std::size_t covered = numerology.slot_length(slot_in_frame(slot));
    while (covered < std::size_t{layout.start} + layout.length()) {
      ++slot;
      covered += numerology.slot_length(slot_in_frame(slot));
    }
    return slot;
  }

  /// Ends \p occasion: with an error, or detected from its engine's buffer (\p demodulate:
  /// after demodulating its gathered samples into it).
  void finish(Pending& occasion, std::string error, std::vector<PrachOccasionResult>& completed,
              bool demodulate = true) {
    PrachOccasionResult result;
    if (!spare_results.empty()) { // a recycle()d one: its preamble list keeps its storage
      result = std::move(spare_results.back());
      spare_results.pop_back();
      result.detection.preambles.clear();
      result.detection.rssi = 0.0F;
      result.detection.noise_power = 0.0F;
    }
    result.tag = occasion.tag;
    result.start_slot = occasion.start_slot;
    result.config = occasion.config;
    result.error = std::move(error);
    if (result.error.empty()) {
      const unsigned slot = slot_in_frame(occasion.start_slot);
      const std::size_t length = occasion.layout.length();
      PrachDemodulator* demodulator = demodulate ? &demodulator_for(occasion.config) : nullptr;
      for (unsigned a = 0; demodulator != nullptr && a < config.num_rx_antennas; ++a) {
        demodulator->demodulate(slot,
                                std::span<const cf32>(occasion.samples).subspan(a * length, length),
                                a, occasion.engine->buffer);
      }
      occasion.engine->detector.detect(occasion.engine->buffer, result.detection);
    }
    occasion.active = false;
    completed.push_back(std::move(result));
  }

  Numerology numerology;
  unsigned num_prbs;
  PrachReceiverConfig config;
  std::vector<std::unique_ptr<Engine>> engines;
  std::vector<std::pair<PrachConfig, std::unique_ptr<PrachDemodulator>>> demodulators;
  std::vector<Pending> pending;
  std::vector<PrachOccasionResult> spare_results; ///< recycle()d, for the next occasions
  bool fed_any = false;
  std::uint64_t last_fed = 0;
};

PrachReceiver::PrachReceiver(const Numerology& numerology, unsigned num_prbs,
                             const PrachReceiverConfig& config) {
  if (config.num_rx_antennas == 0 || config.max_pending_occasions == 0) {
    throw std::invalid_argument("a PRACH receiver needs antennas and room for an occasion");
  }
  impl_ = std::make_unique<Impl>(numerology, num_prbs, config);
}

PrachReceiver::~PrachReceiver() = default;

std::string PrachReceiver::add_occasion(const PrachConfig& config, std::uint64_t absolute_slot,
                                        std::uint64_t tag) {
  Impl& s = *impl_;
  if (auto error = validate_prach_config(config, s.numerology, s.num_prbs); !error.empty()) {
    return error;
  }
  if (s.fed_any && absolute_slot <= s.last_fed) {
    return "PRACH occasion in slot " + std::to_string(absolute_slot) +
           ", whose samples have already been processed";
  }
  const auto free = std::find_if(s.pending.begin(), s.pending.end(),
                                 [](const Impl::Pending& p) { return !p.active; });
  if (free == s.pending.end()) {
    return "more than " + std::to_string(s.pending.size()) + " PRACH occasions pending";
  }
  free->engine = &s.engine_for(config);
  free->config = config;
  free->layout =
      prach_occasion_layout(config, s.numerology, s.num_prbs, s.slot_in_frame(absolute_slot));
  free->samples.resize(std::size_t{s.config.num_rx_antennas} * free->layout.length());
  free->tag = tag;
  free->start_slot = absolute_slot;
  free->next_slot = absolute_slot;
  free->last_slot = s.last_slot_of(absolute_slot, free->layout);
  free->stream_position = 0;
  free->active = true;
  return {};
}

void PrachReceiver::process_slot(std::uint64_t absolute_slot, std::span<const cf32> iq,
                                 std::vector<PrachOccasionResult>& completed) {
  Impl& s = *impl_;
  const std::size_t slot_length = s.numerology.slot_length(s.slot_in_frame(absolute_slot));
  if (!iq.empty() && iq.size() != slot_length * s.config.num_rx_antennas) {
    throw std::invalid_argument("PRACH receiver: slot " + std::to_string(absolute_slot) + " has " +
                                std::to_string(iq.size()) + " samples, expected " +
                                std::to_string(slot_length * s.config.num_rx_antennas));
  }
  s.fed_any = true;
  s.last_fed = std::max(s.last_fed, absolute_slot);
  for (auto& occasion : s.pending) {
    if (!occasion.active || occasion.start_slot > absolute_slot) {
      continue;
    }
    if (occasion.next_slot != absolute_slot) {
      s.finish(occasion,
               "the samples of slot " + std::to_string(occasion.next_slot) + " are missing",
               completed);
      continue;
    }
    if (iq.empty()) {
      s.finish(occasion, "no samples for slot " + std::to_string(absolute_slot), completed);
      continue;
    }
    // Copy the part of the occasion this slot holds, antenna by antenna.
    const std::size_t length = occasion.layout.length();
    const std::size_t begin =
        std::max<std::size_t>(occasion.stream_position, occasion.layout.start);
    const std::size_t end = std::min(occasion.stream_position + slot_length,
                                     std::size_t{occasion.layout.start} + length);
    for (unsigned a = 0; a < s.config.num_rx_antennas && begin < end; ++a) {
      const auto source =
          iq.subspan(a * slot_length + (begin - occasion.stream_position), end - begin);
      std::copy(source.begin(), source.end(),
                occasion.samples.begin() +
                    static_cast<std::ptrdiff_t>(a * length + (begin - occasion.layout.start)));
    }
    occasion.stream_position += slot_length;
    occasion.next_slot = absolute_slot + 1;
    if (occasion.stream_position >= std::size_t{occasion.layout.start} + length) {
      s.finish(occasion, {}, completed);
    }
  }
}

bool PrachReceiver::process_subcarriers(std::uint64_t tag, const PrachSubcarrierSection& section,
                                        std::vector<PrachOccasionResult>& completed) {
  Impl& s = *impl_;
  const auto occasion = std::find_if(s.pending.begin(), s.pending.end(),
                                     [&](const auto& p) { return p.active && p.tag == tag; });
  if (occasion == s.pending.end()) {
    return false;
  }
  const PrachOccasionLayout& layout = occasion->layout;
  // The occasion's subcarrier 0 is RE `offset` of the section.
  const std::int64_t offset = std::int64_t{layout.first_bin} - section.first_bin;
  if (section.num_antennas != s.config.num_rx_antennas ||
      section.num_periods != layout.repetitions || offset < 0 ||
      offset + layout.sequence_length > section.num_res ||
      section.values.size() !=
          std::size_t{section.num_antennas} * section.num_periods * section.num_res) {
    s.finish(*occasion, "the O-RU's PRACH section does not hold the occasion's subcarriers",
             completed);
    return true;
  }
  if (section.missing_prbs != 0) {
    s.finish(*occasion,
             std::to_string(section.missing_prbs) + " PRBs of the O-RU's PRACH section missing",
             completed);
    return true;
  }
  PrachBuffer& buffer = occasion->engine->buffer;
  for (unsigned a = 0; a < section.num_antennas; ++a) {
    for (unsigned p = 0; p < section.num_periods; ++p) {
      const auto source =
          section.values.subspan((std::size_t{a} * section.num_periods + p) * section.num_res +
                                     static_cast<std::size_t>(offset),
                                 layout.sequence_length);
      std::copy(source.begin(), source.end(), buffer.at(a, p).begin());
    }
  }
  s.finish(*occasion, {}, completed, false);
  return true;
}

void PrachReceiver::fail_ended_before(std::uint64_t absolute_slot, std::string_view reason,
                                      std::vector<PrachOccasionResult>& completed) {
  for (auto& occasion : impl_->pending) {
    if (occasion.active && occasion.last_slot < absolute_slot) {
      impl_->finish(occasion, std::string(reason), completed);
    }
  }
}

void PrachReceiver::recycle(std::vector<PrachOccasionResult>& completed) {
  for (auto& result : completed) {
    impl_->spare_results.push_back(std::move(result));
  }
  completed.clear();
}

void PrachReceiver::reset() {
  for (auto& occasion : impl_->pending) {
    occasion.active = false;
  }
  impl_->fed_any = false;
  impl_->last_fed = 0;
}

unsigned PrachReceiver::num_pending() const {
  return static_cast<unsigned>(std::count_if(impl_->pending.begin(), impl_->pending.end(),
                                             [](const Impl::Pending& p) { return p.active; }));
}

} // namespace airan::phy
