/// \file
/// \brief Shared by the HDF5 test-vector tests: a header, PDUs and slots with every field set
/// (nothing at its default), writing and reading whole vectors, temporary files.
#pragma once

#include "airan/io/test_vector_file.h"
#include "airan/phy/mcs_table.h"
#include "airan/phy/numerology.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

namespace airan_test_vectors {

namespace fs = std::filesystem;
using airan::io::TestVectorError;
using airan::io::TestVectorHeader;
using airan::io::TestVectorPdu;
using airan::io::TestVectorReader;
using airan::io::TestVectorSlot;
using airan::io::TestVectorSlotParts;
using airan::io::TestVectorWriter;
using airan::phy::cf32;

inline fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("airan_tv_test_" + std::to_string(::getpid()) + "_" + name);
}

inline std::vector<char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& path, const char* data, std::size_t size) {
  std::ofstream(path, std::ios::binary).write(data, static_cast<std::streamsize>(size));
}

/// mu = 2 with the extended CP (12 symbols), 20 PRBs from CRB 4, 2 UE ports: nothing default.
inline TestVectorHeader make_header(unsigned rx) {
  TestVectorHeader h;
  h.cell.num_prbs = 20;
  h.cell.grid_start_crb = 4;
  h.cell.numerology = 2;
  h.cell.cyclic_prefix = airan::phy::CyclicPrefix::extended;
  h.cell.n_cell_id = 501;
  h.cell.dmrs_type_a_position = 3;
  h.cell.num_antenna_ports = 2;
  h.num_rx_antennas = rx;
  h.num_tx_antennas = 2;
  h.channel = {"TDL-C", 300e-9, 100.0, "medium", 250.5, 1.5e-7, "frequency"};
  h.channel.phase_noise_linewidth_hz = 120.0;
  h.snr_db = 17.25;
  h.noise_variance = 0.0188F;
  h.seed = 0x1234567890abcdefULL;
  h.generator = "airan gen --config x.yaml -o y.h5 (unit test)";
  h.reference_receiver = "mmse-lmmse";
  return h;
}

/// Every PuschConfig field (PT-RS included) differs from its default except the DFT-s-OFDM ones
/// (transform_precoding, tp_pi2bpsk, dmrs_hopping: make_tp_pdu(), since transform precoding allows
/// neither 2 layers nor DMRS type 2); \p variant makes the PDUs of a slot differ from each other.
inline TestVectorPdu make_pdu(unsigned variant, std::mt19937& rng) {
  TestVectorPdu pdu;
  auto& p = pdu.config;
  p.rnti = static_cast<std::uint16_t>(4660 + variant);
  p.handle = 77 + variant;
  p.bwp_start = 5;
  p.bwp_size = 18;
  p.prb_start = 2 + 8 * variant;
  p.prb_size = 8;
  p.start_symbol = 1;
  p.num_symbols = 10;
  p.mapping_type = airan::phy::PuschMappingType::type_b;
  p.dmrs_config_type = airan::phy::DmrsConfigType::type2;
  p.dmrs_symbol_mask = 0x186; // double-symbol DMRS on symbols 1-2 and 7-8
  p.dmrs_additional_position = 0;
  p.dmrs_length = 2;
  p.dmrs_ports = 0xC; // ports 2 and 3 (CDM group 1)
  p.n_scid = 1;
  p.dmrs_scrambling_id = 1234;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.mcs_index = 10 + variant;
  p.mcs_table = airan::phy::McsTable::qam256;
  const auto entry = airan::phy::mcs_entry(p.mcs_table, p.mcs_index);
  p.target_code_rate_x10240 = entry.code_rate_x10240;
  p.qam_order = entry.modulation_order;
  p.num_layers = 2;
  p.precoding = airan::phy::PuschPrecoding::codebook;
  p.tpmi = 1 + variant;
  p.pusch_identity = 321;
  p.rv = 2;
  p.harq_process_id = 5 + variant;
  p.new_data_indicator = false;
  p.data_scrambling_id = 777;
  p.tb_size_bits = 1000 + 8 * variant;
  p.tbs_lbrm = 20000;
  p.x_overhead = 6;
  // PT-RS on DMRS port 3, the second layer's (Table 6.4.1.2.2.1-1 type 2 row 3 8 9 2); in
  // variant 1 on port 2, the first layer's (row 2 3 8 9).
  p.ptrs = {true, 2U << variant, 4, 1 + variant, 3 - variant, 1};
  pdu.tb_bits.resize(p.tb_size_bits);
  for (auto& bit : pdu.tb_bits) {
    bit = static_cast<airan::phy::bit_t>(rng() & 1U);
  }
  pdu.expected_crc_ok = variant == 0;
  return pdu;
}

