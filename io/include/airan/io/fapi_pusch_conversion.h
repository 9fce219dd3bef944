/// \file
/// \brief Between the FAPI UL_TTI.request PUSCH PDU and phy::PuschConfig, and FapiSlotRequest:
/// the PUSCH work of one slot as the receiver takes it.
///
/// to_pusch_config() checks every field against its 222.10.02 range (the codec checks only what
/// answering the PDU needs: RNTI, harqProcessID, the parts' shapes; so a field out of range
/// refuses its PDU alone, in to_slot_request()), maps what 222.10.02 carries onto PuschConfig and
/// rejects, with MSG_SLOT_ERR and a reason, what the CPU receiver does not do: two PT-RS ports,
/// PT-RS with transform precoding, resource allocation type 0, interleaved VRB-to-PRB mapping,
/// frequency hopping without the FAPIv3 maintenance part (which holds puschSecondHopPRB), the 7.5
/// kHz shift, CBG retransmissions, and a BWP numerology or cyclic prefix that is not the cell's;
/// with transform precoding (DFT-s-OFDM, TransformPrecoding = 0) also, unless
/// groupOrSequenceHopping is set, a dftsOfdm low-PAPR group or sequence other than the unhopped u =
/// puschIdentity mod 30, v = 0, and without it mcsTable 3 or 4. The PUSCH maintenance FAPIv3 part,
/// when the PDU has one, gives intra-slot frequency hopping (frequencyHopping 1: second hop at
/// puschSecondHopPRB), the low-PAPR DMRS hopping (groupOrSequenceHopping, with transform
/// precoding only) and TBS_LBRM (tbSizeLbrmBytes, 0: none); new data's ldpcBaseGraph must be the
/// base graph of TS 38.212 7.2.2 for the TBS and code rate, a retransmission's becomes
/// PuschConfig::ldpc_base_graph (the TB's first transmission's, which also sizes its UCI);
/// puschTransType and the initial-BWP fields are not read. With transform precoding mcsTable 0 and
/// 3 are TS 38.214 Table 6.1.4.1-1, 2 and 4 Table 6.1.4.1-2, 1 Table 5.1.3.1-2. Then
/// PuschConfig::validate() runs (for non-codebook PUSCH, with the UE's antenna ports = layers).
/// What FAPI leaves implicit is derived: the mapping type from the first DMRS symbol, single or
/// double-symbol DMRS from ulDmrsSymbPos, the TBS in bits from TBSize in bytes, tp-pi2BPSK from
/// qamModOrder 1 on Table 6.1.4.1-1 or -2. A puschUci part becomes PuschConfig::uci (validate()
/// refuses payloads over 1706 bits); a PDU with puschUci and no puschData is a PUSCH without UL-SCH
/// (PuschConfig::ulsch false: UCI only, which validate() requires to carry CSI part 1), one with
/// neither is refused. A CSIPart2BitLength of 0xFFFF (CSI part 2 sized from CSI part 1, FAPIv3)
/// with its part 1 to part 2 correspondence becomes PuschUciConfig::csi_part2_sizing with
/// csi_part2_bits 0: a rule per part 2 (fields = paramOffsets / paramSizes, map_index =
/// part2SizeMapIndex; part2SizeMapScope 0 and 1 both mean the cell's maps, CONFIG.request's UCI
/// configuration, the only ones there are; priority is not read); a field of 0 bits or outside
/// csiPart1BitLength, more than 12 field bits in a part 2, or a map index of 64 or more is
/// OUT_OF_RANGE (whether the map exists is checked by the L1 and the receiver, which know the
/// maps). A puschPtrs part with one port becomes PuschConfig::ptrs: L_PT-RS = 2^PTRSTimeDensity,
/// K_PT-RS = 2^(PTRSFreqDensity + 1), ptrs-Power = ulPTRSPower (2 and 3, reserved, are refused),
/// the DMRS port = PTRSDmrsPort (one of dmrsPorts), and resourceElementOffset the column of
/// TS 38.211 Table 6.4.1.2.2.1-1 where PTRSDmrsPort's row holds PTRSReOffset (FAPI's k_ref^RE; not
/// in the row: OUT_OF_RANGE). PTRSPortIndex is not read.
#pragma once

