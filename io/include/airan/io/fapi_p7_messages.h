/// \file
/// \brief SCF 222.10.02 slot (P7) messages as plain data: SLOT.indication, UL_TTI.request with
/// its PUSCH PDUs (Tables 3-44, 3-46, 3-47 .. 3-50, 3-53), PUCCH PDUs (Table 3-51,
/// fapi_pucch_messages.h), PRACH PDUs (Table 3-45, fapi_prach_messages.h) and SRS PDUs (Table
/// 3-73, fapi_srs_messages.h), CRC.indication (Table 3-62), RX_DATA.indication (Table 3-61) and
/// UCI.indication (Table 3-63) with its PUSCH and PUCCH PDUs. RACH.indication (Table 3-74) is in
/// fapi_prach_messages.h, SRS.indication in fapi_srs_messages.h. The PUSCH PDU's FAPIv3
/// additions: the maintenance part and the CSI part 1 to part 2 correspondence.
///
/// Every variable part has a fixed capacity so that a message can be decoded into a structure
/// allocated once; a message with more entries fails to decode with capacity_exceeded. Unused
/// entries past a message's count are ignored by ==; inside an entry, unused array elements are
/// zero after a decode.
#pragma once

#include "airan/io/fapi_prach_messages.h"
#include "airan/io/fapi_pucch_messages.h"
#include "airan/io/fapi_srs_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/io/fapi_ul_fields.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace airan::io {

/// PUSCH PDUs one UL_TTI.request (and CRC / RX_DATA entries one indication) can hold.
inline constexpr std::size_t fapi_max_pusch_pdus = 64;
/// UE groups one UL_TTI.request can hold, and UEs per group (SCF: 1 .. 12).
inline constexpr std::size_t fapi_max_ue_groups = 64;
inline constexpr std::size_t fapi_max_ues_per_group = 12;
/// Code blocks whose bits a PUSCH PDU or CRC entry can carry (one bit each).
inline constexpr std::size_t fapi_max_code_blocks = 256;

/// UL_TTI.request PDU types (pduType).
enum class FapiUlPduType : std::uint16_t { prach = 0, pusch = 1, pucch = 2, srs = 3 };

/// pduBitmap bits of the PUSCH PDU.
namespace fapi_pusch_bitmap {
inline constexpr std::uint16_t data = 1U << 0;
inline constexpr std::uint16_t uci = 1U << 1;
inline constexpr std::uint16_t ptrs = 1U << 2;
inline constexpr std::uint16_t dfts_ofdm = 1U << 3;
} // namespace fapi_pusch_bitmap

/// SLOT.indication (Table 3-34).
struct FapiSlotIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::slot_indication;
  std::uint16_t sfn = 0;  ///< 0 .. 1023.
  std::uint16_t slot = 0; ///< 0 .. 159.
  friend bool operator==(const FapiSlotIndication&, const FapiSlotIndication&) = default;
};

/// Optional puschData part (Table 3-47).
struct FapiPuschData {
  std::uint8_t rv_index = 0;           ///< 0 .. 3.
  std::uint8_t harq_process_id = 0;    ///< 0 .. 15.
  std::uint8_t new_data_indicator = 1; ///< 0 retransmission, 1 new data.
  std::uint32_t tb_size = 0;           ///< TBSize, bytes.
  std::uint16_t num_cb = 0;            ///< numCb; 0 without CBG retransmission.
  /// cbPresentAndPosition: ceil(num_cb / 8) bytes on the wire.
  std::array<std::uint8_t, fapi_max_code_blocks / 8> cb_present_and_position{};
  friend bool operator==(const FapiPuschData&, const FapiPuschData&) = default;
};

/// csiPart2BitLength of a CSI part 2 whose size follows from CSI part 1 (FAPIv3): the PDU then
/// carries the part 1 to part 2 correspondence (FapiUciPart2Info).
inline constexpr std::uint16_t fapi_csi_part2_from_part1 = 0xFFFF;

