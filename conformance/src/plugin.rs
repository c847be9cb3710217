//! The bpf_conformance plugin protocol, so the upstream runner can drive any engine:
//!
//! ```text
//! <plugin> [<memory hex>] [--elf]      stdin: "<program hex>\n"
//! ```
//!
//! The memory, when given, is one argument of hex bytes (`"00  01  ff  "`); the program
//! comes on stdin as hex bytes of little-endian 8-byte instructions. On success the
//! plugin prints r0 in hex and exits 0; on failure it prints the error message and exits
//! [`EXIT_FAILED`]; bad arguments or input exit [`EXIT_USAGE`]. ELF input (`--elf`) is
//! not supported and refused with a message. Other options (such as uBPF's `--jit`) are
//! refused too: the engine is chosen by the caller.

use crate::engine::{Engine, RunOptions};
use crate::hex;

/// Exit code when the program was refused or failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code for bad arguments or unreadable input.
pub const EXIT_USAGE: i32 = 2;

/// What the plugin prints and its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginReply {
    /// Text for stdout (ends with a newline).
    pub stdout: String,
    /// Process exit code.
    pub exit_code: i32,
}

impl PluginReply {
    fn usage(message: String) -> PluginReply {
        PluginReply {
            stdout: format!("{message}\n"),
            exit_code: EXIT_USAGE,
        }
    }
}

/// Runs one plugin invocation: `args` are the arguments after the subcommand (engine
/// selection already removed by the caller), `stdin` the program text.
pub fn run_plugin(engine: &dyn Engine, args: &[String], stdin: &str) -> PluginReply {
    let mut memory_hex: Option<&str> = None;
    for arg in args {
        if arg == "--elf" {
            return PluginReply::usage(
                "ELF input (--elf) is not supported: pass the program as hex instructions".into(),
            );
        }
        if arg.starts_with("--") {
            return PluginReply::usage(format!("unknown plugin option `{arg}`"));
        }
        if memory_hex.replace(arg).is_some() {
            return PluginReply::usage("more than one memory argument".into());
        }
    }
    let memory = match hex::parse_bytes(memory_hex.unwrap_or("")) {
        Ok(bytes) => bytes,
        Err(e) => return PluginReply::usage(format!("memory argument: {e}")),
    };
    let program = match hex::parse_bytes(stdin) {
        Ok(bytes) if bytes.is_empty() => return PluginReply::usage("no program on stdin".into()),
        Ok(bytes) => bytes,
        Err(e) => return PluginReply::usage(format!("program on stdin: {e}")),
    };
    if let Some(reason) = engine.unavailable() {
        return PluginReply {
            stdout: format!("engine {} is unavailable: {reason}\n", engine.name()),
            exit_code: EXIT_FAILED,
        };
    }
    match engine.run(&program, &memory, &RunOptions::default()) {
        Ok(done) => PluginReply {
            stdout: format!("{:x}\n", done.r0),
            exit_code: 0,
        },
        Err(failure) => PluginReply {
            stdout: format!("{}\n", failure.message()),
            exit_code: EXIT_FAILED,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Completion, Failure, Outcome, Stage};

    /// r0 = memory length << 8 | program length; programs of 16 bytes fail.
    struct Lengths;

    impl Engine for Lengths {
        fn name(&self) -> &str {
            "lengths"
        }
        fn unavailable(&self) -> Option<&str> {
            None
        }
        fn enforces_budget(&self) -> bool {
            false
        }
        fn run(&self, program: &[u8], memory: &[u8], _: &RunOptions) -> Outcome {
            if program.len() == 16 {
                return Err(Failure::new(Stage::Load, "too long".to_string()));
            }
            Ok(Completion {
                r0: (memory.len() as u64) << 8 | program.len() as u64,
                memory: memory.to_vec(),
            })
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const EXIT: &str = "95  00  00  00  00  00  00  00  \n";

    #[test]
    fn prints_r0_in_hex() {
        let reply = run_plugin(&Lengths, &args(&["00  01  02  "]), EXIT);
        assert_eq!(
            reply,
            PluginReply {
                stdout: "308\n".into(),
                exit_code: 0
            }
        );
        let reply = run_plugin(&Lengths, &[], EXIT);
        assert_eq!(reply.stdout, "8\n");
    }

    #[test]
    fn failures_print_the_message() {
        let two = format!("{}{}", EXIT.trim_end_matches('\n'), EXIT);
        let reply = run_plugin(&Lengths, &[], &two);
        assert_eq!(
            reply,
            PluginReply {
                stdout: "too long\n".into(),
                exit_code: EXIT_FAILED
            }
        );
    }

    #[test]
    fn refuses_bad_input() {
        for (argv, stdin) in [
            (args(&["--elf"]), EXIT),
            (args(&["--jit"]), EXIT),
            (args(&["00", "01"]), EXIT),
            (args(&["0g"]), EXIT),
            (args(&[]), "zz"),
            (args(&[]), "\n"),
        ] {
            let reply = run_plugin(&Lengths, &argv, stdin);
            assert_eq!(reply.exit_code, EXIT_USAGE, "{argv:?} {stdin:?}");
        }
        assert!(run_plugin(&Lengths, &args(&["--elf"]), EXIT)
            .stdout
            .contains("not supported"));
    }
}
