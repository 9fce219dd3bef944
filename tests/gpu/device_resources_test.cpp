// RAII device resources: buffers, streams, events, cuFFT plans (CUDA builds; skipped without a
// device), and errors that name the failing call (runs everywhere CUDA is compiled in).
#include "airan/gpu/device_query.h"

#include <gtest/gtest.h>

#if defined(AIRAN_HAVE_CUDA)
#include "airan/gpu/cuda_graph.h"
#include "airan/gpu/cuda_stream.h"
#include "airan/gpu/cufft_plan.h"
#include "airan/gpu/device_buffer.h"
#include "airan/gpu/launch_profiler.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

bool no_device() {
  return airan::gpu::query_devices().devices.empty();
}

TEST(DeviceResources, ErrorsNameTheCall) {
  try {
    AIRAN_CUDA_CHECK(cudaErrorInvalidValue);
    FAIL();
  } catch (const airan::gpu::CudaError& error) {
    EXPECT_NE(std::string(error.what()).find("cudaErrorInvalidValue"), std::string::npos)
        << error.what();
  }
}

TEST(DeviceResources, BuffersRoundTripAndMove) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  airan::gpu::CudaStream stream;
  airan::gpu::DeviceBuffer<int> buffer(1000);
  airan::gpu::PinnedBuffer<int> pinned(1000);
  for (int i = 0; i < 1000; ++i) {
    pinned[i] = i * 3;
  }
  buffer.copy_from_host(pinned.span(), stream.get());
  airan::gpu::DeviceBuffer<int> moved(std::move(buffer));
  // Deliberate: the moved-from buffer must have released its device pointer.
  EXPECT_EQ(buffer.data(), nullptr); // NOLINT(bugprone-use-after-move)
  std::vector<int> back(1000);
  moved.copy_to_host(std::span(back), stream.get());
  stream.synchronize();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(back[i], i * 3);
  }
  EXPECT_THROW(moved.copy_to_host(std::span(back.data(), 1001), stream.get()), std::length_error);
}

// Events recorded while a stream is captured must be recorded by every launch of the graph (the
// front end's stage times and the UL-SCH decoder's completion event are recorded this way).
TEST(DeviceResources, EventsRecordedInACapturedGraphAreRecordedByEachLaunch) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  airan::gpu::CudaStream stream;
  EXPECT_EQ(airan::gpu::CudaEvent::record_flags(stream.get()), cudaEventRecordDefault);
  constexpr std::size_t n = std::size_t{1} << 22;
  airan::gpu::PinnedBuffer<int> input(n);
  airan::gpu::PinnedBuffer<int> output(n);
  airan::gpu::DeviceBuffer<int> device(n);
  airan::gpu::CudaEvent start;
  airan::gpu::CudaEvent done;
  airan::gpu::CudaGraph graph;
  for (int launch = 1; launch <= 3; ++launch) {
    for (std::size_t i = 0; i < n; ++i) {
      input[i] = launch * static_cast<int>(i % 1000);
    }
    graph.capture_or_update(stream.get(), [&] {
      EXPECT_EQ(airan::gpu::CudaEvent::record_flags(stream.get()), cudaEventRecordExternal);
      start.record(stream.get());
      device.copy_from_host(input.span(), stream.get());
      device.copy_to_host(output.span(), stream.get());
      done.record(stream.get());
    });
    graph.launch(stream.get());
    done.synchronize(); // not the stream: the event alone must say that the copies are done
    EXPECT_EQ(cudaEventQuery(done.get()), cudaSuccess);
    EXPECT_GT(done.elapsed_ms_since(start), 0.0F);
    for (std::size_t i = 0; i < n; i += 4099) {
      ASSERT_EQ(output[i], launch * static_cast<int>(i % 1000)) << "launch " << launch;
    }
  }
  EXPECT_EQ(graph.instantiations(), 1U);
}

// Inside a capture a stream joins another's work only through an event recorded as a capture
// dependency (mark()); a stage-time event (record(), a graph node there) orders nothing, so
// waiting on it is refused. The branch's copy reads what the main stream wrote first.
TEST(DeviceResources, CapturedBranchesWaitOnMarkedEventsOnly) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  airan::gpu::CudaStream stream;
  airan::gpu::CudaStream branch;
  constexpr std::size_t n = std::size_t{1} << 20;
  airan::gpu::PinnedBuffer<int> input(n);
  airan::gpu::PinnedBuffer<int> output(n);
  airan::gpu::DeviceBuffer<int> device(n);
  airan::gpu::CudaEvent timed;
  airan::gpu::CudaEvent written{cudaEventDisableTiming};
  airan::gpu::CudaEvent joined{cudaEventDisableTiming};
  airan::gpu::CudaGraph graph;
  for (int launch = 1; launch <= 2; ++launch) {
    for (std::size_t i = 0; i < n; ++i) {
      input[i] = launch * static_cast<int>(i % 977);
    }
    graph.capture_or_update(stream.get(), [&] {
      device.copy_from_host(input.span(), stream.get());
      timed.record(stream.get());
      EXPECT_THROW(timed.order_before(branch.get()), std::logic_error);
      written.mark(stream.get());
      written.order_before(branch.get());
      device.copy_to_host(output.span(), branch.get());
      joined.mark(branch.get());
      joined.order_before(stream.get());
    });
    graph.launch(stream.get());
    stream.synchronize();
    for (std::size_t i = 0; i < n; i += 1021) {
      ASSERT_EQ(output[i], launch * static_cast<int>(i % 977)) << "launch " << launch;
    }
  }
  timed.record(stream.get()); // outside a capture a recorded event orders as usual
  EXPECT_NO_THROW(timed.order_before(branch.get()));
  branch.synchronize();
}

