/// \file
/// \brief Private to the test MAC (test_mac.cpp, test_mac_scheduling.cpp,
/// test_mac_indication_checks.cpp, test_mac_pucch_checks.cpp, test_mac_prach.cpp,
/// test_mac_srs.cpp): the TestMacRun
/// class that plays the L2 side of one FAPI
/// session, and the per-UE HARQ and per-slot bookkeeping it checks the L1's indications against.
#pragma once

#include "airan/l1/test_mac.h"

#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/l1/uplink_signal.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace airan::l1::test_mac_detail {

using Clock = SteadyClock;

/// One HARQ process of a UE: the TB it carries and where that TB's transmissions stand.
struct HarqProcess {
  enum class State : std::uint8_t { idle, awaiting_crc, needs_retransmission };
  State state = State::idle;
  std::uint64_t tb_seed = 0;
  unsigned transmissions = 0; ///< Of the current TB.
  bool first_failed = false;
  std::uint32_t handle = 0;           ///< Of the transmission awaiting its CRC.
  std::vector<std::uint8_t> expected; ///< The TB's bytes.
  std::vector<std::uint8_t> received; ///< RX_DATA payload of the pending transmission.
  bool rx_data_seen = false;
};

/// A scheduled UE's HARQ processes and the count of TBs drawn for it so far.
struct UeState {
  std::vector<HarqProcess> processes;
  std::uint64_t tb_counter = 0;
};

/// What was sent in a slot and is still owed a CRC.
struct SlotRecord {
  Clock::time_point samples_pushed{};
  std::vector<std::uint32_t> outstanding; ///< Handles without a CRC yet.
  std::string line;                       ///< Per-slot summary being built.
};

/// Who a PUSCH PDU handle was sent for: UE, HARQ process, slot and redundancy version.
struct HandleOwner {
  std::size_t ue = 0;
  std::size_t process = 0;
  std::uint64_t slot = 0;
  unsigned rv = 0;
};

/// The UCI a PUSCH PDU carried, owed a UCI.indication PDU.
struct ExpectedUci {
  std::uint64_t slot = 0;
  std::uint16_t rnti = 0;
  apps::SimulatedUci bits;
  /// CSI part 2 sized from CSI part 1 (the L1 learns its size from the part 1 it decodes).
  bool csi_part2_sized = false;
};

/// A PUCCH sent, owed a UCI.indication PDU.
struct ExpectedPucch {
  std::uint64_t slot = 0;
  phy::PucchConfig config;
  SimulatedPucch bits;
};

/// An SRS sent, owed an SRS.indication PDU.
struct ExpectedSrs {
  std::uint64_t slot = 0;
  std::uint16_t sfn = 0;           ///< The L1's SFN of the slot (the hopping counter's).
  std::uint16_t slot_in_frame = 0; ///< The L1's slot number.
  phy::SrsConfig config;
};

/// A preamble a PRACH UE sent in an occasion.
struct SentPreamble {
  std::size_t ue = 0;
  unsigned preamble = 0;
  double delay_s = 0.0;
};

/// A PRACH occasion asked for, owed a RACH.indication PDU; keyed by (start slot, first symbol).
struct ExpectedRachOccasion {
  std::vector<SentPreamble> preambles;
};

/// One run of the test MAC against the L1: the FAPI session, the scheduling of each slot and the
/// checks of every indication that comes back.
class TestMacRun {
public:
  TestMacRun(const LaunchPattern& pattern, io::FapiTransport& transport, SlotSampleWriter& samples,
             const TestMacOptions& options)
      : pattern_(pattern), transport_(transport), samples_(samples), options_(options),
        message_(std::make_unique<io::FapiMessage>()), buffer_(transport.max_message_size()),
        ul_tti_(std::make_unique<io::FapiUlTtiRequest>()),
        generator_(pattern.cell, pattern.num_rx_antennas, pattern.channel, ue_layers(pattern),
                   pattern.snr_db, pattern.seed, prach_occasions(pattern)),
        ues_(pattern.ues.size()), slots_per_frame_(10U << pattern.cell.numerology) {
    for (auto& ue : ues_) {
      ue.processes.resize(pattern.harq.num_processes);
    }
    number_csi_part2_maps();
  }

