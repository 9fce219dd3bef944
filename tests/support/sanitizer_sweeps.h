/// \file
/// \brief How much of an exhaustive sweep a test runs in the sanitizer tree.
///
/// CI runs every test twice: optimised (the release tree, which runs every case of every sweep)
/// and under AddressSanitizer + UndefinedBehaviorSanitizer (scripts/test), where the same loops
/// run 4 to 12 times slower. What the sanitizers look for, an out-of-bounds access or undefined
/// arithmetic, is in the code paths a sweep reaches, not in how many random draws reach them; so
/// the sanitizer tree runs an evenly spread subset of a long sweep (every n-th case, each path of
/// the sweep still among them) and skips the purely statistical tests, which the release tree
/// runs in full. Tolerances are never relaxed: a case that runs is checked as in the release tree.
#pragma once

namespace airan::test {

/// True when this program is built with AddressSanitizer (gcc or clang).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool built_with_sanitizers = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool built_with_sanitizers = true;
#else
inline constexpr bool built_with_sanitizers = false;
#endif
#else
inline constexpr bool built_with_sanitizers = false;
#endif

/// What a statistical test skipped under the sanitizers says.
inline constexpr const char* statistical_test_skipped =
    "a statistical test: the release tree runs it (the sanitizers check memory, not statistics)";

/// The stride of a sweep: \p sanitizer_stride in the sanitizer tree, 1 (every case) otherwise.
constexpr unsigned sweep_stride(unsigned sanitizer_stride) {
  return built_with_sanitizers ? sanitizer_stride : 1U;
}

/// Whether the sweep's case number \p index runs: every case in the release tree, every
/// \p sanitizer_stride-th one (starting at the first) under the sanitizers.
constexpr bool runs_in_this_tree(unsigned index, unsigned sanitizer_stride) {
  return index % sweep_stride(sanitizer_stride) == 0;
}

} // namespace airan::test
