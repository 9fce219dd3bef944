#include "airan/io/fapi_shm_transport.h"

#include "fapi_shm_layout.h"
#include "fapi_transport_counters.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <thread>

namespace airan::io {

using fapi_detail::AtomicTransportCounters;
using fapi_detail::ShmRing;
using fapi_detail::ShmSegmentHeader;

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw FapiTransportError("FAPI shared memory '" + name + "': " + what);
}

std::string errno_text() {
  return std::strerror(errno);
}

/// Maps \p fd (\p size bytes) shared; closes fd either way unless \p keep_open.
std::uint8_t* map_segment(int fd, std::size_t size, const std::string& name,
                          bool keep_open = false) {
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const std::string reason = memory == MAP_FAILED ? errno_text() : "";
  if (!keep_open || memory == MAP_FAILED) {
    ::close(fd);
  }
  if (memory == MAP_FAILED) {
    fail(name, "mmap: " + reason);
  }
  return static_cast<std::uint8_t*>(memory);
}

/// Removes the segment \p name left by a PHY that ended without destroying its end; refuses one
/// that a live PHY serves (it holds an exclusive flock on its segment for its lifetime).
void remove_stale_segment(const std::string& name) {
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) {
    return; // none (or not ours to open: shm_open with O_EXCL says so below)
  }
  const bool served = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  if (served) {
    fail(name, "a running PHY serves this segment (choose another name, or stop that PHY)");
  }
  ::shm_unlink(name.c_str());
}

/// Whether \p name still names the segment open as \p fd (not one a later PHY created).
bool names_segment(const std::string& name, int fd) {
  struct stat ours {};
  struct stat named {};
  const int other = ::shm_open(name.c_str(), O_RDONLY, 0);
  if (other < 0) {
    return false;
  }
  const bool same = ::fstat(fd, &ours) == 0 && ::fstat(other, &named) == 0 &&
                    ours.st_dev == named.st_dev && ours.st_ino == named.st_ino;
  ::close(other);
  return same;
}

/// Where create() puts the PHY -> MAC direction: after the header, on a cache line (the only
/// offset attach() accepts).
constexpr std::uint64_t first_direction_offset() {
  return (sizeof(ShmSegmentHeader) + fapi_detail::cache_line_size - 1) /
         fapi_detail::cache_line_size * fapi_detail::cache_line_size;
}

bool process_alive(std::int32_t pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

FapiShmConfig config_of(const ShmSegmentHeader& header) {
  return {header.ring_capacity, header.message_slot_size, header.payload_buffer_count,
          header.payload_buffer_size};
}

} // namespace

struct FapiShmTransport::Impl {
  std::string name;
  FapiShmRole role = FapiShmRole::phy;
  std::uint8_t* base = nullptr;
  std::size_t size = 0;
  int lock_fd = -1;     ///< The PHY's segment, open and flock()ed while it serves it.
  bool claimed = false; ///< The MAC end holds the segment's mac_pid (release it on destruction).
  FapiShmConfig config;
  ShmRing tx;
  ShmRing rx;
  AtomicTransportCounters counters;

  ShmSegmentHeader& header() const {
    return *std::launder(reinterpret_cast<ShmSegmentHeader*>(base));
  }

  /// Rings: direction 0 is PHY -> MAC, direction 1 MAC -> PHY.
  void bind_rings() {
    const ShmSegmentHeader& h = header();
    ShmRing phy_to_mac(base + h.direction_offset[0], config);
    ShmRing mac_to_phy(base + h.direction_offset[1], config);
    tx = role == FapiShmRole::phy ? phy_to_mac : mac_to_phy;
    rx = role == FapiShmRole::phy ? mac_to_phy : phy_to_mac;
  }
};

