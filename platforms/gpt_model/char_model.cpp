#include "char_model.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "config/param_schema.h"
#include "sha256.h"

namespace gcasim::model {

using nlohmann::json;
using config::config_error;

namespace {

constexpr std::uintmax_t max_header_bytes = 16 << 20;  ///< model.json

/// Errors about the model files name the file and the key: "model 'DIR/model.json': key 'K': ...".
[[noreturn]] void bad_model(const std::string& file, const std::string& key, const std::string& what)
{
    throw config_error("model '" + file + "': key '" + key + "': " + what);
}

const json& require(const json& parent, const std::string& key, const std::string& file, const std::string& path)
{
    if (!parent.is_object() || !parent.contains(key))
        bad_model(file, path, "missing");
    return parent.at(key);
}

std::string string_at(const json& parent, const std::string& key, const std::string& file, const std::string& path)
{
    const json& value = require(parent, key, file, path);
    if (!value.is_string())
        bad_model(file, path, "expected a string, got " + value.dump());
    return value.get<std::string>();
}

/// A finite number (float32 values: finite as a float too, checked before the conversion).
template <typename T> T real_value(const json& value, const std::string& file, const std::string& path)
{
    const double v = value.is_number() ? value.get<double>() : std::nan("");
    if (!(std::fabs(v) <= std::numeric_limits<T>::max()))
        bad_model(file, path, "expected a finite number, got " + value.dump());
    return static_cast<T>(v);
}

template <typename T> T real_at(const json& parent, const std::string& key, const std::string& file,
                                const std::string& path)
{
    return real_value<T>(require(parent, key, file, path), file, path);
}

/// An integer in [lo, hi] (no fractions, no strings: 4.5 or "4" are not silently read as 4).
std::size_t integer_value(const json& value, std::size_t lo, std::size_t hi, const std::string& file,
                          const std::string& path)
{
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() < lo || value.get<std::uint64_t>() > hi)
        bad_model(file, path, "value " + value.dump() + " is not allowed; allowed: integers " + std::to_string(lo) +
                                  " .. " + std::to_string(hi));
    return value.get<std::size_t>();
}

std::size_t integer_at(const json& parent, const std::string& key, std::size_t lo, std::size_t hi,
                       const std::string& file, const std::string& path)
{
    return integer_value(require(parent, key, file, path), lo, hi, file, path);
}

/// What fortunes_validation_text reads of the corpus block: the directory, the files, the length.
void check_corpus(const json& corpus, const std::string& file)
{
    string_at(corpus, "directory", file, "corpus.directory");
    const json& files = require(corpus, "files", file, "corpus.files");
    if (!files.is_array() || files.empty() ||
        !std::all_of(files.begin(), files.end(), [](const json& f) { return f.is_string(); }))
        bad_model(file, "corpus.files", "expected a list of file names, got " + files.dump().substr(0, 80));
    integer_at(corpus, "val_chars", 0, std::numeric_limits<std::uint32_t>::max(), file, "corpus.val_chars");
}

/// The PyTorch losses gpt_model prints beside its own (optional): {"N": loss, ...}, finite numbers.
void check_reference(const json& header, const std::string& file)
{
    const json reference = header.value("reference_eval", json());
    if (reference.is_null())
        return;
    const json& losses = require(reference, "losses", file, "reference_eval.losses");
    if (!losses.is_object())
        bad_model(file, "reference_eval.losses", "expected {\"N\": loss, ...}, got " + losses.dump().substr(0, 80));
    for (const auto& [n, loss] : losses.items())
        real_value<double>(loss, file, "reference_eval.losses." + n);
}

/// IEEE half to float, exactly (platforms/gpt_model/README.md, export format); inf and NaN stay so.
float half_to_float(std::uint16_t h)
{
    const int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    const double magnitude = exponent == 0    ? std::ldexp(mantissa, -24)
                             : exponent == 31 ? (mantissa ? std::nan("") : HUGE_VAL)
                                              : std::ldexp(1024 + mantissa, exponent - 25);
    return static_cast<float>(sign ? -magnitude : magnitude);
}

model_shape parse_shape(const json& header, const std::string& file)
{
    const json& c = require(header, "config", file, "config");
    model_shape s;
    const std::string p = "config.";
    // Every dimension is one of a tensor's, so none can exceed the binary's largest size.
    auto dimension = [&](const char* key) { return integer_at(c, key, 1, max_binary_bytes, file, p + key); };
    s.layers = dimension("layers");
    s.d_model = dimension("d_model");
    s.heads = dimension("heads");
    s.head_dim = dimension("head_dim");
    s.context = dimension("context");
    s.mlp_hidden = dimension("mlp_hidden");
    s.vocab_size = dimension("vocab_size");
    s.layernorm_eps = real_at<float>(c, "layernorm_eps", file, p + "layernorm_eps");
    if (!(s.layernorm_eps > 0))
        bad_model(file, p + "layernorm_eps", "value " + c["layernorm_eps"].dump() + " is not allowed; allowed: > 0");
    s.attention = string_at(c, "attention", file, p + "attention");
    if (s.attention != "softmax" && s.attention != "linear" && s.attention != "nonlinear")
        bad_model(file, p + "attention", "'" + s.attention + "'; allowed: softmax, linear, nonlinear");
    if (s.attention != "softmax")
        s.window = dimension("window");
    const std::string activation = string_at(c, "activation", file, p + "activation");
    if (activation != "gelu_erf")
        bad_model(file, p + "activation", "'" + activation + "'; allowed: gelu_erf");
    return s;
}

trained_hardware parse_hardware(const json& header, const std::string& file)
{
    const json& h = require(header, "hardware", file, "hardware");
    trained_hardware hw;
    const std::string p = "hardware.";
    auto levels = [&](const char* key) { return static_cast<int>(integer_at(h, key, 2, 1 << 20, file, p + key)); };
    auto real = [&](const char* key) { return real_at<double>(h, key, file, p + key); };
    hw.q_levels = levels("q_levels");
    hw.kv_levels = levels("kv_levels");
    hw.out_levels = levels("out_levels");
    hw.q_min = real("q_min");
    hw.q_max = real("q_max");
    hw.kv_min = real("kv_min");
    hw.kv_max = real("kv_max");
    hw.out_min = real("out_min");
    hw.out_max = real("out_max");
    hw.offset = real("offset");
    hw.linear_coefficient = real("linear_coefficient");
    hw.decay_per_step = real("decay_per_step");
    hw.s_sat = real("s_sat");
    hw.readout_scale = real("readout_scale");
    hw.subtile = integer_at(h, "subtile", 1, max_binary_bytes, file, p + "subtile");
    const json& cubic = require(h, "cubic_a", file, p + "cubic_a");
    if (!cubic.is_array() || cubic.size() != 4)
        bad_model(file, p + "cubic_a", "expected 4 coefficients, got " + cubic.dump());
    for (std::size_t i = 0; i < 4; ++i)
        hw.cubic_a[i] = real_value<double>(cubic[i], file, p + "cubic_a[" + std::to_string(i) + "]");
    return hw;
}
std::vector<head_scalers> parse_scalers(const json& header, std::size_t layer, std::size_t heads,
                                        const std::string& file)
{
    const json& all = require(header, "scalers", file, "scalers");
    const std::string key = "scalers[" + std::to_string(layer) + "]";
    if (!all.is_array() || layer >= all.size() || !all[layer].is_array() || all[layer].size() != heads)
        bad_model(file, key, "expected one entry per head (" + std::to_string(heads) + ")");
    std::vector<head_scalers> out(heads);
    for (std::size_t h = 0; h < heads; ++h) {
        const json& s = all[layer][h];
        auto pair = [&](const char* name) {
            const std::string path = key + "[" + std::to_string(h) + "]." + name;
            const json& ab = require(s, name, file, path);
            if (!ab.is_array() || ab.size() != 2)
                bad_model(file, path, "expected [a, b], got " + ab.dump());
            return affine{real_value<float>(ab[0], file, path), real_value<float>(ab[1], file, path)};
        };
        out[h] = {pair("q"), pair("k"), pair("v"), pair("out")};
    }
    return out;
}

/// model.bin's tensors by name, converted to float32 (row-major, as stored). The binary must be
/// exactly binary.total_bytes long, match binary.sha256, hold the listed tensors back to back and
/// nothing else, and every value must be finite: a corrupt, truncated or foreign file is an error,
/// never a wrong loss.
class tensor_file {
public:
    tensor_file(const json& header, const std::string& dir, const std::string& json_file) : file_(json_file)
    {
        const json& binary = require(header, "binary", json_file, "binary");
        const std::string dtype = string_at(binary, "dtype", json_file, "binary.dtype");
        if (dtype != "float16" && dtype != "float32")
            bad_model(json_file, "binary.dtype", "'" + dtype + "'; allowed: float16, float32");
        width_ = dtype == "float16" ? 2 : 4;
        if (string_at(binary, "byte_order", json_file, "binary.byte_order") != "little")
            bad_model(json_file, "binary.byte_order", binary["byte_order"].dump() + "; allowed: little");
        const std::string name = string_at(binary, "file", json_file, "binary.file");
        if (name.empty() || name.find('/') != std::string::npos)
            bad_model(json_file, "binary.file", "'" + name + "'; allowed: a file name in the model's directory");
        const std::size_t total = integer_at(binary, "total_bytes", 1, max_binary_bytes, json_file, "binary.total_bytes");
        const std::string sha256 = expected_sha256(binary);
        index_tensors(require(header, "tensors", json_file, "tensors"), total);

        bin_ = dir + "/" + name;
        std::optional<std::string> bytes = read_at_most(bin_, total);
        if (!bytes)
            throw config_error("model '" + bin_ + "': longer than binary.total_bytes = " + std::to_string(total) +
                               " bytes (" + json_file + "): not this model's binary");
        if (bytes->size() != total)
            throw config_error("model '" + bin_ + "': " + std::to_string(bytes->size()) + " bytes, binary.total_bytes = " +
                               std::to_string(total) + " (" + json_file + "): truncated");
        if (sha256_hex(*bytes) != sha256)
            throw config_error("model '" + bin_ + "': SHA-256 " + sha256_hex(*bytes) + " differs from binary.sha256 = " +
                               sha256 + " (" + json_file + "): corrupt, or not this model's binary");
        bytes_ = std::move(*bytes);
    }

