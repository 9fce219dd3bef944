/// \file
/// \brief OranSectionRange: a forward range over the sections of a validated O-RAN C-plane or
/// U-plane message, decoding each section as the iterator reaches it. The views point into the
/// packet; nothing is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

namespace airan::io {

/// Forward range over the sections of a message that its parser has validated. \p Reader says
/// how a section reads: `Reader::view_type` (what the iterator yields), `Reader::context_type`
/// (what a section's layout depends on, copied into the range) and
/// `static std::size_t read(std::span<const std::uint8_t> bytes, const context_type&,
/// view_type& out)`, which decodes the section at the start of \p bytes (validated, so it cannot
/// fail) and returns its size in bytes.
template <typename Reader> class OranSectionRange {
public:
  using view_type = typename Reader::view_type;
  using context_type = typename Reader::context_type;

  class iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = view_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const view_type*;
    using reference = const view_type&;

    iterator() = default;
    reference operator*() const { return current_; }
    pointer operator->() const { return &current_; }
    iterator& operator++() {
      remaining_ = remaining_.subspan(current_size_);
      load();
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.remaining_.data() == b.remaining_.data() &&
             a.remaining_.size() == b.remaining_.size();
    }

  private:
    friend class OranSectionRange;
    iterator(std::span<const std::uint8_t> remaining, const context_type& context)
        : remaining_(remaining), context_(context) {
      load();
    }
    void load() {
      if (!remaining_.empty()) {
        current_size_ = Reader::read(remaining_, context_, current_);
      }
    }

    std::span<const std::uint8_t> remaining_; ///< Starts at current_'s header; empty at the end.
    context_type context_{};
    view_type current_{};
    std::size_t current_size_ = 0;
  };

  OranSectionRange() = default;
  OranSectionRange(std::span<const std::uint8_t> bytes, const context_type& context)
      : bytes_(bytes), context_(context) {}
  [[nodiscard]] iterator begin() const { return {bytes_, context_}; }
  [[nodiscard]] iterator end() const { return {bytes_.subspan(bytes_.size()), context_}; }

private:
  std::span<const std::uint8_t> bytes_;
  context_type context_{};
};

} // namespace airan::io
