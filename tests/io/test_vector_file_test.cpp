// HDF5 test vectors: round trips (IQ + grid + true channel, grid-only, uncompressed, same bytes
// for the same input), what the writer refuses, the slot index range, and the h5py snippet of
// docs/TESTVECTORS.md run on a vector. Malformed files: test_vector_file_malformed_test.cpp.
#include "test_vector_fixtures.h"

#include "airan/phy/tbs_calculator.h"

#include <cstdio>
#include <cstdlib>

namespace {

using namespace airan_test_vectors;
using TestVectorFile = TestVectorFileTest;

void expect_same_config(const airan::phy::PuschConfig& a, const airan::phy::PuschConfig& b) {
  EXPECT_EQ(a.rnti, b.rnti);
  EXPECT_EQ(a.handle, b.handle);
  EXPECT_EQ(a.bwp_start, b.bwp_start);
  EXPECT_EQ(a.bwp_size, b.bwp_size);
  EXPECT_EQ(a.prb_start, b.prb_start);
  EXPECT_EQ(a.prb_size, b.prb_size);
  EXPECT_EQ(a.start_symbol, b.start_symbol);
  EXPECT_EQ(a.num_symbols, b.num_symbols);
  EXPECT_EQ(a.mapping_type, b.mapping_type);
  EXPECT_EQ(a.dmrs_config_type, b.dmrs_config_type);
  EXPECT_EQ(a.dmrs_symbol_mask, b.dmrs_symbol_mask);
  EXPECT_EQ(a.dmrs_additional_position, b.dmrs_additional_position);
  EXPECT_EQ(a.dmrs_length, b.dmrs_length);
  EXPECT_EQ(a.dmrs_ports, b.dmrs_ports);
  EXPECT_EQ(a.n_scid, b.n_scid);
  EXPECT_EQ(a.dmrs_scrambling_id, b.dmrs_scrambling_id);
  EXPECT_EQ(a.num_dmrs_cdm_groups_no_data, b.num_dmrs_cdm_groups_no_data);
  EXPECT_EQ(a.mcs_index, b.mcs_index);
  EXPECT_EQ(a.mcs_table, b.mcs_table);
  EXPECT_EQ(a.target_code_rate_x10240, b.target_code_rate_x10240);
  EXPECT_EQ(a.qam_order, b.qam_order);
  EXPECT_EQ(a.num_layers, b.num_layers);
  EXPECT_EQ(a.precoding, b.precoding);
  EXPECT_EQ(a.tpmi, b.tpmi);
  EXPECT_EQ(a.transform_precoding, b.transform_precoding);
  EXPECT_EQ(a.tp_pi2bpsk, b.tp_pi2bpsk);
  EXPECT_EQ(a.pusch_identity, b.pusch_identity);
  EXPECT_EQ(a.dmrs_hopping, b.dmrs_hopping);
  EXPECT_EQ(a.rv, b.rv);
  EXPECT_EQ(a.harq_process_id, b.harq_process_id);
  EXPECT_EQ(a.new_data_indicator, b.new_data_indicator);
  EXPECT_EQ(a.data_scrambling_id, b.data_scrambling_id);
  EXPECT_EQ(a.tb_size_bits, b.tb_size_bits);
  EXPECT_EQ(a.tbs_lbrm, b.tbs_lbrm);
  EXPECT_EQ(a.x_overhead, b.x_overhead);
  EXPECT_EQ(a.ptrs, b.ptrs);
}

void expect_same_slot(const TestVectorSlot& a, const TestVectorSlot& b) {
  EXPECT_EQ(a.absolute_slot, b.absolute_slot);
  EXPECT_EQ(a.slot, b.slot);
  ASSERT_EQ(a.pdus.size(), b.pdus.size());
  for (std::size_t k = 0; k < a.pdus.size(); ++k) {
    SCOPED_TRACE("PDU " + std::to_string(k));
    expect_same_config(a.pdus[k].config, b.pdus[k].config);
    EXPECT_EQ(a.pdus[k].tb_bits, b.pdus[k].tb_bits);
    EXPECT_EQ(a.pdus[k].expected_crc_ok, b.pdus[k].expected_crc_ok);
    EXPECT_EQ(a.pdus[k].config.uci, b.pdus[k].config.uci);
    EXPECT_EQ(a.pdus[k].harq_ack_bits, b.pdus[k].harq_ack_bits);
    EXPECT_EQ(a.pdus[k].csi_part1_bits, b.pdus[k].csi_part1_bits);
    EXPECT_EQ(a.pdus[k].csi_part2_bits, b.pdus[k].csi_part2_bits);
  }
  EXPECT_EQ(a.iq_samples_per_antenna, b.iq_samples_per_antenna);
  EXPECT_EQ(a.iq, b.iq); // bit-exact
  EXPECT_EQ(a.grid.num_ports(), b.grid.num_ports());
  EXPECT_EQ(a.grid.num_symbols(), b.grid.num_symbols());
  EXPECT_EQ(a.grid.num_subcarriers(), b.grid.num_subcarriers());
  EXPECT_TRUE(std::equal(a.grid.elements().begin(), a.grid.elements().end(),
                         b.grid.elements().begin(), b.grid.elements().end()));
  EXPECT_EQ(a.true_channel, b.true_channel);
  EXPECT_EQ(a.true_channel_shape, b.true_channel_shape);
}

TEST_F(TestVectorFile, RoundTripEveryField) {
  const auto file = path("roundtrip.h5");
  auto h = make_header(2);
  h.channel.model = "CDL-C"; // the arrays' attributes describe CDL channels only
  h.channel.bs_antenna_pattern = "38.901";
  h.channel.bs_polarization = "cross";
  h.channel.ue_polarization = "VH";
  const std::vector<TestVectorSlot> slots = {make_slot(h, 0, true, true),
                                             make_slot(h, 1, true, true)};
  write_vector(file, h, slots);
  const TestVectorReader reader(file);
  const TestVectorHeader& r = reader.header();
  EXPECT_EQ(r.cell.num_prbs, 20U);
  EXPECT_EQ(r.cell.grid_start_crb, 4U);
  EXPECT_EQ(r.cell.numerology, 2U);
  EXPECT_EQ(r.cell.cyclic_prefix, airan::phy::CyclicPrefix::extended);
  EXPECT_EQ(r.cell.n_cell_id, 501U);
  EXPECT_EQ(r.cell.dmrs_type_a_position, 3U);
  EXPECT_EQ(r.cell.num_antenna_ports, 2U);
  EXPECT_EQ(r.num_rx_antennas, 2U);
  EXPECT_EQ(r.num_tx_antennas, 2U);
  EXPECT_EQ(r.channel.model, "CDL-C");
  EXPECT_EQ(r.channel.delay_spread_s, 300e-9);
  EXPECT_EQ(r.channel.max_doppler_hz, 100.0);
  EXPECT_EQ(r.channel.correlation, "medium");
  EXPECT_EQ(r.channel.cfo_hz, 250.5);
  EXPECT_EQ(r.channel.phase_noise_linewidth_hz, 120.0);
  EXPECT_EQ(r.channel.timing_offset_s, 1.5e-7);
  EXPECT_EQ(r.channel.domain, "frequency");
  EXPECT_EQ(r.channel.bs_antenna_pattern, "38.901");
  EXPECT_EQ(r.channel.bs_polarization, "cross");
  EXPECT_EQ(r.channel.ue_polarization, "VH");
  EXPECT_EQ(r.snr_db, 17.25);
  EXPECT_EQ(r.noise_variance, 0.0188F);
  EXPECT_EQ(r.seed, 0x1234567890abcdefULL);
  EXPECT_EQ(r.generator, h.generator);
  EXPECT_EQ(r.reference_receiver, "mmse-lmmse");
  ASSERT_EQ(reader.num_slots(), 2U);
  TestVectorSlot slot;
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE("slot " + std::to_string(i));
    reader.read_slot(i, slot);
    expect_same_slot(slots[i], slot);
    EXPECT_EQ(slot.iq_fft_size, 512U);
  }
}

