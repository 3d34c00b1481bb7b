#include "trace/vcd_writer.h"

#include <stdexcept>

namespace gcasim {

vcd_writer::vcd_writer(std::ostream& out, const std::string& timescale)
    : out_(out), widths_(), now_(0), time_written_(false), header_done_(false)
{
    out_ << "$version gcasim $end\n$timescale " << timescale << " $end\n";
}

std::string vcd_writer::code(int id) const
{
    // Printable identifier codes '!'..'~', base 94.
    std::string s;
    do {
        s += static_cast<char>('!' + id % 94);
        id /= 94;
    } while (id > 0);
    return s;
}

void vcd_writer::begin_scope(const std::string& name) { out_ << "$scope module " << name << " $end\n"; }

void vcd_writer::end_scope() { out_ << "$upscope $end\n"; }

int vcd_writer::add_var(const std::string& name, int width)
{
    const int id = static_cast<int>(widths_.size());
    widths_.push_back(width);
    out_ << "$var " << (width == 1 ? "wire" : "reg") << " " << width << " " << code(id) << " " << name
         << (width == 1 ? "" : " [" + std::to_string(width - 1) + ":0]") << " $end\n";
    return id;
}

void vcd_writer::end_definitions()
{
    out_ << "$enddefinitions $end\n#0\n$dumpvars\n";
    for (std::size_t id = 0; id < widths_.size(); ++id)
        out_ << (widths_[id] == 1 ? "0" : "b0 ") << code(static_cast<int>(id)) << "\n";
    out_ << "$end\n";
    header_done_ = true;
    time_written_ = true;
}

void vcd_writer::change(std::uint64_t time, int id, std::uint64_t value)
{
    if (!header_done_ || time < now_)
        throw std::logic_error("vcd_writer: change before the header or back in time");
    if (time != now_ || !time_written_) {
        out_ << "#" << time << "\n";
        now_ = time;
        time_written_ = true;
    }
    if (widths_[id] == 1) {
        out_ << (value ? '1' : '0') << code(id) << "\n";
        return;
    }
    std::string bits;
    for (int b = widths_[id] - 1; b >= 0; --b)
        if ((value >> b) & 1u || !bits.empty())
            bits += ((value >> b) & 1u) ? '1' : '0';
    out_ << "b" << (bits.empty() ? "0" : bits) << " " << code(id) << "\n";
}

}  // namespace gcasim
