#include "airan/phy/mcs_table.h"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// A table row as printed in TS 38.214: Q_m, R x 1024 (0 = reserved), spectral efficiency.
struct McsRow {
  unsigned qm;
  double rate_x1024;
  double efficiency;
};

using McsRows = std::array<McsRow, num_mcs_indices>;

// TS 38.214 Table 5.1.3.1-1: MCS index table 1 for PDSCH (and PUSCH without transform precoding).
constexpr McsRows table_qam64 = {{
    {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902}, {2, 308, 0.6016},
    {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758}, {2, 679, 1.3262},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {6, 438, 2.5664}, {6, 466, 2.7305}, {6, 517, 3.0293},
    {6, 567, 3.3223}, {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234},
    {6, 822, 4.8164}, {6, 873, 5.1152}, {6, 910, 5.3320}, {6, 948, 5.5547}, {2, 0, 0.0},
    {4, 0, 0.0},      {6, 0, 0.0},
}};

// TS 38.214 Table 5.1.3.1-2: MCS index table 2 (256-QAM).
constexpr McsRows table_qam256 = {{
    {2, 120, 0.2344},   {2, 193, 0.3770},   {2, 308, 0.6016}, {2, 449, 0.8770}, {2, 602, 1.1758},
    {4, 378, 1.4766},   {4, 434, 1.6953},   {4, 490, 1.9141}, {4, 553, 2.1602}, {4, 616, 2.4063},
    {4, 658, 2.5703},   {6, 466, 2.7305},   {6, 517, 3.0293}, {6, 567, 3.3223}, {6, 616, 3.6094},
    {6, 666, 3.9023},   {6, 719, 4.2129},   {6, 772, 4.5234}, {6, 822, 4.8164}, {6, 873, 5.1152},
    {8, 682.5, 5.3320}, {8, 711, 5.5547},   {8, 754, 5.8906}, {8, 797, 6.2266}, {8, 841, 6.5703},
    {8, 885, 6.9141},   {8, 916.5, 7.1602}, {8, 948, 7.4063}, {2, 0, 0.0},      {4, 0, 0.0},
    {6, 0, 0.0},        {8, 0, 0.0},
}};

// TS 38.214 Table 5.1.3.1-3: MCS index table 3 (low spectral efficiency).
constexpr McsRows table_qam64_low_se = {{
    {2, 30, 0.0586},  {2, 40, 0.0781},  {2, 50, 0.0977},  {2, 64, 0.1250},  {2, 78, 0.1523},
    {2, 99, 0.1934},  {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902},
    {2, 308, 0.6016}, {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {6, 438, 2.5664}, {6, 466, 2.7305}, {6, 517, 3.0293}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234}, {2, 0, 0.0},
    {4, 0, 0.0},      {6, 0, 0.0},
}};

// TS 38.214 Table 6.1.4.1-1: PUSCH with transform precoding and 64-QAM. Q_m 0 stands for q (1
// with tp-pi2BPSK, else 2), whose rows give R x 1024 as 240/q and 314/q (listed for q = 1).
constexpr McsRows table_transform_precoding_qam64 = {{
    {0, 240, 0.2344}, {0, 314, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902}, {2, 308, 0.6016},
    {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758}, {2, 679, 1.3262},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {6, 466, 2.7305}, {6, 517, 3.0293}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234}, {6, 822, 4.8164},
    {6, 873, 5.1152}, {6, 910, 5.3320}, {6, 948, 5.5547}, {0, 0, 0.0},      {2, 0, 0.0},
    {4, 0, 0.0},      {6, 0, 0.0},
}};

// TS 38.214 Table 6.1.4.1-2: PUSCH with transform precoding, 64-QAM, low spectral efficiency.
// Q_m 0 stands for q as above; its rows give R x 1024 as 60/q .. 198/q (listed for q = 1).
constexpr McsRows table_transform_precoding_qam64_low_se = {{
    {0, 60, 0.0586},  {0, 80, 0.0781},  {0, 100, 0.0977}, {0, 128, 0.1250}, {0, 156, 0.1523},
    {0, 198, 0.1934}, {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902},
    {2, 308, 0.6016}, {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758},
    {2, 679, 1.3262}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {4, 699, 2.7305}, {4, 772, 3.0156}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 772, 4.5234}, {0, 0, 0.0},      {2, 0, 0.0},
    {4, 0, 0.0},      {6, 0, 0.0},
}};

const McsRows& rows_of(McsTable table) {
  switch (table) {
  case McsTable::qam64:
    return table_qam64;
  case McsTable::qam256:
    return table_qam256;
  case McsTable::qam64_low_se:
    return table_qam64_low_se;
  case McsTable::transform_precoding_qam64:
    return table_transform_precoding_qam64;
  case McsTable::transform_precoding_qam64_low_se:
    return table_transform_precoding_qam64_low_se;
  }
  throw std::invalid_argument("unknown MCS table");
}

} // namespace

McsEntry mcs_entry(McsTable table, unsigned mcs_index, bool pi2bpsk) {
  if (mcs_index >= num_mcs_indices) {
    throw std::invalid_argument("MCS index " + std::to_string(mcs_index) + " is not in 0..31");
  }
  const McsRow& row = rows_of(table)[mcs_index];
  const unsigned q = pi2bpsk ? 1 : 2;
  McsEntry entry;
  entry.modulation_order = row.qm != 0 ? row.qm : q;
  entry.reserved = row.rate_x1024 == 0.0;
  // R x 1024 is a whole or half integer, so R x 10240 is an exact integer (lround is exact);
  // 240/q, 314/q and 60/q .. 198/q stay whole for q = 1, 2.
  const double rate_x1024 = row.qm != 0 ? row.rate_x1024 : row.rate_x1024 / q;
  entry.code_rate_x10240 = static_cast<std::uint32_t>(std::lround(rate_x1024 * 10.0));
  entry.spectral_efficiency = row.efficiency;
  return entry;
}

McsTable mcs_table_from_number(unsigned table_number) {
  switch (table_number) {
  case 1:
    return McsTable::qam64;
  case 2:
    return McsTable::qam256;
  case 3:
    return McsTable::qam64_low_se;
  case 4:
    return McsTable::transform_precoding_qam64;
  case 5:
    return McsTable::transform_precoding_qam64_low_se;
  default:
    throw std::invalid_argument("MCS table " + std::to_string(table_number) +
                                " is not one of TS 38.214 Tables 5.1.3.1-1, -2, -3 (1..3) or "
                                "6.1.4.1-1, -2 (4, 5)");
  }
}

const char* mcs_table_name(McsTable table) {
  switch (table) {
  case McsTable::qam64:
    return "TS 38.214 Table 5.1.3.1-1";
  case McsTable::qam256:
    return "TS 38.214 Table 5.1.3.1-2";
  case McsTable::qam64_low_se:
    return "TS 38.214 Table 5.1.3.1-3";
  case McsTable::transform_precoding_qam64:
    return "TS 38.214 Table 6.1.4.1-1";
  case McsTable::transform_precoding_qam64_low_se:
    return "TS 38.214 Table 6.1.4.1-2";
  }
  return "unknown MCS table";
}

} // namespace airan::phy
