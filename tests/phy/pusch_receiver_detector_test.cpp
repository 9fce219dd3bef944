// PuschReceiver with a PuschDetector (the hook of the neural receiver and of the CUDA front end):
// a detector that runs the CPU front end gives exactly the results of the receiver without one,
// on one thread with several PDUs and on several threads with one PDU (the pooled detector gets
// the receiver's thread count); a detector's error is that PDU's error; a detector takes no
// genie; detectors that demodulate IQ themselves get each slot's IQ once.
#include "../support/iq_detector.h"
#include "airan/phy/flat_mimo_channel.h"
#include "airan/phy/numerology.h"
#include "airan/phy/ofdm_demodulator.h"
#include "airan/phy/ofdm_modulator.h"
#include "airan/phy/pusch_descrambler.h"
#include "airan/phy/pusch_receiver.h"
#include "airan/phy/pusch_scrambler.h"
#include "airan/phy/pusch_transmitter.h"
#include "phy_test_helpers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

namespace {

using namespace airan::phy;
using airan::test::detector_test_cell;

PuschConfig detector_pusch(std::uint16_t rnti, unsigned prb_start, unsigned prb_size,
                           unsigned mcs) {
  PuschConfig pusch;
  pusch.rnti = rnti;
  pusch.bwp_size = 52;
  pusch.prb_start = prb_start;
  pusch.prb_size = prb_size;
  pusch.dmrs_ports = 0x3;
  pusch.num_layers = 2;
  pusch.num_dmrs_cdm_groups_no_data = 2;
  pusch.dmrs_scrambling_id = 5;
  pusch.data_scrambling_id = 5;
  pusch.mcs_index = mcs;
  return pusch;
}

/// The CPU front end behind the detector interface; counts calls and refuses one RNTI.
class FrontEndDetector final : public PuschDetector {
public:
  FrontEndDetector(const PuschFrontEndLimits& limits, std::atomic<unsigned>& calls)
      : front_end_(limits), calls_(calls) {}
  PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                           const PuschConfig& pusch, unsigned slot,
                           std::span<float> llrs) override {
    ++calls_;
    if (pusch.rnti == 0xBAD) {
      throw std::invalid_argument("this detector refuses RNTI 0xBAD");
    }
    return front_end_.process(grid, cell, pusch, slot, {}, llrs);
  }

private:
  PuschFrontEnd front_end_;
  std::atomic<unsigned>& calls_;
};

/// The CPU front end that descrambles its own LLRs (as the CUDA detector does on the device).
class DescramblingDetector final : public PuschDetector {
public:
  explicit DescramblingDetector(const PuschFrontEndLimits& limits) : front_end_(limits) {}
  PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                           const PuschConfig& pusch, unsigned slot,
                           std::span<float> llrs) override {
    const PuschMeasurements m = front_end_.process(grid, cell, pusch, slot, {}, llrs);
    descramble_llrs(llrs, pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
    return m;
  }
  [[nodiscard]] bool writes_descrambled_llrs() const override { return true; }

private:
  PuschFrontEnd front_end_;
};

