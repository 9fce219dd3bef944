/// \file
/// \brief A one-line progress bar with an ETA on a terminal (stderr); silent when stderr is not
/// a TTY, so logs and CI output stay clean.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace airan::cli {

/// Progress of a long command, redrawn in place at most 10 times a second.
class ProgressBar {
public:
  explicit ProgressBar(std::string name)
      : name_(std::move(name)), enabled_(isatty(STDERR_FILENO) == 1),
        start_(std::chrono::steady_clock::now()) {}

  /// \p fraction in 0 .. 1, \p label what is running now.
  void update(double fraction, const std::string& label) {
    if (!enabled_) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) {
      return;
    }
    last_ = now;
    fraction = fraction < 0.0 ? 0.0 : (fraction > 1.0 ? 1.0 : fraction);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    char eta[32] = "--:--";
    if (fraction > 0.001) {
      const auto remaining = static_cast<long>(elapsed * (1.0 - fraction) / fraction);
      std::snprintf(eta, sizeof eta, "%ld:%02ld", remaining / 60, remaining % 60);
    }
    std::fprintf(stderr, "\r%s [%s] %5.1f%% ETA %s  %s\033[K", name_.c_str(), bar.c_str(),
                 100.0 * fraction, eta, label.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  /// Clears the line.
  void finish() {
    if (enabled_ && drawn_) {
      std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    }
  }

private:
  std::string name_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

} // namespace airan::cli
