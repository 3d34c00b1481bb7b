#include "trace/vcd_writer.h"

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
    codes_.push_back(code(id));
    text_.put("$var ");
    text_.put(width == 1 ? "wire" : "reg");
    text_.put(' ');
    text_.put_decimal(static_cast<std::uint64_t>(width));
    text_.put(' ');
    text_.put(codes_.back());
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
        text_.put(codes_[id]);
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
    if (time != now_ || !time_written_) {
        text_.put('#');
        text_.put_decimal(time);
        text_.put('\n');
        now_ = time;
        time_written_ = true;
    }
    const int width = widths_[static_cast<std::size_t>(id)];
    if (width == 1) {
        text_.put(value ? '1' : '0');
    } else {
        // Binary without leading zeros ("b0" for zero).
        text_.put('b');
        const std::uint64_t shown = width < 64 ? value & ((std::uint64_t{1} << width) - 1) : value;
        for (int b = shown == 0 ? 0 : 63 - __builtin_clzll(shown); b >= 0; --b)
            text_.put(((value >> b) & 1u) ? '1' : '0');
        text_.put(' ');
    }
    text_.put(codes_[static_cast<std::size_t>(id)]);
    text_.put('\n');
    text_.end_record();
}

void vcd_writer::flush() { text_.flush(); }

}  // namespace gcasim
