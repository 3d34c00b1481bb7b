// Text assembled in memory and handed to a stream in large blocks. The trace writers emit millions
// of short records; through ostream's operator<< each piece costs a sentry, a locale lookup and a
// virtual call, and each time stamp a printf of a double: more than the simulation of the layer.
#pragma once

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
    void put_decimal(std::uint64_t value)
    {
        char digits[20];
        std::size_t n = sizeof digits;
        do {
            digits[--n] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        put(std::string_view(digits + n, sizeof digits - n));
    }

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
    std::size_t room() const { return static_cast<std::size_t>(text_.get() + capacity - end_); }

    std::ostream& out_;
    std::unique_ptr<char[]> text_;
    char* end_;  ///< where the next character goes
};

}  // namespace gcasim
