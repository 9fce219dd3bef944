/// \file
/// \brief Small dense complex matrix math for per-resource-element receiver kernels (MIMO
/// equalization, covariance whitening): a plain complex value type and Cholesky, triangular
/// solves, inversion and Gauss-Jordan elimination on matrices of a few rows.
///
/// Everything is inline and AIRAN_HOST_DEVICE so CUDA kernels can share it with the host. The
/// complex type is a plain struct rather than std::complex, whose operations are not device
/// functions and, without -ffast-math, go through the NaN-recovering library multiply.
///
/// Matrices are row-major arrays with an explicit row stride: element (i, j) of a matrix at \c a
/// with stride \c lda is \c a[i * lda + j]. Sizes are runtime values; callers provide storage
/// (typically fixed-size local arrays sized for the largest case).
#pragma once

#include "airan/phy/host_device.h"

#include <cmath>

namespace airan::phy::cmat {

/// Complex single-precision value with the layout of std::complex<float> (real, imaginary).
struct Complex {
  float re;
  float im;
};

AIRAN_HOST_DEVICE inline Complex operator+(Complex a, Complex b) {
  return {a.re + b.re, a.im + b.im};
}
AIRAN_HOST_DEVICE inline Complex operator-(Complex a, Complex b) {
  return {a.re - b.re, a.im - b.im};
}
AIRAN_HOST_DEVICE inline Complex operator*(Complex a, Complex b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
AIRAN_HOST_DEVICE inline Complex operator*(float s, Complex a) {
  return {s * a.re, s * a.im};
}
AIRAN_HOST_DEVICE inline Complex& operator+=(Complex& a, Complex b) {
  a.re += b.re;
  a.im += b.im;
  return a;
}
AIRAN_HOST_DEVICE inline Complex& operator-=(Complex& a, Complex b) {
  a.re -= b.re;
  a.im -= b.im;
  return a;
}
/// Complex conjugate.
AIRAN_HOST_DEVICE inline Complex conj(Complex a) {
  return {a.re, -a.im};
}
/// conj(a) * b, the term of a Hermitian inner product.
AIRAN_HOST_DEVICE inline Complex conj_mul(Complex a, Complex b) {
  return {a.re * b.re + a.im * b.im, a.re * b.im - a.im * b.re};
}
/// |a|^2.
AIRAN_HOST_DEVICE inline float norm2(Complex a) {
  return a.re * a.re + a.im * a.im;
}

/// Gram matrix G = H^H H (cols x cols, Hermitian) of the rows x cols matrix H. Writes the whole
/// of G (both triangles).
AIRAN_HOST_DEVICE inline void gram(const Complex* h, unsigned rows, unsigned cols, unsigned ldh,
                                   Complex* g, unsigned ldg) {
  for (unsigned i = 0; i < cols; ++i) {
    for (unsigned j = i; j < cols; ++j) {
      Complex sum{0.0F, 0.0F};
      for (unsigned r = 0; r < rows; ++r) {
        sum += conj_mul(h[r * ldh + i], h[r * ldh + j]);
      }
      if (i == j) {
        sum.im = 0.0F;
      }
      g[i * ldg + j] = sum;
      g[j * ldg + i] = conj(sum);
    }
  }
}

/// out = H^H y for the rows x cols matrix H and a vector y of \p rows elements.
AIRAN_HOST_DEVICE inline void matched_filter(const Complex* h, unsigned rows, unsigned cols,
                                             unsigned ldh, const Complex* y, Complex* out) {
  for (unsigned j = 0; j < cols; ++j) {
    Complex sum{0.0F, 0.0F};
    for (unsigned r = 0; r < rows; ++r) {
      sum += conj_mul(h[r * ldh + j], y[r]);
    }
    out[j] = sum;
  }
}

/// In-place Cholesky factorisation A = L L^H of the n x n Hermitian matrix at \p a: only the
/// lower triangle is read, and it is overwritten by L (real, positive diagonal). The strict
/// upper triangle is left as it was.
/// \return false when a pivot is not above \p min_pivot (A is not numerically positive
/// definite); \p a is then partly overwritten.
AIRAN_HOST_DEVICE inline bool cholesky(Complex* a, unsigned n, unsigned lda, float min_pivot) {
  for (unsigned j = 0; j < n; ++j) {
    float diagonal = a[j * lda + j].re;
    for (unsigned k = 0; k < j; ++k) {
      diagonal -= norm2(a[j * lda + k]);
    }
    if (!(diagonal > min_pivot)) { // also rejects NaN
      return false;
    }
    const float pivot = std::sqrt(diagonal);
    const float inverse_pivot = 1.0F / pivot;
    a[j * lda + j] = {pivot, 0.0F};
    for (unsigned i = j + 1; i < n; ++i) {
      Complex sum = a[i * lda + j];
      for (unsigned k = 0; k < j; ++k) {
        sum -= a[i * lda + k] * conj(a[j * lda + k]);
      }
      a[i * lda + j] = inverse_pivot * sum;
    }
  }
  return true;
}

/// Solves L x = b in place (\p x holds b on entry) for the lower-triangular n x n L of cholesky().
AIRAN_HOST_DEVICE inline void solve_lower(const Complex* l, unsigned n, unsigned ldl, Complex* x) {
  for (unsigned i = 0; i < n; ++i) {
    Complex sum = x[i];
    for (unsigned k = 0; k < i; ++k) {
      sum -= l[i * ldl + k] * x[k];
    }
    x[i] = (1.0F / l[i * ldl + i].re) * sum;
  }
}

/// Solves L^H x = b in place for the lower-triangular n x n L of cholesky().
AIRAN_HOST_DEVICE inline void solve_lower_hermitian(const Complex* l, unsigned n, unsigned ldl,
                                                    Complex* x) {
  for (unsigned ii = n; ii > 0; --ii) {
    const unsigned i = ii - 1;
    Complex sum = x[i];
    for (unsigned k = i + 1; k < n; ++k) {
      sum -= conj_mul(l[k * ldl + i], x[k]);
    }
    x[i] = (1.0F / l[i * ldl + i].re) * sum;
  }
}

/// Solves A x = b in place with A = L L^H factored by cholesky().
AIRAN_HOST_DEVICE inline void cholesky_solve(const Complex* l, unsigned n, unsigned ldl,
                                             Complex* x) {
  solve_lower(l, n, ldl, x);
  solve_lower_hermitian(l, n, ldl, x);
}

/// Inverse (A)^-1 = L^-H L^-1 of A = L L^H factored by cholesky(), written in full (Hermitian)
/// to \p inverse (n x n, stride \p ldi). \pre n <= MaxN.
template <unsigned MaxN>
AIRAN_HOST_DEVICE inline void cholesky_inverse(const Complex* l, unsigned n, unsigned ldl,
                                               Complex* inverse, unsigned ldi) {
  // M = L^-1, lower triangular, by forward substitution on the identity's columns.
  Complex m[MaxN * MaxN];
  for (unsigned j = 0; j < n; ++j) {
    for (unsigned i = 0; i < n; ++i) {
      if (i < j) {
        m[i * MaxN + j] = {0.0F, 0.0F};
        continue;
      }
      Complex sum = {i == j ? 1.0F : 0.0F, 0.0F};
      for (unsigned k = j; k < i; ++k) {
        sum -= l[i * ldl + k] * m[k * MaxN + j];
      }
      m[i * MaxN + j] = (1.0F / l[i * ldl + i].re) * sum;
    }
  }
  // A^-1 = M^H M: element (i, j) = sum_k conj(M(k, i)) M(k, j), k >= max(i, j).
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = i; j < n; ++j) {
      Complex sum{0.0F, 0.0F};
      for (unsigned k = j; k < n; ++k) {
        sum += conj_mul(m[k * MaxN + i], m[k * MaxN + j]);
      }
      if (i == j) {
        sum.im = 0.0F;
      }
      inverse[i * ldi + j] = sum;
      inverse[j * ldi + i] = conj(sum);
    }
  }
}

