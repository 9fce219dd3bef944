// HARQ buffer pool: buffers per HARQ process, reset on new data, kept for retransmissions,
// exhaustion error that leaves the pool unchanged, release one by one or per UE; and the pool
// through decode_ulsch_with_harq(): sizing, mismatched retransmissions, release on success, and no
// heap allocation once the decoder and the pool exist.
#include "airan/phy/harq_buffer_pool.h"
#include "airan/phy/ulsch_decoder.h"
#include "airan/phy/ulsch_encoder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <random>

#include "../support/allocation_counter.h"

using namespace airan::phy;

namespace {

TEST(HarqBufferPool, HandsOutOneBufferPerProcess) {
  HarqBufferPool pool(3, 100);
  EXPECT_EQ(pool.num_buffers(), 3u);
  EXPECT_EQ(pool.soft_bits_per_buffer(), 100u);
  EXPECT_EQ(pool.num_in_use(), 0u);
  HarqSoftBuffer& a = pool.acquire({10, 0}, true);
  HarqSoftBuffer& b = pool.acquire({10, 1}, true);
  HarqSoftBuffer& c = pool.acquire({11, 0}, false); // no buffer yet: a fresh one
  EXPECT_EQ(pool.num_in_use(), 3u);
  EXPECT_NE(&a, &b);
  EXPECT_NE(&b, &c);
  EXPECT_NE(&a, &c);
  EXPECT_EQ(a.soft_bits().size(), 100u);
  EXPECT_EQ(c.state().num_transmissions, 0u);
  EXPECT_EQ(b.key(), (HarqProcessKey{10, 1}));
  // The buffers do not overlap.
  std::fill(a.soft_bits().begin(), a.soft_bits().end(), 1.0f);
  std::fill(b.soft_bits().begin(), b.soft_bits().end(), 2.0f);
  std::fill(c.soft_bits().begin(), c.soft_bits().end(), 3.0f);
  EXPECT_EQ(a.soft_bits().back(), 1.0f);
  EXPECT_EQ(b.soft_bits().front(), 2.0f);
  EXPECT_EQ(pool.find({10, 1}), &b);
  EXPECT_EQ(pool.find({12, 1}), nullptr);
}

TEST(HarqBufferPool, RetransmissionKeepsTheStateAndNewDataResetsIt) {
  HarqBufferPool pool(2, 64);
  HarqSoftBuffer& first = pool.acquire({5, 3}, true);
  first.state().num_transmissions = 1;
  first.state().tbs = 1234;
  first.state().received_length = 40;
  HarqSoftBuffer& again = pool.acquire({5, 3}, false);
  EXPECT_EQ(&again, &first);
  EXPECT_EQ(again.state().num_transmissions, 1u);
  EXPECT_EQ(again.state().tbs, 1234u);
  EXPECT_EQ(again.state().received_length, 40u);
  EXPECT_EQ(pool.num_in_use(), 1u);
  HarqSoftBuffer& renewed = pool.acquire({5, 3}, true);
  EXPECT_EQ(&renewed, &first);
  EXPECT_EQ(renewed.state().num_transmissions, 0u);
  EXPECT_EQ(renewed.state().received_length, 0u);
  EXPECT_EQ(pool.num_in_use(), 1u);
}

TEST(HarqBufferPool, ExhaustionThrowsAndLeavesThePoolUnchanged) {
  HarqBufferPool pool(2, 16);
  pool.acquire({1, 0}, true).state().num_transmissions = 1;
  pool.acquire({2, 0}, true);
  EXPECT_THROW(pool.acquire({3, 0}, true), HarqPoolExhaustedError);
  EXPECT_THROW(pool.acquire({3, 0}, false), HarqPoolExhaustedError);
  EXPECT_EQ(pool.num_in_use(), 2u);
  EXPECT_EQ(pool.find({3, 0}), nullptr);
  // The holders still get their buffers, untouched.
  EXPECT_EQ(pool.acquire({1, 0}, false).state().num_transmissions, 1u);
  EXPECT_TRUE(pool.release({2, 0}));
  EXPECT_NO_THROW(pool.acquire({3, 0}, true));
  EXPECT_EQ(pool.num_in_use(), 2u);
  EXPECT_EQ(pool.num_exhausted(), 2u); // the two refused acquires, not the ones that succeeded
}

TEST(HarqBufferPool, BuffersUnusedForLongerThanTheExpiryAreFreed) {
  HarqBufferPool pool(3, 16, HarqStorage::host, 10);
  EXPECT_EQ(pool.expiry_slots(), 10u);
  pool.advance_clock(100);
  pool.acquire({1, 0}, true).state().num_transmissions = 1; // abandoned after this
  pool.acquire({2, 0}, true).state().num_transmissions = 1;
  pool.advance_clock(105);
  pool.acquire({2, 0}, false).state().num_transmissions = 2; // retransmitted: last use 105
  EXPECT_EQ(pool.advance_clock(110), 0u);                    // 10 slots old: not yet
  EXPECT_EQ(pool.advance_clock(111), 1u);                    // 11 slots old: expired
  EXPECT_EQ(pool.find({1, 0}), nullptr);
  ASSERT_NE(pool.find({2, 0}), nullptr);
  EXPECT_EQ(pool.find({2, 0})->state().num_transmissions, 2u);
  EXPECT_EQ(pool.num_in_use(), 1u);
  // An earlier time leaves the clock where it is (and expires nothing).
  EXPECT_EQ(pool.advance_clock(50), 0u);
  EXPECT_EQ(pool.clock(), 111u);
  EXPECT_EQ(pool.advance_clock(116), 1u);
  EXPECT_EQ(pool.num_in_use(), 0u);
  EXPECT_EQ(pool.num_expired(), 2u);
  // A retransmission after expiry starts from an empty buffer.
  EXPECT_EQ(pool.acquire({2, 0}, false).state().num_transmissions, 0u);
  // reset(): every buffer free, the clock back at 0, the counters kept.
  pool.reset();
  EXPECT_EQ(pool.num_in_use(), 0u);
  EXPECT_EQ(pool.find({2, 0}), nullptr);
  EXPECT_EQ(pool.clock(), 0u);
  EXPECT_EQ(pool.num_expired(), 2u);
}

TEST(HarqBufferPool, AnAbandonedPoolTakesNewProcessesAgainOnceExpired) {
  // UEs that leave with a failed TB each hold a buffer: without expiry the pool refuses every
  // later UE for good; with it, the next UE gets a buffer once the stale ones have aged out.
  HarqBufferPool lasting(2, 8);
  HarqBufferPool expiring(2, 8, HarqStorage::host, 40);
  for (HarqBufferPool* pool : {&lasting, &expiring}) {
    pool->acquire({100, 0}, true);
    pool->acquire({101, 0}, true);
    pool->advance_clock(41);
    EXPECT_EQ(pool->num_in_use(), pool == &lasting ? 2u : 0u);
  }
  EXPECT_THROW(lasting.acquire({102, 0}, true), HarqPoolExhaustedError);
  EXPECT_NO_THROW(expiring.acquire({102, 0}, true));
  EXPECT_EQ(lasting.num_expired(), 0u);
  EXPECT_EQ(lasting.advance_clock(1'000'000), 0u); // no expiry: never
}

TEST(HarqBufferPool, ReleaseFreesBuffersForOtherProcesses) {
  HarqBufferPool pool(4, 8);
  for (std::uint8_t process = 0; process < 3; ++process) {
    pool.acquire({7, process}, true);
  }
  pool.acquire({8, 0}, true).state().num_transmissions = 2;
  EXPECT_FALSE(pool.release({9, 0}));
  EXPECT_TRUE(pool.release({7, 1}));
  EXPECT_FALSE(pool.release({7, 1}));
  EXPECT_EQ(pool.num_in_use(), 3u);
  EXPECT_EQ(pool.release_all(7), 2u);
  EXPECT_EQ(pool.num_in_use(), 1u);
  EXPECT_EQ(pool.find({7, 0}), nullptr);
  EXPECT_EQ(pool.find({8, 0})->state().num_transmissions, 2u);
  for (std::uint8_t process = 0; process < 3; ++process) {
    EXPECT_EQ(pool.acquire({9, process}, false).state().num_transmissions, 0u);
  }
  EXPECT_THROW(pool.acquire({9, 3}, true), HarqPoolExhaustedError);
}

TEST(HarqBufferPool, ThroughTheUlschDecoder) {
  std::mt19937 rng(12);
  const UlschCodingConfig coding{9992, 0.5, 4, 1, 0, 20004, 0};
  const std::size_t needed = ulsch_soft_buffer_length(coding);
  EXPECT_EQ(needed, 2u * 66 * 240); // C = 2, Z = 240
  UlschCodingConfig lbrm = coding;
  lbrm.tbs_lbrm = 8000;
  EXPECT_EQ(ulsch_soft_buffer_length(lbrm), 2u * 6000); // N_cb = 3 * 8000 / (2 * 2)

  auto decoder = create_ulsch_decoder(coding.tbs);
  BitVector tb(coding.tbs);
  for (auto& bit : tb) {
    bit = static_cast<bit_t>(rng() & 1U);
  }
  BitVector codeword(coding.g);
  create_ulsch_encoder()->encode(tb, coding, codeword);
  std::vector<float> llrs(coding.g);
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    llrs[i] = codeword[i] == 0 ? 8.0f : -8.0f;
  }
  BitVector decoded(coding.tbs);

