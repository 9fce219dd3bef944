/// \file
/// \brief Sub-commands of the `airan` command-line tool. Each registers itself on the CLI11 app
/// and runs when selected; the return value of run() is the process exit status.
#pragma once

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace airan::cli {

/// A number in [\p min, \p max]: unlike CLI::Range, it refuses NaN (which passes both of
/// Range's comparisons) and infinities.
inline CLI::Validator finite_range(double min, double max) {
  return {[min, max](std::string& text) {
            std::size_t used = 0;
            double value = 0.0;
            try {
              value = std::stod(text, &used);
            } catch (const std::exception&) {
              return std::string("is not a number");
            }
            if (used != text.size() || !std::isfinite(value) || value < min || value > max) {
              return "must be a number in " + std::to_string(min) + " .. " + std::to_string(max);
            }
            return std::string();
          },
          "FLOAT in [" + std::to_string(min) + " - " + std::to_string(max) + "]", "FINITE_RANGE"};
}

/// Latest first-slot time (ns) a command writing a pcap takes: a timestamp is 32-bit seconds,
/// and a capture's slots span far less than the 2^32 - 4e9 s left.
inline constexpr std::int64_t max_pcap_start_ns = 4'000'000'000LL * 1'000'000'000LL;

/// True when \p output names the existing file \p input (through any path): writing it would
/// destroy the input before it is read.
inline bool same_file(const std::string& output, const std::string& input) {
  std::error_code error;
  return !output.empty() && !input.empty() && std::filesystem::equivalent(output, input, error);
}

/// An output written beside its final name (NAME.partial) and renamed over it by commit(): a
/// command that fails half-way leaves neither a truncated output nor a destroyed older one. The
/// partial file is removed unless committed. A symbolic link's target is the file replaced (the
/// link stays); an output that exists and is not a regular file (/dev/stdout, /dev/null, a FIFO)
/// is written directly, never replaced.
class PartialOutput {
public:
  /// \throws std::invalid_argument for an empty path or one that ends in '/' (before any work).
  explicit PartialOutput(const std::string& final_path) : final_(final_path) {
    if (final_path.empty() || final_path.back() == '/') {
      throw std::invalid_argument("output path '" + final_path +
                                  "': " + (final_path.empty() ? "empty" : "names a directory"));
    }
    std::error_code error;
    if (std::filesystem::is_symlink(final_, error)) {
      if (auto target = std::filesystem::canonical(final_, error); !error) {
        final_ = std::move(target);
      }
    }
    const auto status = std::filesystem::status(final_, error);
    direct_ = std::filesystem::exists(status) && !std::filesystem::is_regular_file(status);
    partial_ = direct_ ? final_ : std::filesystem::path(final_.string() + ".partial");
  }
  ~PartialOutput() {
    if (!committed_ && !direct_) {
      std::error_code ignored;
      std::filesystem::remove(partial_, ignored);
    }
  }
  PartialOutput(const PartialOutput&) = delete;
  PartialOutput& operator=(const PartialOutput&) = delete;
  PartialOutput(PartialOutput&&) = delete;
  PartialOutput& operator=(PartialOutput&&) = delete;

  /// Where to write.
  [[nodiscard]] const std::filesystem::path& path() const { return partial_; }
  /// Renames the written file to its final name (the writer flushed or closed first).
  void commit() {
    if (!direct_) {
      std::filesystem::rename(partial_, final_);
    }
    committed_ = true;
  }

private:
  std::filesystem::path final_;
  std::filesystem::path partial_;
  bool direct_ = false; ///< Not a regular file: written in place.
  bool committed_ = false;
};

/// Why \p path cannot be written as a command's output ("" when it can), asked before a long
/// run so that its results are not lost at its end: an existing file must be writable, a new
/// one's folder must exist and be writable, and it must not be a folder itself.
inline std::string unwritable_output(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return path + " is a directory";
  }
  if (std::filesystem::exists(path, error)) { // a file (or /dev/stdout): its own permission
    return ::access(path.c_str(), W_OK) == 0 ? std::string() : path + " is not writable";
  }
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) {
    folder = ".";
  }
  if (!std::filesystem::is_directory(folder, error)) {
    return "the folder of " + path + " does not exist";
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    return "the folder of " + path + " is not writable";
  }
  return {};
}

/// A registered sub-command: run() is called when the user selected it.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// `airan info`: build configuration, CPU features and CUDA devices.
Command add_info_command(CLI::App& parent);

/// `airan conformance crc|ldpc|tb|pusch-tx DIR`: run a reference-data suite.
Command add_conformance_command(CLI::App& parent);

/// `airan tx --config FILE -o DIR`: transmit a scenario's PUSCHs to .npy grid and IQ files.
Command add_tx_command(CLI::App& parent);

/// `airan bench ldpc|pusch`: throughput figures with same-process baselines.
Command add_bench_command(CLI::App& parent);

/// `airan gen --config FILE -o FILE.h5`: a multi-slot HDF5 test vector through a channel model.
/// \p command_line is recorded in the file.
Command add_gen_command(CLI::App& parent, const std::string& command_line);

/// `airan replay FILE.h5`: a receiver over every slot of a test vector, TBs checked.
Command add_replay_command(CLI::App& parent);

/// `airan ru-emulator --vector FILE.h5 (--pcap OUT | --vdev ...)`: O-RU uplink U-plane.
Command add_ru_emulator_command(CLI::App& parent);

/// `airan cplane --vector FILE.h5 --pcap OUT`: the DU's uplink C-plane for a vector's slots.
Command add_cplane_command(CLI::App& parent);

/// `airan eval`: BLER/throughput against SNR for several receivers (CSV, JSON, PNG).
Command add_eval_command(CLI::App& parent, const std::string& command_line);

/// `airan pucch-eval`: PUCCH ACK missed, NACK-to-ACK, DTX-to-ACK and UCI BLER against SNR.
Command add_pucch_eval_command(CLI::App& parent);

/// `airan srs-eval`: SRS estimation accuracy (SNR, timing and TimingAdvance, per-PRB channel
/// NMSE) against SNR.
Command add_srs_eval_command(CLI::App& parent);

/// `airan prach-eval`: PRACH detection probability, false alarms and timing error against SNR
/// (TS 38.104 8.4). \p command_line is recorded in its JSON.
Command add_prach_eval_command(CLI::App& parent, const std::string& command_line);

/// `airan testmac --pattern FILE --transport udp|shm`: test MAC against the in-process FAPI L1.
Command add_testmac_command(CLI::App& parent);

/// `airan l1 --config FILE --dpdk DEVICE`: the FAPI L1 as its own process (a MAC attaches over
/// UDP or shared memory, the O-RU's U-plane comes in on a DPDK port).
Command add_l1_command(CLI::App& parent);

} // namespace airan::cli
