//! Test-only access to the Linux kernel's verifier through the bpf() system call:
//! create maps, load a program, read the verdict and the last log line.

use ferrobpf_verifier::{MapInfo, ProgType};
use ferrobpf_vm::isa::{Pseudo, Semantics};
use ferrobpf_vm::{encode_program, Insn, Op};

const BPF_MAP_CREATE: libc::c_long = 0;
const BPF_PROG_LOAD: libc::c_long = 5;

/// The kernel's answer for one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelVerdict {
    /// Whether the program loaded.
    pub accepted: bool,
    /// The last non-empty line of the verifier log (empty if accepted).
    pub reason: String,
}

/// `union bpf_attr` for BPF_MAP_CREATE (the leading fields; the rest stays zero).
#[repr(C)]
#[derive(Default)]
struct MapCreateAttr {
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    pad: [u32; 27],
}

/// `union bpf_attr` for BPF_PROG_LOAD (the leading fields; the rest stays zero).
#[repr(C)]
#[derive(Default)]
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
    pad: [u32; 24],
}

/// An open file descriptor, closed on drop.
struct Fd(i32);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor was returned by bpf() and is owned by this value alone.
        unsafe {
            libc::close(self.0);
        }
    }
}

fn bpf<T>(cmd: libc::c_long, attr: &mut T) -> i64 {
    // SAFETY: `attr` is a live, properly sized `repr(C)` prefix of `union bpf_attr`;
    // the kernel reads at most `size_of::<T>()` bytes and writes only into buffers the
    // attribute points to, which the callers keep alive across the call.
    unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr as *mut T as *mut libc::c_void,
            std::mem::size_of::<T>() as libc::c_uint,
        ) as i64
    }
}

fn create_map(m: &MapInfo) -> Result<Fd, String> {
    let mut attr = MapCreateAttr {
        map_type: m.map_type.ok_or("unimplemented map type")?.kernel_id(),
        key_size: m.key_size,
        value_size: m.value_size,
        max_entries: m.max_entries,
        map_flags: if m.read_only { 1 << 7 } else { 0 },
        ..Default::default()
    };
    let fd = bpf(BPF_MAP_CREATE, &mut attr);
    if fd < 0 {
        return Err(format!(
            "map create failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(Fd(fd as i32))
}

fn prog_load(bytes: &[u8], prog_type: &ProgType, log: Option<&mut Vec<u8>>) -> Result<i64, String> {
    let license = b"GPL\0";
    let (log_level, log_size, log_buf) = match log {
        Some(l) => (1, l.len() as u32, l.as_mut_ptr() as u64),
        None => (0, 0, 0),
    };
    let mut attr = ProgLoadAttr {
        prog_type: prog_type.kernel_id().ok_or("host type")?,
        insn_cnt: (bytes.len() / 8) as u32,
        insns: bytes.as_ptr() as u64,
        license: license.as_ptr() as u64,
        log_level,
        log_size,
        log_buf,
        ..Default::default()
    };
    Ok(bpf(BPF_PROG_LOAD, &mut attr))
}

/// Loads `insns` (map references by index into `maps`) into the kernel as root.
pub fn load(
    insns: &[Insn],
    maps: &[MapInfo],
    prog_type: &ProgType,
) -> Result<KernelVerdict, String> {
    let fds = maps.iter().map(create_map).collect::<Result<Vec<_>, _>>()?;
    let mut patched = insns.to_vec();
    for insn in &mut patched {
        // Map table indices (as the ELF loader writes them) become file descriptors.
        match insn.spec().semantics {
            Semantics::Lddw(Pseudo::MapIdx) => {
                *insn = Insn::new(Op::LddwMapFd, insn.dst, 0, 0, insn.imm)
            }
            Semantics::Lddw(Pseudo::MapIdxValue) => {
                *insn = Insn::new(Op::LddwMapValue, insn.dst, 0, 0, insn.imm)
            }
            _ => {}
        }
        if let Semantics::Lddw(Pseudo::MapFd | Pseudo::MapValue) = insn.spec().semantics {
            let idx = insn.imm as u32 as usize;
            if let Some(fd) = fds.get(idx) {
                insn.imm = (insn.imm & !0xffff_ffff) | i64::from(fd.0 as u32);
            }
        }
    }
    let bytes = encode_program(&patched);
    // First without a log (a large log may not fit), then with one for the reason.
    let fd = prog_load(&bytes, prog_type, None)?;
    if fd >= 0 {
        drop(Fd(fd as i32));
        return Ok(KernelVerdict {
            accepted: true,
            reason: String::new(),
        });
    }
    let mut log = vec![0u8; 1 << 24];
    prog_load(&bytes, prog_type, Some(&mut log))?;
    let err = std::io::Error::last_os_error();
    let text =
        String::from_utf8_lossy(&log[..log.iter().position(|&b| b == 0).unwrap_or(0)]).into_owned();
    let reason = text
        .lines()
        .rev()
        .find(|l| {
            !l.trim().is_empty()
                && !l.starts_with("processed ")
                && !l.starts_with("verification time")
        })
        .unwrap_or("")
        .to_string();
    let reason = if reason.is_empty() {
        err.to_string()
    } else {
        reason
    };
    drop(fds);
    Ok(KernelVerdict {
        accepted: false,
        reason,
    })
}
