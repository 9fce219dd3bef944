// Seeds of the FAPI message fuzzer: valid encodings of every message type it decodes.
#include "fapi_message_fuzzer_seeds.h"

#include "airan/io/fapi_codec.h"

#include "fuzz_seeds.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airan::fuzz {
namespace {

using namespace airan::io;

FapiPuschPdu seed_pusch_pdu(std::uint32_t handle, bool all_parts) {
  FapiPuschPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = handle;
  pdu.target_code_rate = 6580;
  pdu.qam_mod_order = 4;
  pdu.mcs_index = 16;
  pdu.ul_dmrs_symb_pos = 0x0804;
  pdu.num_dmrs_cdm_grps_no_data = 2;
  pdu.rb_size = 50;
  pdu.data = FapiPuschData{0, 3, 1, 4096, 0, {}};
  if (all_parts) {
    pdu.data->num_cb = 9;
    pdu.data->cb_present_and_position[1] = 1;
    pdu.uci = FapiPuschUci{2, 11, 0, 3, 9, 13, 13};
    pdu.ptrs.emplace();
    pdu.ptrs->num_ports = 2;
    pdu.dfts_ofdm = FapiDftsOfdm{5, 1, 2, 4};
    pdu.beamforming.num_prgs = 2;
    pdu.beamforming.dig_bf_interfaces = 2;
    pdu.beamforming.beam_index = {1, 2, 3, 4};
    pdu.frequency_hopping = 1;
    pdu.maintenance_v3 = FapiPuschMaintenanceV3{0, 0, 273, 1, 120, 1, 3168};
  }
  return pdu;
}

/// A PUCCH PDU of \p format (0, 1 or 2) that the conversion accepts on the fuzzer's cell.
FapiPucchPdu seed_pucch_pdu(std::uint32_t handle, std::uint8_t format) {
  FapiPucchPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = handle;
  pdu.format_type = format;
  pdu.prb_start = static_cast<std::uint16_t>(200 + 10 * format);
  pdu.prb_size = format == 2 ? 4 : 1;
  pdu.start_symbol_index = format == 1 ? 0 : 12;
  pdu.num_symbols = format == 1 ? 14 : 2;
  pdu.intra_slot_frequency_hopping = format == 1 ? 1 : 0;
  pdu.second_hop_prb = format == 1 ? 5 : 0;
  pdu.pucch_group_hopping = format;
  pdu.n_id_pucch_hopping = 7;
  pdu.initial_cyclic_shift = format == 2 ? 0 : 3;
  pdu.n_id_pucch_scrambling = 7;
  pdu.n_id0_pucch_dmrs_scrambling = 7;
  pdu.sr_bit_len = 1;
  pdu.bit_len_harq = format == 2 ? 8 : 2;
  pdu.csi_part1_bit_length = format == 2 ? 12 : 0;
  return pdu;
}

/// A PRACH PDU of FD occasion \p num_ra, with the FAPIv3 maintenance part when \p v3.
FapiPrachPdu seed_prach_pdu(std::uint8_t num_ra, bool v3) {
  FapiPrachPdu pdu;
  pdu.phys_cell_id = 7;
  pdu.num_prach_ocas = v3 ? 6 : 1;
  pdu.prach_format = v3 ? fapi_prach_format::a1 : fapi_prach_format::format0;
  pdu.num_ra = num_ra;
  pdu.prach_start_symbol = v3 ? 0 : 2;
  pdu.num_cs = v3 ? 69 : 119;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 3;
  if (v3) {
    pdu.maintenance_v3 =
        FapiPrachMaintenanceV3{static_cast<std::uint32_t>(0x0700 + num_ra), 1, 0, 2, 0xFF, 64};
  }
  return pdu;
}

/// An SRS PDU the conversion accepts on the fuzzer's cell: \p ports (code 0 .. 2) ports, 2 symbols
/// from 12 with R 2, comb 4, C_SRS 20 (76 PRBs) hopping over B_SRS 1, group hopping, periodic
/// every 10 slots, one beam.
FapiSrsPdu seed_srs_pdu(std::uint32_t handle, std::uint8_t ports) {
  FapiSrsPdu pdu;
  pdu.rnti = 0x4601;
  pdu.handle = handle;
  pdu.num_ant_ports = ports;
  pdu.num_symbols = 1;
  pdu.num_repetitions = 1;
  pdu.time_start_position = 12;
  pdu.config_index = 20;
  pdu.sequence_id = 7;
  pdu.bandwidth_index = 1;
  pdu.comb_size = 1;
  pdu.comb_offset = 1;
  pdu.cyclic_shift = 5;
  pdu.frequency_position = 3;
  pdu.group_or_sequence_hopping = 1;
  pdu.resource_type = 2;
  pdu.t_srs = 10;
  pdu.t_offset = 3;
  pdu.beamforming.num_prgs = 1;
  pdu.beamforming.dig_bf_interfaces = 1;
  pdu.beamforming.beam_index[0] = 5;
  return pdu;
}

/// A PRACH configuration of two FD occasions, one with unused root sequences.
FapiPrachConfig seed_prach_config() {
  FapiPrachConfig prach;
  prach.prach_sequence_length = 0;
  prach.prach_sub_c_spacing = 4;
  prach.restricted_set_config = 0;
  prach.num_prach_fd_occasions = 2;
  prach.prach_config_index = 16;
  prach.fd_occasions[0] = {22, 10, 0, 12, 2, {100, 101}};
  prach.fd_occasions[1] = {32, 10, 6, 12, {}, {}};
  prach.num_fd_occasions = 2;
  prach.ssb_per_rach = 3;
  return prach;
}

void write_file(const std::string& path, std::span<const std::uint8_t> bytes) {
  airan::fuzz::write_seed_file(path, bytes);
}

template <typename Message>
void write_seed(const std::string& dir, const std::string& name, const Message& message) {
  std::vector<std::uint8_t> buffer(1 << 16);
  std::size_t size = 0;
  if (encode_single_message(message, buffer, size, 1).ok()) {
    write_file(dir + "/" + name, std::span(buffer).first(size));
  }
}

} // namespace

