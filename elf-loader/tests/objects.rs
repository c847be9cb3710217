//! Our own test objects (tests/bpf at the repository root, rebuilt by
//! tests/bpf/build.sh): programs, maps and every kind of relocation.

use ferrobpf_elf::{
    first_program, MapSource, Object, Pinning, Program, ProgramType, RelocationKind, SlotValue,
};
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::Op;

fn bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/bpf/{name}.o", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Loads a test object, checks its programs' (name, section, type) and that every
/// relocation matches the instruction written.
fn load(name: &str, programs: &[(&str, &str, ProgramType)]) -> Object {
    let obj = Object::parse(&bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let found: Vec<_> = obj
        .programs()
        .iter()
        .map(|p| (p.name.as_str(), p.section.as_str(), p.prog_type))
        .collect();
    assert_eq!(found, programs, "{name}");
    obj.programs().iter().for_each(check_relocations);
    obj
}

/// (name, type, key size, value size, max entries, flags) of every map.
fn map_shapes(obj: &Object) -> Vec<(&str, u32, u32, u32, u32, u32)> {
    obj.maps()
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.map_type,
                m.key_size,
                m.value_size,
                m.max_entries,
                m.flags,
            )
        })
        .collect()
}

/// Every recorded relocation matches the instruction the loader wrote.
fn check_relocations(prog: &Program) {
    for r in &prog.relocations {
        let insn = prog.insns[r.pc];
        match &r.kind {
            RelocationKind::Map { map } => {
                assert_eq!(insn.op, Op::LddwMapIdx);
                assert_eq!(insn.imm, *map as i64);
            }
            RelocationKind::MapValue { map, offset } => {
                assert_eq!(insn.op, Op::LddwMapIdxValue);
                assert_eq!(insn.imm, (i64::from(*offset) << 32) | *map as i64);
            }
            RelocationKind::Call { function, target } => {
                assert_eq!(insn.spec().semantics, Semantics::CallLocal);
                assert_eq!(insn.target(r.pc), Some(*target as i64));
                assert!(prog
                    .functions
                    .iter()
                    .any(|f| &f.name == function && f.start == *target));
            }
            RelocationKind::FunctionPointer { function, target } => {
                assert_eq!(insn.op, Op::LddwFunc);
                assert_eq!(insn.target(r.pc), Some(*target as i64));
                assert_eq!(prog.insns[r.pc + 1].imm, 0);
                assert!(prog
                    .functions
                    .iter()
                    .any(|f| &f.name == function && f.start == *target));
            }
        }
    }
    // Re-encoding and decoding gives the same program.
    assert_eq!(
        ferrobpf_vm::decode_program(&prog.bytes()).unwrap(),
        prog.insns
    );
}

fn map_refs(prog: &Program) -> Vec<usize> {
    prog.relocations
        .iter()
        .filter_map(|r| match r.kind {
            RelocationKind::Map { map } => Some(map),
            _ => None,
        })
        .collect()
}

#[test]
fn legacy_maps() {
    let obj = load(
        "legacy_maps",
        &[
            ("count_packets", "socket", ProgramType::SocketFilter),
            ("probe_open", "kprobe/do_sys_open", ProgramType::Kprobe),
        ],
    );
    assert_eq!(obj.license(), Some("GPL"));
    assert_eq!(obj.kernel_version(), Some(0x060100));
    assert_eq!(
        map_shapes(&obj),
        [
            ("counts", 1, 4, 8, 64, 0),
            ("slots", 2, 4, 8, 4, 0),
            ("outer", 12, 4, 4, 2, 0),
            ("lru", 9, 4, 4, 16, 2),
        ]
    );
    let places: Vec<_> = obj
        .maps()
        .iter()
        .map(|m| (m.section.as_str(), m.offset))
        .collect();
    assert_eq!(
        places,
        [("maps", 0), ("maps", 28), ("maps", 56), ("maps/lru", 0)]
    );
    let (_, outer) = obj.map("outer").unwrap();
    assert_eq!(
        outer.inner.as_deref().map(|m| m.name.as_str()),
        Some("slots")
    );
    assert_eq!(outer.source, MapSource::Legacy { extra: vec![1, 0] });
    assert_eq!(map_refs(&obj.programs()[0]), [0, 0]);
    assert_eq!(map_refs(obj.program("probe_open").unwrap()), [2, 3]);
}

