/// \file
/// \brief Move-only owner of an instantiated CUDA graph, captured from stream work: captured
/// once and replayed (the ONNX executor, one per input shape), or captured per slot and updated
/// in place when its topology is unchanged (the front end: new kernel parameters, same graph).
/// CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_handle.h"

#include <cstdlib>
#include <string_view>
#include <utility>

namespace airan::gpu {

/// False when the environment sets AIRAN_CUDA_GRAPHS=0: stages then enqueue their work call by
/// call instead of through graphs (to compare, or to rule graphs out).
inline bool cuda_graphs_enabled() {
  const char* graphs = std::getenv("AIRAN_CUDA_GRAPHS");
  return graphs == nullptr || std::string_view(graphs) != "0";
}

/// True while \p stream is being captured into a graph (by its owner or by an enclosing
/// capture that joined it), also when that capture was invalidated by an error and not yet
/// ended: a stage then enqueues its work directly, so that it becomes part of the enclosing
/// graph, instead of capturing a graph of its own, and nothing that allocates runs.
/// \throws CudaError.
inline bool stream_is_capturing(cudaStream_t stream) {
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  AIRAN_CUDA_CHECK(cudaStreamIsCapturing(stream, &status));
  return status != cudaStreamCaptureStatusNone;
}

class CudaGraph {
public:
  CudaGraph() = default;
  CudaGraph(CudaGraph&& other) noexcept
      : exec_(std::move(other.exec_)), instantiations_(std::exchange(other.instantiations_, 0)) {}
  CudaGraph& operator=(CudaGraph&& other) noexcept {
    if (this != &other) {
      exec_ = std::move(other.exec_);
      instantiations_ = std::exchange(other.instantiations_, 0);
    }
    return *this;
  }
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;
  ~CudaGraph() = default;

  /// Captures what \p enqueue puts on \p stream into a new graph and instantiates it (replacing
  /// the previous one). \throws CudaError (the capture is ended first), or what enqueue throws.
  template <class Enqueue> void capture(cudaStream_t stream, Enqueue&& enqueue) {
    finish(stream, record(stream, enqueue), false);
  }

  /// Captures what \p enqueue puts on \p stream and, when a graph exists, updates it in place
  /// (cudaGraphExecUpdate: same topology, new parameters, much cheaper than instantiating);
  /// instantiates when there is none or the update is refused.
  template <class Enqueue> void capture_or_update(cudaStream_t stream, Enqueue&& enqueue) {
    finish(stream, record(stream, enqueue), true);
  }

  [[nodiscard]] bool ready() const { return static_cast<bool>(exec_); }
  /// Times a graph was instantiated (not updated): 1 for a stable topology.
  [[nodiscard]] unsigned instantiations() const { return instantiations_; }
  /// Enqueues the graph on \p stream. \throws CudaError.
  void launch(cudaStream_t stream) const;

private:
  template <class Enqueue> cudaGraph_t record(cudaStream_t stream, Enqueue& enqueue) {
    AIRAN_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
    try {
      enqueue();
    } catch (...) {
      abandon_capture(stream);
      throw;
    }
    cudaGraph_t graph = nullptr;
    AIRAN_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
    return graph;
  }
  /// Ends a capture whose work failed, dropping the graph.
  static void abandon_capture(cudaStream_t stream) noexcept;
  /// Instantiates (or, with \p try_update, first tries to update into the existing exec) from
  /// \p graph, which it destroys, and uploads the exec.
  void finish(cudaStream_t stream, cudaGraph_t graph, bool try_update);

  UniqueCudaHandle<cudaGraphExec_t, GraphExecRelease> exec_;
  unsigned instantiations_ = 0;
};

} // namespace airan::gpu
