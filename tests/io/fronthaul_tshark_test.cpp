// Cross-check against an independent decoder: frames built by airan are written to a pcap and
// decoded by Wireshark's eCPRI and O-RAN FH CUS (oran_fh_cus) dissectors through tshark; every
// field tshark reports must be what was written, and its decoded IQ samples must be the values
// our decompressor returns. Wireshark hands eCPRI message types 0 and 2 to oran_fh_cus itself;
// what the M-plane would configure is given as -o preferences (eAxC field widths, uplink
// compression method and width, whether U-plane sections carry udCompHdr, the carrier's PRBs
// for numPrbu = 0). Skipped only when tshark is not installed.
#include "airan/io/fronthaul_frame.h"
#include "airan/io/pcap_file.h"

#include "../support/tshark_fields.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using namespace airan::io;
using airan::phy::cf32;
using Bytes = std::vector<std::uint8_t>;
using airan::test::Fields;
using airan::test::FieldTable;
using airan::test::have_tshark;
using airan::test::split;
using airan::test::tshark_fields;
std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("airan_tshark_test_" + std::to_string(::getpid()) + "_" + name);
}

const EaxcIdLayout layout{4, 4, 4, 4}; // not Wireshark's default 2/6/4/4: the preference matters
constexpr std::uint16_t tshark_carrier_prbs = 273;

std::vector<std::string> eaxc_preferences() {
  return {"oran_fh_cus.oran.du_port_id_bits:4", "oran_fh_cus.oran.bandsector_id_bits:4",
          "oran_fh_cus.oran.cc_id_bits:4", "oran_fh_cus.oran.ru_port_id_bits:4",
          "oran_fh_cus.oran.rbs_in_uplane_section:273"};
}

FronthaulFrameHeader tshark_frame_header(std::uint8_t sequence_id) {
  FronthaulFrameHeader header;
  header.ethernet.destination = {0x02, 0, 0, 0, 0, 0x02};
  header.ethernet.source = {0x02, 0, 0, 0, 0, 0x01};
  header.ethernet.vlan = VlanTag{5, false, 100};
  header.eaxc_id = pack_eaxc_id({1, 2, 3, 4}, layout);
  header.sequence = {sequence_id, true, 0};
  return header;
}

std::vector<cf32> random_res(std::size_t num_prbs, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0F, 0.05F);
  std::vector<cf32> res(12 * num_prbs);
  for (auto& x : res) {
    x = {gauss(rng), gauss(rng)};
  }
  return res;
}

/// A written U-plane section: header, compression and the int16 values it decompresses to.
struct SentSection {
  UplaneSectionHeader header;
  unsigned num_prbs;
  std::vector<std::int16_t> values;
  std::vector<unsigned> exponents;
};

/// Writes a U-plane frame of \p sections (random REs compressed with \p compression) and
/// records what each section decompresses to.
Bytes uplane_frame(const OranTimingHeader& timing, const UplaneFormat& format,
                   const IqCompression& compression, std::vector<SentSection>& sections,
                   std::uint8_t sequence_id) {
  const auto compressor = create_iq_compressor();
  Bytes buffer(16000);
  UplaneFrameWriter writer(buffer, tshark_frame_header(sequence_id), timing, format);
  for (auto& section : sections) {
    const auto res = random_res(section.num_prbs, section.header.section_id);
    const auto prbs = writer.add_section(section.header, compression);
    EXPECT_FALSE(prbs.empty());
    compressor->compress(res, compression, 1.0F, prbs);
    section.values.resize(std::size_t{24} * section.num_prbs);
    compressor->decompress(prbs, compression, section.values);
    const std::size_t prb_size = prbs.size() / section.num_prbs;
    for (std::size_t k = 0; k < section.num_prbs; ++k) {
      section.exponents.push_back(
          compression.method == CompressionMethod::none ? 0 : prbs[k * prb_size] & 0x0F);
    }
  }
  const auto frame = writer.finish();
  EXPECT_FALSE(frame.empty());
  return Bytes(frame.begin(), frame.end());
}

