//! The verifier log, kernel style: level 1 shows the state at each branch and the
//! error; level 2 also shows the state before every instruction.

use crate::error::Reason;
use crate::state::State;
use ferrobpf_vm::Insn;
use std::fmt::Write;

/// Text in the making, and how much of it to write.
#[derive(Clone, Debug, Default)]
pub struct Log {
    /// 0 = nothing, 1 = branches and errors, 2 = every instruction.
    pub level: u8,
    text: String,
    /// Bytes after which the text is cut.
    max: usize,
    /// Whether text was cut.
    cut: bool,
}

/// The instruction as `mnemonic dst, src, off, imm` (only the fields its form uses).
pub fn describe_insn(insn: &Insn) -> String {
    let spec = insn.spec();
    let f = spec.operands.fields();
    let mut parts = Vec::new();
    if f.dst {
        parts.push(format!("r{}", insn.dst));
    }
    if f.src {
        parts.push(format!("r{}", insn.src));
    }
    if f.off {
        parts.push(format!("{:+}", insn.off));
    }
    if f.imm {
        parts.push(format!("{}", insn.imm));
    }
    format!("{} {}", spec.mnemonic, parts.join(", "))
}

impl Log {
    /// An empty log of the given level.
    pub fn new(level: u8) -> Log {
        Log {
            level,
            text: String::new(),
            max: usize::MAX,
            cut: false,
        }
    }

    /// The same log, cut after `max` bytes (and the line that crosses them).
    pub fn capped(self, max: usize) -> Log {
        Log { max, ..self }
    }

    /// Whether more text fits; the first time it does not, says so in the text.
    fn room(&mut self) -> bool {
        if self.text.len() < self.max {
            return true;
        }
        if !self.cut {
            self.cut = true;
            let _ = writeln!(self.text, "(log cut at {} bytes)", self.max);
        }
        false
    }

    /// Level 2: an instruction and the state before it.
    pub fn insn(&mut self, pc: usize, insn: &Insn, st: &State) {
        if !self.room() {
            return;
        }
        let _ = writeln!(
            self.text,
            "{pc}: ({:02x}) {} ; {}",
            insn.spec().opcode,
            describe_insn(insn),
            st
        );
    }

    /// Level 1: a branch pushed for later exploration.
    pub fn branch(&mut self, pc: usize, target: usize, st: &State) {
        if !self.room() {
            return;
        }
        let _ = writeln!(self.text, "from {pc} to {target}: {st}");
    }

    /// Any level above 0: the error.
    pub fn error(&mut self, pc: usize, reason: &Reason, state: &str) {
        if self.level > 0 {
            let _ = writeln!(self.text, "{pc}: {state}\n{reason}");
        }
    }

    /// Free text (summaries).
    pub fn note(&mut self, line: &str) {
        if self.level > 0 && self.room() {
            self.text.push_str(line);
            self.text.push('\n');
        }
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, consumed.
    pub fn into_text(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobpf_vm::asm::assemble;

    #[test]
    fn instructions_print_their_fields() {
        let p = assemble("ldxw %r0, [%r1+4]\njgt %r0, 5, +1\nexit\nexit").unwrap();
        assert_eq!(describe_insn(&p[0]), "ldxw r0, r1, +4");
        assert_eq!(describe_insn(&p[1]), "jgt r0, +1, 5");
        let mut log = Log::new(1);
        log.note("x");
        assert_eq!(log.text(), "x\n");
        assert_eq!(Log::new(0).text(), "");
        let mut cut = Log::new(1).capped(4);
        cut.note("abcd");
        cut.note("e");
        cut.note("f");
        assert_eq!(cut.text(), "abcd\n(log cut at 4 bytes)\n");
    }
}
