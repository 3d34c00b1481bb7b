// One analog attention head: ceil(W/64) sub-tiles, the sliding-window controller and the readout,
// wired together. Only instantiation and binding.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "config/head_config.h"
#include "readout.h"
#include "sliding_window_controller.h"
#include "sub_tile.h"

namespace gcasim {

class attention_head : public sc_core::sc_module {
public:
    /// Built first: a meter that walks the head meets the sub-tiles, then the readout, then the controller.
    std::vector<std::unique_ptr<sub_tile>> tiles;
    readout out;
    sliding_window_controller controller;

    /// Inputs known in advance: token t starts at t * timing.token_period_ns.
    attention_head(const sc_core::sc_module_name& name, const config::head_config& config,
                   const token_stream& input, std::size_t head_index = 0,
                   compute_pool* pool = nullptr);
    /// Inputs as `source` releases them (see token_source.h).
    attention_head(const sc_core::sc_module_name& name, const config::head_config& config,
                   token_source& source, std::size_t head_index = 0,
                   compute_pool* pool = nullptr);

    const config::head_config& config() const { return config_; }

    static readout::params readout_params(const config::head_config& config, std::size_t head_index);
    static sliding_window_controller::params controller_params(const config::head_config& config,
                                                               std::size_t head_index);

private:
    static std::vector<std::unique_ptr<sub_tile>> make_tiles(const config::head_config& config,
                                                             std::size_t head_index);
    void bind_tiles();

    config::head_config config_;
};

}  // namespace gcasim
