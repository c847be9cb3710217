//! The helpers answered by the host (tests/bpf/more_helpers.c): task, probes,
//! stacks, perf events, trace output, routing, redirects, tunnels, clones,
//! cgroups and socket options, with and without hooks.

mod common;

use common::{object_path, udp_frame};
use ferrobpf::embed::{HostHooks, Object, Options, Packet, SkbMeta};
use ferrobpf::vm::linux::hooks::{AddressSpace, SockOptValue, StackKind, Task};
use ferrobpf::vm::linux::run_state::{Redirect, TunnelInfo};
use ferrobpf::vm::maps::perf::CounterValue;
use std::sync::{Arc, Mutex};

fn seen(obj: &Object, slot: u32) -> u64 {
    let v = obj.map("seen").unwrap().get(&slot.to_le_bytes()).unwrap();
    u64::from_le_bytes(v.try_into().unwrap())
}

fn load(hooks: HostHooks) -> Object {
    let bytes = std::fs::read(object_path("more_helpers")).unwrap();
    Object::load(
        &bytes,
        Options::default().cpus(2).budget(100_000).hooks(hooks),
    )
    .unwrap()
}

const ENOENT: u64 = (-2i64) as u64;
const EINVAL: u64 = (-22i64) as u64;
const EFAULT: u64 = (-14i64) as u64;
const EPERM: u64 = (-1i64) as u64;
const ENODEV: u64 = (-19i64) as u64;

#[test]
fn tracing_helpers_without_hooks_answer_as_without_a_task() {
    let obj = load(HostHooks::default());
    let prog = obj.program("tracing").unwrap();
    let mut regs = [0u8; 168];
    assert_eq!(prog.run_context(&mut regs, false).unwrap(), 0);
    assert_eq!(seen(&obj, 1), EINVAL, "pid_tgid");
    assert_eq!(seen(&obj, 2), EINVAL, "uid_gid");
    assert_eq!((seen(&obj, 3), seen(&obj, 4)), (EINVAL, 0), "comm zeroed");
    assert_eq!(seen(&obj, 5), EFAULT, "probe_read of address 0");
    assert_eq!(seen(&obj, 7), EFAULT, "probe_read_str");
    assert_eq!(seen(&obj, 9), EFAULT, "no stack");
    assert_eq!(seen(&obj, 10), ENOENT, "no perf reader");
    assert_eq!(seen(&obj, 11), ENOENT, "no counter");
    assert_eq!(seen(&obj, 12), 6, "'pid 42' written");
    assert_eq!(seen(&obj, 13), EPERM, "no user memory");
    assert_eq!(seen(&obj, 14), (-11i64) as u64, "empty cgroup slot: EAGAIN");
    assert_eq!(seen(&obj, 16), 1);
}

