// PUSCH precoding (TS 38.211 6.3.1.5): codebook entries, structure and the precoding product.
#include "airan/phy/pusch_precoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

constexpr float tolerance = 1e-6F;
const cf32 j(0.0F, 1.0F);

void expect_matrix(const PrecodingMatrix& w, float scale,
                   const std::vector<std::vector<cf32>>& rows) {
  ASSERT_EQ(w.num_ports(), rows.size());
  for (unsigned p = 0; p < rows.size(); ++p) {
    ASSERT_EQ(w.num_layers(), rows[p].size());
    for (unsigned l = 0; l < rows[p].size(); ++l) {
      EXPECT_NEAR(std::abs(w(p, l) - scale * rows[p][l]), 0.0F, tolerance)
          << "port " << p << " layer " << l;
    }
  }
}

TEST(PuschPrecoder, SpotEntriesOfEveryTable) {
  const float r2 = 1.0F / std::sqrt(2.0F);
  expect_matrix(pusch_codebook_matrix(1, 2, 4), r2, {{1.0F}, {j}});                 // 6.3.1.5-1
  expect_matrix(pusch_codebook_matrix(1, 4, 17, true), 0.5F, {{1}, {j}, {j}, {1}}); // -2
  expect_matrix(pusch_codebook_matrix(1, 4, 17), 0.5F, {{1}, {j}, {j}, {-1}});      // -3
  expect_matrix(pusch_codebook_matrix(1, 4, 27), 0.5F, {{1}, {-j}, {-j}, {-1}});
  expect_matrix(pusch_codebook_matrix(2, 2, 0), r2, {{1, 0}, {0, 1}}); // -4
  expect_matrix(pusch_codebook_matrix(2, 2, 2), 0.5F, {{1, 1}, {j, -j}});
  expect_matrix(pusch_codebook_matrix(2, 4, 8), 0.5F, {{1, 0}, {0, 1}, {-j, 0}, {0, 1}}); // -5
  expect_matrix(pusch_codebook_matrix(2, 4, 17), 0.5F * r2, {{1, 1}, {j, j}, {j, -j}, {-1, 1}});
  expect_matrix(pusch_codebook_matrix(3, 4, 2), 0.5F,
                {{1, 0, 0}, {0, 1, 0}, {-1, 0, 0}, {0, 0, 1}});
  expect_matrix(pusch_codebook_matrix(3, 4, 6), 0.5F / std::sqrt(3.0F), // -6
                {{1, 1, 1}, {-1, 1, -1}, {j, j, -j}, {-j, j, j}});
  expect_matrix(pusch_codebook_matrix(4, 4, 2), 0.5F * r2, // -7
                {{1, 1, 0, 0}, {0, 0, 1, 1}, {j, -j, 0, 0}, {0, 0, j, -j}});
  expect_matrix(pusch_codebook_matrix(4, 4, 4), 0.25F,
                {{1, 1, 1, 1}, {1, -1, 1, -1}, {j, j, -j, -j}, {j, -j, -j, j}});
  expect_matrix(pusch_codebook_matrix(1, 1, 0), 1.0F, {{1}});
}

TEST(PuschPrecoder, TpmiRanges) {
  EXPECT_EQ(num_tpmi(1, 1), 1u);
  EXPECT_EQ(num_tpmi(1, 2), 6u);
  EXPECT_EQ(num_tpmi(1, 4), 28u);
  EXPECT_EQ(num_tpmi(2, 2), 3u);
  EXPECT_EQ(num_tpmi(2, 4), 22u);
  EXPECT_EQ(num_tpmi(3, 4), 7u);
  EXPECT_EQ(num_tpmi(4, 4), 5u);
  EXPECT_EQ(num_tpmi(3, 2), 0u);
  EXPECT_EQ(num_tpmi(2, 1), 0u);
}

