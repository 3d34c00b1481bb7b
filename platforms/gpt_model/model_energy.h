// energy.csv of a whole-model run (issue 14, item 6): one row per token, layer and sequence with the
// layer's attention components (its ledger's columns) and, with model.digital = engine, its engine's
//     engine_mac_pj, engine_sram_pj, memory_pj, engine_static_pj
// then total_pj; and one row per token and sequence for the embedding and LM head's engine (layer
// "head", attention columns 0). A column "sequence" follows "layer" when model.batch > 1. An
// engine's energy of a micro-batch's pass (its ops' MACs, SRAM and streamed bytes, and its static
// power since its previous pass) is split evenly over the micro-batch's sequences, to the
// attojoule (the division's remainder goes to the first): so a weight stream the micro-batch
// shares is split evenly too. Idle time after an engine's last pass is charged to no token, as the
// attention ledger does. The sums per stage are what summary.json reports per token, so the file and
// the summary agree. With model.digital = off the file is the attention's alone, as before.
#pragma once

#include <cstddef>
#include <map>
#include <tuple>
#include <vector>

#include "common/layer_run.h"
#include "model_hardware.h"

namespace gcasim::model {

class model_energy {
public:
    /// An engine's energy (aJ) per component, in the csv's column order.
    struct engine_parts {
        attojoules mac = 0, sram = 0, memory = 0, statics = 0;
        attojoules total() const { return mac + sram + memory + statics; }
    };

    /// Attaches to every ledger and engine of `hw`; writes the header into `file` at the first row.
    model_energy(atomic_file& file, model_hardware& hw);

    /// Per stage (the layers in order, then the embedding and LM head): what its engine charged to
    /// the run's tokens. Empty with model.digital = off.
    const std::vector<engine_parts>& charged() const { return charged_; }

private:
    using row_key = std::tuple<std::size_t, std::size_t, std::size_t>;  ///< layer, sequence, token

    void write_header(const std::vector<energy_ledger::column>& columns);
    /// A stage finished a micro-batch: its engine's energy since its previous pass, split over the
    /// micro-batch's sequences, completes their rows.
    void on_pass(std::size_t stage, const micro_batch& batch);
    void write_row(std::size_t token, std::size_t stage, std::size_t sequence, const energy_ledger::amounts* attention,
                   energy_ledger::attojoules attention_total, const engine_parts* engine);

    atomic_file& file_;
    model_hardware& hw_;
    bool digital_, sequence_column_;
    std::size_t components_ = 0;                                ///< attention columns
    std::map<row_key, energy_ledger::row> pending_;             ///< attention rows waiting for their pass
    std::vector<engine_parts> charged_, seen_;                  ///< per stage: charged to rows; counters at the last pass
    std::vector<sc_core::sc_time> last_pass_;                   ///< per stage: static power charged up to here
};

}  // namespace gcasim::model