const std::vector<std::string> uplane_fields =
    split("ecpri.revision ecpri.type ecpri.size oran_fh_cus.du_port_id oran_fh_cus.bandsector_id "
          "oran_fh_cus.cc_id oran_fh_cus.ru_port_id oran_fh_cus.sequence_id oran_fh_cus.e_bit "
          "oran_fh_cus.subsequence_id oran_fh_cus.data_direction oran_fh_cus.payloadVersion "
          "oran_fh_cus.filterIndex oran_fh_cus.frameId oran_fh_cus.subframe_id oran_fh_cus.slotId "
          "oran_fh_cus.startSymbolId oran_fh_cus.sectionId oran_fh_cus.rb oran_fh_cus.symInc "
          "oran_fh_cus.startPrbu oran_fh_cus.numPrbu oran_fh_cus.udCompHdrMeth "
          "oran_fh_cus.udCompHdrWidth oran_fh_cus.exponent oran_fh_cus.iSample oran_fh_cus.qSample",
          ' ');

/// Checks one decoded U-plane packet against what was written.
void expect_uplane(const Fields& packet, const OranTimingHeader& timing,
                   const std::vector<SentSection>& sections, std::size_t frame_size,
                   std::uint8_t sequence_id, unsigned width, bool compressed) {
  const FieldTable t{uplane_fields};
  EXPECT_EQ(t.one(packet, "ecpri.revision"), 1);
  EXPECT_EQ(t.one(packet, "ecpri.type"), 0);
  EXPECT_EQ(t.one(packet, "ecpri.size"), static_cast<long long>(frame_size - 18 - 4));
  EXPECT_EQ(t.one(packet, "oran_fh_cus.du_port_id"), 1);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.bandsector_id"), 2);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.cc_id"), 3);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.ru_port_id"), 4);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.sequence_id"), sequence_id);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.e_bit"), 1);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.subsequence_id"), 0);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.data_direction"), 0);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.payloadVersion"), 1);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.filterIndex"), timing.filter_index);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.frameId"), timing.frame_id);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.subframe_id"), timing.subframe_id);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.slotId"), timing.slot_id);
  EXPECT_EQ(t.one(packet, "oran_fh_cus.startSymbolId"), timing.symbol_id);
  std::vector<long long> ids, rbs, incs, starts, nums, exponents;
  std::vector<double> samples_i, samples_q;
  for (const auto& section : sections) {
    ids.push_back(section.header.section_id);
    rbs.push_back(section.header.every_other_prb);
    incs.push_back(section.header.symbol_increment);
    starts.push_back(section.header.start_prb);
    nums.push_back(section.header.num_prbs);
    exponents.insert(exponents.end(), section.exponents.begin(), section.exponents.end());
  }
  EXPECT_EQ(t.numbers(packet, "oran_fh_cus.sectionId"), ids);
  EXPECT_EQ(t.numbers(packet, "oran_fh_cus.rb"), rbs);
  EXPECT_EQ(t.numbers(packet, "oran_fh_cus.symInc"), incs);
  EXPECT_EQ(t.numbers(packet, "oran_fh_cus.startPrbu"), starts);
  EXPECT_EQ(t.numbers(packet, "oran_fh_cus.numPrbu"), nums);
  if (compressed) {
    EXPECT_EQ(t.numbers(packet, "oran_fh_cus.exponent"), exponents);
  }
  // Wireshark 4.0 shows a sample as mantissa * 2^exponent / 2^(width - 1) / 2^15: scaled back
  // it is the int16 value our decompressor returns.
  const auto is = t.floats(packet, "oran_fh_cus.iSample");
  const auto qs = t.floats(packet, "oran_fh_cus.qSample");
  const double scale = std::ldexp(1.0, static_cast<int>(width) - 1 + 15);
  std::size_t n = 0;
  for (const auto& section : sections) {
    for (std::size_t k = 0; k < section.values.size() / 2; ++k, ++n) {
      ASSERT_LT(n, is.size());
      ASSERT_LT(n, qs.size());
      EXPECT_NEAR(is[n] * scale, section.values[2 * k], 1e-5 * 32768) << n;
      EXPECT_NEAR(qs[n] * scale, section.values[2 * k + 1], 1e-5 * 32768) << n;
    }
  }
  EXPECT_EQ(n, is.size());
}

