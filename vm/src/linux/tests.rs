//! Linux programs (assembled) through preparation, loading and runs on the
//! interpreter: contexts, helpers, callbacks, tail calls.

use super::context::{ContextKind, Packet, SkbMeta, XdpMeta};
use super::helpers::{registry, HelperEnv};
use super::hooks::HostHooks;
use super::prepare::{prepare, PrepareError};
use super::resolve::MapResolver;
use super::run::{run_blob, run_skb, run_xdp, Engine, RunError};
use crate::asm::assemble;
use crate::insn::encode_program;
use crate::interp::{Config, RunInput, Vm};
use crate::maps::{MapId, MapSpec, MapTable, MapType};
use crate::program::Program;
use std::sync::{Arc, Mutex};

struct Harness {
    maps: Arc<MapTable>,
    ids: Vec<MapId>,
    vm: Vm,
    programs: Vec<Program>,
}

impl Engine for Harness {
    fn run(&mut self, program: Option<u32>, input: RunInput<'_>) -> Result<u64, RunError> {
        let i = program.unwrap_or(0);
        let p = self
            .programs
            .get(i as usize)
            .ok_or(RunError::NoProgram(i))?;
        Ok(self.vm.run_with(p, input)?.value)
    }
}

fn harness(specs: Vec<MapSpec>, hooks: HostHooks) -> Harness {
    let maps = Arc::new(MapTable::new(2));
    let ids = specs.into_iter().map(|s| maps.create(s).unwrap()).collect();
    let env = Arc::new(HelperEnv::new(maps.clone(), hooks));
    let config = Config {
        instruction_budget: Some(1_000_000),
        ..Config::default()
    };
    Harness {
        maps,
        ids,
        vm: Vm::with_helpers(config, registry(&env)),
        programs: Vec::new(),
    }
}

impl Harness {
    fn load(&mut self, text: &str, kind: ContextKind) -> Result<(), PrepareError> {
        let insns = assemble(text).unwrap();
        let prepared = prepare(&insns, kind.rewrites(), self.vm.helpers())?;
        let mut resolver = MapResolver {
            maps: &self.maps,
            ids: &self.ids,
        };
        let program = Program::with_resolver(&encode_program(&prepared), &mut resolver).unwrap();
        self.programs.push(program);
        Ok(())
    }

    fn map(&self, i: usize) -> &crate::maps::Map {
        self.maps.get(self.ids[i]).unwrap()
    }

    fn xdp(&mut self, packet: &mut Packet) -> u64 {
        let maps = self.maps.clone();
        run_xdp(&maps, self, packet, &XdpMeta::default())
            .unwrap()
            .value
    }
}

fn frame() -> Vec<u8> {
    let mut f = vec![0u8; 60];
    f[12] = 0x08;
    f[14] = 0x45;
    f[23] = 17;
    f
}

/// Counts packets per IP protocol in an array, checking bounds against data_end,
/// with the context spilled to the stack and reloaded.
const XDP_COUNTER: &str = "
    stxdw [%r10-8], %r1
    ldxdw %r6, [%r10-8]
    ldxw %r2, [%r6+0]
    ldxw %r3, [%r6+4]
    mov %r4, %r2
    add %r4, 34
    jgt %r4, %r3, drop
    ldxb %r5, [%r2+23]
    stxw [%r10-12], %r5
    lddw %r1, map_idx(0)
    mov %r2, %r10
    add %r2, -12
    call 1
    jeq %r0, 0, drop
    mov %r1, 1
    lock add [%r0], %r1
    mov %r0, 2
    exit
drop:
    mov %r0, 1
    exit
";

#[test]
fn xdp_context_pointers_and_array_counter() {
    let mut h = harness(
        vec![MapSpec::new(MapType::Array, 4, 8, 256)],
        HostHooks::default(),
    );
    h.load(XDP_COUNTER, ContextKind::Xdp).unwrap();
    for _ in 0..3 {
        assert_eq!(h.xdp(&mut Packet::xdp(&frame())), 2);
    }
    assert_eq!(h.xdp(&mut Packet::xdp(&frame()[..20])), 1);
    let count = h.map(0).get(&17u32.to_le_bytes()).unwrap();
    assert_eq!(u64::from_le_bytes(count.try_into().unwrap()), 3);
}

