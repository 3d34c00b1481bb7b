// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: the checksum of model.bin that
// platforms/gpt_model/train_lm.py records in model.json (binary.sha256, Python's hashlib.sha256). Plain C++.
#pragma once

#include <string>

namespace gcasim::model {

std::string sha256_hex(const std::string& bytes);

}  // namespace gcasim::model