class FronthaulTshark : public ::testing::Test {
protected:
  void SetUp() override {
    if (!have_tshark()) {
      GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
    }
  }
};

TEST_F(FronthaulTshark, StaticBfpUplaneMatchesWiresharkField) {
  const UplaneFormat format{
      {CompressionMethod::block_floating_point, 9}, false, tshark_carrier_prbs};
  const OranTimingHeader first{DataDirection::uplink, 1, 0, 7, 3, 1, 5};
  const OranTimingHeader second{DataDirection::uplink, 1, 2, 255, 9, 15, 13};
  std::vector<SentSection> first_sections = {{{17, false, false, 10, 3}, 3, {}, {}},
                                             {{18, false, true, 100, 2}, 2, {}, {}}};
  std::vector<SentSection> all_prbs = {{{4095, false, false, 0, 0}, tshark_carrier_prbs, {}, {}}};
  const Bytes a = uplane_frame(first, format, format.compression, first_sections, 9);
  const Bytes b = uplane_frame(second, format, format.compression, all_prbs, 10);
  const auto path = temp_file("static_bfp.pcap");
  {
    PcapWriter writer(path);
    writer.write(a, 1'000'000'000);
    writer.write(b, 1'000'500'000);
  }
  auto preferences = eaxc_preferences();
  preferences.push_back("oran_fh_cus.oran.iq_bitwidth_up:9");
  preferences.push_back("oran_fh_cus.oran.ud_comp_up:Block Floating Point Compression");
  preferences.push_back("oran_fh_cus.oran.ud_comp_hdr_up:FALSE");
  const auto packets = tshark_fields(path, preferences, uplane_fields);
  ASSERT_EQ(packets.size(), 2U);
  expect_uplane(packets[0], first, first_sections, a.size(), 9, 9, true);
  expect_uplane(packets[1], second, all_prbs, b.size(), 10, 9, true);
  std::filesystem::remove(path);
}

TEST_F(FronthaulTshark, DynamicUncompressedUplaneMatchesWireshark) {
  const UplaneFormat format{{CompressionMethod::none, 16}, true, tshark_carrier_prbs};
  const OranTimingHeader timing{DataDirection::uplink, 1, 0, 42, 0, 0, 0};
  std::vector<SentSection> sections = {{{1, false, false, 0, 4}, 4, {}, {}},
                                       {{2, false, false, 50, 1}, 1, {}, {}}};
  const Bytes frame = uplane_frame(timing, format, format.compression, sections, 0);
  const auto path = temp_file("dynamic_none.pcap");
  PcapWriter(path).write(frame, 0);
  auto preferences = eaxc_preferences();
  preferences.push_back("oran_fh_cus.oran.iq_bitwidth_up:16");
  preferences.push_back("oran_fh_cus.oran.ud_comp_up:No Compression");
  preferences.push_back("oran_fh_cus.oran.ud_comp_hdr_up:TRUE");
  const auto packets = tshark_fields(path, preferences, uplane_fields);
  ASSERT_EQ(packets.size(), 1U);
  expect_uplane(packets[0], timing, sections, frame.size(), 0, 16, false);
  const FieldTable t{uplane_fields};
  EXPECT_EQ(t.numbers(packets[0], "oran_fh_cus.udCompHdrMeth"), (std::vector<long long>{0, 0}));
  EXPECT_EQ(t.numbers(packets[0], "oran_fh_cus.udCompHdrWidth"), (std::vector<long long>{0, 0}));
  std::filesystem::remove(path);
}

TEST_F(FronthaulTshark, CplaneSectionTypes1And3MatchWireshark) {
  CplaneMessageHeader type1;
  type1.timing = {DataDirection::uplink, 1, 0, 7, 3, 1, 2};
  type1.compression = {CompressionMethod::block_floating_point, 9};
  const std::vector<CplaneSection> type1_sections = {
      {5, false, false, 20, 50, 0xFFF, 12, false, 3, 0},
      {6, true, true, 1023, 0, 0xA5A, 1, false, 0x7FFF, 0}};
  CplaneMessageHeader type3;
  type3.timing = {DataDirection::uplink, 1, 1, 255, 9, 0, 0};
  type3.section_type = CplaneSectionType::prach_mixed_numerology;
  type3.compression = {CompressionMethod::block_floating_point, 14};
  type3.time_offset = 0x1234;
  type3.fft_size_code = *fft_size_code(4096);
  type3.subcarrier_spacing = 1;
  type3.cp_length = 0x0AB0;
  const CplaneSection type3_section{1, false, false, 2, 12, 0xFFF, 1, false, 7, -1234};
  Bytes a(200);
  Bytes b(200);
  a.resize(write_cplane_frame(a, tshark_frame_header(4), type1, type1_sections));
  b.resize(write_cplane_frame(b, tshark_frame_header(5), type3, std::span(&type3_section, 1)));
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  const auto path = temp_file("cplane.pcap");
  {
    PcapWriter writer(path, PcapTimestampResolution::microseconds);
    writer.write(a, 0);
    writer.write(b, 1000);
  }
  const auto fields = split(
      "ecpri.type ecpri.size oran_fh_cus.ru_port_id oran_fh_cus.sequence_id oran_fh_cus.frameId "
      "oran_fh_cus.subframe_id oran_fh_cus.slotId oran_fh_cus.startSymbolId "
      "oran_fh_cus.filterIndex oran_fh_cus.numberOfSections oran_fh_cus.sectionType "
      "oran_fh_cus.udCompHdrWidth oran_fh_cus.udCompHdrMeth oran_fh_cus.sectionId "
      "oran_fh_cus.rb oran_fh_cus.symInc oran_fh_cus.startPrbc oran_fh_cus.numPrbc "
      "oran_fh_cus.reMask oran_fh_cus.numSymbol oran_fh_cus.ef oran_fh_cus.beamId "
      "oran_fh_cus.timeOffset oran_fh_cus.frameStructure.fft oran_fh_cus.frameStructure.spacing "
      "oran_fh_cus.cpLength oran_fh_cus.freqOffset",
      ' ');
  const auto packets = tshark_fields(path, eaxc_preferences(), fields);
  ASSERT_EQ(packets.size(), 2U);
  const FieldTable t{fields};
  using V = std::vector<long long>;
  const Fields& p1 = packets[0];
  EXPECT_EQ(t.one(p1, "ecpri.type"), 2);
  EXPECT_EQ(t.one(p1, "ecpri.size"), static_cast<long long>(a.size() - 18 - 4));
  EXPECT_EQ(t.one(p1, "oran_fh_cus.ru_port_id"), 4);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.sequence_id"), 4);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.frameId"), 7);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.subframe_id"), 3);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.slotId"), 1);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.startSymbolId"), 2);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.numberOfSections"), 2);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.sectionType"), 1);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.udCompHdrWidth"), 9);
  EXPECT_EQ(t.one(p1, "oran_fh_cus.udCompHdrMeth"), 1);
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.sectionId"), (V{5, 6}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.rb"), (V{0, 1}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.symInc"), (V{0, 1}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.startPrbc"), (V{20, 1023}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.numPrbc"), (V{50, 0}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.reMask"), (V{0xFFF, 0xA5A}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.numSymbol"), (V{12, 1}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.ef"), (V{0, 0}));
  EXPECT_EQ(t.numbers(p1, "oran_fh_cus.beamId"), (V{3, 0x7FFF}));
  const Fields& p3 = packets[1];
  EXPECT_EQ(t.one(p3, "oran_fh_cus.sectionType"), 3);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.frameId"), 255);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.subframe_id"), 9);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.filterIndex"), 1);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.timeOffset"), 0x1234);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.frameStructure.fft"), 12);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.frameStructure.spacing"), 1);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.cpLength"), 0x0AB0);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.udCompHdrWidth"), 14);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.sectionId"), 1);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.startPrbc"), 2);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.numPrbc"), 12);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.beamId"), 7);
  EXPECT_EQ(t.one(p3, "oran_fh_cus.freqOffset"), 0x1000000 - 1234); // raw 24-bit field
  std::filesystem::remove(path);
}

} // namespace
