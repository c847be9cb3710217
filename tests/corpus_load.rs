//! Every object of the shared corpus (../shared/corpus/ebpf-samples) through the
//! embedding loader: maps created, relocations resolved, programs prepared and
//! loaded. Prints the counts and every failure with its reason; fails on a
//! failure that is not one of the documented kinds.

use ferrobpf::embed::{EmbedError, Object, Options};
use std::path::Path;

#[test]
fn corpus_programs_load() {
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
    let mut reasons = Vec::new();
    for path in &objects {
        let bytes = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let obj = match Object::load(&bytes, Options::default().cpus(2)) {
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
                Ok(()) => loaded += 1,
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
        "{} objects: {loaded} programs loaded, {failed} refused; {maps_ok} maps created, {maps_failed} refused",
        objects.len()
    );
}
