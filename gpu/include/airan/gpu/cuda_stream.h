/// \file
/// \brief Move-only owners of a CUDA stream and a CUDA event (timing and dependencies).
/// CUDA builds only.
#pragma once

#include "airan/gpu/cuda_check.h"
#include "airan/gpu/cuda_handle.h"

#include <stdexcept>

namespace airan::gpu {

/// A non-blocking CUDA stream on the current device, destroyed with the object.
class CudaStream {
public:
  /// \throws CudaError when the stream cannot be created.
  CudaStream() {
    cudaStream_t stream = nullptr;
    AIRAN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    stream_.reset(stream);
  }

  [[nodiscard]] cudaStream_t get() const { return stream_.get(); }
  /// Blocks until everything enqueued so far has run. \throws CudaError on an earlier failure.
  void synchronize() const { AIRAN_CUDA_CHECK(cudaStreamSynchronize(stream_.get())); }

private:
  UniqueCudaHandle<cudaStream_t, StreamRelease> stream_;
};

/// A CUDA event with timing enabled.
class CudaEvent {
public:
  /// \throws CudaError when the event cannot be created.
  CudaEvent() {
    cudaEvent_t event = nullptr;
    AIRAN_CUDA_CHECK(cudaEventCreate(&event));
    event_.reset(event);
  }
  /// An event created with \p flags (cudaEventDisableTiming for one that only orders streams).
  /// \throws CudaError when the event cannot be created.
  explicit CudaEvent(unsigned int flags) {
    cudaEvent_t event = nullptr;
    AIRAN_CUDA_CHECK(cudaEventCreateWithFlags(&event, flags));
    event_.reset(event);
  }

  [[nodiscard]] cudaEvent_t get() const { return event_.get(); }
  /// Records the event on \p stream. While \p stream is being captured into a CUDA graph the
  /// record becomes an event record node of the graph (cudaEventRecordExternal), so that every
  /// launch of the graph records the event: a plain cudaEventRecord there would only mark a
  /// dependency inside the capture, and the event could afterwards be neither waited for nor
  /// timed (cudaErrorCapturedEvent). Such a record node orders nothing inside the capture: a
  /// stream that must wait for \p stream's work waits on an event recorded with mark().
  void record(cudaStream_t stream) {
    const unsigned flags = record_flags(stream);
    AIRAN_CUDA_CHECK(cudaEventRecordWithFlags(event_.get(), stream, flags));
    graph_node_ = flags == cudaEventRecordExternal;
  }
  /// Records the event on \p stream only to order work: another stream's cudaStreamWaitEvent
  /// on it waits for \p stream's work so far. A plain cudaEventRecord, which inside a capture
  /// adds no node to the graph, only the edges of the waits (so the event can then be neither
  /// waited for by the host nor timed); outside a capture the same as record().
  void mark(cudaStream_t stream) {
    AIRAN_CUDA_CHECK(cudaEventRecord(event_.get(), stream));
    graph_node_ = false;
  }
  /// Makes \p waiter's later work wait for this event's last record or mark.
  /// \throws std::logic_error when that was a record() inside a capture: a graph's record node,
  /// which orders nothing in the capture (mark() the event for that).
  void order_before(cudaStream_t waiter) const {
    if (graph_node_) {
      throw std::logic_error("CudaEvent: a stream waits on an event recorded as a graph node "
                             "(record() during a capture), which orders nothing; mark() it");
    }
    AIRAN_CUDA_CHECK(cudaStreamWaitEvent(waiter, event_.get(), 0));
  }
  /// The flags record() uses on \p stream now: cudaEventRecordExternal while it is captured.
  [[nodiscard]] static unsigned record_flags(cudaStream_t stream) {
    cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
    AIRAN_CUDA_CHECK(cudaStreamIsCapturing(stream, &capture));
    return capture == cudaStreamCaptureStatusActive ? cudaEventRecordExternal
                                                    : cudaEventRecordDefault;
  }
  /// Blocks until the event has completed.
  void synchronize() const { AIRAN_CUDA_CHECK(cudaEventSynchronize(event_.get())); }
  /// Milliseconds from \p start to this event (both recorded and completed).
  [[nodiscard]] float elapsed_ms_since(const CudaEvent& start) const {
    float ms = 0.0F;
    AIRAN_CUDA_CHECK(cudaEventElapsedTime(&ms, start.event_.get(), event_.get()));
    return ms;
  }

private:
  UniqueCudaHandle<cudaEvent_t, EventRelease> event_;
  bool graph_node_ = false; ///< The last record() was a capture's external record node.
};

} // namespace airan::gpu
