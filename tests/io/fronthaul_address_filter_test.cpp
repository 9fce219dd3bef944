// The ingest's MAC and VLAN filter (FronthaulConfig::filter_by_address): a promiscuous port or a
// capture also carries other links' frames, which may use this carrier's eAxC ids. Frames to
// another destination MAC or tagged with another VLAN id are counted and kept out of the slots,
// so the assembled grid is bit-exactly the one of this link's frames alone.
#include "airan/io/fronthaul_address_filter.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "fronthaul_test_helpers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace fronthaul_address_filter_test {

using namespace airan::io;
using airan::test::CapturedFrame;

constexpr std::int64_t epoch = 1'700'000'000'000'000'000;
const MacAddress du_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
const MacAddress other_du_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x09};

/// The Ethernet header of a frame from an O-RU to \p destination, tagged with \p vlan_id.
std::vector<std::uint8_t> frame_header(const MacAddress& destination,
                                       std::optional<std::uint16_t> vlan_id) {
  std::vector<std::uint8_t> f(destination.begin(), destination.end());
  f.insert(f.end(), {0x02, 0x00, 0x00, 0x00, 0x00, 0x01});
  if (vlan_id) {
    f.insert(f.end(), {0x81, 0x00, static_cast<std::uint8_t>(0xE0 | (*vlan_id >> 8)),
                       static_cast<std::uint8_t>(*vlan_id & 0xFF)});
  }
  f.insert(f.end(), {0xAE, 0xFE, 0x10, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x80});
  return f;
}

TEST(FronthaulAddressFilter, MatchesTheDestinationAndAnyVlanTag) {
  FronthaulConfig config;
  config.du_mac = du_mac;
  using enum FrameAddressMatch;
  EXPECT_EQ(match_frame_address(frame_header(du_mac, std::nullopt), config), ours);
  EXPECT_EQ(match_frame_address(frame_header(other_du_mac, std::nullopt), config),
            other_destination);
  const MacAddress broadcast{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(match_frame_address(frame_header(broadcast, std::nullopt), config), other_destination);
  // No VLAN configured: any tag passes.
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 200), config), ours);

  config.vlan = VlanTag{7, false, 100};
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 100), config), ours);
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 200), config), other_vlan);
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 100 + 4096 / 2), config), other_vlan);
  EXPECT_EQ(match_frame_address(frame_header(other_du_mac, 200), config), other_destination);
  // Untagged (a NIC or a VLAN interface stripped the tag) or priority-tagged (VLAN id 0, IEEE
  // 802.1Q: no VLAN): passes.
  EXPECT_EQ(match_frame_address(frame_header(du_mac, std::nullopt), config), ours);
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 0), config), ours);
  // Too short to tell: left to the parser, which counts it truncated.
  auto cut = frame_header(du_mac, 200);
  cut.resize(15);
  EXPECT_EQ(match_frame_address(cut, config), ours);
  cut.resize(5);
  EXPECT_EQ(match_frame_address(cut, config), ours);

  config.filter_by_address = false;
  EXPECT_EQ(match_frame_address(frame_header(other_du_mac, 200), config), ours);
  EXPECT_EQ(mac_to_string({0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0xff}), "0a:1b:2c:3d:4e:ff");
  EXPECT_EQ(to_string(other_vlan), "other VLAN");
}

// At the O-RU end the DU's C-plane comes to ru_mac: a frame to the DU's address (or another
// O-RU's) is another link's there, and the VLAN rule is the DU end's.
TEST(FronthaulAddressFilter, AtTheOruTheDestinationIsRuMac) {
  FronthaulConfig config;
  config.du_mac = du_mac;
  const MacAddress ru_mac = config.ru_mac;
  const MacAddress other_ru_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x07};
  using enum FrameAddressMatch;
  EXPECT_EQ(match_frame_address(frame_header(ru_mac, std::nullopt), config, FronthaulEnd::ru),
            ours);
  EXPECT_EQ(match_frame_address(frame_header(du_mac, std::nullopt), config, FronthaulEnd::ru),
            other_destination);
  EXPECT_EQ(match_frame_address(frame_header(other_ru_mac, std::nullopt), config, FronthaulEnd::ru),
            other_destination);
  EXPECT_EQ(match_frame_address(frame_header(ru_mac, std::nullopt), config), other_destination);
  config.vlan = VlanTag{7, false, 100};
  EXPECT_EQ(match_frame_address(frame_header(ru_mac, 200), config, FronthaulEnd::ru), other_vlan);
  EXPECT_EQ(match_frame_address(frame_header(ru_mac, 100), config, FronthaulEnd::ru), ours);
  config.filter_by_address = false;
  EXPECT_EQ(match_frame_address(frame_header(du_mac, 200), config, FronthaulEnd::ru), ours);
}

