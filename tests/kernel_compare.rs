//! The test objects of tests/bpf against the Linux kernel: each XDP, tc, socket
//! filter and cgroup skb program runs in the kernel (BPF_PROG_TEST_RUN) and in
//! ferrobpf (interpreter and JIT) over the same packets, in the same order; the
//! return values, the packets afterwards and the contents of every map user space
//! can read must agree after each run.
//!
//! The kernel side is ferrobpf_conformance's object loader
//! ([`KernelObject`]): maps, programs and initial slots from what ferrobpf's ELF
//! loader parsed, through the bpf() system call (no libbpf, so legacy `maps`
//! sections and calls across sections load too). Without bpf() (or without the
//! right to load programs) the tests print `skipped: ...` and pass.
//!
//! Compared: xdp_counter `count_packets`; xdp_helpers `hash_ops`, `percpu_ops`,
//! `queue_stack`, `lpm`, `ringbuf`, `callbacks`, `packet_ops`, `tail_entry`,
//! `tail_target`; skb_helpers `tc_rewrite`, `tc_resize`, `tc_vlan`,
//! `sock_filter`; calls `first`, `second`, `tc_one`; global_data `classify`;
//! btf_maps `use_maps`, `tail_target`; legacy_maps `count_packets`;
//! cross_section_calls `tc_entry`, `socket_entry`; cgroup_skb `cg_ingress`,
//! `cg_egress`.
//! Loaded in the kernel (its verifier accepts them) but not run: legacy_maps
//! `probe_open` (kprobe: no test run); more_helpers `forward`, `tunnel`,
//! `socket_options` and `tracing` (their helpers read the machine's routes,
//! devices, tunnels, tasks: the results are the machine's, not comparable;
//! `tracing` only where the kernel is not locked down, as its
//! `bpf_probe_write_user` is not offered then). Not loaded: plugin_filter (a host
//! type) and text_only (no program type).

mod common;

use common::{object_path, udp_frame};
use ferrobpf::embed::{EngineKind, MapType, Object, Options, Packet, SkbMeta};
use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::kernel::object::{runs_over_packets, KernelObject, MapValue};
use ferrobpf_conformance::kernel::object_error::ObjectError;
use ferrobpf_conformance::kernel::KernelEngine;
use std::io;

/// A map's contents in a form both sides give: sorted (key, value) pairs, per-CPU
/// values added up 8 bytes at a time, program and map ids as names.
type Contents = Vec<(Vec<u8>, Vec<u8>)>;

/// One value, or the per-CPU values added up 8 bytes at a time.
fn sum_lanes(values: &[Vec<u8>]) -> Vec<u8> {
    let len = values.first().map_or(0, Vec::len);
    let mut out = vec![0u8; len];
    for lane in (0..len - len % 8).step_by(8) {
        let total = values
            .iter()
            .map(|v| u64::from_le_bytes(v[lane..lane + 8].try_into().unwrap()))
            .fold(0, u64::wrapping_add);
        out[lane..lane + 8].copy_from_slice(&total.to_le_bytes());
    }
    out
}

/// Every readable map of the kernel's copy of the object, by name.
fn kernel_maps(kernel: &KernelObject) -> Vec<(String, Contents)> {
    kernel
        .map_names()
        .filter_map(|name| match kernel.dump(name) {
            Ok(entries) => {
                let contents = entries
                    .into_iter()
                    .map(|e| {
                        let value = match e.value {
                            MapValue::Bytes(v) => v,
                            MapValue::PerCpu(vs) => sum_lanes(&vs),
                            MapValue::Program(n) | MapValue::Map(n) => n.into_bytes(),
                        };
                        (e.key, value)
                    })
                    .collect();
                Some((name.to_string(), contents))
            }
            Err(ObjectError::NotReadable { .. }) => None,
            Err(e) => panic!("{e}"),
        })
        .collect()
}

