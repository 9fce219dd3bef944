/// \file
/// \brief Test harness for the FAPI L1: a FapiPhy on its own thread behind loopback UDP, a MAC
/// end that sends raw units and collects what comes back, and one UE's signal for a slot.
#pragma once

#include "airan/io/fapi_cell_conversion.h"
#include "airan/io/fapi_codec.h"
#include "airan/io/fapi_messages.h"
#include "airan/io/fapi_pusch_conversion.h"
#include "airan/io/fapi_udp_transport.h"
#include "airan/l1/fapi_phy.h"
#include "airan/l1/uplink_signal.h"
#include "airan/phy/pucch_receiver.h"
#include "airan/phy/pusch_detector.h"
#include "airan/phy/pusch_receiver.h"

#include "../support/iq_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace airan::l1::test {

/// What the MAC end got back (the parts the tests look at).
struct Received {
  io::FapiMessageType type{};
  io::FapiErrorIndication error;
  io::FapiErrorCode response_code = io::FapiErrorCode::msg_ok;
  /// CONFIG.response's invalid or unsupported TLVs: their tags.
  std::vector<std::uint16_t> invalid_config_tags;
  io::FapiSlotIndication slot;
  std::optional<std::uint16_t> phy_state;
  std::optional<std::uint8_t> dfts_ofdm_support; ///< PARAM.response dftsOfdmSupport.
  std::optional<std::uint8_t> max_ptrs_ports;    ///< PARAM.response puschMaxPtrsPorts.
  std::optional<std::uint8_t> frequency_hopping; ///< PARAM.response puschFrequencyHopping.
  io::FapiPhyCapabilities capabilities;          ///< PARAM.response's, all of them.
  std::vector<io::FapiCrc> crcs;
  std::uint16_t sfn = 0;
  std::uint16_t slot_number = 0;
  std::vector<std::vector<std::uint8_t>> payloads;
  std::vector<std::uint16_t> rx_data_rssi;           ///< Per RX_DATA PDU.
  std::vector<io::FapiUciPusch> uci_pusch;           ///< UCI.indication PUSCH PDUs.
  std::vector<io::FapiUciPucchFormat01> pucch_f01;   ///< UCI.indication format 0/1 PDUs.
  std::vector<io::FapiUciPucchFormat234> pucch_f234; ///< UCI.indication format 2/3/4 PDUs.
  std::vector<io::FapiRachPdu> rach;                 ///< RACH.indication PDUs.
  std::vector<io::FapiSrsIndicationPdu> srs;         ///< SRS.indication PDUs.
};

inline phy::CellConfig harness_cell() {
  phy::CellConfig cell;
  cell.num_prbs = 24;
  cell.numerology = 1;
  cell.n_cell_id = 3;
  return cell;
}

inline phy::PuschConfig harness_pusch(std::uint32_t handle, unsigned harq) {
  phy::PuschConfig pusch;
  pusch.rnti = 0x4601;
  pusch.handle = handle;
  pusch.bwp_size = 24;
  pusch.prb_start = 0;
  pusch.prb_size = 12;
  pusch.mcs_table = phy::McsTable::qam64;
  pusch.mcs_index = 9;
  pusch.harq_process_id = harq;
  pusch.dmrs_scrambling_id = 3;
  pusch.data_scrambling_id = 3;
  return pusch;
}

/// The harness PHY's options: stepped clock, receivers for 1 layer.
inline FapiPhyConfig harness_phy_config() {
  FapiPhyConfig config;
  config.receiver.max_layers = 1;
  return config;
}

/// A running PHY (by default stepped clock, 1 layer; 2 rx) and its MAC end.
class PhyHarness {
public:
  static constexpr unsigned rx = 2;