/// The slot the assembler makes of \p frames (in order), and its counters.
struct Assembled {
  std::vector<airan::phy::cf32> grid;
  FronthaulCounters counters;
};

Assembled assemble(const TestVectorReader& reader, const FronthaulConfig& config,
                   const std::vector<CapturedFrame>& frames) {
  const auto& header = reader.header();
  FronthaulSlotAssembler assembler(header.cell, header.num_rx_antennas, config);
  Assembled out;
  for (const auto& frame : frames) {
    assembler.push(frame.bytes, frame.tx_ns);
  }
  assembler.flush();
  unsigned slots = 0;
  while (const AssembledSlot* slot = assembler.next_slot()) {
    const auto elements = slot->grid.elements();
    out.grid.assign(elements.begin(), elements.end());
    ++slots;
    assembler.release(slot);
  }
  EXPECT_EQ(slots, 1U);
  out.counters = assembler.counters();
  return out;
}

TEST(FronthaulAddressFilter, AnotherLinksFramesWithTheSameEaxcIdsStayOut) {
  const TestVectorReader reader(airan::test::committed_vector(airan::test::vector_2ue));
  const auto& header = reader.header();
  TestVectorSlot slot;
  reader.read_slot(0, slot);
  FronthaulConfig ours;
  ours.du_mac = du_mac;
  ours.vlan = VlanTag{7, false, 100};
  ours.epoch_ns = epoch;
  // Two other links of the same carrier ids: another VLAN, another DU; their grids differ.
  FronthaulConfig other_vlan = ours;
  other_vlan.vlan->vlan_id = 200;
  FronthaulConfig other_du = ours;
  other_du.du_mac = other_du_mac;
  TestVectorSlot other_slot = slot;
  for (auto& x : other_slot.grid.elements()) {
    x = -x;
  }
  const auto absolute_slot = static_cast<std::int64_t>(slot.absolute_slot);
  std::vector<CapturedFrame> our_frames;
  std::vector<CapturedFrame> vlan_frames;
  std::vector<CapturedFrame> du_frames;
  RuEmulator our_ru(header.cell, header.num_rx_antennas, ours);
  RuEmulator vlan_ru(header.cell, header.num_rx_antennas, other_vlan);
  RuEmulator du_ru(header.cell, header.num_rx_antennas, other_du);
  airan::test::capture_slot(our_ru, slot, absolute_slot, epoch, our_frames);
  airan::test::capture_slot(vlan_ru, other_slot, absolute_slot, epoch, vlan_frames);
  airan::test::capture_slot(du_ru, other_slot, absolute_slot, epoch, du_frames);
  ASSERT_EQ(our_frames.size(), vlan_frames.size());
  ASSERT_EQ(our_frames.size(), du_frames.size());
  // Each of the other links' frames just before ours: without the filter they fill the slot.
  std::vector<CapturedFrame> mixed;
  for (std::size_t i = 0; i < our_frames.size(); ++i) {
    mixed.push_back(vlan_frames[i]);
    mixed.push_back(du_frames[i]);
    mixed.push_back(our_frames[i]);
  }
  const Assembled alone = assemble(reader, ours, our_frames);
  EXPECT_EQ(alone.counters.slots_complete, 1U);
  const Assembled filtered = assemble(reader, ours, mixed);
  EXPECT_EQ(filtered.grid, alone.grid); // bit-exact
  const FronthaulCounters& c = filtered.counters;
  EXPECT_EQ(c.other_vlan, vlan_frames.size());
  EXPECT_EQ(c.other_destination, du_frames.size());
  EXPECT_EQ(c.units, alone.counters.units);
  EXPECT_EQ(c.duplicate_units + c.malformed() + c.too_late + c.sequence_gaps, 0U);
  EXPECT_EQ(c.slots_complete, 1U);
  EXPECT_NE(to_string(c).find("other_vlan " + std::to_string(vlan_frames.size())),
            std::string::npos);
  const std::string note = describe_other_links(c, ours);
  EXPECT_NE(note.find(std::to_string(du_frames.size()) + " to another MAC address than " +
                      "02:00:00:00:00:02 (fronthaul.du_mac), " +
                      std::to_string(vlan_frames.size()) +
                      " tagged with another VLAN id than 100 (fronthaul.vlan.id)"),
            std::string::npos)
      << note;
  EXPECT_EQ(describe_other_links(alone.counters, ours), "");

  // Without the filter the other links' frames, which came first, fill the slot.
  FronthaulConfig unfiltered = ours;
  unfiltered.filter_by_address = false;
  const Assembled mixed_up = assemble(reader, unfiltered, mixed);
  EXPECT_NE(mixed_up.grid, alone.grid);
  EXPECT_EQ(mixed_up.counters.other_vlan + mixed_up.counters.other_destination, 0U);
}

} // namespace fronthaul_address_filter_test
