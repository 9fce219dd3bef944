// MCS tables of TS 38.214 5.1.3.1: spot values, reserved rows and internal consistency.
#include "airan/phy/mcs_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace airan::phy {
namespace {

TEST(McsTable, SpotValues) {
  const McsEntry t1_14 = mcs_entry(McsTable::qam64, 14);
  EXPECT_EQ(t1_14.modulation_order, 4u);
  EXPECT_EQ(t1_14.code_rate_x10240, 5530u);
  EXPECT_DOUBLE_EQ(t1_14.code_rate(), 553.0 / 1024.0);
  EXPECT_DOUBLE_EQ(t1_14.spectral_efficiency, 2.1602);

  const McsEntry t2_20 = mcs_entry(McsTable::qam256, 20);
  EXPECT_EQ(t2_20.modulation_order, 8u);
  EXPECT_EQ(t2_20.code_rate_x10240, 6825u); // 682.5 x 10
  const McsEntry t2_27 = mcs_entry(McsTable::qam256, 27);
  EXPECT_EQ(t2_27.modulation_order, 8u);
  EXPECT_EQ(t2_27.code_rate_x10240, 9480u);

  const McsEntry t3_0 = mcs_entry(McsTable::qam64_low_se, 0);
  EXPECT_EQ(t3_0.modulation_order, 2u);
  EXPECT_EQ(t3_0.code_rate_x10240, 300u);
  EXPECT_EQ(mcs_entry(McsTable::qam64, 28).code_rate_x10240, 9480u);
  EXPECT_EQ(mcs_entry(McsTable::qam64, 17).modulation_order, 6u);
}

TEST(McsTable, ReservedRows) {
  for (unsigned i = 29; i < 32; ++i) {
    EXPECT_TRUE(mcs_entry(McsTable::qam64, i).reserved) << i;
    EXPECT_TRUE(mcs_entry(McsTable::qam64_low_se, i).reserved) << i;
    EXPECT_EQ(mcs_entry(McsTable::qam64, i).modulation_order, 2 * (i - 28));
  }
  for (unsigned i = 28; i < 32; ++i) {
    EXPECT_TRUE(mcs_entry(McsTable::qam256, i).reserved) << i;
    EXPECT_EQ(mcs_entry(McsTable::qam256, i).modulation_order, 2 * (i - 27));
    EXPECT_EQ(mcs_entry(McsTable::qam256, i).code_rate_x10240, 0u);
  }
  EXPECT_FALSE(mcs_entry(McsTable::qam64, 28).reserved);
  EXPECT_FALSE(mcs_entry(McsTable::qam256, 27).reserved);
}

// The printed spectral efficiency is Q_m x R / 1024 rounded to 4 decimals: a typo in either
// column breaks this for its row. Rates also rise within each modulation order.
TEST(McsTable, SpectralEfficiencyMatchesRateAndOrder) {
  for (McsTable table : {McsTable::qam64, McsTable::qam256, McsTable::qam64_low_se}) {
    double previous_efficiency = 0.0;
    for (unsigned i = 0; i < num_mcs_indices; ++i) {
      const McsEntry e = mcs_entry(table, i);
      if (e.reserved) {
        continue;
      }
      EXPECT_NEAR(e.spectral_efficiency, e.modulation_order * e.code_rate(), 0.6e-4)
          << mcs_table_name(table) << " MCS " << i;
      EXPECT_GE(e.spectral_efficiency, previous_efficiency - 0.01)
          << mcs_table_name(table) << " MCS " << i;
      previous_efficiency = e.spectral_efficiency;
    }
  }
}

TEST(McsTable, InvalidArguments) {
  EXPECT_THROW(mcs_entry(McsTable::qam64, 32), std::invalid_argument);
  EXPECT_EQ(mcs_table_from_number(1), McsTable::qam64);
  EXPECT_EQ(mcs_table_from_number(2), McsTable::qam256);
  EXPECT_EQ(mcs_table_from_number(3), McsTable::qam64_low_se);
  EXPECT_EQ(mcs_table_from_number(4), McsTable::transform_precoding_qam64);
  EXPECT_EQ(mcs_table_from_number(5), McsTable::transform_precoding_qam64_low_se);
  EXPECT_THROW(mcs_table_from_number(0), std::invalid_argument);
  EXPECT_THROW(mcs_table_from_number(6), std::invalid_argument);
  EXPECT_TRUE(is_transform_precoding_table(McsTable::transform_precoding_qam64));
  EXPECT_TRUE(is_transform_precoding_table(McsTable::transform_precoding_qam64_low_se));
  EXPECT_FALSE(is_transform_precoding_table(McsTable::qam64_low_se));
  EXPECT_STREQ(mcs_table_name(McsTable::transform_precoding_qam64_low_se),
               "TS 38.214 Table 6.1.4.1-2");
}

// TS 38.214 Table 6.1.4.1-2 (transform precoding, low spectral efficiency): MCS 0 to 5 are q
// with R x 1024 = 60/q, 80/q, 100/q, 128/q, 156/q, 198/q; 6 to 15 QPSK as MCS 0 to 9 of Table
// 5.1.3.1-1; 16 to 23 16-QAM from 378 to 772; 24 to 27 64-QAM 567, 616, 666, 772; 28 to 31
// reserved (q, 2, 4, 6).
TEST(McsTable, TransformPrecodingLowSpectralEfficiencyTable) {
  const McsTable t = McsTable::transform_precoding_qam64_low_se;
  const unsigned q_rates[] = {60, 80, 100, 128, 156, 198};
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_EQ(mcs_entry(t, i, true).modulation_order, 1U) << i;
    EXPECT_EQ(mcs_entry(t, i, true).code_rate_x10240, 10U * q_rates[i]) << i;
    EXPECT_EQ(mcs_entry(t, i).modulation_order, 2U) << i;
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, 5U * q_rates[i]) << i;
    // As Table 5.1.3.1-3's QPSK rows 0 to 5 (30 .. 99).
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240,
              mcs_entry(McsTable::qam64_low_se, i).code_rate_x10240);
  }
  for (unsigned i = 6; i <= 15; ++i) {
    EXPECT_EQ(mcs_entry(t, i, true).modulation_order, 2U) << i;
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, mcs_entry(McsTable::qam64, i - 6).code_rate_x10240);
  }
  const unsigned qam16[] = {378, 434, 490, 553, 616, 658, 699, 772};
  for (unsigned i = 16; i <= 23; ++i) {
    EXPECT_EQ(mcs_entry(t, i).modulation_order, 4U) << i;
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, 10U * qam16[i - 16]) << i;
  }
  const unsigned qam64[] = {567, 616, 666, 772};
  for (unsigned i = 24; i <= 27; ++i) {
    EXPECT_EQ(mcs_entry(t, i).modulation_order, 6U) << i;
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, 10U * qam64[i - 24]) << i;
    EXPECT_FALSE(mcs_entry(t, i).reserved);
  }
  for (unsigned i = 28; i < 32; ++i) {
    EXPECT_TRUE(mcs_entry(t, i).reserved) << i;
  }
  EXPECT_EQ(mcs_entry(t, 28, true).modulation_order, 1U);
  EXPECT_EQ(mcs_entry(t, 28).modulation_order, 2U);
  EXPECT_EQ(mcs_entry(t, 29).modulation_order, 2U);
  EXPECT_EQ(mcs_entry(t, 30).modulation_order, 4U);
  EXPECT_EQ(mcs_entry(t, 31).modulation_order, 6U);
  for (const bool pi2bpsk : {false, true}) {
    for (unsigned i = 0; i < 28; ++i) {
      const McsEntry e = mcs_entry(t, i, pi2bpsk);
      EXPECT_NEAR(e.spectral_efficiency, e.modulation_order * e.code_rate(), 0.6e-4) << i;
    }
  }
}