  /// \p max_iq_samples: room for time-domain IQ per slot (0: grids only).
  explicit PhyHarness(const FapiPhyConfig& config = harness_phy_config(),
                      std::size_t max_iq_samples = 0)
      : cell_(harness_cell()),
        samples_(InMemoryIqSourceConfig{4, rx, 14, 12 * cell_.num_prbs, max_iq_samples}),
        message_(std::make_unique<io::FapiMessage>()), buffer_(1 << 20), out_(1 << 20) {
    mac_.set_remote("127.0.0.1", phy_transport_.local_port());
    phy_transport_.set_remote("127.0.0.1", mac_.local_port());
    phy_ = std::make_unique<FapiPhy>(refusing_, samples_, config);
    thread_ = std::thread([this] { phy_->run(); });
    const unsigned layers[] = {1};
    signal_ =
        std::make_unique<UplinkSignalGenerator>(cell_, rx, apps::ChannelSpec{}, layers, 30.0, 11);
  }
  ~PhyHarness() {
    phy_->request_stop();
    thread_.join();
  }

  FapiPhy& phy() { return *phy_; }
  /// From now on the PHY's sends of units whose first message is \p type fail (a transport that
  /// refuses them, e.g. too large for it).
  void refuse_sends_of(io::FapiMessageType type) { refusing_.refused = static_cast<int>(type); }
  InMemoryIqSource& samples() { return samples_; }
  const phy::CellConfig& cell() const { return cell_; }

  void send_raw(std::span<const std::uint8_t> unit) {
    ASSERT_EQ(mac_.send(unit), io::FapiTransportStatus::ok);
  }
  template <typename Message> void send(const Message& message) {
    std::size_t size = 0;
    ASSERT_TRUE(io::encode_single_message(message, out_, size).ok());
    send_raw(std::span(out_).first(size));
  }
  /// As send(), then waits (up to 5 s) until the PHY has dispatched the message: a UDP datagram
  /// on loopback can reach the PHY's socket after in-memory samples pushed next (softirq
  /// processing deferred on a loaded machine), which would make a UL_TTI.request late.
  template <typename Message> void send_received(const Message& message) {
    const std::uint64_t before = phy_->counters().messages_received;
    send(message);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (phy_->counters().messages_received == before && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ASSERT_GT(phy_->counters().messages_received, before) << "the PHY did not take the message";
  }
  /// Encoded bytes of \p message.
  template <typename Message> std::vector<std::uint8_t> encode(const Message& message) {
    std::size_t size = 0;
    EXPECT_TRUE(io::encode_single_message(message, out_, size).ok());
    return {out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(size)};
  }

  /// Collects messages until one of \p type arrives (returned) or \p timeout passes.
  std::optional<Received> wait_for(io::FapiMessageType type,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      const auto result = mac_.receive(buffer_, std::chrono::milliseconds(5));
      if (result.status != io::FapiTransportStatus::ok) {
        continue;
      }
      io::FapiMessageReader reader(std::span<const std::uint8_t>(buffer_.data(), result.size));
      io::FapiMessageView view;
      std::optional<Received> match;
      while (reader.next(view)) {
        EXPECT_TRUE(io::decode_message(view, *message_).ok());
        Received got = convert(*message_);
        log_.push_back(got);
        if (got.type == type && !match) {
          match = got;
        }
      }
      if (match) {
        return match;
      }
    }
    return std::nullopt;
  }
  /// Every message received so far.
  const std::vector<Received>& log() const { return log_; }

  /// CONFIG (2 rx, the harness cell; RSSIMeasurement \p rssi_measurement when given, else
  /// dBFS) and START; returns after SLOT.indication (0, 0).
  void configure_and_start(std::optional<std::uint8_t> rssi_measurement = std::nullopt) {
    io::FapiConfigRequest config = io::to_fapi_config_request(cell_, rx);
    if (rssi_measurement) {
      config.rssi_measurement = rssi_measurement;
    }
    configure_and_start(config);
  }

  /// CONFIG with \p config and START; returns after SLOT.indication (0, 0).
  void configure_and_start(const io::FapiConfigRequest& config) {
    send(config);
    const auto response = wait_for(io::FapiMessageType::config_response);
    ASSERT_TRUE(response);
    ASSERT_EQ(response->response_code, io::FapiErrorCode::msg_ok);
    send(io::FapiStartRequest{});
    const auto slot = wait_for(io::FapiMessageType::slot_indication);
    ASSERT_TRUE(slot);
    EXPECT_EQ(slot->slot.sfn, 0);
    EXPECT_EQ(slot->slot.slot, 0);
  }

