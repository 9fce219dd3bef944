/// \file
/// \brief The PRACH configuration TLVs of CONFIG.request (SCF 222.10.02 Table 3-24): decoding TLV
/// by TLV into FapiPrachConfig, the checks that need the whole message, and encoding. The
/// per-FD-occasion TLVs (0x1015 .. 0x101A) come once per occasion, each occasion starting with its
/// prachRootSequenceIndex (0x1015), as 222.10.02 orders them.
#pragma once

#include "airan/io/fapi_prach_messages.h"
#include "airan/io/fapi_types.h"
#include "fapi_byte_io.h"
#include "fapi_codec_common.h"

#include <array>
#include <cstddef>

namespace airan::io::fapi_detail {

/// Reads the PRACH TLVs of one CONFIG.request into a FapiPrachConfig, keeping what the checks at
/// the end need (how many unusedRootSequences each occasion listed, where the TLVs were).
class PrachConfigTlvReader {
public:
  /// \param out Cleared here, then filled TLV by TLV.
  explicit PrachConfigTlvReader(FapiPrachConfig& out);

  /// Applies \p tlv when it is a PRACH TLV (\p matched tells). False, with \p error set
  /// (MSG_INVALID_CONFIG), on a bad length or range, a duplicate within its scope, an occasion TLV
  /// before the first prachRootSequenceIndex, or more occasions / unused root sequences than fit.
  bool apply(const RawTlv& tlv, bool& matched, FapiError& error);

  /// After the message's last TLV: numPrachFdOccasions (1, 2, 4 or 8) must equal the occasions
  /// sent, and each occasion must list numUnusedRootSequences unusedRootSequences.
  [[nodiscard]] FapiError finish() const;

private:
  FapiPrachConfig& out_;
  std::array<std::size_t, fapi_max_prach_fd_occasions> unused_listed_{};
  std::array<std::size_t, fapi_max_prach_fd_occasions> occasion_offset_{};
  std::size_t count_offset_ = 0; ///< Offset of the numPrachFdOccasions TLV.
};

/// Checks \p config before encoding: every range, every occasion has its
/// prachRootSequenceIndex, and what PrachConfigTlvReader::finish() checks.
FapiError check_prach_config(const FapiPrachConfig& config);

/// Writes the PRACH TLVs present in \p config (0x1011, 0x1012, 0x1013, 0x1014, 0x1029, per
/// occasion 0x1015 .. 0x101A, then 0x101B, 0x101C), adding their number to \p count.
void write_prach_config(ByteWriter& writer, const FapiPrachConfig& config, std::size_t& count);

} // namespace airan::io::fapi_detail
