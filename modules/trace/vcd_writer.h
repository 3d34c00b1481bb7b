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

    /// Value change at `time` (not earlier than the previous change's time).
    void change(std::uint64_t time, int id, std::uint64_t value)
    {
        char* at = text_.claim(max_change_chars);
        if (time != now_ || !time_written_)
            at = write_time(at, time);
        const variable& v = variables_[static_cast<std::size_t>(id)];
        if (v.width == 1)
            *at++ = value ? '1' : '0';
        else
            at = write_binary(at, v.width < 64 ? value & ((std::uint64_t{1} << v.width) - 1) : value);
        std::memcpy(at, v.tail.data(), v.tail.size());  // the whole array: a fixed-size copy
        text_.commit(at + v.tail_length);
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
    /// '#', 20 digits, '\n', 'b', 64 bits, the tail.
    static constexpr std::size_t max_change_chars = 87 + sizeof(variable::tail);

    /// "#time\n" at `at`; returns the end. Throws before the header or back in time.
    char* write_time(char* at, std::uint64_t time);
    /// 'b' and the bits of `shown` without leading zeros ("b0" for zero).
    static char* write_binary(char* at, std::uint64_t shown)
    {
        *at++ = 'b';
        for (int b = shown == 0 ? 0 : 63 - __builtin_clzll(shown); b >= 0; --b)
            *at++ = ((shown >> b) & 1u) ? '1' : '0';
        return at;
    }

    text_buffer text_;
    std::vector<variable> variables_;  ///< by id
    std::uint64_t now_;
    /// The time stamps' digits above the low eight, of high_base_ (a multiple of 10^8 ps).
    static constexpr std::uint64_t eight_digits = 100000000;
    std::uint64_t high_base_;
    std::array<char, 16> high_digits_;  ///< at most 12: 2^64 / 10^8 < 10^12
    std::size_t high_length_;
    bool time_written_, header_done_;
};

}  // namespace gcasim
