//! Runs `.data` test files on an [`Engine`] and judges the outcomes.
//!
//! # Which files
//! Each path is a file (run whatever its name) or a directory, searched recursively for
//! `*.data` files; other files are ignored. Entries of a directory run in byte order of
//! their names, subdirectories in place, so the order is deterministic. A test's name is
//! its path relative to the directory given, prefixed with that directory's own name
//! (`bpf_conformance/negative/empty.data`); a file given directly is named by its file name.
//!
//! # Skips
//! Every test is skipped when the engine is unavailable ([`Engine::unavailable`]), when
//! its program uses an instruction of a conformance group that is not enabled
//! ([`RunnerOptions::groups`], all by default, `packet` and `callx` included), and when it
//! has a `-- budget` section and the engine enforces no budget.
//!
//! # Judging
//! - A **positive test** (a `-- result` and no `-- error`, outside `negative/`) passes
//!   when the engine's r0 equals the result.
//! - A test with an **`-- error` section** (in any directory) passes only when it ends in
//!   an error, at any stage (assembly, decode, load or run); when the text is not empty,
//!   the error message must contain it, case-insensitively. Our own suite uses this for
//!   runtime errors (`out of bounds`, `instruction budget exhausted`, ...).
//! - A **negative test** (any file under a directory named `negative`) passes when it
//!   ends as intended: refused at parse/assembly, decode or load, or failed at run (with
//!   the `-- error` rule above when it has that section); or, for tests that check the
//!   runner itself, when the file is unreadable, unparsable or holds no program
//!   (`negative/empty.data`), or when it runs to an r0 different from its deliberately
//!   wrong `-- result` (`negative/incorrect_return_value_high_bits.data`). A negative
//!   test that runs and matches (or runs without any result to compare) fails.
//! - Anything else fails: a positive test that errors, mismatches, has no program or
//!   cannot be parsed, or has neither `-- result` nor `-- error`.

use crate::engine::{Engine, Failure, Outcome, RunOptions, Stage};
use crate::judge::Expectation;
use crate::testfile::{AsmText, ProgramSource, TestFile};
use ferrobpf_vm::isa::Group;
use ferrobpf_vm::{asm, decode_program, encode_program};
use std::fmt;
use std::path::{Path, PathBuf};

/// Runner settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerOptions {
    /// Conformance groups whose tests run; tests using others are skipped.
    pub groups: Vec<Group>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            groups: Group::ALL.to_vec(),
        }
    }
}

/// How one test ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It met its expectation.
    Pass,
    /// It did not; the reason.
    Fail(String),
    /// It was not run; the reason.
    Skip(String),
}

/// One test's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    /// The test's name (see the module docs).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The verdict.
    pub verdict: Verdict,
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Pass => write!(f, "PASS {}", self.name),
            Verdict::Fail(reason) => write!(f, "FAIL {}: {reason}", self.name),
            Verdict::Skip(reason) => write!(f, "SKIP {}: {reason}", self.name),
        }
    }
}

/// The verdicts of a run, in run order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// One report per test.
    pub reports: Vec<TestReport>,
}

impl Summary {
    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.reports.iter().filter(|r| f(&r.verdict)).count()
    }

    /// Tests that passed.
    pub fn passed(&self) -> usize {
        self.count(|v| *v == Verdict::Pass)
    }

    /// Tests that failed.
    pub fn failed(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Fail(_)))
    }

    /// Tests that were skipped.
    pub fn skipped(&self) -> usize {
        self.count(|v| matches!(v, Verdict::Skip(_)))
    }

    /// The reports of failed tests.
    pub fn failures(&self) -> impl Iterator<Item = &TestReport> {
        self.reports
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Fail(_)))
    }

    /// The totals line: `N passed, M failed, K skipped`.
    pub fn totals(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }
}

/// One line per failed test, then the totals line.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for report in self.failures() {
            writeln!(f, "{report}")?;
        }
        write!(f, "{}", self.totals())
    }
}

/// A test file found under the given paths, with its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestPath {
    /// The test's name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

impl TestPath {
    /// Whether the file lies under a directory named `negative`.
    pub fn is_negative(&self) -> bool {
        self.path
            .parent()
            .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "negative"))
    }
}

/// Lists the test files of `paths` in run order (see the module docs). A path that is
/// neither a directory nor a readable file is listed as is, so it shows up as a failure.
pub fn collect(paths: &[PathBuf]) -> Vec<TestPath> {
    let mut tests = Vec::new();
    for path in paths {
        if path.is_dir() {
            // `.` or `..` have no file name of their own: use the directory's real name.
            let root = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .or_else(|| {
                    let real = path.canonicalize().ok()?;
                    real.file_name().map(|n| n.to_string_lossy().into_owned())
                })
                .unwrap_or_default();
            walk(path, &root, &mut tests);
        } else {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            tests.push(TestPath {
                name,
                path: path.clone(),
            });
        }
    }
    tests
}