TEST_F(TestVectorFile, RoundTripTransformPrecoding) {
  const auto file = path("transform_precoding.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, true, true);
  std::mt19937 rng(5);
  s.pdus[1] = make_tp_pdu(rng);
  auto sequence = s;
  sequence.absolute_slot += 1;
  sequence.slot += 1;
  sequence.pdus[1].config.dmrs_hopping = airan::phy::LowPaprHopping::sequence;
  sequence.pdus[1].config.tp_pi2bpsk = false; // MCS 28 then is QPSK
  sequence.pdus[1].config.qam_order = 2;
  write_vector(file, h, {s, sequence});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  expect_same_slot(s, back);
  const auto& tp = back.pdus[1].config;
  EXPECT_TRUE(tp.transform_precoding);
  EXPECT_TRUE(tp.tp_pi2bpsk);
  EXPECT_EQ(tp.mcs_table, airan::phy::McsTable::transform_precoding_qam64);
  EXPECT_EQ(tp.pusch_identity, 1007U);
  EXPECT_EQ(tp.dmrs_hopping, airan::phy::LowPaprHopping::group);
  EXPECT_EQ(tp.modulation_order(), 1U);
  EXPECT_EQ(back.pdus[0].config.pusch_identity, 321U);
  reader.read_slot(1, back);
  expect_same_slot(sequence, back);
  EXPECT_EQ(back.pdus[1].config.dmrs_hopping, airan::phy::LowPaprHopping::sequence);
}

// A vector replays with the PT-RS it was written with: every field, on and off.
TEST_F(TestVectorFile, RoundTripPtrs) {
  const auto file = path("ptrs.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, false, false);
  s.pdus[1].config.ptrs = {};
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  expect_same_slot(s, back);
  const airan::phy::PuschPtrsConfig expected{true, 2, 4, 1, 3, 1};
  EXPECT_EQ(back.pdus[0].config.ptrs, expected);
  EXPECT_FALSE(back.pdus[1].config.ptrs.enabled);
}

TEST_F(TestVectorFile, RoundTripUciOnPusch) {
  const auto file = path("uci.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, true, true);
  s.pdus[0].config.uci = {2, 7, 3, 1, 9, 10, 11};
  s.pdus[0].harq_ack_bits = {1, 0};
  s.pdus[0].csi_part1_bits = {1, 1, 0, 1, 0, 0, 1};
  s.pdus[0].csi_part2_bits = {0, 1, 1};
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  expect_same_slot(s, back); // sizes, offsets and payloads
  EXPECT_TRUE(back.pdus[1].harq_ack_bits.empty());
  EXPECT_FALSE(back.pdus[1].config.uci.present());
}

TEST_F(TestVectorFile, RoundTripUciOnlyPusch) {
  const auto file = path("uci_only.h5");
  const auto h = make_header(2);
  auto s = make_slot(h, 0, true, true);
  s.pdus[0].config.ulsch = false; // a CSI report without UL-SCH: no TB
  s.pdus[0].config.tb_size_bits = 0;
  s.pdus[0].config.num_dmrs_cdm_groups_no_data = // no data beside the DMRS
      s.pdus[0].config.dmrs_config_type == airan::phy::DmrsConfigType::type2 ? 3 : 2;
  s.pdus[0].tb_bits.clear();
  s.pdus[0].config.uci = {0, 7, 0, 3, 0, 10, 0};
  s.pdus[0].csi_part1_bits = {1, 1, 0, 1, 0, 0, 1};
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  TestVectorSlot back;
  reader.read_slot(0, back);
  expect_same_slot(s, back);
  EXPECT_FALSE(back.pdus[0].config.ulsch);
  EXPECT_TRUE(back.pdus[0].tb_bits.empty());
  EXPECT_TRUE(back.pdus[1].config.ulsch);
}

// The CP-OFDM vectors committed before DFT-s-OFDM existed lack its attributes: they read with
// the defaults. The DFT-s-OFDM vector has them and reads them.
TEST_F(TestVectorFile, CommittedVectorsWithoutTransformPrecodingAttributesLoad) {
  const fs::path dir = fs::path(AIRAN_TESTVECTOR_DIR).parent_path() / "vectors";
  int pdus = 0;
  for (const char* name : {"tdl-a30_100mhz_2x4_256qam.h5", "tdl-b100_40mhz_1x4_16qam.h5",
                           "tdl-c300_20mhz_2ue_1x2.h5"}) {
    const TestVectorReader reader(dir / name);
    TestVectorSlot slot;
    reader.read_slot(0, slot);
    for (const auto& pdu : slot.pdus) {
      EXPECT_FALSE(pdu.config.transform_precoding) << name;
      EXPECT_FALSE(pdu.config.tp_pi2bpsk) << name;
      EXPECT_EQ(pdu.config.pusch_identity, 0U) << name;
      EXPECT_EQ(pdu.config.dmrs_hopping, airan::phy::LowPaprHopping::none) << name;
      // Nor do they have the PT-RS attributes: no PT-RS.
      EXPECT_EQ(pdu.config.ptrs, airan::phy::PuschPtrsConfig{}) << name;
      EXPECT_TRUE(pdu.config.ulsch) << name; // nor the UL-SCH flag: a TB
      EXPECT_EQ(reader.header().channel.phase_noise_linewidth_hz, 0.0) << name;
      ++pdus;
    }
  }
  EXPECT_EQ(pdus, 4);
  const TestVectorReader reader(dir / "tdl-c300_20mhz_dfts_3ue_1x2.h5");
  TestVectorSlot slot;
  reader.read_slot(1, slot);
  ASSERT_EQ(slot.pdus.size(), 3U);
  const airan::phy::LowPaprHopping hopping[] = {airan::phy::LowPaprHopping::sequence,
                                                airan::phy::LowPaprHopping::group,
                                                airan::phy::LowPaprHopping::none};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& config = slot.pdus[i].config;
    EXPECT_TRUE(config.transform_precoding);
    EXPECT_EQ(config.pusch_identity, 42U);
    EXPECT_EQ(config.dmrs_hopping, hopping[i]);
    EXPECT_EQ(config.tp_pi2bpsk, i == 2);
  }
}

// A cell at a non-power-of-two FFT size (CellConfig::fft_size): the cell keeps it, its IQ is at
// it, and a sample count that is a slot at no multiple of 128 (nor at one below the carrier's
// subcarriers) is refused.
TEST_F(TestVectorFile, CellFftSizeAndIqAtIt) {
  const auto file = path("fft384.h5");
  auto h = make_header(1);
  h.cell.fft_size = 384; // 20 PRBs: 240 subcarriers
  TestVectorSlot s = make_slot(h, 0, false, false);
  s.iq_samples_per_antenna = airan::phy::carrier_numerology(h.cell).slot_length(s.slot);
  EXPECT_EQ(s.iq_samples_per_antenna, 3U * 12 * 128 * 5 / 4); // 12 symbols, CP N / 4
  s.iq.assign(s.iq_samples_per_antenna, {0.25F, -0.5F});
  write_vector(file, h, {s});
  const TestVectorReader reader(file);
  EXPECT_EQ(reader.header().cell.fft_size, 384U);
  TestVectorSlot back;
  reader.read_slot(0, back);
  EXPECT_EQ(back.iq_fft_size, 384U);
  EXPECT_EQ(back.iq, s.iq);
  // 128 points (1920 samples) hold fewer than the 240 subcarriers; 1930 samples are no slot.
  for (const std::size_t samples : {std::size_t{1920}, std::size_t{1930}}) {
    s.iq_samples_per_antenna = samples;
    s.iq.assign(samples, {});
    EXPECT_THROW(write_vector(path("bad_fft.h5"), h, {s}), std::exception) << samples;
  }
}

// absolute_slot at most 2^40 (slot times in ns stay far inside 63 bits): a larger one, e.g. a
// 2^64 - 1 that a tool would read as slot -1, is refused on both sides (one schema check).
TEST_F(TestVectorFile, AbsoluteSlotIsAtMostTwoToTheForty) {
  const auto h = make_header(1);
  for (const std::uint64_t absolute : {(std::uint64_t{1} << 40) + 40, ~std::uint64_t{0}}) {
    TestVectorSlot s = make_slot(h, 0, false, false);
    s.absolute_slot = absolute;
    s.slot = static_cast<unsigned>(absolute % airan::phy::slots_per_frame(2));
    try {
      write_vector(path("far.h5"), h, {s});
      ADD_FAILURE() << absolute << " written";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("exceeds 2^40"), std::string::npos) << e.what();
    }
  }
  TestVectorSlot s = make_slot(h, 0, false, false);
  s.absolute_slot = std::uint64_t{1} << 40;
  s.slot = static_cast<unsigned>(s.absolute_slot % airan::phy::slots_per_frame(2));
  EXPECT_NO_THROW(write_vector(path("furthest.h5"), h, {s}));
}

TEST_F(TestVectorFile, GridOnlyAndUncompressed) {
  const auto h = make_header(1);
  for (const bool compress : {true, false}) {
    const auto file = path(compress ? "grid_only.h5" : "grid_only_raw.h5");
    auto s = make_slot(h, 0, false, false);
    s.pdus[1].config.tb_size_bits = 0; // TBS derived with TS 38.214
    s.pdus[1].tb_bits.assign(airan::phy::compute_pusch_tbs(h.cell, s.pdus[1].config), 1);
    write_vector(file, h, {s}, {compress, 9});
    const TestVectorReader reader(file);
    TestVectorSlot back = make_slot(h, 1, true, true); // stale buffers are replaced
    reader.read_slot(0, back);
    expect_same_slot(s, back);
    EXPECT_TRUE(back.iq.empty());
    EXPECT_EQ(back.iq_fft_size, 0U);
    EXPECT_TRUE(back.true_channel.empty());
  }
}

TEST_F(TestVectorFile, ReadsOnlyThePartsAsked) {
  const auto file = path("parts.h5");
  const auto h = make_header(2);
  const TestVectorSlot written = make_slot(h, 0, true, true);
  write_vector(file, h, {written});
  const TestVectorReader reader(file);
  TestVectorSlot slot;
  reader.read_slot(0, slot); // every part: the buffers below are stale ones
  expect_same_slot(written, slot);
  const std::size_t capacity = slot.grid.capacity();

  reader.read_slot(0, slot, TestVectorSlotParts::pdus_only());
  EXPECT_EQ(slot.absolute_slot, written.absolute_slot);
  ASSERT_EQ(slot.pdus.size(), written.pdus.size());
  EXPECT_EQ(slot.pdus[1].tb_bits, written.pdus[1].tb_bits);
  EXPECT_EQ(slot.grid.num_ports(), 0U);
  EXPECT_EQ(slot.grid.capacity(), capacity); // kept for the next read
  EXPECT_TRUE(slot.iq.empty());
  EXPECT_EQ(slot.iq_fft_size, 0U);
  EXPECT_TRUE(slot.true_channel.empty());

  reader.read_slot(0, slot, {.grid = true, .iq = false, .true_channel = false});
  EXPECT_TRUE(std::equal(slot.grid.elements().begin(), slot.grid.elements().end(),
                         written.grid.elements().begin(), written.grid.elements().end()));
  EXPECT_TRUE(slot.iq.empty());
  EXPECT_TRUE(slot.true_channel.empty());

  reader.read_slot(0, slot, {.grid = false, .iq = true, .true_channel = false});
  EXPECT_EQ(slot.grid.num_ports(), 0U);
  EXPECT_EQ(slot.iq, written.iq);
  EXPECT_EQ(slot.iq_fft_size, 512U);
  EXPECT_TRUE(slot.true_channel.empty());

  reader.read_slot(0, slot, {.grid = false, .iq = false, .true_channel = true});
  EXPECT_EQ(slot.true_channel, written.true_channel);
  EXPECT_EQ(slot.true_channel_shape, written.true_channel_shape);
  EXPECT_TRUE(slot.iq.empty());
}

TEST_F(TestVectorFile, SameInputSameBytes) {
  const auto a = valid_vector("same_a.h5");
  const auto b = valid_vector("same_b.h5");
  EXPECT_EQ(read_bytes(a), read_bytes(b));
}

TEST_F(TestVectorFile, WriterRejectsBadInputAndKeepsTheFileValid) {
  const auto file = path("writer_errors.h5");
  auto h = make_header(2);
  h.cell.num_prbs = 0;
  EXPECT_THROW(TestVectorWriter(file, h), TestVectorError);
  h = make_header(2);
  h.channel.model = "TDL-Z";
  EXPECT_THROW(TestVectorWriter(file, h), TestVectorError);
  h = make_header(2);
  h.channel.bs_polarization = "cross"; // on TDL-C: the arrays describe CDL channels only
  EXPECT_THROW(TestVectorWriter(file, h), TestVectorError);
  h.channel.model = "CDL-C";
  h.num_rx_antennas = 1; // a cross-polarised array of one antenna
  EXPECT_THROW(TestVectorWriter(file, h), TestVectorError);
  EXPECT_THROW(TestVectorWriter(temp_path("no_such_dir") / "x.h5", make_header(2)),
               TestVectorError);
  h = make_header(2);
  TestVectorWriter writer(file, h);
  writer.write_slot(make_slot(h, 0, true, true));
  auto bad = make_slot(h, 1, true, true);
  bad.grid = airan::phy::ResourceGrid(1, 12, 240); // 1 rx instead of 2
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad = make_slot(h, 1, true, true);
  bad.pdus[0].tb_bits.pop_back();
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad = make_slot(h, 1, true, true);
  bad.pdus[1].config.mcs_index = 40;
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad = make_slot(h, 1, true, true);
  bad.pdus[0].config.uci.harq_ack_bits = 2; // two HARQ-ACK bits announced, none given
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad.pdus[0].harq_ack_bits = {1, 2};
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad = make_slot(h, 1, true, true);
  bad.iq.pop_back();
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  bad = make_slot(h, 1, true, true);
  bad.slot += 1; // not absolute_slot mod slots per frame
  EXPECT_THROW(writer.write_slot(bad), TestVectorError);
  writer.write_slot(make_slot(h, 1, false, false));
  EXPECT_EQ(writer.num_slots(), 2U);
  writer.close();
  EXPECT_THROW(writer.write_slot(make_slot(h, 2, false, false)), TestVectorError);
  EXPECT_EQ(read_error(file), "");
}

TEST_F(TestVectorFile, IndexOutOfRange) {
  const TestVectorReader reader(valid_vector("range.h5"));
  TestVectorSlot slot;
  EXPECT_THROW(reader.read_slot(2, slot), TestVectorError);
  EXPECT_NO_THROW(reader.read_slot(1, slot));
}

std::string docs_python_snippet() {
  const fs::path docs = fs::path(AIRAN_TESTVECTOR_DIR) / ".." / ".." / "docs" / "TESTVECTORS.md";
  std::ifstream in(docs);
  std::string line;
  std::string snippet;
  bool in_section = false;
  bool in_block = false;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      in_section = line == "## HDF5 test vectors";
    } else if (in_section && !in_block && line == "```python") {
      in_block = true;
    } else if (in_block && line == "```") {
      break;
    } else if (in_block) {
      snippet += line + "\n";
    }
  }
  return snippet;
}

