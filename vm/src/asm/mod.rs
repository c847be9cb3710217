//! Assembler for the bpf_conformance text syntax (filled by the assembler work).