#[test]
fn tracing_helpers_with_hooks() {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l = lines.clone();
    let written = Arc::new(Mutex::new(Vec::new()));
    let w = written.clone();
    let hooks = HostHooks {
        task: Some(Arc::new(|| {
            Some(Task {
                pid: 7,
                tgid: 5,
                uid: 1000,
                gid: 100,
                comm: "ferrobpf-test".into(),
            })
        })),
        probe_read: Some(Arc::new(|space, addr, buf: &mut [u8]| {
            let text = b"kernel!\0";
            match (space, addr) {
                (AddressSpace::Kernel, 0x1000) => buf.copy_from_slice(&0x1122u64.to_le_bytes()),
                (AddressSpace::Kernel, a) if (0x2000..0x2008).contains(&a) => {
                    buf[0] = text[(a - 0x2000) as usize]
                }
                _ => return false,
            }
            true
        })),
        probe_write: Some(Arc::new(move |addr, data: &[u8]| {
            w.lock().unwrap().push((addr, data.to_vec()));
            true
        })),
        stack: Some(Arc::new(|kind| {
            (kind == StackKind::Kernel).then(|| vec![0xffff_1000, 0xffff_2000])
        })),
        cgroup: Some(Arc::new(|_, id| id == 9)),
        trace: Some(Arc::new(move |s: &str| {
            l.lock().unwrap().push(s.to_string())
        })),
        ..HostHooks::default()
    };
    let obj = load(hooks);
    let events = obj.map("events").unwrap();
    let records = Arc::new(Mutex::new(Vec::new()));
    let r = records.clone();
    let perf = events.perf_event_array().unwrap();
    perf.set_sink_all(Arc::new(move |i, d| {
        r.lock().unwrap().push((i, d.to_vec()))
    }));
    let counter = CounterValue {
        counter: 99,
        enabled: 1,
        running: 1,
    };
    perf.set_counter(1, Some(Arc::new(move || counter)))
        .unwrap();
    obj.map("cgroups")
        .unwrap()
        .update(&0u32.to_le_bytes(), &9u32.to_le_bytes(), 0)
        .unwrap();
    let mut regs = [0u8; 168];
    regs[14 * 8..15 * 8].copy_from_slice(&0x1000u64.to_le_bytes());
    regs[13 * 8..14 * 8].copy_from_slice(&0x2000u64.to_le_bytes());
    regs[12 * 8..13 * 8].copy_from_slice(&0x3000u64.to_le_bytes());
    let _cpu = ferrobpf::vm::maps::cpu::on_cpu(1);
    let report = obj
        .program("tracing")
        .unwrap()
        .run_context_with(&mut regs, false, None)
        .unwrap();
    assert_eq!(seen(&obj, 1), 5 << 32 | 7);
    assert_eq!(seen(&obj, 2), 100 << 32 | 1000);
    assert_eq!(seen(&obj, 4).to_le_bytes(), *b"ferrobpf");
    assert_eq!((seen(&obj, 5), seen(&obj, 6)), (0, 0x1122));
    assert_eq!(
        (seen(&obj, 7), seen(&obj, 8).to_le_bytes()),
        (8, *b"kernel!\0")
    );
    let id = seen(&obj, 9);
    let stack = obj
        .map("stacks")
        .unwrap()
        .get(&(id as u32).to_le_bytes())
        .unwrap();
    assert_eq!(
        &stack[..16],
        &[0x00, 0x10, 0xff, 0xff, 0, 0, 0, 0, 0x00, 0x20, 0xff, 0xff, 0, 0, 0, 0]
    );
    assert_eq!(seen(&obj, 10), 0);
    assert_eq!(
        *records.lock().unwrap(),
        [(1, 0xfeedu64.to_le_bytes().to_vec())]
    );
    assert_eq!(seen(&obj, 11), 99);
    assert_eq!(*lines.lock().unwrap(), ["pid 42"]);
    assert_eq!(
        *written.lock().unwrap(),
        [(0x3000, 0xfeedu64.to_le_bytes().to_vec())]
    );
    assert_eq!(seen(&obj, 14), 1, "in cgroup 9");
    assert_eq!(seen(&obj, 15), 1, "on CPU 1");
    assert_eq!(report.override_return, Some(7));
}

