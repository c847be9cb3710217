//! The [`MacroAssembler`](crate::lower::masm::MacroAssembler) implementation both
//! back ends share: labels are dynasmrt's dynamic labels in the back end's `ops`
//! assembler, the current instruction index is kept in `pc`, and every operation
//! calls the back end's inherent `emit_*` method of the same name (with eBPF
//! registers mapped by its `regs::host` where the emitter takes a host register).

/// Expands, inside `impl MacroAssembler for Backend`, to the whole implementation;
/// `$output` is what [`finish`](crate::lower::masm::MacroAssembler::finish) returns.
macro_rules! delegate_macro_assembler {
    ($output:ty) => {
        type Label = dynasmrt::DynamicLabel;
        type Output = $output;
        type Error = $crate::error::JitError;

        fn new_label(&mut self) -> dynasmrt::DynamicLabel {
            self.ops.new_dynamic_label()
        }

        fn bind(&mut self, label: dynasmrt::DynamicLabel) {
            dynasmrt::DynasmLabelApi::dynamic_label(&mut self.ops, label);
        }

        fn begin_insn(&mut self, pc: usize) {
            self.pc = u32::try_from(pc).unwrap_or(u32::MAX);
        }

        fn load_blinded(&mut self, masked: i64, key: i64) {
            self.emit_load_blinded(masked, key);
        }

        fn load_imm64(&mut self, dst: $crate::lower::masm::Reg, value: i64) {
            self.emit_load_imm64(regs::host(dst), value);
        }

        fn alu(
            &mut self,
            op: ferrobpf_vm::isa::AluOp,
            width: ferrobpf_vm::isa::Width,
            dst: $crate::lower::masm::Reg,
            src: $crate::lower::masm::Operand,
        ) {
            self.emit_alu(op, width, dst, src);
        }

        fn div_mod(
            &mut self,
            op: $crate::lower::masm::DivOp,
            width: ferrobpf_vm::isa::Width,
            dst: $crate::lower::masm::Reg,
            src: $crate::lower::masm::Operand,
        ) {
            self.emit_div_mod(op, width, dst, src);
        }

        fn zero_extend(&mut self, dst: $crate::lower::masm::Reg, bits: u8) {
            self.emit_zero_extend(regs::host(dst), bits);
        }

        fn byte_swap(&mut self, dst: $crate::lower::masm::Reg, bits: u8) {
            self.emit_byte_swap(regs::host(dst), bits);
        }

        fn jump(&mut self, target: dynasmrt::DynamicLabel) {
            self.emit_jump(target);
        }

        fn branch(
            &mut self,
            cond: ferrobpf_vm::isa::JmpCond,
            width: ferrobpf_vm::isa::Width,
            dst: $crate::lower::masm::Reg,
            src: $crate::lower::masm::Operand,
            target: dynasmrt::DynamicLabel,
        ) {
            self.emit_branch(cond, width, dst, src, target);
        }

        fn load(
            &mut self,
            access: $crate::lower::masm::Access,
            dst: $crate::lower::masm::Reg,
            signed: bool,
        ) {
            self.emit_load(access, dst, signed);
        }

        fn store(
            &mut self,
            access: $crate::lower::masm::Access,
            src: $crate::lower::masm::Operand,
        ) {
            self.emit_store(access, src);
        }

        fn atomic(
            &mut self,
            op: ferrobpf_vm::isa::AtomicOp,
            fetch: bool,
            access: $crate::lower::masm::Access,
            src: $crate::lower::masm::Reg,
        ) {
            self.emit_atomic(op, fetch, access, src);
        }

        fn packet_load(&mut self, load: $crate::lower::masm::PacketLoad) {
            self.emit_packet_load(load);
        }

        fn call_helper(&mut self, id: $crate::lower::masm::HelperId) {
            self.emit_call_helper(id);
        }

        fn call_local(&mut self, target: dynasmrt::DynamicLabel) {
            self.emit_call_local(target);
        }

        fn exit(&mut self) {
            self.emit_exit();
        }

        fn meter(&mut self, count: u32) {
            self.emit_meter(count);
        }

        fn code_len(&self) -> usize {
            dynasmrt::DynasmApi::offset(&self.ops).0
        }

        fn finish(self, entry: dynasmrt::DynamicLabel) -> Result<$output, $crate::error::JitError> {
            self.emit_finish(entry)
        }
    };
}
