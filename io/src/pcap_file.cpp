/// \file
/// \brief Classic libpcap file writer and reader (no libpcap dependency).
#include "airan/io/pcap_file.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

namespace airan::io {

namespace {

constexpr std::uint32_t magic_microseconds = 0xA1B2C3D4;
constexpr std::uint32_t magic_nanoseconds = 0xA1B23C4D;
constexpr std::size_t global_header_size = 24;
constexpr std::size_t record_header_size = 16;
/// Captured lengths above this are rejected whatever the snaplen says (no unbounded buffers).
constexpr std::uint32_t max_record_size = 1U << 26;
/// The largest captured length libpcap accepts on Ethernet (its max_snaplen_for_dlt()).
constexpr std::uint32_t max_ethernet_record_size = 262144;
/// A pcapng file's first block type (Section Header Block), the same in either byte order.
constexpr std::uint32_t pcapng_section_header = 0x0A0D0D0A;

std::uint32_t byte_swap(std::uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

std::uint16_t byte_swap(std::uint16_t v) {
  return static_cast<std::uint16_t>((v >> 8) | (v << 8));
}

/// Native-order field at \p offset.
template <typename T> T native_at(const std::uint8_t* p, std::size_t offset) {
  T value;
  std::memcpy(&value, p + offset, sizeof(T));
  return value;
}

template <typename T> void put_native(std::uint8_t* p, std::size_t offset, T value) {
  std::memcpy(p + offset, &value, sizeof(T));
}

} // namespace

PcapWriter::PcapWriter(const std::filesystem::path& path, PcapTimestampResolution resolution,
                       std::uint32_t snaplen, std::uint32_t link_type)
    : path_(path), file_(path, std::ios::binary | std::ios::trunc), resolution_(resolution),
      snaplen_(snaplen) {
  if (!file_) {
    throw PcapError(path.string() + ": cannot create capture file");
  }
  if (snaplen == 0) {
    throw PcapError(path.string() + ": snaplen must be positive");
  }
  std::array<std::uint8_t, global_header_size> header{};
  put_native<std::uint32_t>(
      header.data(), 0,
      resolution == PcapTimestampResolution::nanoseconds ? magic_nanoseconds : magic_microseconds);
  put_native<std::uint16_t>(header.data(), 4, 2); // version 2.4
  put_native<std::uint16_t>(header.data(), 6, 4);
  // thiszone and sigfigs stay 0.
  put_native<std::uint32_t>(header.data(), 16, snaplen);
  put_native<std::uint32_t>(header.data(), 20, link_type);
  file_.write(reinterpret_cast<const char*>(header.data()), header.size());
  if (!file_) {
    throw PcapError(path.string() + ": cannot write the global header");
  }
}

void PcapWriter::write(std::span<const std::uint8_t> frame, std::uint64_t timestamp_ns) {
  const std::uint64_t seconds = timestamp_ns / 1'000'000'000U;
  if (seconds > 0xFFFFFFFFU) {
    throw PcapError(path_.string() + ": timestamp does not fit 32-bit seconds");
  }
  if (frame.size() > 0xFFFFFFFFU) {
    throw PcapError(path_.string() + ": frame too long for a capture record");
  }
  const std::uint64_t fraction = timestamp_ns % 1'000'000'000U;
  const auto captured = static_cast<std::uint32_t>(std::min<std::size_t>(frame.size(), snaplen_));
  std::array<std::uint8_t, record_header_size> header{};
  put_native<std::uint32_t>(header.data(), 0, static_cast<std::uint32_t>(seconds));
  put_native<std::uint32_t>(
      header.data(), 4,
      static_cast<std::uint32_t>(
          resolution_ == PcapTimestampResolution::nanoseconds ? fraction : fraction / 1000));
  put_native<std::uint32_t>(header.data(), 8, captured);
  put_native<std::uint32_t>(header.data(), 12, static_cast<std::uint32_t>(frame.size()));
  file_.write(reinterpret_cast<const char*>(header.data()), header.size());
  file_.write(reinterpret_cast<const char*>(frame.data()), captured);
  if (!file_) {
    throw PcapError(path_.string() + ": write failed at record " + std::to_string(num_records_));
  }
  ++num_records_;
}

void PcapWriter::flush() {
  file_.flush();
  if (!file_) {
    throw PcapError(path_.string() + ": flush failed");
  }
}

PcapReader::PcapReader(const std::filesystem::path& path)
    : PcapReader(std::make_unique<std::ifstream>(path, std::ios::binary), path.string()) {}

PcapReader::PcapReader(std::unique_ptr<std::istream> stream, std::string name)
    : stream_(std::move(stream)), name_(std::move(name)) {
  if (!*stream_) {
    fail("cannot open capture file");
  }
  read_global_header();
}

PcapReader PcapReader::from_bytes(std::span<const std::uint8_t> bytes, const std::string& name) {
  return PcapReader(std::make_unique<std::istringstream>(
                        std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())),
                    name);
}

void PcapReader::fail(const std::string& what) const {
  throw PcapError(name_ + ": " + what);
}

void PcapReader::read_global_header() {
  std::array<std::uint8_t, global_header_size> header{};
  stream_->read(reinterpret_cast<char*>(header.data()), header.size());
  if (static_cast<std::size_t>(stream_->gcount()) != header.size()) {
    fail("shorter than the 24-byte global header");
  }
  const auto magic = native_at<std::uint32_t>(header.data(), 0);
  if (magic == magic_microseconds || magic == magic_nanoseconds) {
    swapped_ = false;
  } else if (byte_swap(magic) == magic_microseconds || byte_swap(magic) == magic_nanoseconds) {
    swapped_ = true;
  } else if (magic == pcapng_section_header) {
    fail("a pcapng file: only classic pcap is read (convert it with editcap -F pcap IN OUT)");
  } else {
    fail("not a pcap file (unknown magic number)");
  }
  const auto u32 = [&](std::size_t offset) {
    const auto v = native_at<std::uint32_t>(header.data(), offset);
    return swapped_ ? byte_swap(v) : v;
  };
  const auto u16 = [&](std::size_t offset) {
    const auto v = native_at<std::uint16_t>(header.data(), offset);
    return swapped_ ? byte_swap(v) : v;
  };
  resolution_ = u32(0) == magic_nanoseconds ? PcapTimestampResolution::nanoseconds
                                            : PcapTimestampResolution::microseconds;
  if (u16(4) != 2) {
    fail("unsupported pcap version " + std::to_string(u16(4)) + "." + std::to_string(u16(6)));
  }
  snaplen_ = u32(16);
  link_type_ = u32(20) & 0xFFFF; // the upper bits may carry FCS information
  // As libpcap: captured lengths are bounded per link type, and a snaplen of 0 or above that
  // bound stands for the bound.
  max_captured_ =
      link_type_ == pcap_link_type_ethernet ? max_ethernet_record_size : max_record_size;
  snapshot_ = snaplen_ == 0 || snaplen_ > max_captured_ ? max_captured_ : snaplen_;
}

void PcapReader::require_link_type(std::uint32_t expected) const {
  if (link_type_ == expected) {
    return;
  }
  std::string what;
  switch (link_type_) {
  case 113:
  case 276:
    what = " (Linux cooked capture: tcpdump -i any; capture on the fronthaul interface)";
    break;
  case 101:
    what = " (raw IP, no link-layer header)";
    break;
  default:
    break;
  }
  fail("link type " + std::to_string(link_type_) + what + ", not " + std::to_string(expected) +
       (expected == pcap_link_type_ethernet ? " (Ethernet)" : ""));
}

bool PcapReader::next(PcapRecord& record) {
  std::array<std::uint8_t, record_header_size> header{};
  stream_->read(reinterpret_cast<char*>(header.data()), header.size());
  const auto got = static_cast<std::size_t>(stream_->gcount());
  // Built only on failure: a record allocates nothing once the buffer has its size.
  const auto fail_record = [&](const std::string& what) {
    fail("record " + std::to_string(num_records_) + ": " + what);
  };
  if (got == 0) {
    return false;
  }
  if (got != header.size()) {
    fail_record("truncated record header (" + std::to_string(got) + " of 16 bytes)");
  }
  const auto u32 = [&](std::size_t offset) {
    const auto v = native_at<std::uint32_t>(header.data(), offset);
    return swapped_ ? byte_swap(v) : v;
  };
  const std::uint32_t seconds = u32(0);
  const std::uint32_t fraction = u32(4);
  const std::uint32_t captured = u32(8);
  const std::uint32_t original = u32(12);
  const bool nanoseconds = resolution_ == PcapTimestampResolution::nanoseconds;
  if (fraction >= (nanoseconds ? 1'000'000'000U : 1'000'000U)) {
    fail_record("sub-second timestamp out of range");
  }
  if (captured > max_captured_) {
    fail_record("captured length " + std::to_string(captured) + " exceeds the " +
                std::to_string(max_captured_) + "-byte limit of link type " +
                std::to_string(link_type_));
  }
  // A record longer than the snaplen (old or damaged writers) is cut to it, the rest skipped,
  // as libpcap (DPDK's net_pcap) reads it; a captured length above the original one is kept.
  const std::uint32_t kept = std::min(captured, snapshot_);
  buffer_.resize(kept);
  stream_->read(reinterpret_cast<char*>(buffer_.data()), kept);
  std::size_t read = static_cast<std::size_t>(stream_->gcount());
  if (kept < captured && read == kept) {
    stream_->ignore(captured - kept);
    read += static_cast<std::size_t>(stream_->gcount());
  }
  if (read != captured) {
    fail_record("truncated packet data (" + std::to_string(read) + " of " +
                std::to_string(captured) + " bytes)");
  }
  if (kept < captured) {
    ++num_cut_to_snaplen_;
  }
  record.timestamp_ns = std::uint64_t{seconds} * 1'000'000'000U +
                        (nanoseconds ? fraction : std::uint64_t{fraction} * 1000U);
  record.original_length = original;
  record.data = buffer_;
  ++num_records_;
  return true;
}

} // namespace airan::io
