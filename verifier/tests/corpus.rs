//! Ground truth: our verdict on every corpus program equals the Linux kernel's, as
//! recorded on a real kernel in `tests/corpus/kernel_verdicts.tsv`, except the cases
//! listed in `tests/corpus/known_differences.tsv` (where we deliberately accept more).
//!
//! Re-record with `cargo test -p ferrobpf-verifier --test corpus -- --ignored` as root.

mod common;
mod kernel;

use common::{corpus_dir, programs_in, Program};
use ferrobpf_elf::Object;
use ferrobpf_verifier::{verify, Config, ProgType};
use std::collections::BTreeMap;

/// Every program of every object in `tests/corpus/c` (built by its `build.sh`), named
/// `c/<object>:<function>`.
fn c_programs() -> Vec<Program> {
    let dir = corpus_dir().join("c");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("C corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let obj =
            Object::parse(&std::fs::read(&f).unwrap()).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let maps = common::map_infos(&obj);
        for p in obj.programs() {
            let t = ProgType::from_section(&p.section)
                .unwrap_or_else(|| panic!("{stem}: section {}", p.section));
            out.push(Program {
                name: format!("c/{stem}:{}", p.name),
                config: Config::privileged(t.clone()),
                prog_type: t,
                maps: maps.clone(),
                insns: p.insns.clone(),
            });
        }
    }
    out
}

/// The asm and C corpus together.
fn all_programs() -> Vec<Program> {
    let mut v = programs_in("corpus/asm");
    v.extend(c_programs());
    v
}

/// `name -> (accepted, reason)` from a two-or-more-column TSV.
fn read_tsv(file: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(corpus_dir().join(file)).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t').map(str::to_string);
            (cols.next().unwrap_or_default(), cols.collect())
        })
        .collect()
}

fn ours(p: &Program) -> Result<ferrobpf_verifier::Report, Box<ferrobpf_verifier::Rejection>> {
    verify(&p.insns, &p.maps, &p.config)
}

#[test]
fn verdicts_match_the_kernel() {
    let kernel = read_tsv("kernel_verdicts.tsv");
    let documented = read_tsv("known_differences.tsv");
    let mut agree = 0;
    let mut differ = Vec::new();
    let mut processed = 0;
    for p in all_programs() {
        let k = kernel.get(&p.name).unwrap_or_else(|| {
            panic!(
                "{}: no kernel verdict recorded (run the ignored recorder)",
                p.name
            )
        });
        let kernel_accepts = k[0] == "ACCEPTED";
        let r = ours(&p);
        if let Ok(rep) = &r {
            processed += rep.stats.insns_processed;
        }
        let we_accept = r.is_ok();
        if we_accept == kernel_accepts {
            agree += 1;
            assert!(
                !documented.contains_key(&p.name),
                "{}: listed as a difference but agrees",
                p.name
            );
        } else if documented.contains_key(&p.name) {
            assert!(
                we_accept,
                "{}: documented differences are cases where we accept more",
                p.name
            );
        } else {
            let why = match &r {
                Ok(_) => "we accept".to_string(),
                Err(e) => format!("we reject: {e}"),
            };
            differ.push(format!(
                "{}: kernel {} ({}); {}",
                p.name,
                k[0],
                k.get(1).map(String::as_str).unwrap_or(""),
                why
            ));
        }
    }
    println!(
        "corpus: {} agree with the kernel, {} documented differences, {} undocumented; {} insns processed",
        agree,
        documented.len(),
        differ.len(),
        processed
    );
    assert!(
        differ.is_empty(),
        "disagreements with the kernel:\n{}",
        differ.join("\n")
    );
}

/// Loads every program into the running kernel and rewrites `kernel_verdicts.tsv`.
#[test]
#[ignore = "needs root and a kernel with bpf(); rewrites the recorded verdicts"]
fn record_kernel_verdicts() {
    let mut out = String::from("# program\tkernel verdict\tlast verifier log line (Linux ");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    out.push_str(release.trim());
    out.push_str(", loaded as root)\n");
    for p in all_programs() {
        let v = kernel::load(&p.insns, &p.maps, &p.prog_type)
            .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        let verdict = if v.accepted { "ACCEPTED" } else { "REJECTED" };
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            p.name,
            verdict,
            v.reason.replace('\t', " ")
        ));
    }
    std::fs::write(corpus_dir().join("kernel_verdicts.tsv"), out).unwrap();
}

/// Prints our verdict beside the kernel's for every program (for inspection).
#[test]
#[ignore = "diagnostic listing"]
fn list_verdicts() {
    let kernel = read_tsv("kernel_verdicts.tsv");
    let only = std::env::var("CORPUS_ONLY").unwrap_or_default();
    for p in all_programs()
        .into_iter()
        .filter(|p| p.name.contains(&only))
    {
        let r = ours(&p);
        let k = kernel.get(&p.name).cloned().unwrap_or_default();
        println!(
            "{:40} kernel={:8} ours={}",
            p.name,
            k.first().map(String::as_str).unwrap_or("?"),
            match r {
                Ok(rep) => format!(
                    "ACCEPTED ({} insns, {} us)",
                    rep.stats.insns_processed,
                    rep.stats.time.as_micros()
                ),
                Err(e) => format!("REJECTED {e} ({} us)", e.stats.time.as_micros()),
            }
        );
        if let Some(reason) = k.get(1).filter(|s| !s.is_empty()) {
            println!("{:40} kernel says: {reason}", "");
        }
    }
}