TEST(DeviceResources, EventsTimeAndFftTransforms) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  airan::gpu::CudaStream stream;
  constexpr int n = 256;
  constexpr int batch = 3;
  std::vector<cufftComplex> host(std::size_t{n} * batch, cufftComplex{0.0F, 0.0F});
  for (int b = 0; b < batch; ++b) {
    host[b * n + 1] = {1.0F, 0.0F}; // a delta at sample 1: bins exp(-j 2 pi k / n)
  }
  airan::gpu::DeviceBuffer<cufftComplex> buffer(host.size());
  buffer.copy_from_host(std::span<const cufftComplex>(host), stream.get());
  airan::gpu::CufftPlan plan(n, batch);
  airan::gpu::CudaEvent start;
  airan::gpu::CudaEvent end;
  start.record(stream.get());
  plan.forward(buffer.data(), buffer.data(), stream.get());
  end.record(stream.get());
  buffer.copy_to_host(std::span(host), stream.get());
  stream.synchronize();
  EXPECT_GE(end.elapsed_ms_since(start), 0.0F);
  for (int b = 0; b < batch; ++b) {
    for (int k = 0; k < n; ++k) {
      const double angle = -2.0 * 3.141592653589793 * k / n;
      ASSERT_NEAR(host[b * n + k].x, std::cos(angle), 1e-5);
      ASSERT_NEAR(host[b * n + k].y, std::sin(angle), 1e-5);
    }
  }
}

TEST(DeviceResources, LaunchProfilerIsPerThreadAndOneAtATime) {
  EXPECT_EQ(airan::gpu::LaunchProfiler::active(), nullptr);
  {
    airan::gpu::LaunchProfiler profiler; // creates no event before its first record
    EXPECT_EQ(airan::gpu::LaunchProfiler::active(), &profiler);
    EXPECT_THROW(airan::gpu::LaunchProfiler second, std::logic_error);
    EXPECT_EQ(airan::gpu::LaunchProfiler::active(), &profiler);
    const airan::gpu::LaunchProfiler* seen = &profiler;
    std::thread other([&] { seen = airan::gpu::LaunchProfiler::active(); });
    other.join();
    EXPECT_EQ(seen, nullptr);
    EXPECT_TRUE(profiler.collect().empty());
  }
  EXPECT_EQ(airan::gpu::LaunchProfiler::active(), nullptr);
}

TEST(DeviceResources, LaunchProfilerTimesLaunchesPerStreamDirectlyAndInGraphs) {
  if (no_device()) {
    GTEST_SKIP() << "no CUDA device";
  }
  airan::gpu::CudaStream first;
  airan::gpu::CudaStream second;
  constexpr std::size_t n = std::size_t{1} << 22;
  airan::gpu::PinnedBuffer<int> host(n);
  airan::gpu::DeviceBuffer<int> a(n);
  airan::gpu::DeviceBuffer<int> b(n);
  airan::gpu::LaunchProfiler profiler;
  airan::gpu::profile_begin(first.get());
  a.copy_from_host(host.span(), first.get());
  airan::gpu::profile_launch("copy to a", first.get());
  airan::gpu::profile_launch("nothing to time it from", second.get());
  airan::gpu::profile_begin(second.get());
  b.copy_from_host(host.span(), second.get());
  airan::gpu::profile_launch("copy to b", second.get());
  a.copy_to_host(host.span(), first.get());
  airan::gpu::profile_launch("copy from a", first.get());
  std::vector<airan::gpu::LaunchTime> times = profiler.collect();
  ASSERT_EQ(times.size(), 3U);
  EXPECT_EQ(times[0].name, "copy to a");
  EXPECT_EQ(times[1].name, "copy to b");
  EXPECT_EQ(times[2].name, "copy from a");
  for (const auto& time : times) {
    EXPECT_GT(time.device_us, 0.0F) << time.name;
  }
  // Captured: the events become graph nodes, reused by position after restart(), so capturing
  // again updates the graph in place.
  airan::gpu::CudaGraph graph;
  for (int launch = 0; launch < 3; ++launch) {
    profiler.restart();
    graph.capture_or_update(first.get(), [&] {
      airan::gpu::profile_begin(first.get());
      a.copy_from_host(host.span(), first.get());
      airan::gpu::profile_launch("captured copy", first.get());
    });
    graph.launch(first.get());
    times = profiler.collect();
    ASSERT_EQ(times.size(), 1U);
    EXPECT_EQ(times[0].name, "captured copy");
    EXPECT_GT(times[0].device_us, 0.0F);
  }
  EXPECT_EQ(graph.instantiations(), 1U);
  first.synchronize();
}

} // namespace
#else
TEST(DeviceResources, NotCompiledWithoutCuda) {
  EXPECT_FALSE(airan::gpu::query_devices().cuda_compiled);
}
#endif