FapiShmTransport::FapiShmTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<FapiShmTransport> FapiShmTransport::create(const std::string& name,
                                                           const FapiShmConfig& config) {
  if (const char* problem = fapi_detail::check_shm_config(config); *problem != '\0') {
    fail(name, problem);
  }
  const std::size_t size = fapi_detail::shm_segment_size(config);
  remove_stale_segment(name); // one left by a PHY that died; a live PHY's is refused
  const int fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) {
    fail(name, "shm_open: " + errno_text());
  }
  // Held until this end is destroyed (or the process ends): another PHY's create() sees it.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const std::string reason = errno_text();
    ::close(fd);
    fail(name, "flock: " + reason + " (another PHY is creating this segment)");
  }
  // Another PHY starting at the same moment may have taken this segment for a stale one (before
  // the lock) and put its own under the name: this one would then serve a segment no MAC finds.
  if (!names_segment(name, fd)) {
    ::close(fd);
    fail(name, "another PHY took the name while this one created its segment");
  }
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    const std::string reason = errno_text();
    ::close(fd);
    ::shm_unlink(name.c_str());
    fail(name, "ftruncate to " + std::to_string(size) + " bytes: " + reason);
  }
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->role = FapiShmRole::phy;
  impl->size = size;
  impl->config = config;
  try {
    impl->base = map_segment(fd, size, name, true);
  } catch (...) {
    ::shm_unlink(name.c_str());
    throw;
  }
  impl->lock_fd = fd;
  auto* header = new (impl->base) ShmSegmentHeader{};
  header->magic = fapi_detail::shm_magic;
  header->version = fapi_shm_layout_version;
  header->header_size = sizeof(ShmSegmentHeader);
  header->segment_size = size;
  header->ring_capacity = config.ring_capacity;
  header->message_slot_size = config.message_slot_size;
  header->payload_buffer_count = config.payload_buffer_count;
  header->payload_buffer_size = config.payload_buffer_size;
  const std::size_t direction_size = fapi_detail::shm_direction_layout(config).size;
  header->direction_offset[0] = first_direction_offset();
  header->direction_offset[1] = header->direction_offset[0] + direction_size;
  impl->bind_rings();
  impl->tx.initialise();
  impl->rx.initialise();
  header->ready.store(1, std::memory_order_release);
  return std::unique_ptr<FapiShmTransport>(new FapiShmTransport(std::move(impl)));
}

std::unique_ptr<FapiShmTransport> FapiShmTransport::attach(const std::string& name) {
  const int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) {
    fail(name, errno == ENOENT ? "segment does not exist (is the PHY running?)"
                               : "shm_open: " + errno_text());
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const std::string reason = errno_text();
    ::close(fd);
    fail(name, "fstat: " + reason);
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  if (size < sizeof(ShmSegmentHeader)) {
    ::close(fd);
    fail(name, "segment is " + std::to_string(size) +
                   " bytes, smaller than its header (or a PHY is still creating it)");
  }
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->role = FapiShmRole::mac;
  impl->size = size;
  impl->base = map_segment(fd, size, name);
  auto transport = std::unique_ptr<FapiShmTransport>(new FapiShmTransport(std::move(impl)));
  Impl& s = *transport->impl_;
  ShmSegmentHeader& header = s.header();
  if (header.magic != fapi_detail::shm_magic) {
    fail(name, "not an airan FAPI segment (bad magic; or a PHY is still creating it)");
  }
  if (header.version != fapi_shm_layout_version) {
    fail(name, "layout version " + std::to_string(header.version) + ", this build speaks " +
                   std::to_string(fapi_shm_layout_version));
  }
  if (header.ready.load(std::memory_order_acquire) == 0) {
    fail(name, "segment not initialised yet (the PHY is still creating it)");
  }
  s.config = config_of(header);
  const std::size_t direction_size = fapi_detail::shm_direction_layout(s.config).size;
  if (*fapi_detail::check_shm_config(s.config) != '\0' ||
      header.header_size != sizeof(ShmSegmentHeader) || header.segment_size != size ||
      fapi_detail::shm_segment_size(s.config) != size ||
      header.direction_offset[0] != first_direction_offset() ||
      header.direction_offset[1] != header.direction_offset[0] + direction_size ||
      header.direction_offset[1] + direction_size > size) {
    fail(name, "size mismatch: the file has " + std::to_string(size) + " bytes, its header says " +
                   std::to_string(header.segment_size) + " and its parameters need " +
                   std::to_string(fapi_detail::shm_segment_size(s.config)));
  }
  const std::int32_t self = static_cast<std::int32_t>(::getpid());
  std::int32_t current = 0;
  while (!header.mac_pid.compare_exchange_strong(current, self, std::memory_order_acq_rel)) {
    if (process_alive(current)) {
      fail(name, "already has a MAC attached (pid " + std::to_string(current) + ")");
    }
    // A MAC that died without detaching: take its place (current now holds its pid).
  }
  s.claimed = true;
  s.bind_rings();
  transport->discard_received(); // a dead MAC's unread indications are not this MAC's
  return transport;
}