/// One part 2 of the "UCI information for determining UCI Part1 to Part2 correspondence"
/// (SCF 222.10.04): which CSI part 1 fields size it, and by which map of CONFIG.request's UCI
/// configuration (TLV 0x1036).
struct FapiUciPart2 {
  static constexpr std::size_t max_part1_params = 4; ///< numPart1Params 1 .. 4.
  std::uint16_t priority = 0;                        ///< The report's priority (not read).
  std::uint8_t num_part1_params = 0;                 ///< 1 .. 4.
  /// paramOffsets: first bit of each part 1 field in the CSI part 1 payload.
  std::array<std::uint16_t, max_part1_params> param_offsets{};
  std::array<std::uint8_t, max_part1_params> param_sizes{}; ///< paramSizes: bits of each field.
  std::uint16_t part2_size_map_index = 0; ///< Index of the map (numbered as CONFIG sends them).
  std::uint8_t part2_size_map_scope = 0;  ///< 0 PHY context, 1 cell context (0 .. 1).
  friend bool operator==(const FapiUciPart2&, const FapiUciPart2&) = default;
};

/// The "UCI information for determining UCI Part1 to Part2 correspondence" of a PUSCH PDU
/// (after its FAPIv3 maintenance part, present when csiPart2BitLength is
/// fapi_csi_part2_from_part1): one entry per CSI report whose part 2 is sized from part 1.
struct FapiUciPart2Info {
  static constexpr std::size_t max_part2s = 8; ///< numPart2s 1 .. 8 here.
  std::uint16_t num_part2s = 0;
  std::array<FapiUciPart2, max_part2s> part2s{};

  [[nodiscard]] std::span<const FapiUciPart2> entries() const {
    return {part2s.data(), std::min<std::size_t>(num_part2s, max_part2s)};
  }
  friend bool operator==(const FapiUciPart2Info&, const FapiUciPart2Info&) = default;
};

/// Optional puschUci part (Table 3-48).
struct FapiPuschUci {
  std::uint16_t harq_ack_bit_length = 0;
  std::uint16_t csi_part1_bit_length = 0;
  /// 0 .. 1706, or fapi_csi_part2_from_part1 (0xFFFF): sized from CSI part 1 by part2_info.
  std::uint16_t csi_part2_bit_length = 0;
  std::uint8_t alpha_scaling = 0; ///< 0 .. 3.
  std::uint8_t beta_offset_harq_ack = 0;
  std::uint8_t beta_offset_csi1 = 0;
  std::uint8_t beta_offset_csi2 = 0;
  /// With csi_part2_bit_length 0xFFFF: the part 1 to part 2 correspondence, which the codec
  /// reads and writes after the PUSCH maintenance FAPIv3 part. Otherwise empty (num_part2s 0).
  FapiUciPart2Info part2_info{};
  friend bool operator==(const FapiPuschUci&, const FapiPuschUci&) = default;
};

/// One PT-RS port of the puschPtrs part.
struct FapiPtrsPort {
  std::uint16_t port_index = 0; ///< PTRSPortIndex bitmap.
  std::uint8_t dmrs_port = 0;   ///< 0 .. 11.
  std::uint8_t re_offset = 0;   ///< 0 .. 11.
  friend bool operator==(const FapiPtrsPort&, const FapiPtrsPort&) = default;
};

/// Optional puschPtrs part (Table 3-49).
struct FapiPuschPtrs {
  std::uint8_t num_ports = 1; ///< 1 .. 2.
  std::array<FapiPtrsPort, 2> ports{};
  std::uint8_t time_density = 0;  ///< 0: 1, 1: 2, 2: 4.
  std::uint8_t freq_density = 0;  ///< 0: 2, 1: 4.
  std::uint8_t ul_ptrs_power = 0; ///< 0 .. 3.
  friend bool operator==(const FapiPuschPtrs&, const FapiPuschPtrs&) = default;
};

/// Optional dftsOfdm part (Table 3-50).
struct FapiDftsOfdm {
  std::uint8_t low_papr_group_number = 0;     ///< 0 .. 29.
  std::uint16_t low_papr_sequence_number = 0; ///< 0 .. 1.
  std::uint8_t ul_ptrs_sample_density = 0;
  std::uint8_t ul_ptrs_time_density_transform_precoding = 0;
  friend bool operator==(const FapiDftsOfdm&, const FapiDftsOfdm&) = default;
};