#[test]
fn xdp_adjust_head_and_tail_move_the_packet() {
    let mut h = harness(vec![], HostHooks::default());
    h.load(
        "
        mov %r6, %r1
        mov %r2, -4
        call 44
        jne %r0, 0, fail
        ldxw %r2, [%r6+0]
        ldxw %r3, [%r6+4]
        mov %r4, %r2
        add %r4, 4
        jgt %r4, %r3, fail
        stw [%r2+0], 0x44434241
        mov %r1, %r6
        mov %r2, -10
        call 65
        jne %r0, 0, fail
        mov %r1, %r6
        mov %r2, 100000
        call 65
        mov %r0, 2
        exit
    fail:
        mov %r0, 0
        exit
    ",
        ContextKind::Xdp,
    )
    .unwrap();
    let mut p = Packet::xdp(&frame());
    assert_eq!(h.xdp(&mut p), 2);
    assert_eq!(p.len(), 60 + 4 - 10);
    assert_eq!(&p.data()[..4], b"ABCD");
    assert_eq!(p.headroom(), 252);
}

#[test]
fn skb_fields_legacy_loads_and_load_bytes() {
    let mut h = harness(vec![], HostHooks::default());
    h.load(
        "
        mov %r6, %r1
        ldabsb 23
        mov %r7, %r0
        mov %r1, %r6
        mov %r2, 12
        mov %r3, %r10
        add %r3, -8
        mov %r4, 2
        call 26
        ldxh %r8, [%r10-8]
        stw [%r6+8], 77
        ldxw %r9, [%r6+0]
        ldxw %r2, [%r6+76]
        ldxw %r3, [%r6+80]
        sub %r3, %r2
        jne %r3, %r9, fail
        mov %r0, %r7
        lsh %r0, 16
        or %r0, %r8
        exit
    fail:
        mov %r0, 0
        exit
    ",
        ContextKind::Skb,
    )
    .unwrap();
    let mut p = Packet::skb(&frame());
    let mut meta = SkbMeta::default();
    let maps = h.maps.clone();
    let out = run_skb(&maps, &mut h, &mut p, &mut meta).unwrap();
    assert_eq!(out.value, 17 << 16 | 0x0008);
    assert_eq!(meta.mark, 77);
    // A legacy load past the end ends the run with 0.
    let mut short = Packet::skb(&frame()[..20]);
    assert_eq!(
        run_skb(&maps, &mut h, &mut short, &mut meta).unwrap().value,
        0
    );
}