#[test]
fn btf_maps() {
    let obj = load(
        "btf_maps",
        &[
            ("tail_target", "xdp", ProgramType::Xdp),
            ("use_maps", "xdp", ProgramType::Xdp),
        ],
    );
    assert_eq!(
        map_shapes(&obj),
        [
            ("inner_a", 2, 4, 4, 1, 0),
            ("inner_b", 2, 4, 4, 1, 0),
            ("outer", 12, 4, 4, 4, 0),
            ("jumps", 3, 4, 4, 2, 0),
            ("hash", 1, 4, 8, 128, 0),
            ("percpu", 6, 4, 16, 8, 0),
            ("routes", 11, 8, 4, 32, 1),
            ("events", 27, 0, 0, 4096, 0),
            ("queue", 22, 0, 4, 10, 0),
            ("outer_hash", 13, 4, 4, 4, 0),
        ]
    );
    assert!(obj
        .maps()
        .iter()
        .all(|m| m.source == MapSource::Btf && m.section == ".maps"));
    assert_eq!(obj.map("routes").unwrap().1.pinning, Pinning::ByName);
    let (_, outer) = obj.map("outer").unwrap();
    let inner = outer.inner.as_deref().unwrap();
    assert_eq!(
        (
            inner.map_type,
            inner.key_size,
            inner.value_size,
            inner.max_entries
        ),
        (2, 4, 4, 1)
    );
    assert_eq!(
        outer.initial_slots,
        [(0, SlotValue::Map(0)), (2, SlotValue::Map(1))]
    );
    let inner = obj.map("outer_hash").unwrap().1.inner.as_deref().unwrap();
    assert_eq!(
        (
            inner.map_type,
            inner.key_size,
            inner.value_size,
            inner.max_entries
        ),
        (1, 8, 8, 2)
    );
    assert_eq!(
        obj.map("jumps").unwrap().1.initial_slots,
        [(1, SlotValue::Program("tail_target".into()))]
    );
    assert_eq!(
        map_refs(obj.program("use_maps").unwrap()),
        [4, 5, 6, 7, 8, 2, 3]
    );
}

#[test]
fn global_data() {
    let obj = load("global_data", &[("classify", "tc", ProgramType::SchedCls)]);
    assert_eq!(
        map_shapes(&obj),
        [
            (".data", 2, 4, 8, 1, 0),
            (".rodata", 2, 4, 11, 1, ferrobpf_elf::BPF_F_RDONLY_PROG),
            (".data.seen", 2, 4, 16, 1, 0),
            (".bss", 2, 4, 8, 1, 0),
        ]
    );
    let read_only: Vec<_> = obj.maps().iter().map(|m| m.read_only).collect();
    assert_eq!(read_only, [false, true, false, false]);
    let data = |name| obj.map(name).unwrap().1.data.clone().unwrap();
    assert_eq!(data(".data"), 5u64.to_le_bytes());
    assert_eq!(data(".rodata"), b"d\0\0\0len %d\0");
    assert_eq!(
        data(".data.seen"),
        [1u32, 2, 3, 4]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<_>>()
    );
    assert_eq!(data(".bss"), [0; 8]);
    let prog = &obj.programs()[0];
    let values: Vec<_> = prog
        .relocations
        .iter()
        .filter_map(|r| match r.kind {
            RelocationKind::MapValue { map, offset } => {
                Some((obj.maps()[map].name.as_str(), offset))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        [
            (".data", 0),
            (".bss", 0),
            (".data.seen", 0),
            (".rodata", 4),
            (".rodata", 0)
        ]
    );
}

fn function_names(prog: &Program) -> Vec<&str> {
    prog.functions.iter().map(|f| f.name.as_str()).collect()
}

#[test]
fn calls_and_callbacks() {
    let obj = load(
        "calls",
        &[
            ("first", "xdp", ProgramType::Xdp),
            ("second", "xdp", ProgramType::Xdp),
            ("tc_one", "tc", ProgramType::SchedCls),
        ],
    );
    let first = obj.program("first").unwrap();
    assert_eq!(function_names(first), ["first", "clamp", "twice", "add"]);
    let second = obj.program("second").unwrap();
    assert_eq!(function_names(second), ["second", "step", "twice", "add"]);
    assert_eq!(
        function_names(obj.program("tc_one").unwrap()),
        ["tc_one", "twice", "add"]
    );
    // The bpf_loop callback: a function pointer to `step`, passed to helper 181.
    let callback = second
        .relocations
        .iter()
        .find(|r| matches!(&r.kind, RelocationKind::FunctionPointer { function, .. } if function == "step"))
        .unwrap();
    let call = second.insns[callback.pc + 2..]
        .iter()
        .find(|i| i.spec().semantics == Semantics::CallHelper)
        .unwrap();
    assert_eq!(call.imm, 181);
    assert_eq!(
        second.insns[callback.pc].spec().semantics,
        Semantics::Lddw(Pseudo::Func)
    );
    assert_eq!(map_refs(second), [0]);
}

#[test]
fn calls_into_other_program_sections() {
    let obj = load(
        "cross_section_calls",
        &[
            ("tc_entry", "tc", ProgramType::SchedCls),
            ("socket_entry", "socket", ProgramType::SocketFilter),
        ],
    );
    let socket = obj.program("socket_entry").unwrap();
    assert_eq!(
        function_names(socket),
        ["socket_entry", "tc_entry", "shared_len"]
    );
    assert_eq!(socket.functions[1].section, "tc");
}

#[test]
fn text_only_objects_and_first_program() {
    load(
        "text_only",
        &[
            ("entry", ".text", ProgramType::Unspec),
            ("square", ".text", ProgramType::Unspec),
        ],
    );
    let prog = first_program(&bytes("text_only")).unwrap();
    assert_eq!(function_names(&prog), ["entry", "square"]);
    assert_eq!(first_program(&bytes("calls")).unwrap().name, "first");
}
