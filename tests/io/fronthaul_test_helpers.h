/// \file
/// \brief Shared pieces of the fronthaul assembler tests: the committed vectors, frames captured
/// from the RU emulator, and decoding an assembled slot with the reference receiver.
#pragma once

#include "airan/apps/receiver_catalog.h"
#include "airan/io/fronthaul_slot_assembler.h"
#include "airan/io/ru_emulator.h"
#include "airan/io/test_vector_file.h"
#include "airan/phy/pusch_receiver.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace airan::test {

inline std::filesystem::path committed_vector(const char* name) {
  return std::filesystem::path(AIRAN_TESTVECTOR_DIR).parent_path() / "vectors" / name;
}

/// 106 PRB, mu 0, 2 Rx, 2 UEs, 2 slots with IQ at FFT 2048.
inline constexpr const char* vector_2ue = "tdl-c300_20mhz_2ue_1x2.h5";
/// 273 PRB, mu 1, 4 Rx, 2 layers 256-QAM, 1 slot, grid only.
inline constexpr const char* vector_273prb = "tdl-a30_100mhz_2x4_256qam.h5";

struct CapturedFrame {
  std::vector<std::uint8_t> bytes;
  std::int64_t tx_ns = 0;
};

/// Every frame of \p slot sent as \p absolute_slot, appended to \p frames.
inline std::size_t capture_slot(io::RuEmulator& emulator, const io::TestVectorSlot& slot,
                                std::int64_t absolute_slot, std::int64_t epoch_ns,
                                std::vector<CapturedFrame>& frames,
                                std::span<const io::RuSectionRequest> requests = {}) {
  return emulator.packetize_slot(
      slot, absolute_slot, epoch_ns,
      [&](std::span<const std::uint8_t> frame, std::int64_t tx_ns) {
        frames.push_back({{frame.begin(), frame.end()}, tx_ns});
      },
      requests);
}

/// Decodes PDUs of an assembled slot with mmse-lmmse; returns per PDU whether the TB came out
/// equal to the transmitted one.
class SlotDecoder {
public:
  SlotDecoder(const phy::CellConfig& cell, unsigned num_rx) {
    phy::PuschReceiverConfig config;
    config.num_rx_antennas = num_rx;
    config.num_threads = 1;
    config.front_end = apps::find_receiver("mmse-lmmse").front_end;
    receiver_ = std::make_unique<phy::PuschReceiver>(cell, config);
  }

  std::vector<bool> decode(const io::AssembledSlot& assembled, const io::TestVectorSlot& slot) {
    pdus_.clear();
    for (const auto& pdu : slot.pdus) {
      pdus_.push_back(pdu.config);
    }
    if (assembled.mode == io::FronthaulIngestMode::frequency_domain) {
      receiver_->process_slot(assembled.grid, assembled.slot, pdus_, results_);
    } else {
      receiver_->process_slot_iq(assembled.iq, assembled.slot, pdus_, results_);
    }
    std::vector<bool> ok;
    for (std::size_t p = 0; p < results_.size(); ++p) {
      ok.push_back(results_[p].tb_crc_ok && results_[p].tb_bits == slot.pdus[p].tb_bits);
    }
    return ok;
  }

private:
  std::unique_ptr<phy::PuschReceiver> receiver_;
  std::vector<phy::PuschConfig> pdus_;
  std::vector<phy::PuschPduResult> results_;
};

/// 10 log10(signal power / error power) of \p received against \p reference.
inline double snr_db(std::span<const phy::cf32> reference, std::span<const phy::cf32> received) {
  double signal = 0.0;
  double error = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    signal += std::norm(reference[i]);
    error += std::norm(received[i] - reference[i]);
  }
  return error == 0.0 ? 300.0 : 10.0 * std::log10(signal / error);
}

} // namespace airan::test
