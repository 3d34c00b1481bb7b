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
    void put_micros(std::uint64_t ps) { commit(write_micros(claim(max_micros_chars), ps)); }

    /// Room for `n` characters, written from the pointer returned and closed with commit(); for a
    /// record whose length has a small bound, without a check per character.
    char* claim(std::size_t n)
    {
        if (n > room())
            flush();
        return end_;
    }
    void commit(char* end) { end_ = end; }

    /// Writes `value` in decimal digits at `at`; returns the end (at most 20 characters). Above
    /// 10^8 the low six digits are three independent pairs.
    static char* write_decimal(char* at, std::uint64_t value)
    {
        if (value >= 100000000)
            return write_six_digits(write_decimal(at, value / 1000000), value % 1000000);
        char* const end = at + decimal_length(value);
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
    /// `value` < 10^6 as six digits, with leading zeros; returns the end.
    static char* write_six_digits(char* at, std::uint64_t value)
    {
        std::memcpy(at, &digit_pairs[2 * (value / 10000)], 2);
        std::memcpy(at + 2, &digit_pairs[2 * (value / 100 % 100)], 2);
        std::memcpy(at + 4, &digit_pairs[2 * (value % 100)], 2);
        return at + 6;
    }
    /// The longest put_micros: 14 digits, '.', 6 decimals.
    static constexpr std::size_t max_micros_chars = 21;
    /// Writes put_micros' text at `at`; returns the end.
    static char* write_micros(char* at, std::uint64_t ps)
    {
        at = write_decimal(at, ps / 1000000);
        *at = '.';
        return write_six_digits(at + 1, ps % 1000000);
    }
    /// Writes `text` at `at`; returns the end.
    static char* write_text(char* at, std::string_view text)
    {
        std::memcpy(at, text.data(), text.size());
        return at + text.size();
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

    static constexpr std::size_t capacity = 1 << 16;

private:
    /// "00", "01", .. "99".
    static constexpr std::array<char, 200> digit_pairs = [] {
        std::array<char, 200> pairs{};
        for (std::size_t i = 0; i < 100; ++i) {
            pairs[2 * i] = static_cast<char>('0' + i / 10);
            pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
        }
        return pairs;
    }();
    /// Digits of `value` in decimal: from its bit length, corrected by one comparison.
    static std::size_t decimal_length(std::uint64_t value)
    {
        static constexpr std::array<std::uint64_t, 20> powers = [] {
            std::array<std::uint64_t, 20> p{};
            p[0] = 1;
            for (std::size_t i = 1; i < p.size(); ++i)
                p[i] = p[i - 1] * 10;
            return p;
        }();
        const std::uint64_t nonzero = value | 1;  // the same length; clz needs a bit set
        const std::size_t bits = static_cast<std::size_t>(64 - __builtin_clzll(nonzero));
        const std::size_t guess = bits * 1233 >> 12;  // 1233 / 4096 just above log10(2)
        return guess + (nonzero >= powers[guess] ? 1 : 0);
    }
    std::size_t room() const { return static_cast<std::size_t>(text_.get() + capacity - end_); }

    std::ostream& out_;
    std::unique_ptr<char[]> text_;
    char* end_;  ///< where the next character goes
};

}  // namespace gcasim
