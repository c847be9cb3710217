//! Disassembler to the bpf_conformance syntax and to llvm-objdump syntax.
