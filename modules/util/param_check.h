// A module checks its own parameters when it is built: a value outside what the block can be is
// std::invalid_argument naming the module instance, the config key the value came from, the value
// and the rule. The platforms validate the config first, so this guards direct use of a module
// (tests, other top levels) and any params a platform derives wrongly.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include <systemc>

namespace gcasim {

/// Throws unless `ok`: "<module>: <key> = <value>: <rule>", e.g.
/// "top.head_0.tile_0.k_array: array.tokens = 0: must be >= 1".
template <typename T>
void require_param(bool ok, const sc_core::sc_module& module, const std::string& key, const T& value,
                   const std::string& rule)
{
    if (ok)
        return;
    std::ostringstream message;
    message << module.name() << ": " << key << " = " << value << ": " << rule;
    throw std::invalid_argument(message.str());
}

}  // namespace gcasim
