// libFuzzer target for the SCF 222.10.02 FAPI codec: any byte string is walked as a PHY API
// buffer and each message decoded; a message that decodes is re-encoded and must decode to the
// same structure, and its re-encoding must be byte-identical to the first one. Only two things
// may legitimately differ: PDUs the decoder skips (none since every UL_TTI.request PDU type is
// decoded; num_skipped() stays 0) are not re-encoded, nor are the bytes a FAPIv3/v4 MAC appends
// to PUCCH and SRS PDUs inside pduSize (the re-encoding then only lacks them), and TLVs too long
// or too many for a FapiTlvList cannot be. PRACH and SRS PDUs, RACH.indication, SRS.indication,
// the PRACH CONFIG TLVs, the UCI configuration TLV and the PUSCH PDU's part 1 to part 2
// correspondence are decoded and must round-trip like the rest.
//
// A decoded UL_TTI.request also goes through the L1's conversions (to_slot_request,
// add_prach_pdus, to_pucch_config, to_srs_config): every PUSCH and PRACH PDU must come out
// accepted or rejected, and an accepted one must be a PUSCH that validate() passes on the cell
// (CP-OFDM or DFT-s-OFDM) or PRACH occasions that validate_prach_config() passes; an accepted
// PUCCH or SRS PDU must be a PucchConfig / SrsConfig that validate() passes.
//
// Seeds: with AIRAN_FUZZ_WRITE_SEEDS=DIR the binary writes one valid buffer per message type (and
// a few multi-message / PRACH / SRS / appended-bytes buffers) to DIR and exits
// (tests/fuzz/seeds/fapi_message).
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_prach_conversion.h"
#include "airan/io/fapi_pucch_conversion.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_srs_conversion.h"

#include "fapi_message_fuzzer_seeds.h"
#include "fuzz_seeds.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace airan::io;

/// Output buffer for re-encoding: every decodable message fits (a message body is at most the
/// fuzzer's input, and re-encoding never grows a message by more than its padding).
std::vector<std::uint8_t>& encode_buffer(std::size_t index) {
  static std::vector<std::uint8_t> buffers[2] = {std::vector<std::uint8_t>(1 << 20),
                                                 std::vector<std::uint8_t>(1 << 20)};
  return buffers[index];
}

bool tlv_lists_whole(const FapiTlvList& list) {
  if (list.num_dropped != 0) {
    return false;
  }
  for (std::size_t i = 0; i < list.count; ++i) {
    if (!list.entries[i].complete()) {
      return false;
    }
  }
  return true;
}

/// False when re-encoding may legitimately lose something of \p message.
bool re_encodes_whole(const FapiMessage& message) {
  switch (message.type) {
  case FapiMessageType::ul_tti_request:
    return message.ul_tti_request.num_skipped() == 0;
  case FapiMessageType::param_response:
    return tlv_lists_whole(message.param_response.unrecognised);
  case FapiMessageType::config_request:
    return tlv_lists_whole(message.config_request.unrecognised);
  case FapiMessageType::config_response:
    return tlv_lists_whole(message.config_response.invalid_or_unsupported) &&
           tlv_lists_whole(message.config_response.idle_only) &&
           tlv_lists_whole(message.config_response.running_only) &&
           tlv_lists_whole(message.config_response.missing);
  default:
    return true;
  }
}

bool same_message(const FapiMessage& a, const FapiMessage& b) {
  if (a.type != b.type) {
    return false;
  }
  switch (a.type) {
  case FapiMessageType::param_request:
    return a.param_request == b.param_request;
  case FapiMessageType::param_response:
    return a.param_response == b.param_response;
  case FapiMessageType::config_request:
    return a.config_request == b.config_request;
  case FapiMessageType::config_response:
    return a.config_response == b.config_response;
  case FapiMessageType::start_request:
    return a.start_request == b.start_request;
  case FapiMessageType::stop_request:
    return a.stop_request == b.stop_request;
  case FapiMessageType::stop_indication:
    return a.stop_indication == b.stop_indication;
  case FapiMessageType::error_indication:
    return a.error_indication == b.error_indication;
  case FapiMessageType::slot_indication:
    return a.slot_indication == b.slot_indication;
  case FapiMessageType::ul_tti_request:
    return a.ul_tti_request == b.ul_tti_request;
  case FapiMessageType::crc_indication:
    return a.crc_indication == b.crc_indication;
  case FapiMessageType::rx_data_indication:
    return a.rx_data_indication == b.rx_data_indication;
  case FapiMessageType::uci_indication:
    return a.uci_indication == b.uci_indication;
  case FapiMessageType::rach_indication:
    return a.rach_indication == b.rach_indication;
  case FapiMessageType::srs_indication:
    return a.srs_indication == b.srs_indication;
  default:
    return false;
  }
}

