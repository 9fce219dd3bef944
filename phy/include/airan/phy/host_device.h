/// \file
/// \brief AIRAN_HOST_DEVICE: marks inline functions that both host code and CUDA kernels call.
#pragma once

#if defined(__CUDACC__)
/// Compiles the function for the host and for the device under nvcc.
#define AIRAN_HOST_DEVICE __host__ __device__
#else
/// Host-only build: the marker expands to nothing.
#define AIRAN_HOST_DEVICE
#endif

#if defined(__CUDA_ARCH__)
/// Asks nvcc to unroll the loop that follows fully (its trip count known at compile time), so
/// that a small local array indexed by the loop counter lives in registers.
#define AIRAN_UNROLL _Pragma("unroll")
#else
/// Host compilers choose for themselves.
#define AIRAN_UNROLL
#endif
