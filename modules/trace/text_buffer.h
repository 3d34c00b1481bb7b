// Text assembled in memory and handed to a stream in large blocks. The trace writers emit millions
// of short records; through ostream's operator<< each piece costs a sentry, a locale lookup and a
// virtual call, and each time stamp a printf of a double: more than the simulation of the layer.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string_view>

namespace gcasim {

class text_buffer {
public:
    explicit text_buffer(std::ostream& out) : out_(out), text_(new char[capacity]), end_(text_.get()) {}

    void put(char c)
    {
        if (end_ == text_.get() + capacity)
            flush();
        *end_++ = c;
    }
    void put(std::string_view s)
    {
        if (s.size() > room()) {
            flush();
            if (s.size() > capacity) {
                out_.write(s.data(), static_cast<std::streamsize>(s.size()));
                return;
            }
        }
        std::memcpy(end_, s.data(), s.size());
        end_ += s.size();
    }

    /// `value` in decimal digits (what ostream << value writes).
    void put_decimal(std::uint64_t value) { commit(write_decimal(claim(20), value)); }

    /// Picoseconds as microseconds with six decimals: the bytes printf("%.6f", ps · 1e-6) writes
    /// (from sc_time::to_seconds() · 1e6), exactly, for any time below 10¹⁵ ps where the double's
    /// rounding could first reach the sixth decimal.
    void put_micros(std::uint64_t ps)
    {
        put_decimal(ps / 1000000);
        char digits[7] = {'.'};
        std::uint64_t fraction = ps % 1000000;
        for (int i = 6; i >= 1; --i, fraction /= 10)
            digits[i] = static_cast<char>('0' + fraction % 10);
        put(std::string_view(digits, sizeof digits));
    }

    /// Room for `n` characters, written from the pointer returned and closed with commit(); for a
    /// record whose length has a small bound, without a check per character.
    char* claim(std::size_t n)
    {
        if (n > room())
            flush();
        return end_;
    }
    void commit(char* end) { end_ = end; }

    /// Writes `value` in decimal digits at `at`; returns the end (at most 20 characters). Two
    /// digits per division: the VCD's time stamps have 10 and more.
    static char* write_decimal(char* at, std::uint64_t value)
    {
        std::size_t length = 1;
        for (std::uint64_t bound = 10; length < 20 && value >= bound; bound *= 10)
            ++length;
        char* const end = at + length;
        char* digit = end;
        for (; value >= 100; value /= 100) {
            digit -= 2;
            std::memcpy(digit, &digit_pairs[2 * (value % 100)], 2);
        }
        if (value >= 10)
            std::memcpy(digit - 2, &digit_pairs[2 * value], 2);
        else
            digit[-1] = static_cast<char>('0' + value);
        return end;
    }

    /// Hand the text to the stream once a block has gathered (call between records).
    void end_record()
    {
        if (room() < capacity / 4)
            flush();
    }
    /// Hand all the text to the stream (before the stream's file is finished).
    void flush()
    {
        out_.write(text_.get(), end_ - text_.get());
        end_ = text_.get();
    }

private:
    static constexpr std::size_t capacity = 1 << 16;
    /// "00", "01", .. "99".
    static constexpr std::array<char, 200> digit_pairs = [] {
        std::array<char, 200> pairs{};
        for (std::size_t i = 0; i < 100; ++i) {
            pairs[2 * i] = static_cast<char>('0' + i / 10);
            pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
        }
        return pairs;
    }();
    std::size_t room() const { return static_cast<std::size_t>(text_.get() + capacity - end_); }

    std::ostream& out_;
    std::unique_ptr<char[]> text_;
    char* end_;  ///< where the next character goes
};

}  // namespace gcasim