/// Inverse of a general n x n matrix by Gauss-Jordan elimination with partial pivoting.
/// \p a (stride \p lda) is destroyed; the inverse goes to \p inverse (stride \p ldi).
/// \return false when a pivot magnitude squared is not above \p min_pivot2 (singular matrix).
AIRAN_HOST_DEVICE inline bool gauss_jordan_inverse(Complex* a, unsigned n, unsigned lda,
                                                   Complex* inverse, unsigned ldi,
                                                   float min_pivot2) {
  for (unsigned i = 0; i < n; ++i) {
    for (unsigned j = 0; j < n; ++j) {
      inverse[i * ldi + j] = {i == j ? 1.0F : 0.0F, 0.0F};
    }
  }
  for (unsigned col = 0; col < n; ++col) {
    unsigned pivot_row = col;
    float best = norm2(a[col * lda + col]);
    for (unsigned r = col + 1; r < n; ++r) {
      const float candidate = norm2(a[r * lda + col]);
      if (candidate > best) {
        best = candidate;
        pivot_row = r;
      }
    }
    if (!(best > min_pivot2)) {
      return false;
    }
    if (pivot_row != col) {
      for (unsigned j = 0; j < n; ++j) {
        const Complex t = a[col * lda + j];
        a[col * lda + j] = a[pivot_row * lda + j];
        a[pivot_row * lda + j] = t;
        const Complex u = inverse[col * ldi + j];
        inverse[col * ldi + j] = inverse[pivot_row * ldi + j];
        inverse[pivot_row * ldi + j] = u;
      }
    }
    // Scale the pivot row by 1 / pivot = conj(pivot) / |pivot|^2.
    const Complex pivot = a[col * lda + col];
    const Complex scale = (1.0F / best) * conj(pivot);
    for (unsigned j = 0; j < n; ++j) {
      a[col * lda + j] = scale * a[col * lda + j];
      inverse[col * ldi + j] = scale * inverse[col * ldi + j];
    }
    for (unsigned r = 0; r < n; ++r) {
      if (r == col) {
        continue;
      }
      const Complex factor = a[r * lda + col];
      for (unsigned j = 0; j < n; ++j) {
        a[r * lda + j] -= factor * a[col * lda + j];
        inverse[r * ldi + j] -= factor * inverse[col * ldi + j];
      }
    }
  }
  return true;
}

} // namespace airan::phy::cmat