#include "airan/io/fapi_p7_messages.h"
#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_srs_messages.h"
#include "airan/io/fapi_types.h"
#include "airan/phy/pusch_config.h"
#include "airan/phy/srs_config.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace airan::io {

/// \p pdu as a PuschConfig for a cell \p cell; \p out is written only when the result is ok().
/// Allocates nothing for a PDU it accepts.
FapiError to_pusch_config(const FapiPuschPdu& pdu, const phy::CellConfig& cell,
                          phy::PuschConfig& out);

/// \p pusch (valid on \p cell, non-codebook) as a FAPI PUSCH PDU with the puschData
/// part (none when !pusch.ulsch) (and a puschUci part when pusch.uci has payload bits): explicit
/// ulDmrsSymbPos, target code rate, modulation order and TBSize (the TBS derived with TS 38.214
/// when pusch.tb_size_bits is 0). With transform precoding: TransformPrecoding 0, puschIdentity =
/// pusch_identity, mcsTable 3 (Table 6.1.4.1-1), 4 (Table 6.1.4.1-2) or 1 (Table 5.1.3.1-2) and a
/// dftsOfdm part with u = pusch_identity mod 30, v = 0. Intra-slot hopping, DMRS group or sequence
/// hopping and a TBS_LBRM (whole bytes) add the PUSCH maintenance FAPIv3 part, which is absent
/// otherwise (the PDU is then the 222.10.02 one). Without transform precoding puschIdentity is the
/// cell's N_ID^cell. With pusch.ptrs enabled: a puschPtrs part (pduBitmap bit 2) with one port,
/// PTRSReOffset = k_ref^RE of the DMRS port and resourceElementOffset, PTRSPortIndex the bit of the
/// antenna port of that DMRS port's layer. A non-empty pusch.uci.csi_part2_sizing gives
/// csiPart2BitLength 0xFFFF, the maintenance part and the part 1 to part 2 correspondence (a part
/// 2 per rule: priority = its index, part2SizeMapScope 1); pusch.uci.csi_part2_bits (the size the
/// UE sends) is then not carried.
FapiError to_fapi_pusch_pdu(const phy::PuschConfig& pusch, const phy::CellConfig& cell,
                            FapiPuschPdu& out);

/// A PUSCH PDU of UL_TTI.request that to_pusch_config() refused.
struct FapiRejectedPdu {
  std::size_t pusch_index = 0; ///< Index in FapiUlTtiRequest::pusch.
  std::uint32_t handle = 0;
  std::uint16_t rnti = 0;
  std::uint8_t harq_process_id = 0;
  /// The PDU had puschData: a transport block, which CRC.indication reports as failed. A
  /// UCI-only PDU has none (no CRC or RX_DATA entry; its ERROR.indication says why).
  bool carries_tb = true;
  /// puschData's newDataIndicator (false without puschData): the process's previous TB is over
  /// even though this PDU is not decoded.
  bool new_data = false;
  /// The PDU's puschUci part, when it had one: UCI.indication reports its parts failed.
  std::optional<FapiPuschUci> uci;
  FapiError error;
};

/// An SRS PDU that to_srs_config() refused: what its SRS.indication PDU needs.
struct FapiRejectedSrs {
  std::size_t srs_index = 0; ///< Its index in FapiUlTtiRequest::srs.
  std::uint32_t handle = 0;
  std::uint16_t rnti = 0;
  std::uint8_t num_symbols = 1; ///< N_symb^SRS (1, 2 or 4).
  FapiError error;
};

/// The PUSCH, PUCCH, PRACH and SRS work of one slot: what the receivers' process_slot() take,
/// plus the PDUs refused. Preallocated (about 80 kB); to_slot_request() refills it each slot.