  HarqBufferPool small_pool(1, needed - 1);
  EXPECT_THROW(decode_ulsch_with_harq(*decoder, llrs, UlschDecoderConfig{coding}, small_pool,
                                      {1, 0}, true, decoded),
               std::invalid_argument);
  EXPECT_EQ(small_pool.num_in_use(), 0u); // the buffer taken for the call is given back

  HarqBufferPool pool(1, needed);
  // A TB held after a failed first transmission (nothing received)...
  const std::vector<float> zeros(coding.g, 0.0f);
  EXPECT_FALSE(decode_ulsch_with_harq(*decoder, zeros, UlschDecoderConfig{coding}, pool, {1, 0},
                                      true, decoded)
                   .tb_crc_ok);
  ASSERT_NE(pool.find({1, 0}), nullptr);
  // ...rejects a "retransmission" of another TBS and stays as it was.
  UlschCodingConfig other = coding;
  other.tbs = 9000;
  BitVector other_decoded(other.tbs);
  EXPECT_THROW(decode_ulsch_with_harq(*decoder, llrs, UlschDecoderConfig{other}, pool, {1, 0},
                                      false, other_decoded),
               std::invalid_argument);
  EXPECT_EQ(pool.find({1, 0})->state().num_transmissions, 1u);
  // Another process finds the pool exhausted.
  EXPECT_THROW(decode_ulsch_with_harq(*decoder, llrs, UlschDecoderConfig{coding}, pool, {2, 0},
                                      true, decoded),
               HarqPoolExhaustedError);
  // The real retransmission combines with the empty first one and succeeds.
  const auto result = decode_ulsch_with_harq(*decoder, llrs, UlschDecoderConfig{coding}, pool,
                                             {1, 0}, false, decoded);
  EXPECT_TRUE(result.tb_crc_ok);
  EXPECT_EQ(result.num_transmissions, 2u);
  EXPECT_EQ(decoded, tb);
  EXPECT_EQ(pool.num_in_use(), 0u);
}

