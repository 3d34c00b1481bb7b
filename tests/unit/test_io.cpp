// Platform I/O: number formatting (files and the console's SI text), atomic file writes, input token streams.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/io.h"
#include "common/run_support.h"
#include "trace/text_buffer.h"
#include "config/param_schema.h"

using namespace gcasim::platform;
using gcasim::config::config_error;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string number_text(double x)
{
    std::ostringstream out;
    write_number(out, x);
    return out.str();
}

std::string printf_g(int precision, double x)
{
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
    return buffer;
}

class temp_dir {
public:
    temp_dir()
    {
        static int counter = 0;
        path_ = fs::temp_directory_path() /
                ("gcasim_unit_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ~temp_dir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }
    std::size_t entries() const
    {
        std::size_t n = 0;
        for (const auto& entry : fs::directory_iterator(path_)) {
            (void)entry;
            ++n;
        }
        return n;
    }

private:
    fs::path path_;
};

std::string read_text(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Runs `action`, requires a config_error whose message contains every one of `parts`.
template <typename F> void require_config_error(F action, std::initializer_list<std::string> parts)
{
    std::string message;
    try {
        action();
    } catch (const config_error& e) {
        message = e.what();
    }
    INFO("message: " << message);
    REQUIRE_FALSE(message.empty());
    for (const auto& part : parts)
        CHECK_THAT(message, Catch::Matchers::Contains(part));
}

const char* valid_stream = R"({
  "q": [[0.0, 0.5, 1.0], [0.25, 0.75, 0.125]],
  "k": [[0.9, 0.0, 0.45], [0.1, 0.2, 0.3]],
  "v": [[0.3, 0.6, 0.9], [0.0, 0.0, 0.0]]
})";

}  // namespace

// ------------------------------------------------------------------------------------------------
// write_number

TEST_CASE("write_number: known shortest forms", "[io]")
{
    CHECK(number_text(0.1) == "0.1");
    CHECK(number_text(0.0) == "0");
    CHECK(number_text(-0.0) == "-0");
    CHECK(number_text(100.0) == "100");
    CHECK(number_text(-2.5) == "-2.5");
    CHECK(number_text(1e-300) == "1e-300");
    CHECK(number_text(1e21) == "1e+21");
    CHECK(number_text(1.0 / 3) == "0.3333333333333333");      // needs 16 digits
    CHECK(number_text(0.1 + 0.2) == "0.30000000000000004");   // needs 17 digits
    CHECK(number_text(32.0 / 31) == "1.032258064516129");
    CHECK(number_text(5e-324) == "5e-324");                    // smallest subnormal: 1 digit suffices
}

TEST_CASE("write_number round-trips random doubles, never longer than %.15g..%.17g", "[io]")
{
    std::mt19937_64 rng(2025);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    int checked = 0;
    for (int i = 0; i < 20000; ++i) {
        double x;
        if (i % 2 == 0) {
            const std::uint64_t bits = rng();
            std::memcpy(&x, &bits, sizeof x);
            if (!std::isfinite(x))
                continue;
        } else {
            x = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
        }
        const std::string text = number_text(x);
        if (std::strtod(text.c_str(), nullptr) != x)
            FAIL_CHECK(text << " does not read back as " << printf_g(17, x));
        // The shortest printf form that round-trips is an upper bound on the length.
        std::string printf_form = printf_g(17, x);
        for (int p = 16; p >= 15; --p)
            if (std::strtod(printf_g(p, x).c_str(), nullptr) == x)
                printf_form = printf_g(p, x);
        if (text.size() > printf_form.size())
            FAIL_CHECK(text << " is longer than " << printf_form);
        // And it is a JSON number that nlohmann reads back exactly.
        if (json::parse(text).get<double>() != x)
            FAIL_CHECK(text << " does not read back through JSON");
        ++checked;
    }
    CHECK(checked > 19000);
}

TEST_CASE("write_matrix writes the top-left rows x cols as JSON", "[io]")
{
    std::ostringstream out;
    out << "{";
    // 2 x 3 row-major values, the top-left 2 x 2 written.
    write_matrix(out, "m", {0.1, 2.0, 9.0, -3.5, 1.0 / 3, 9.0}, 2, 2, 3);
    out << "}";
    const json m = json::parse(out.str())["m"];
    CHECK(m == json::parse("[[0.1, 2], [-3.5, 0.3333333333333333]]"));
    CHECK(m[1][1].get<double>() == 1.0 / 3);
}

// ------------------------------------------------------------------------------------------------
// atomic_file: every output of a run (output_set) is one

/// Write `text` through an atomic_file and commit it, as output_set does for each of its files.
void commit_text(const fs::path& path, const std::string& text)
{
    gcasim::atomic_file file(path.string());
    file.stream() << text;
    file.commit();
}