std::size_t FapiShmTransport::discard_received() {
  std::size_t dropped = 0;
  // At most a ring's worth: a peer that keeps sending does not hold the caller here.
  for (std::uint32_t i = 0; i < impl_->config.ring_capacity; ++i) {
    std::size_t size = 0;
    // No buffer: a unit with bytes is consumed as too large, an empty one as ok.
    const auto result = impl_->rx.pop({}, size);
    if (result == ShmRing::PopResult::empty) {
      break;
    }
    ++dropped; // malformed or too large ones go too
  }
  AtomicTransportCounters::add(impl_->counters.dropped_stale, dropped);
  return dropped;
}

FapiShmTransport::~FapiShmTransport() {
  if (impl_->base == nullptr) {
    return;
  }
  if (impl_->claimed) { // not an attach() that failed: that must not free a live MAC's claim
    std::int32_t self = static_cast<std::int32_t>(::getpid());
    impl_->header().mac_pid.compare_exchange_strong(self, 0, std::memory_order_acq_rel);
  }
  ::munmap(impl_->base, impl_->size);
  if (impl_->role == FapiShmRole::phy) {
    // Only while the name is still this segment's: not one a later PHY created after this
    // one's was removed as stale.
    if (names_segment(impl_->name, impl_->lock_fd)) {
      ::shm_unlink(impl_->name.c_str());
    }
    ::close(impl_->lock_fd);
  }
}

FapiShmRole FapiShmTransport::role() const {
  return impl_->role;
}

FapiShmConfig FapiShmTransport::config() const {
  return impl_->config;
}

std::size_t FapiShmTransport::segment_size() const {
  return impl_->size;
}

std::size_t FapiShmTransport::max_message_size() const {
  const FapiShmConfig& c = impl_->config;
  return std::max<std::size_t>(c.message_slot_size,
                               c.payload_buffer_count > 0 ? c.payload_buffer_size : 0);
}

FapiTransportCounters FapiShmTransport::counters() const {
  return impl_->counters.snapshot();
}

FapiTransportStatus FapiShmTransport::send(std::span<const std::uint8_t> unit) {
  const FapiTransportStatus status = impl_->tx.push(unit);
  if (status == FapiTransportStatus::ok) {
    AtomicTransportCounters::add(impl_->counters.messages_sent);
    AtomicTransportCounters::add(impl_->counters.bytes_sent, unit.size());
  } else if (status == FapiTransportStatus::would_block) {
    AtomicTransportCounters::add(impl_->counters.send_would_block);
  }
  return status;
}

FapiReceiveResult FapiShmTransport::receive(std::span<std::uint8_t> buffer,
                                            std::chrono::microseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Malformed descriptors already queued are skipped past the deadline (a zero timeout
  // included), so that the units behind them are not left for the next call; at most a ring's
  // worth, so that a peer writing nothing else still lets the call return.
  std::size_t malformed_past_deadline = 0;
  for (unsigned attempt = 0;; ++attempt) {
    std::size_t size = 0;
    switch (impl_->rx.pop(buffer, size)) {
    case ShmRing::PopResult::ok:
      AtomicTransportCounters::add(impl_->counters.messages_received);
      AtomicTransportCounters::add(impl_->counters.bytes_received, size);
      return {FapiTransportStatus::ok, size};
    case ShmRing::PopResult::too_large:
      AtomicTransportCounters::add(impl_->counters.dropped_too_large);
      return {FapiTransportStatus::too_large, 0};
    case ShmRing::PopResult::malformed:
      AtomicTransportCounters::add(impl_->counters.dropped_malformed);
      if (std::chrono::steady_clock::now() < deadline ||
          ++malformed_past_deadline <= impl_->config.ring_capacity) {
        continue;
      }
      break;
    case ShmRing::PopResult::empty:
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      AtomicTransportCounters::add(impl_->counters.receive_timeouts);
      return {FapiTransportStatus::timeout, 0};
    }
    // Back off: spin briefly (a unit is usually close), then yield, then sleep in short steps.
    if (attempt < 64) {
      continue;
    }
    if (attempt < 128) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

} // namespace airan::io
