// The validation text of the language model: rebuilt from the Debian fortunes files exactly as
// platforms/gpt_model/train_lm.py builds it (the model's `corpus` block names the directory, the files and the
// split), or read from any UTF-8 file (e.g. one written by train_lm.py --write-val). Plain C++.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace gcasim::model {

/// The validation split described by `corpus` (model.json's corpus block). Its length must equal
/// corpus.val_chars, else the installed fortunes differ from the ones the model was trained on.
/// Missing files: config::config_error saying which packages to install.
std::u32string fortunes_validation_text(const nlohmann::json& corpus);

/// The largest text read (--text, each fortunes file): 16 MiB, far more than an evaluation can
/// use (the validation split is 262 675 characters).
constexpr std::size_t max_text_bytes = std::size_t(16) << 20;

/// The --text FILE (UTF-8, at most max_text_bytes, a FIFO or device too), as code points; errors
/// name --text.
std::u32string read_text_file(const std::string& path);

}  // namespace gcasim::model
