//! A small wrapper over the Linux `bpf()` system call: array maps, program load and
//! `BPF_PROG_TEST_RUN`. This is the only module of the crate with `unsafe` code.
//!
//! Every file descriptor is an [`OwnedFd`], closed when dropped, on every path. The
//! attribute structs are prefixes of the kernel's `union bpf_attr` members; the kernel
//! zero-fills the fields we do not pass.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `enum bpf_cmd` values used here.
#[derive(Copy, Clone, Debug)]
#[repr(i32)]
enum Cmd {
    MapCreate = 0,
    MapLookupElem = 1,
    MapUpdateElem = 2,
    ProgLoad = 5,
    ProgTestRun = 10,
}

/// `BPF_MAP_TYPE_ARRAY`.
const MAP_TYPE_ARRAY: u32 = 2;
/// `BPF_ANY`: create or update.
const UPDATE_ANY: u64 = 0;

/// `BPF_MAP_CREATE` attributes (prefix).
#[repr(C)]
struct MapCreateAttr {
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
}

/// `BPF_MAP_*_ELEM` attributes.
#[repr(C)]
struct MapElemAttr {
    map_fd: u32,
    pad: u32,
    key: u64,
    value: u64,
    flags: u64,
}

/// `BPF_PROG_LOAD` attributes (prefix).
#[repr(C)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
}

/// `BPF_PROG_TEST_RUN` attributes (prefix).
#[repr(C)]
struct TestRunAttr {
    prog_fd: u32,
    retval: u32,
    data_size_in: u32,
    data_size_out: u32,
    data_in: u64,
    data_out: u64,
    repeat: u32,
    duration: u32,
}

