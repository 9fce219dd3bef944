// HDF5 test vectors with intra-slot frequency hopping: the two attributes round-trip (on, and off
// with a second-hop PRB written down), files without them read as no hopping (the committed
// vectors, and a file whose attributes were deleted), and a second hop outside the BWP is an
// invalid PUSCH configuration naming the PDU.
#include "test_vector_fixtures.h"

#if __has_include(<hdf5.h>)
#include <hdf5.h>
#define AIRAN_HOPPING_TEST_HDF5 1
#elif __has_include(<hdf5/serial/hdf5.h>)
#include <hdf5/serial/hdf5.h>
#define AIRAN_HOPPING_TEST_HDF5 1
#endif

namespace {

using namespace airan_test_vectors;
using TestVectorFileHopping = TestVectorFileTest;

/// make_slot()'s slot with PDU 0 hopping: type B, symbols 1..10 (hops of 5: DMRS on symbols 1
/// and 6), PRBs 2..9 then 10..17 of its 18-PRB BWP, single-symbol DMRS, no PT-RS. PDU 1 does not
/// hop but has a second-hop PRB set, which must come back as written too.
TestVectorSlot hopping_slot(const TestVectorHeader& h, bool with_channel) {
  auto s = make_slot(h, 0, with_channel, with_channel);
  auto& p = s.pdus[0].config;
  p.intra_slot_hopping = true;
  p.second_hop_prb_start = 10;
  p.dmrs_symbol_mask = 0; // from TS 38.211 Table 6.4.1.1.3-6
  p.dmrs_length = 1;
  p.ptrs = {};
  auto& q = s.pdus[1].config;
  q.second_hop_prb_start = 3;
  return s;
}

TEST_F(TestVectorFileHopping, RoundTripsTheHops) {
  const auto file = path("hopping.h5");
  const auto h = make_header(2);
  const auto s = hopping_slot(h, true);
  ASSERT_EQ(s.pdus[0].config.validate(h.cell), "");
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  ASSERT_EQ(back.pdus.size(), 2U);
  const auto& hop = back.pdus[0].config;
  EXPECT_TRUE(hop.intra_slot_hopping);
  EXPECT_EQ(hop.second_hop_prb_start, 10U);
  EXPECT_EQ(hop.second_hop_symbol(), 6U);
  EXPECT_EQ(hop.first_crb_of_symbol(5), 5U + 2U);
  EXPECT_EQ(hop.first_crb_of_symbol(6), 5U + 10U);
  EXPECT_EQ(hop.dmrs_length, 1U);
  EXPECT_FALSE(hop.ptrs.enabled);
  EXPECT_EQ(hop.prb_start, 2U);
  EXPECT_EQ(hop.num_symbols, 10U);
  EXPECT_EQ(back.pdus[0].tb_bits, s.pdus[0].tb_bits);
  EXPECT_FALSE(back.pdus[1].config.intra_slot_hopping);
  EXPECT_EQ(back.pdus[1].config.second_hop_prb_start, 3U);
  EXPECT_EQ(back.true_channel, s.true_channel);
  EXPECT_EQ(back.iq, s.iq);
}

// The vectors committed before hopping existed have no hopping attributes: no PDU hops.
TEST_F(TestVectorFileHopping, CommittedVectorsReadWithoutHopping) {
  const fs::path dir = fs::path(AIRAN_TESTVECTOR_DIR).parent_path() / "vectors";
  int pdus = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".h5") {
      continue;
    }
    const TestVectorReader reader(entry.path());
    TestVectorSlot slot;
    reader.read_slot(0, slot);
    for (const auto& pdu : slot.pdus) {
      EXPECT_FALSE(pdu.config.intra_slot_hopping) << entry.path();
      EXPECT_EQ(pdu.config.second_hop_prb_start, 0U) << entry.path();
      ++pdus;
    }
  }
  EXPECT_GE(pdus, 4);
}

#ifdef AIRAN_HOPPING_TEST_HDF5
/// Opens \p file read-write, runs \p edit on the file and closes it.
template <typename Edit> void edit_hopping_file(const fs::path& file, Edit edit) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  edit(f);
  H5Fclose(f);
}

/// Replaces the unsigned attribute \p name of \p object with a uint32 \p value (deleted and made
/// again: libhdf5 1.10 cannot write an attribute in dense storage opened by name).
void overwrite_hopping_uint(hid_t f, const char* object, const char* name, std::uint32_t value) {
  ASSERT_GE(H5Adelete_by_name(f, object, name, H5P_DEFAULT), 0) << object << " " << name;
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate_by_name(f, object, name, H5T_STD_U32LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT);
  ASSERT_GE(a, 0) << object << " " << name;
  EXPECT_GE(H5Awrite(a, H5T_NATIVE_UINT32, &value), 0);
  H5Aclose(a);
  H5Sclose(space);
}

// A file written before hopping existed lacks both attributes: the PDU reads without hopping.
TEST_F(TestVectorFileHopping, AttributesAreOptional) {
  const auto file = path("no-hopping-attributes.h5");
  const auto h = make_header(2);
  write_vector(file, h, {hopping_slot(h, false)});
  edit_hopping_file(file, [](hid_t f) {
    for (const char* name : {"intra_slot_hopping", "second_hop_prb_start"}) {
      ASSERT_GE(H5Adelete_by_name(f, "/slots/0000/pdus/0", name, H5P_DEFAULT), 0) << name;
    }
  });
  ASSERT_EQ(read_error(file), "");
  const TestVectorReader reader(file);
  TestVectorSlot slot;
  reader.read_slot(0, slot);
  EXPECT_FALSE(slot.pdus[0].config.intra_slot_hopping);
  EXPECT_EQ(slot.pdus[0].config.second_hop_prb_start, 0U);
  EXPECT_EQ(slot.pdus[1].config.second_hop_prb_start, 3U); // still there
}

// A second hop that leaves the BWP is refused by PuschConfig::validate(), naming the PDU.
TEST_F(TestVectorFileHopping, SecondHopOutsideTheBwpIsRejected) {
  const auto h = make_header(2);
  for (const std::uint32_t prb : {11U, 100U, 0xFFFFFFFFU}) {
    SCOPED_TRACE("second hop PRB " + std::to_string(prb));
    const auto file = path("bad-hop-" + std::to_string(prb) + ".h5");
    write_vector(file, h, {hopping_slot(h, false)});
    edit_hopping_file(file, [prb](hid_t f) {
      overwrite_hopping_uint(f, "/slots/0000/pdus/0", "second_hop_prb_start", prb);
    });
    const auto error = read_error(file);
    EXPECT_NE(error.find(file.string() +
                         ": /slots/0000/pdus/0: invalid PUSCH configuration: "
                         "second hop PRBs " +
                         std::to_string(prb) + "+8 do not fit the BWP of 18 PRBs"),
              std::string::npos)
        << error;
  }
  // On a PDU that does not hop, the second-hop PRB means nothing and is not checked.
  const auto off = path("off-hop.h5");
  write_vector(off, h, {hopping_slot(h, false)});
  edit_hopping_file(off, [](hid_t f) {
    overwrite_hopping_uint(f, "/slots/0000/pdus/1", "second_hop_prb_start", 1000);
  });
  EXPECT_EQ(read_error(off), "");
}
#else
TEST(TestVectorFileHopping, CorruptingTestsNeedHdf5Header) {
  GTEST_SKIP() << "hdf5.h not found: the tests that edit files are not built";
}
#endif

} // namespace
