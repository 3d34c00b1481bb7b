#include "attention_layer.h"

#include <string>

namespace gcasim {

using namespace sc_core;

attention_layer::attention_layer(const sc_module_name& name, const config::head_config& head_config,
                                 const config::energy_config& energies, const std::vector<token_stream>& inputs,
                                 std::size_t threads)
    : sc_module(name), pool_(threads > 1 ? std::make_unique<compute_pool>(threads - 1) : nullptr), heads(), ledger("ledger", energies, head_config.window), monitors_(),
      closed_listeners_()
{
    for (std::size_t h = 0; h < inputs.size(); ++h) {
        heads.push_back(std::make_unique<attention_head>(("head_" + std::to_string(h)).c_str(), head_config,
                                                         inputs[h], h, pool_.get()));
        ledger.attach(*heads.back());
    }
    listen_to_ledger();
}

attention_layer::attention_layer(const sc_module_name& name, const config::head_config& head_config,
                                 const config::energy_config& energies, const std::vector<token_source*>& sources,
                                 std::size_t threads)
    : sc_module(name), pool_(threads > 1 ? std::make_unique<compute_pool>(threads - 1) : nullptr), heads(),
      ledger("ledger", energies, head_config.window), monitors_(), closed_listeners_()
{
    for (std::size_t h = 0; h < sources.size(); ++h) {
        heads.push_back(std::make_unique<attention_head>(("head_" + std::to_string(h)).c_str(), head_config,
                                                         *sources[h], h, pool_.get()));
        ledger.attach(*heads.back());
    }
    listen_to_ledger();
}

void attention_layer::listen_to_ledger()
{
    ledger.set_close_listener([this](std::size_t token) {
        for (phase_monitor* monitor : monitors_)
            monitor->on_token_closed(token, sc_time_stamp());
        for (const auto& listener : closed_listeners_)
            listener(token);
    });
}

void attention_layer::add_observer(token_observer* observer)
{
    for (auto& head : heads)
        head->controller.add_observer(observer);
}

void attention_layer::add_monitor(phase_monitor* monitor, std::size_t traced_head,
                                  const std::vector<std::size_t>& traced_tiles)
{
    monitors_.push_back(monitor);
    for (std::size_t h = 0; h < heads.size(); ++h)
        heads[h]->controller.add_monitor(monitor, h == traced_head ? traced_tiles : std::vector<std::size_t>{});
}

}  // namespace gcasim
