// TLM-2.0 payload extension carrying analog vectors. The generic payload's data buffer holds the
// result (doubles); this extension holds what drives the block: pulse widths or charges, which
// token lines take part, and, when the initiator asks for it, where the arithmetic may be deferred.
#pragma once

#include <cstddef>
#include <cstdint>

#include <tlm>

namespace gcasim {

class deferral;

struct analog_payload : tlm::tlm_extension<analog_payload> {
    /// Input vector. For array MACs: pulse widths as fractions of T_max (one per word line);
    /// for charge-to-pulse and readout: line charges in MAC units.
    const double* input = nullptr;
    std::size_t input_size = 0;
    /// Optional per-token-line enable (1 = take part). K arrays skip masked columns.
    const std::uint8_t* line_enabled = nullptr;
    /// On a write: sense the line's (decayed) values and write them back through the DACs.
    bool refresh = false;
    /// Set by the initiator to let a target queue its arithmetic on worker threads (a compute_pool or
    /// one of its lanes) and return with only the delay annotated. The result (the data buffer, or a
    /// block's internal lines) then exists once the initiator has joined it, which it does before it
    /// reads the result or sends the target its next transaction. Null: the result exists when
    /// b_transport returns.
    deferral* defer = nullptr;

    tlm::tlm_extension_base* clone() const override { return new analog_payload(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override
    {
        *this = static_cast<const analog_payload&>(other);
    }
};

/// What a debug read (transport_dbg, TLM_READ_COMMAND) of a sub-tile's value socket returns, by
/// address: one of its internal lines, `array.tokens` doubles, for observers (no time, no energy).
enum class sub_tile_probe : std::uint64_t {
    column_charges = 0,  ///< S: the K-array columns, at the converters' inputs (MAC units)
    row_pulses = 1,      ///< phi: the converters' pulses on the V-array rows (fractions of T_max)
};

/// Prepare a payload: command, address, the result/data buffer of `count` doubles.
inline void set_vector_payload(tlm::tlm_generic_payload& gp, tlm::tlm_command command,
                               std::uint64_t address, double* data, std::size_t count)
{
    gp.set_command(command);
    gp.set_address(address);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(data));
    gp.set_data_length(static_cast<unsigned>(count * sizeof(double)));
    gp.set_streaming_width(static_cast<unsigned>(count * sizeof(double)));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

/// The doubles of a payload's data buffer.
inline double* vector_data(tlm::tlm_generic_payload& gp)
{
    return reinterpret_cast<double*>(gp.get_data_ptr());
}
inline std::size_t vector_size(const tlm::tlm_generic_payload& gp)
{
    return gp.get_data_length() / sizeof(double);
}

}  // namespace gcasim