/// Encodes \p message alone into encode_buffer(\p index); the bytes, or empty on an error.
std::span<const std::uint8_t> re_encode(const FapiMessage& message, std::size_t index,
                                        FapiError& error) {
  FapiMessageWriter writer(encode_buffer(index));
  error = writer.add(message);
  return error.ok() ? writer.bytes() : std::span<const std::uint8_t>();
}

void check_round_trip(const FapiMessage& first) {
  static const auto second = std::make_unique<FapiMessage>();
  static const auto third = std::make_unique<FapiMessage>();
  FapiError error;
  const std::span<const std::uint8_t> bytes = re_encode(first, 0, error);
  const bool whole = re_encodes_whole(first);
  if (!error.ok()) {
    // Only a TLV list that was not held whole may refuse to encode, or a UL_TTI.request whose
    // groups name a skipped PDU.
    const bool group_of_skipped =
        first.type == FapiMessageType::ul_tti_request && error.status == FapiStatus::out_of_range;
    if (whole || (error.status != FapiStatus::capacity_exceeded && !group_of_skipped)) {
      __builtin_trap();
    }
    return;
  }
  const FapiError decoded = decode_single_message(bytes, *second);
  if (!whole) {
    return; // re-encoded without the skipped parts: it only has to decode or fail cleanly
  }
  if (!decoded.ok() || !same_message(first, *second)) {
    __builtin_trap();
  }
  const std::span<const std::uint8_t> again = re_encode(*second, 1, error);
  if (!error.ok() || !std::ranges::equal(bytes, again) ||
      !decode_single_message(again, *third).ok() || !same_message(first, *third)) {
    __builtin_trap();
  }
}

void check_conversion(const FapiUlTtiRequest& request) {
  static const airan::phy::CellConfig cell = [] {
    airan::phy::CellConfig c;
    c.num_prbs = 273;
    c.numerology = 1;
    c.n_cell_id = 7;
    return c;
  }();
  static const auto slot = std::make_unique<FapiSlotRequest>();
  to_slot_request(request, cell, *slot);
  if (slot->num_pusch + slot->num_rejected != request.num_pusch) {
    __builtin_trap();
  }
  for (const airan::phy::PuschConfig& pusch : slot->pdus()) {
    airan::phy::CellConfig ue_cell = cell; // non-codebook: as many UE ports as layers
    ue_cell.num_antenna_ports = pusch.num_layers;
    if (!pusch.validate(ue_cell).empty()) {
      __builtin_trap();
    }
  }
  // PRACH PDUs (whose ranges only the conversion checks): each refused or received as occasions
  // that validate on the cell, with two FD occasions configured (numRa 0 and 1).
  static const FapiPrachConfig prach_config = [] {
    FapiPrachConfig c;
    c.num_prach_fd_occasions = 2;
    for (std::size_t f = 0; f < 2; ++f) {
      c.fd_occasions[f].prach_root_sequence_index = static_cast<std::uint16_t>(1 + f);
      c.fd_occasions[f].k1 = static_cast<std::uint16_t>(12 * f);
    }
    c.num_fd_occasions = 2;
    return c;
  }();
  add_prach_pdus(request, prach_config, cell, *slot);
  for (std::size_t i = 0; i < request.num_prach; ++i) {
    const bool refused = std::ranges::any_of(slot->rejected_prach_pdus(),
                                             [&](const auto& r) { return r.prach_index == i; });
    const bool received = std::ranges::any_of(slot->prach_occasions(),
                                              [&](const auto& o) { return o.prach_index == i; });
    if (refused == received) {
      __builtin_trap();
    }
  }
  for (const FapiPrachOccasion& occasion : slot->prach_occasions()) {
    if (!airan::phy::validate_prach_config(occasion.config, airan::phy::carrier_numerology(cell),
                                           cell.num_prbs)
             .empty()) {
      __builtin_trap();
    }
  }
  for (const FapiPucchPdu& pdu : request.pucch_pdus()) {
    airan::phy::PucchConfig pucch;
    if (to_pucch_config(pdu, cell, pucch).ok() && !pucch.validate(cell).empty()) {
      __builtin_trap();
    }
  }
  for (const FapiSrsPdu& pdu : request.srs_pdus()) {
    airan::phy::SrsConfig srs;
    if (to_srs_config(pdu, cell, srs).ok() && !srs.validate(cell).empty()) {
      __builtin_trap();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  airan::fuzz::write_seeds_when_asked(airan::fuzz::write_fapi_message_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto message = std::make_unique<FapiMessage>();
  FapiMessageReader reader(std::span(data, size));
  FapiMessageView view;
  while (reader.next(view)) {
    if (view.body.data() < data || view.body.data() + view.body.size() > data + size) {
      __builtin_trap();
    }
    if (decode_message(view, *message).ok()) {
      check_round_trip(*message);
      if (message->type == FapiMessageType::ul_tti_request) {
        check_conversion(message->ul_tti_request);
      }
    }
  }
  return 0;
}