/// PUSCH maintenance FAPIv3 (SCF 222.10.04): appended after the Rx beamforming part of the
/// PUSCH PDU by MACs of that version, absent from 222.10.02 PDUs (told apart by pduSize).
struct FapiPuschMaintenanceV3 {
  std::uint8_t pusch_trans_type = 0;                  ///< 0 .. 2 (Msg3 / initial BWP rules).
  std::uint16_t delta_bwp0_start_from_active_bwp = 0; ///< 0 .. 274.
  std::uint16_t initial_ul_bwp_size = 0;              ///< 0 .. 275.
  std::uint8_t group_or_sequence_hopping = 0;         ///< 0 neither, 1 group, 2 sequence.
  std::uint16_t pusch_second_hop_prb = 0;             ///< 0 .. 274, with frequencyHopping.
  std::uint8_t ldpc_base_graph = 1;                   ///< 1 or 2.
  std::uint32_t tb_size_lbrm_bytes = 0;               ///< TBS_LBRM / 8; 0: no limited buffer.
  friend bool operator==(const FapiPuschMaintenanceV3&, const FapiPuschMaintenanceV3&) = default;
};

/// PUSCH PDU of UL_TTI.request (Table 3-46). pduBitmap is not stored: it is the presence of
/// data, uci, ptrs and dfts_ofdm.
struct FapiPuschPdu {
  std::uint16_t rnti = 1;   ///< 1 .. 65535.
  std::uint32_t handle = 0; ///< Returned in CRC / RX_DATA.
  // BWP
  std::uint16_t bwp_size = 273;        ///< 1 .. 275.
  std::uint16_t bwp_start = 0;         ///< 0 .. 274.
  std::uint8_t subcarrier_spacing = 1; ///< mu, 0 .. 4.
  std::uint8_t cyclic_prefix = 0;      ///< 0 normal, 1 extended.
  // Codeword
  std::uint16_t target_code_rate = 0;   ///< R * 1024 * 10.
  std::uint8_t qam_mod_order = 2;       ///< 1 (pi/2 BPSK), 2, 4, 6, 8.
  std::uint8_t mcs_index = 0;           ///< 0 .. 31.
  std::uint8_t mcs_table = 0;           ///< 0 qam64, 1 qam256, 2 qam64LowSE, 3/4 with TP.
  std::uint8_t transform_precoding = 1; ///< 0 enabled, 1 disabled.
  std::uint16_t data_scrambling_id = 0;
  std::uint8_t num_layers = 1; ///< nrOfLayers, 1 .. 4.
  // DMRS
  std::uint16_t ul_dmrs_symb_pos = 0; ///< Bit l: slot symbol l carries DMRS (14 bits).
  std::uint8_t dmrs_config_type = 0;  ///< 0 type 1, 1 type 2.
  std::uint16_t ul_dmrs_scrambling_id = 0;
  std::uint16_t pusch_identity = 0;           ///< 0 .. 1007 (transform precoding).
  std::uint8_t scid = 0;                      ///< 0/1.
  std::uint8_t num_dmrs_cdm_grps_no_data = 1; ///< 1 .. 3.
  std::uint16_t dmrs_ports = 1;               ///< Bit p: DMRS port p (12 bits).
  // Frequency allocation
  std::uint8_t resource_alloc = 1; ///< 0 type 0 (rb_bitmap), 1 type 1.
  std::array<std::uint8_t, 36> rb_bitmap{};
  std::uint16_t rb_start = 0;                     ///< Type 1: first PRB in the BWP, 0 .. 274.
  std::uint16_t rb_size = 1;                      ///< Type 1: PRBs, 1 .. 275.
  std::uint8_t vrb_to_prb_mapping = 0;            ///< 0 non-interleaved, 1/2 interleaved.
  std::uint8_t frequency_hopping = 0;             ///< 0/1.
  std::uint16_t tx_direct_current_location = 0;   ///< 0 .. 4095.
  std::uint8_t uplink_frequency_shift_7p5khz = 0; ///< 0/1.
  // Time allocation
  std::uint8_t start_symbol_index = 0; ///< 0 .. 13.
  std::uint8_t num_symbols = 14;       ///< 1 .. 14.
  // Optional parts, present when their pduBitmap bit is set.
  std::optional<FapiPuschData> data;
  std::optional<FapiPuschUci> uci;
  std::optional<FapiPuschPtrs> ptrs;
  std::optional<FapiDftsOfdm> dfts_ofdm;
  FapiRxBeamforming beamforming;
  std::optional<FapiPuschMaintenanceV3> maintenance_v3; ///< After beamforming (FAPIv3 MACs).

