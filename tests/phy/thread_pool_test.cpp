#include "airan/phy/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
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
