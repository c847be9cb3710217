//! The embedding API over the test objects of tests/bpf: every program runs on the
//! interpreter and the JIT and gives the same results.

mod common;

use common::{object_path, udp_frame};
use ferrobpf::embed::{
    run_elf, EmbedError, EngineKind, Object, Options, Packet, RunRequest, SkbMeta,
};

fn object(name: &str, engine: EngineKind) -> Object {
    let bytes = std::fs::read(object_path(name)).unwrap();
    Object::load(
        &bytes,
        Options::default().cpus(2).budget(1_000_000).engine(engine),
    )
    .unwrap()
}

fn u64_at(obj: &Object, map: &str, key: u32) -> u64 {
    let v = obj.map(map).unwrap().get(&key.to_le_bytes()).unwrap();
    u64::from_le_bytes(v[..8].try_into().unwrap())
}

const ENGINES: [EngineKind; 2] = [EngineKind::Interpreter, EngineKind::Jit];

#[test]
fn xdp_counter_counts_and_drops() {
    for engine in ENGINES {
        let obj = object("xdp_counter", engine);
        let prog = obj.program("count_packets").unwrap();
        assert_eq!(prog.is_jit(), engine == EngineKind::Jit);
        assert_eq!(
            prog.run_xdp(&mut Packet::xdp(&udp_frame(53, 1))).unwrap(),
            2
        );
        assert_eq!(prog.run_xdp(&mut Packet::xdp(&udp_frame(9, 1))).unwrap(), 1);
        assert_eq!(prog.run_xdp(&mut Packet::xdp(&[0u8; 10])).unwrap(), 1);
        assert_eq!(u64_at(&obj, "counts", 17), 2);
        let by_source = obj.map("bytes_by_source").unwrap();
        let v = by_source.get(&[10, 0, 0, 1]).unwrap();
        assert_eq!(u64::from_le_bytes(v.try_into().unwrap()), 2 * 46);
    }
}

#[test]
fn helper_programs_agree_between_engines() {
    let mut reports = Vec::new();
    for engine in ENGINES {
        let obj = object("xdp_helpers", engine);
        let mut out = Vec::new();
        for name in [
            "hash_ops",
            "percpu_ops",
            "queue_stack",
            "lpm",
            "ringbuf",
            "callbacks",
            "packet_ops",
            "tail_entry",
        ] {
            let results = obj.map("results").unwrap();
            for k in 0..32u32 {
                results.update(&k.to_le_bytes(), &[0; 8], 0).unwrap();
            }
            let mut p = Packet::xdp(&udp_frame(53, 1));
            let action = obj.program(name).unwrap().run_xdp(&mut p).unwrap();
            let observed: Vec<u64> = (0..32).map(|k| u64_at(&obj, "results", k)).collect();
            out.push((
                name,
                action,
                p.metadata().to_vec(),
                p.data().to_vec(),
                observed,
            ));
        }
        reports.push(out);
    }
    assert_eq!(reports[0], reports[1]);
    let by_name = |n: &str| reports[0].iter().find(|r| r.0 == n).unwrap().clone();
    // Spot checks (the kernel comparison checks everything).
    let (_, action, _, _, r) = by_name("tail_entry");
    assert_eq!((action, r[1], r[2], r[3]), (1, 111, 222, 333));
    let (_, _, _, _, r) = by_name("callbacks");
    // hash_ops ran first and left key 4 (40) in the hash.
    assert_eq!(&r[1..7], &[7, 21, (-22i64) as u64, 4, 10, 640]);
    let (_, action, meta, data, r) = by_name("packet_ops");
    assert_eq!(action, 3);
    assert_eq!(meta, [0xdd, 0xcc, 0xbb, 0xaa, 0, 0, 0, 0]);
    assert_eq!(&data[..4], b"ABCD");
    assert_eq!((r[1], r[2], r[8], r[9]), (4991, 335, 44, 8));
}