// Every codebook matrix: entries are 0 or of one common magnitude, and its columns (layers) are
// orthogonal. Distinct TPMIs give distinct matrices.
TEST(PuschPrecoder, EveryCodebookMatrixIsWellFormed) {
  for (unsigned ports : {2u, 4u}) {
    for (unsigned layers = 1; layers <= ports; ++layers) {
      for (bool dft : {false, true}) {
        std::vector<PrecodingMatrix> seen;
        for (unsigned tpmi = 0; tpmi < num_tpmi(layers, ports); ++tpmi) {
          const PrecodingMatrix w = pusch_codebook_matrix(layers, ports, tpmi, dft);
          const std::string what = std::to_string(layers) + "x" + std::to_string(ports) + " TPMI " +
                                   std::to_string(tpmi);
          float magnitude = 0.0F;
          for (unsigned p = 0; p < ports; ++p) {
            for (unsigned l = 0; l < layers; ++l) {
              const float a = std::abs(w(p, l));
              if (a > tolerance) {
                if (magnitude == 0.0F) {
                  magnitude = a;
                }
                EXPECT_NEAR(a, magnitude, tolerance) << what;
              }
            }
          }
          for (unsigned a = 0; a < layers; ++a) {
            for (unsigned b = a + 1; b < layers; ++b) {
              cf32 dot(0.0F, 0.0F);
              for (unsigned p = 0; p < ports; ++p) {
                dot += std::conj(w(p, a)) * w(p, b);
              }
              EXPECT_NEAR(std::abs(dot), 0.0F, tolerance) << what;
            }
          }
          for (const auto& other : seen) {
            bool same = true;
            for (unsigned p = 0; p < ports; ++p) {
              for (unsigned l = 0; l < layers; ++l) {
                same = same && std::abs(other(p, l) - w(p, l)) < tolerance;
              }
            }
            EXPECT_FALSE(same) << what << " repeats an earlier TPMI";
          }
          seen.push_back(w);
        }
      }
    }
  }
}

TEST(PuschPrecoder, InvalidCombinationsNameTheTable) {
  try {
    (void)pusch_codebook_matrix(2, 2, 3);
    FAIL() << "TPMI 3 accepted for 2 layers on 2 ports";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("6.3.1.5-4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0..2"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)pusch_codebook_matrix(1, 4, 28), std::invalid_argument);
  EXPECT_THROW((void)pusch_codebook_matrix(4, 4, 5), std::invalid_argument);
  EXPECT_THROW((void)pusch_codebook_matrix(3, 2, 0), std::invalid_argument);
  EXPECT_THROW((void)pusch_codebook_matrix(1, 3, 0), std::invalid_argument);
  EXPECT_THROW((void)pusch_codebook_matrix(1, 1, 1), std::invalid_argument);
}

TEST(PuschPrecoder, PrecodeComputesWTimesLayers) {
  const PrecodingMatrix w = pusch_codebook_matrix(2, 2, 2); // 1/2 [1 1; j -j]
  const std::vector<cf32> layers = {cf32(1, 0), cf32(0, 2), cf32(3, 0), cf32(1, 1)};
  std::vector<cf32> ports(4);
  precode(w, layers, ports, 2);
  // RE 0: y = (1, 3): port 0 = (1 + 3) / 2, port 1 = (j - 3j) / 2.
  EXPECT_NEAR(std::abs(ports[0] - cf32(2, 0)), 0, tolerance);
  EXPECT_NEAR(std::abs(ports[2] - cf32(0, -1)), 0, tolerance);
  // RE 1: y = (2j, 1 + j): port 0 = (1 + 3j) / 2, port 1 = (j 2j - j (1 + j)) / 2 = (-1 - j) / 2.
  EXPECT_NEAR(std::abs(ports[1] - cf32(0.5F, 1.5F)), 0, tolerance);
  EXPECT_NEAR(std::abs(ports[3] - cf32(-0.5F, -0.5F)), 0, tolerance);

  const PrecodingMatrix identity = PrecodingMatrix::identity(2);
  EXPECT_TRUE(identity.is_identity());
  EXPECT_FALSE(w.is_identity());
  precode(identity, layers, ports, 2);
  EXPECT_EQ(ports, layers);
  std::vector<cf32> too_small(3);
  EXPECT_THROW(precode(w, layers, too_small, 2), std::invalid_argument);
}

} // namespace
} // namespace airan::phy
