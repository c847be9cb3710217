//! The test objects of tests/bpf against the Linux kernel: each XDP, tc and socket
//! filter program runs in the kernel (BPF_PROG_TEST_RUN, through bpftool) and in
//! ferrobpf (interpreter and JIT) over the same packets, in the same order; the
//! return values, the packets afterwards and the maps' contents must agree.
//!
//! Needs root, bpftool and a bpf filesystem at /sys/fs/bpf; prints `skipped: ...`
//! (`skipped: no bpf() syscall` without bpf()) and passes otherwise.
//!
//! Compared (every program of tests/bpf the kernel can test-run and libbpf loads):
//! xdp_counter `count_packets`; xdp_helpers `hash_ops`, `percpu_ops`,
//! `queue_stack`, `lpm`, `ringbuf`, `callbacks`, `packet_ops`, `tail_entry`,
//! `tail_target`; skb_helpers `tc_rewrite`, `tc_resize`, `tc_vlan`,
//! `sock_filter`; calls `first`, `second`, `tc_one`; global_data `classify`;
//! btf_maps `use_maps`, `tail_target`.
//! Not compared: legacy_maps and cross_section_calls (libbpf refuses legacy
//! `maps` sections and calls across sections), more_helpers (its helpers read the
//! machine's state), plugin_filter (a host type), text_only (no program type),
//! and the kprobe/sockops programs (no test run).

mod common;

use common::{object_path, udp_frame};
use ferrobpf::embed::{EngineKind, Object, Options, Packet};
use ferrobpf_conformance::engine::Engine;
use ferrobpf_conformance::kernel::KernelEngine;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A bpftool-loaded copy of an object, pinned under /sys/fs/bpf.
struct Kernel {
    dir: PathBuf,
    /// Pins the load created outside `dir` (maps pinned by name).
    created_pins: Vec<PathBuf>,
}

/// The files directly under /sys/fs/bpf.
fn pins() -> Vec<PathBuf> {
    std::fs::read_dir("/sys/fs/bpf")
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// The numbers of list `key` in bpftool's JSON `text`, as strings.
fn json_list(text: &str, key: &str) -> Vec<String> {
    text.split(&format!("\"{key}\":["))
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| list.split(',').map(|n| n.trim().to_string()).collect())
        .unwrap_or_default()
}