TEST_CASE("atomic_file writes the whole file and replaces an old one", "[io]")
{
    const temp_dir dir;
    const fs::path file = dir.path() / "out.json";
    commit_text(file, "first\n");
    CHECK(read_text(file) == "first\n");
    std::string big(1 << 20, 'x');
    commit_text(file, big);
    CHECK(read_text(file) == big);
    CHECK(dir.entries() == 1);  // no temporary file left
}

TEST_CASE("atomic_file into a missing folder fails, naming the file", "[io]")
{
    const temp_dir dir;
    const fs::path file = dir.path() / "no_such_folder" / "out.json";
    CHECK_THROWS_WITH(gcasim::atomic_file(file.string()), Catch::Contains(file.string()));
    CHECK_FALSE(fs::exists(file));
}

TEST_CASE("an atomic_file never committed leaves the old file intact and no temporary", "[io]")
{
    const temp_dir dir;
    const fs::path file = dir.path() / "out.json";
    commit_text(file, "old content\n");
    {
        gcasim::atomic_file unfinished(file.string());  // a run that fails before its commit
        unfinished.stream() << "half of the new";
    }
    CHECK(read_text(file) == "old content\n");
    std::string leftovers;
    for (const auto& entry : fs::directory_iterator(dir.path()))
        if (entry.path() != file)
            leftovers += entry.path().filename().string() + " ";
    INFO("files left in the folder besides out.json: " << leftovers);
    CHECK(leftovers.empty());
}

// ------------------------------------------------------------------------------------------------
// parse_token_stream

TEST_CASE("parse_token_stream reads q, k, v row by row", "[io]")
{
    const gcasim::token_stream s = parse_token_stream(json::parse(valid_stream), 3, 0.9, "input");
    CHECK(s.tokens == 2);
    CHECK(s.dim == 3);
    CHECK(s.q_row(1)[2] == 0.125);
    CHECK(s.k_row(0)[0] == 0.9);
    CHECK(s.k_row(1)[1] == 0.2);
    CHECK(s.v_row(0)[1] == 0.6);
    CHECK(s.v_row(1)[2] == 0.0);
}

TEST_CASE("parse_token_stream errors name the problem", "[io][errors]")
{
    const json good = json::parse(valid_stream);
    auto with = [&](const char* key, const json& value) {
        json doc = good;
        doc[key] = value;
        return doc;
    };
    auto parse = [](const json& doc, double v_max = 0.9) {
        return [doc, v_max] { parse_token_stream(doc, 3, v_max, "input file 'x.json'"); };
    };
    json no_k = good;
    no_k.erase("k");
    require_config_error(parse(no_k), {"input file 'x.json'", "missing key \"k\""});
    require_config_error(parse(json::array()), {"input file 'x.json'", "expected a JSON object"});
    require_config_error(parse(with("q", json::array())), {"\"q\"", "non-empty array"});
    require_config_error(parse(with("q", 3)), {"\"q\"", "non-empty array"});
    // Ragged rows and the wrong dimension.
    require_config_error(parse(with("v", json::parse("[[0.1, 0.2, 0.3], [0.1, 0.2]]"))),
                         {"\"v\"[1]", "array of 3 numbers"});
    require_config_error(parse(with("q", json::parse("[[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]]"))),
                         {"\"q\"[0]", "3 numbers"});
    // Row counts that disagree with q.
    require_config_error(parse(with("k", json::parse("[[0.1, 0.2, 0.3]]"))), {"\"k\" has 1 rows", "q has 2"});
    // Non-numbers and out-of-range values.
    require_config_error(parse(with("k", json::parse(R"([[0.1, "x", 0.3], [0.1, 0.2, 0.3]])"))),
                         {"\"k\"[0][1]", "not a number", "\"x\""});
    require_config_error(parse(with("k", json::parse(R"([[0.1, 0.2, 0.3], [0.1, true, 0.3]])"))),
                         {"\"k\"[1][1]", "not a number"});
    require_config_error(parse(with("q", json::parse("[[0.1, 1.5, 0.3], [0.1, 0.2, 0.3]]"))),
                         {"\"q\"[0][1]", "1.5", "outside"});
    require_config_error(parse(with("v", json::parse("[[0.1, 0.2, 0.3], [0.1, 0.2, -0.01]]"))),
                         {"\"v\"[1][2]", "-0.01", "outside"});
    require_config_error(parse(with("k", json::parse("[[0.1, 0.2, 0.95], [0.1, 0.2, 0.3]]"))),
                         {"\"k\"[0][2]", "0.95", "outside"});
    CHECK_NOTHROW(parse(with("k", json::parse("[[0.1, 0.2, 0.95], [0.1, 0.2, 0.3]]")), 1.0)());
    // Keys other than q, k, v.
    require_config_error(parse(with("extra", 1)), {"unknown key \"extra\""});
}

// ------------------------------------------------------------------------------------------------
// random_token_stream