/// A DescramblingDetector that can keep its LLRs "on device 7" (in its own memory, standing in
/// for a GPU's), as the CUDA detector does for the CUDA UL-SCH decoder. With \p defer, it names
/// a "stream" with them and hands its measurements over only after decoding, as the CUDA
/// detector does.
class DeviceLlrDetector final : public PuschDetector {
public:
  /// With \p uci_to_host a PDU with UCI gets its LLRs on the host (takes_uci_on_pusch()).
  DeviceLlrDetector(const PuschFrontEndLimits& limits, bool defer, bool uci_to_host = false)
      : front_end_(limits), held_(std::size_t{12} * 275 * 14 * 8 * 2), defer_(defer),
        uci_to_host_(uci_to_host) {}
  PuschMeasurements detect(const ResourceGrid& grid, const CellConfig& cell,
                           const PuschConfig& pusch, unsigned slot,
                           std::span<float> llrs) override {
    const bool to_host = !on_device_ || (uci_to_host_ && pusch.uci.present());
    const std::span<float> out = to_host ? llrs : std::span(held_).first(llrs.size());
    const PuschMeasurements m = front_end_.process(grid, cell, pusch, slot, {}, out);
    descramble_llrs(out, pusch_scrambling_init(pusch.rnti, pusch.data_scrambling_id));
    num_llrs_ = to_host ? 0 : llrs.size();
    if (!to_host && defer_) { // a UCI PDU's measurements come back at once, as its LLRs
      deferred_ = m;
      return {};
    }
    return m;
  }
  [[nodiscard]] bool writes_descrambled_llrs() const override { return true; }
  [[nodiscard]] bool takes_uci_on_pusch() const override { return uci_to_host_; }
  bool keep_llrs_on_device(int device) override { return on_device_ = device == 7; }
  [[nodiscard]] DeviceLlrs device_llrs() const override {
    if (!on_device_ || num_llrs_ == 0) {
      return {};
    }
    return {held_.data(), num_llrs_, 7, defer_ ? const_cast<float*>(held_.data()) : nullptr};
  }
  std::optional<PuschMeasurements> deferred_measurements() override {
    return std::exchange(deferred_, std::nullopt);
  }

private:
  PuschFrontEnd front_end_;
  std::vector<float> held_;
  bool defer_;
  bool uci_to_host_;
  std::size_t num_llrs_ = 0;
  bool on_device_ = false;
  std::optional<PuschMeasurements> deferred_;
};

/// The CPU UL-SCH decoder "reading device 7": decode_device() reads the detector's memory.
class DeviceLlrDecoder final : public UlschDecoder {
public:
  DeviceLlrDecoder(std::uint32_t max_tbs, std::atomic<unsigned>& host_calls,
                   std::atomic<unsigned>& device_calls, std::atomic<unsigned>& stream_calls)
      : decoder_(create_ulsch_decoder(max_tbs)), host_calls_(host_calls),
        device_calls_(device_calls), stream_calls_(stream_calls) {}
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            std::span<bit_t> tb_bits) override {
    ++host_calls_;
    return decoder_->decode(llrs, cfg, tb_bits);
  }
  UlschDecoderResult decode(std::span<const float> llrs, const UlschDecoderConfig& cfg,
                            HarqSoftBuffer& harq, std::span<bit_t> tb_bits) override {
    ++host_calls_;
    return decoder_->decode(llrs, cfg, harq, tb_bits);
  }
  [[nodiscard]] int llr_device() const override { return 7; }
  UlschDecoderResult decode_device(const DeviceLlrs& llrs, const UlschDecoderConfig& cfg,
                                   HarqSoftBuffer& harq, std::span<bit_t> tb_bits) override {
    EXPECT_EQ(llrs.device, 7);
    ++device_calls_;
    if (llrs.stream != nullptr) {
      EXPECT_EQ(llrs.stream, llrs.data) << "the detector's stream";
      ++stream_calls_;
    }
    return decoder_->decode(std::span(llrs.data, llrs.size), cfg, harq, tb_bits);
  }

private:
  std::unique_ptr<UlschDecoder> decoder_;
  std::atomic<unsigned>& host_calls_;
  std::atomic<unsigned>& device_calls_;
  std::atomic<unsigned>& stream_calls_;
};

struct Slot {
  std::vector<PuschConfig> pdus;
  std::vector<BitVector> tbs;
  ResourceGrid grid;
};