#[test]
fn bpf_loop_calls_back_with_index_and_context() {
    let mut h = harness(vec![], HostHooks::default());
    h.load(
        "
        stdw [%r10-8], 0
        mov %r1, 10
        lddw %r2, func(body)
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 181
        ldxdw %r1, [%r10-8]
        lsh %r0, 32
        or %r0, %r1
        exit
    body:
        ldxdw %r3, [%r2+0]
        add %r3, %r1
        stxdw [%r2+0], %r3
        mov %r0, 0
        jne %r1, 6, +1
        mov %r0, 1
        exit
    ",
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    let out = run_blob(&maps, &mut h, &mut [], false, None).unwrap();
    // Stopped after index 6: 7 iterations, sum 0+..+6 = 21.
    assert_eq!(out.value, 7 << 32 | 21);
}

#[test]
fn for_each_map_elem_visits_every_element() {
    let mut h = harness(
        vec![MapSpec::new(MapType::Hash, 4, 8, 16)],
        HostHooks::default(),
    );
    for k in 1..=5u32 {
        h.map(0)
            .update(&k.to_le_bytes(), &u64::from(k * 10).to_le_bytes(), 0)
            .unwrap();
    }
    h.load(
        "
        stdw [%r10-8], 0
        lddw %r1, map_idx(0)
        lddw %r2, func(cb)
        mov %r3, %r10
        add %r3, -8
        mov %r4, 0
        call 164
        ldxdw %r1, [%r10-8]
        lsh %r0, 32
        or %r0, %r1
        exit
    cb:
        ldxw %r5, [%r2+0]
        ldxdw %r6, [%r3+0]
        add %r6, %r5
        ldxdw %r7, [%r4+0]
        add %r7, %r6
        stxdw [%r4+0], %r7
        mov %r0, 0
        exit
    ",
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    let out = run_blob(&maps, &mut h, &mut [], false, None).unwrap();
    assert_eq!(out.value, 5 << 32 | (150 + 15));
}

#[test]
fn tail_calls_run_the_target_and_stop_after_33() {
    let mut h = harness(
        vec![MapSpec::new(MapType::ProgArray, 4, 4, 2)],
        HostHooks::default(),
    );
    // Program 0 tail-calls slot 0 (itself), counting in r1's blob; program 1
    // returns 42.
    let looping = "
        mov %r6, %r1
        ldxw %r2, [%r6+0]
        add %r2, 1
        stxw [%r6+0], %r2
        mov %r1, %r6
        lddw %r2, map_idx(0)
        mov %r3, 0
        call 12
        mov %r0, 7
        exit
    ";
    h.load(looping, ContextKind::Blob).unwrap();
    h.load("mov %r0, 42\nexit", ContextKind::Blob).unwrap();
    let maps = h.maps.clone();
    let mut ctx = [0u8; 4];
    // Empty slot: the call fails and the program goes on.
    assert_eq!(
        run_blob(&maps, &mut h, &mut ctx, true, None).unwrap().value,
        7
    );
    h.map(0)
        .update(&0u32.to_le_bytes(), &1u32.to_le_bytes(), 0)
        .unwrap();
    assert_eq!(
        run_blob(&maps, &mut h, &mut ctx, true, None).unwrap().value,
        42
    );
    h.map(0)
        .update(&0u32.to_le_bytes(), &0u32.to_le_bytes(), 0)
        .unwrap();
    ctx = [0; 4];
    let out = run_blob(&maps, &mut h, &mut ctx, true, None).unwrap();
    assert_eq!(out.value, 7);
    assert_eq!(out.state.tail_calls, 33);
    assert_eq!(u32::from_le_bytes(ctx), 34);
}

#[test]
fn ring_buffer_perf_output_and_trace() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l = lines.clone();
    let hooks = HostHooks {
        trace: Some(Arc::new(move |s: &str| {
            l.lock().unwrap().push(s.to_string())
        })),
        ..HostHooks::default()
    };
    let mut h = harness(
        vec![
            MapSpec::new(MapType::RingBuf, 0, 0, 4096),
            MapSpec::new(MapType::PerfEventArray, 4, 4, 2),
        ],
        hooks,
    );
    let records = Arc::new(Mutex::new(Vec::new()));
    let r = records.clone();
    h.map(1)
        .perf_event_array()
        .unwrap()
        .set_sink_all(Arc::new(move |i, d| {
            r.lock().unwrap().push((i, d.to_vec()))
        }));
    h.load(
        r#"
        mov %r6, %r1
        lddw %r1, map_idx(0)
        mov %r2, 8
        mov %r3, 0
        call 131
        jeq %r0, 0, fail
        stdw [%r0+0], 0x1234
        mov %r1, %r0
        mov %r2, 0
        call 132
        stdw [%r10-8], 0x6968
        mov %r1, %r6
        lddw %r2, map_idx(1)
        mov %r3, 1
        mov %r4, %r10
        add %r4, -8
        mov %r5, 2
        call 25
        mov %r7, %r0
        stw [%r10-16], 0x203d2078
        stw [%r10-12], 0x0a6425
        mov %r1, %r10
        add %r1, -16
        mov %r2, 8
        mov %r3, 5
        call 6
        mov %r0, %r7
        exit
    fail:
        mov %r0, 99
        exit
    "#,
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    assert_eq!(
        run_blob(&maps, &mut h, &mut [0; 8], false, None)
            .unwrap()
            .value,
        0
    );
    let mut got = vec![];
    h.map(0)
        .ring_buf()
        .unwrap()
        .consume(|r| got.push(r.to_vec()));
    assert_eq!(got, [0x1234u64.to_le_bytes().to_vec()]);
    assert_eq!(*records.lock().unwrap(), [(1, b"hi".to_vec())]);
    assert_eq!(*lines.lock().unwrap(), ["x = 5\n"]);
}

#[test]
fn unsubmitted_reservations_are_discarded() {
    let mut h = harness(
        vec![MapSpec::new(MapType::RingBuf, 0, 0, 4096)],
        HostHooks::default(),
    );
    h.load(
        "
        lddw %r1, map_idx(0)
        mov %r2, 100
        mov %r3, 0
        call 131
        mov %r0, 0
        exit
    ",
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    run_blob(&maps, &mut h, &mut [], false, None).unwrap();
    let rb = h.map(0).ring_buf().unwrap();
    assert_eq!(rb.consume(|_| {}), 0);
    assert_eq!(rb.query(0), 0);
}

#[test]
fn queue_helpers() {
    let mut h = harness(
        vec![MapSpec::new(MapType::Queue, 0, 4, 4)],
        HostHooks::default(),
    );
    h.load(
        "
        stw [%r10-4], 5
        lddw %r1, map_idx(0)
        mov %r2, %r10
        add %r2, -4
        mov %r3, 0
        call 87
        stw [%r10-4], 6
        lddw %r1, map_idx(0)
        mov %r2, %r10
        add %r2, -4
        mov %r3, 0
        call 87
        lddw %r1, map_idx(0)
        mov %r2, %r10
        add %r2, -8
        call 88
        ldxw %r0, [%r10-8]
        exit
    ",
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    assert_eq!(
        run_blob(&maps, &mut h, &mut [], false, None).unwrap().value,
        5
    );
    assert_eq!(h.map(0).pop().unwrap(), 6u32.to_le_bytes());
}

#[test]
fn percpu_values_follow_the_cpu() {
    let mut h = harness(
        vec![MapSpec::new(MapType::PercpuArray, 4, 8, 1)],
        HostHooks::default(),
    );
    h.load(
        "
        stw [%r10-4], 0
        lddw %r1, map_idx(0)
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, +3
        call 8
        mov %r1, %r0
        exit
        mov %r0, 0
        exit
    ",
        ContextKind::Blob,
    )
    .unwrap();
    let program = "
        stw [%r10-4], 0
        lddw %r1, map_idx(0)
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, +3
        mov %r1, 1
        lock add [%r0], %r1
        mov %r0, 0
        exit
    ";
    h.programs.clear();
    h.load(program, ContextKind::Blob).unwrap();
    let maps = h.maps.clone();
    for cpu in [0, 1, 1, 3] {
        let _on = crate::maps::cpu::on_cpu(cpu);
        run_blob(&maps, &mut h, &mut [], false, None).unwrap();
    }
    let all = h.map(0).get(&0u32.to_le_bytes()).unwrap();
    assert_eq!(all.len(), 16);
    assert_eq!(all[0], 1);
    assert_eq!(all[8], 3);
}

#[test]
fn load_time_refusals() {
    let mut h = harness(vec![], HostHooks::default());
    assert_eq!(
        h.load("call 1000\nexit", ContextKind::Blob),
        Err(PrepareError::UnknownHelper { pc: 0, id: 1000 })
    );
    assert!(matches!(
        h.load("call 0x7fffff01\nexit", ContextKind::Blob),
        Err(PrepareError::InternalHelper { .. })
    ));
    // r2 is the context on one path, the stack on the other.
    assert_eq!(
        h.load(
            "
            mov %r2, %r1
            jeq %r3, 0, +1
            mov %r2, %r10
            ldxw %r0, [%r2+4]
            exit
        ",
            ContextKind::Xdp,
        ),
        Err(PrepareError::MixedContext { pc: 3, reg: 2 })
    );
    assert_eq!(
        h.load(
            "
            call local sub
            exit
        sub:
            call 12
            exit
        ",
            ContextKind::Blob,
        ),
        Err(PrepareError::TailCallInSubprogram { pc: 2 })
    );
}

#[test]
fn context_passed_to_a_subprogram_is_rewritten_there() {
    let mut h = harness(vec![], HostHooks::default());
    h.load(
        "
        mov %r2, 0
        call local len
        exit
    len:
        ldxw %r3, [%r1+0]
        ldxw %r4, [%r1+4]
        mov %r0, %r4
        sub %r0, %r3
        exit
    ",
        ContextKind::Xdp,
    )
    .unwrap();
    assert_eq!(h.xdp(&mut Packet::xdp(&frame())), 60);
}

#[test]
fn getsockopt_checks_its_destination_before_using_its_length() {
    // Found by fuzzing: the length argument sized a host allocation first
    // ("capacity overflow" panic for r5 >= 2^63, gigabytes for large r5).
    for len in ["0x8000000000000000", "0x100000000"] {
        let mut h = harness(vec![], HostHooks::default());
        h.load(
            &format!(
                "
                mov %r4, %r10
                add %r4, -8
                lddw %r5, {len}
                mov %r2, 1
                mov %r3, 2
                call 57
                exit
                "
            ),
            ContextKind::Blob,
        )
        .unwrap();
        let maps = h.maps.clone();
        let err = run_blob(&maps, &mut h, &mut [0u8; 16], false, None).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{err}");
    }
    // An in-bounds destination is cleared when the option cannot be read.
    let mut h = harness(vec![], HostHooks::default());
    h.load(
        "
        stdw [%r10-8], -1
        mov %r4, %r10
        add %r4, -8
        mov %r5, 8
        call 57
        ldxdw %r0, [%r10-8]
        exit
        ",
        ContextKind::Blob,
    )
    .unwrap();
    let maps = h.maps.clone();
    let out = run_blob(&maps, &mut h, &mut [0u8; 16], false, None).unwrap();
    assert_eq!(out.value, 0);
}