    /// The tensor `name`, checked against the expected shape; every value finite.
    std::vector<float> get(const std::string& name, const std::vector<std::size_t>& shape)
    {
        const auto it = entries_.find(name);
        if (it == entries_.end())
            bad_model(file_, "tensors", "no tensor '" + name + "'");
        entry& e = it->second;
        if (e.shape != shape)
            bad_model(file_, "tensors", "'" + name + "' has shape " + json(e.shape).dump() + ", expected " +
                                            json(shape).dump());
        e.used = true;
        std::vector<float> out(e.bytes / width_);
        const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes_.data()) + e.offset;
        for (std::size_t i = 0; i < out.size(); ++i, p += width_) {
            if (width_ == 2) {
                out[i] = half_to_float(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
            } else {
                const std::uint32_t bits = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
                std::memcpy(&out[i], &bits, 4);
            }
            if (!std::isfinite(out[i]))
                throw config_error("model '" + bin_ + "': tensor '" + name + "' value " + std::to_string(i) + " is " +
                                   (std::isnan(out[i]) ? "NaN" : "infinite") + "; weights must be finite");
        }
        return out;
    }

    /// A linear layer [out, in] (+ bias [out]), transposed for dense::apply.
    dense get_dense(const std::string& name, std::size_t out, std::size_t in, bool with_bias)
    {
        const std::vector<float> w = get(name + ".weight", {out, in});
        dense d;
        d.in = in;
        d.out = out;
        d.weight_t.resize(in * out);
        for (std::size_t o = 0; o < out; ++o)
            for (std::size_t i = 0; i < in; ++i)
                d.weight_t[i * out + o] = w[o * in + i];
        if (with_bias)
            d.bias = get(name + ".bias", {out});
        return d;
    }

