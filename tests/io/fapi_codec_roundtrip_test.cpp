// Round trips of every FAPI message with randomised field values (within the spec's ranges):
// encode -> decode gives the same structure, decode -> encode the same bytes; and the per-slot
// messages encode and decode without allocating.
#include "../support/allocation_counter.h"
#include "fapi_test_helpers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>

namespace {

using namespace airan::io;
using namespace airan::io::test;

class Random {
public:
  explicit Random(unsigned seed) : engine_(seed) {}
  unsigned operator()(unsigned low, unsigned high) {
    return std::uniform_int_distribution<unsigned>(low, high)(engine_);
  }
  template <typename T> T pick(unsigned low, unsigned high) {
    return static_cast<T>((*this)(low, high));
  }
  bool coin() { return (*this)(0, 1) == 1; }

private:
  std::mt19937 engine_;
};

FapiPuschPdu random_pusch_pdu(Random& r) {
  FapiPuschPdu pdu;
  pdu.rnti = r.pick<std::uint16_t>(1, 65535);
  pdu.handle = r(0, 0xFFFFFFFF);
  pdu.bwp_size = r.pick<std::uint16_t>(1, 275);
  pdu.bwp_start = r.pick<std::uint16_t>(0, 274);
  pdu.subcarrier_spacing = r.pick<std::uint8_t>(0, 4);
  pdu.cyclic_prefix = r.pick<std::uint8_t>(0, 1);
  pdu.target_code_rate = r.pick<std::uint16_t>(0, 65535);
  pdu.qam_mod_order = std::array<std::uint8_t, 5>{1, 2, 4, 6, 8}[r(0, 4)];
  pdu.mcs_index = r.pick<std::uint8_t>(0, 31);
  pdu.mcs_table = r.pick<std::uint8_t>(0, 4);
  pdu.transform_precoding = r.pick<std::uint8_t>(0, 1);
  pdu.data_scrambling_id = r.pick<std::uint16_t>(0, 65535);
  pdu.num_layers = r.pick<std::uint8_t>(1, 4);
  pdu.ul_dmrs_symb_pos = r.pick<std::uint16_t>(0, 0x3FFF);
  pdu.dmrs_config_type = r.pick<std::uint8_t>(0, 1);
  pdu.ul_dmrs_scrambling_id = r.pick<std::uint16_t>(0, 65535);
  pdu.pusch_identity = r.pick<std::uint16_t>(0, 1007);
  pdu.scid = r.pick<std::uint8_t>(0, 1);
  pdu.num_dmrs_cdm_grps_no_data = r.pick<std::uint8_t>(1, 3);
  pdu.dmrs_ports = r.pick<std::uint16_t>(0, 0x0FFF);
  pdu.resource_alloc = r.pick<std::uint8_t>(0, 1);
  for (auto& byte : pdu.rb_bitmap) {
    byte = r.pick<std::uint8_t>(0, 255);
  }
  pdu.rb_start = r.pick<std::uint16_t>(0, 274);
  pdu.rb_size = r.pick<std::uint16_t>(1, 275);
  pdu.vrb_to_prb_mapping = r.pick<std::uint8_t>(0, 2);
  pdu.frequency_hopping = r.pick<std::uint8_t>(0, 1);
  pdu.tx_direct_current_location = r.pick<std::uint16_t>(0, 4095);
  pdu.uplink_frequency_shift_7p5khz = r.pick<std::uint8_t>(0, 1);
  pdu.start_symbol_index = r.pick<std::uint8_t>(0, 13);
  pdu.num_symbols = r.pick<std::uint8_t>(1, 14 - pdu.start_symbol_index);
  if (r.coin()) {
    FapiPuschData& data = pdu.data.emplace();
    data.rv_index = r.pick<std::uint8_t>(0, 3);
    data.harq_process_id = r.pick<std::uint8_t>(0, 15);
    data.new_data_indicator = r.pick<std::uint8_t>(0, 1);
    data.tb_size = r(0, 0xFFFFFFFF);
    data.num_cb = r.coin() ? 0 : r.pick<std::uint16_t>(1, fapi_max_code_blocks);
    for (unsigned i = 0; i < (data.num_cb + 7U) / 8; ++i) {
      data.cb_present_and_position[i] = r.pick<std::uint8_t>(0, 255);
    }
  }
  if (r.coin()) {
    pdu.uci = FapiPuschUci{r.pick<std::uint16_t>(0, 65535), r.pick<std::uint16_t>(0, 65535),
                           r.pick<std::uint16_t>(0, 65535), r.pick<std::uint8_t>(0, 3),
                           r.pick<std::uint8_t>(0, 255),    r.pick<std::uint8_t>(0, 255),
                           r.pick<std::uint8_t>(0, 255)};
    if (pdu.uci->csi_part2_bit_length == fapi_csi_part2_from_part1 || r(0, 3) == 0) {
      // CSI part 2 sized from part 1: the correspondence after the maintenance part (below).
      pdu.uci->csi_part2_bit_length = fapi_csi_part2_from_part1;
      FapiUciPart2Info& info = pdu.uci->part2_info;
      info.num_part2s = r.pick<std::uint16_t>(1, FapiUciPart2Info::max_part2s);
      for (FapiUciPart2& part : std::span(info.part2s).first(info.num_part2s)) {
        part.priority = r.pick<std::uint16_t>(0, 65535);
        part.num_part1_params = r.pick<std::uint8_t>(1, FapiUciPart2::max_part1_params);
        for (unsigned i = 0; i < part.num_part1_params; ++i) {
          part.param_offsets[i] = r.pick<std::uint16_t>(0, 65535);
          part.param_sizes[i] = r.pick<std::uint8_t>(0, 255);
        }
        part.part2_size_map_index = r.pick<std::uint16_t>(0, 65535);
        part.part2_size_map_scope = r.pick<std::uint8_t>(0, 1);
      }
    }
  }
  if (r.coin()) {
    FapiPuschPtrs& ptrs = pdu.ptrs.emplace();
    ptrs.num_ports = r.pick<std::uint8_t>(1, 2);
    for (unsigned p = 0; p < ptrs.num_ports; ++p) {
      ptrs.ports[p] = {r.pick<std::uint16_t>(0, 65535), r.pick<std::uint8_t>(0, 11),
                       r.pick<std::uint8_t>(0, 11)};
    }
    ptrs.time_density = r.pick<std::uint8_t>(0, 2);
    ptrs.freq_density = r.pick<std::uint8_t>(0, 1);
    ptrs.ul_ptrs_power = r.pick<std::uint8_t>(0, 3);
  }
  if (r.coin()) {
    pdu.dfts_ofdm = FapiDftsOfdm{r.pick<std::uint8_t>(0, 29), r.pick<std::uint16_t>(0, 1),
                                 r.pick<std::uint8_t>(0, 255), r.pick<std::uint8_t>(0, 255)};
  }
  FapiRxBeamforming& bf = pdu.beamforming;
  bf.dig_bf_interfaces = r.pick<std::uint8_t>(0, 4);
  bf.num_prgs = bf.dig_bf_interfaces == 0 ? r.pick<std::uint16_t>(0, 275)
                                          : r.pick<std::uint16_t>(0, 16 / bf.dig_bf_interfaces);
  bf.prg_size = r.pick<std::uint16_t>(0, 275);
  for (unsigned i = 0; i < std::size_t{bf.num_prgs} * bf.dig_bf_interfaces; ++i) {
    bf.beam_index[i] = r.pick<std::uint16_t>(0, 65535);
  }
  if (r.coin() || (pdu.uci && pdu.uci->csi_part2_bit_length == fapi_csi_part2_from_part1)) {
    pdu.maintenance_v3 = FapiPuschMaintenanceV3{r.pick<std::uint8_t>(0, 2),
                                                r.pick<std::uint16_t>(0, 274),
                                                r.pick<std::uint16_t>(0, 275),
                                                r.pick<std::uint8_t>(0, 2),
                                                r.pick<std::uint16_t>(0, 274),
                                                r.pick<std::uint8_t>(1, 2),
                                                r(0, 0xFFFFFFFF)};
  }
  return pdu;
}

FapiUlMeasurement random_measurement(Random& r) {
  return {r.pick<std::uint8_t>(0, 255),
          r.coin() ? std::uint16_t{0xFFFF} : r.pick<std::uint16_t>(0, 63),
          r.coin() ? std::uint16_t{0xFFFF} : r.pick<std::uint16_t>(0, 1280)};
}

FapiPrachPdu random_prach_pdu(Random& r) {
  FapiPrachPdu pdu;
  pdu.phys_cell_id = r.pick<std::uint16_t>(0, 1007);
  pdu.num_prach_ocas = r.pick<std::uint8_t>(1, 7);
  pdu.prach_format = r.pick<std::uint8_t>(0, fapi_prach_format::last);
  pdu.num_ra = r.pick<std::uint8_t>(0, 7);
  pdu.prach_start_symbol = r.pick<std::uint8_t>(0, 13);
  pdu.num_cs = r.pick<std::uint16_t>(0, FapiPrachPdu::max_num_cs);
  pdu.beamforming.num_prgs = r.pick<std::uint16_t>(0, 2);
  pdu.beamforming.dig_bf_interfaces = r.pick<std::uint8_t>(0, 2);
  const std::size_t num_beams =
      std::size_t{pdu.beamforming.num_prgs} * pdu.beamforming.dig_bf_interfaces;
  for (std::size_t i = 0; i < num_beams; ++i) {
    pdu.beamforming.beam_index[i] = r.pick<std::uint16_t>(0, 65535);
  }
  if (r.coin()) {
    pdu.maintenance_v3 =
        FapiPrachMaintenanceV3{r(0, 0xFFFFFFFF),
                               r.pick<std::uint8_t>(0, 1),
                               r.pick<std::uint16_t>(0, 65535),
                               r.pick<std::uint8_t>(1, 8),
                               r.coin() ? std::uint8_t{0xFF} : r.pick<std::uint8_t>(0, 63),
                               r.pick<std::uint8_t>(1, 64)};
  }
  return pdu;
}

/// Encodes \p message, decodes it, compares; re-encodes the decoded copy and compares bytes.
template <typename Message, typename Member>
void expect_round_trip(const Message& message, Member FapiMessage::*member) {
  const Bytes bytes = encode(message);
  const FapiError error = decode(bytes);
  ASSERT_TRUE(error.ok()) << describe(error);
  ASSERT_EQ(scratch_message().type, Message::message_type);
  EXPECT_TRUE(scratch_message().*member == message);
  EXPECT_EQ(encode(scratch_message()), bytes);
}

/// Sorts the first \p count PDUs of \p pdus and their \p positions by position.
template <typename Pdu, std::size_t N>
void sort_by_position(std::array<Pdu, N>& pdus, std::array<std::uint8_t, N>& positions,
                      std::size_t count) {
  std::vector<std::pair<std::uint8_t, Pdu>> sorted;
  for (std::size_t i = 0; i < count; ++i) {
    sorted.emplace_back(positions[i], pdus[i]);
  }
  std::ranges::sort(sorted, {}, &std::pair<std::uint8_t, Pdu>::first);
  for (std::size_t i = 0; i < count; ++i) {
    positions[i] = sorted[i].first;
    pdus[i] = sorted[i].second;
  }
}

TEST(FapiRoundTrip, UlTtiRequest) {
  Random r(1);
  for (int trial = 0; trial < 200; ++trial) {
    auto request = std::make_unique<FapiUlTtiRequest>();
    request->sfn = r.pick<std::uint16_t>(0, 1023);
    request->slot = r.pick<std::uint16_t>(0, 159);
    request->num_pusch = trial % 10 == 0 ? fapi_max_pusch_pdus : r(0, 8);
    request->num_prach = trial % 10 == 1 ? fapi_max_prach_pdus : r(0, 3);
    // The PRACH PDUs at random positions among the PUSCH PDUs.
    std::vector<std::uint8_t> positions(request->num_pusch + request->num_prach);
    std::iota(positions.begin(), positions.end(), std::uint8_t{0});
    std::shuffle(positions.begin(), positions.end(), std::mt19937(trial));
    for (std::size_t i = 0; i < request->num_pusch; ++i) {
      request->pusch[i] = random_pusch_pdu(r);
      request->pusch_pdu_index[i] = positions[i];
    }
    for (std::size_t i = 0; i < request->num_prach; ++i) {
      request->prach[i] = random_prach_pdu(r);
      request->prach_pdu_index[i] = positions[request->num_pusch + i];
    }
    // The decoder fills each array in message order: sort each type's PDUs by position.
    sort_by_position(request->pusch, request->pusch_pdu_index, request->num_pusch);
    sort_by_position(request->prach, request->prach_pdu_index, request->num_prach);
    request->num_groups = positions.empty() ? 0 : r(0, 3);
    for (std::size_t g = 0; g < request->num_groups; ++g) {
      request->groups[g].num_ues = r.pick<std::uint8_t>(1, fapi_max_ues_per_group);
      for (unsigned u = 0; u < request->groups[g].num_ues; ++u) {
        request->groups[g].pdu_index[u] =
            r.pick<std::uint8_t>(0, static_cast<unsigned>(positions.size()) - 1);
      }
    }
    expect_round_trip(*request, &FapiMessage::ul_tti_request);
  }
}

TEST(FapiRoundTrip, CrcAndRxDataIndications) {
  Random r(2);
  std::vector<std::uint8_t> tb_pool(200000);
  for (auto& byte : tb_pool) {
    byte = r.pick<std::uint8_t>(0, 255);
  }
  for (int trial = 0; trial < 100; ++trial) {
    auto crc = std::make_unique<FapiCrcIndication>();
    auto rx = std::make_unique<FapiRxDataIndication>();
    crc->sfn = rx->sfn = r.pick<std::uint16_t>(0, 1023);
    crc->slot = rx->slot = r.pick<std::uint16_t>(0, 159);
    crc->num_crcs = rx->num_pdus = trial == 0 ? fapi_max_pusch_pdus : r(0, 16);
    for (std::size_t i = 0; i < crc->num_crcs; ++i) {
      FapiCrc& c = crc->crcs[i];
      c.handle = r(0, 0xFFFFFFFF);
      c.rnti = r.pick<std::uint16_t>(1, 65535);
      c.harq_id = r.pick<std::uint8_t>(0, 15);
      c.tb_crc_status = r.pick<std::uint8_t>(0, 1);
      c.num_cb = r.pick<std::uint16_t>(0, fapi_max_code_blocks);
      for (unsigned b = 0; b < (c.num_cb + 7U) / 8; ++b) {
        c.cb_crc_status[b] = r.pick<std::uint8_t>(0, 255);
      }
      c.measurement = random_measurement(r);
      FapiRxData& d = rx->pdus[i];
      d.handle = c.handle;
      d.rnti = c.rnti;
      d.harq_id = c.harq_id;
      d.measurement = random_measurement(r);
      // Sizes up to 160 kB (one PDU of every 7th trial): beyond 222.10.02's 16-bit PDU_Length.
      const unsigned size = trial % 7 == 0 && i == 0 ? r(65536, 160000) : r(0, 2000);
      const unsigned start = r(0, static_cast<unsigned>(tb_pool.size()) - size);
      d.payload = std::span(tb_pool).subspan(start, size);
    }
    expect_round_trip(*crc, &FapiMessage::crc_indication);
    expect_round_trip(*rx, &FapiMessage::rx_data_indication);
  }
}

TEST(FapiRoundTrip, ConfigurationMessages) {
  Random r(3);
  for (int trial = 0; trial < 200; ++trial) {
    FapiConfigRequest config;
    if (r.coin()) {
      config.ul_bandwidth_mhz = r.pick<std::uint16_t>(5, 400);
    }
    if (r.coin()) {
      config.ul_frequency_khz = r(450000, 52600000);
    }
    if (r.coin()) {
      config.ul_k0 = std::array<std::uint16_t, 5>{1, 2, 3, 4, 23699};
    }
    if (r.coin()) {
      config.ul_grid_size = std::array<std::uint16_t, 5>{0, 273, 0, 0, 275};
    }
    if (r.coin()) {
      config.num_rx_ant = r.pick<std::uint16_t>(1, 64);
    }
    if (r.coin()) {
      config.frequency_shift_7p5khz = r.pick<std::uint8_t>(0, 1);
    }
    if (r.coin()) {
      config.phy_cell_id = r.pick<std::uint16_t>(0, 1007);
    }
    if (r.coin()) {
      config.frame_duplex_type = r.pick<std::uint8_t>(0, 1);
    }
    if (r.coin()) {
      config.scs_common = r.pick<std::uint8_t>(0, 3);
    }
    if (r.coin()) {
      config.rssi_measurement = r.pick<std::uint8_t>(0, 2);
    }
    if (r.coin()) {
      config.cyclic_prefix = r.pick<std::uint8_t>(0, 1);
    }
    if (r.coin()) {
      config.dmrs_type_a_position = r.pick<std::uint8_t>(2, 3);
    }
    if (r.coin()) {
      config.grid_start_crb = r.pick<std::uint16_t>(0, 2199);
    }
    for (unsigned i = r(0, 3); i > 0; --i) {
      config.unrecognised.push_scalar(r.pick<std::uint16_t>(0x2000, 0x2FFF), r(0, 0xFFFFFFFF),
                                      r.pick<std::uint16_t>(0, 4));
    }
    expect_round_trip(config, &FapiMessage::config_request);

    FapiParamResponse param;
    param.error_code = r.pick<FapiErrorCode>(0, 8);
    if (r.coin()) {
      param.capabilities.release_capability = 1;
    }
    if (r.coin()) {
      param.capabilities.phy_state = r.pick<std::uint16_t>(0, 2);
    }
    if (r.coin()) {
      param.capabilities.pusch_dmrs_additional_pos = r.pick<std::uint8_t>(0, 3);
    }
    if (r.coin()) {
      param.capabilities.supported_modulation_order_ul = r.pick<std::uint8_t>(0, 3);
    }
    if (r.coin()) {
      param.capabilities.max_puschs_tbs_per_slot = r.pick<std::uint8_t>(0, 255);
    }
    expect_round_trip(param, &FapiMessage::param_response);

    FapiConfigResponse response;
    response.error_code = r.pick<FapiErrorCode>(0, 8);
    for (FapiTlvList* list : {&response.invalid_or_unsupported, &response.idle_only,
                              &response.running_only, &response.missing}) {
      for (unsigned i = r(0, 2); i > 0; --i) {
        list->push_scalar(r.pick<std::uint16_t>(0x1000, 0x10FF), r(0, 0xFFFF),
                          r.pick<std::uint16_t>(0, 2));
      }
    }
    expect_round_trip(response, &FapiMessage::config_response);

    FapiErrorIndication error{r.pick<std::uint16_t>(0, 1023), r.pick<std::uint16_t>(0, 159),
                              r.pick<std::uint8_t>(0, 255), r.pick<FapiErrorCode>(0, 8)};
    expect_round_trip(error, &FapiMessage::error_indication);
    expect_round_trip(FapiSlotIndication{error.sfn, error.slot}, &FapiMessage::slot_indication);
  }
}

TEST(FapiRoundTrip, PerSlotMessagesDoNotAllocate) {
  Random r(4);
  auto request = std::make_unique<FapiUlTtiRequest>();
  request->num_pusch = fapi_max_pusch_pdus;
  for (std::size_t i = 0; i < request->num_pusch; ++i) {
    request->pusch[i] = random_pusch_pdu(r);
  }
  request->num_prach = fapi_max_prach_pdus;
  for (std::size_t i = 0; i < request->num_prach; ++i) {
    request->prach[i] = random_prach_pdu(r);
  }
  auto rach = std::make_unique<FapiRachIndication>();
  rach->num_pdus = fapi_max_rach_pdus;
  for (FapiRachPdu& pdu : rach->pdus) {
    pdu.num_preambles = fapi_max_rach_preambles;
  }
  auto crc = std::make_unique<FapiCrcIndication>();
  crc->num_crcs = fapi_max_pusch_pdus;
  auto rx = std::make_unique<FapiRxDataIndication>();
  const std::vector<std::uint8_t> tb(3000, 0x5A);
  rx->num_pdus = fapi_max_pusch_pdus;
  for (auto& pdu : rx->pdus) {
    pdu.payload = tb;
  }
  std::vector<std::uint8_t> buffer(1 << 20);
  auto message = std::make_unique<FapiMessage>();

  const long before = airan::test::allocation_count();
  FapiMessageWriter writer(buffer, 1);
  bool ok = writer.add(*request).ok() && writer.add(*crc).ok() && writer.add(*rx).ok() &&
            writer.add(*rach).ok();
  FapiMessageReader reader(writer.bytes());
  FapiMessageView view;
  while (ok && reader.next(view)) {
    ok = decode_message(view, *message).ok();
  }
  const long after = airan::test::allocation_count();
  EXPECT_TRUE(ok);
  EXPECT_TRUE(reader.error().ok());
  EXPECT_EQ(after, before);
  EXPECT_EQ(message->rx_data_indication, *rx);
  EXPECT_EQ(message->rach_indication, *rach);
}

} // namespace
