//! The 8-byte wire form of an instruction (RFC 9669 section 3), little-endian.

/// Size of one instruction slot in bytes.
pub const INSN_SIZE: usize = 8;

/// One instruction slot exactly as encoded: no validation, no meaning.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct RawInsn {
    /// Opcode byte.
    pub opcode: u8,
    /// Destination register field (4 bits).
    pub dst: u8,
    /// Source register field (4 bits).
    pub src: u8,
    /// Signed 16-bit offset.
    pub off: i16,
    /// Signed 32-bit immediate.
    pub imm: i32,
}

impl RawInsn {
    /// Reads a slot from its little-endian bytes.
    pub fn from_bytes(b: [u8; INSN_SIZE]) -> RawInsn {
        RawInsn {
            opcode: b[0],
            dst: b[1] & 0x0f,
            src: b[1] >> 4,
            off: i16::from_le_bytes([b[2], b[3]]),
            imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// Writes the slot as little-endian bytes. Register fields are masked to 4 bits.
    pub fn to_bytes(self) -> [u8; INSN_SIZE] {
        let off = self.off.to_le_bytes();
        let imm = self.imm.to_le_bytes();
        [
            self.opcode,
            (self.dst & 0x0f) | (self.src << 4),
            off[0],
            off[1],
            imm[0],
            imm[1],
            imm[2],
            imm[3],
        ]
    }

    /// Splits a byte string into slots; `None` if its length is not a multiple of 8.
    pub fn parse_all(bytes: &[u8]) -> Option<Vec<RawInsn>> {
        if !bytes.len().is_multiple_of(INSN_SIZE) {
            return None;
        }
        Some(
            bytes
                .chunks_exact(INSN_SIZE)
                .map(|c| {
                    let mut b = [0u8; INSN_SIZE];
                    b.copy_from_slice(c);
                    RawInsn::from_bytes(b)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bytes_round_trip(b in any::<[u8; 8]>()) {
            prop_assert_eq!(RawInsn::from_bytes(b).to_bytes(), b);
        }
    }
}