    layer_norm get_norm(const std::string& name, std::size_t width, float eps)
    {
        return {get(name + ".weight", {width}), get(name + ".bias", {width}), eps};
    }

    /// After the last get(): a listed tensor that the config does not use is a foreign export.
    void check_all_used() const
    {
        for (const auto& [name, e] : entries_)
            if (!e.used)
                bad_model(file_, "tensors", "'" + name + "' is not a tensor of this config (another export format?)");
    }

private:
    struct entry {
        std::vector<std::size_t> shape;
        std::size_t offset, bytes;
        bool used = false;
    };

    std::string expected_sha256(const json& binary) const
    {
        if (!binary.contains("sha256"))
            bad_model(file_, "binary.sha256", "missing, so model.bin cannot be checked; an export of an older "
                                              "platforms/gpt_model/train_lm.py: record it with platforms/gpt_model/train_lm.py --add-checksum DIR");
        const std::string sha = string_at(binary, "sha256", file_, "binary.sha256");
        if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos)
            bad_model(file_, "binary.sha256", "'" + sha + "'; allowed: 64 lowercase hex digits");
        return sha;
    }

    /// The tensor list, checked before anything is read: shapes of positive integers, each tensor's
    /// bytes = its elements x the dtype's width, back to back from offset 0 up to total_bytes.
    void index_tensors(const json& tensors, std::size_t total)
    {
        if (!tensors.is_array())
            bad_model(file_, "tensors", "expected a list, got " + tensors.dump().substr(0, 80));
        std::size_t end = 0;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const std::string path = "tensors[" + std::to_string(i) + "]";
            const json& t = tensors[i];
            const std::string name = string_at(t, "name", file_, path + ".name");
            const json& shape = require(t, "shape", file_, path + ".shape");
            if (!shape.is_array() || shape.empty())
                bad_model(file_, path + ".shape", "expected a list of dimensions, got " + shape.dump());
            entry e{{}, integer_at(t, "offset", 0, total, file_, path + ".offset"),
                    integer_at(t, "bytes", 1, total, file_, path + ".bytes")};
            std::size_t bytes = width_;  // stays <= total, so no overflow
            for (const json& n : shape) {
                e.shape.push_back(integer_value(n, 1, total, file_, path + ".shape"));
                bytes = bytes > total / e.shape.back() ? total + 1 : bytes * e.shape.back();
            }
            if (bytes != e.bytes)
                bad_model(file_, path + ".bytes", "value " + std::to_string(e.bytes) + " disagrees with shape " +
                                                      shape.dump() + " of " + std::to_string(width_) + "-byte values");
            if (e.offset != end || e.bytes > total - end)
                bad_model(file_, path + ".offset", "'" + name + "' at bytes " + std::to_string(e.offset) + " .. " +
                                                       std::to_string(e.offset + e.bytes) + "; expected it from byte " +
                                                       std::to_string(end) + ", within binary.total_bytes = " +
                                                       std::to_string(total));
            end += e.bytes;
            if (!entries_.emplace(name, std::move(e)).second)
                bad_model(file_, path + ".name", "'" + name + "' is listed twice");
        }
        if (end != total)
            bad_model(file_, "binary.total_bytes", "value " + std::to_string(total) + " disagrees with the tensors' " +
                                                       std::to_string(end) + " bytes");
    }

    std::string file_, bin_;
    std::size_t width_ = 2;
    std::string bytes_;
    std::map<std::string, entry> entries_;
};

}  // namespace

