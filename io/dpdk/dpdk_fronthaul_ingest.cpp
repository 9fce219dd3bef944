#include "airan/io/dpdk_fronthaul_ingest.h"
#include "airan/io/fronthaul_timing.h"

#include <exception>
#include <utility>

namespace airan::io {

class DpdkFronthaulIngest::Sink : public DpdkFrameSink {
public:
  explicit Sink(DpdkFronthaulIngest& ingest) : ingest_(ingest) {}
  void on_frame(std::span<const std::uint8_t> frame, std::int64_t arrival_ns) override {
    // Only frames that went into a slot move the capture clock (the assembler's running
    // clock): a rejected frame's or an outlying timestamp must not pass every deadline.
    ingest_.accepted_ += ingest_.assembler_.push(frame, arrival_ns) ? 1 : 0;
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
  } else if (accepted_ > 0) {
    accepted_ = 0;
    assembler_.advance(*assembler_.arrival_clock_ns());
  }
  drain();
  return frames;
}

void DpdkFronthaulIngest::drain() {
  while (const AssembledSlot* slot = assembler_.next_slot()) {
    ++stats_.slots;
    // The slot goes back to the pool however the handler leaves.
    struct Release {
      FronthaulSlotAssembler& assembler;
      const AssembledSlot* slot;
      ~Release() { assembler.release(slot); }
    } release{assembler_, slot};
    try {
      on_slot_(*slot);
    } catch (const std::exception& error) {
      // One slot's failure must not stop the receive loop: counted, the first one kept.
      if (stats_.handler_errors++ == 0) {
        first_handler_error_ = error.what();
      }
    }
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