/// Calls `bpf(cmd, attr, size_of::<T>())`.
///
/// # Safety
/// Every pointer stored in `attr` must be null or valid for the access the kernel makes
/// through it for `cmd` (reads or writes of the lengths given in `attr`) for the
/// duration of the call.
unsafe fn bpf<T>(cmd: Cmd, attr: &mut T) -> io::Result<libc::c_long> {
    let size = std::mem::size_of::<T>() as libc::c_uint;
    let attr: *mut T = attr;
    // SAFETY: `attr` points to a live, initialised `T` of `size` bytes that the kernel
    // reads (and for some commands writes) in place; the caller guarantees the
    // pointers it contains.
    let ret = unsafe { libc::syscall(libc::SYS_bpf, cmd as libc::c_int, attr, size) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Takes ownership of a descriptor the kernel just returned.
fn owned_fd(ret: libc::c_long) -> io::Result<OwnedFd> {
    let raw = libc::c_int::try_from(ret).map_err(|_| io::Error::other("bad descriptor"))?;
    // SAFETY: `raw` is a new descriptor returned by a successful bpf() call; nothing
    // else owns it, so the `OwnedFd` is its only owner and closes it exactly once.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

fn fd_u32(fd: &OwnedFd) -> u32 {
    fd.as_raw_fd() as u32
}

/// A `BPF_MAP_TYPE_ARRAY` map with 4-byte keys.
#[derive(Debug)]
pub struct ArrayMap {
    fd: OwnedFd,
    value_size: usize,
    max_entries: u32,
}

impl ArrayMap {
    /// Creates an array of `max_entries` values of `value_size` bytes, all zero.
    pub fn create(value_size: usize, max_entries: u32) -> io::Result<ArrayMap> {
        let mut attr = MapCreateAttr {
            map_type: MAP_TYPE_ARRAY,
            key_size: 4,
            value_size: u32::try_from(value_size)
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?,
            max_entries,
            map_flags: 0,
        };
        // SAFETY: the attribute holds no pointers.
        let ret = unsafe { bpf(Cmd::MapCreate, &mut attr) }?;
        Ok(ArrayMap {
            fd: owned_fd(ret)?,
            value_size,
            max_entries,
        })
    }

    /// The map's descriptor, for `BPF_PSEUDO_MAP_VALUE` references.
    pub fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// Size of one value in bytes.
    pub fn value_size(&self) -> usize {
        self.value_size
    }

    fn check_index(&self, index: u32) -> io::Result<()> {
        if index < self.max_entries {
            Ok(())
        } else {
            Err(io::Error::from(io::ErrorKind::InvalidInput))
        }
    }

    /// Writes `value` (exactly [`ArrayMap::value_size`] bytes) at `index`.
    pub fn update(&self, index: u32, value: &[u8]) -> io::Result<()> {
        self.check_index(index)?;
        if value.len() != self.value_size {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        let key = index.to_ne_bytes();
        let mut attr = MapElemAttr {
            map_fd: fd_u32(&self.fd),
            pad: 0,
            key: key.as_ptr() as u64,
            value: value.as_ptr() as u64,
            flags: UPDATE_ANY,
        };
        // SAFETY: `key` is 4 readable bytes (the map's key size) and `value` is
        // `value_size` readable bytes (checked above); both outlive the call.
        unsafe { bpf(Cmd::MapUpdateElem, &mut attr) }.map(drop)
    }

    /// Reads the value at `index`.
    pub fn lookup(&self, index: u32) -> io::Result<Vec<u8>> {
        self.check_index(index)?;
        let key = index.to_ne_bytes();
        let mut value = vec![0u8; self.value_size];
        let mut attr = MapElemAttr {
            map_fd: fd_u32(&self.fd),
            pad: 0,
            key: key.as_ptr() as u64,
            value: value.as_mut_ptr() as u64,
            flags: 0,
        };
        // SAFETY: `key` is 4 readable bytes; `value` is `value_size` writable bytes,
        // exactly what the kernel copies out of an array map of this value size.
        unsafe { bpf(Cmd::MapLookupElem, &mut attr) }?;
        Ok(value)
    }
}

/// `enum bpf_prog_type` values used here.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ProgType {
    /// `BPF_PROG_TYPE_SCHED_CLS` (tc classifier).
    SchedCls = 3,
    /// `BPF_PROG_TYPE_XDP`.
    Xdp = 6,
}

/// How much verifier log to ask for when loading.
#[derive(Debug)]
pub enum VerifierLog<'a> {
    /// No log.
    None,
    /// `log_level` 1 into this buffer (the kernel keeps the end when it overflows).
    Into(&'a mut [u8]),
}

/// A loaded program.
#[derive(Debug)]
pub struct LoadedProgram {
    fd: OwnedFd,
}

/// What `BPF_PROG_TEST_RUN` reported.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TestRunReport {
    /// The program's return value.
    pub retval: u32,
    /// Average run time in nanoseconds over the repetitions.
    pub duration_ns: u32,
}

impl LoadedProgram {
    /// Loads `insns` (whole 8-byte instructions) as a program of type `prog_type`.
    pub fn load(
        prog_type: ProgType,
        insns: &[u8],
        license: &CStr,
        name: &str,
        log: VerifierLog<'_>,
    ) -> io::Result<LoadedProgram> {
        if !insns.len().is_multiple_of(8) {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        let insn_cnt = u32::try_from(insns.len() / 8)
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let (log_level, log_size, log_buf) = match log {
            VerifierLog::None => (0, 0, 0),
            VerifierLog::Into(buf) => {
                let size = u32::try_from(buf.len()).unwrap_or(u32::MAX);
                (1, size, buf.as_mut_ptr() as u64)
            }
        };
        let mut prog_name = [0u8; 16];
        for (slot, byte) in prog_name.iter_mut().take(15).zip(name.bytes()) {
            *slot = byte;
        }
        let mut attr = ProgLoadAttr {
            prog_type: prog_type as u32,
            insn_cnt,
            insns: insns.as_ptr() as u64,
            license: license.as_ptr() as u64,
            log_level,
            log_size,
            log_buf,
            kern_version: 0,
            prog_flags: 0,
            prog_name,
        };
        // SAFETY: `insns` is `insn_cnt * 8` readable bytes, `license` is NUL-terminated,
        // the log buffer (if any) is `log_size` writable bytes (`log_size` is never more
        // than its length); all outlive the call.
        let ret = unsafe { bpf(Cmd::ProgLoad, &mut attr) }?;
        Ok(LoadedProgram { fd: owned_fd(ret)? })
    }

    /// Runs the program `repeat` times (at least once) over a copy of `data`; the
    /// packet after the last run is written to `data_out` (truncated to its length).
    pub fn test_run(
        &self,
        data: &[u8],
        data_out: &mut [u8],
        repeat: u32,
    ) -> io::Result<TestRunReport> {
        let too_big = || io::Error::from(io::ErrorKind::InvalidInput);
        let mut attr = TestRunAttr {
            prog_fd: fd_u32(&self.fd),
            retval: 0,
            data_size_in: u32::try_from(data.len()).map_err(|_| too_big())?,
            data_size_out: u32::try_from(data_out.len()).map_err(|_| too_big())?,
            data_in: data.as_ptr() as u64,
            // A zero `data_size_out` means "unbounded" to the kernel: pass no buffer then.
            data_out: if data_out.is_empty() {
                0
            } else {
                data_out.as_mut_ptr() as u64
            },
            repeat,
            duration: 0,
        };
        // SAFETY: `data` is `data_size_in` readable bytes; `data_out` is null or
        // `data_size_out` (non-zero) writable bytes, and the kernel truncates its copy to
        // that size (reporting ENOSPC).
        unsafe { bpf(Cmd::ProgTestRun, &mut attr) }?;
        Ok(TestRunReport {
            retval: attr.retval,
            duration_ns: attr.duration,
        })
    }
}