Slot make_slot(const CellConfig& cell, std::vector<PuschConfig> pdus) {
  PuschTransmitter transmitter(cell);
  std::mt19937_64 rng(3);
  auto tx_grid = transmitter.make_grid();
  Slot slot;
  for (const auto& pdu : pdus) {
    BitVector tb(transmitter.transport_block_size(pdu));
    for (auto& b : tb) {
      b = static_cast<bit_t>(rng() & 1U);
    }
    transmitter.transmit(tb, pdu, 6, tx_grid);
    slot.tbs.push_back(std::move(tb));
  }
  slot.pdus = std::move(pdus);
  slot.grid = ResourceGrid(4, tx_grid.num_symbols(), tx_grid.num_subcarriers());
  FlatMimoChannel::random_unitary(4, 2, 8).apply(tx_grid, std::pow(10.0F, -2.5F), rng, slot.grid);
  return slot;
}

void expect_same(const std::vector<PuschPduResult>& a, const std::vector<PuschPduResult>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].tb_crc_ok, b[i].tb_crc_ok) << "PDU " << i;
    EXPECT_EQ(a[i].tb_bits, b[i].tb_bits) << "PDU " << i;
    EXPECT_EQ(a[i].decoding.mean_ldpc_iterations, b[i].decoding.mean_ldpc_iterations);
    EXPECT_EQ(a[i].measurements.noise_variance, b[i].measurements.noise_variance);
    EXPECT_EQ(a[i].measurements.sinr_db, b[i].measurements.sinr_db);
  }
}

TEST(PuschReceiverDetector, FrontEndBehindTheDetectorGivesTheSameResults) {
  const CellConfig cell = detector_test_cell();
  const Slot slot = make_slot(cell, {detector_pusch(1, 0, 20, 20), detector_pusch(2, 20, 32, 10)});
  std::atomic<unsigned> calls{0};
  std::vector<unsigned> thread_counts;
  for (const unsigned threads : {1U, 3U}) {
    PuschReceiverConfig config;
    config.num_rx_antennas = 4;
    config.max_layers = 2;
    config.num_threads = threads;
    PuschReceiver plain(cell, config);
    config.detector = [&](const PuschFrontEndLimits& limits, unsigned num_threads) {
      thread_counts.push_back(num_threads);
      return std::unique_ptr<PuschDetector>(std::make_unique<FrontEndDetector>(limits, calls));
    };
    PuschReceiver with_detector(cell, config);
    std::vector<PuschPduResult> a, b;
    plain.process_slot(slot.grid, 6, slot.pdus, a);
    calls = 0;
    with_detector.process_slot(slot.grid, 6, slot.pdus, b);
    EXPECT_EQ(calls.load(), 2U);
    expect_same(a, b);
    for (std::size_t i = 0; i < b.size(); ++i) {
      EXPECT_TRUE(b[i].tb_crc_ok);
      EXPECT_EQ(b[i].tb_bits, slot.tbs[i]);
      EXPECT_GT(b[i].times.detection_us, 0.0);
      EXPECT_EQ(b[i].times.channel_estimation_us, 0.0);
    }
    // One PDU on several threads: the pooled detector.
    plain.process_slot(slot.grid, 6, std::span(slot.pdus.data(), 1), a);
    with_detector.process_slot(slot.grid, 6, std::span(slot.pdus.data(), 1), b);
    expect_same(a, b);
  }
  // One detector per lane, each computing on one thread, plus the pooled one on all three.
  EXPECT_EQ(thread_counts, (std::vector<unsigned>{1, 1, 1, 1, 3}));
}

