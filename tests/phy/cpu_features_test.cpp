// cpu_features() agrees with the kernel's view of the CPU (the "flags" line of /proc/cpuinfo,
// which omits extensions whose register state the operating system does not save), the
// composite checks require every extension of their target attribute, cpu_feature_names()
// lists what is present in a fixed order, and the run-time choices of the SIMD kernels follow it.
#include "airan/phy/cpu_features.h"

#include "airan/phy/ldpc_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

using namespace airan::phy;

/// The words of /proc/cpuinfo's first "flags" line; empty where there is none.
std::set<std::string> proc_cpuinfo_flags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.starts_with("flags")) {
      std::istringstream words(line.substr(line.find(':') + 1));
      std::set<std::string> flags;
      for (std::string word; words >> word;) {
        flags.insert(word);
      }
      return flags;
    }
  }
  return {};
}

TEST(CpuFeatures, AgreeWithTheKernelsCpuFlags) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "x86-64 only";
#endif
  const auto flags = proc_cpuinfo_flags();
  if (flags.empty()) {
    GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  }
  const CpuFeatures& features = cpu_features();
  EXPECT_EQ(features.avx2, flags.contains("avx2"));
  EXPECT_EQ(features.fma, flags.contains("fma"));
  EXPECT_EQ(features.pclmul, flags.contains("pclmulqdq"));
  EXPECT_EQ(features.avx512f, flags.contains("avx512f"));
  EXPECT_EQ(features.avx512bw, flags.contains("avx512bw"));
  EXPECT_EQ(features.avx512dq, flags.contains("avx512dq"));
  EXPECT_EQ(features.avx512vl, flags.contains("avx512vl"));
  EXPECT_EQ(features.avx512vbmi, flags.contains("avx512vbmi"));
  EXPECT_EQ(&features, &cpu_features()) << "read once and kept";
}

TEST(CpuFeatures, CompositesNeedEveryExtensionOfTheirTarget) {
  CpuFeatures all;
  all.avx2 = all.fma = all.pclmul = all.avx512f = all.avx512bw = all.avx512dq = all.avx512vl =
      all.avx512vbmi = true;
  EXPECT_TRUE(all.avx2_fma());
  EXPECT_TRUE(all.pclmul_avx2());
  EXPECT_TRUE(all.avx512_bw());
  EXPECT_TRUE(all.avx512_bw_dq_vl());
  EXPECT_TRUE(all.avx512_vbmi());
  for (bool CpuFeatures::*member :
       {&CpuFeatures::avx2, &CpuFeatures::fma, &CpuFeatures::pclmul, &CpuFeatures::avx512f,
        &CpuFeatures::avx512bw, &CpuFeatures::avx512dq, &CpuFeatures::avx512vl,
        &CpuFeatures::avx512vbmi}) {
    CpuFeatures one_missing = all;
    one_missing.*member = false;
    const bool avx2 = member != &CpuFeatures::avx2;
    const bool avx512_bw =
        avx2 && member != &CpuFeatures::avx512f && member != &CpuFeatures::avx512bw;
    EXPECT_EQ(one_missing.avx2_fma(), avx2 && member != &CpuFeatures::fma);
    EXPECT_EQ(one_missing.pclmul_avx2(), avx2 && member != &CpuFeatures::pclmul);
    EXPECT_EQ(one_missing.avx512_bw(), avx512_bw);
    EXPECT_EQ(one_missing.avx512_bw_dq_vl(),
              avx512_bw && member != &CpuFeatures::avx512dq && member != &CpuFeatures::avx512vl);
    EXPECT_EQ(one_missing.avx512_vbmi(), avx512_bw && member != &CpuFeatures::avx512vbmi);
  }
  EXPECT_FALSE(CpuFeatures{}.avx2_fma());
  EXPECT_FALSE(CpuFeatures{}.avx512_bw());
}

TEST(CpuFeatures, NamesInAFixedOrder) {
  EXPECT_EQ(cpu_feature_names(CpuFeatures{}), "none");
  CpuFeatures some;
  some.avx512vl = true;
  some.avx2 = true;
  some.pclmul = true;
  EXPECT_EQ(cpu_feature_names(some), "avx2 pclmul avx512vl");
  some.avx512vbmi = some.fma = some.avx512f = some.avx512bw = some.avx512dq = true;
  EXPECT_EQ(cpu_feature_names(some),
            "avx2 fma pclmul avx512f avx512bw avx512dq avx512vl avx512vbmi");
}

TEST(CpuFeatures, TheLdpcDecodersRunWhereTheCpuHasTheirExtensions) {
  const CpuFeatures& features = cpu_features();
  const auto supported = ldpc_decoder_supported_impls();
  const auto has = [&supported](LdpcDecoderImpl impl) {
    return std::find(supported.begin(), supported.end(), impl) != supported.end();
  };
  EXPECT_TRUE(has(LdpcDecoderImpl::scalar));
  if (!features.avx2) {
    EXPECT_FALSE(has(LdpcDecoderImpl::avx2));
  }
  if (!features.avx512_bw()) {
    EXPECT_FALSE(has(LdpcDecoderImpl::avx512));
  }
#if defined(__x86_64__) && defined(__GNUC__)
  // Both kernels are compiled on every x86-64 build (target attributes).
  EXPECT_EQ(has(LdpcDecoderImpl::avx2), features.avx2);
  EXPECT_EQ(has(LdpcDecoderImpl::avx512), features.avx512_bw());
#endif
}

} // namespace
