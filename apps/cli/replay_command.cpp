// `airan replay FILE.h5`: runs a receiver over every slot of an HDF5 test vector and checks the
// decoded TBs against the transmitted ones.
#include "airan/apps/receiver_catalog.h"
#include "airan/io/test_vector_file.h"
#include "airan/phy/numerology.h"
#include "airan/phy/pusch_receiver.h"
#include "commands.h"
#include "fronthaul_replay.h"
#include "receiver_options.h"
#include "vector_uci_check.h"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

namespace airan::cli {
namespace {

struct ReplayOptions {
  std::string input;
  FronthaulReplayOptions fronthaul;
  std::string receiver = "mmse-lmmse";
  ReceiverOptions options;
  unsigned threads = 1;
  bool grid = false;
  bool quiet = false;
};

/// " (38.901 BS elements, polarisation BS cross UE V)" for a vector with CDL antenna attributes
/// other than the defaults, else "".
std::string antenna_description(const io::TestVectorChannel& channel) {
  std::string text;
  if (channel.bs_antenna_pattern != "omni") {
    text = channel.bs_antenna_pattern + " BS elements";
  }
  if (channel.bs_polarization != "V" || channel.ue_polarization != "V") {
    text += (text.empty() ? "" : ", ") + std::string("polarisation BS ") + channel.bs_polarization +
            " UE " + channel.ue_polarization;
  }
  return text.empty() ? text : " (" + text + ")";
}

int run_replay(const ReplayOptions& o) {
  const apps::ReceiverSpec& spec = apps::find_receiver(o.receiver);
  const io::TestVectorReader reader(o.input);
  const io::TestVectorHeader& header = reader.header();
  phy::PuschReceiverConfig config;
  config.num_rx_antennas = header.num_rx_antennas;
  config.num_threads = std::max(1U, o.threads);
  config.front_end = spec.front_end;
  const gpu::BackendSelection backend = gpu::select_backend(o.options.backend);
  print_backend_choice(o.options, backend, std::cout);
  // DFT-s-OFDM PDUs (judged by the first slot's): the neural receiver refuses them, a classical
  // receiver takes them on either backend.
  bool transform_precoding = false;
  if (reader.num_slots() > 0) {
    io::TestVectorSlot first;
    try {
      reader.read_slot(0, first, io::TestVectorSlotParts::pdus_only());
      transform_precoding =
          std::any_of(first.pdus.begin(), first.pdus.end(),
                      [](const io::TestVectorPdu& pdu) { return pdu.config.transform_precoding; });
    } catch (const io::TestVectorError&) {
      // Reported with the slot below.
    }
  }
  ReceiverPlacement placement =
      place_receiver(spec, o.options, backend, header.cell, transform_precoding);
  config.detector = std::move(placement.detector);
  config.ldpc_batch_decoder = std::move(placement.ldpc);
  config.ulsch_decoder = std::move(placement.ulsch);
  config.num_harq_buffers = 16;
  phy::PuschReceiver receiver(header.cell, config);
  std::cout << "replay " << o.input << ": " << reader.num_slots() << " slot(s), "
            << header.cell.num_prbs << " PRB, mu " << header.cell.numerology << ", "
            << header.num_rx_antennas << " Rx; channel " << header.channel.model
            << antenna_description(header.channel) << ", SNR " << header.snr_db << " dB; receiver "
            << spec.name << " (" << placement.where << ")\n";

  io::TestVectorSlot slot;
  std::vector<phy::PuschConfig> pdus;
  std::vector<phy::PuschPduResult> results;
  phy::ChannelResponse true_channel;
  std::uint64_t tbs = 0, ok = 0, expected = 0, expected_ok = 0, unexpected_ok = 0;
  std::uint64_t uci_payloads = 0, uci_right = 0;          // UCI on PUSCH, when the vector has it
  std::uint64_t uci_expected = 0, uci_expected_right = 0; // of PDUs expected_uci_ok
  std::size_t unreadable = 0;
  double total_us = 0.0;
  const unsigned receiver_fft_size = phy::carrier_numerology(header.cell).fft_size();
  bool fft_size_noted = false;
  // The datasets the receiver takes: the IQ unless --grid (then the grid only while the IQ is
  // used: it is the fallback when a slot's IQ is missing or at another FFT size), the true
  // channel for perfect-csi. The others are not decompressed.
  io::TestVectorSlotParts parts{.grid = true, .iq = !o.grid, .true_channel = spec.perfect_csi};
  for (std::size_t i = 0; i < reader.num_slots(); ++i) {
    // A slot that cannot be read (a corrupt chunk, a damaged group) is reported and counted; the
    // other slots still run, and the verdict names the loss.
    try {
      reader.read_slot(i, slot, parts);
      const bool iq_usable = !slot.iq.empty() && slot.iq_fft_size == receiver_fft_size;
      if (!iq_usable && slot.grid.num_ports() == 0) { // the grid was left out: read it now
        parts.grid = true;
        reader.read_slot(i, slot, parts);
      }
      parts.grid = !parts.iq || !iq_usable;
    } catch (const io::TestVectorError& error) {
      ++unreadable;
      std::cerr << "airan replay: slot " << i << " skipped: " << error.what() << '\n';
      continue;
    }
    pdus.clear();
    for (const auto& pdu : slot.pdus) {
      pdus.push_back(pdu.config);
    }
    const phy::PerfectCsi* genie = nullptr;
    phy::PerfectCsi csi;
    if (spec.perfect_csi) {
      if (slot.true_channel.empty()) {
        std::cerr << "airan replay: " << o.input << " slot " << i
                  << " has no true channel for perfect-csi\n";
        return 2;
      }
      const auto& s = slot.true_channel_shape;
      true_channel.reshape(s[0], s[1], s[2], s[3]);
      std::copy(slot.true_channel.begin(), slot.true_channel.end(), true_channel.data().begin());
      csi = {&true_channel, header.noise_variance};
      genie = &csi;
    }
    // IQ at another FFT size than the receiver's numerology demodulates at (the format allows
    // any): the slot's stored grid instead, said once.
    bool from_iq = !slot.iq.empty() && !o.grid;
    if (from_iq && slot.iq_fft_size != receiver_fft_size) {
      from_iq = false;
      if (!fft_size_noted) {
        fft_size_noted = true;
        std::cout << "note: the vector's IQ is at FFT size " << slot.iq_fft_size
                  << ", the receiver's numerology demodulates at " << receiver_fft_size
                  << ": its stored grids are replayed\n";
      }
    }
    const auto start = std::chrono::steady_clock::now();
    try {
      if (from_iq) {
        receiver.process_slot_iq(slot.iq, slot.slot, pdus, results, genie);
      } else {
        receiver.process_slot(slot.grid, slot.slot, pdus, results, genie);
      }
    } catch (const std::exception& error) { // a slot the receiver cannot take (its shapes)
      ++unreadable;
      std::cerr << "airan replay: slot " << i << " skipped: " << error.what() << '\n';
      continue;
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    total_us += us;
    if (!o.quiet) {
      std::cout << "slot " << std::setw(5) << slot.absolute_slot << " (" << std::setw(3)
                << slot.slot << ")  " << std::fixed << std::setprecision(0) << std::setw(7) << us
                << " us";
    }
    for (std::size_t p = 0; p < results.size(); ++p) {
      const auto& r = results[p];
      const auto& sent = slot.pdus[p];
      if (sent.config.uci.present()) {
        // UCI on the PUSCH: each payload right (and detected) or not, counted apart from the TBs;
        // those of a PDU whose payloads the generator's reference receiver got right must be.
        check_uci_payloads(r, sent, [&](bool right) {
          ++uci_payloads;
          uci_right += right ? 1 : 0;
          uci_expected += sent.expected_uci_ok ? 1 : 0;
          uci_expected_right += sent.expected_uci_ok && right ? 1 : 0;
        });
      }
      if (!sent.config.ulsch) {
        if (!o.quiet) {
          std::cout << " | rnti " << r.rnti << " UCI only"
                    << (r.error.empty() ? "" : " error: " + r.error);
        }
        continue; // no TB to count
      }
      const bool good = r.tb_crc_ok && r.tb_bits == sent.tb_bits;
      const bool expect = slot.pdus[p].expected_crc_ok;
      ++tbs;
      ok += good ? 1 : 0;
      expected += expect ? 1 : 0;
      expected_ok += (expect && good) ? 1 : 0;
      unexpected_ok += (!expect && good) ? 1 : 0;
      if (!o.quiet) {
        std::cout << " | rnti " << r.rnti << ' '
                  << (good ? "CRC ok" : (r.tb_crc_ok ? "WRONG BITS" : "CRC fail"))
                  << (expect == good ? "" : (expect ? " (expected ok)" : " (expected fail)"))
                  << std::setprecision(1) << " SINR " << r.measurements.post_eq_sinr_db << " dB";
        if (!r.error.empty()) {
          std::cout << " error: " << r.error;
        }
      }
    }
    if (!o.quiet) {
      std::cout << '\n';
    }
  }
  // A vector with no slot, or no TB and no UCI to check, proves nothing (a generator that
  // failed half-way may leave one): a damaged file.
  const bool nothing_checked = reader.num_slots() == 0 || (tbs == 0 && uci_payloads == 0);
  if (nothing_checked) {
    std::cerr << "airan replay: " << o.input << " has nothing to check (" << reader.num_slots()
              << " slot(s), no TB or UCI payload)\n";
  }
  const bool pass = expected_ok == expected && uci_expected_right == uci_expected &&
                    unreadable == 0 && !nothing_checked;
  std::cout << std::fixed << std::setprecision(1) << "total: " << ok << "/" << tbs
            << " TBs decoded; " << expected_ok << "/" << expected << " expected-good TBs decoded";
  if (unexpected_ok > 0) {
    std::cout << ", " << unexpected_ok << " more than the reference receiver";
  }
  if (unreadable > 0) {
    std::cout << "; " << unreadable << " of " << reader.num_slots() << " slot(s) unreadable";
  }
  if (uci_payloads > 0) {
    std::cout << "; UCI payloads right " << uci_right << "/" << uci_payloads << " ("
              << uci_expected_right << "/" << uci_expected << " expected right)";
  }
  const std::size_t decoded_slots = reader.num_slots() - unreadable;
  std::cout << "; mean " << total_us / double(std::max<std::size_t>(decoded_slots, 1))
            << " us per slot -> " << (pass ? "PASS" : "FAIL") << '\n';
  // Exit 2 for a damaged file (as for one that cannot be opened), 1 for TBs the receiver missed.
  if (unreadable > 0 || nothing_checked) {
    return 2;
  }
  return pass ? 0 : 1;
}

} // namespace

bool is_fronthaul_replay(const ReplayOptions& o) {
  const auto& f = o.fronthaul.fronthaul;
  return o.input.ends_with(".pcap") || o.input.ends_with(".pcapng") || f.has_dpdk_device();
}

int run(ReplayOptions& o, const CLI::App& app) {
  if (!is_fronthaul_replay(o)) {
    if (o.input.empty()) {
      std::cerr << "airan replay: give an HDF5 vector, a pcap capture or a DPDK device\n";
      return 2;
    }
    // An HDF5 vector carries its own PDUs and samples: what only a capture or a port takes is
    // refused, not ignored (a run believed to measure ingest, or a bad config, would pass).
    for (const char* option :
         {"--config", "--vector", "--no-dpdk", "--ingest-only", "--slots", "--timeout", "--mode",
          "--comp", "--dpdk", "--pci", "--device", "--file-prefix"}) {
      if (app.count(option) > 0) {
        std::cerr << "airan replay: " << option
                  << " applies to a capture or a DPDK port, not an HDF5 vector\n";
        return 2;
      }
    }
    return run_replay(o);
  }
  auto& f = o.fronthaul;
  f.capture = o.input;
  f.receiver = o.receiver;
  f.options = o.options;
  f.threads = o.threads;
  f.quiet = o.quiet;
  return run_fronthaul_replay(f);
}

Command add_replay_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "replay", "Run a receiver over an HDF5 test vector, a fronthaul capture (pcap, through "
                "DPDK net_pcap) or a live DPDK port, and check the TBs (exit 0: all "
                "expected-good TBs decoded; 1: some not; 2: bad input, e.g. unreadable slots, "
                "which are skipped and counted)");
  auto o = std::make_shared<ReplayOptions>();
  app->add_option("input", o->input, "HDF5 test vector (airan gen) or U-plane capture (.pcap)")
      ->check(CLI::ExistingFile);
  app->add_option("--config", o->fronthaul.fronthaul.config,
                  "Fronthaul: scenario YAML (cell, PDUs, fronthaul:/dpdk: sections)")
      ->check(CLI::ExistingFile);
  app->add_option("--vector", o->fronthaul.vector,
                  "Fronthaul: HDF5 vector with each slot's PDUs and expected TBs")
      ->check(CLI::ExistingFile);
  add_fronthaul_options(*app, o->fronthaul.fronthaul);
  app->add_flag("--no-dpdk", o->fronthaul.no_dpdk, "Fronthaul: read the pcap without DPDK");
  app->add_flag("--ingest-only", o->fronthaul.ingest_only,
                "Fronthaul: assemble slots without decoding (ingest frames/s and Gbit/s)");
  app->add_option("--slots", o->fronthaul.max_slots, "Live: stop after this many slots");
  app->add_option("--timeout", o->fronthaul.timeout_s,
                  "Live: stop after this many seconds (0.001 .. 1e6)")
      ->check(finite_range(0.001, 1e6))
      ->capture_default_str();
  app->add_option("--receiver", o->receiver,
                  "ls-lin-lmmse, mmse-lmmse, mmse2d-lmmse, mmse-irc, ls-lin-zf, perfect-csi, "
                  "neural")
      ->capture_default_str();
  add_receiver_options(*app, o->options);
  app->add_option("--threads", o->threads, "Receiver threads (1 .. 256)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app->add_flag("--grid", o->grid, "Use the stored grid even when the vector has IQ");
  app->add_flag("-q,--quiet", o->quiet, "Only the total line");
  return {app, [o, app] { return run(*o, *app); }};
}

} // namespace airan::cli
