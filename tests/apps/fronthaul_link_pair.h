/// \file
/// \brief The fronthaul link tests' bench: the test MAC's O-RU end (FronthaulSampleFeeder on a
/// FronthaulFrameLink) and a stand-alone L1's DU end (FronthaulLinkReceiver) joined in one process,
/// beside an in-process feeder as the reference, on a 24-PRB carrier with 2 antennas.
#pragma once

#include "airan/l1/fronthaul_link_receiver.h"
#include "airan/l1/fronthaul_sample_feeder.h"
#include "airan/phy/numerology.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

namespace airan::l1::link_test {

inline constexpr unsigned rx = 2;
inline constexpr auto push_timeout = std::chrono::milliseconds(100);

inline phy::CellConfig link_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  return cell;
}

inline io::IqCompression bfp(std::uint8_t width) {
  return {io::CompressionMethod::block_floating_point, width};
}

inline io::FronthaulConfig link_config(io::FronthaulIngestMode mode,
                                       io::IqCompression compression) {
  io::FronthaulConfig config;
  config.mode = mode;
  config.compression = compression;
  return config;
}

inline InMemoryIqSourceConfig source_config(bool time_domain) {
  const phy::CellConfig cell = link_cell();
  const auto numerology = phy::carrier_numerology(cell);
  InMemoryIqSourceConfig config;
  config.num_rx_antennas = rx;
  config.num_subcarriers = 12 * cell.num_prbs;
  config.max_iq_samples = time_domain ? rx * std::size_t{numerology.slot_length(0)} : 0;
  return config;
}

inline phy::ResourceGrid random_grid(std::uint32_t seed) {
  phy::ResourceGrid grid(rx, 14, 12 * link_cell().num_prbs);
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0F, 0.1F);
  for (auto& value : grid.elements()) {
    value = {normal(generator), normal(generator)};
  }
  return grid;
}

/// A link that hands each frame to a function (and may drop chosen ones).
class FunctionLink final : public FronthaulFrameLink {
public:
  explicit FunctionLink(std::function<bool(std::span<const std::uint8_t>)> on_frame)
      : on_frame_(std::move(on_frame)) {}
  bool send(std::span<const std::uint8_t> frame) override { return on_frame_(frame); }
  std::uint64_t end_of_slot() override { return 0; }

private:
  std::function<bool(std::span<const std::uint8_t>)> on_frame_;
};

/// The samples a source holds for (sfn, slot), released; empty when it holds none.
struct Taken {
  bool present = false;
  bool has_grid = false;
  std::vector<phy::cf32> values; ///< The grid's elements or the IQ.
};

inline Taken take(InMemoryIqSource& source, std::uint16_t sfn, std::uint16_t slot) {
  Taken taken;
  ReceivedSlot received;
  if (!source.try_acquire(sfn, slot, received)) {
    return taken;
  }
  taken.present = true;
  taken.has_grid = received.grid != nullptr;
  if (received.grid != nullptr) {
    taken.values.assign(received.grid->elements().begin(), received.grid->elements().end());
  } else {
    taken.values.assign(received.iq.begin(), received.iq.end());
  }
  source.release(sfn, slot);
  return taken;
}

/// The O-RU end, the link and the DU end, beside an in-process feeder as the reference.
struct LinkPair {
  explicit LinkPair(const io::FronthaulConfig& config, bool time_domain = false)
      : far(source_config(time_domain)), near(source_config(time_domain)),
        receiver(link_cell(), rx, config, far, push_timeout, std::chrono::milliseconds(50)),
        link([this](std::span<const std::uint8_t> frame) {
          ++frames;
          if (frames == drop_frame) {
            return drop_reported;
          }
          receiver.on_frame(frame);
          return true;
        }),
        ru(link_cell(), rx, config, link), reference(link_cell(), rx, config, false, near) {}

  InMemoryIqSource far;  ///< The stand-alone L1's source.
  InMemoryIqSource near; ///< The in-process fronthaul's.
  FronthaulLinkReceiver receiver;
  std::uint64_t frames = 0;
  std::uint64_t drop_frame = 0; ///< 1-based frame the link loses (0: none).
  bool drop_reported = true;    ///< Whether the link says so (send() returns false).
  FunctionLink link;
  FronthaulSampleFeeder ru;
  FronthaulSampleFeeder reference;
};

/// The frames of one slot as the O-RU end sends them.
inline std::vector<std::vector<std::uint8_t>> slot_frames(
    std::uint16_t sfn, std::uint16_t slot,
    const io::FronthaulConfig& config = link_config(io::FronthaulIngestMode::frequency_domain,
                                                    bfp(9))) {
  std::vector<std::vector<std::uint8_t>> frames;
  FunctionLink capture([&](std::span<const std::uint8_t> frame) {
    frames.emplace_back(frame.begin(), frame.end());
    return true;
  });
  FronthaulSampleFeeder ru(link_cell(), rx, config, capture);
  EXPECT_TRUE(ru.push_grid(sfn, slot, random_grid(slot), push_timeout));
  return frames;
}

} // namespace airan::l1::link_test