  /// pduBitmap from the optional parts.
  [[nodiscard]] std::uint16_t pdu_bitmap() const;
  friend bool operator==(const FapiPuschPdu&, const FapiPuschPdu&) = default;
};

/// One UE group of UL_TTI.request: indices of its PDUs in the message.
struct FapiUeGroup {
  std::uint8_t num_ues = 0;
  std::array<std::uint8_t, fapi_max_ues_per_group> pdu_index{};
  friend bool operator==(const FapiUeGroup&, const FapiUeGroup&) = default;
};

/// UL_TTI.request (Table 3-44), the uplink work of one slot: its PUSCH, PUCCH, PRACH and SRS PDUs,
/// each type in its array with its position among the message's PDUs (*_pdu_index). Encoding
/// writes nPDUs = num_pusch + num_pucch + num_prach + num_srs, nULSCH = num_pusch, nULCCH =
/// num_pucch, RachPresent = 1 when num_prach > 0; each PDU at its position when the four index
/// arrays (their first num_* entries) name every position 0 .. nPDUs - 1 once (as after a decode),
/// otherwise (e.g. indices left at 0) the PUSCH PDUs first, in order, then the PUCCH, the PRACH
/// and the SRS PDUs. The groups' PduIdx refer to these positions. The decoder fills the arrays in
/// message order, so their indices increase.
struct FapiUlTtiRequest {
  static constexpr FapiMessageType message_type = FapiMessageType::ul_tti_request;
  std::uint16_t sfn = 0;  ///< 0 .. 1023.
  std::uint16_t slot = 0; ///< 0 .. 159.
  std::array<FapiPuschPdu, fapi_max_pusch_pdus> pusch{};
  std::size_t num_pusch = 0;
  /// Position of pusch[i] among all the message's PDUs (what group pdu indices refer to).
  std::array<std::uint8_t, fapi_max_pusch_pdus> pusch_pdu_index{};
  std::array<FapiPucchPdu, fapi_max_pucch_pdus> pucch{};
  std::size_t num_pucch = 0;
  /// Position of pucch[i] among all the message's PDUs.
  std::array<std::uint8_t, fapi_max_pucch_pdus> pucch_pdu_index{};
  std::array<FapiPrachPdu, fapi_max_prach_pdus> prach{};
  std::size_t num_prach = 0;
  /// Position of prach[i] among all the message's PDUs.
  std::array<std::uint8_t, fapi_max_prach_pdus> prach_pdu_index{};
  std::array<FapiSrsPdu, fapi_max_srs_pdus> srs{};
  std::size_t num_srs = 0;
  /// Position of srs[i] among all the message's PDUs.
  std::array<std::uint8_t, fapi_max_srs_pdus> srs_pdu_index{};
  std::array<FapiUeGroup, fapi_max_ue_groups> groups{};
  std::size_t num_groups = 0;
  std::size_t num_prach_skipped = 0; ///< Always 0 (PRACH PDUs are decoded); kept for its readers.
  std::size_t num_pucch_skipped = 0; ///< Always 0 (PUCCH PDUs are decoded); kept for its readers.
  std::size_t num_srs_skipped = 0;   ///< Always 0 (SRS PDUs are decoded); kept for its readers.

