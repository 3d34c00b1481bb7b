#include "trace/vcd_writer.h"

#include <cstring>
#include <stdexcept>

namespace gcasim {

vcd_writer::vcd_writer(std::ostream& out, const std::string& timescale)
    : text_(out), widths_(), codes_(), now_(0), time_written_(false), header_done_(false)
{
    text_.put("$version gcasim $end\n$timescale ");
    text_.put(timescale);
    text_.put(" $end\n");
}

std::string vcd_writer::code(int id)
{
    // Printable identifier codes '!'..'~', base 94.
    std::string s;
    do {
        s += static_cast<char>('!' + id % 94);
        id /= 94;
    } while (id > 0);
    return s;
}

void vcd_writer::begin_scope(const std::string& name)
{
    text_.put("$scope module ");
    text_.put(name);
    text_.put(" $end\n");
}

void vcd_writer::end_scope() { text_.put("$upscope $end\n"); }

int vcd_writer::add_var(const std::string& name, int width)
{
    const int id = static_cast<int>(widths_.size());
    widths_.push_back(width);
    const std::string name_code = code(id);
    codes_.push_back({});
    std::memcpy(codes_.back().chars.data(), name_code.data(), name_code.size());  // id < 2^31: <= 5 chars
    codes_.back().length = name_code.size();
    text_.put("$var ");
    text_.put(width == 1 ? "wire" : "reg");
    text_.put(' ');
    text_.put_decimal(static_cast<std::uint64_t>(width));
    text_.put(' ');
    text_.put(name_code);
    text_.put(' ');
    text_.put(name);
    if (width != 1) {
        text_.put(" [");
        text_.put_decimal(static_cast<std::uint64_t>(width - 1));
        text_.put(":0]");
    }
    text_.put(" $end\n");
    return id;
}

void vcd_writer::end_definitions()
{
    text_.put("$enddefinitions $end\n#0\n$dumpvars\n");
    for (std::size_t id = 0; id < widths_.size(); ++id) {
        text_.put(widths_[id] == 1 ? "0" : "b0 ");
        text_.put(std::string_view(codes_[id].chars.data(), codes_[id].length));
        text_.put('\n');
    }
    text_.put("$end\n");
    header_done_ = true;
    time_written_ = true;
}

void vcd_writer::change(std::uint64_t time, int id, std::uint64_t value)
{
    if (!header_done_ || time < now_)
        throw std::logic_error("vcd_writer: change before the header or back in time");
    // At most '#', 20 digits, '\n', 'b', 64 bits, ' ', the code, '\n'.
    char* at = text_.claim(88 + code_chars);
    if (time != now_ || !time_written_) {
        *at++ = '#';
        at = text_buffer::write_decimal(at, time);
        *at++ = '\n';
        now_ = time;
        time_written_ = true;
    }
    const std::size_t i = static_cast<std::size_t>(id);
    if (widths_[i] == 1) {
        *at++ = value ? '1' : '0';
    } else {
        // Binary without leading zeros ("b0" for zero).
        *at++ = 'b';
        const int width = widths_[i];
        const std::uint64_t shown = width < 64 ? value & ((std::uint64_t{1} << width) - 1) : value;
        for (int b = shown == 0 ? 0 : 63 - __builtin_clzll(shown); b >= 0; --b)
            *at++ = ((shown >> b) & 1u) ? '1' : '0';
        *at++ = ' ';
    }
    std::memcpy(at, codes_[i].chars.data(), code_chars);  // whole array: a fixed-size copy
    at += codes_[i].length;
    *at++ = '\n';
    text_.commit(at);
}

void vcd_writer::flush() { text_.flush(); }

}  // namespace gcasim