/// The same for ferrobpf's copy (queues and stacks popped and pushed back).
fn our_maps(obj: &Object) -> Vec<(String, Contents)> {
    let programs = obj.programs();
    let maps = obj.maps();
    let map_name = |id: u32| {
        let found = maps
            .iter()
            .find(|(_, m)| m.as_ref().is_ok_and(|m| m.id().0 == id));
        found.map(|(n, _)| n.clone()).unwrap()
    };
    let id = |v: &[u8]| u32::from_le_bytes(v[..4].try_into().unwrap());
    maps.iter()
        .filter_map(|(name, map)| {
            let map = map.as_ref().unwrap();
            let spec = map.spec();
            let contents: Contents = match spec.map_type {
                MapType::RingBuf | MapType::PerfEventArray => return None,
                MapType::Queue | MapType::Stack => {
                    let popped: Vec<Vec<u8>> = std::iter::from_fn(|| map.pop().ok()).collect();
                    let mut restore: Vec<&Vec<u8>> = popped.iter().collect();
                    if spec.map_type == MapType::Stack {
                        restore.reverse();
                    }
                    for v in restore {
                        map.push(v, 0).unwrap();
                    }
                    popped.into_iter().map(|v| (Vec::new(), v)).collect()
                }
                t => {
                    let elem = spec.rounded_value_size();
                    let mut entries: Contents = map
                        .entries()
                        .into_iter()
                        .map(|(k, v)| {
                            let v = match t {
                                MapType::ProgArray => {
                                    programs[id(&v) as usize].0.clone().into_bytes()
                                }
                                MapType::ArrayOfMaps | MapType::HashOfMaps => {
                                    map_name(id(&v)).into_bytes()
                                }
                                t if t.is_percpu() => sum_lanes(
                                    &v.chunks(elem).map(<[u8]>::to_vec).collect::<Vec<_>>(),
                                ),
                                _ => v,
                            };
                            (k, v)
                        })
                        .collect();
                    entries.sort();
                    entries
                }
            };
            Some((name.clone(), contents))
        })
        .collect()
}