  TestMacReport run();

private:
  static std::vector<unsigned> ue_layers(const LaunchPattern& pattern) {
    std::vector<unsigned> layers;
    for (const auto& ue : pattern.ues) {
      layers.push_back(ue.antenna_ports());
    }
    return layers;
  }
  static std::vector<phy::PrachConfig> prach_occasions(const LaunchPattern& pattern) {
    std::vector<phy::PrachConfig> occasions;
    for (unsigned i = 0; pattern.prach && i < pattern.prach->occasions_per_slot; ++i) {
      occasions.push_back(pattern.prach->occasion(i));
    }
    return occasions;
  }
  /// The cell's CSI part 2 size maps (csi_part2_maps_: every UE's, in UE order) and each UE's
  /// PUSCH with its rules' map_index counting in them (ue_pusch_).
  void number_csi_part2_maps();
  /// \p pdu's UE (from \p expected) with CSI part 2 sized from part 1 (\p part1_right: its part 1
  /// came back as sent): checks the part 2 report as check_uci_part() does; after a part 1 the L1
  /// decoded wrong or not at all, a part 2 of another size, or none, counts as not decoded.
  void check_sized_csi_part2(const io::FapiUciPusch& pdu, const ExpectedUci& expected,
                             bool part1_right, const std::string& who);
  /// Checks one UCI part of a UCI.indication PDU against the \p bits sent: present, of that
  /// length, its CRC as the size asks; counts it right, wrong or failed. True when right.
  bool check_uci_part(const std::optional<io::FapiUciPart>& part, const phy::BitVector& bits,
                      const char* name, const std::string& who);
  void mismatch(const std::string& text) {
    ++report_.mismatches;
    if (report_.mismatch_details.size() < 20) {
      report_.mismatch_details.push_back(text);
    }
    if (options_.log != nullptr) {
      *options_.log << "MISMATCH: " << text << '\n';
    }
  }
  template <typename Message> void send(const Message& message) {
    std::size_t size = 0;
    const io::FapiError error = io::encode_single_message(message, buffer_, size);
    if (!error.ok()) {
      throw std::runtime_error("test MAC: cannot encode " +
                               std::string(io::fapi_message_type_name(Message::message_type)) +
                               ": " + std::string(error.reason()));
    }
    for (int attempt = 0;
         transport_.send(std::span(buffer_).first(size)) != io::FapiTransportStatus::ok;
         ++attempt) {
      if (attempt > 1000) {
        throw std::runtime_error("test MAC: the transport refuses to send");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }
  /// Waits for the next message of type \p type, handling the others; false on silence.
  bool wait_for(io::FapiMessageType type);
  bool receive_and_handle(std::chrono::microseconds timeout);
  void handle(const io::FapiMessage& message);
  /// SLOT.indication of (\p sfn, \p slot): schedules slot_ahead slots after it.
  void on_slot_indication(std::uint16_t sfn, std::uint16_t slot);
  /// Schedules absolute slot \p absolute_slot (the L1's numbering), slot \p pattern_slot of the
  /// pattern.
  void on_slot(std::uint64_t absolute_slot, std::uint64_t pattern_slot);
  void on_rx_data(const io::FapiRxDataIndication& indication);
  void on_crc(const io::FapiCrcIndication& indication);
  void on_uci(const io::FapiUciIndication& indication);
  /// Mismatches for the UCIs of slots before \p slot that got no UCI.indication (every slot).
  void expire_ucis(std::uint64_t slot);
  /// Checks the PUCCH PDUs of a UCI.indication against what was sent.
  void on_uci_pucch(const io::FapiUciIndication& indication);
  void check_pucch_format01(const ExpectedPucch& expected, const io::FapiUciPucchFormat01& pdu);
  void check_pucch_format234(const ExpectedPucch& expected, const io::FapiUciPucchFormat234& pdu);
  /// Mismatches for the PUCCHs of slots before \p slot that got no UCI.indication.
  void expire_pucchs(std::uint64_t slot);
  /// Schedules PUCCH UE \p u in the slot being built.
  void schedule_pucch(std::size_t u);
  /// A PUSCH without UL-SCH for UE \p u: its UCI only, no HARQ process, no CRC owed.
  void schedule_uci_only(std::size_t u);
  /// In a PRACH slot (of the pattern's numbering, \p pattern_slot): the PRACH PDU of the slot
  /// being built (absolute slot \p absolute_slot) and its UEs' preambles (prach_tx_).
  void schedule_prach(std::uint64_t absolute_slot, std::uint64_t pattern_slot);
  /// Schedules SRS UE \p u in the slot being built (\p address, absolute slot \p absolute_slot).
  void schedule_srs(std::size_t u, FapiSlotAddress address, std::uint64_t absolute_slot);
  /// Checks an SRS.indication against the SRSs sent.
  void on_srs(const io::FapiSrsIndication& indication);
  /// Mismatches for the SRSs of slots before \p slot that got no SRS.indication PDU.
  void expire_srs(std::uint64_t slot);
  /// Checks a RACH.indication against the occasions asked for and the preambles sent.
  void on_rach(const io::FapiRachIndication& indication);
  /// Mismatches for the PRACH occasions of slots before \p slot without a RACH.indication PDU
  /// (their preambles missed).
  void expire_rach(std::uint64_t slot);
  bool all_idle() const {
    return std::ranges::all_of(ues_, [](const UeState& ue) {
      return std::ranges::all_of(
          ue.processes, [](const HarqProcess& p) { return p.state == HarqProcess::State::idle; });
    });
  }
  std::uint64_t absolute_of(std::uint16_t sfn, std::uint16_t slot) const {
    return nearest_absolute_slot(last_slot_, {sfn, slot}, slots_per_frame_);
  }

  const LaunchPattern& pattern_;
  io::FapiTransport& transport_;
  SlotSampleWriter& samples_;
  TestMacOptions options_;
  std::unique_ptr<io::FapiMessage> message_;
  std::vector<std::uint8_t> buffer_;
  std::unique_ptr<io::FapiUlTtiRequest> ul_tti_;
  UplinkSignalGenerator generator_;
  std::vector<UeState> ues_;
  unsigned slots_per_frame_;
  std::vector<phy::CsiPart2SizeMap> csi_part2_maps_; ///< CONFIG.request's, every UE's.
  std::vector<phy::PuschConfig> ue_pusch_; ///< Per UE: its PUSCH, map_index into csi_part2_maps_.
  std::map<std::uint64_t, SlotRecord> slots_;
  std::unordered_map<std::uint32_t, HandleOwner> handles_;
  std::unordered_map<std::uint32_t, ExpectedUci> ucis_;     ///< By handle.
  std::unordered_map<std::uint32_t, ExpectedPucch> pucchs_; ///< By handle.
  std::unordered_map<std::uint32_t, ExpectedSrs> srs_;      ///< By handle.
  std::vector<UeTransmission> transmissions_;
  std::vector<PrachTransmission> prach_tx_; ///< Preambles of occasions starting in this slot.
  std::map<std::pair<std::uint64_t, unsigned>, ExpectedRachOccasion> rach_occasions_;
  /// Slots before this one need time-domain IQ (a PRACH occasion covers them), even without
  /// other work.
  std::uint64_t prach_iq_end_ = 0;
  std::vector<double> mac_latencies_;
  std::uint32_t next_handle_ = 1;
  /// The last SLOT.indication's absolute slot: (SFN, slot) counted from SFN 0 of the L1's SFN
  /// cycle at the session's first, and on from there.
  std::uint64_t last_slot_ = 0;
  std::uint64_t first_slot_ = 0; ///< The first SLOT.indication's absolute slot.
  bool scheduling_done_ = false;
  bool stopped_ = false;
  bool stop_sent_ = false; ///< STOP.request sent: later SLOT.indications get no samples.
  io::FapiMessageType last_type_ = io::FapiMessageType::param_request;
  TestMacReport report_;
};

} // namespace airan::l1::test_mac_detail
