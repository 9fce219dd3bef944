#include "airan/io/dpdk_fronthaul_ingest.h"
#include "airan/io/fronthaul_timing.h"

#include <algorithm>
#include <utility>

namespace airan::io {

class DpdkFronthaulIngest::Sink : public DpdkFrameSink {
public:
  explicit Sink(DpdkFronthaulIngest& ingest) : ingest_(ingest) {}
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) override {
    ingest_.assembler_.push(frame, arrival_ns);
    ingest_.newest_arrival_ns_ = std::max(ingest_.newest_arrival_ns_, arrival_ns);
    ++ingest_.stats_.frames;
    ingest_.stats_.bytes += frame.size();
  }

private:
  DpdkFronthaulIngest& ingest_;
};

DpdkFronthaulIngest::DpdkFronthaulIngest(DpdkPort& port, FronthaulSlotAssembler& assembler,
                                         IngestClock clock, AssembledSlotHandler on_slot,
                                         unsigned queue)
    : port_(port), assembler_(assembler), clock_(clock), on_slot_(std::move(on_slot)),
      queue_(queue) {}

unsigned DpdkFronthaulIngest::poll() {
  Sink sink(*this);
  const unsigned frames = port_.receive_burst(sink, queue_);
  if (frames > 0) {
    ++stats_.bursts;
  } else {
    ++stats_.idle_polls;
  }
  if (clock_ == IngestClock::realtime) {
    assembler_.advance(realtime_ns());
  } else if (frames > 0) {
    assembler_.advance(newest_arrival_ns_);
  }
  drain();
  return frames;
}

void DpdkFronthaulIngest::drain() {
  while (const AssembledSlot* slot = assembler_.next_slot()) {
    ++stats_.slots;
    on_slot_(*slot);
    assembler_.release(slot);
  }
}

void DpdkFronthaulIngest::run_until_idle(unsigned idle_polls) {
  unsigned idle = 0;
  while (idle < idle_polls) {
    idle = poll() == 0 ? idle + 1 : 0;
  }
  assembler_.flush();
  drain();
}

void DpdkFronthaulIngest::run_until(const std::function<bool()>& stop) {
  while (!stop()) {
    poll();
  }
  assembler_.flush();
  drain();
}

} // namespace airan::io
