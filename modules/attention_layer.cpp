#include "attention_layer.h"

#include <string>

namespace gcasim {

using namespace sc_core;

namespace {

std::unique_ptr<compute_pool> make_pool(std::size_t threads)
{
    return threads > 1 ? std::make_unique<compute_pool>(threads - 1) : nullptr;
}

}  // namespace

attention_layer::attention_layer(const sc_module_name& name, const config::head_config& head_config,
                                 const std::vector<token_stream>& inputs,
                                 std::size_t threads)
    : sc_module(name), pool_(make_pool(threads)), heads(), barrier(inputs.size()), ledger(head_config.window),
      function_listeners_()
{
    for (std::size_t h = 0; h < inputs.size(); ++h)
        heads.push_back(std::make_unique<attention_head>(("head_" + std::to_string(h)).c_str(), head_config,
                                                         inputs[h], h, pool_.get()));
    wire_observers();
}

attention_layer::attention_layer(const sc_module_name& name, const config::head_config& head_config,
                                 const std::vector<token_source*>& sources,
                                 std::size_t threads)
    : sc_module(name), pool_(make_pool(threads)), heads(), barrier(sources.size()), ledger(head_config.window),
      function_listeners_()
{
    for (std::size_t h = 0; h < sources.size(); ++h)
        heads.push_back(std::make_unique<attention_head>(("head_" + std::to_string(h)).c_str(), head_config,
                                                         *sources[h], h, pool_.get()));
    wire_observers();
}

void attention_layer::wire_observers()
{
    for (std::size_t h = 0; h < heads.size(); ++h) {
        heads[h]->controller.add_observer(&barrier);
        ledger.attach(h, *heads[h]);
    }
    barrier.add_observer(&ledger);
    barrier.add_listener(&ledger);
}

void attention_layer::add_monitor(phase_monitor* monitor, std::size_t traced_head,
                                  const std::vector<std::size_t>& traced_tiles)
{
    for (std::size_t h = 0; h < heads.size(); ++h)
        heads[h]->controller.add_monitor(monitor, h == traced_head ? traced_tiles : std::vector<std::size_t>{});
    barrier.add_listener(monitor);
}

void attention_layer::add_token_closed_listener(std::function<void(std::size_t)> listener)
{
    function_listeners_.push_back(std::make_unique<function_listener>(std::move(listener)));
    barrier.add_listener(function_listeners_.back().get());
}

}  // namespace gcasim