// TS 38.214 Table 6.1.4.1-1 (transform precoding): MCS 0 and 1 are q with R x 1024 = 240/q and
// 314/q (q = 1 with tp-pi2BPSK, else 2); 2..16 as Table 5.1.3.1-1; 64-QAM from MCS 17 at 466,
// one row earlier than Table 5.1.3.1-1 (no 438 entry), so 27 is the last non-reserved row.
TEST(McsTable, TransformPrecodingTable) {
  const McsTable t = McsTable::transform_precoding_qam64;
  EXPECT_EQ(mcs_entry(t, 0, true).modulation_order, 1U);
  EXPECT_EQ(mcs_entry(t, 0, true).code_rate_x10240, 2400U);
  EXPECT_EQ(mcs_entry(t, 1, true).code_rate_x10240, 3140U);
  EXPECT_EQ(mcs_entry(t, 0).modulation_order, 2U);
  EXPECT_EQ(mcs_entry(t, 0).code_rate_x10240, 1200U);
  EXPECT_EQ(mcs_entry(t, 1).code_rate_x10240, 1570U);
  for (unsigned i = 2; i <= 16; ++i) {
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, mcs_entry(McsTable::qam64, i).code_rate_x10240);
    EXPECT_EQ(mcs_entry(t, i, true).modulation_order,
              mcs_entry(McsTable::qam64, i).modulation_order);
  }
  for (unsigned i = 17; i <= 27; ++i) {
    EXPECT_EQ(mcs_entry(t, i).code_rate_x10240, mcs_entry(McsTable::qam64, i + 1).code_rate_x10240);
    EXPECT_EQ(mcs_entry(t, i).modulation_order, 6U);
  }
  for (unsigned i = 28; i < 32; ++i) {
    EXPECT_TRUE(mcs_entry(t, i).reserved) << i;
  }
  EXPECT_EQ(mcs_entry(t, 28, true).modulation_order, 1U);
  EXPECT_EQ(mcs_entry(t, 28).modulation_order, 2U);
  EXPECT_EQ(mcs_entry(t, 31).modulation_order, 6U);
  EXPECT_FALSE(mcs_entry(t, 27).reserved);
  for (const bool pi2bpsk : {false, true}) {
    for (unsigned i = 0; i < 28; ++i) {
      const McsEntry e = mcs_entry(t, i, pi2bpsk);
      EXPECT_NEAR(e.spectral_efficiency, e.modulation_order * e.code_rate(), 0.6e-4) << i;
    }
  }
}

} // namespace
} // namespace airan::phy
