/// \file
/// \brief cpu_features(): GCC's CPU model (cpuid and xgetbv, read by libgcc) queried once.
#include "airan/phy/cpu_features.h"

namespace airan::phy {

namespace {

CpuFeatures read_cpu_features() {
  CpuFeatures features;
#if defined(__x86_64__) || defined(__i386__)
  // Needed before __builtin_cpu_supports() when called during static initialisation.
  __builtin_cpu_init();
  features.avx2 = __builtin_cpu_supports("avx2") != 0;
  features.fma = __builtin_cpu_supports("fma") != 0;
  features.pclmul = __builtin_cpu_supports("pclmul") != 0;
  features.avx512f = __builtin_cpu_supports("avx512f") != 0;
  features.avx512bw = __builtin_cpu_supports("avx512bw") != 0;
  features.avx512dq = __builtin_cpu_supports("avx512dq") != 0;
  features.avx512vl = __builtin_cpu_supports("avx512vl") != 0;
  features.avx512vbmi = __builtin_cpu_supports("avx512vbmi") != 0;
#endif
  return features;
}

} // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = read_cpu_features();
  return features;
}

std::string cpu_feature_names(const CpuFeatures& features) {
  std::string names;
  const auto add = [&names](bool present, const char* name) {
    if (present) {
      names += names.empty() ? "" : " ";
      names += name;
    }
  };
  add(features.avx2, "avx2");
  add(features.fma, "fma");
  add(features.pclmul, "pclmul");
  add(features.avx512f, "avx512f");
  add(features.avx512bw, "avx512bw");
  add(features.avx512dq, "avx512dq");
  add(features.avx512vl, "avx512vl");
  add(features.avx512vbmi, "avx512vbmi");
  return names.empty() ? "none" : names;
}

} // namespace airan::phy