fn walk(dir: &Path, name: &str, tests: &mut Vec<TestPath>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let child = entry.file_name().to_string_lossy().into_owned();
        let child = if name.is_empty() {
            child
        } else {
            format!("{name}/{child}")
        };
        // File types of symlinks are not followed for directories (no cycles).
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, &child, tests),
            Ok(_) if path.extension().is_some_and(|e| e == "data") && path.is_file() => {
                tests.push(TestPath { name: child, path })
            }
            _ => {}
        }
    }
}

/// Runs every test file under `paths` on `engine`.
pub fn run_paths(engine: &dyn Engine, paths: &[PathBuf], options: &RunnerOptions) -> Summary {
    let reports = collect(paths)
        .into_iter()
        .map(|test| {
            let verdict = run_test(engine, &test, options);
            TestReport {
                name: test.name,
                path: test.path,
                verdict,
            }
        })
        .collect();
    Summary { reports }
}

/// Runs and judges one test file.
pub fn run_test(engine: &dyn Engine, test: &TestPath, options: &RunnerOptions) -> Verdict {
    if let Some(reason) = engine.unavailable() {
        return Verdict::Skip(reason.to_string());
    }
    let negative = test.is_negative();
    let runner_failure = |reason: String| match Expectation::judge_runner_failure(negative, &reason)
    {
        Ok(()) => Verdict::Pass,
        Err(reason) => Verdict::Fail(reason),
    };
    let file = match TestFile::load(&test.path) {
        Ok(file) => file,
        Err(e) => return runner_failure(e.to_string()),
    };
    let expectation = Expectation::of(&file, negative);
    let Some(source) = file.program() else {
        return runner_failure("no program (no `-- asm` or `-- raw` instructions)".into());
    };
    let outcome = match program_bytes(source) {
        Ok(bytes) => {
            if let Some(reason) = skip_reason(engine, &file, &bytes, options) {
                return Verdict::Skip(reason);
            }
            let run_options = RunOptions {
                budget: file.budget,
            };
            engine.run(&bytes, &file.mem, &run_options)
        }
        Err(failure) => Outcome::Err(failure),
    };
    match expectation.judge(&outcome) {
        Ok(()) => Verdict::Pass,
        Err(reason) => Verdict::Fail(reason),
    }
}

/// Why a test that would otherwise run is skipped on `engine`.
fn skip_reason(
    engine: &dyn Engine,
    file: &TestFile,
    bytes: &[u8],
    options: &RunnerOptions,
) -> Option<String> {
    if file.budget.is_some() && !engine.enforces_budget() {
        return Some(format!(
            "needs an instruction budget, which engine {} does not enforce",
            engine.name()
        ));
    }
    // Programs that do not decode are left to the engine to refuse.
    let insns = decode_program(bytes).ok()?;
    let missing = insns
        .iter()
        .map(|i| i.spec().group)
        .find(|g| !options.groups.contains(g))?;
    Some(format!(
        "uses group {}, which is not enabled",
        missing.name()
    ))
}

/// An assembler error with the test-file line it refers to.
#[derive(Debug, thiserror::Error)]
#[error("asm section{}: {source}", file_line.map(|l| format!(" (file line {l})")).unwrap_or_default())]
pub struct AssembleError {
    /// The line of the test file, when the error concerns one line.
    pub file_line: Option<usize>,
    /// The assembler's error.
    pub source: asm::AsmError,
}

/// The instruction bytes of a test's program.
fn program_bytes(source: ProgramSource<'_>) -> Result<Vec<u8>, Failure> {
    match source {
        ProgramSource::Raw(bytes) => Ok(bytes.to_vec()),
        ProgramSource::Asm(text) => assemble(text),
    }
}