  /// A UL_TTI.request for (sfn, slot) with \p pdus (as FAPI PDUs of the harness cell).
  io::FapiUlTtiRequest ul_tti(std::uint16_t sfn, std::uint16_t slot,
                              std::span<const phy::PuschConfig> pdus) {
    io::FapiUlTtiRequest request;
    request.sfn = sfn;
    request.slot = slot;
    for (const auto& pusch : pdus) {
      EXPECT_TRUE(io::to_fapi_pusch_pdu(pusch, cell_, request.pusch[request.num_pusch]).ok());
      request.pusch_pdu_index[request.num_pusch] = static_cast<std::uint8_t>(request.num_pusch);
      ++request.num_pusch;
    }
    return request;
  }

  /// Transmits \p pusch (TB from \p tb_seed) in (sfn, slot) into the PHY's source; returns the
  /// TB bytes.
  std::vector<std::uint8_t> push_signal(std::uint16_t sfn, std::uint16_t slot,
                                        const phy::PuschConfig& pusch, std::uint64_t tb_seed) {
    UeTransmission tx;
    tx.pusch = pusch;
    tx.tb_seed = tb_seed;
    signal_->generate(std::span(&tx, 1), std::uint64_t{sfn} * 20 + slot);
    EXPECT_TRUE(samples_.push_grid(sfn, slot, signal_->grid(), std::chrono::seconds(5)));
    std::vector<std::uint8_t> bytes;
    phy::pack_bits_msb_first(signal_->tb_bits(0), bytes);
    return bytes;
  }

  /// Writes \p pucch (carrying \p bits[i]) into a grid of the harness cell, the same on every
  /// receive antenna without noise, and hands it to the PHY's source for (sfn, slot). The PUCCHs
  /// add up: UEs multiplexed on one resource may share REs.
  void push_pucch(std::uint16_t sfn, std::uint16_t slot, std::span<const phy::PucchConfig> pucch,
                  std::span<const phy::PucchUciBits> bits) {
    phy::ResourceGrid grid(rx, 14, 12 * cell_.num_prbs);
    phy::ResourceGrid one(1, 14, 12 * cell_.num_prbs);
    for (std::size_t i = 0; i < pucch.size(); ++i) {
      one.fill_zero();
      phy::write_pucch(cell_, slot, pucch[i], bits[i], one, 0);
      std::transform(one.port(0).begin(), one.port(0).end(), grid.port(0).begin(),
                     grid.port(0).begin(), [](phy::cf32 a, phy::cf32 b) { return a + b; });
    }
    for (unsigned r = 1; r < rx; ++r) {
      std::copy(grid.port(0).begin(), grid.port(0).end(), grid.port(r).begin());
    }
    EXPECT_TRUE(samples_.push_grid(sfn, slot, grid, std::chrono::seconds(5)));
  }

private:
  static Received convert(const io::FapiMessage& m) {
    Received r;
    r.type = m.type;
    switch (m.type) {
    case io::FapiMessageType::error_indication:
      r.error = m.error_indication;
      break;
    case io::FapiMessageType::config_response:
      r.response_code = m.config_response.error_code;
      for (std::size_t i = 0; i < m.config_response.invalid_or_unsupported.count; ++i) {
        r.invalid_config_tags.push_back(m.config_response.invalid_or_unsupported.entries[i].tag);
      }
      break;
    case io::FapiMessageType::param_response:
      r.response_code = m.param_response.error_code;
      r.phy_state = m.param_response.capabilities.phy_state;
      r.dfts_ofdm_support = m.param_response.capabilities.dfts_ofdm_support;
      r.max_ptrs_ports = m.param_response.capabilities.pusch_max_ptrs_ports;
      r.frequency_hopping = m.param_response.capabilities.pusch_frequency_hopping;
      r.capabilities = m.param_response.capabilities;
      break;
    case io::FapiMessageType::slot_indication:
      r.slot = m.slot_indication;
      break;
    case io::FapiMessageType::crc_indication:
      r.crcs.assign(m.crc_indication.entries().begin(), m.crc_indication.entries().end());
      r.sfn = m.crc_indication.sfn;
      r.slot_number = m.crc_indication.slot;
      break;
    case io::FapiMessageType::rx_data_indication:
      for (const auto& pdu : m.rx_data_indication.entries()) {
        r.payloads.emplace_back(pdu.payload.begin(), pdu.payload.end());
        r.rx_data_rssi.push_back(pdu.measurement.rssi);
      }
      break;
    case io::FapiMessageType::uci_indication:
      r.uci_pusch.assign(m.uci_indication.entries().begin(), m.uci_indication.entries().end());
      r.pucch_f01.assign(m.uci_indication.pucch_f01_entries().begin(),
                         m.uci_indication.pucch_f01_entries().end());
      r.pucch_f234.assign(m.uci_indication.pucch_f234_entries().begin(),
                          m.uci_indication.pucch_f234_entries().end());
      r.sfn = m.uci_indication.sfn;
      r.slot_number = m.uci_indication.slot;
      break;
    case io::FapiMessageType::rach_indication:
      r.rach.assign(m.rach_indication.entries().begin(), m.rach_indication.entries().end());
      r.sfn = m.rach_indication.sfn;
      r.slot_number = m.rach_indication.slot;
      break;
    case io::FapiMessageType::srs_indication:
      r.srs.assign(m.srs_indication.entries().begin(), m.srs_indication.entries().end());
      r.sfn = m.srs_indication.sfn;
      r.slot_number = m.srs_indication.slot;
      break;
    default:
      break;
    }
    return r;
  }

