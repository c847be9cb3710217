//! Every object of the shared corpus (../shared/corpus/ebpf-samples) through the
//! embedding loader: maps created, relocations resolved, programs prepared and
//! loaded, then run once over a zeroed packet or context on the interpreter and
//! the JIT. Prints the counts and every failure with its reason; fails on a load
//! failure that is not one of the documented kinds.

use ferrobpf::embed::{EmbedError, Object, Options, Packet, Program};
use std::path::Path;

#[test]
fn corpus_programs_load_and_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/ebpf-samples");
    if !root.is_dir() {
        println!("skipped: ../shared not found");
        return;
    }
    let mut objects: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|d| d.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    objects.sort();
    let (mut loaded, mut failed, mut maps_ok, mut maps_failed) = (0, 0, 0, 0);
    let (mut runs, mut jit_runs) = (0, 0);
    let mut reasons = Vec::new();
    for path in &objects {
        let bytes = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let options = Options::default().cpus(2).budget(1_000_000);
        let obj = match Object::load(&bytes, options) {
            Ok(o) => o,
            Err(e) => {
                reasons.push(format!("{name}: object: {e}"));
                continue;
            }
        };
        for (map, r) in obj.maps() {
            match r {
                Ok(_) => maps_ok += 1,
                Err(e) => {
                    maps_failed += 1;
                    reasons.push(format!("{name}: map {map}: {e}"));
                }
            }
        }
        for (prog, section, _, status) in obj.programs() {
            match status {
                Ok(()) => {
                    loaded += 1;
                    if let Ok(p) = obj.program(&prog) {
                        runs += run_once(&p);
                        jit_runs += p.jit().map_or(0, |j| run_once(&j));
                    }
                }
                Err(e) => {
                    failed += 1;
                    let documented = matches!(
                        e,
                        EmbedError::MapUnavailable { .. } | EmbedError::Prepare { .. }
                    );
                    reasons.push(format!("{name}: {section}/{prog}: {e}"));
                    assert!(documented, "{name}: {prog}: undocumented failure: {e}");
                }
            }
        }
    }
    for r in &reasons {
        println!("{r}");
    }
    println!(
        "{} objects: {loaded} programs loaded, {failed} refused; {maps_ok} maps created, {maps_failed} refused; {runs} ran to their exit on the interpreter, {jit_runs} on the JIT",
        objects.len()
    );
}

/// Runs a loaded program once over a zeroed UDP frame or context: whether it
/// reached its exit (1) or stopped with a typed error (0).
fn run_once(p: &Program) -> usize {
    let mut frame = vec![0u8; 64];
    frame[12] = 0x08;
    frame[14] = 0x45;
    frame[23] = 17;
    let ran = match p.run_xdp(&mut Packet::xdp(&frame)) {
        Err(EmbedError::WrongContext { .. }) => match p.run_skb(&mut Packet::skb(&frame)) {
            Err(EmbedError::WrongContext { .. }) => {
                p.run_context(&mut [0u8; 256], true).map(|_| ())
            }
            other => other.map(|_| ()),
        },
        other => other.map(|_| ()),
    };
    if let Err(e) = &ran {
        println!("run: {e}");
    }
    usize::from(ran.is_ok())
}
