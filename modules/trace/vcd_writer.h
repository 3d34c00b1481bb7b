// Minimal value-change-dump writer (IEEE 1364 VCD, as GTKWave reads it). Plain C++. The text is
// buffered: call flush() before the stream's file is finished.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "trace/text_buffer.h"

namespace gcasim {

class vcd_writer {
public:
    /// `timescale` e.g. "1 ps"; times passed to change() are in that unit.
    vcd_writer(std::ostream& out, const std::string& timescale);

    void begin_scope(const std::string& name);
    void end_scope();
    /// A wire (width 1) or a vector shown as an integer (width > 1). Returns its id.
    int add_var(const std::string& name, int width);
    /// Variables added so far (their ids are 0 .. variables() - 1).
    std::size_t variables() const { return variables_.size(); }
    /// Close the header and dump the initial values (all zero).
    void end_definitions();

    struct value_change {
        std::uint64_t value;
        int id;
    };
    /// The changes at `time` (not earlier than the previous instant's), in order; of several
    /// changes of one variable only the last (the value it holds after the instant).
    void instant(std::uint64_t time, const value_change* changes, std::size_t count);
    /// Value change at `time` (not earlier than the previous change's time).
    void change(std::uint64_t time, int id, std::uint64_t value)
    {
        const value_change c{value, id};
        instant(time, &c, 1);
    }
    /// Hand the buffered text to the stream (before its file is finished).
    void flush();

private:
    static std::string code(int id);
    /// What follows a variable's value: ' ' for a vector, its identifier code (94^5 > 2^31 ids:
    /// at most 5 characters) and the newline.
    struct variable {
        std::array<char, 8> tail{};
        std::size_t tail_length = 0;
        int width = 1;
    };
    /// '#', 20 digits, '\n'.
    static constexpr std::size_t max_time_chars = 22;
    /// 'b', 64 bits, the tail.
    static constexpr std::size_t max_value_chars = 65 + sizeof(variable::tail);
    /// Changes written per claim of the text buffer (a quarter of its block).
    static constexpr std::size_t changes_per_claim = text_buffer::capacity / 4 / max_value_chars;

    /// "#time\n" at `at`; returns the end. Throws before the header or back in time.
    char* write_time(char* at, std::uint64_t time);
    /// write_time past the fast case: the high digits made anew, the checks.
    /// Kept out of line (rare), so that write_time stays small enough to inline.
    [[gnu::noinline]] char* write_time_anew(char* at, std::uint64_t time);
    /// 'b' and the bits of `shown` without leading zeros ("b0" for zero): the bits above the
    /// last whole group of four one by one, then four at a time.
    static char* write_binary(char* at, std::uint64_t shown)
    {
        *at++ = 'b';
        int bits = shown == 0 ? 1 : 64 - __builtin_clzll(shown);
        for (; bits % 4 != 0; --bits)
            *at++ = ((shown >> (bits - 1)) & 1u) ? '1' : '0';
        for (; bits > 0; bits -= 4, at += 4)
            std::memcpy(at, &nibbles[4 * ((shown >> (bits - 4)) & 15u)], 4);
        return at;
    }
    /// "0000", "0001", .. "1111".
    static constexpr std::array<char, 64> nibbles = [] {
        std::array<char, 64> text{};
        for (std::size_t n = 0; n < 16; ++n)
            for (std::size_t b = 0; b < 4; ++b)
                text[4 * n + b] = static_cast<char>('0' + ((n >> (3 - b)) & 1u));
        return text;
    }();

    text_buffer text_;
    std::vector<variable> variables_;       ///< by id
    std::vector<std::size_t> last_change_;  ///< by id: its last change in the instant being written
    std::uint64_t now_;
    /// The time stamps' digits above the low six, of high_base_ (a multiple of 10^6 ps).
    static constexpr std::uint64_t low_range = 1000000;
    std::uint64_t high_base_;
    std::array<char, 16> high_digits_;  ///< at most 14: 2^64 / 10^6 < 10^14
    std::size_t high_length_;
    bool time_written_, header_done_;
};

}  // namespace gcasim
