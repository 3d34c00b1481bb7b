#include "char_model.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "config/param_schema.h"

namespace gcasim::model {

using nlohmann::json;
using config::config_error;

namespace {

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

template <typename T> T number_at(const json& parent, const std::string& key, const std::string& file,
                                  const std::string& prefix)
{
    const json& value = require(parent, key, file, prefix + key);
    if (!value.is_number())
        bad_model(file, prefix + key, "expected a number, got " + value.dump());
    return value.get<T>();
}

/// IEEE half to float, exactly (docs/models/README.md, export format).
float half_to_float(std::uint16_t h)
{
    const int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, exponent - 25);
    return static_cast<float>(sign ? -magnitude : magnitude);
}

model_shape parse_shape(const json& header, const std::string& file)
{
    const json& c = require(header, "config", file, "config");
    model_shape s;
    const std::string p = "config.";
    s.layers = number_at<std::size_t>(c, "layers", file, p);
    s.d_model = number_at<std::size_t>(c, "d_model", file, p);
    s.heads = number_at<std::size_t>(c, "heads", file, p);
    s.head_dim = number_at<std::size_t>(c, "head_dim", file, p);
    s.context = number_at<std::size_t>(c, "context", file, p);
    s.mlp_hidden = number_at<std::size_t>(c, "mlp_hidden", file, p);
    s.vocab_size = number_at<std::size_t>(c, "vocab_size", file, p);
    s.layernorm_eps = number_at<float>(c, "layernorm_eps", file, p);
    s.attention = require(c, "attention", file, p + "attention").get<std::string>();
    if (s.attention != "softmax" && s.attention != "linear" && s.attention != "nonlinear")
        bad_model(file, p + "attention", "'" + s.attention + "'; allowed: softmax, linear, nonlinear");
    if (s.attention != "softmax")
        s.window = number_at<std::size_t>(c, "window", file, p);
    for (const char* key : {"layers", "d_model", "heads", "head_dim", "context", "mlp_hidden", "vocab_size"})
        if (c.at(key).get<long long>() <= 0)
            bad_model(file, p + key, "value " + c.at(key).dump() + " is out of range; allowed: >= 1");
    const std::string activation = require(c, "activation", file, p + "activation").get<std::string>();
    if (activation != "gelu_erf")
        bad_model(file, p + "activation", "'" + activation + "'; allowed: gelu_erf");
    return s;
}

trained_hardware parse_hardware(const json& header, const std::string& file)
{
    const json& h = require(header, "hardware", file, "hardware");
    trained_hardware hw;
    const std::string p = "hardware.";
    hw.q_levels = number_at<int>(h, "q_levels", file, p);
    hw.kv_levels = number_at<int>(h, "kv_levels", file, p);
    hw.out_levels = number_at<int>(h, "out_levels", file, p);
    hw.q_min = number_at<double>(h, "q_min", file, p);
    hw.q_max = number_at<double>(h, "q_max", file, p);
    hw.kv_min = number_at<double>(h, "kv_min", file, p);
    hw.kv_max = number_at<double>(h, "kv_max", file, p);
    hw.out_min = number_at<double>(h, "out_min", file, p);
    hw.out_max = number_at<double>(h, "out_max", file, p);
    hw.offset = number_at<double>(h, "offset", file, p);
    hw.linear_coefficient = number_at<double>(h, "linear_coefficient", file, p);
    hw.decay_per_step = number_at<double>(h, "decay_per_step", file, p);
    hw.s_sat = number_at<double>(h, "s_sat", file, p);
    hw.readout_scale = number_at<double>(h, "readout_scale", file, p);
    hw.subtile = number_at<std::size_t>(h, "subtile", file, p);
    const json& cubic = require(h, "cubic_a", file, p + "cubic_a");
    if (!cubic.is_array() || cubic.size() != 4)
        bad_model(file, p + "cubic_a", "expected 4 coefficients, got " + cubic.dump());
    for (std::size_t i = 0; i < 4; ++i)
        hw.cubic_a[i] = cubic[i].get<double>();
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
            const json& ab = require(s, name, file, key + "[" + std::to_string(h) + "]." + name);
            if (!ab.is_array() || ab.size() != 2 || !ab[0].is_number() || !ab[1].is_number())
                bad_model(file, key + "[" + std::to_string(h) + "]." + name, "expected [a, b]");
            return affine{ab[0].get<float>(), ab[1].get<float>()};
        };
        out[h] = {pair("q"), pair("k"), pair("v"), pair("out")};
    }
    return out;
}

