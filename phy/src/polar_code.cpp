#include "airan/phy/polar_code.h"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <string>

namespace airan::phy {
namespace {

/// TS 38.212 Table 5.3.1.2-1: Q_0^1023, bit-channel indices from least to most reliable.
constexpr std::array<std::uint16_t, polar_max_code_length> reliability_sequence = {
    0,    1,    2,    4,    8,    16,   32,   3,    5,    64,   9,    6,    17,   10,   18,   128,
    12,   33,   65,   20,   256,  34,   24,   36,   7,    129,  66,   512,  11,   40,   68,   130,
    19,   13,   48,   14,   72,   257,  21,   132,  35,   258,  26,   513,  80,   37,   25,   22,
    136,  260,  264,  38,   514,  96,   67,   41,   144,  28,   69,   42,   516,  49,   74,   272,
    160,  520,  288,  528,  192,  544,  70,   44,   131,  81,   50,   73,   15,   320,  133,  52,
    23,   134,  384,  76,   137,  82,   56,   27,   97,   39,   259,  84,   138,  145,  261,  29,
    43,   98,   515,  88,   140,  30,   146,  71,   262,  265,  161,  576,  45,   100,  640,  51,
    148,  46,   75,   266,  273,  517,  104,  162,  53,   193,  152,  77,   164,  768,  268,  274,
    518,  54,   83,   57,   521,  112,  135,  78,   289,  194,  85,   276,  522,  58,   168,  139,
    99,   86,   60,   280,  89,   290,  529,  524,  196,  141,  101,  147,  176,  142,  530,  321,
    31,   200,  90,   545,  292,  322,  532,  263,  149,  102,  105,  304,  296,  163,  92,   47,
    267,  385,  546,  324,  208,  386,  150,  153,  165,  106,  55,   328,  536,  577,  548,  113,
    154,  79,   269,  108,  578,  224,  166,  519,  552,  195,  270,  641,  523,  275,  580,  291,
    59,   169,  560,  114,  277,  156,  87,   197,  116,  170,  61,   531,  525,  642,  281,  278,
    526,  177,  293,  388,  91,   584,  769,  198,  172,  120,  201,  336,  62,   282,  143,  103,
    178,  294,  93,   644,  202,  592,  323,  392,  297,  770,  107,  180,  151,  209,  284,  648,
    94,   204,  298,  400,  608,  352,  325,  533,  155,  210,  305,  547,  300,  109,  184,  534,
    537,  115,  167,  225,  326,  306,  772,  157,  656,  329,  110,  117,  212,  171,  776,  330,
    226,  549,  538,  387,  308,  216,  416,  271,  279,  158,  337,  550,  672,  118,  332,  579,
    540,  389,  173,  121,  553,  199,  784,  179,  228,  338,  312,  704,  390,  174,  554,  581,
    393,  283,  122,  448,  353,  561,  203,  63,   340,  394,  527,  582,  556,  181,  295,  285,
    232,  124,  205,  182,  643,  562,  286,  585,  299,  354,  211,  401,  185,  396,  344,  586,
    645,  593,  535,  240,  206,  95,   327,  564,  800,  402,  356,  307,  301,  417,  213,  568,
    832,  588,  186,  646,  404,  227,  896,  594,  418,  302,  649,  771,  360,  539,  111,  331,
    214,  309,  188,  449,  217,  408,  609,  596,  551,  650,  229,  159,  420,  310,  541,  773,
    610,  657,  333,  119,  600,  339,  218,  368,  652,  230,  391,  313,  450,  542,  334,  233,
    555,  774,  175,  123,  658,  612,  341,  777,  220,  314,  424,  395,  673,  583,  355,  287,
    183,  234,  125,  557,  660,  616,  342,  316,  241,  778,  563,  345,  452,  397,  403,  207,
    674,  558,  785,  432,  357,  187,  236,  664,  624,  587,  780,  705,  126,  242,  565,  398,
    346,  456,  358,  405,  303,  569,  244,  595,  189,  566,  676,  361,  706,  589,  215,  786,
    647,  348,  419,  406,  464,  680,  801,  362,  590,  409,  570,  788,  597,  572,  219,  311,
    708,  598,  601,  651,  421,  792,  802,  611,  602,  410,  231,  688,  653,  248,  369,  190,
    364,  654,  659,  335,  480,  315,  221,  370,  613,  422,  425,  451,  614,  543,  235,  412,
    343,  372,  775,  317,  222,  426,  453,  237,  559,  833,  804,  712,  834,  661,  808,  779,
    617,  604,  433,  720,  816,  836,  347,  897,  243,  662,  454,  318,  675,  618,  898,  781,
    376,  428,  665,  736,  567,  840,  625,  238,  359,  457,  399,  787,  591,  678,  434,  677,
    349,  245,  458,  666,  620,  363,  127,  191,  782,  407,  436,  626,  571,  465,  681,  246,
    707,  350,  599,  668,  790,  460,  249,  682,  573,  411,  803,  789,  709,  365,  440,  628,
    689,  374,  423,  466,  793,  250,  371,  481,  574,  413,  603,  366,  468,  655,  900,  805,
    615,  684,  710,  429,  794,  252,  373,  605,  848,  690,  713,  632,  482,  806,  427,  904,
    414,  223,  663,  692,  835,  619,  472,  455,  796,  809,  714,  721,  837,  716,  864,  810,
    606,  912,  722,  696,  377,  435,  817,  319,  621,  812,  484,  430,  838,  667,  488,  239,
    378,  459,  622,  627,  437,  380,  818,  461,  496,  669,  679,  724,  841,  629,  351,  467,
    438,  737,  251,  462,  442,  441,  469,  247,  683,  842,  738,  899,  670,  783,  849,  820,
    728,  928,  791,  367,  901,  630,  685,  844,  633,  711,  253,  691,  824,  902,  686,  740,
    850,  375,  444,  470,  483,  415,  485,  905,  795,  473,  634,  744,  852,  960,  865,  693,
    797,  906,  715,  807,  474,  636,  694,  254,  717,  575,  913,  798,  811,  379,  697,  431,
    607,  489,  866,  723,  486,  908,  718,  813,  476,  856,  839,  725,  698,  914,  752,  868,
    819,  814,  439,  929,  490,  623,  671,  739,  916,  463,  843,  381,  497,  930,  821,  726,
    961,  872,  492,  631,  729,  700,  443,  741,  845,  920,  382,  822,  851,  730,  498,  880,
    742,  445,  471,  635,  932,  687,  903,  825,  500,  846,  745,  826,  732,  446,  962,  936,
    475,  853,  867,  637,  907,  487,  695,  746,  828,  753,  854,  857,  504,  799,  255,  964,
    909,  719,  477,  915,  638,  748,  944,  869,  491,  699,  754,  858,  478,  968,  383,  910,
    815,  976,  870,  917,  727,  493,  873,  701,  931,  756,  860,  499,  731,  823,  922,  874,
    918,  502,  933,  743,  760,  881,  494,  702,  921,  501,  876,  847,  992,  447,  733,  827,
    934,  882,  937,  963,  747,  505,  855,  924,  734,  829,  965,  938,  884,  506,  749,  945,
    966,  755,  859,  940,  830,  911,  871,  639,  888,  479,  946,  750,  969,  508,  861,  757,
    970,  919,  875,  862,  758,  948,  977,  923,  972,  761,  877,  952,  495,  703,  935,  978,
    883,  762,  503,  925,  878,  735,  993,  885,  939,  994,  980,  926,  764,  941,  967,  886,
    831,  947,  507,  889,  984,  751,  942,  996,  971,  890,  509,  949,  973,  1000, 892,  950,
    863,  759,  1008, 510,  979,  953,  763,  974,  954,  879,  981,  982,  927,  995,  765,  956,
    887,  985,  997,  986,  943,  891,  998,  766,  511,  988,  1001, 951,  1002, 893,  975,  894,
    1009, 955,  1004, 1010, 957,  983,  958,  987,  1012, 999,  1016, 767,  989,  1003, 990,  1005,
    959,  1011, 1013, 895,  1006, 1014, 1017, 1018, 991,  1020, 1007, 1015, 1019, 1021, 1022, 1023};

/// P(i) of the sub-block interleaver (TS 38.212 Table 5.4.1.1-1).
constexpr std::array<std::uint8_t, 32> sub_block_pattern = {
    0,  1,  2,  4,  3,  5,  6,  7,  8,  16, 9,  17, 10, 18, 11, 19,
    12, 20, 13, 21, 14, 22, 15, 23, 24, 25, 26, 28, 27, 29, 30, 31};

constexpr unsigned polar_max_log2_n = 10;
constexpr unsigned polar_min_log2_n = 5;

/// ceil(log2(x)) for x >= 1.
unsigned ceil_log2(std::uint64_t x) {
  return x <= 1 ? 0U : static_cast<unsigned>(std::bit_width(x - 1));
}

/// n of TS 38.212 5.3.1 for K bits rate matched to E.
unsigned mother_code_log2(unsigned k, unsigned e) {
  const unsigned log2_e = ceil_log2(e);
  // E <= (9/8) 2^(ceil(log2 E) - 1) and K/E < 9/16, in integers.
  const bool small_e =
      log2_e >= 1 && std::uint64_t{8} * e <= std::uint64_t{9} << (log2_e - 1) && 16U * k < 9U * e;
  const unsigned n1 = small_e ? log2_e - 1 : log2_e;
  const unsigned n2 = ceil_log2(std::uint64_t{8} * k); // R_min = 1/8
  return std::max(std::min({n1, n2, polar_max_log2_n}), polar_min_log2_n);
}

std::string sizes(unsigned k, unsigned e, unsigned n_pc) {
  return "K " + std::to_string(k) + ", E " + std::to_string(e) + ", n_PC " + std::to_string(n_pc);
}

/// The triangular interleaver of TS 38.212 5.4.1.3: rows of T, T-1, .. written, columns read.
/// The triangular channel interleaver of \p e bits into \p out (\p row_start: scratch).
void triangular_interleaver(unsigned e, std::vector<std::uint32_t>& row_start,
                            std::vector<std::uint32_t>& out) {
  unsigned t = 0;
  while (std::uint64_t{t} * (t + 1) / 2 < e) {
    ++t;
  }
  // Entry (i, j), j < T - i, holds e_k with k = sum over rows before i plus j.
  row_start.assign(t + 1, 0);
  for (unsigned i = 0; i < t; ++i) {
    row_start[i + 1] = row_start[i] + (t - i);
  }
  out.clear();
  out.reserve(e);
  for (unsigned j = 0; j < t; ++j) {
    for (unsigned i = 0; i + j < t; ++i) {
      const std::uint32_t k = row_start[i] + j;
      if (k < e) {
        out.push_back(k);
      }
    }
  }
}

/// Places the n_PC parity-check bits among the information set (TS 38.212 5.3.1.2).
void place_parity_checks(PolarCode& code, std::span<const std::uint16_t> info_by_reliability,
                         unsigned n_pc_wm) {
  // info_by_reliability: Q_I^N, least reliable first. The n_PC - n_PC^wm least reliable.
  for (unsigned i = 0; i < code.n_pc - n_pc_wm; ++i) {
    code.bit_types[info_by_reliability[i]] = PolarBitType::parity_check;
  }
  // The others at minimum row weight among the |Q_I^N| - n_PC most reliable, most reliable first.
  const auto tilde = info_by_reliability.subspan(code.n_pc);
  for (unsigned placed = 0; placed < n_pc_wm; ++placed) {
    int best = -1;
    int best_weight = 0;
    for (std::size_t i = tilde.size(); i-- > 0;) {
      const std::uint16_t index = tilde[i];
      if (code.bit_types[index] != PolarBitType::information) {
        continue;
      }
      const int weight = std::popcount(index); // row weight 2^popcount
      if (best < 0 || weight < best_weight) {
        best = index;
        best_weight = weight;
      }
    }
    code.bit_types[static_cast<std::size_t>(best)] = PolarBitType::parity_check;
  }
}

} // namespace

std::span<const std::uint16_t> polar_reliability_sequence() {
  return reliability_sequence;
}

unsigned polar_uci_pc_weight_bits(unsigned k, unsigned e) {
  return e + 3 > k + 192 ? 1U : 0U;
}

PolarCode make_polar_code(unsigned k, unsigned e, unsigned n_pc, unsigned n_pc_wm) {
  PolarCode code;
  PolarCodeScratch scratch;
  build_polar_code(k, e, n_pc, n_pc_wm, code, scratch);
  return code;
}

void build_polar_code(unsigned k, unsigned e, unsigned n_pc, unsigned n_pc_wm, PolarCode& code,
                      PolarCodeScratch& scratch) {
  if (k == 0 || n_pc_wm > n_pc || n_pc_wm > k || k + n_pc > e) {
    throw std::invalid_argument("polar code: no code for " + sizes(k, e, n_pc) + ", n_PC^wm " +
                                std::to_string(n_pc_wm) +
                                " (K + n_PC must be at most E, n_PC^wm at most n_PC and K)");
  }
  code.k = k;
  code.e = e;
  code.n_pc = n_pc;
  code.log2_n = mother_code_log2(k, e);
  code.n = 1U << code.log2_n;
  const unsigned n = code.n;
  code.interleaver.resize(n);
  for (unsigned m = 0; m < n; ++m) {
    const unsigned i = 32 * m / n;
    code.interleaver[m] =
        static_cast<std::uint16_t>(sub_block_pattern[i] * (n / 32) + m % (n / 32));
  }
  // Q_F,tmp: the coded bits that are not sent and, when puncturing, a prefix of the inputs.
  std::vector<std::uint8_t>& pre_frozen = scratch.pre_frozen;
  pre_frozen.assign(n, 0);
  if (e >= n) {
    code.rate_matching = PolarRateMatching::repetition;
  } else if (16U * k <= 7U * e) {
    code.rate_matching = PolarRateMatching::puncturing;
    for (unsigned m = 0; m < n - e; ++m) {
      pre_frozen[code.interleaver[m]] = 1;
    }
    // ceil(3N/4 - E/2) or ceil(9N/16 - E/4), in integers.
    const unsigned prefix =
        4U * e >= 3U * n ? (3U * n - 2U * e + 3U) / 4U : (9U * n - 4U * e + 15U) / 16U;
    std::fill_n(pre_frozen.begin(), std::min(prefix, n), std::uint8_t{1});
  } else {
    code.rate_matching = PolarRateMatching::shortening;
    for (unsigned m = e; m < n; ++m) {
      pre_frozen[code.interleaver[m]] = 1;
    }
  }
  // Q_I^N: the K + n_PC most reliable inputs not in Q_F,tmp (kept least reliable first).
  std::vector<std::uint16_t>& info = scratch.info;
  info.clear();
  info.reserve(n);
  for (const std::uint16_t index : reliability_sequence) {
    if (index < n && pre_frozen[index] == 0) {
      info.push_back(index);
    }
  }
  if (info.size() < k + n_pc) {
    throw std::invalid_argument("polar code: the rate matching of " + sizes(k, e, n_pc) +
                                " leaves too few inputs");
  }
  info.erase(info.begin(), info.end() - (k + n_pc));
  code.bit_types.assign(n, PolarBitType::frozen);
  for (const std::uint16_t index : info) {
    code.bit_types[index] = PolarBitType::information;
  }
  place_parity_checks(code, info, n_pc_wm);
  triangular_interleaver(e, scratch.row_start, code.channel_interleaver);
}

void polar_encode(const PolarCode& code, std::span<const bit_t> bits, std::span<bit_t> coded) {
  if (bits.size() != code.k || coded.size() != code.n) {
    throw std::invalid_argument("polar encoder: " + std::to_string(bits.size()) + " bits into " +
                                std::to_string(coded.size()) + " for " +
                                sizes(code.k, code.e, code.n_pc) + ", N " + std::to_string(code.n));
  }
  unsigned reg = 0; // y_0 in bit 0 .. y_4 in bit 4
  std::size_t next = 0;
  for (unsigned i = 0; i < code.n; ++i) {
    reg = ((reg >> 1) | (reg << 4)) & 0x1FU; // y_0 <- y_1 .. y_4 <- y_0
    bit_t u = 0;
    if (code.bit_types[i] == PolarBitType::information) {
      u = bits[next++] & 1U;
      reg ^= u; // only information bits enter the register
    } else if (code.bit_types[i] == PolarBitType::parity_check) {
      u = static_cast<bit_t>(reg & 1U);
    }
    coded[i] = u;
  }
  // d = u G_N, G_N the n-th Kronecker power of [1 0; 1 1]: butterflies of growing span.
  for (unsigned half = 1; half < code.n; half *= 2) {
    for (unsigned block = 0; block < code.n; block += 2 * half) {
      for (unsigned j = block; j < block + half; ++j) {
        coded[j] ^= coded[j + half];
      }
    }
  }
}

void polar_rate_match(const PolarCode& code, std::span<const bit_t> coded, std::span<bit_t> out) {
  if (coded.size() != code.n || out.size() != code.e) {
    throw std::invalid_argument("polar rate matching: " + std::to_string(coded.size()) + " to " +
                                std::to_string(out.size()) + " bits for N " +
                                std::to_string(code.n) + ", E " + std::to_string(code.e));
  }
  const unsigned offset =
      code.rate_matching == PolarRateMatching::puncturing ? code.n - code.e : 0U;
  for (unsigned k = 0; k < code.e; ++k) {
    const std::uint32_t at = code.channel_interleaver[k]; // f_k = e_at
    out[k] = coded[code.interleaver[(at + offset) % code.n]];
  }
}

void polar_rate_recover(const PolarCode& code, std::span<const float> llrs,
                        std::span<float> coded) {
  if (llrs.size() != code.e || coded.size() != code.n) {
    throw std::invalid_argument("polar rate recovery: " + std::to_string(llrs.size()) + " to " +
                                std::to_string(coded.size()) + " LLRs for N " +
                                std::to_string(code.n) + ", E " + std::to_string(code.e));
  }
  std::fill(coded.begin(), coded.end(), 0.0F);
  if (code.rate_matching == PolarRateMatching::shortening) {
    for (unsigned m = code.e; m < code.n; ++m) {
      coded[code.interleaver[m]] = polar_known_zero_llr;
    }
  }
  const unsigned offset =
      code.rate_matching == PolarRateMatching::puncturing ? code.n - code.e : 0U;
  for (unsigned k = 0; k < code.e; ++k) {
    const std::uint32_t at = code.channel_interleaver[k];
    coded[code.interleaver[(at + offset) % code.n]] += llrs[k];
  }
}

} // namespace airan::phy