  /// The PUSCH PDUs present.
  [[nodiscard]] std::span<const FapiPuschPdu> pusch_pdus() const {
    return {pusch.data(), num_pusch};
  }
  /// The PUCCH PDUs present.
  [[nodiscard]] std::span<const FapiPucchPdu> pucch_pdus() const {
    return {pucch.data(), num_pucch};
  }
  /// The PRACH PDUs present.
  [[nodiscard]] std::span<const FapiPrachPdu> prach_pdus() const {
    return {prach.data(), num_prach};
  }
  /// The SRS PDUs present.
  [[nodiscard]] std::span<const FapiSrsPdu> srs_pdus() const { return {srs.data(), num_srs}; }
  /// PDUs skipped: 0 since every PDU type is decoded (kept for its readers).
  [[nodiscard]] std::size_t num_skipped() const {
    return num_prach_skipped + num_pucch_skipped + num_srs_skipped;
  }
  /// Compares the entries in use (elements past num_pusch / num_pucch / num_prach / num_srs /
  /// num_groups are ignored).
  friend bool operator==(const FapiUlTtiRequest& a, const FapiUlTtiRequest& b) {
    const auto same = [](const auto& x, const auto& y, std::size_t count) {
      return std::equal(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(count), y.begin());
    };
    return a.sfn == b.sfn && a.slot == b.slot && a.num_pusch == b.num_pusch &&
           a.num_pucch == b.num_pucch && a.num_prach == b.num_prach && a.num_srs == b.num_srs &&
           a.num_groups == b.num_groups && a.num_prach_skipped == b.num_prach_skipped &&
           a.num_pucch_skipped == b.num_pucch_skipped && a.num_srs_skipped == b.num_srs_skipped &&
           std::ranges::equal(a.pusch_pdus(), b.pusch_pdus()) &&
           same(a.pusch_pdu_index, b.pusch_pdu_index, a.num_pusch) &&
           std::ranges::equal(a.pucch_pdus(), b.pucch_pdus()) &&
           same(a.pucch_pdu_index, b.pucch_pdu_index, a.num_pucch) &&
           std::ranges::equal(a.prach_pdus(), b.prach_pdus()) &&
           same(a.prach_pdu_index, b.prach_pdu_index, a.num_prach) &&
           std::ranges::equal(a.srs_pdus(), b.srs_pdus()) &&
           same(a.srs_pdu_index, b.srs_pdu_index, a.num_srs) &&
           same(a.groups, b.groups, a.num_groups);
  }
};

/// One CRC of CRC.indication (Table 3-62).
struct FapiCrc {
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  std::uint8_t harq_id = 0;
  std::uint8_t tb_crc_status = 1; ///< 0 pass, 1 fail.
  std::uint16_t num_cb = 0;       ///< 0: no per-CB report.
  /// CbCrcStatus, bit c (LSB first) of byte c / 8: code block c failed (ceil(num_cb/8) bytes).
  std::array<std::uint8_t, fapi_max_code_blocks / 8> cb_crc_status{};
  FapiUlMeasurement measurement;
  friend bool operator==(const FapiCrc&, const FapiCrc&) = default;
};

/// CRC.indication (Table 3-62).
struct FapiCrcIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::crc_indication;
  std::uint16_t sfn = 0;
  std::uint16_t slot = 0;
  std::array<FapiCrc, fapi_max_pusch_pdus> crcs{};
  std::size_t num_crcs = 0;

  [[nodiscard]] std::span<const FapiCrc> entries() const { return {crcs.data(), num_crcs}; }
  /// Compares the entries in use.
  friend bool operator==(const FapiCrcIndication& a, const FapiCrcIndication& b) {
    return a.sfn == b.sfn && a.slot == b.slot && std::ranges::equal(a.entries(), b.entries());
  }
};

/// One PDU of RX_DATA.indication (Table 3-61). The payload is not copied: after a decode it views
/// the decoded buffer, before an encode it views the caller's TB bytes (PuschPduResult::tb_bytes).
struct FapiRxData {
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  std::uint8_t harq_id = 0;
  FapiUlMeasurement measurement;
  std::span<const std::uint8_t> payload; ///< MAC PDU (the TB); empty on a CRC failure.