  phy::CellConfig cell_;
  /// The PHY's transport: UDP, refusing the units of one message type when asked.
  struct RefusingTransport final : io::FapiTransport {
    explicit RefusingTransport(io::FapiTransport& inner) : inner(inner) {}
    io::FapiTransportStatus send(std::span<const std::uint8_t> unit) override {
      io::FapiMessageReader reader(unit);
      io::FapiMessageView view;
      const int type = refused.load();
      if (type >= 0 && reader.next(view) && static_cast<int>(view.type) == type) {
        return io::FapiTransportStatus::too_large;
      }
      return inner.send(unit);
    }
    io::FapiReceiveResult receive(std::span<std::uint8_t> buffer,
                                  std::chrono::microseconds timeout) override {
      return inner.receive(buffer, timeout);
    }
    [[nodiscard]] std::size_t max_message_size() const override { return inner.max_message_size(); }
    [[nodiscard]] io::FapiTransportCounters counters() const override { return inner.counters(); }
    io::FapiTransport& inner;
    std::atomic<int> refused{-1}; ///< The refused FapiMessageType, or -1 (a lock-free atomic).
  };

  io::FapiUdpTransport phy_transport_;
  RefusingTransport refusing_{phy_transport_};
  io::FapiUdpTransport mac_;
  InMemoryIqSource samples_;
  std::unique_ptr<FapiPhy> phy_;
  std::thread thread_;
  std::unique_ptr<UplinkSignalGenerator> signal_;
  std::unique_ptr<io::FapiMessage> message_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> out_;
  std::vector<Received> log_;
};

/// Sends UL_TTI + signal for slot (sfn, slot) and checks the TB comes back with its bytes.
/// Sends \p pusch (RNTI 0x4601, HARQ process 2) in an UL_TTI.request for (sfn, slot), pushes
/// its signal, and expects its TB back with a good CRC.
inline void expect_pdu_decodes(PhyHarness& h, std::uint16_t sfn, std::uint16_t slot,
                               const phy::PuschConfig& pusch) {
  const std::uint32_t handle = pusch.handle;
  h.send(h.ul_tti(sfn, slot, std::span(&pusch, 1)));
  const auto tb = h.push_signal(sfn, slot, pusch, handle);
  const auto rx_data = h.wait_for(io::FapiMessageType::rx_data_indication);
  const auto crc = h.wait_for(io::FapiMessageType::crc_indication);
  ASSERT_TRUE(rx_data && crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->sfn, sfn);
  EXPECT_EQ(crc->slot_number, slot);
  EXPECT_EQ(crc->crcs[0].handle, handle);
  EXPECT_EQ(crc->crcs[0].rnti, 0x4601);
  EXPECT_EQ(crc->crcs[0].harq_id, 2);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 0);
  ASSERT_EQ(rx_data->payloads.size(), 1U);
  EXPECT_EQ(rx_data->payloads[0], tb);
}

