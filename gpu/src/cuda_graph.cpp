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
  if (try_update && exec_) {
    cudaGraphExecUpdateResultInfo info{};
    if (cudaGraphExecUpdate(exec_.get(), graph, &info) == cudaSuccess) {
      cudaGraphDestroy(graph);
      return;
    }
    (void)cudaGetLastError(); // a refused update is not an error: instantiate below
  }
  exec_.reset();
  cudaGraphExec_t exec = nullptr;
  const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  if (status == cudaSuccess) {
    exec_.reset(exec);
  }
  check_cuda(status, "cudaGraphInstantiate");
  ++instantiations_;
  // Upload now, so that the first replay allocates nothing on the device. A graph that could not
  // be uploaded is not kept (ready() false: the caller launches its work directly).
  if (const cudaError_t uploaded = cudaGraphUpload(exec_.get(), stream); uploaded != cudaSuccess) {
    exec_.reset();
    check_cuda(uploaded, "cudaGraphUpload");
  }
}

void CudaGraph::launch(cudaStream_t stream) const {
  AIRAN_CUDA_CHECK(cudaGraphLaunch(exec_.get(), stream));
}

} // namespace airan::gpu
