//! `Program::verify` over the test objects: accepted programs run as before on
//! both engines, rejected ones are typed errors naming the instruction.

mod common;

use common::{object_path, udp_frame};
use ferrobpf::elf::ProgramType;
use ferrobpf::embed::{EmbedError, EngineKind, Object, Options, Packet, ProgType};
use ferrobpf::verifier::Config;

fn object(name: &str, options: Options) -> Object {
    let bytes = std::fs::read(object_path(name)).unwrap();
    Object::load(&bytes, options).unwrap()
}

#[test]
fn verified_programs_run_on_both_engines() {
    for engine in [EngineKind::Interpreter, EngineKind::Jit] {
        let obj = object("xdp_counter", Options::default().engine(engine));
        let prog = obj.program("count_packets").unwrap();
        assert!(!prog.is_verified());
        let prog = prog.verify_privileged().unwrap().jit().unwrap();
        assert!(prog.is_verified() && prog.is_jit());
        assert!(prog.verification().unwrap().insns_processed > 0);
        let mut packet = Packet::xdp(&udp_frame(53, 1));
        assert_eq!(prog.run_xdp(&mut packet).unwrap(), 2);
        // Budgets keep the verdict.
        assert!(prog.with_budget(Some(1000)).unwrap().is_verified());
    }
}

#[test]
fn rejections_name_the_instruction_and_the_reason() {
    let obj = object("xdp_counter", Options::default());
    // `data_end - data` is pointer arithmetic only privileged loaders may do.
    match obj.program("count_packets").unwrap().verify() {
        Err(EmbedError::Rejected { program, rejection }) => {
            assert_eq!(program, "count_packets");
            assert_eq!(rejection.pc, 29);
            assert!(rejection.reason.to_string().contains("pointer -= pointer"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_type_comes_from_the_section_or_the_host() {
    // `.text` programs have no type: verify() says so, verify_as() gives one.
    let obj = object("text_only", Options::default());
    let entry = obj.program("entry").unwrap();
    assert!(matches!(
        entry.clone().verify(),
        Err(EmbedError::UnverifiableType { .. })
    ));
    assert!(entry.verify_as(ProgType::SocketFilter).is_ok());
    // A host override of the type is what verify() uses.
    let options = Options::default().program_type("entry", ProgramType::SocketFilter);
    let obj = object("text_only", options);
    let entry = obj.program("entry").unwrap();
    assert_eq!(entry.verifier_type().unwrap(), ProgType::SocketFilter);
    assert!(entry.verify().unwrap().is_verified());
    // A tc program verified as XDP reads its context wrongly.
    let obj = object("global_data", Options::default());
    let classify = obj.program("classify").unwrap();
    assert!(classify.clone().verify().is_ok());
    assert!(matches!(
        classify.verify_as(ProgType::Xdp),
        Err(EmbedError::Rejected { .. })
    ));
}

#[test]
fn maps_and_calls_reach_the_verifier() {
    // Map lookups (legacy and BTF maps, global data) and bpf-to-bpf calls.
    for (name, program) in [
        ("legacy_maps", "count_packets"),
        ("calls", "first"),
        ("calls", "second"),
        ("cross_section_calls", "socket_entry"),
        ("global_data", "classify"),
        ("xdp_helpers", "hash_ops"),
    ] {
        let obj = object(name, Options::default());
        let prog = obj.program(program).unwrap();
        let prog = prog
            .verify()
            .unwrap_or_else(|e| panic!("{name}/{program}: {e}"));
        assert!(prog.is_verified());
    }
}

#[test]
fn verifier_settings_pass_through() {
    let obj = object("calls", Options::default());
    let mut config = Config::new(ProgType::Xdp);
    config.max_insns = 10;
    config.widen_loops = false;
    match obj.program("second").unwrap().verify_with(config) {
        Err(EmbedError::Rejected { rejection, .. }) => {
            assert!(rejection.stats.insns_processed <= 11, "{rejection}");
        }
        other => panic!("{other:?}"),
    }
}
