//! Loading a program into the kernel and running it with `BPF_PROG_TEST_RUN`: the
//! verifier log on a refusal, output buffers sized for packets that grow.

use super::sys::{self, ProgAttrs, TestRunAttrs, TestRunReport};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// Statistics lines the verifier appends after its verdict.
const LOG_STATS: [&str; 2] = ["processed ", "verification time"];
/// Room given to a packet to grow during a test run (XDP and tc programs may push
/// headers or extend the tail).
const DATA_HEADROOM: usize = 8192;

/// The kernel refused a program.
#[derive(Debug, thiserror::Error)]
#[error("refused by the kernel verifier: {}", self.reason())]
pub struct Refusal {
    /// The system error of the load.
    #[source]
    pub source: io::Error,
    /// The verifier log (empty if the kernel wrote none).
    pub log: String,
}

impl Refusal {
    /// The log's last lines that are not statistics, at most `count`, oldest first.
    pub fn last_lines(&self, count: usize) -> Vec<&str> {
        let lines: Vec<&str> = self
            .log
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !LOG_STATS.iter().any(|s| l.starts_with(s)))
            .collect();
        lines[lines.len().saturating_sub(count)..].to_vec()
    }

    /// The verifier's verdict: the log's last line that is not statistics, else the
    /// system error.
    pub fn reason(&self) -> String {
        self.last_lines(1)
            .first()
            .map_or_else(|| self.source.to_string(), |l| l.to_string())
    }
}

/// A program loaded in the kernel.
#[derive(Debug)]
pub struct KernelProgram {
    fd: OwnedFd,
}

/// What a test run gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestOutput {
    /// The program's return value.
    pub retval: u32,
    /// The data (packet) after the last run.
    pub data: Vec<u8>,
    /// The context after the last run (empty when none was passed in).
    pub ctx: Vec<u8>,
    /// Average nanoseconds per run.
    pub duration_ns: u32,
}

impl KernelProgram {
    /// Loads a program: first without a log (a large program's log may not fit), then,
    /// on a refusal, again with a log of `log_size` bytes to say why.
    pub fn load(attrs: &ProgAttrs<'_>, log_size: usize) -> Result<KernelProgram, Refusal> {
        let source = match sys::prog_load(attrs, None) {
            Ok(fd) => return Ok(KernelProgram { fd }),
            Err(e) => e,
        };
        let size = log_size.clamp(sys::MIN_LOG_SIZE, sys::MAX_LOG_SIZE);
        let mut log = vec![0u8; size];
        let log = match sys::prog_load(attrs, Some(&mut log)) {
            // Accepted the second time (should not happen): no log to show.
            Ok(_) => String::new(),
            Err(_) => {
                let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
                String::from_utf8_lossy(&log[..end]).into_owned()
            }
        };
        Err(Refusal { source, log })
    }

    /// The program's descriptor (for program arrays).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The program's kernel id.
    pub fn id(&self) -> io::Result<u32> {
        sys::object_id(self.fd())
    }

    /// Runs the program `repeat` times (at least once) over a copy of `data` and of
    /// `ctx` (none: the kernel's default context); returns what the last run left.
    pub fn test_run(&self, data: &[u8], ctx: Option<&[u8]>, repeat: u32) -> io::Result<TestOutput> {
        let mut data_out = vec![0u8; data.len() + DATA_HEADROOM];
        let ctx_in = ctx.unwrap_or_default();
        let mut ctx_out = vec![0u8; ctx_in.len()];
        let report: TestRunReport = sys::prog_test_run(
            self.fd(),
            TestRunAttrs {
                data_in: data,
                data_out: &mut data_out,
                ctx_in,
                ctx_out: &mut ctx_out,
                repeat,
                flags: 0,
                cpu: 0,
            },
        )?;
        data_out.truncate(report.data_size_out as usize);
        ctx_out.truncate(report.ctx_size_out as usize);
        Ok(TestOutput {
            retval: report.retval,
            data: data_out,
            ctx: ctx_out,
            duration_ns: report.duration_ns,
        })
    }
}
