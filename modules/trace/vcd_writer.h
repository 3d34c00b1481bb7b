// Minimal value-change-dump writer (IEEE 1364 VCD, as GTKWave reads it). Plain C++. The text is
// buffered: call flush() before the stream's file is finished.
#pragma once

#include <array>
#include <cstdint>
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
    std::size_t variables() const { return widths_.size(); }
    /// Close the header and dump the initial values (all zero).
    void end_definitions();

    /// Value change at `time` (not earlier than the previous change's time).
    void change(std::uint64_t time, int id, std::uint64_t value);
    /// Hand the buffered text to the stream (before its file is finished).
    void flush();

private:
    static std::string code(int id);
    /// Room for an identifier code: 94^5 > 2^31 ids.
    static constexpr std::size_t code_chars = 8;
    struct code_text {
        std::array<char, code_chars> chars{};
        std::size_t length = 0;
    };

    text_buffer text_;
    std::vector<int> widths_;
    std::vector<code_text> codes_;  ///< by id
    std::uint64_t now_;
    bool time_written_, header_done_;
};

}  // namespace gcasim