/// expect_pdu_decodes() with harness_pusch(handle, 2).
inline void expect_slot_decodes(PhyHarness& h, std::uint16_t sfn, std::uint16_t slot,
                                std::uint32_t handle) {
  expect_pdu_decodes(h, sfn, slot, harness_pusch(handle, 2));
}

/// A detector that writes zero LLRs: stands in for the detectors that are no copy of the CPU
/// front end (the neural receiver: CP-OFDM only, no phase tracking).
class ZeroLlrDetector : public phy::PuschDetector {
public:
  phy::PuschMeasurements detect(const phy::ResourceGrid& /*grid*/, const phy::CellConfig& /*cell*/,
                                const phy::PuschConfig& /*pusch*/, unsigned /*slot*/,
                                std::span<float> llrs) override {
    std::fill(llrs.begin(), llrs.end(), 0.0F);
    return {};
  }
};

/// harness_phy_config() behind a ZeroLlrDetector.
inline FapiPhyConfig zero_llr_detector_config() {
  FapiPhyConfig config = harness_phy_config();
  config.receiver.detector = [](const phy::PuschFrontEndLimits&, unsigned) {
    return std::make_unique<ZeroLlrDetector>();
  };
  return config;
}

/// harness_phy_config() behind an IqDetector that mirrors the CPU front end (as the CUDA front
/// end does, refusing DFT-s-OFDM itself), counting its calls.
struct MirroringDetector {
  /// As the CUDA front end, which tracks PT-RS, estimates each hop and takes UCI PDUs itself.
  bool takes_ptrs_hopping_uci = false;
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  [[nodiscard]] FapiPhyConfig config() {
    FapiPhyConfig config = harness_phy_config();
    const phy::CellConfig cell = harness_cell();
    config.receiver.detector = [this, cell](const phy::PuschFrontEndLimits& limits, unsigned) {
      return std::make_unique<airan::test::IqDetector>(cell, PhyHarness::rx, limits, loads,
                                                       grid_calls, loaded_calls,
                                                       /*refuses_dfts_ofdm=*/true,
                                                       /*mirrors=*/true, takes_ptrs_hopping_uci);
    };
    config.receiver.detector_mirrors_front_end = true;
    return config;
  }
};

/// The PARAM.response to one PARAM.request.
inline std::optional<Received> param_response(PhyHarness& h) {
  h.send(io::FapiParamRequest{});
  return h.wait_for(io::FapiMessageType::param_response);
}

/// Sends \p pusch (HARQ process 2) and its signal to a started L1 that does not take it: one
/// ERROR.indication MSG_SLOT_ERR, then its CRC failed and nothing decoded.
inline void expect_pdu_refused_with_slot_error(PhyHarness& h, const phy::PuschConfig& pusch) {
  h.send(h.ul_tti(0, 0, std::span(&pusch, 1)));
  const auto error = h.wait_for(io::FapiMessageType::error_indication);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.error_code, io::FapiErrorCode::msg_slot_err);
  (void)h.push_signal(0, 0, pusch, pusch.handle);
  const auto crc = h.wait_for(io::FapiMessageType::crc_indication);
  ASSERT_TRUE(crc);
  ASSERT_EQ(crc->crcs.size(), 1U);
  EXPECT_EQ(crc->crcs[0].handle, pusch.handle);
  EXPECT_EQ(crc->crcs[0].tb_crc_status, 1);
  EXPECT_EQ(h.phy().counters().pdus_decoded, 0U);
}

} // namespace airan::l1::test
