// The DPDK fronthaul loop on net_pcap: a slot callback that throws loses that slot only (it is
// released, counted, and the loop goes on, for every slot of a pool's worth), and one frame with a
// timestamp 100 s off does not move the capture clock (every slot still complete). The EAL runs
// once per process, so both captures are declared up front by the environment below.
#include "airan/io/dpdk_fronthaul_ingest.h"
#include "airan/io/pcap_file.h"
#include "fronthaul_test_helpers.h"

#include "../support/dpdk_pcap_environment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace airan::io {
namespace {

using airan::test::CapturedFrame;

constexpr std::int64_t epoch = 1'700'000'000'000'000'000;
constexpr unsigned num_slots = 6;

FronthaulConfig fronthaul_config() {
  FronthaulConfig config;
  config.compression = {CompressionMethod::block_floating_point, 9};
  return config; // epoch learned, as in a replay
}

struct Vector {
  Vector() : reader(airan::test::committed_vector(airan::test::vector_2ue)) {
    reader.read_slot(0, slot);
  }
  TestVectorReader reader;
  TestVectorSlot slot;
};

/// num_slots slots (slot 0 of consecutive frames) as the emulator sends them.
std::vector<CapturedFrame> frames() {
  const Vector v;
  RuEmulator emulator(v.reader.header().cell, v.reader.header().num_rx_antennas,
                      fronthaul_config());
  std::vector<CapturedFrame> out;
  for (unsigned i = 0; i < num_slots; ++i) {
    airan::test::capture_slot(emulator, v.slot, 1000 + 10 * i, epoch, out);
  }
  return out;
}

void write_capture(const std::filesystem::path& path, std::int64_t wild_shift) {
  auto all = frames();
  all[all.size() / 3].tx_ns += wild_shift;
  PcapWriter writer(path);
  for (const auto& frame : all) {
    writer.write(frame.bytes, static_cast<std::uint64_t>(frame.tx_ns));
  }
}

auto& environment = airan::test::add_dpdk_pcap_environment(
    new airan::test::DpdkPcapEnvironment("dpdk_ingest_test", [](const std::filesystem::path& dir) {
      write_capture(dir / "good.pcap", 0);
      write_capture(dir / "wild.pcap", 100'000'000'000);
      return std::vector<std::string>{"net_pcap0,rx_pcap=" + (dir / "good.pcap").string(),
                                      "net_pcap1,rx_pcap=" + (dir / "wild.pcap").string()};
    }));

DpdkPort open_port(const std::string& device) {
  DpdkPortConfig config;
  config.device = device;
  config.tx_ring_size = 0;
  return DpdkPort(config);
}

TEST(DpdkFronthaulIngest, AThrowingSlotHandlerLosesItsSlotOnly) {
  ASSERT_TRUE(environment.eal_error().empty()) << environment.eal_error();
  const Vector v;
  FronthaulSlotAssembler assembler(v.reader.header().cell, v.reader.header().num_rx_antennas,
                                   fronthaul_config());
  // As many slots as the pool has buffers, each handler throwing: a slot not given back would
  // leave no buffer for the slot pushed afterwards.
  ASSERT_EQ(assembler.pool_size(), num_slots);
  DpdkPort port = open_port("net_pcap0");
  unsigned seen = 0;
  unsigned complete = 0;
  DpdkFronthaulIngest ingest(
      port, assembler, IngestClock::capture_time, [&](const AssembledSlot& slot) {
        ++seen;
        complete += slot.complete() ? 1 : 0;
        throw std::runtime_error("receiver failed on slot " + std::to_string(seen));
      });
  ingest.run_until_idle(200);
  EXPECT_EQ(seen, num_slots);
  EXPECT_EQ(complete, num_slots);
  EXPECT_EQ(ingest.stats().slots, num_slots);
  EXPECT_EQ(ingest.stats().handler_errors, num_slots);
  EXPECT_EQ(ingest.first_handler_error(), "receiver failed on slot 1");
  EXPECT_EQ(assembler.pending_slots(), 0U);
  EXPECT_EQ(assembler.next_slot(), nullptr);
  // Every buffer is back in the pool: the next slot is assembled.
  RuEmulator emulator(v.reader.header().cell, v.reader.header().num_rx_antennas,
                      fronthaul_config());
  std::vector<CapturedFrame> next;
  airan::test::capture_slot(emulator, v.slot, 1000 + 10 * num_slots, epoch, next);
  for (const auto& frame : next) {
    EXPECT_TRUE(assembler.push(frame.bytes, frame.tx_ns));
  }
  const AssembledSlot* slot = assembler.next_slot();
  ASSERT_NE(slot, nullptr) << to_string(assembler.counters());
  EXPECT_TRUE(slot->complete());
  EXPECT_EQ(assembler.counters().no_buffer + assembler.counters().slots_overrun, 0U);
}

TEST(DpdkFronthaulIngest, AWildTimestampDoesNotMoveTheCaptureClock) {
  ASSERT_TRUE(environment.eal_error().empty()) << environment.eal_error();
  const Vector v;
  FronthaulSlotAssembler assembler(v.reader.header().cell, v.reader.header().num_rx_antennas,
                                   fronthaul_config());
  DpdkPort port = open_port("net_pcap1");
  unsigned complete = 0;
  std::vector<std::int64_t> absolute;
  DpdkFronthaulIngest ingest(port, assembler, IngestClock::capture_time,
                             [&](const AssembledSlot& slot) {
                               complete += slot.complete() ? 1 : 0;
                               absolute.push_back(slot.absolute_slot);
                             });
  ingest.run_until_idle(200);
  EXPECT_EQ(complete, num_slots);
  ASSERT_EQ(absolute.size(), num_slots);
  for (unsigned i = 1; i < num_slots; ++i) {
    EXPECT_EQ(absolute[i] - absolute[0], 10 * std::int64_t(i));
  }
  const auto& c = assembler.counters();
  EXPECT_EQ(c.arrival_outliers, 1U);
  EXPECT_EQ(c.too_late + c.slots_deadline + c.missing_units, 0U) << to_string(c);
}

} // namespace
} // namespace airan::io
