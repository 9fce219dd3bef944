/// \file
/// \brief The x86 instruction-set extensions of the CPU running the process, read once: the one
/// place where the SIMD kernels' run-time choices (CPU reference receiver, fronthaul BFP, ONNX
/// runtime) and `airan info` learn what the CPU offers.
#pragma once

#include <string>

namespace airan::phy {

/// Extensions that airan's kernels are compiled for (GCC target attributes), each true when the
/// CPU and the operating system (saved register state) support it. All false off x86.
struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool pclmul = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512vbmi = false;

  /// AVX2 with fused multiply-add: target("avx2,fma").
  [[nodiscard]] bool avx2_fma() const { return avx2 && fma; }
  /// Carry-less multiplication beside AVX2: target("pclmul,avx2").
  [[nodiscard]] bool pclmul_avx2() const { return pclmul && avx2; }
  /// AVX-512 with byte/word operations: target("avx2,avx512f,avx512bw").
  [[nodiscard]] bool avx512_bw() const { return avx2 && avx512f && avx512bw; }
  /// target("avx2,avx512f,avx512bw,avx512dq,avx512vl").
  [[nodiscard]] bool avx512_bw_dq_vl() const { return avx512_bw() && avx512dq && avx512vl; }
  /// AVX-512 byte permutes: target("avx2,avx512f,avx512bw,avx512vbmi").
  [[nodiscard]] bool avx512_vbmi() const { return avx512_bw() && avx512vbmi; }
};

/// This CPU's features, read on the first call (thread-safe) and kept.
const CpuFeatures& cpu_features();

/// The names of the features present, separated by spaces ("avx2 fma pclmul avx512f ..."), or
/// "none".
std::string cpu_feature_names(const CpuFeatures& features);

} // namespace airan::phy