// process_slot_iq() hands the IQ to detectors that demodulate themselves: once per detector the
// slot uses (the one lane's, every lane's, or the pooled one), then detect_loaded() per PDU; the
// results equal the CPU demodulation's. process_slot() with a grid still calls detect().
TEST(PuschReceiverDetector, DetectorsThatDemodulateGetTheIqOncePerSlot) {
  const CellConfig cell = detector_test_cell();
  const Slot slot = make_slot(cell, {detector_pusch(1, 0, 16, 20), detector_pusch(2, 16, 16, 10),
                                     detector_pusch(3, 32, 20, 15)});
  const Numerology numerology = carrier_numerology(cell);
  OfdmModulator modulator(numerology, cell.num_prbs);
  const std::size_t samples = numerology.slot_length(6);
  std::vector<cf32> iq(4 * samples);
  for (unsigned rx = 0; rx < 4; ++rx) {
    modulator.modulate_slot(slot.grid, rx, 6, std::span(iq).subspan(rx * samples, samples));
  }
  std::atomic<unsigned> loads{0};
  std::atomic<unsigned> grid_calls{0};
  std::atomic<unsigned> loaded_calls{0};
  for (const unsigned threads : {1U, 3U}) {
    PuschReceiverConfig config;
    config.num_rx_antennas = 4;
    config.max_layers = 2;
    config.num_threads = threads;
    PuschReceiver plain(cell, config);
    config.detector = [&](const PuschFrontEndLimits& limits, unsigned) {
      return std::unique_ptr<PuschDetector>(std::make_unique<airan::test::IqDetector>(
          cell, 4, limits, loads, grid_calls, loaded_calls));
    };
    PuschReceiver with_detector(cell, config);
    std::vector<PuschPduResult> a, b;
    plain.process_slot_iq(iq, 6, slot.pdus, a);
    loads = grid_calls = loaded_calls = 0;
    with_detector.process_slot_iq(iq, 6, slot.pdus, b);
    expect_same(a, b);
    EXPECT_TRUE(b[0].tb_crc_ok && b[1].tb_crc_ok && b[2].tb_crc_ok);
    // 1 thread: the one lane; 3 threads with 3 PDUs: every lane (any may take a PDU).
    EXPECT_EQ(loads.load(), threads);
    EXPECT_EQ(loaded_calls.load(), 3U);
    EXPECT_EQ(grid_calls.load(), 0U);
    if (threads == 3) { // one PDU: the pooled detector alone
      loads = 0;
      plain.process_slot_iq(iq, 6, std::span(slot.pdus.data(), 1), a);
      with_detector.process_slot_iq(iq, 6, std::span(slot.pdus.data(), 1), b);
      expect_same(a, b);
      EXPECT_EQ(loads.load(), 1U);
    }
    loaded_calls = 0;
    with_detector.process_slot(slot.grid, 6, slot.pdus, b);
    EXPECT_EQ(grid_calls.load(), 3U);
    EXPECT_EQ(loaded_calls.load(), 0U);
  }
}

// A detector that descrambles its LLRs itself: the receiver does not descramble them again.
TEST(PuschReceiverDetector, DescrambledDetectorOutputIsNotDescrambledTwice) {
  const CellConfig cell = detector_test_cell();
  const Slot slot = make_slot(cell, {detector_pusch(1, 0, 20, 20), detector_pusch(2, 20, 32, 10)});
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  config.max_layers = 2;
  PuschReceiver plain(cell, config);
  config.detector = [](const PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<PuschDetector>(std::make_unique<DescramblingDetector>(limits));
  };
  PuschReceiver with_detector(cell, config);
  std::vector<PuschPduResult> a, b;
  plain.process_slot(slot.grid, 6, slot.pdus, a);
  with_detector.process_slot(slot.grid, 6, slot.pdus, b);
  expect_same(a, b);
  EXPECT_TRUE(b[0].tb_crc_ok && b[1].tb_crc_ok);
}