/// A python3 with h5py ("" when there is none).
std::string python_with_h5py() {
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const std::string command = std::string(python) + " -c 'import h5py' >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) {
      return python;
    }
  }
  return {};
}

TEST_F(TestVectorFile, DocsH5pySnippetReadsAVector) {
  const std::string python = python_with_h5py();
  if (python.empty()) {
    GTEST_SKIP() << "no python3 with h5py";
  }
  const std::string snippet = docs_python_snippet();
  ASSERT_NE(snippet.find("h5py.File"), std::string::npos) << "snippet not found in the docs";
  const auto script = path("snippet.py");
  write_bytes(script, snippet.data(), snippet.size());
  const auto file = path("snippet.h5");
  const auto h = make_header(2);
  write_vector(file, h, {make_slot(h, 0, true, true), make_slot(h, 1, false, false)});
  const std::string command = python + " " + script.string() + " " + file.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    output += buffer;
  }
  ASSERT_EQ(::pclose(pipe), 0) << output;
  EXPECT_NE(output.find("rx 2 snr_db 17.25 channel TDL-C prbs 20\n"), std::string::npos) << output;
  EXPECT_NE(output.find("slot 0000 absolute 37 grid (2, 12, 240) complex64 iq (2, 7680) fft 512 "
                        "true_channel (2, 2, 12, 240) tbs [1000, 1008] crc_ok [1, 0] "
                        "rnti [4660, 4661]\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("slot 0001 absolute 38 grid (2, 12, 240) complex64 tbs [1000, 1008] "
                        "crc_ok [1, 0] rnti [4660, 4661]\n"),
            std::string::npos)
      << output;
}

} // namespace
