#include "validation_text.h"

#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include "char_model.h"
#include "config/param_schema.h"

namespace gcasim::model {

using nlohmann::json;
using config::config_error;

namespace {

/// Python's str.isspace(): what train_lm.py's strip() removes.
bool is_python_space(char32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

bool is_blank(const std::vector<std::u32string>& lines)
{
    for (const auto& line : lines)
        for (char32_t c : line)
            if (!is_python_space(c))
                return false;
    return true;
}

std::u32string join_lines(const std::vector<std::u32string>& lines)
{
    std::u32string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += (i ? U"\n" : U"") + lines[i];
    return out;
}

/// A file's fortunes: a line that is exactly "%" ends one; each is its lines, each ending in "\n";
/// blank ones are dropped (train_lm.py's read_fortunes, line for line).
void append_fortunes(const std::u32string& text, std::vector<std::u32string>& fortunes)
{
    std::vector<std::u32string> current;
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = text.find(U'\n', begin);
        const std::u32string line = text.substr(begin, end == std::u32string::npos ? std::u32string::npos : end - begin);
        if (line == U"%") {
            if (!is_blank(current))
                fortunes.push_back(join_lines(current) + U"\n");
            current.clear();
        } else {
            current.push_back(line);
        }
        if (end == std::u32string::npos)
            break;
        begin = end + 1;
    }
    if (!is_blank(current)) {
        std::u32string last = join_lines(current);
        while (!last.empty() && last.back() == U'\n')
            last.pop_back();
        fortunes.push_back(last + U"\n");
    }
}

/// A UTF-8 file of at most max_text_bytes; errors start with `prefix`.
std::u32string decode_file(const std::string& path, const std::string& prefix)
{
    std::optional<std::string> bytes;
    try {
        bytes = read_at_most(path, max_text_bytes);
    } catch (const config_error& e) {
        throw config_error(prefix + e.what());
    }
    if (!bytes)
        throw config_error(prefix + "file '" + path + "' holds more than " + std::to_string(max_text_bytes) +
                           " bytes; allowed: at most " + std::to_string(max_text_bytes) + " (16 MiB)");
    try {
        return decode_utf8(*bytes);
    } catch (const std::invalid_argument& e) {
        throw config_error(prefix + "file '" + path + "': " + e.what());
    }
}

}  // namespace

std::u32string read_text_file(const std::string& path)
{
    return decode_file(path, "--text: ");
}

std::u32string fortunes_validation_text(const json& corpus)
{
    const std::string dir = corpus.at("directory").get<std::string>();
    const auto files = corpus.at("files").get<std::vector<std::string>>();
    std::vector<std::u32string> fortunes;
    for (const std::string& name : files) {
        const std::string path = dir + "/" + name;
        if (!std::ifstream(path))
            throw config_error("validation text: " + path + " is missing: install the Debian packages fortunes and "
                               "fortunes-min (scripts/setup), or give --text FILE");
        append_fortunes(decode_file(path, "validation text: "), fortunes);
    }
    // Fortune i is validation iff i % 10 == 9 (the split in the model's corpus block).
    std::u32string text;
    for (std::size_t i = 9; i < fortunes.size(); i += 10)
        text += fortunes[i] + U"%\n";
    const std::size_t expected = corpus.at("val_chars").get<std::size_t>();
    if (text.size() != expected)
        throw config_error("validation text: " + std::to_string(text.size()) + " characters from " + dir +
                           ", the model's corpus had " + std::to_string(expected) +
                           " (another fortunes version?); give --text FILE written by train_lm.py --write-val");
    return text;
}

}  // namespace gcasim::model
