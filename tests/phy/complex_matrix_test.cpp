// Small complex matrix helpers: Cholesky, triangular solves, inverses and Gauss-Jordan against
// straightforward reference arithmetic on random matrices.
#include "airan/phy/complex_matrix.h"

#include <gtest/gtest.h>

#include <complex>
#include <cstddef>
#include <random>
#include <vector>

namespace airan::phy::cmat {
namespace {

using cd = std::complex<double>;

cd to_cd(Complex c) {
  return {c.re, c.im};
}

Complex random_complex(std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0F, 1.0F);
  return {normal(rng), normal(rng)};
}

// Hermitian positive definite n x n matrix B^H B + 0.1 I (B is 2n x n), row stride ld.
std::vector<Complex> random_hpd(unsigned n, unsigned ld, std::mt19937& rng) {
  std::vector<Complex> b(std::size_t{2} * n * n);
  for (auto& v : b) {
    v = random_complex(rng);
  }
  std::vector<Complex> a(std::size_t{n} * ld, Complex{0.0F, 0.0F});
  gram(b.data(), 2 * n, n, n, a.data(), ld);
  for (unsigned i = 0; i < n; ++i) {
    a[i * ld + i].re += 0.1F;
  }
  return a;
}

double max_identity_error(const std::vector<Complex>& a, const std::vector<Complex>& inverse,
                          unsigned n, unsigned lda, unsigned ldi) {
  double worst = 0.0;
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      cd sum = 0.0;
      for (unsigned k = 0; k < n; ++k) {
        sum += to_cd(a[i * lda + k]) * to_cd(inverse[k * ldi + j]);
      }
      worst = std::max(worst, std::abs(sum - cd(i == j ? 1.0 : 0.0)));
    }
  }
  return worst;
}

TEST(ComplexMatrix, GramAndMatchedFilterMatchReference) {
  std::mt19937 rng(1);
  const unsigned rows = 7;
  const unsigned cols = 3;
  std::vector<Complex> h(std::size_t{rows} * cols);
  std::vector<Complex> y(rows);
  for (auto& v : h) {
    v = random_complex(rng);
  }
  for (auto& v : y) {
    v = random_complex(rng);
  }
  Complex g[9];
  Complex out[3];
  gram(h.data(), rows, cols, cols, g, 3);
  matched_filter(h.data(), rows, cols, cols, y.data(), out);
  for (unsigned i = 0; i < cols; ++i) {
    cd mf = 0.0;
    for (unsigned r = 0; r < rows; ++r) {
      mf += std::conj(to_cd(h[r * cols + i])) * to_cd(y[r]);
    }
    EXPECT_LT(std::abs(to_cd(out[i]) - mf), 1e-5);
    for (unsigned j = 0; j < cols; ++j) {
      cd sum = 0.0;
      for (unsigned r = 0; r < rows; ++r) {
        sum += std::conj(to_cd(h[r * cols + i])) * to_cd(h[r * cols + j]);
      }
      EXPECT_LT(std::abs(to_cd(g[i * 3 + j]) - sum), 1e-5);
    }
  }
}

TEST(ComplexMatrix, CholeskyReconstructsAndInvertsUpTo16) {
  std::mt19937 rng(2);
  constexpr unsigned ld = 16;
  for (unsigned n = 1; n <= 16; ++n) {
    const std::vector<Complex> a = random_hpd(n, ld, rng);
    std::vector<Complex> l = a;
    ASSERT_TRUE(cholesky(l.data(), n, ld, 0.0F)) << n;
    double worst = 0.0;
    for (unsigned i = 0; i < n; ++i) {
      EXPECT_GT(l[i * ld + i].re, 0.0F);
      EXPECT_EQ(l[i * ld + i].im, 0.0F);
      for (unsigned j = 0; j <= i; ++j) {
        cd sum = 0.0;
        for (unsigned k = 0; k <= j; ++k) {
          sum += to_cd(l[i * ld + k]) * std::conj(to_cd(l[j * ld + k]));
        }
        worst = std::max(worst, std::abs(sum - to_cd(a[i * ld + j])));
      }
    }
    EXPECT_LT(worst, 1e-4 * n) << "L L^H != A for n = " << n;

    std::vector<Complex> inverse(std::size_t{n} * ld);
    cholesky_inverse<16>(l.data(), n, ld, inverse.data(), ld);
    EXPECT_LT(max_identity_error(a, inverse, n, ld, ld), 1e-3) << "inverse, n = " << n;

    // A x = b through the two triangular solves.
    std::vector<Complex> b(n);
    for (auto& v : b) {
      v = random_complex(rng);
    }
    std::vector<Complex> x = b;
    cholesky_solve(l.data(), n, ld, x.data());
    for (unsigned i = 0; i < n; ++i) {
      cd sum = 0.0;
      for (unsigned k = 0; k < n; ++k) {
        sum += to_cd(a[i * ld + k]) * to_cd(x[k]);
      }
      EXPECT_LT(std::abs(sum - to_cd(b[i])), 1e-3) << "solve, n = " << n;
    }
  }
}

TEST(ComplexMatrix, CholeskyRejectsIndefiniteMatrices) {
  // [[1, 2], [2, 1]] has eigenvalues 3 and -1.
  Complex a[4] = {{1.0F, 0.0F}, {2.0F, 0.0F}, {2.0F, 0.0F}, {1.0F, 0.0F}};
  EXPECT_FALSE(cholesky(a, 2, 2, 0.0F));
  Complex zero[1] = {{0.0F, 0.0F}};
  EXPECT_FALSE(cholesky(zero, 1, 1, 0.0F));
  Complex small[1] = {{1e-3F, 0.0F}};
  EXPECT_FALSE(cholesky(small, 1, 1, 1e-2F)); // below the requested pivot
}

TEST(ComplexMatrix, GaussJordanInvertsGeneralMatrices) {
  std::mt19937 rng(3);
  for (unsigned n = 1; n <= 8; ++n) {
    std::vector<Complex> a(std::size_t{n} * n);
    for (auto& v : a) {
      v = random_complex(rng);
    }
    std::vector<Complex> work = a;
    std::vector<Complex> inverse(std::size_t{n} * n);
    ASSERT_TRUE(gauss_jordan_inverse(work.data(), n, n, inverse.data(), n, 1e-12F)) << n;
    EXPECT_LT(max_identity_error(a, inverse, n, n, n), 1e-3) << n;
  }
  // Needs pivoting: zero in the top-left corner.
  std::vector<Complex> swap = {{0.0F, 0.0F}, {1.0F, 1.0F}, {2.0F, 0.0F}, {0.0F, -1.0F}};
  std::vector<Complex> work = swap;
  std::vector<Complex> inverse(4);
  ASSERT_TRUE(gauss_jordan_inverse(work.data(), 2, 2, inverse.data(), 2, 1e-12F));
  EXPECT_LT(max_identity_error(swap, inverse, 2, 2, 2), 1e-5);
  // Singular: the second row is twice the first.
  std::vector<Complex> singular = {{1.0F, 2.0F}, {3.0F, 0.0F}, {2.0F, 4.0F}, {6.0F, 0.0F}};
  EXPECT_FALSE(gauss_jordan_inverse(singular.data(), 2, 2, inverse.data(), 2, 1e-10F));
}

} // namespace
} // namespace airan::phy::cmat