void write_fapi_message_seeds(const std::string& dir) {
  write_seed(dir, "param_request", FapiParamRequest{});
  FapiParamResponse param;
  param.capabilities.release_capability = 1;
  param.capabilities.phy_state = 0;
  param.capabilities.max_number_mimo_layers_non_cb_pusch = 4;
  param.unrecognised.push_scalar(0x0040, 0x010203, 3);
  write_seed(dir, "param_response", param);
  FapiConfigRequest config;
  config.ul_grid_size = std::array<std::uint16_t, 5>{0, 273, 0, 0, 0};
  config.ul_k0 = std::array<std::uint16_t, 5>{};
  config.phy_cell_id = 500;
  config.num_rx_ant = 4;
  config.dmrs_type_a_position = 2;
  config.rssi_measurement = 2;
  config.unrecognised.push_scalar(0x1022, 0x80000001, 4);
  write_seed(dir, "config_request", config);
  config.prach = seed_prach_config();
  write_seed(dir, "config_request_prach", config);
  // FAPIv3's UCI configuration: CSI part 2 size maps of one and of two part 1 fields.
  config.uci_part2_maps = {FapiUciPart2Map{{1}, {4, 9}},
                           FapiUciPart2Map{{2, 1}, {10, 11, 12, 13, 14, 15, 16, 17}}};
  write_seed(dir, "config_request_uci_part2_maps", config);
  FapiConfigResponse response;
  response.error_code = FapiErrorCode::msg_invalid_config;
  response.invalid_or_unsupported.push_scalar(0x100B, 1, 1);
  response.missing.push(FapiTlv{0x100C, 0, {}});
  write_seed(dir, "config_response", response);
  write_seed(dir, "start_request", FapiStartRequest{});
  write_seed(dir, "stop_request", FapiStopRequest{});
  write_seed(dir, "stop_indication", FapiStopIndication{});
  write_seed(dir, "error_indication",
             FapiErrorIndication{1023, 19, 0x81, FapiErrorCode::msg_slot_err});
  write_seed(dir, "slot_indication", FapiSlotIndication{291, 7});

  auto request = std::make_unique<FapiUlTtiRequest>();
  request->sfn = 100;
  request->slot = 9;
  request->pusch[0] = seed_pusch_pdu(1, false);
  request->pusch[1] = seed_pusch_pdu(2, true);
  // A DFT-s-OFDM PDU the conversion accepts: 48 PRBs, 16-QAM of Table 6.1.4.1-1 (mcsTable 3),
  // puschIdentity 37 and its dftsOfdm part (u = 37 mod 30, v = 0).
  request->pusch[2] = seed_pusch_pdu(3, false);
  request->pusch[2].rb_size = 48;
  request->pusch[2].transform_precoding = 0;
  request->pusch[2].mcs_table = 3;
  request->pusch[2].pusch_identity = 37;
  request->pusch[2].dfts_ofdm = FapiDftsOfdm{7, 0, 0, 0};
  // UCI on PUSCH the conversion accepts: 2-bit HARQ-ACK, 6-bit CSI part 1, 4-bit CSI part 2.
  request->pusch[3] = seed_pusch_pdu(4, false);
  request->pusch[3].rb_start = 60;
  request->pusch[3].uci = FapiPuschUci{2, 6, 4, 3, 9, 13, 13};
  // PT-RS the conversion accepts: one port on DMRS port 0, k_ref^RE 2 ('01'), L 2, K 4.
  request->pusch[4] = seed_pusch_pdu(5, false);
  request->pusch[4].rb_start = 120;
  request->pusch[4].ptrs.emplace();
  request->pusch[4].ptrs->ports[0] = FapiPtrsPort{1, 0, 2};
  request->pusch[4].ptrs->time_density = 1;
  request->pusch[4].ptrs->freq_density = 1;
  request->num_pusch = 5;
  // PUCCH formats 0, 1 and 2, between the PUSCH PDUs: positions 0, 3 and 7.
  for (std::uint8_t f = 0; f < 3; ++f) {
    request->pucch[f] = seed_pucch_pdu(10U + f, f);
  }
  request->num_pucch = 3;
  request->pucch_pdu_index = {0, 3, 7};
  request->pusch_pdu_index = {1, 2, 4, 5, 6};
  request->groups[0].num_ues = 5;
  request->groups[0].pdu_index = {1, 2, 4, 5, 6};
  request->groups[1].num_ues = 3;
  request->groups[1].pdu_index = {0, 3, 7};
  request->num_groups = 2;
  write_seed(dir, "ul_tti_request", *request);
  // PRACH PDUs (one with the FAPIv3 part) first and last, a group naming one.
  request->prach[0] = seed_prach_pdu(0, false);
  request->prach[1] = seed_prach_pdu(1, true);
  request->num_prach = 2;
  request->prach_pdu_index = {0, 9};
  request->pucch_pdu_index = {1, 4, 8};
  request->pusch_pdu_index = {2, 3, 5, 6, 7};
  request->groups[1].pdu_index = {1, 4, 8};
  request->groups[0].pdu_index = {2, 3, 5, 6, 7};
  request->groups[2].num_ues = 1;
  request->groups[2].pdu_index = {9};
  request->num_groups = 3;
  write_seed(dir, "ul_tti_request_prach", *request);
  // CSI part 2 sized from part 1: csiPart2BitLength 0xFFFF, the maintenance part, then the part 1
  // to part 2 correspondence (two reports, of one and of two fields).
  auto csi_part2 = std::make_unique<FapiUlTtiRequest>();
  csi_part2->sfn = 100;
  csi_part2->slot = 9;
  FapiPuschPdu& sized = csi_part2->pusch[0];
  sized = seed_pusch_pdu(6, false);
  FapiUciPart2Info info;
  info.num_part2s = 2;
  info.part2s[0] = FapiUciPart2{0, 1, {0}, {1}, 0, 1};
  info.part2s[1] = FapiUciPart2{1, 2, {1, 4}, {2, 1}, 1, 0};
  sized.uci = FapiPuschUci{2, 11, fapi_csi_part2_from_part1, 3, 9, 13, 13, info};
  sized.maintenance_v3 = FapiPuschMaintenanceV3{0, 0, 273, 0, 0, 1, 0};
  csi_part2->num_pusch = 1;
  write_seed(dir, "ul_tti_request_csi_part2", *csi_part2);
  // SRS PDUs beside the PUSCH, PUCCH and PRACH ones: first, between and last, a group naming one.
  request->srs[0] = seed_srs_pdu(20, 0);
  request->srs[1] = seed_srs_pdu(21, 2);
  request->srs[1].resource_type = 0; // aperiodic
  request->srs[2] = seed_srs_pdu(22, 1);
  request->srs[2].comb_size = 0;
  request->srs[2].comb_offset = 1;
  request->srs[2].cyclic_shift = 7;
  request->srs[2].num_symbols = 0;
  request->srs[2].num_repetitions = 0;
  request->srs[2].time_start_position = 13;
  request->num_srs = 3;
  request->srs_pdu_index = {0, 6, 12};
  request->prach_pdu_index = {1, 11};
  request->pucch_pdu_index = {2, 5, 10};
  request->pusch_pdu_index = {3, 4, 7, 8, 9};
  request->groups[0].pdu_index = {3, 4, 7, 8, 9};
  request->groups[1].pdu_index = {2, 5, 10};
  request->groups[2].num_ues = 2;
  request->groups[2].pdu_index = {1, 12};
  write_seed(dir, "ul_tti_request_srs", *request);
  request->num_srs = 0;
  request->num_prach = 0;
  request->pucch_pdu_index = {0, 3, 7};
  request->pusch_pdu_index = {1, 2, 4, 5, 6};

  auto crc = std::make_unique<FapiCrcIndication>();
  crc->crcs[0] = FapiCrc{7, 0x4601, 3, 0, 0, {}, {150, 31, 880}};
  crc->crcs[1] = FapiCrc{8, 0x4602, 4, 1, 10, {0x04, 0x02}, {}};
  crc->num_crcs = 2;
  write_seed(dir, "crc_indication", *crc);
  static const std::vector<std::uint8_t> tb = {0xDE, 0xAD, 0xBE, 0xEF, 0x01};
  auto rx = std::make_unique<FapiRxDataIndication>();
  rx->pdus[0] = FapiRxData{7, 0x4601, 3, {150, 31, 880}, tb};
  rx->pdus[1] = FapiRxData{8, 0x4602, 4, {}, {}};
  rx->num_pdus = 2;
  write_seed(dir, "rx_data_indication", *rx);
  auto uci = std::make_unique<FapiUciIndication>();
  uci->sfn = 100;
  uci->slot = 9;
  uci->pdus[0].handle = 4;
  uci->pdus[0].rnti = 0x4601;
  uci->pdus[0].measurement = {150, 31, 880};
  uci->pdus[0].harq = FapiUciPart{2, 2, {0x02}};
  uci->pdus[0].csi_part1 = FapiUciPart{2, 11, {0xA5, 0x03}};
  uci->pdus[1].rnti = 0x4602;
  uci->pdus[1].csi_part2 = FapiUciPart{1, 4, {}};
  uci->num_pdus = 2;
  uci->pucch_f01[0].handle = 10;
  uci->pucch_f01[0].sr = FapiUciSrFormat01{1, 0};
  uci->pucch_f01[0].harq = FapiUciHarqFormat01{2, 0, {1, 2}};
  uci->pucch_f01[1].pucch_format = 1;
  uci->pucch_f01[1].harq = FapiUciHarqFormat01{1, 0xFF, {0}};
  uci->num_pucch_f01 = 2;
  uci->pucch_f234[0].handle = 12;
  uci->pucch_f234[0].sr = FapiUciSrPayload{1, 1};
  uci->pucch_f234[0].harq = FapiUciPart{0, 8, {0xA5}};
  uci->pucch_f234[0].csi_part1 = FapiUciPart{0, 12, {0x34, 0x02}};
  uci->num_pucch_f234 = 1;
  write_seed(dir, "uci_indication", *uci);
  auto rach = std::make_unique<FapiRachIndication>();
  rach->sfn = 100;
  rach->slot = 9;
  rach->pdus[0] = FapiRachPdu{7, 2, 9, 0, 0x80, 150, 2, {}};
  rach->pdus[0].preambles[0] = FapiRachPreamble{12, 40, 110000};
  rach->pdus[0].preambles[1] = FapiRachPreamble{63, 0xFFFF, 0xFFFFFFFF};
  rach->pdus[1] = FapiRachPdu{7, 0, 19, 1, 0xFF, 0xFF, 0, {}};
  rach->num_pdus = 2;
  write_seed(dir, "rach_indication", *rach);
  // SRS.indication: a measured PDU (two symbols of 76 and 0 RBs) and an invalid one.
  auto srs = std::make_unique<FapiSrsIndication>();
  srs->sfn = 100;
  srs->slot = 9;
  srs->pdus[0] = FapiSrsIndicationPdu{20, 0x4601, 33, 2, 150, 2, {}};
  srs->pdus[0].reported_symbols[0].num_rbs = 76;
  for (std::size_t rb = 0; rb < 76; ++rb) {
    srs->pdus[0].reported_symbols[0].rb_snr[rb] = static_cast<std::uint8_t>(100 + rb);
  }
  srs->pdus[0].reported_symbols[0].rb_snr[75] = FapiSrsIndicationPdu::invalid_snr;
  srs->pdus[1] = FapiSrsIndicationPdu{21, 0x4602, 0xFFFF, 4, 0xFF, 0, {}};
  srs->num_pdus = 2;
  write_seed(dir, "srs_indication", *srs);

  // A slot's indications in one buffer, and UL_TTI with PRACH and SRS PDUs written byte by byte
  // (the SRS one with the bytes a 222.10.04 MAC appends inside its pduSize).
  std::vector<std::uint8_t> buffer(1 << 16);
  FapiMessageWriter writer(buffer, 3);
  if (writer.add(FapiSlotIndication{5, 5}).ok() && writer.add(*crc).ok() && writer.add(*rx).ok() &&
      writer.add(*uci).ok() && writer.add(*rach).ok() && writer.add(*srs).ok()) {
    write_file(dir + "/slot_indications", writer.bytes());
  }
  std::size_t size = 0;
  request->num_groups = 0;
  if (encode_single_message(*request, buffer, size).ok()) {
    std::vector<std::uint8_t> bytes(buffer.begin(), buffer.begin() + static_cast<long>(size));
    const std::vector<std::uint8_t> others = {
        0,  0, 17, 0,                // PRACH, pduSize 17
        7,  0, 1,  0,  0, 0, 13, 0,  // physCellID 7, 1 occasion, format 0, numRa 0, N_CS 13
        0,  0, 0,  0,  0,            // no beamforming
        3,  0, 50, 0,                // SRS, pduSize 50
        1,  0, 9,  0,  0, 0,         // RNTI 1, handle 9
        17, 1, 0,  0,  1, 0,         // BWP 273 from 0, mu 1, normal CP
        0,  0, 0,  13, 9, 7, 0,      // 1 port, 1 symbol, R 1 at 13, C_SRS 9, n_ID 7
        0,  0, 0,  0,  0, 0, 0,  0,  // B_SRS 0, comb 2, offset 0, shift 0, n_RRC, n_shift, b_hop 0
        0,  0, 1,  0,  0, 0,         // no hopping, aperiodic, Tsrs 1, Toffset 0
        0,  0, 0,  0,  0,            // no beamforming
        0,  1, 0,  1,  2, 0, 1,  0}; // srsParamsV4 of a 222.10.04 MAC: skipped
    bytes.insert(bytes.end(), others.begin(), others.end());
    bytes[8 + 4] += 2;                           // nPDUs
    bytes[8 + 5] = 1;                            // RachPresent
    const std::size_t length = bytes.size() - 8; // message length
    for (int i = 0; i < 4; ++i) {
      bytes[4 + i] = static_cast<std::uint8_t>(length >> (8 * i));
    }
    write_file(dir + "/ul_tti_request_appended_pdus", bytes);
  }
}

} // namespace airan::fuzz