#[test]
fn skb_programs() {
    for engine in ENGINES {
        let obj = object("skb_helpers", engine);
        let mut p = Packet::skb(&udp_frame(53, 1));
        let mut meta = SkbMeta::default();
        let prog = obj.program("tc_rewrite").unwrap();
        let report = prog.run_skb_with(&mut p, &mut meta).unwrap();
        assert_eq!(report.value, 0);
        assert_eq!((meta.mark, meta.priority), (0x1234, 7));
        assert_eq!(p.data()[22], 63, "TTL decremented");
        assert_eq!(&p.data()[24..26], &[0xa6, 0x5a], "IP checksum updated");
        assert_eq!(u64_at(&obj, "skb_results", 5), 64);
        let err = obj
            .program("tc_rewrite")
            .unwrap()
            .run_xdp(&mut Packet::xdp(&[]));
        assert!(matches!(err, Err(EmbedError::WrongContext { .. })));
    }
}

#[test]
fn threads_share_the_maps() {
    for engine in ENGINES {
        let obj = object("xdp_counter", engine);
        let prog = obj.program("count_packets").unwrap();
        let threads: Vec<_> = (0..4u8)
            .map(|t| {
                let prog = prog.clone();
                std::thread::spawn(move || {
                    for _ in 0..500 {
                        let mut p = Packet::xdp(&udp_frame(53, t));
                        assert_eq!(prog.run_xdp(&mut p).unwrap(), 2);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(u64_at(&obj, "counts", 17), 2000);
        assert_eq!(obj.map("bytes_by_source").unwrap().len(), 4);
    }
}

#[test]
fn run_elf_reports_for_the_cli() {
    let bytes = std::fs::read(object_path("xdp_counter")).unwrap();
    let request = RunRequest {
        packet: Some(udp_frame(9, 1)),
        repeat: 3,
        dump_maps: true,
        engine: EngineKind::Jit,
        ..RunRequest::default()
    };
    let text = run_elf(&bytes, &request).unwrap();
    assert!(
        text.starts_with("count_packets (XDP): 0x1 XDP_DROP\n"),
        "{text}"
    );
    assert!(text.contains("packet: 00 00 00 00"), "{text}");
    assert!(text.contains("map counts: array key 4 value 8 max_entries 256, 256 elements"));
    assert!(
        text.contains("  11 00 00 00 => 03 00 00 00 00 00 00 00"),
        "{text}"
    );
    assert!(text.contains("map bytes_by_source: hash"));
    let missing = RunRequest {
        section: Some("nope".into()),
        ..RunRequest::default()
    };
    assert!(matches!(
        run_elf(&bytes, &missing),
        Err(EmbedError::NoSuchProgram(_))
    ));
}

#[test]
fn missing_programs_and_maps_are_typed_errors() {
    let obj = object("xdp_counter", EngineKind::Interpreter);
    assert!(matches!(
        obj.program("nope"),
        Err(EmbedError::NoSuchProgram(_))
    ));
    assert!(matches!(obj.map("nope"), Err(EmbedError::NoSuchMap(_))));
    assert!(matches!(
        Object::from_elf(b"not an elf"),
        Err(EmbedError::Elf(_))
    ));
}

#[test]
fn unknown_helpers_are_load_time_errors() {
    use ferrobpf::vm::linux::PrepareError;
    // plugin_filter's accept_small calls host helper 1000; without the host
    // registering it, the program does not load (even though most events would
    // never reach the call), while greedy, which calls no helper, does.
    let bytes = std::fs::read(object_path("plugin_filter")).unwrap();
    let obj = Object::from_elf(&bytes).unwrap();
    match obj.program("accept_small") {
        Err(EmbedError::Prepare {
            program,
            error: PrepareError::UnknownHelper { id: 1000, .. },
        }) => assert_eq!(program, "accept_small"),
        other => panic!("{other:?}"),
    }
    assert!(obj.program("greedy").is_ok());
    let status: Vec<_> = obj.programs().into_iter().map(|p| p.3.is_ok()).collect();
    assert_eq!(status, [false, true]);
}
