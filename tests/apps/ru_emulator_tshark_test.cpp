// The RU emulator's captures read by an independent decoder: `airan ru-emulator` writes a
// vector's uplink (7.2x, BFP9, udCompHdr in every section, VLAN-tagged) to a pcap, Wireshark's
// eCPRI and oran_fh_cus dissectors decode it through tshark, and every field they report must be
// what the emulator sent: the eCPRI header, eAxC RU port, sequence id, direction, frame /
// subframe / slot / symbol, and per section its id, startPrbu, numPrbu and compression header.
// What was sent is read back with our own parser from the same capture. Skipped only when tshark
// is not installed.
#include "../support/run_airan.h"
#include "../support/tshark_fields.h"

#include "airan/io/fronthaul_frame.h"
#include "airan/io/pcap_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace airan::test {
namespace {

/// The fields of one packet as the emulator built them.
struct SentPacket {
  long long ecpri_type = 0, ecpri_size = 0, vlan_id = 0, ru_port = 0, sequence_id = 0;
  long long frame = 0, subframe = 0, slot = 0, symbol = 0;
  std::vector<long long> section_ids, start_prbs, num_prbs, comp_methods, comp_widths;
};

std::vector<SentPacket> parse_with_airan(const std::string& pcap, unsigned carrier_prbs) {
  io::FronthaulLinkConfig link;
  link.eaxc_layout = {4, 4, 4, 4};
  link.uplane.ud_comp_hdr_present = true;
  link.uplane.carrier_prbs = static_cast<std::uint16_t>(carrier_prbs);
  io::PcapReader reader(pcap);
  io::PcapRecord record;
  std::vector<SentPacket> packets;
  while (reader.next(record)) {
    const auto parsed = io::parse_fronthaul_frame(record.data, link);
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    if (!parsed.ok()) {
      continue;
    }
    const auto& f = parsed.frame;
    SentPacket p;
    p.ecpri_type = static_cast<long long>(f.ecpri.message.header.type);
    p.ecpri_size = f.ecpri.message.header.payload_size;
    p.vlan_id = f.ecpri.ethernet.vlan ? f.ecpri.ethernet.vlan->vlan_id : -1;
    p.ru_port = f.eaxc.ru_port;
    p.sequence_id = f.ecpri.message.header.sequence.sequence_id;
    const auto& timing = f.uplane.timing;
    p.frame = timing.frame_id;
    p.subframe = timing.subframe_id;
    p.slot = timing.slot_id;
    p.symbol = timing.symbol_id;
    for (const auto& section : f.uplane.sections) {
      p.section_ids.push_back(section.header.section_id);
      p.start_prbs.push_back(section.header.start_prb);
      p.num_prbs.push_back(section.header.num_prbs);
      p.comp_methods.push_back(static_cast<long long>(section.compression.method));
      p.comp_widths.push_back(section.compression.iq_width);
    }
    packets.push_back(std::move(p));
  }
  return packets;
}

TEST(RuEmulatorTshark, EveryFieldWiresharkDecodesIsWhatWasSent) {
  if (!have_tshark()) {
    GTEST_SKIP() << "tshark is not installed";
  }
  const auto dir = scratch_dir("ru_tshark");
  const auto vector = (repo_root() / "testvectors/vectors/tdl-c300_20mhz_2ue_1x2.h5").string();
  const auto config = (dir / "link.yaml").string();
  std::ofstream(config) << "fronthaul:\n  compression: bfp9\n  dynamic_compression_header: true\n"
                           "  vlan: {id: 7, pcp: 3}\n  max_frame_size: 1500\n";
  const auto pcap = (dir / "uplane.pcap").string();
  const auto emulate =
      run_airan("ru-emulator --vector " + vector + " --config " + config + " --pcap " + pcap);
  ASSERT_EQ(emulate.status, 0) << emulate.output;

  const std::vector<std::string> fields = {"ecpri.type",
                                           "ecpri.size",
                                           "vlan.id",
                                           "oran_fh_cus.ru_port_id",
                                           "oran_fh_cus.sequence_id",
                                           "oran_fh_cus.data_direction",
                                           "oran_fh_cus.frameId",
                                           "oran_fh_cus.subframe_id",
                                           "oran_fh_cus.slotId",
                                           "oran_fh_cus.startSymbolId",
                                           "oran_fh_cus.sectionId",
                                           "oran_fh_cus.startPrbu",
                                           "oran_fh_cus.numPrbu",
                                           "oran_fh_cus.udCompHdrMeth",
                                           "oran_fh_cus.udCompHdrWidth"};
  const std::vector<std::string> preferences = {
      "oran_fh_cus.oran.du_port_id_bits:4",
      "oran_fh_cus.oran.bandsector_id_bits:4",
      "oran_fh_cus.oran.cc_id_bits:4",
      "oran_fh_cus.oran.ru_port_id_bits:4",
      "oran_fh_cus.oran.rbs_in_uplane_section:106",
      "oran_fh_cus.oran.iq_bitwidth_up:9",
      "oran_fh_cus.oran.ud_comp_up:Block Floating Point Compression",
      "oran_fh_cus.oran.ud_comp_hdr_up:TRUE"};
  const auto decoded = tshark_fields(pcap, preferences, fields);
  const auto sent = parse_with_airan(pcap, 106);
  ASSERT_EQ(decoded.size(), sent.size());
  ASSERT_GT(sent.size(), 50U);
  const FieldTable t{fields};
  std::size_t sections = 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const auto& d = decoded[i];
    const auto& s = sent[i];
    SCOPED_TRACE("packet " + std::to_string(i));
    EXPECT_EQ(t.one(d, "ecpri.type"), s.ecpri_type);
    EXPECT_EQ(t.one(d, "ecpri.size"), s.ecpri_size);
    EXPECT_EQ(t.one(d, "vlan.id"), s.vlan_id);
    EXPECT_EQ(t.one(d, "oran_fh_cus.ru_port_id"), s.ru_port);
    EXPECT_EQ(t.one(d, "oran_fh_cus.sequence_id"), s.sequence_id);
    EXPECT_EQ(t.one(d, "oran_fh_cus.data_direction"), 0); // uplink
    EXPECT_EQ(t.one(d, "oran_fh_cus.frameId"), s.frame);
    EXPECT_EQ(t.one(d, "oran_fh_cus.subframe_id"), s.subframe);
    EXPECT_EQ(t.one(d, "oran_fh_cus.slotId"), s.slot);
    EXPECT_EQ(t.one(d, "oran_fh_cus.startSymbolId"), s.symbol);
    EXPECT_EQ(t.numbers(d, "oran_fh_cus.sectionId"), s.section_ids);
    EXPECT_EQ(t.numbers(d, "oran_fh_cus.startPrbu"), s.start_prbs);
    EXPECT_EQ(t.numbers(d, "oran_fh_cus.numPrbu"), s.num_prbs);
    EXPECT_EQ(t.numbers(d, "oran_fh_cus.udCompHdrMeth"), s.comp_methods);
    EXPECT_EQ(t.numbers(d, "oran_fh_cus.udCompHdrWidth"), s.comp_widths);
    sections += s.section_ids.size();
  }
  // What was sent is the vector: 2 slots x 14 symbols x 2 antennas, every PRB, BFP9 in each
  // section's header.
  EXPECT_GE(sections, 2U * 14U * 2U);
  EXPECT_EQ(sent.front().comp_methods.front(), 1);
  EXPECT_EQ(sent.front().comp_widths.front(), 9);
  EXPECT_EQ(sent.front().vlan_id, 7);
}

} // namespace
} // namespace airan::test