/// The binary's tensors by name, converted to float32 (row-major, as stored).
class tensor_file {
public:
    tensor_file(const json& header, const std::string& dir, const std::string& json_file) : file_(json_file)
    {
        const json& binary = require(header, "binary", json_file, "binary");
        const std::string dtype = require(binary, "dtype", json_file, "binary.dtype").get<std::string>();
        if (dtype != "float16" && dtype != "float32")
            bad_model(json_file, "binary.dtype", "'" + dtype + "'; allowed: float16, float32");
        half_ = dtype == "float16";
        const std::string bin = dir + "/" + require(binary, "file", json_file, "binary.file").get<std::string>();
        std::ifstream in(bin, std::ios::binary);
        if (!in)
            throw config_error("model '" + dir + "': cannot read " + bin);
        bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        const json& tensors = require(header, "tensors", json_file, "tensors");
        if (!tensors.is_array())
            bad_model(json_file, "tensors", "expected a list");
        for (const json& t : tensors)
            entries_[t.at("name").get<std::string>()] = t;
    }

    /// The tensor `name`, checked against the expected shape.
    std::vector<float> get(const std::string& name, const std::vector<std::size_t>& shape) const
    {
        const auto it = entries_.find(name);
        if (it == entries_.end())
            bad_model(file_, "tensors", "no tensor '" + name + "'");
        const json& e = it->second;
        if (e.at("shape").get<std::vector<std::size_t>>() != shape)
            bad_model(file_, "tensors", "'" + name + "' has shape " + e.at("shape").dump() + ", expected " +
                                            json(shape).dump());
        std::size_t count = 1;
        for (std::size_t n : shape)
            count *= n;
        const std::size_t width = half_ ? 2 : 4, offset = e.at("offset").get<std::size_t>();
        if (offset + count * width > bytes_.size())
            bad_model(file_, "tensors", "'" + name + "' lies beyond the end of the binary (" +
                                            std::to_string(bytes_.size()) + " bytes)");
        std::vector<float> out(count);
        const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes_.data()) + offset;
        for (std::size_t i = 0; i < count; ++i, p += width) {
            if (half_) {
                out[i] = half_to_float(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
            } else {
                const std::uint32_t bits = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
                std::memcpy(&out[i], &bits, 4);
            }
        }
        return out;
    }

    /// A linear layer [out, in] (+ bias [out]), transposed for dense::apply.
    dense get_dense(const std::string& name, std::size_t out, std::size_t in, bool with_bias) const
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

    layer_norm get_norm(const std::string& name, std::size_t width, float eps) const
    {
        return {get(name + ".weight", {width}), get(name + ".bias", {width}), eps};
    }

private:
    std::string file_;
    bool half_ = true;
    std::string bytes_;
    std::map<std::string, json> entries_;
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
    m.header_ = config::read_json_file(file, "model file");
    const json& h = m.header_;
    if (!h.is_object() || h.value("format", "") != "gcasim-charlm")
        bad_model(file, "format", "not a gcasim-charlm export (scripts/train_lm.py --export)");
    if (h.value("format_version", 0) != 1)
        bad_model(file, "format_version", "value " + h.value("format_version", json()).dump() + "; allowed: 1");
    m.shape_ = parse_shape(h, file);
    const model_shape& s = m.shape_;
    if (m.has_hardware())
        m.hardware_ = parse_hardware(h, file);

    const json& vocab = require(h, "vocab", file, "vocab");
    if (!vocab.is_array() || vocab.size() + 1 != s.vocab_size)
        bad_model(file, "vocab", "expected config.vocab_size - 1 = " + std::to_string(s.vocab_size - 1) + " characters");
    for (const json& c : vocab) {
        const std::u32string cp = decode_utf8(c.get<std::string>());
        if (cp.size() != 1)
            bad_model(file, "vocab", "entry " + c.dump() + " is not one character");
        m.vocab_.push_back(cp[0]);
    }
    m.unk_ = number_at<int>(h, "unk_index", file, "");
    if (m.unk_ != static_cast<int>(vocab.size()))
        bad_model(file, "unk_index", "value " + std::to_string(m.unk_) + "; expected " + std::to_string(vocab.size()));
    m.vocab_.push_back(U'\uFFFD');

    const tensor_file tensors(h, dir, file);
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