TEST(HarqBufferPool, DecodingAllocatesNothingAfterConstruction) {
  const UlschCodingConfig configs[] = {{60000, 0.9, 8, 4, 0, 67200, 0}, // BG1, C = 8
                                       {1000, 0.5, 2, 1, 0, 2400, 0}};  // BG2, C = 1
  std::mt19937 rng(1);
  std::vector<std::vector<float>> llrs;
  std::vector<BitVector> decoded;
  for (const auto& coding : configs) {
    BitVector tb(coding.tbs);
    for (auto& bit : tb) {
      bit = static_cast<bit_t>(rng() & 1U);
    }
    BitVector codeword(coding.g);
    create_ulsch_encoder()->encode(tb, coding, codeword);
    auto& soft = llrs.emplace_back(coding.g);
    for (std::size_t i = 0; i < soft.size(); ++i) {
      soft[i] = codeword[i] == 0 ? 6.0f : -6.0f;
    }
    decoded.emplace_back(coding.tbs);
  }
  auto decoder = create_ulsch_decoder(60000);
  HarqBufferPool pool(2, ulsch_soft_buffer_length(configs[0]));
  const std::vector<float> zeros(configs[0].g, 0.0f);
  unsigned passed = 0;

  const long before = airan::test::allocation_count();
  for (int round = 0; round < 2; ++round) {
    for (std::size_t c = 0; c < 2; ++c) {
      passed += decoder->decode(llrs[c], UlschDecoderConfig{configs[c]}, decoded[c]).tb_crc_ok;
    }
    // A failed first transmission, then a successful retransmission (released).
    passed += decode_ulsch_with_harq(*decoder, zeros, UlschDecoderConfig{configs[0]}, pool, {3, 0},
                                     true, decoded[0])
                  .tb_crc_ok;
    passed += decode_ulsch_with_harq(*decoder, llrs[0], UlschDecoderConfig{configs[0]}, pool,
                                     {3, 0}, false, decoded[0])
                  .tb_crc_ok;
  }
  EXPECT_EQ(airan::test::allocation_count() - before, 0);
  EXPECT_EQ(passed, 6u);
  EXPECT_EQ(pool.num_in_use(), 0u);
}