void dense::apply(const float* x, float* y) const
{
    if (bias.empty())
        std::fill(y, y + out, 0.0f);
    else
        std::copy(bias.begin(), bias.end(), y);
    for (std::size_t i = 0; i < in; ++i) {
        const float xi = x[i];
        const float* w = &weight_t[i * out];
        for (std::size_t o = 0; o < out; ++o)
            y[o] += w[o] * xi;
    }
}

void layer_norm::apply(const float* x, float* y) const
{
    const std::size_t n = gamma.size();
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < n; ++i)
        mean += x[i];
    mean /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        var += (x[i] - mean) * (x[i] - mean);
    var /= static_cast<double>(n);  // biased, as PyTorch's LayerNorm
    const double inv = 1.0 / std::sqrt(var + eps);
    for (std::size_t i = 0; i < n; ++i)
        y[i] = static_cast<float>((x[i] - mean) * inv) * gamma[i] + beta[i];
}

char_model char_model::load(const std::string& dir)
{
    char_model m;
    m.dir_ = dir;
    const std::string file = dir + "/model.json";
    std::error_code ec;  // a FIFO or device would be parsed without end; the committed ones are < 30 KB
    if (std::filesystem::exists(file, ec) && (!std::filesystem::is_regular_file(file, ec) ||
                                              std::filesystem::file_size(file, ec) > max_header_bytes))
        throw config_error("model '" + file + "': not a regular file of at most " + std::to_string(max_header_bytes) +
                           " bytes");
    m.header_ = config::read_json_file(file, "model file");
    const json& h = m.header_;
    if (!h.is_object() || h.value("format", json()) != "gcasim-charlm")
        bad_model(file, "format", "not a gcasim-charlm export (platforms/gpt_model/train_lm.py --export)");
    if (h.value("format_version", json()) != 1)
        bad_model(file, "format_version", "value " + h.value("format_version", json()).dump() + "; allowed: 1");
    m.shape_ = parse_shape(h, file);
    const model_shape& s = m.shape_;
    if (m.has_hardware())
        m.hardware_ = parse_hardware(h, file);

    const json& vocab = require(h, "vocab", file, "vocab");
    if (!vocab.is_array() || vocab.size() + 1 != s.vocab_size)
        bad_model(file, "vocab", "expected config.vocab_size - 1 = " + std::to_string(s.vocab_size - 1) + " characters");
    for (const json& c : vocab) {
        std::u32string cp;
        try {
            cp = decode_utf8(c.is_string() ? c.get<std::string>() : std::string());
        } catch (const std::invalid_argument&) {
        }
        if (cp.size() != 1)
            bad_model(file, "vocab", "entry " + c.dump() + " is not one character");
        m.vocab_.push_back(cp[0]);
    }
    m.unk_ = static_cast<int>(integer_at(h, "unk_index", vocab.size(), vocab.size(), file, "unk_index"));
    check_corpus(require(h, "corpus", file, "corpus"), file);
    check_reference(h, file);
    m.vocab_.push_back(U'\uFFFD');

    tensor_file tensors(h, dir, file);
    m.tok_emb_ = tensors.get("tok_emb", {s.vocab_size, s.d_model});
    m.pos_emb_ = tensors.get("pos_emb", {s.context, s.d_model});
    for (std::size_t l = 0; l < s.layers; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        block b;
        b.ln1 = tensors.get_norm(p + "ln1", s.d_model, s.layernorm_eps);
        b.qkv = tensors.get_dense(p + "attn.qkv", 3 * s.inner(), s.d_model, true);
        b.proj = tensors.get_dense(p + "attn.proj", s.d_model, s.inner(), true);
        b.ln2 = tensors.get_norm(p + "ln2", s.d_model, s.layernorm_eps);
        b.fc = tensors.get_dense(p + "mlp.fc", s.mlp_hidden, s.d_model, true);
        b.fc_proj = tensors.get_dense(p + "mlp.proj", s.d_model, s.mlp_hidden, true);
        if (m.has_hardware())
            b.scalers = parse_scalers(h, l, s.heads, file);
        m.blocks_.push_back(std::move(b));
    }
    m.ln_f_ = tensors.get_norm("ln_f", s.d_model, s.layernorm_eps);
    m.head_ = tensors.get_dense("head", s.vocab_size, s.d_model, false);
    tensors.check_all_used();
    return m;
}

