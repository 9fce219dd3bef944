#include "airan/phy/thread_pool.h"

#include "../support/sanitizer_sweeps.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using airan::phy::ThreadPool;

TEST(ThreadPool, RunsEveryItemExactlyOnce) {
  for (unsigned workers : {0U, 1U, 3U}) {
    ThreadPool pool(workers);
    for (std::size_t items : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> counts(items);
      pool.parallel_for(items, [&](std::size_t i, unsigned lane) {
        ASSERT_LT(lane, pool.num_lanes());
        counts[i].fetch_add(1);
      });
      for (std::size_t i = 0; i < items; ++i) {
        ASSERT_EQ(counts[i].load(), 1) << "workers " << workers << " item " << i;
      }
    }
  }
}

TEST(ThreadPool, LanesAreExclusiveWhileAnItemRuns) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> busy(pool.num_lanes());
  std::atomic<bool> overlap{false};
  pool.parallel_for(2000, [&](std::size_t, unsigned lane) {
    if (busy[lane].fetch_add(1) != 0) {
      overlap = true;
    }
    busy[lane].fetch_sub(1);
  });
  EXPECT_FALSE(overlap.load());
}

TEST(ThreadPool, RethrowsTheFirstErrorAfterAllItemsRan) {
  ThreadPool pool(2);
  std::atomic<int> ran{0};
  EXPECT_THROW(pool.parallel_for(50,
                                 [&](std::size_t i, unsigned) {
                                   ran.fetch_add(1);
                                   if (i == 10) {
                                     throw std::runtime_error("item 10");
                                   }
                                 }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 50);
  // The pool stays usable after an error.
  std::atomic<int> again{0};
  pool.parallel_for(5, [&](std::size_t, unsigned) { again.fetch_add(1); });
  EXPECT_EQ(again.load(), 5);
}

} // namespace

TEST(ThreadPool, ANestedCallOnTheSamePoolThrowsInsteadOfHanging) {
  for (unsigned workers : {0U, 2U}) {
    ThreadPool pool(workers);
    ThreadPool other(1);
    std::atomic<int> inner{0};
    // Every item calls the pool again: each call throws, and the first error comes back here.
    EXPECT_THROW(pool.parallel_for(8,
                                   [&](std::size_t, unsigned) {
                                     pool.parallel_for(
                                         2, [&](std::size_t, unsigned) { inner.fetch_add(1); });
                                   }),
                 std::logic_error);
    EXPECT_EQ(inner.load(), 0);
    // Another pool inside an item is fine; this pool inside that one is nested all the same.
    pool.parallel_for(4, [&](std::size_t, unsigned) {
      other.parallel_for(3, [&](std::size_t, unsigned) { inner.fetch_add(1); });
    });
    EXPECT_EQ(inner.load(), 12);
    EXPECT_THROW(pool.parallel_for(1,
                                   [&](std::size_t, unsigned) {
                                     other.parallel_for(1, [&](std::size_t, unsigned) {
                                       pool.parallel_for(1, [](std::size_t, unsigned) {});
                                     });
                                   }),
                 std::logic_error);
    // ... also when the other pool's worker thread, not the caller, runs that item: the items of
    // a job know what their caller works for (this hung: the worker waited for the pool, whose
    // job waited for the worker).
    std::atomic<int> on_worker{0};
    std::atomic<int> caught{0};
    pool.parallel_for(1, [&](std::size_t, unsigned) {
      other.parallel_for(64, [&](std::size_t, unsigned lane) {
        if (lane == 0) { // leave items to the worker until it has taken one (10 s at most)
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (on_worker.load() == 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
          return;
        }
        on_worker.fetch_add(1);
        try {
          pool.parallel_for(1, [](std::size_t, unsigned) {});
        } catch (const std::logic_error&) {
          caught.fetch_add(1);
        }
      });
    });
    EXPECT_GT(on_worker.load(), 0);
    EXPECT_EQ(caught.load(), on_worker.load());
    // The pool stays usable.
    std::atomic<int> again{0};
    pool.parallel_for(5, [&](std::size_t, unsigned) { again.fetch_add(1); });
    EXPECT_EQ(again.load(), 5);
  }
}

TEST(ThreadPool, CallsFromTwoThreadsTakeTurns) {
  // Two threads share a pool: each call waits for the other's job, so every item of both runs
  // exactly once and no item of one job runs beside an item of the other.
  ThreadPool pool(2);
  constexpr std::size_t rounds = 20;
  constexpr std::size_t per_round = 100;
  std::vector<std::atomic<int>> counts[2] = {std::vector<std::atomic<int>>(rounds * per_round),
                                             std::vector<std::atomic<int>>(rounds * per_round)};
  std::atomic<int> in_flight[2] = {0, 0};
  std::atomic<bool> overlap{false};
  const auto job = [&](int tag) {
    for (std::size_t round = 0; round < rounds; ++round) {
      pool.parallel_for(per_round, [&](std::size_t i, unsigned) {
        in_flight[tag].fetch_add(1);
        if (in_flight[1 - tag].load() != 0) {
          overlap = true;
        }
        counts[tag][round * per_round + i].fetch_add(1);
        in_flight[tag].fetch_sub(1);
      });
    }
  };
  std::thread first([&] { job(0); });
  std::thread second([&] { job(1); });
  first.join();
  second.join();
  for (int tag = 0; tag < 2; ++tag) {
    for (std::size_t i = 0; i < rounds * per_round; ++i) {
      ASSERT_EQ(counts[tag][i].load(), 1) << tag << ' ' << i;
    }
  }
  EXPECT_FALSE(overlap.load());
}

// A pool whose threads the system will not all create throws, its started workers stopped and
// joined, instead of hanging in its members' destructors (or terminating on joinable threads).
// In a child process whose address space allows ~25 thread stacks; the child gets 30 s.
TEST(ThreadPool, AThreadTheSystemWillNotCreateIsAnErrorNotAHang) {
  if (airan::test::built_with_sanitizers) {
    GTEST_SKIP() << "the sanitizers' shadow memory does not live under an address-space limit";
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(30);
    std::ifstream status("/proc/self/status");
    std::string line;
    unsigned long long vm_kb = 0;
    while (std::getline(status, line)) {
      if (line.rfind("VmSize:", 0) == 0) {
        vm_kb = std::stoull(line.substr(7));
      }
    }
    const rlim_t bytes = (vm_kb + 200ULL * 1024) * 1024;
    const rlimit limit{bytes, bytes};
    if (vm_kb == 0 || ::setrlimit(RLIMIT_AS, &limit) != 0) {
      ::_exit(3);
    }
    try {
      const ThreadPool pool(4000); // 8 MB stacks: 200 MB hold about 25
      ::_exit(1);
    } catch (const std::system_error&) {
      ::_exit(0);
    } catch (...) {
      ::_exit(2);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child hung (killed by signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: every thread created; 2: another exception; 3: no limit";
}
