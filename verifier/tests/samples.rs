//! Real programs: `../shared/corpus/ebpf-samples` (clang-built objects with the
//! verdicts Linux 6.18 gave them). Kernel-rejected programs must be rejected; every
//! kernel-accepted program we reject must be listed, with why, in
//! `tests/samples_gaps.tsv` (and a listed program we now accept fails the test, so the
//! list only shrinks). Prints agreement and timing figures.

mod common;

use ferrobpf_elf::Object;
use ferrobpf_verifier::{verify, Config, ProgType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs per accepted program for its time (the fastest counts).
const TIMED_RUNS: usize = 3;

fn samples_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/ebpf-samples");
    d.is_dir().then_some(d)
}

fn prog_type(name: &str) -> Option<ProgType> {
    Some(match name {
        "SOCKET_FILTER" => ProgType::SocketFilter,
        "KPROBE" => ProgType::Kprobe,
        "SCHED_CLS" => ProgType::SchedCls,
        "SCHED_ACT" => ProgType::SchedAct,
        "TRACEPOINT" => ProgType::Tracepoint,
        "XDP" => ProgType::Xdp,
        "PERF_EVENT" => ProgType::PerfEvent,
        "CGROUP_SKB" => ProgType::CgroupSkb,
        "RAW_TRACEPOINT" => ProgType::RawTracepoint,
        "CGROUP_SOCK" => ProgType::CgroupSock,
        "SOCK_OPS" => ProgType::SockOps,
        "LWT_IN" => ProgType::LwtIn,
        "LWT_OUT" => ProgType::LwtOut,
        _ => return None,
    })
}

/// One verdict row: object, section, function, type, verdict, kernel microseconds.
struct Row {
    object: String,
    section: String,
    function: String,
    prog_type: String,
    verdict: String,
    usec: u64,
    insns: u64,
}

fn rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("kernel_verdicts.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Some(Row {
                object: c.first()?.to_string(),
                section: c.get(1)?.to_string(),
                function: c.get(2)?.to_string(),
                prog_type: c.get(3)?.to_string(),
                verdict: c.get(5)?.to_string(),
                usec: c.get(8).and_then(|v| v.parse().ok()).unwrap_or(0),
                insns: c.get(9).and_then(|v| v.parse().ok()).unwrap_or(0),
            })
        })
        .collect()
}

fn gaps() -> BTreeMap<String, String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples_gaps.tsv");
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            l.split_once('\t')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect()
}

#[test]
fn kernel_verdicts_on_real_programs() {
    let Some(dir) = samples_dir() else {
        println!("skipped: ../shared not found");
        return;
    };
    let gaps = gaps();
    let (mut agree, mut skipped, mut slower) = (0, 0, 0);
    let (mut ours_insns, mut kernel_insns, mut ours_us, mut kernel_us) = (0u64, 0u64, 0u128, 0u64);
    let mut problems = Vec::new();
    let mut listed_gaps = Vec::new();
    let mut objects: BTreeMap<String, Object> = BTreeMap::new();
    let mut worst: Option<(f64, String)> = None;
    // The most pending paths and state memory any accepted program needed, against
    // the default caps.
    let (mut most_pending, mut most_memory) = ((0, String::new()), (0, String::new()));
    for row in rows(&dir) {
        if row.verdict != "ACCEPTED" && row.verdict != "REJECTED" {
            continue;
        }
        let Some(t) = prog_type(&row.prog_type) else {
            skipped += 1;
            continue;
        };
        let obj = objects.entry(row.object.clone()).or_insert_with(|| {
            let bytes = std::fs::read(dir.join(&row.object)).expect("object file");
            Object::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.object))
        });
        let Some(prog) = obj.programs().iter().find(|p| {
            p.name == row.function || (p.section == row.section && row.function == row.section)
        }) else {
            problems.push(format!(
                "{} {}: program not found",
                row.object, row.function
            ));
            continue;
        };
        let maps = common::map_infos(obj);
        let name = format!("{}:{}", row.object, row.function);
        let r = verify(&prog.insns, &maps, &Config::privileged(t.clone()));
        let kernel_ok = row.verdict == "ACCEPTED";
        if let Ok(rep) = &r {
            // The fastest of a few runs: one run on a busy machine may be preempted.
            let time = (1..TIMED_RUNS)
                .filter_map(|_| verify(&prog.insns, &maps, &Config::privileged(t.clone())).ok())
                .map(|again| again.stats.time)
                .fold(rep.stats.time, std::cmp::min);
            if rep.stats.peak_pending > most_pending.0 {
                most_pending = (rep.stats.peak_pending, name.clone());
            }
            if rep.stats.peak_memory > most_memory.0 {
                most_memory = (rep.stats.peak_memory, name.clone());
            }
            ours_insns += rep.stats.insns_processed as u64;
            kernel_insns += row.insns;
            ours_us += time.as_micros();
            kernel_us += row.usec;
            let ratio = time.as_secs_f64() * 1e6 / row.usec.max(1) as f64;
            if worst.as_ref().is_none_or(|(r, _)| ratio > *r) {
                worst = Some((ratio, name.clone()));
            }
            if time.as_micros() as u64 > row.usec {
                slower += 1;
                println!(
                    "slower than the kernel: {}:{} {} us (kernel {} us), {} insns",
                    row.object,
                    row.function,
                    time.as_micros(),
                    row.usec,
                    rep.stats.insns_processed
                );
            }
        }
        match (&r, kernel_ok) {
            (Ok(_), true) | (Err(_), false) => {
                agree += 1;
                if gaps.contains_key(&name) {
                    problems.push(format!("{name}: listed in samples_gaps.tsv but now agrees"));
                }
            }
            (Ok(_), false) => problems.push(format!("{name}: kernel rejects, we accept")),
            (Err(e), true) => {
                if gaps.contains_key(&name) {
                    listed_gaps.push(name);
                } else {
                    problems.push(format!("{name}: kernel accepts, we reject: {e}"));
                }
            }
        }
    }
    println!(
        "ebpf-samples: {agree} agree with the kernel, {} documented gaps, {skipped} of unsupported program types; {slower} accepted slower than the kernel",
        listed_gaps.len()
    );
    println!(
        "accepted programs: {ours_insns} insns processed ({kernel_insns} by the kernel), {ours_us} us ({kernel_us} us in the kernel)"
    );
    println!(
        "most pending paths: {} ({}); most state memory: {} KiB ({})",
        most_pending.0,
        most_pending.1,
        most_memory.0 >> 10,
        most_memory.1
    );
    if let Some((ratio, name)) = worst {
        println!("worst time ratio ours/kernel: {ratio:.3} ({name})");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
