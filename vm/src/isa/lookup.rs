//! Finding a table row from raw instruction fields.

use super::kinds::Disc;
use super::table::{Op, Spec, TABLE};
use std::sync::OnceLock;

/// Rows grouped by opcode byte, built once from [`TABLE`].
fn by_opcode() -> &'static [Vec<Op>; 256] {
    static INDEX: OnceLock<[Vec<Op>; 256]> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: [Vec<Op>; 256] = std::array::from_fn(|_| Vec::new());
        for spec in TABLE {
            index[spec.opcode as usize].push(spec.op);
        }
        index
    })
}

/// The rows that use `opcode`, whatever their discriminator (empty if none).
pub fn rows_for_opcode(opcode: u8) -> impl Iterator<Item = &'static Spec> {
    by_opcode()[opcode as usize].iter().map(|op| op.spec())
}

/// The row matching `opcode` and the discriminating fields, if any.
pub fn find(opcode: u8, src: u8, off: i16, imm: i32) -> Option<Op> {
    rows_for_opcode(opcode)
        .find(|spec| match spec.disc {
            Disc::None => true,
            Disc::Off(v) => v == off,
            Disc::Imm(v) => v == imm,
            Disc::Src(v) => v == src,
        })
        .map(|spec| spec.op)
}

/// Rows with an assembler mnemonic, in table order.
pub fn by_mnemonic(mnemonic: &str) -> impl Iterator<Item = &'static Spec> + '_ {
    TABLE.iter().filter(move |s| s.mnemonic == mnemonic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_found_from_its_own_fields() {
        for spec in TABLE {
            let (mut src, mut off, mut imm) = (0, 0, 0);
            match spec.disc {
                Disc::None => {}
                Disc::Off(v) => off = v,
                Disc::Imm(v) => imm = v,
                Disc::Src(v) => src = v,
            }
            assert_eq!(
                find(spec.opcode, src, off, imm),
                Some(spec.op),
                "{:?}",
                spec.op
            );
        }
    }
}
