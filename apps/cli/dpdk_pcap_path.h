/// \file
/// \brief A capture path DPDK's net_pcap can take: its device string ("net_pcap0,rx_pcap=PATH")
/// is split at ',' and '=' and refused with a space, so a path holding one of them would name
/// another device argument (a ",tx_pcap=FILE" in a file name made the driver overwrite FILE).
#pragma once

#include <string>

namespace airan::cli {

/// The path to give net_pcap for capture \p path: \p path itself when it holds only letters,
/// digits and "/._-+~@:" (none of which the device string splits at), else a symbolic link to
/// it in a private directory made for it (mkdtemp), removed with this object. Cheap to keep for
/// the run: the driver opens the capture when the EAL probes it.
class DpdkPcapPath {
public:
  /// \throws std::runtime_error when the private directory or the link cannot be made.
  explicit DpdkPcapPath(const std::string& path);
  ~DpdkPcapPath();
  DpdkPcapPath(const DpdkPcapPath&) = delete;
  DpdkPcapPath& operator=(const DpdkPcapPath&) = delete;

  /// The path for the device string.
  [[nodiscard]] const std::string& path() const { return path_; }
  /// Whether it is a link made for \p path (which had a character the device string splits at).
  [[nodiscard]] bool linked() const { return !directory_.empty(); }

  /// Whether \p path can go into a DPDK device string as it is.
  static bool safe_in_device_string(const std::string& path);

private:
  std::string path_;
  std::string directory_; ///< The private directory holding the link; empty when none.
};

} // namespace airan::cli
