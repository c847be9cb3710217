//! Why generated code stopped early, as stored in [`crate::context::Outcome::fault`],
//! and the small records generated code hands to the trampolines.

use ferrobpf_vm::isa::Size;

/// Fault codes written by generated code or by the trampolines.
#[repr(u64)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FaultCode {
    /// The program exited normally.
    None = 0,
    /// A trampoline (memory lookup, helper, packet load) stored the full error in the
    /// run's environment.
    Host = 1,
    /// A local call went deeper than the call depth limit.
    CallDepth = 2,
    /// The instruction budget ran out.
    Budget = 3,
    /// A legacy packet load missed the packet: the run ends with r0 = 0.
    Ended = 4,
}

impl FaultCode {
    /// The code stored as `raw`, if it is one.
    pub fn from_raw(raw: u64) -> Option<FaultCode> {
        [
            FaultCode::None,
            FaultCode::Host,
            FaultCode::CallDepth,
            FaultCode::Budget,
            FaultCode::Ended,
        ]
        .into_iter()
        .find(|c| *c as u64 == raw)
    }
}

/// Packs what a bounds-check miss passes to the lookup stub in one register: the
/// instruction index, whether the access writes, and log2 of its size.
pub fn pack_miss(pc: u32, store: bool, log2: u8) -> u64 {
    u64::from(pc) | u64::from(store) << 32 | u64::from(log2 & 3) << 33
}

/// log2 of an access size in bytes.
pub fn size_log2(size: Size) -> u8 {
    match size {
        Size::B => 0,
        Size::H => 1,
        Size::W => 2,
        Size::DW => 3,
    }
}

/// Packs what a legacy packet load passes to its trampoline: the instruction index
/// (below 2^24, as programs are at most 1,000,000 slots), log2 of the size and the
/// immediate offset.
pub fn pack_packet(pc: u32, log2: u8, imm: i32) -> u64 {
    u64::from(pc & 0xff_ffff) | u64::from(log2 & 3) << 24 | u64::from(imm as u32) << 32
}

/// The inverse of [`pack_packet`].
pub fn unpack_packet(packed: u64) -> (u32, u8, i32) {
    (
        (packed & 0xff_ffff) as u32,
        (packed >> 24 & 3) as u8,
        (packed >> 32) as u32 as i32,
    )
}

/// The inverse of [`pack_miss`].
pub fn unpack_miss(packed: u64) -> (u32, bool, u8) {
    (
        packed as u32,
        packed >> 32 & 1 == 1,
        (packed >> 33 & 3) as u8,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in [
            FaultCode::None,
            FaultCode::Host,
            FaultCode::CallDepth,
            FaultCode::Budget,
        ] {
            assert_eq!(FaultCode::from_raw(c as u64), Some(c));
        }
        assert_eq!(FaultCode::from_raw(99), None);
    }

    #[test]
    fn miss_round_trips() {
        assert_eq!(unpack_miss(pack_miss(1234, true, 3)), (1234, true, 3));
        assert_eq!(
            unpack_miss(pack_miss(u32::MAX, false, 0)),
            (u32::MAX, false, 0)
        );
    }

    #[test]
    fn packet_round_trips() {
        assert_eq!(unpack_packet(pack_packet(999_999, 2, -5)), (999_999, 2, -5));
        assert_eq!(unpack_packet(pack_packet(0, 3, i32::MAX)), (0, 3, i32::MAX));
    }
}