TEST_CASE("splitmix64 matches the reference sequence", "[io]")
{
    splitmix64 rng(0);
    CHECK(rng.next() == 0xe220a8397b1dcdafULL);
    CHECK(rng.next() == 0x6e789e6aa1b965f4ULL);
    CHECK(rng.next() == 0x06c45d188009454fULL);
    splitmix64 u(0);
    CHECK(u.uniform() == static_cast<double>(0xe220a8397b1dcdafULL >> 11) * 0x1.0p-53);
}

TEST_CASE("random_token_stream: deterministic per seed, different across seeds, in range", "[io]")
{
    const gcasim::token_stream a = random_token_stream(300, 8, 0.9, 17);
    const gcasim::token_stream b = random_token_stream(300, 8, 0.9, 17);
    const gcasim::token_stream c = random_token_stream(300, 8, 0.9, 18);
    CHECK(a.tokens == 300);
    CHECK(a.dim == 8);
    REQUIRE(a.q.size() == 2400);
    REQUIRE(a.k.size() == 2400);
    REQUIRE(a.v.size() == 2400);
    CHECK(a.q == b.q);
    CHECK(a.k == b.k);
    CHECK(a.v == b.v);
    CHECK(a.q != c.q);
    CHECK(a.k != c.k);
    CHECK(a.v != c.v);
    CHECK(a.q != a.k);
    // Same on any machine: the first value of seed 0 is the first splitmix64 output.
    CHECK(random_token_stream(1, 1, 0.9, 0).q[0] == static_cast<double>(0xe220a8397b1dcdafULL >> 11) * 0x1.0p-53);

    double q_min = 1, q_max = 0, kv_max = 0, kv_min = 1, mean = 0;
    for (std::size_t i = 0; i < a.q.size(); ++i) {
        q_min = std::min(q_min, a.q[i]);
        q_max = std::max(q_max, a.q[i]);
        kv_min = std::min({kv_min, a.k[i], a.v[i]});
        kv_max = std::max({kv_max, a.k[i], a.v[i]});
        mean += a.q[i];
    }
    mean /= static_cast<double>(a.q.size());
    CHECK(q_min >= 0.0);
    CHECK(q_max < 1.0);
    CHECK(q_max > 0.99);  // spans the range
    CHECK(kv_min >= 0.0);
    CHECK(kv_max < 0.9);
    CHECK(kv_max > 0.89);
    CHECK(mean == Approx(0.5).margin(0.03));
    // v_max scales k and v.
    const gcasim::token_stream low = random_token_stream(50, 4, 0.5, 3);
    for (double x : low.k)
        CHECK(x < 0.5);
}

TEST_CASE("text_buffer writes the bytes printf writes, across block boundaries", "[io][trace]")
{
    // Oracle: printf's "%llu" and the timeline's former "%.6f" of sc_time::to_seconds() * 1e6.
    std::ostringstream out;
    gcasim::text_buffer text(out);
    std::string expected;
    char line[64];
    std::mt19937_64 random(15);
    std::vector<std::uint64_t> values = {0, 1, 9, 10, 99, 100, 999999, 1000000, 1000001, UINT64_MAX};
    for (int i = 0; i < 200000; ++i)
        values.push_back(random() >> (random() % 64));  // every magnitude
    for (const std::uint64_t v : values) {
        text.put_decimal(v);
        std::snprintf(line, sizeof line, "%llu", static_cast<unsigned long long>(v));
        expected += line;
        if (v < (std::uint64_t{1} << 50)) {  // 1126 s in picoseconds
            text.put(' ');
            text.put_micros(v);
            std::snprintf(line, sizeof line, " %.6f", static_cast<double>(v) * 1000 * 1e-15 * 1e6);
            expected += line;
        }
        text.put('\n');
        expected += '\n';
        text.end_record();
    }
    const std::string longer_than_a_block(200000, 'x');
    text.put(longer_than_a_block);
    expected += longer_than_a_block;
    text.flush();
    CHECK(out.str() == expected);
}

TEST_CASE("si_text: four significant digits with the prefix that puts the value in [1, 1000)", "[io]")
{
    using gcasim::platform::ns_text;
    using gcasim::platform::pj_text;
    using gcasim::platform::si_text;
    CHECK(ns_text(490059.0) == "490.1 µs");
    CHECK(pj_text(20140279746.8) == "20.14 mJ");
    CHECK(ns_text(780) == "780 ns");
    CHECK(ns_text(3062868750.0) == "3.063 s");
    CHECK(si_text(0, "J") == "0 J");
    CHECK(si_text(-2.5e-6, "s") == "-2.5 µs");
    // 999.97 rounds to 1000 at four digits: it takes the next prefix up instead.
    CHECK(ns_text(999.97) == "1 µs");
    CHECK(ns_text(999.9) == "999.9 ns");
    // Below the smallest prefix and above the largest: still four digits.
    CHECK(si_text(2e-20, "J") == "0.02 aJ");
    CHECK(si_text(5e15, "J") == "5000 TJ");
}
