/// \file
/// \brief Modulation and coding scheme tables of TS 38.214 5.1.3.1 (Tables 5.1.3.1-1, -2, -3),
/// used for PUSCH without transform precoding, and Tables 6.1.4.1-1 and -2 for PUSCH with
/// transform precoding (TS 38.214 6.1.4.1).
#pragma once

#include <cstdint>

namespace airan::phy {

/// Which MCS index table applies.
enum class McsTable : std::uint8_t {
  qam64 = 1,        ///< TS 38.214 Table 5.1.3.1-1 (up to 64-QAM).
  qam256 = 2,       ///< TS 38.214 Table 5.1.3.1-2 (up to 256-QAM).
  qam64_low_se = 3, ///< TS 38.214 Table 5.1.3.1-3 (64-QAM, low spectral efficiency).
  /// TS 38.214 Table 6.1.4.1-1: PUSCH with transform precoding and 64-QAM (MCS 0 and 1 are
  /// pi/2-BPSK with tp-pi2BPSK, QPSK otherwise).
  transform_precoding_qam64 = 4,
  /// TS 38.214 Table 6.1.4.1-2: PUSCH with transform precoding, 64-QAM, low spectral efficiency
  /// (mcs-TableTransformPrecoder qam64LowSE; MCS 0 to 5 are pi/2-BPSK with tp-pi2BPSK, QPSK
  /// otherwise, at half the code rate).
  transform_precoding_qam64_low_se = 5,
};

/// True for the tables of PUSCH with transform precoding (Tables 6.1.4.1-1 and -2).
constexpr bool is_transform_precoding_table(McsTable table) {
  return table == McsTable::transform_precoding_qam64 ||
         table == McsTable::transform_precoding_qam64_low_se;
}

/// Number of MCS indices in every table (0 .. 31).
constexpr unsigned num_mcs_indices = 32;

/// One row of an MCS table.
struct McsEntry {
  unsigned modulation_order = 0; ///< Q_m, bits per modulation symbol.
  /// Target code rate R * 1024 * 10 (the FAPI unit, exact for the half-integer entries such as
  /// 682.5); 0 for a reserved entry.
  std::uint32_t code_rate_x10240 = 0;
  double spectral_efficiency = 0.0; ///< As printed in the table; 0 for a reserved entry.
  /// True for the "reserved" rows (retransmissions): Q_m is given, the code rate is not.
  bool reserved = false;

  /// Target code rate R as a fraction (0 for a reserved entry).
  [[nodiscard]] double code_rate() const { return code_rate_x10240 / 10240.0; }
};

/// Row \p mcs_index of \p table; \p pi2bpsk (tp-pi2BPSK) sets q = 1 for the rows of Tables
/// 6.1.4.1-1 and -2 whose Q_m is q (otherwise q = 2). \throws std::invalid_argument when mcs_index
/// > 31.
McsEntry mcs_entry(McsTable table, unsigned mcs_index, bool pi2bpsk = false);

/// Table from its number: 1, 2 or 3 (TS 38.214 Table 5.1.3.1-N), 4 (Table 6.1.4.1-1) or 5
/// (Table 6.1.4.1-2).
/// \throws std::invalid_argument for another number.
McsTable mcs_table_from_number(unsigned table_number);

/// Human-readable name of \p table, e.g. "TS 38.214 Table 5.1.3.1-2".
const char* mcs_table_name(McsTable table);

} // namespace airan::phy