/// String `key` of bpftool's JSON `text`.
fn json_string(text: &str, key: &str) -> Option<String> {
    let rest = text.split(&format!("\"{key}\":\"")).nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

fn bpftool(args: &[&str]) -> Result<String, String> {
    let out = Command::new("bpftool")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Kernel {
    /// Loads `object` in the kernel, or says why the test is skipped. Its maps
    /// are pinned under `maps/` (global data maps as `<object>_data`, ...);
    /// maps the object pins by name (under /sys/fs/bpf itself) are unpinned on
    /// drop when this load created them.
    fn load(object: &Path, tag: &str) -> Result<Kernel, String> {
        if !Path::new("/sys/fs/bpf").is_dir() {
            return Err("no bpf filesystem at /sys/fs/bpf".into());
        }
        bpftool(&["version"]).map_err(|e| format!("bpftool unavailable: {e}"))?;
        let dir = PathBuf::from(format!("/sys/fs/bpf/ferrobpf-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("maps"))
            .map_err(|e| format!("cannot use /sys/fs/bpf: {e}"))?;
        let before = pins();
        let mut kernel = Kernel {
            dir,
            created_pins: Vec::new(),
        };
        let (progs, maps) = (kernel.path("progs"), kernel.path("maps"));
        let obj = object.to_str().unwrap_or_default();
        let mut loaded = bpftool(&["prog", "loadall", obj, &progs, "pinmaps", &maps]);
        if loaded
            .as_ref()
            .is_err_and(|e| e.contains("already has pin path"))
        {
            // Maps pinned by name cannot be pinned again under `maps/`: load
            // without, then pin what the programs use by id.
            // The failed load may have pinned some maps already.
            let _ = std::fs::remove_dir_all(&progs);
            let _ = std::fs::remove_dir_all(&maps);
            let _ = std::fs::create_dir(&maps);
            loaded = bpftool(&["prog", "loadall", obj, &progs]);
            if loaded.is_ok() {
                kernel.pin_maps_by_id(object);
            }
        }
        kernel.created_pins = pins().into_iter().filter(|p| !before.contains(p)).collect();
        // Not being allowed to load programs (no root) skips; anything else fails.
        if let Err(e) = loaded {
            if e.contains("Operation not permitted") {
                return Err(format!("cannot load programs: {e}"));
            }
            panic!("the kernel refused {obj}: {e}");
        }
        Ok(kernel)
    }

    /// Pins every map the programs use under `maps/` (by its kernel name, dots
    /// made underscores as bpffs wants), then stores the object's initial
    /// program-array slots again: the kernel emptied the program arrays when
    /// bpftool, their last user, exited.
    fn pin_maps_by_id(&self, object: &Path) {
        for prog in std::fs::read_dir(self.path("progs")).unwrap() {
            let prog = prog.unwrap().path();
            let shown = bpftool(&["-j", "prog", "show", "pinned", prog.to_str().unwrap()]).unwrap();
            for id in json_list(&shown, "map_ids") {
                let map = bpftool(&["-j", "map", "show", "id", &id]).unwrap();
                let name = json_string(&map, "name").unwrap_or_else(|| id.clone());
                let pin = self.path(&format!("maps/{}", name.replace('.', "_")));
                if !Path::new(&pin).exists() {
                    bpftool(&["map", "pin", "id", &id, &pin]).unwrap();
                }
            }
        }
        let elf = ferrobpf::elf::Object::parse(&std::fs::read(object).unwrap()).unwrap();
        for def in elf.maps() {
            for (slot, value) in &def.initial_slots {
                let ferrobpf::elf::SlotValue::Program(program) = value else {
                    continue;
                };
                let key: Vec<String> = slot.to_le_bytes().iter().map(u8::to_string).collect();
                let mut args = vec!["map", "update", "pinned"];
                let map = self.path(&format!("maps/{}", def.name));
                let prog = self.path(&format!("progs/{program}"));
                args.push(&map);
                args.push("key");
                args.extend(key.iter().map(String::as_str));
                args.extend(["value", "pinned", &prog]);
                bpftool(&args).unwrap();
            }
        }
    }

    fn path(&self, sub: &str) -> String {
        self.dir.join(sub).to_string_lossy().into_owned()
    }

    /// Runs program `name` over `data`: the return value and the packet after.
    fn run(&self, name: &str, data: &[u8]) -> (u64, Vec<u8>) {
        let input = self.dir.with_extension(format!("{name}.in"));
        let input = std::env::temp_dir().join(input.file_name().unwrap_or_default());
        let output = input.with_extension("out");
        std::fs::write(&input, data).unwrap();
        let prog = self.path(&format!("progs/{name}"));
        let text = bpftool(&[
            "prog",
            "run",
            "pinned",
            &prog,
            "data_in",
            input.to_str().unwrap(),
            "data_out",
            output.to_str().unwrap(),
            "data_size_out",
            "8192",
        ])
        .unwrap();
        let value = text
            .split("Return value:")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| panic!("no return value in {text:?}"));
        let out = std::fs::read(&output).unwrap_or_default();
        let _ = std::fs::remove_file(&input);
        let _ = std::fs::remove_file(&output);
        (value, out)
    }

    /// The map's elements, values of per-CPU maps summed per 8-byte lane.
    fn dump(&self, map: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        let text = bpftool(&[
            "-j",
            "map",
            "dump",
            "pinned",
            &self.path(&format!("maps/{map}")),
        ])
        .unwrap();
        let mut entries: Vec<_> = text
            .split("{\"key\":[")
            .skip(1)
            .map(|chunk| {
                let chunk = chunk.split("\"formatted\"").next().unwrap_or_default();
                let mut arrays = hex_arrays(&format!("[{chunk}")).into_iter();
                let key = arrays.next().unwrap_or_default();
                (key, sum_lanes(arrays.collect()))
            })
            .collect();
        entries.sort();
        entries
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        for pin in &self.created_pins {
            let _ = std::fs::remove_file(pin);
        }
    }
}

/// Every `["0x..",...]` array of `text`, as bytes.
fn hex_arrays(text: &str) -> Vec<Vec<u8>> {
    text.split('[')
        .skip(1)
        .filter_map(|part| {
            let body = part.split(']').next()?;
            let bytes: Option<Vec<u8>> = body
                .split(',')
                .map(|t| {
                    u8::from_str_radix(t.trim().trim_matches('"').trim_start_matches("0x"), 16).ok()
                })
                .collect();
            bytes.filter(|b| !b.is_empty())
        })
        .collect()
}

/// One value, or the per-CPU values added up 8 bytes at a time.
fn sum_lanes(values: Vec<Vec<u8>>) -> Vec<u8> {
    let Some(len) = values.first().map(Vec::len) else {
        return Vec::new();
    };
    if values.len() == 1 || len % 8 != 0 {
        return values.into_iter().next().unwrap_or_default();
    }
    let mut out = vec![0u8; len];
    for lane in (0..len).step_by(8) {
        let total: u64 = values
            .iter()
            .map(|v| u64::from_le_bytes(v[lane..lane + 8].try_into().unwrap()))
            .fold(0, u64::wrapping_add);
        out[lane..lane + 8].copy_from_slice(&total.to_le_bytes());
    }
    out
}

/// The same as [`Kernel::dump`] for a ferrobpf map: per-CPU values (one rounded
/// value per CPU) summed per lane.
fn dump(obj: &Object, map: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let m = obj.map(map).unwrap();
    let percpu = m.spec().map_type.is_percpu();
    let elem = m.spec().rounded_value_size();
    let mut entries: Vec<_> = m
        .entries()
        .into_iter()
        .map(|(k, v)| {
            let v = if percpu {
                sum_lanes(v.chunks(elem).map(<[u8]>::to_vec).collect())
            } else {
                v
            };
            (k, v)
        })
        .collect();
    entries.sort();
    entries
}

/// What a program is run over.
#[derive(Copy, Clone)]
enum Input<'a> {
    Xdp(&'a [u8]),
    Skb(&'a [u8]),
    /// An Ethernet frame given to a socket filter: the kernel's test run strips
    /// the Ethernet header (the program sees the packet from the network header)
    /// and gives it back zeroed.
    SocketFilter(&'a [u8]),
}

/// Runs `runs` (program, input) in order in the kernel and in ferrobpf on both
/// engines, comparing results after each, then `maps` (each as ferrobpf and
/// bpftool pins it: global data maps are `.data` here, `<object>_data` there).
fn compare(object: &str, runs: &[(&str, Input<'_>)], maps: &[(&str, &str)]) {
    if let Some(why) = KernelEngine::new().unavailable() {
        println!("skipped: {why}");
        return;
    }
    let path = object_path(object);
    for engine in [EngineKind::Interpreter, EngineKind::Jit] {
        let kernel = match Kernel::load(&path, &format!("{object}-{engine:?}")) {
            Ok(k) => k,
            Err(why) => {
                println!("skipped: {why}");
                return;
            }
        };
        let bytes = std::fs::read(&path).unwrap();
        let obj = Object::load(&bytes, Options::default().engine(engine)).unwrap();
        for (i, (name, input)) in runs.iter().enumerate() {
            let prog = obj.program(name).unwrap();
            let (data, ours) = match *input {
                Input::Xdp(d) => {
                    let mut p = Packet::xdp(d);
                    let v = prog.run_xdp(&mut p).unwrap();
                    let mut out = p.metadata().to_vec();
                    out.extend_from_slice(p.data());
                    (d, (u64::from(v), out))
                }
                Input::Skb(d) => {
                    let mut p = Packet::skb(d);
                    let v = prog.run_skb(&mut p).unwrap();
                    (d, (u64::from(v), p.data().to_vec()))
                }
                Input::SocketFilter(d) => {
                    let mut p = Packet::skb(&d[14..]);
                    let v = prog.run_skb(&mut p).unwrap();
                    let mut out = vec![0; 14];
                    out.extend_from_slice(p.data());
                    (d, (u64::from(v), out))
                }
            };
            let theirs = kernel.run(name, data);
            assert_eq!(ours, theirs, "{object}: run {i} ({name}) on {engine:?}");
            for (map, pinned) in maps {
                assert_eq!(
                    dump(&obj, map),
                    kernel.dump(pinned),
                    "{object}: map {map} after run {i} ({name}) on {engine:?}"
                );
            }
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
    compare("xdp_counter", &runs, &same(&["counts", "bytes_by_source"]));
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
    compare(
        "xdp_helpers",
        &runs,
        &same(&["results", "hash", "lru", "pcpu", "pcpu_hash", "routes"]),
    );
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
        ("sock_filter", Input::SocketFilter(&f)),
        ("sock_filter", Input::SocketFilter(&short)),
    ];
    compare("skb_helpers", &runs, &same(&["skb_results"]));
}

/// Maps named alike in ferrobpf and in the kernel.
fn same<'a>(names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    names.iter().map(|n| (*n, *n)).collect()
}

#[test]
fn btf_maps_match_the_kernel() {
    let f = udp_frame(53, 1);
    let runs = [
        ("use_maps", Input::Xdp(&f)),
        ("tail_target", Input::Xdp(&f)),
        ("use_maps", Input::Xdp(&f)),
    ];
    // Queues have no dump, and maps of maps and program arrays hold ids that
    // differ between the kernel and ferrobpf: the return values show their
    // contents (the inner map's value, the tail call taken).
    compare("btf_maps", &runs, &same(&["hash", "percpu"]));
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
    compare("calls", &runs, &same(&["total"]));
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
    let maps = [
        (".data", "global_d_data"),
        (".bss", "global_d_bss"),
        (".data.seen", "_data_seen"),
        (".rodata", "global_d_rodata"),
    ];
    compare("global_data", &runs, &maps);
}