fn assemble(text: &AsmText) -> Result<Vec<u8>, Failure> {
    asm::assemble(&text.text)
        .map(|insns| encode_program(&insns))
        .map_err(|source| {
            let file_line = source.line().map(|k| text.file_line(k));
            Failure::new(Stage::Assemble, AssembleError { file_line, source })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::InterpEngine;
    use std::fs;

    /// A scratch directory removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("ferrobpf-runner-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(dir.join("suite/negative")).unwrap();
            Scratch(dir)
        }

        fn write(&self, name: &str, text: &str) {
            fs::write(self.0.join("suite").join(name), text).unwrap();
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn verdicts(summary: &Summary) -> Vec<(String, Verdict)> {
        summary
            .reports
            .iter()
            .map(|r| (r.name.clone(), r.verdict.clone()))
            .collect()
    }

    #[test]
    fn judges_a_small_suite_in_order() {
        let s = Scratch::new("suite");
        s.write("b-pass.data", "-- asm\nmov %r0, 7\nexit\n-- result\n7\n");
        s.write(
            "a-mismatch.data",
            "-- asm\nmov %r0, 7\nexit\n-- result\n0x8\n",
        );
        s.write(
            "c-oob.data",
            "-- asm\nldxb %r0, [%r1+9]\nexit\n-- mem\n00\n-- error\nout of bounds\n",
        );
        s.write(
            "d-budget.data",
            "-- asm\nl:\nja l\nexit\n-- budget\n5\n-- error\nbudget exhausted\n",
        );
        s.write("e-parse.data", "oops\n");
        s.write("notes.txt", "ignored");
        s.write("negative/empty.data", "# nothing\n");
        s.write("negative/bad-asm.data", "-- asm\nfoo %r0\n-- result\n1\n");
        s.write(
            "negative/matches.data",
            "-- asm\nmov %r0, 1\nexit\n-- result\n1\n",
        );
        let summary = run_paths(
            &InterpEngine::new(),
            &[s.0.join("suite")],
            &RunnerOptions::default(),
        );
        let names: Vec<_> = summary.reports.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "suite/a-mismatch.data",
                "suite/b-pass.data",
                "suite/c-oob.data",
                "suite/d-budget.data",
                "suite/e-parse.data",
                "suite/negative/bad-asm.data",
                "suite/negative/empty.data",
                "suite/negative/matches.data",
            ]
        );
        let v = verdicts(&summary);
        assert_eq!(v[0].1, Verdict::Fail("r0 = 0x7, expected 0x8".into()));
        assert_eq!(v[1].1, Verdict::Pass);
        assert_eq!(v[2].1, Verdict::Pass);
        assert_eq!(v[3].1, Verdict::Pass);
        assert!(
            matches!(&v[4].1, Verdict::Fail(r) if r.contains("line 1")),
            "{:?}",
            v[4]
        );
        assert_eq!(v[5].1, Verdict::Pass);
        assert_eq!(v[6].1, Verdict::Pass);
        assert!(matches!(v[7].1, Verdict::Fail(_)));
        assert_eq!(summary.totals(), "5 passed, 3 failed, 0 skipped");
        let text = summary.to_string();
        assert!(
            text.starts_with("FAIL suite/a-mismatch.data: r0 = 0x7"),
            "{text}"
        );
        assert!(text.ends_with("\n5 passed, 3 failed, 0 skipped"), "{text}");
    }

    #[test]
    fn skips_disabled_groups_and_unenforced_budgets() {
        let s = Scratch::new("skips");
        s.write(
            "callx.data",
            "-- asm\nmov %r2, 5\ncall %r2\nexit\n-- result\n0\n",
        );
        let only_base = RunnerOptions {
            groups: vec![Group::Base32, Group::Base64],
        };
        let file = s.0.join("suite/callx.data");
        let summary = run_paths(
            &InterpEngine::new(),
            std::slice::from_ref(&file),
            &only_base,
        );
        assert_eq!(summary.reports[0].name, "callx.data");
        assert_eq!(
            summary.reports[0].verdict,
            Verdict::Skip("uses group callx, which is not enabled".into())
        );
        let all = run_paths(&InterpEngine::new(), &[file], &RunnerOptions::default());
        assert_eq!(all.passed(), 1, "{all}");
    }

    #[test]
    fn asm_errors_name_the_file_line() {
        let text = "# c\n-- asm\nmov %r0, 1\nmov %r50, 1\nexit\n";
        let file = TestFile::parse(text).unwrap();
        let Some(ProgramSource::Asm(asm)) = file.program() else {
            panic!("asm expected")
        };
        let failure = assemble(asm).unwrap_err();
        assert_eq!(failure.stage, Stage::Assemble);
        assert!(
            failure.message().starts_with("asm section (file line 4): "),
            "{failure}"
        );
    }

    #[test]
    fn missing_paths_fail() {
        let summary = run_paths(
            &InterpEngine::new(),
            &[PathBuf::from("/nonexistent/ferrobpf.data")],
            &RunnerOptions::default(),
        );
        assert_eq!(summary.failed(), 1);
    }
}