int char_model::token_of(char32_t c) const
{
    for (std::size_t i = 0; i + 1 < vocab_.size(); ++i)
        if (vocab_[i] == c)
            return static_cast<int>(i);
    return unk_;
}

void char_model::embed(int token, std::size_t position, float* x) const
{
    const std::size_t d = shape_.d_model;
    const float* tok = &tok_emb_[static_cast<std::size_t>(token) * d];
    const float* pos = &pos_emb_[position * d];
    for (std::size_t i = 0; i < d; ++i)
        x[i] = tok[i] + pos[i];
}

void char_model::attention_inputs(std::size_t layer, const float* x, float* qkv) const
{
    std::vector<float> normed(shape_.d_model);
    blocks_[layer].ln1.apply(x, normed.data());
    blocks_[layer].qkv.apply(normed.data(), qkv);
}

void char_model::finish_layer(std::size_t layer, const float* attention, float* x) const
{
    const block& b = blocks_[layer];
    const std::size_t d = shape_.d_model;
    std::vector<float> delta(d), normed(d), hidden(shape_.mlp_hidden);
    b.proj.apply(attention, delta.data());
    for (std::size_t i = 0; i < d; ++i)
        x[i] += delta[i];
    b.ln2.apply(x, normed.data());
    b.fc.apply(normed.data(), hidden.data());
    for (float& v : hidden)  // exact GELU, 0.5 x (1 + erf(x / sqrt 2))
        v = 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
    b.fc_proj.apply(hidden.data(), delta.data());
    for (std::size_t i = 0; i < d; ++i)
        x[i] += delta[i];
}

