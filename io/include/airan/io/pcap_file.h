/// \file
/// \brief Classic libpcap capture files (the format of tcpdump and Wireshark, not pcapng),
/// written and read without libpcap: microsecond or nanosecond timestamps, any link type
/// (Ethernet by default), either byte order on reading.
///
/// Layout: a 24-byte global header (magic 0xA1B2C3D4 for microseconds or 0xA1B23C4D for
/// nanoseconds, version 2.4, zone 0, sigfigs 0, snaplen, link type), then per packet a 16-byte
/// record header (seconds, micro- or nanoseconds, captured length, original length) and the
/// captured bytes. The reader treats every inconsistency (short header, unknown magic, a pcapng
/// file, record cut short, captured length above libpcap's bound for the link type, sub-second
/// field out of range) as a PcapError naming the file and the record, never as a crash or a
/// guess. What libpcap (and so DPDK's net_pcap) reads, it reads the same way: a record longer
/// than the snaplen is cut to it (and counted), one longer than its original length is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::io {

/// A malformed, truncated or unreadable capture file, or a failed write.
class PcapError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class PcapTimestampResolution : std::uint8_t { microseconds, nanoseconds };

/// LINKTYPE_ETHERNET.
inline constexpr std::uint32_t pcap_link_type_ethernet = 1;
/// Snapshot length tcpdump uses by default.
inline constexpr std::uint32_t pcap_default_snaplen = 262144;

/// Writes a capture file record by record (buffered; the destructor flushes).
class PcapWriter {
public:
  /// Creates (truncates) \p path and writes the global header.
  /// \throws PcapError when the file cannot be written.
  explicit PcapWriter(const std::filesystem::path& path,
                      PcapTimestampResolution resolution = PcapTimestampResolution::nanoseconds,
                      std::uint32_t snaplen = pcap_default_snaplen,
                      std::uint32_t link_type = pcap_link_type_ethernet);

  /// Appends one packet captured at \p timestamp_ns (nanoseconds since the Unix epoch; a
  /// microsecond file truncates it to microseconds). A frame longer than snaplen is stored cut
  /// to snaplen with its full length as the original length.
  /// \throws PcapError on a write error or a timestamp past 2106 (32-bit seconds).
  void write(std::span<const std::uint8_t> frame, std::uint64_t timestamp_ns);

  /// Pushes buffered records to the file. \throws PcapError on a write error.
  void flush();

  [[nodiscard]] std::size_t num_records() const { return num_records_; }

private:
  std::filesystem::path path_;
  std::ofstream file_;
  PcapTimestampResolution resolution_;
  std::uint32_t snaplen_;
  std::size_t num_records_ = 0;
};

/// One packet of a capture file; data is valid until the reader's next call.
struct PcapRecord {
  std::uint64_t timestamp_ns = 0;     ///< Nanoseconds since the Unix epoch.
  std::uint32_t original_length = 0;  ///< Length on the wire.
  std::span<const std::uint8_t> data; ///< The captured bytes (at most snaplen).
};

/// Reads a capture file record by record, reusing one buffer.
class PcapReader {
public:
  /// Opens \p path and reads the global header. \throws PcapError on any problem.
  explicit PcapReader(const std::filesystem::path& path);

  /// Reads a capture held in memory (\p name is used in messages). \throws PcapError.
  static PcapReader from_bytes(std::span<const std::uint8_t> bytes,
                               const std::string& name = "memory");

  /// Reads the next record into \p record; false at the end of the file (exactly after a
  /// record). \throws PcapError for a truncated or inconsistent record.
  bool next(PcapRecord& record);

  [[nodiscard]] PcapTimestampResolution resolution() const { return resolution_; }
  [[nodiscard]] std::uint32_t snaplen() const { return snaplen_; }
  [[nodiscard]] std::uint32_t link_type() const { return link_type_; }
  /// \throws PcapError naming the file's link type when it is not \p expected (a capture of
  /// `tcpdump -i any` is Linux cooked, not Ethernet).
  void require_link_type(std::uint32_t expected) const;
  /// Records so far whose captured length exceeded the snaplen (cut to it, as libpcap does).
  [[nodiscard]] std::size_t num_cut_to_snaplen() const { return num_cut_to_snaplen_; }
  /// True when the file was written in the other byte order than this machine's.
  [[nodiscard]] bool byte_swapped() const { return swapped_; }

private:
  PcapReader(std::unique_ptr<std::istream> stream, std::string name);
  void read_global_header();
  [[noreturn]] void fail(const std::string& what) const;

  std::unique_ptr<std::istream> stream_;
  std::string name_;
  PcapTimestampResolution resolution_ = PcapTimestampResolution::microseconds;
  std::uint32_t snaplen_ = 0;
  std::uint32_t link_type_ = 0;
  std::uint32_t max_captured_ = 0; ///< libpcap's bound on a record for the link type.
  std::uint32_t snapshot_ = 0;     ///< The snaplen as libpcap applies it.
  bool swapped_ = false;
  std::size_t num_records_ = 0;
  std::size_t num_cut_to_snaplen_ = 0;
  std::vector<std::uint8_t> buffer_;
};

} // namespace airan::io
