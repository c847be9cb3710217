//! `ferrobpf verify FILE [--section S] [--type T] [--log 1|2] [--format text|tsv]`:
//! verify every program of a file and print one verdict per program.
//!
//! Columns: name (the ELF section, or `section/function` where a section holds
//! several programs), `accepted`/`rejected`, instructions processed, microseconds,
//! reason. Exit 0 when all are accepted, 1 when any is rejected, 2 on a load error.

use super::{input, print_line, CliError};
use ferrobpf::embed::{inner_map_infos, map_info, verifier_type};
use ferrobpf_elf::Object;
use ferrobpf_verifier::{verify, Config, MapInfo, ProgType};
use ferrobpf_vm::Insn;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `ferrobpf verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// An ELF object, raw bytecode or assembler text.
    file: PathBuf,
    /// Only programs of this ELF section.
    #[arg(long)]
    section: Option<String>,
    /// Program type (xdp, socket_filter, sched_cls, ..., `memory:SIZE` for r1 =
    /// SIZE bytes of memory, r2 = SIZE); default: from the ELF section name as
    /// libbpf maps it, `socket_filter` for raw programs.
    #[arg(long = "type")]
    prog_type: Option<String>,
    /// Print the verifier log: 1 = branches and errors, 2 = every instruction.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    log: Option<u8>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Verify as the kernel does for root (pointer leaks and uninitialised stack reads
    /// allowed); the default is the stricter setting for untrusted programs.
    #[arg(long)]
    privileged: bool,
}

/// How verdicts are printed.
#[derive(clap::ValueEnum, Copy, Clone, Debug, PartialEq, Eq)]
enum Format {
    /// Aligned text.
    Text,
    /// Five tab-separated columns.
    Tsv,
}

/// The maps of a file as the verifier sees them.
#[derive(Default)]
struct Maps {
    /// By the index `map_idx` names.
    infos: Vec<MapInfo>,
    /// Inner maps of maps of maps, by the outer map's index.
    inner: BTreeMap<u32, MapInfo>,
}

/// One program to verify.
struct Target {
    name: String,
    prog_type: Option<ProgType>,
    insns: Vec<Insn>,
}

/// The program type `--type` names, if given: any name [`ProgType::parse`] takes,
/// and plain `memory` for a memory program over `mem_len` bytes when the run's
/// memory is known.
pub fn forced_type(
    name: Option<&String>,
    mem_len: Option<usize>,
) -> Result<Option<ProgType>, CliError> {
    let Some(name) = name else {
        return Ok(None);
    };
    if let (Some(len), "memory") = (mem_len, name.as_str()) {
        return memory_type(len).map(Some);
    }
    Ok(Some(ProgType::parse(name)?))
}

/// The memory program type over `len` bytes (r1 = memory, r2 = its length: the
/// calling convention of raw programs in `ferrobpf run`).
pub fn memory_type(len: usize) -> Result<ProgType, CliError> {
    u32::try_from(len)
        .map(|size| ProgType::Memory { size })
        .map_err(|_| CliError::MemoryTooLarge { len })
}

/// The verifier's settings for `target`: `forced` type, else the target's, else
/// `fallback` when neither names one; with the file's inner maps.
fn config(
    target: &Target,
    maps: &Maps,
    forced: Option<&ProgType>,
    fallback: &ProgType,
    privileged: bool,
) -> Config {
    let prog_type = forced
        .or(target.prog_type.as_ref())
        .unwrap_or(fallback)
        .clone();
    let mut config = if privileged {
        Config::privileged(prog_type)
    } else {
        Config::new(prog_type)
    };
    config.inner_maps = maps.inner.clone();
    config
}

/// Verifies the program `ferrobpf run` runs (the first of the file), as an
/// untrusted one unless `privileged`, as a memory program over `mem_len` bytes
/// unless the type is forced or the ELF section names one: `Ok(None)` when
/// accepted, else the line to report.
pub fn check_first(
    file: &Path,
    forced: Option<&ProgType>,
    mem_len: usize,
    privileged: bool,
) -> Result<Option<String>, CliError> {
    let fallback = memory_type(mem_len)?;
    let (targets, maps) = targets(file, None)?;
    let Some(target) = targets.first() else {
        return Err(CliError::NoProgram {
            path: file.to_path_buf(),
            name: String::new(),
        });
    };
    Ok(verify(
        &target.insns,
        &maps.infos,
        &config(target, &maps, forced, &fallback, privileged),
    )
    .err()
    .map(|r| {
        format!(
            "{} rejected by the verifier: insn {}: {}",
            target.name, r.pc, r.reason
        )
    }))
}

/// Verifies every selected program; see the module docs for output and exit codes.
pub fn main(args: Args) -> Result<ExitCode, CliError> {
    let forced = forced_type(args.prog_type.as_ref(), None)?;
    let (targets, maps) = targets(&args.file, args.section.as_deref())?;
    let mut any_rejected = false;
    for target in targets {
        let mut config = config(
            &target,
            &maps,
            forced.as_ref(),
            &ProgType::SocketFilter,
            args.privileged,
        );
        config.log_level = args.log.unwrap_or(0);
        let (verdict, stats, reason, log) = match verify(&target.insns, &maps.infos, &config) {
            Ok(report) => ("accepted", report.stats, String::new(), report.log),
            Err(rejection) => {
                any_rejected = true;
                let reason = format!("insn {}: {}", rejection.pc, rejection.reason);
                ("rejected", rejection.stats, reason, rejection.log)
            }
        };
        if !log.is_empty() {
            print_line(log.trim_end())?;
        }
        let micros = stats.time.as_micros();
        let line = match args.format {
            Format::Tsv => format!(
                "{}\t{verdict}\t{}\t{micros}\t{reason}",
                target.name, stats.insns_processed
            ),
            Format::Text => format!(
                "{:<32} {verdict:<8} {:>9} insns {micros:>8} us  {reason}",
                target.name, stats.insns_processed
            ),
        };
        print_line(line.trim_end())?;
    }
    Ok(if any_rejected {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The programs of the file and the maps they reference.
fn targets(file: &Path, section: Option<&str>) -> Result<(Vec<Target>, Maps), CliError> {
    let bytes = input::read(file)?;
    if input::kind_of(&bytes) != input::Kind::Elf {
        let loaded = input::decode(file, bytes)?;
        let name = file.display().to_string();
        let target = Target {
            name,
            prog_type: None,
            insns: loaded.insns,
        };
        return Ok((vec![target], Maps::default()));
    }
    let object = Object::parse(&bytes).map_err(|source| CliError::Elf {
        path: file.to_path_buf(),
        source,
    })?;
    let maps = Maps {
        infos: object.maps().iter().map(map_info).collect(),
        inner: inner_map_infos(object.maps()),
    };
    let programs = object.programs();
    let per_section = |section: &str| programs.iter().filter(|p| p.section == section).count();
    let targets = programs
        .iter()
        .filter(|p| section.is_none_or(|s| s == p.section))
        .map(|p| Target {
            name: if per_section(&p.section) > 1 {
                format!("{}/{}", p.section, p.name)
            } else {
                p.section.clone()
            },
            prog_type: verifier_type(p.prog_type).or_else(|| ProgType::from_section(&p.section)),
            insns: p.insns.clone(),
        })
        .collect();
    Ok((targets, maps))
}