void char_model::logits(const float* x, float* out) const
{
    std::vector<float> normed(shape_.d_model);
    ln_f_.apply(x, normed.data());
    head_.apply(normed.data(), out);
}

double cross_entropy(const float* logits, std::size_t count, int target)
{
    double top = logits[0];
    for (std::size_t i = 1; i < count; ++i)
        top = std::max(top, static_cast<double>(logits[i]));
    double sum = 0;
    for (std::size_t i = 0; i < count; ++i)
        sum += std::exp(logits[i] - top);
    return top + std::log(sum) - logits[target];
}

std::optional<std::string> read_at_most(const std::string& path, std::size_t limit)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw config_error("cannot read '" + path + "': it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw config_error("cannot read '" + path + "': " + std::strerror(errno));
    std::string bytes;
    char chunk[65536];
    while (bytes.size() <= limit && in.read(chunk, sizeof chunk).gcount() > 0)
        bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        throw config_error("cannot read '" + path + "': " + std::strerror(errno));
    if (bytes.size() > limit)
        return std::nullopt;
    return bytes;
}

std::u32string decode_utf8(const std::string& text)
{
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const int extra = byte < 0x80 ? 0 : (byte >> 5) == 0x6 ? 1 : (byte >> 4) == 0xe ? 2 : (byte >> 3) == 0x1e ? 3 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size())
            throw std::invalid_argument("malformed UTF-8 at byte " + std::to_string(i));
        char32_t cp = extra == 0 ? byte : byte & (0x3f >> extra);
        for (int k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            if ((next >> 6) != 0x2)
                throw std::invalid_argument("malformed UTF-8 at byte " + std::to_string(i));
            cp = (cp << 6) | (next & 0x3f);
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

std::string encode_utf8(const std::u32string& text)
{
    std::string out;
    for (char32_t c : text) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xc0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xe0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (c & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    return out;
}

}  // namespace gcasim::model