struct FapiSlotRequest {
  std::uint16_t sfn = 0;
  std::uint16_t slot = 0;
  std::array<phy::PuschConfig, fapi_max_pusch_pdus> pusch{};
  /// pusch[i] came from FapiUlTtiRequest::pusch[source_index[i]].
  std::array<std::size_t, fapi_max_pusch_pdus> source_index{};
  std::size_t num_pusch = 0;
  std::array<FapiRejectedPdu, fapi_max_pusch_pdus> rejected{};
  std::size_t num_rejected = 0;
  /// The accepted PUCCH PDUs (add_pucch_pdus()), in UL_TTI.request order.
  std::array<phy::PucchConfig, fapi_max_pucch_pdus> pucch{};
  std::size_t num_pucch = 0;
  std::array<FapiRejectedPucch, fapi_max_pucch_pdus> rejected_pucch{};
  std::size_t num_rejected_pucch = 0;
  /// The PRACH occasions of the accepted PRACH PDUs (add_prach_pdus()), in request order.
  std::array<FapiPrachOccasion, fapi_max_prach_occasions> prach{};
  std::size_t num_prach = 0;
  std::array<FapiRejectedPrach, fapi_max_prach_pdus> rejected_prach{};
  std::size_t num_rejected_prach = 0;
  /// The accepted SRS PDUs (add_srs_pdus()), in UL_TTI.request order.
  std::array<phy::SrsConfig, fapi_max_srs_pdus> srs{};
  std::size_t num_srs = 0;
  std::array<FapiRejectedSrs, fapi_max_srs_pdus> rejected_srs{};
  std::size_t num_rejected_srs = 0;

  /// The accepted PDUs, in UL_TTI.request order.
  [[nodiscard]] std::span<const phy::PuschConfig> pdus() const { return {pusch.data(), num_pusch}; }
  [[nodiscard]] std::span<const FapiRejectedPdu> rejected_pdus() const {
    return {rejected.data(), num_rejected};
  }
  [[nodiscard]] std::span<const phy::PucchConfig> pucch_pdus() const {
    return {pucch.data(), num_pucch};
  }
  [[nodiscard]] std::span<const FapiRejectedPucch> rejected_pucch_pdus() const {
    return {rejected_pucch.data(), num_rejected_pucch};
  }
  [[nodiscard]] std::span<const FapiPrachOccasion> prach_occasions() const {
    return {prach.data(), num_prach};
  }
  [[nodiscard]] std::span<const FapiRejectedPrach> rejected_prach_pdus() const {
    return {rejected_prach.data(), num_rejected_prach};
  }
  [[nodiscard]] std::span<const phy::SrsConfig> srs_pdus() const { return {srs.data(), num_srs}; }
  [[nodiscard]] std::span<const FapiRejectedSrs> rejected_srs_pdus() const {
    return {rejected_srs.data(), num_rejected_srs};
  }
};

/// Converts every PUSCH and PUCCH PDU of \p request for \p cell into \p out (accepted or
/// rejected). Allocates nothing when every PDU is accepted.
void to_slot_request(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                     FapiSlotRequest& out);

/// Converts the SRS PDUs of \p request (after to_slot_request(), which empties the SRS lists)
/// into out.srs or out.rejected_srs (to_srs_config(), fapi_srs_conversion.h).
void add_srs_pdus(const FapiUlTtiRequest& request, const phy::CellConfig& cell,
                  FapiSlotRequest& out);

/// Appends an SRS.indication PDU for each rejected SRS PDU of \p request to \p srs: Handle,
/// RNTI and NumSymbols the PDU's, TimingAdvance 0xFFFF, WideBandSNR 0xFF, each symbol reported
/// with NumRBs 0 (as many PDUs as fit).
void append_rejected_srs(const FapiSlotRequest& request, FapiSrsIndication& srs);

/// Converts the PRACH PDUs of \p request (after to_slot_request(), which empties the PRACH
/// lists) into out.prach occasions or out.rejected_prach, under CONFIG.request's PRACH TLVs
/// \p config (fapi_prach_conversion.h).
void add_prach_pdus(const FapiUlTtiRequest& request, const FapiPrachConfig& config,
                    const phy::CellConfig& cell, FapiSlotRequest& out);

} // namespace airan::io