/// A DFT-s-OFDM PDU for the cell of make_header(): every field off its default but those
/// transform precoding fixes (one layer, DMRS type 1; 2 CDM groups without data is not the
/// default). MCS 28 of TS 38.214 Table 6.1.4.1-1 with tp-pi2BPSK is pi/2-BPSK, so qam_order 1
/// validates only when tp_pi2bpsk and mcs_table come back as written.
inline TestVectorPdu make_tp_pdu(std::mt19937& rng) {
  TestVectorPdu pdu;
  auto& p = pdu.config;
  p.rnti = 4097;
  p.handle = 99;
  p.bwp_start = 5;
  p.bwp_size = 18;
  p.prb_start = 10;
  p.prb_size = 8; // 2^3
  p.start_symbol = 1;
  p.num_symbols = 10;
  p.mapping_type = airan::phy::PuschMappingType::type_b;
  p.dmrs_symbol_mask = 0x186;
  p.dmrs_additional_position = 0;
  p.dmrs_length = 2;
  p.dmrs_ports = 0x2;
  p.n_scid = 1;
  p.dmrs_scrambling_id = 4321;
  p.num_dmrs_cdm_groups_no_data = 2;
  p.mcs_index = 28; // reserved: Q_m = q, the code rate and the TBS given
  p.mcs_table = airan::phy::McsTable::transform_precoding_qam64;
  p.target_code_rate_x10240 = 2400;
  p.qam_order = 1;
  p.precoding = airan::phy::PuschPrecoding::codebook;
  p.tpmi = 3;
  p.transform_precoding = true;
  p.tp_pi2bpsk = true;
  p.pusch_identity = 1007;
  p.dmrs_hopping = airan::phy::LowPaprHopping::group;
  p.rv = 3;
  p.harq_process_id = 9;
  p.new_data_indicator = false;
  p.data_scrambling_id = 1023;
  p.tb_size_bits = 88;
  p.tbs_lbrm = 20000;
  p.x_overhead = 12;
  pdu.tb_bits.resize(p.tb_size_bits);
  for (auto& bit : pdu.tb_bits) {
    bit = static_cast<airan::phy::bit_t>(rng() & 1U);
  }
  pdu.expected_crc_ok = true;
  return pdu;
}

inline void fill_random(std::span<cf32> values, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  for (auto& v : values) {
    v = {normal(rng), normal(rng)};
  }
}

/// Slot \p index of a vector on \p h: 2 PDUs, random grid, IQ at FFT 512 and true channel.
inline TestVectorSlot make_slot(const TestVectorHeader& h, unsigned index, bool with_iq,
                                bool with_h) {
  std::mt19937 rng(100 + index);
  TestVectorSlot s;
  s.absolute_slot = 37 + index;
  s.slot = static_cast<unsigned>(s.absolute_slot % airan::phy::slots_per_frame(2));
  s.pdus = {make_pdu(0, rng), make_pdu(1, rng)};
  const unsigned symbols = 12;
  s.grid = airan::phy::ResourceGrid(h.num_rx_antennas, symbols, 12 * h.cell.num_prbs);
  fill_random(s.grid.elements(), rng);
  if (with_iq) {
    s.iq_samples_per_antenna =
        airan::phy::Numerology(2, h.cell.cyclic_prefix, 512).slot_length(s.slot);
    s.iq.resize(h.num_rx_antennas * s.iq_samples_per_antenna);
    fill_random(s.iq, rng);
  }
  if (with_h) {
    s.true_channel_shape = {h.num_rx_antennas, h.num_tx_antennas, symbols, 12 * h.cell.num_prbs};
    s.true_channel.resize(std::size_t{h.num_rx_antennas} * h.num_tx_antennas * symbols * 240);
    fill_random(s.true_channel, rng);
  }
  return s;
}

inline void write_vector(const fs::path& path, const TestVectorHeader& h,
                         const std::vector<TestVectorSlot>& slots,
                         const airan::io::TestVectorWriteOptions& options = {}) {
  TestVectorWriter writer(path, h, options);
  for (const auto& s : slots) {
    writer.write_slot(s);
  }
  writer.close();
}

/// The TestVectorError thrown by reading every slot of \p path ("" when none is thrown).
inline std::string read_error(const fs::path& path) {
  try {
    const TestVectorReader reader(path);
    TestVectorSlot slot;
    for (std::size_t i = 0; i < reader.num_slots(); ++i) {
      reader.read_slot(i, slot);
    }
  } catch (const TestVectorError& e) {
    return e.what();
  }
  return {};
}

/// Removes the files it handed out when the test ends.
class TestVectorFileTest : public ::testing::Test {
protected:
  void TearDown() override {
    for (const auto& p : paths_) {
      fs::remove(p);
    }
  }
  fs::path path(const std::string& name) { return paths_.emplace_back(temp_path(name)); }
  /// A valid 2-slot, 2-PDU, 2-rx vector with IQ and true channel.
  fs::path valid_vector(const std::string& name) {
    const auto p = path(name);
    const auto h = make_header(2);
    write_vector(p, h, {make_slot(h, 0, true, true), make_slot(h, 1, true, true)});
    return p;
  }

private:
  std::vector<fs::path> paths_;
};

} // namespace airan_test_vectors
