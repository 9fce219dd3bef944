/// \file
/// \brief `airan replay capture.pcap --config FILE` and live ingest: U-plane frames through
/// DPDK (net_pcap for a capture, any PMD live) or a plain pcap reader into the slot assembler
/// and the receiver, TBs checked against a test vector when one is given.
#pragma once

#include "fronthaul_options.h"
#include "receiver_options.h"

#include <cstdint>
#include <string>

namespace airan::cli {

struct FronthaulReplayOptions {
  std::string capture; ///< pcap file; empty: live on the DPDK device.
  std::string vector;  ///< HDF5 vector with the PDUs and expected TBs (optional).
  std::string receiver = "mmse-lmmse";
  ReceiverOptions options; ///< --backend and --model.
  unsigned threads = 1;
  bool quiet = false;
  bool no_dpdk = false;        ///< Read the pcap directly (no EAL).
  bool ingest_only = false;    ///< Assemble slots but run no receiver (ingest throughput).
  std::uint64_t max_slots = 0; ///< Live: stop after this many slots (0: at the timeout).
  double timeout_s = 10.0;     ///< Live: stop after this long.
  FronthaulOptions fronthaul;
};

/// Runs the replay; returns the exit status (0: every expected-good TB whose allocation arrived
/// undamaged decoded to the vector's bits).
int run_fronthaul_replay(const FronthaulReplayOptions& options);

} // namespace airan::cli