TEST(HarqBufferPool, ExternalStorageKeepsBookkeepingAndIndices) {
  HarqBufferPool pool(3, 5000, HarqStorage::external);
  EXPECT_EQ(pool.storage(), HarqStorage::external);
  HarqSoftBuffer& a = pool.acquire({7, 2}, true);
  HarqSoftBuffer& b = pool.acquire({7, 3}, true);
  EXPECT_TRUE(a.soft_bits().empty());
  EXPECT_EQ(a.capacity(), 5000u);
  EXPECT_EQ(a.index(), 0u);
  EXPECT_EQ(b.index(), 1u);
  a.state().num_transmissions = 1;
  EXPECT_EQ(pool.acquire({7, 2}, false).state().num_transmissions, 1u);
  EXPECT_TRUE(pool.release({7, 2}));
  EXPECT_EQ(pool.acquire({8, 0}, false).index(), 0u) << "the freed buffer is reused";
  // A CPU decoder cannot combine into an external buffer: a clear error, not a crash.
  UlschDecoderConfig cfg;
  cfg.coding = {.tbs = 1000,
                .target_code_rate = 0.5F,
                .modulation_order = 2,
                .num_layers = 1,
                .rv = 0,
                .g = 2400};
  std::vector<float> llrs(cfg.coding.g, 1.0F);
  BitVector bits(cfg.coding.tbs);
  EXPECT_THROW(create_ulsch_decoder(1000)->decode(llrs, cfg, b, bits), std::invalid_argument);
  HarqBufferPool host(2, 10);
  EXPECT_EQ(host.acquire({1, 1}, true).capacity(), 10u);
  EXPECT_EQ(host.acquire({1, 2}, true).index(), 1u);
}

TEST(HarqBufferPool, RejectsAnEmptyPool) {
  EXPECT_THROW(HarqBufferPool(0, 100), std::invalid_argument);
  EXPECT_THROW(HarqBufferPool(4, 0), std::invalid_argument);
}

} // namespace
