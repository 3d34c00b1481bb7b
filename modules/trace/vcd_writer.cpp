#include "trace/vcd_writer.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gcasim {

vcd_writer::vcd_writer(std::ostream& out, const std::string& timescale)
    : text_(out), variables_(), last_change_(), now_(0), high_base_(0), high_digits_(), high_length_(0),
      time_written_(false), header_done_(false)
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

void vcd_writer::end_scope()
{
    text_.put("$upscope $end\n");
}

int vcd_writer::add_var(const std::string& name, int width)
{
    const int id = static_cast<int>(variables_.size());
    const std::string name_code = code(id);
    const std::string tail = (width == 1 ? "" : " ") + name_code + "\n";  // id < 2^31: <= 7 chars
    variables_.emplace_back();
    std::memcpy(variables_.back().tail.data(), tail.data(), tail.size());
    variables_.back().tail_length = tail.size();
    variables_.back().width = width;
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
    for (const variable& v : variables_) {
        text_.put(v.width == 1 ? "0" : "b0");
        text_.put(std::string_view(v.tail.data(), v.tail_length));
    }
    text_.put("$end\n");
    header_done_ = true;
    time_written_ = true;
    last_change_.assign(variables_.size(), 0);
}

void vcd_writer::instant(std::uint64_t time, const value_change* changes, std::size_t count)
{
    std::size_t* const last = last_change_.data();
    for (std::size_t k = 0; k < count; ++k)
        last[changes[k].id] = k;
    // Members in locals: the text is written through a char*, which may alias anything.
    const variable* const variables = variables_.data();
    std::size_t k = 0;
    do {
        const std::size_t end = std::min(count, k + changes_per_claim);
        char* at = text_.claim(max_time_chars + changes_per_claim * max_value_chars);
        if (k == 0 && (time != now_ || !time_written_))
            at = write_time(at, time);
        for (; k < end; ++k) {
            const value_change c = changes[k];
            if (last[c.id] != k)
                continue;
            const variable& v = variables[c.id];
            if (v.width == 1)
                *at++ = c.value ? '1' : '0';
            else
                at = write_binary(at, v.width < 64 ? c.value & ((std::uint64_t{1} << v.width) - 1) : c.value);
            std::memcpy(at, v.tail.data(), v.tail.size());  // the whole array: a fixed-size copy
            at += v.tail_length;
        }
        text_.commit(at);
    } while (k < count);
}

char* vcd_writer::write_time(char* at, std::uint64_t time)
{
    // Mostly a later time in the same microsecond: the kept high digits and six more.
    if (time > now_ && time_written_ && high_base_ != 0 && time - high_base_ < low_range) {
        *at = '#';
        std::memcpy(at + 1, high_digits_.data(), high_digits_.size());
        at = text_buffer::write_six_digits(at + 1 + high_length_, time - high_base_);
        *at = '\n';
        now_ = time;
        return at + 1;
    }
    return write_time_anew(at, time);
}

char* vcd_writer::write_time_anew(char* at, std::uint64_t time)
{
    if (!header_done_ || time < now_)
        throw std::logic_error("vcd_writer: change before the header or back in time");
    *at++ = '#';
    if (time < low_range) {
        at = text_buffer::write_decimal(at, time);
    } else {
        // The digits above the low six change every microsecond, a token's instants fall within
        // one or two: the high digits are kept.
        if (time - high_base_ >= low_range) {
            const std::uint64_t high = time / low_range;
            high_base_ = high * low_range;
            high_length_ =
                static_cast<std::size_t>(text_buffer::write_decimal(high_digits_.data(), high) - high_digits_.data());
        }
        std::memcpy(at, high_digits_.data(), high_digits_.size());
        at = text_buffer::write_six_digits(at + high_length_, time - high_base_);
    }
    *at++ = '\n';
    now_ = time;
    time_written_ = true;
    return at;
}

void vcd_writer::flush()
{
    text_.flush();
}

}  // namespace gcasim