// A UL-SCH decoder that reads a device's memory gets the LLRs a detector left on that device
// (no host copy, no host descrambling) on every lane and in the pooled mode; with a detector
// that writes scrambled host LLRs, it decodes from the host. Results equal the plain receiver's.
TEST(PuschReceiverDetector, LlrsLeftOnTheDeviceGoStraightToTheDecoder) {
  const CellConfig cell = detector_test_cell();
  const Slot slot = make_slot(cell, {detector_pusch(1, 0, 20, 20), detector_pusch(2, 20, 32, 10)});
  std::atomic<unsigned> host_calls{0};
  std::atomic<unsigned> device_calls{0};
  std::atomic<unsigned> stream_calls{0};
  std::atomic<unsigned> calls{0};
  // A host detector; LLRs left on the "device"; and left there behind a stream, with the
  // measurements handed over after decoding (as the CUDA detector does).
  enum class Mode { host, device, device_stream };
  for (const Mode mode : {Mode::host, Mode::device, Mode::device_stream}) {
    for (const unsigned threads : {1U, 3U}) {
      PuschReceiverConfig config;
      config.num_rx_antennas = 4;
      config.max_layers = 2;
      config.num_threads = threads;
      PuschReceiver plain(cell, config);
      config.detector = [&](const PuschFrontEndLimits& limits, unsigned) {
        return mode != Mode::host
                   ? std::unique_ptr<PuschDetector>(
                         std::make_unique<DeviceLlrDetector>(limits, mode == Mode::device_stream))
                   : std::unique_ptr<PuschDetector>(
                         std::make_unique<FrontEndDetector>(limits, calls));
      };
      config.ulsch_decoder.make = [&](std::uint32_t max_tbs, const HarqBufferPool&) {
        return std::unique_ptr<UlschDecoder>(
            std::make_unique<DeviceLlrDecoder>(max_tbs, host_calls, device_calls, stream_calls));
      };
      PuschReceiver receiver(cell, config);
      std::vector<PuschPduResult> a, b;
      plain.process_slot(slot.grid, 6, slot.pdus, a);
      host_calls = device_calls = stream_calls = 0;
      receiver.process_slot(slot.grid, 6, slot.pdus, b);
      expect_same(a, b);
      EXPECT_TRUE(b[0].tb_crc_ok && b[1].tb_crc_ok);
      EXPECT_GT(b[0].measurements.sinr_db, 0.0F);
      // A detector's time is in the PDU's total (what `airan eval` reports per receiver).
      const PuschStageTimes& times = b[0].times;
      EXPECT_GT(times.detection_us, 0.0);
      EXPECT_EQ(times.channel_estimation_us + times.equalization_us + times.demapping_us, 0.0);
      EXPECT_DOUBLE_EQ(times.total_us(),
                       times.detection_us + times.descrambling_us + times.decoding_us);
      plain.process_slot(slot.grid, 6, std::span(slot.pdus.data(), 1), a); // pooled when 3
      receiver.process_slot(slot.grid, 6, std::span(slot.pdus.data(), 1), b);
      expect_same(a, b);
      const unsigned on_device = mode != Mode::host ? 3U : 0U;
      EXPECT_EQ(device_calls.load(), on_device) << threads << " threads";
      EXPECT_EQ(stream_calls.load(), mode == Mode::device_stream ? 3U : 0U) << threads;
      EXPECT_EQ(host_calls.load(), 3U - on_device) << threads << " threads";
    }
  }
}

