#include "airan/apps/conformance.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <ostream>

namespace airan::apps {

std::size_t SuiteResult::num_passed() const {
  return static_cast<std::size_t>(
      std::count_if(cases.begin(), cases.end(), [](const CaseResult& c) { return c.passed; }));
}

SuiteResult run_cases(const std::vector<ConformanceCase>& cases,
                      const std::function<CaseResult(const ConformanceCase&)>& runner,
                      std::ostream* out) {
  SuiteResult suite;
  for (const auto& conformance_case : cases) {
    CaseResult result;
    try {
      result = runner(conformance_case);
    } catch (const std::exception& e) {
      result.passed = false;
      result.detail = std::string("error: ") + e.what();
    }
    result.name = conformance_case.name;
    if (out != nullptr) {
      char error[32];
      std::snprintf(error, sizeof(error), "%.3g", result.worst_error);
      *out << (result.passed ? "PASS " : "FAIL ") << result.name << "  worst error " << error
           << "  " << result.detail << '\n';
    }
    suite.cases.push_back(std::move(result));
  }
  if (out != nullptr) {
    *out << suite.num_passed() << " passed, " << suite.num_failed() << " failed" << std::endl;
  }
  return suite;
}

std::vector<ConformanceCase> list_case_dirs(const std::filesystem::path& dir,
                                            const std::string& prefix) {
  std::vector<ConformanceCase> cases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with(prefix)) {
      cases.push_back({name, entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

std::vector<ConformanceCase> list_case_files(const std::filesystem::path& dir,
                                             const std::string& suffix) {
  std::vector<ConformanceCase> cases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() && name.ends_with(suffix)) {
      cases.push_back({name.substr(0, name.size() - suffix.size()), entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

std::size_t count_bit_mismatches(std::span<const phy::bit_t> a, std::span<const phy::bit_t> b) {
  const std::size_t common = std::min(a.size(), b.size());
  std::size_t mismatches = std::max(a.size(), b.size()) - common;
  for (std::size_t i = 0; i < common; ++i) {
    mismatches += a[i] != b[i] ? 1 : 0;
  }
  return mismatches;
}

} // namespace airan::apps
