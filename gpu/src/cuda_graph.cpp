/// \file
/// \brief CudaGraph: instantiation, in-place update and launch of captured graphs.
#include "airan/gpu/cuda_graph.h"

namespace airan::gpu {

void CudaGraph::abandon_capture(cudaStream_t stream) noexcept {
  cudaGraph_t graph = nullptr;
  if (cudaStreamEndCapture(stream, &graph) == cudaSuccess && graph != nullptr) {
    cudaGraphDestroy(graph);
  }
  (void)cudaGetLastError(); // an invalidated capture's error is not the next call's
}

void CudaGraph::finish(cudaStream_t stream, cudaGraph_t graph, bool try_update) {
  if (try_update && exec_ != nullptr) {
    cudaGraphExecUpdateResultInfo info{};
    if (cudaGraphExecUpdate(exec_, graph, &info) == cudaSuccess) {
      cudaGraphDestroy(graph);
      return;
    }
    (void)cudaGetLastError(); // a refused update is not an error: instantiate below
  }
  reset();
  const cudaError_t status = cudaGraphInstantiate(&exec_, graph, 0);
  cudaGraphDestroy(graph);
  if (status != cudaSuccess) {
    exec_ = nullptr;
  }
  check_cuda(status, "cudaGraphInstantiate");
  ++instantiations_;
  // Upload now, so that the first replay allocates nothing on the device. A graph that could not
  // be uploaded is not kept (ready() false: the caller launches its work directly).
  if (const cudaError_t uploaded = cudaGraphUpload(exec_, stream); uploaded != cudaSuccess) {
    reset();
    check_cuda(uploaded, "cudaGraphUpload");
  }
}

void CudaGraph::launch(cudaStream_t stream) const {
  AIRAN_CUDA_CHECK(cudaGraphLaunch(exec_, stream));
}

void CudaGraph::reset() noexcept {
  if (exec_ != nullptr) {
    cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
  }
}

} // namespace airan::gpu
