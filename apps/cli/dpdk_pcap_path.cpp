#include "dpdk_pcap_path.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <stdlib.h>
#include <unistd.h>

namespace airan::cli {

bool DpdkPcapPath::safe_in_device_string(const std::string& path) {
  return !path.empty() && std::ranges::all_of(path, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("/._-+~@:", c) != nullptr;
  });
}

DpdkPcapPath::DpdkPcapPath(const std::string& path) : path_(path) {
  if (safe_in_device_string(path)) {
    return;
  }
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path base = fs::temp_directory_path(error);
  if (error || !safe_in_device_string(base.string())) {
    base = "/tmp";
  }
  std::string pattern = (base / "airan-pcap-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) {
    throw std::runtime_error(
        "cannot make a directory for a link to capture '" + path +
        "' (its name holds a character DPDK's device string splits at): " + std::strerror(errno));
  }
  directory_ = name.data();
  const fs::path link = fs::path(directory_) / "capture.pcap";
  fs::create_symlink(fs::absolute(path, error), link, error);
  if (error) {
    fs::remove(directory_, error);
    directory_.clear();
    throw std::runtime_error("cannot link to capture '" + path + "': " + error.message());
  }
  path_ = link.string();
}

DpdkPcapPath::~DpdkPcapPath() {
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

} // namespace airan::cli