TEST(PuschReceiverDetector, UciNeedsHostLlrs) {
  // A detector that leaves its LLRs on the decoders' device (and is no copy of the CPU front
  // end) cannot have UCI demultiplexed: the receiver says so, refuses such a PDU with the reason
  // and decodes the others; with host LLRs it takes UCI, and so it does behind a detector that
  // hands a UCI PDU's LLRs to the host (PuschDetector::takes_uci_on_pusch(), the CUDA
  // detectors), whose other PDUs are decoded from the device.
  const CellConfig cell = detector_test_cell();
  const Slot slot = make_slot(cell, {detector_pusch(1, 0, 20, 20), detector_pusch(2, 20, 32, 10)});
  std::atomic<unsigned> host_calls{0};
  std::atomic<unsigned> device_calls{0};
  std::atomic<unsigned> stream_calls{0};
  std::atomic<unsigned> calls{0};
  for (const int mode : {0, 1, 2, 3}) {
    const bool on_device = mode != 1;
    const bool uci_to_host = mode >= 2;
    const bool defer = mode == 3; // the other PDUs' measurements deferred
    PuschReceiverConfig config;
    config.num_rx_antennas = 4;
    config.max_layers = 2;
    config.detector = [&](const PuschFrontEndLimits& limits, unsigned) {
      return on_device ? std::unique_ptr<PuschDetector>(
                             std::make_unique<DeviceLlrDetector>(limits, defer, uci_to_host))
                       : std::unique_ptr<PuschDetector>(
                             std::make_unique<FrontEndDetector>(limits, calls));
    };
    host_calls = 0;
    device_calls = 0;
    config.ulsch_decoder.make = [&](std::uint32_t max_tbs, const HarqBufferPool&) {
      return std::unique_ptr<UlschDecoder>(
          std::make_unique<DeviceLlrDecoder>(max_tbs, host_calls, device_calls, stream_calls));
    };
    PuschReceiver receiver(cell, config);
    EXPECT_EQ(receiver.takes_uci(), !on_device || uci_to_host);
    std::vector<PuschConfig> pdus = slot.pdus;
    pdus[1].uci = {2, 0, 0, 3, 9, 0, 0}; // its TB was sent without: only the refusal matters
    std::vector<PuschPduResult> results;
    receiver.process_slot(slot.grid, 6, pdus, results);
    EXPECT_TRUE(results[0].tb_crc_ok);
    if (uci_to_host) { // the CRC-failing PDU (sent without UCI) from the host, the other not
      EXPECT_EQ(results[1].error, "");
      EXPECT_TRUE(results[1].uci.decoded);
      EXPECT_EQ(host_calls.load(), 1U);
      EXPECT_EQ(device_calls.load(), 1U);
      EXPECT_GT(results[0].measurements.noise_variance, 0.0F); // deferred or not
      EXPECT_GT(results[1].measurements.noise_variance, 0.0F); // returned with the host LLRs
    } else if (on_device) {
      EXPECT_NE(results[1].error.find("UCI on PUSCH needs the LLRs on the host"), std::string::npos)
          << results[1].error;
      EXPECT_FALSE(results[1].uci.decoded);
    } else {
      EXPECT_EQ(results[1].error, "");
      EXPECT_TRUE(results[1].uci.decoded);
    }
  }
}

TEST(PuschReceiverDetector, DetectorErrorsStayWithTheirPduAndGenieIsRefused) {
  const CellConfig cell = detector_test_cell();
  const Slot slot =
      make_slot(cell, {detector_pusch(0xBAD, 0, 20, 5), detector_pusch(2, 20, 32, 10)});
  std::atomic<unsigned> calls{0};
  PuschReceiverConfig config;
  config.num_rx_antennas = 4;
  config.max_layers = 2;
  config.detector = [&](const PuschFrontEndLimits& limits, unsigned) {
    return std::unique_ptr<PuschDetector>(std::make_unique<FrontEndDetector>(limits, calls));
  };
  PuschReceiver receiver(cell, config);
  std::vector<PuschPduResult> results;
  receiver.process_slot(slot.grid, 6, slot.pdus, results);
  EXPECT_FALSE(results[0].tb_crc_ok);
  EXPECT_NE(results[0].error.find("refuses RNTI 0xBAD"), std::string::npos) << results[0].error;
  EXPECT_TRUE(results[1].tb_crc_ok);
  EXPECT_EQ(results[1].tb_bits, slot.tbs[1]);

  ChannelResponse channel(4, 2, 14, 12 * 52);
  const PerfectCsi genie{&channel, 0.01F};
  receiver.process_slot(slot.grid, 6, slot.pdus, results, &genie);
  for (const auto& result : results) {
    EXPECT_FALSE(result.tb_crc_ok);
    EXPECT_NE(result.error.find("no perfect CSI"), std::string::npos) << result.error;
  }
}

} // namespace