#[test]
fn xdp_routing_and_redirects() {
    let fib_calls = Arc::new(Mutex::new(0));
    let f = fib_calls.clone();
    let hooks = HostHooks {
        fib_lookup: Some(Arc::new(move |params: &mut [u8], _flags| {
            *f.lock().unwrap() += 1;
            params[8..12].copy_from_slice(&3u32.to_le_bytes());
            0
        })),
        ..HostHooks::default()
    };
    for (hooks, fib, ifindex) in [(HostHooks::default(), ENODEV, 1), (hooks, 0, 3)] {
        let obj = load(hooks);
        let ports = obj.map("ports").unwrap();
        ports
            .update(&1u32.to_le_bytes(), &10u32.to_le_bytes(), 0)
            .unwrap();
        let records = Arc::new(Mutex::new(Vec::new()));
        let r = records.clone();
        obj.map("events")
            .unwrap()
            .perf_event_array()
            .unwrap()
            .set_sink(
                0,
                Some(Arc::new(move |_, d| r.lock().unwrap().push(d.to_vec()))),
            )
            .unwrap();
        let frame = udp_frame(53, 1);
        let mut p = Packet::xdp(&frame);
        let report = obj
            .program("forward")
            .unwrap()
            .run_xdp_with(&mut p, &Default::default())
            .unwrap();
        assert_eq!(report.value, 4, "XDP_REDIRECT");
        assert_eq!((seen(&obj, 1), seen(&obj, 2)), (fib, ifindex));
        assert_eq!(seen(&obj, 3), 0);
        let mut expected = 0xbeefu64.to_le_bytes().to_vec();
        expected.extend_from_slice(&frame[..14]);
        assert_eq!(*records.lock().unwrap(), [expected]);
        assert_eq!(seen(&obj, 4), 2, "missing port: the action in the flags");
        let ports_id = ports.id();
        assert_eq!(
            report.redirect,
            Some(Redirect::Map {
                map: ports_id,
                key: 1,
                flags: 0
            })
        );
    }
    assert_eq!(*fib_calls.lock().unwrap(), 1);
}

#[test]
fn tc_tunnels_clones_and_redirects() {
    let obj = load(HostHooks::default());
    let mut key = vec![0u8; 44];
    key[..4].copy_from_slice(&5u32.to_le_bytes());
    let mut meta = SkbMeta {
        tunnel: Some(TunnelInfo {
            key,
            ipv6: false,
            options: None,
        }),
        ..SkbMeta::default()
    };
    let frame = udp_frame(53, 1);
    let mut p = Packet::skb(&frame);
    let report = obj
        .program("tunnel")
        .unwrap()
        .run_skb_with(&mut p, &mut meta)
        .unwrap();
    assert_eq!(report.value, 7, "TC_ACT_REDIRECT");
    assert_eq!((seen(&obj, 1), seen(&obj, 2)), (0, 5));
    assert_eq!(seen(&obj, 3), ENOENT, "no options yet");
    assert_eq!((seen(&obj, 4), seen(&obj, 5)), (0, 0));
    assert_eq!((seen(&obj, 6), seen(&obj, 7)), (8, 8));
    assert_eq!(seen(&obj, 8), 0);
    assert_eq!(report.clones.len(), 1);
    assert_eq!(
        (report.clones[0].ifindex, &report.clones[0].data),
        (5, &frame)
    );
    assert_eq!(seen(&obj, 9), ENOENT, "no socket without a cgroup hook");
    assert_eq!(seen(&obj, 10), 1, "hash stored in the context");
    assert_eq!(
        report.redirect,
        Some(Redirect::Interface {
            ifindex: 4,
            flags: 0
        })
    );
    let tunnel = meta.tunnel.unwrap();
    assert_eq!(&tunnel.key[..8], &[77, 0, 0, 0, 1, 0, 0, 10]);
    assert_eq!(tunnel.options, Some(vec![1, 2, 3, 4, 5, 6, 7, 8]));
}

#[test]
fn socket_options_through_the_hook() {
    let obj = load(HostHooks::default());
    let prog = obj.program("socket_options").unwrap();
    assert_eq!(prog.run_context(&mut [0u8; 256], false).unwrap(), 1);
    assert_eq!(
        (seen(&obj, 1), seen(&obj, 2), seen(&obj, 3)),
        (EINVAL, EINVAL, 0)
    );
    let hooks = HostHooks {
        sockopt: Some(Arc::new(|level, name, value| match value {
            SockOptValue::Set(v) => i64::from(level == 6 && name == 1 && v == [1, 0, 0, 0]) - 1,
            SockOptValue::Get(buf) => {
                buf.copy_from_slice(&5i32.to_le_bytes());
                0
            }
        })),
        ..HostHooks::default()
    };
    let obj = load(hooks);
    let prog = obj.program("socket_options").unwrap();
    prog.run_context(&mut [0u8; 256], false).unwrap();
    assert_eq!((seen(&obj, 1), seen(&obj, 2), seen(&obj, 3)), (0, 0, 5));
}