/// What a program is run over.
#[derive(Copy, Clone)]
enum Input<'a> {
    Xdp(&'a [u8]),
    Skb(&'a [u8]),
    /// An Ethernet frame given to a socket filter or cgroup skb program: the
    /// kernel's test run sets `protocol` from the Ethernet header, strips it (the
    /// program sees the packet from the network header) and gives it back zeroed.
    Network(&'a [u8]),
}

impl Input<'_> {
    fn data(&self) -> &[u8] {
        match *self {
            Input::Xdp(d) | Input::Skb(d) | Input::Network(d) => d,
        }
    }
}

/// `PACKET_HOST`: the frames of these tests go to the all-zero MAC address, the
/// loopback device's, that the kernel's test runs receive on.
const PACKET_HOST: u32 = 0;

/// Runs program `name` of ferrobpf's `obj`: the return value and the packet after.
fn run_ours(obj: &Object, name: &str, input: Input<'_>) -> (u32, Vec<u8>) {
    let prog = obj.program(name).unwrap();
    match input {
        Input::Xdp(d) => {
            let mut p = Packet::xdp(d);
            let v = prog.run_xdp(&mut p).unwrap();
            let mut out = p.metadata().to_vec();
            out.extend_from_slice(p.data());
            (v, out)
        }
        Input::Skb(d) => {
            let mut p = Packet::skb(d);
            let v = prog.run_skb(&mut p).unwrap();
            (v, p.data().to_vec())
        }
        Input::Network(d) => {
            assert_eq!(d[..6], [0; 6], "frames go to the loopback device");
            let mut meta = SkbMeta {
                protocol: Some(u16::from_le_bytes([d[12], d[13]])),
                pkt_type: Some(PACKET_HOST),
                ..SkbMeta::default()
            };
            let mut p = Packet::skb(&d[14..]);
            let v = prog.run_skb_with(&mut p, &mut meta).unwrap().value as u32;
            let mut out = vec![0; 14];
            out.extend_from_slice(p.data());
            (v, out)
        }
    }
}

/// Whether an error means this process may not use bpf() (not root): `EPERM`
/// (the verifier's refusals are `EACCES` or `EINVAL`).
fn not_permitted(e: &ObjectError) -> bool {
    const EPERM: i32 = 1;
    let eperm = |s: &io::Error| s.raw_os_error() == Some(EPERM);
    match e {
        ObjectError::MapCreate { source, .. } => eperm(source),
        ObjectError::Refused { source, .. } => eperm(&source.source),
        _ => false,
    }
}

/// Loads `object` in the kernel (every program the kernel can load: those of a
/// known type) and in ferrobpf on both engines, runs `runs` (program, input) in
/// order on each, comparing results and every readable map after each run.
fn compare(object: &str, runs: &[(&str, Input<'_>)]) {
    if let Some(why) = KernelEngine::new().unavailable() {
        println!("skipped: {why}");
        return;
    }
    let path = object_path(object);
    let bytes = std::fs::read(&path).unwrap();
    let elf = ferrobpf::elf::Object::parse(&bytes).unwrap();
    for (name, _) in runs {
        let prog = elf.program(name).unwrap();
        assert!(runs_over_packets(prog.prog_type), "{object}: {name}");
    }
    for engine in [EngineKind::Interpreter, EngineKind::Jit] {
        let known = |p: &ferrobpf::elf::Program| p.prog_type.linux_id() != 0;
        let kernel = match KernelObject::load_programs(&elf, known) {
            Ok(k) => k,
            Err(e) if not_permitted(&e) => {
                println!("skipped: cannot load programs: {e}");
                return;
            }
            Err(e) => panic!("the kernel refused {object}: {e}"),
        };
        let obj = Object::load(&bytes, Options::default().engine(engine)).unwrap();
        let before = our_maps(&obj);
        assert_eq!(
            before,
            kernel_maps(&kernel),
            "{object}: maps before any run"
        );
        assert!(!before.is_empty() || object == "cross_section_calls");
        for (i, (name, input)) in runs.iter().enumerate() {
            let ours = run_ours(&obj, name, *input);
            let out = kernel.run(name, input.data(), None).unwrap();
            let theirs = (out.retval, out.data);
            assert_eq!(ours, theirs, "{object}: run {i} ({name}) on {engine:?}");
            assert_eq!(
                our_maps(&obj),
                kernel_maps(&kernel),
                "{object}: maps after run {i} ({name}) on {engine:?}"
            );
        }
    }
}

#[test]
fn xdp_counter_matches_the_kernel() {
    let (a, b, c) = (udp_frame(53, 1), udp_frame(9, 2), udp_frame(53, 2));
    let mut tcp = udp_frame(80, 3);
    tcp[23] = 6;
    let runs = [
        ("count_packets", Input::Xdp(&a)),
        ("count_packets", Input::Xdp(&b)),
        ("count_packets", Input::Xdp(&c)),
        ("count_packets", Input::Xdp(&tcp)),
        ("count_packets", Input::Xdp(&a[..20])),
    ];
    compare("xdp_counter", &runs);
}

#[test]
fn xdp_helpers_match_the_kernel() {
    let f = udp_frame(53, 1);
    let runs: Vec<(&str, Input<'_>)> = [
        "hash_ops",
        // Once: a second run could land on another CPU in the kernel, which
        // changes how per-CPU values add up.
        "percpu_ops",
        "queue_stack",
        "lpm",
        "ringbuf",
        "callbacks",
        "packet_ops",
        "tail_entry",
        "tail_target",
    ]
    .iter()
    .map(|n| (*n, Input::Xdp(&f)))
    .collect();
    compare("xdp_helpers", &runs);
}

#[test]
fn skb_helpers_match_the_kernel() {
    let f = udp_frame(53, 1);
    let mut short = f.clone();
    short.truncate(34);
    short[14] = 0x46;
    let runs = [
        ("tc_rewrite", Input::Skb(&f)),
        ("tc_resize", Input::Skb(&f)),
        ("tc_vlan", Input::Skb(&f)),
        ("sock_filter", Input::Network(&f)),
        ("sock_filter", Input::Network(&short)),
    ];
    compare("skb_helpers", &runs);
}

#[test]
fn btf_maps_match_the_kernel() {
    let f = udp_frame(53, 1);
    let runs = [
        ("use_maps", Input::Xdp(&f)),
        ("tail_target", Input::Xdp(&f)),
        ("use_maps", Input::Xdp(&f)),
    ];
    compare("btf_maps", &runs);
}

#[test]
fn calls_match_the_kernel() {
    let f = udp_frame(53, 1);
    let runs = [
        ("first", Input::Xdp(&f)),
        ("second", Input::Xdp(&f)),
        ("second", Input::Xdp(&f)),
        ("tc_one", Input::Skb(&f)),
        ("tc_one", Input::Skb(&f[..34])),
    ];
    compare("calls", &runs);
}

#[test]
fn global_data_matches_the_kernel() {
    let (a, b) = (udp_frame(53, 1), udp_frame(9, 2));
    let mut long = udp_frame(53, 3);
    long.resize(150, 0xab);
    let runs = [
        ("classify", Input::Skb(&a)),
        ("classify", Input::Skb(&long)),
        ("classify", Input::Skb(&b)),
    ];
    compare("global_data", &runs);
}

#[test]
fn legacy_maps_match_the_kernel() {
    let (a, b) = (udp_frame(53, 1), udp_frame(9, 2));
    let mut arp = udp_frame(9, 3);
    arp[12..14].copy_from_slice(&[0x08, 0x06]);
    let runs = [
        ("count_packets", Input::Network(&a)),
        ("count_packets", Input::Network(&b)),
        ("count_packets", Input::Network(&arp)),
    ];
    compare("legacy_maps", &runs);
}

#[test]
fn cross_section_calls_match_the_kernel() {
    let short = udp_frame(53, 1);
    let mut long = udp_frame(53, 2);
    long.resize(150, 0xab);
    let runs = [
        ("tc_entry", Input::Skb(&short)),
        ("tc_entry", Input::Skb(&long)),
        ("socket_entry", Input::Network(&short)),
        ("socket_entry", Input::Network(&long)),
    ];
    compare("cross_section_calls", &runs);
}

#[test]
fn cgroup_skb_matches_the_kernel() {
    let (a, b) = (udp_frame(53, 1), udp_frame(9, 2));
    let mut long = udp_frame(53, 3);
    long.resize(150, 0xab);
    let runs = [
        ("cg_ingress", Input::Network(&a)),
        ("cg_ingress", Input::Network(&b)),
        ("cg_ingress", Input::Network(&long)),
        ("cg_egress", Input::Network(&a)),
        ("cg_egress", Input::Network(&long)),
    ];
    compare("cgroup_skb", &runs);
}

/// Programs the kernel may refuse because of the machine rather than the
/// program, with the reason: `bpf_probe_write_user` is not offered under kernel
/// lockdown.
const MACHINE_REFUSALS: &[(&str, &str)] = &[("tracing", "bpf_probe_write_user")];

/// Every program of a known type of every test object loads in the kernel with
/// its object's maps (whether or not the kernel can test-run it).
#[test]
fn the_kernel_accepts_every_test_object() {
    if let Some(why) = KernelEngine::new().unavailable() {
        println!("skipped: {why}");
        return;
    }
    let dir = object_path("x").with_file_name("");
    let mut objects: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    objects.sort();
    assert!(objects.len() >= 12, "{objects:?}");
    for path in objects {
        let elf = ferrobpf::elf::Object::parse(&std::fs::read(&path).unwrap()).unwrap();
        let mut refused: Vec<String> = Vec::new();
        let loaded = loop {
            let select = |p: &ferrobpf::elf::Program| {
                p.prog_type.linux_id() != 0 && !refused.contains(&p.name)
            };
            match KernelObject::load_programs(&elf, select) {
                Ok(k) => break k,
                Err(e) if not_permitted(&e) => {
                    println!("skipped: cannot load programs: {e}");
                    return;
                }
                Err(ObjectError::Refused { program, source })
                    if MACHINE_REFUSALS
                        .iter()
                        .any(|(p, why)| *p == program && source.reason().contains(why)) =>
                {
                    println!(
                        "{}: {program} refused on this machine: {source}",
                        path.display()
                    );
                    refused.push(program);
                }
                Err(e) => panic!("{}: {e}", path.display()),
            }
        };
        let expected: Vec<&str> = elf
            .programs()
            .iter()
            .filter(|p| p.prog_type.linux_id() != 0 && !refused.contains(&p.name))
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(loaded.program_names().collect::<Vec<_>>(), expected);
    }
}