  /// Field-wise, payload by content.
  friend bool operator==(const FapiRxData& a, const FapiRxData& b) {
    return a.handle == b.handle && a.rnti == b.rnti && a.harq_id == b.harq_id &&
           a.measurement == b.measurement && std::ranges::equal(a.payload, b.payload);
  }
};

/// RX_DATA.indication (Table 3-61).
struct FapiRxDataIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::rx_data_indication;
  std::uint16_t sfn = 0;
  std::uint16_t slot = 0;
  std::array<FapiRxData, fapi_max_pusch_pdus> pdus{};
  std::size_t num_pdus = 0;

  [[nodiscard]] std::span<const FapiRxData> entries() const { return {pdus.data(), num_pdus}; }
  /// Compares the entries in use.
  friend bool operator==(const FapiRxDataIndication& a, const FapiRxDataIndication& b) {
    return a.sfn == b.sfn && a.slot == b.slot && std::ranges::equal(a.entries(), b.entries());
  }
};

/// UCI.indication PDU of type 0: UCI on PUSCH (Table 3-64).
struct FapiUciPusch {
  std::uint32_t handle = 0;
  std::uint16_t rnti = 1;
  FapiUlMeasurement measurement;
  std::optional<FapiUciPart> harq;      ///< pduBitmap bit 1.
  std::optional<FapiUciPart> csi_part1; ///< pduBitmap bit 2.
  std::optional<FapiUciPart> csi_part2; ///< pduBitmap bit 3.
  friend bool operator==(const FapiUciPusch&, const FapiUciPusch&) = default;
};

/// UCI.indication (Table 3-63): PUSCH PDUs (PDUType 0), PUCCH format 0/1 PDUs (PDUType 1) and
/// PUCCH format 2/3/4 PDUs (PDUType 2), each type in its own array. NumUCIs on the wire counts
/// all three; the encoder writes the PUSCH PDUs, then the format 0/1 ones, then the format 2/3/4
/// ones, and the decoder puts each PDU in its type's array in the order received.
struct FapiUciIndication {
  static constexpr FapiMessageType message_type = FapiMessageType::uci_indication;
  static constexpr std::uint16_t pdu_type_pusch = 0;
  static constexpr std::uint16_t pdu_type_pucch_format01 = 1;
  static constexpr std::uint16_t pdu_type_pucch_format234 = 2;
  std::uint16_t sfn = 0;
  std::uint16_t slot = 0;
  std::array<FapiUciPusch, fapi_max_pusch_pdus> pdus{}; ///< PDUType 0.
  std::size_t num_pdus = 0;
  std::array<FapiUciPucchFormat01, fapi_max_pucch_pdus> pucch_f01{}; ///< PDUType 1.
  std::size_t num_pucch_f01 = 0;
  std::array<FapiUciPucchFormat234, fapi_max_pucch_pdus> pucch_f234{}; ///< PDUType 2.
  std::size_t num_pucch_f234 = 0;

  /// The PUSCH PDUs present.
  [[nodiscard]] std::span<const FapiUciPusch> entries() const { return {pdus.data(), num_pdus}; }
  /// The PUCCH format 0/1 PDUs present.
  [[nodiscard]] std::span<const FapiUciPucchFormat01> pucch_f01_entries() const {
    return {pucch_f01.data(), num_pucch_f01};
  }
  /// The PUCCH format 2/3/4 PDUs present.
  [[nodiscard]] std::span<const FapiUciPucchFormat234> pucch_f234_entries() const {
    return {pucch_f234.data(), num_pucch_f234};
  }
  /// NumUCIs: the PDUs of all three types.
  [[nodiscard]] std::size_t num_ucis() const { return num_pdus + num_pucch_f01 + num_pucch_f234; }
  /// Compares the entries in use.
  friend bool operator==(const FapiUciIndication& a, const FapiUciIndication& b) {
    return a.sfn == b.sfn && a.slot == b.slot && std::ranges::equal(a.entries(), b.entries()) &&
           std::ranges::equal(a.pucch_f01_entries(), b.pucch_f01_entries()) &&
           std::ranges::equal(a.pucch_f234_entries(), b.pucch_f234_entries());
  }
};

} // namespace airan::io
