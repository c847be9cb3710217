//! A small wrapper over the Linux `bpf()` system call: maps of any type, program load,
//! `BPF_PROG_TEST_RUN` and object ids. This is the only module of the crate with
//! `unsafe` code.
//!
//! Every file descriptor is an [`OwnedFd`], closed when dropped, on every path. The
//! attribute structs are prefixes of the kernel's `union bpf_attr` members; the kernel
//! zero-fills the fields we do not pass. Every buffer the kernel reads or writes is
//! sized here from what the kernel will access (a [`KernelMap`] remembers its key and
//! value sizes), so the safe functions of this module cannot make the kernel touch
//! memory outside a Rust buffer. The structs have no implicit padding (the kernel
//! refuses non-zero bytes after the fields it knows).

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

/// `enum bpf_cmd` values used here.
#[derive(Copy, Clone, Debug)]
#[repr(i32)]
enum Cmd {
    MapCreate = 0,
    MapLookupElem = 1,
    MapUpdateElem = 2,
    MapDeleteElem = 3,
    MapGetNextKey = 4,
    ProgLoad = 5,
    ProgTestRun = 10,
    ObjGetInfoByFd = 15,
    BtfLoad = 18,
    MapLookupAndDeleteElem = 21,
    MapFreeze = 22,
}

/// Length of the kernel's object names (`BPF_OBJ_NAME_LEN`), NUL included.
const OBJ_NAME_LEN: usize = 16;

/// `BPF_MAP_CREATE` attributes (prefix).
#[repr(C)]
struct MapCreateAttr {
    map_type: u32,
    key_size: u32,
    value_size: u32,
    max_entries: u32,
    map_flags: u32,
    inner_map_fd: u32,
    numa_node: u32,
    map_name: [u8; OBJ_NAME_LEN],
    map_ifindex: u32,
    btf_fd: u32,
    btf_key_type_id: u32,
    btf_value_type_id: u32,
    btf_vmlinux_value_type_id: u32,
    map_extra: u64,
}

/// `BPF_MAP_*_ELEM` and `BPF_MAP_FREEZE` attributes.
#[repr(C)]
struct MapElemAttr {
    map_fd: u32,
    pad: u32,
    key: u64,
    /// `value`, or `next_key` for `BPF_MAP_GET_NEXT_KEY`.
    value: u64,
    flags: u64,
}

/// `BPF_PROG_LOAD` attributes (prefix, up to `line_info_rec_size`).
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
    prog_name: [u8; OBJ_NAME_LEN],
    prog_ifindex: u32,
    expected_attach_type: u32,
    prog_btf_fd: u32,
    func_info_rec_size: u32,
    func_info: u64,
    func_info_cnt: u32,
    line_info_rec_size: u32,
}

/// `BPF_BTF_LOAD` attributes (prefix).
#[repr(C)]
struct BtfLoadAttr {
    btf: u64,
    btf_log_buf: u64,
    btf_size: u32,
    btf_log_size: u32,
    btf_log_level: u32,
    btf_log_true_size: u32,
}

/// One `struct bpf_func_info` record: the BTF `FUNC` type of the function that
/// starts at an instruction.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct FuncInfo {
    /// First instruction of the function.
    pub insn_off: u32,
    /// Its `BTF_KIND_FUNC` type id.
    pub type_id: u32,
}

/// `BPF_PROG_TEST_RUN` attributes.
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
    ctx_size_in: u32,
    ctx_size_out: u32,
    ctx_in: u64,
    ctx_out: u64,
    flags: u32,
    cpu: u32,
    batch_size: u32,
    pad: u32,
}

/// `BPF_OBJ_GET_INFO_BY_FD` attributes.
#[repr(C)]
struct InfoAttr {
    bpf_fd: u32,
    info_len: u32,
    info: u64,
}

/// Calls `bpf(cmd, attr, size_of::<T>())`.
///
/// # Safety
/// Every pointer stored in `attr` must be null or valid for the access the kernel makes
/// through it for `cmd` (reads or writes of the lengths given in `attr` or implied by
/// the map or program it names) for the duration of the call.
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

/// A descriptor as the kernel's attributes hold it.
pub fn fd_u32(fd: BorrowedFd<'_>) -> u32 {
    fd.as_raw_fd() as u32
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

fn len_u32(len: usize, what: &str) -> io::Result<u32> {
    u32::try_from(len).map_err(|_| invalid(what))
}

/// A kernel object name: at most 15 bytes of letters, digits, `_` and `.` (the only
/// characters the kernel accepts), others replaced by `_`, NUL-terminated.
fn object_name(name: &str) -> [u8; OBJ_NAME_LEN] {
    let mut out = [0u8; OBJ_NAME_LEN];
    for (slot, byte) in out.iter_mut().take(OBJ_NAME_LEN - 1).zip(name.bytes()) {
        *slot = if byte.is_ascii_alphanumeric() || byte == b'.' {
            byte
        } else {
            b'_'
        };
    }
    out
}

/// Number of possible CPUs (`/sys/devices/system/cpu/possible`, as libbpf counts
/// them): per-CPU map values hold one slot per possible CPU.
pub fn possible_cpus() -> io::Result<u32> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/possible")?;
    parse_cpu_list(text.trim()).ok_or_else(|| io::Error::other(format!("bad CPU list {text:?}")))
}

/// Counts the CPUs of a list like `0-3,5,7-8`.
fn parse_cpu_list(text: &str) -> Option<u32> {
    let mut count = 0u32;
    for part in text.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let cpu = part.parse::<u32>().ok()?;
                (cpu, cpu)
            }
        };
        count = count.checked_add(last.checked_sub(first)?.checked_add(1)?)?;
    }
    (count > 0).then_some(count)
}

/// `enum bpf_map_type` values whose user-space values hold one slot per CPU.
const PERCPU_MAP_TYPES: [u32; 4] = [
    5,  // BPF_MAP_TYPE_PERCPU_HASH
    6,  // BPF_MAP_TYPE_PERCPU_ARRAY
    10, // BPF_MAP_TYPE_LRU_PERCPU_HASH
    21, // BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE
];

/// Whether user space sees values of this map type per CPU.
pub fn is_percpu(map_type: u32) -> bool {
    PERCPU_MAP_TYPES.contains(&map_type)
}

/// What `BPF_MAP_CREATE` is asked for.
#[derive(Copy, Clone, Debug)]
pub struct MapAttrs<'a> {
    /// `enum bpf_map_type`.
    pub map_type: u32,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Maximum number of entries.
    pub max_entries: u32,
    /// `BPF_F_*` creation flags.
    pub flags: u32,
    /// Template for the inner maps of a map of maps.
    pub inner_map: Option<BorrowedFd<'a>>,
    /// NUMA node (with `BPF_F_NUMA_NODE`).
    pub numa_node: u32,
    /// Name (made acceptable to the kernel and cut to 15 bytes).
    pub name: &'a str,
    /// Type-specific extra (`map_extra`).
    pub map_extra: u64,
}

impl MapAttrs<'_> {
    /// A map of `map_type` with these sizes, no flags and no name.
    pub fn new(map_type: u32, key_size: u32, value_size: u32, max_entries: u32) -> Self {
        MapAttrs {
            map_type,
            key_size,
            value_size,
            max_entries,
            flags: 0,
            inner_map: None,
            numa_node: 0,
            name: "",
            map_extra: 0,
        }
    }
}

/// A map in the kernel, with the sizes of the buffers its element commands use.
#[derive(Debug)]
pub struct KernelMap {
    fd: OwnedFd,
    map_type: u32,
    key_size: usize,
    value_size: usize,
    /// Bytes of a value as user space reads and writes it (per-CPU maps: one
    /// 8-byte-aligned slot per possible CPU).
    user_value_size: usize,
    cpus: u32,
}

/// `BPF_ANY`: create or update.
pub const UPDATE_ANY: u64 = 0;

impl KernelMap {
    /// Creates a map.
    pub fn create(attrs: &MapAttrs<'_>) -> io::Result<KernelMap> {
        let cpus = if is_percpu(attrs.map_type) {
            possible_cpus()?
        } else {
            1
        };
        let value_size = attrs.value_size as usize;
        let user_value_size = if is_percpu(attrs.map_type) {
            value_size
                .div_ceil(8)
                .checked_mul(8 * cpus as usize)
                .ok_or_else(|| invalid("per-CPU value size"))?
        } else {
            value_size
        };
        let mut attr = MapCreateAttr {
            map_type: attrs.map_type,
            key_size: attrs.key_size,
            value_size: attrs.value_size,
            max_entries: attrs.max_entries,
            map_flags: attrs.flags,
            inner_map_fd: attrs.inner_map.map_or(0, fd_u32),
            numa_node: attrs.numa_node,
            map_name: object_name(attrs.name),
            map_ifindex: 0,
            btf_fd: 0,
            btf_key_type_id: 0,
            btf_value_type_id: 0,
            btf_vmlinux_value_type_id: 0,
            map_extra: attrs.map_extra,
        };
        // SAFETY: the attribute holds no pointers.
        let ret = unsafe { bpf(Cmd::MapCreate, &mut attr) }?;
        Ok(KernelMap {
            fd: owned_fd(ret)?,
            map_type: attrs.map_type,
            key_size: attrs.key_size as usize,
            value_size,
            user_value_size,
            cpus,
        })
    }

    /// The map's descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// `enum bpf_map_type`.
    pub fn map_type(&self) -> u32 {
        self.map_type
    }

    /// Key size in bytes.
    pub fn key_size(&self) -> usize {
        self.key_size
    }

    /// Value size in bytes (of one CPU's value for per-CPU maps).
    pub fn value_size(&self) -> usize {
        self.value_size
    }

    /// Size of the values [`KernelMap::lookup`] returns and [`KernelMap::update`]
    /// takes: per-CPU maps hold one 8-byte-aligned slot per possible CPU.
    pub fn user_value_size(&self) -> usize {
        self.user_value_size
    }

    /// Possible CPUs (the number of slots of a per-CPU value; 1 for other maps).
    pub fn cpus(&self) -> u32 {
        self.cpus
    }

    fn check_key(&self, key: &[u8]) -> io::Result<()> {
        if key.len() == self.key_size {
            Ok(())
        } else {
            Err(invalid("key size"))
        }
    }

    fn check_value(&self, value: &[u8]) -> io::Result<()> {
        if value.len() == self.user_value_size {
            Ok(())
        } else {
            Err(invalid("value size"))
        }
    }

    /// A key pointer: null for maps without keys (queues, stacks).
    fn key_ptr(&self, key: &[u8]) -> u64 {
        if self.key_size == 0 {
            0
        } else {
            key.as_ptr() as u64
        }
    }

    fn elem(&self, key: u64, value: u64, flags: u64) -> MapElemAttr {
        MapElemAttr {
            map_fd: fd_u32(self.fd()),
            pad: 0,
            key,
            value,
            flags,
        }
    }

    /// Reads the value at `key` (`ENOENT` when there is none; queues and stacks:
    /// the next element, `key` empty).
    pub fn lookup(&self, key: &[u8]) -> io::Result<Vec<u8>> {
        self.read(Cmd::MapLookupElem, key)
    }

    /// Removes and returns the value at `key` (queues and stacks: pops, `key` empty).
    pub fn lookup_and_delete(&self, key: &[u8]) -> io::Result<Vec<u8>> {
        self.read(Cmd::MapLookupAndDeleteElem, key)
    }

    /// A command that copies the value at `key` out.
    fn read(&self, cmd: Cmd, key: &[u8]) -> io::Result<Vec<u8>> {
        self.check_key(key)?;
        let mut value = vec![0u8; self.user_value_size];
        let mut attr = self.elem(self.key_ptr(key), value.as_mut_ptr() as u64, 0);
        // SAFETY: `key` is `key_size` readable bytes (or null for key-less maps);
        // `value` is `user_value_size` writable bytes, what the kernel copies out for
        // this map type; both outlive the call.
        unsafe { bpf(cmd, &mut attr) }?;
        Ok(value)
    }

    /// Writes `value` at `key` with `BPF_ANY`/`BPF_NOEXIST`/`BPF_EXIST` `flags`
    /// (queues and stacks: pushes, `key` empty). Program arrays and maps of maps
    /// take a descriptor as a 4-byte value.
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> io::Result<()> {
        self.check_key(key)?;
        self.check_value(value)?;
        let mut attr = self.elem(self.key_ptr(key), value.as_ptr() as u64, flags);
        // SAFETY: `key` is `key_size` readable bytes (or null), `value` is
        // `user_value_size` readable bytes (checked above), what the kernel reads.
        unsafe { bpf(Cmd::MapUpdateElem, &mut attr) }.map(drop)
    }

    /// Deletes the element at `key`.
    pub fn delete(&self, key: &[u8]) -> io::Result<()> {
        self.check_key(key)?;
        let mut attr = self.elem(self.key_ptr(key), 0, 0);
        // SAFETY: `key` is `key_size` readable bytes (or null); no value is accessed.
        unsafe { bpf(Cmd::MapDeleteElem, &mut attr) }.map(drop)
    }

    /// The key after `key` (the first key for `None`); `Ok(None)` after the last.
    pub fn next_key(&self, key: Option<&[u8]>) -> io::Result<Option<Vec<u8>>> {
        if let Some(key) = key {
            self.check_key(key)?;
        }
        let mut next = vec![0u8; self.key_size];
        let key_ptr = key.map_or(0, |k| self.key_ptr(k));
        let mut attr = self.elem(key_ptr, next.as_mut_ptr() as u64, 0);
        // SAFETY: `key` is null or `key_size` readable bytes; `next` is `key_size`
        // writable bytes, what the kernel writes.
        match unsafe { bpf(Cmd::MapGetNextKey, &mut attr) } {
            Ok(_) => Ok(Some(next)),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Makes the map read-only for user space (`BPF_MAP_FREEZE`), so the verifier
    /// may treat program reads of a read-only map as constants.
    pub fn freeze(&self) -> io::Result<()> {
        let mut attr = self.elem(0, 0, 0);
        // SAFETY: the attribute holds no pointers.
        unsafe { bpf(Cmd::MapFreeze, &mut attr) }.map(drop)
    }

    /// The map's kernel id.
    pub fn id(&self) -> io::Result<u32> {
        object_id(self.fd())
    }
}

/// The kernel id of a map or program (`bpf_map_info.id` / `bpf_prog_info.id`: the
/// second 32-bit word of both info structs).
pub fn object_id(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let mut info = [0u32; 2];
    let mut attr = InfoAttr {
        bpf_fd: fd_u32(fd),
        info_len: std::mem::size_of_val(&info) as u32,
        info: info.as_mut_ptr() as u64,
    };
    // SAFETY: `info` is `info_len` writable bytes; the kernel writes at most
    // `info_len` bytes of its info struct.
    unsafe { bpf(Cmd::ObjGetInfoByFd, &mut attr) }?;
    Ok(info[1])
}

/// What `BPF_PROG_LOAD` is asked for.
#[derive(Copy, Clone, Debug)]
pub struct ProgAttrs<'a> {
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// `enum bpf_attach_type` the program will be attached with (0 when unused).
    pub expected_attach_type: u32,
    /// Instruction bytes (whole 8-byte instructions). Map references must be
    /// `BPF_PSEUDO_MAP_FD` / `BPF_PSEUDO_MAP_VALUE` descriptors.
    pub insns: &'a [u8],
    /// License (`GPL` for GPL-only helpers).
    pub license: &'a CStr,
    /// Name (made acceptable to the kernel and cut to 15 bytes).
    pub name: &'a str,
    /// `kern_version` (only old kprobe loaders needed it).
    pub kern_version: u32,
    /// `BPF_F_*` load flags.
    pub prog_flags: u32,
    /// BTF holding the `FUNC` types of `func_info` (needed by programs that take
    /// function addresses, e.g. for `bpf_loop`).
    pub btf: Option<BorrowedFd<'a>>,
    /// The function of each subprogram (empty without BTF).
    pub func_info: &'a [FuncInfo],
}

impl<'a> ProgAttrs<'a> {
    /// `insns` as a GPL program of `prog_type`, with nothing else set.
    pub fn new(prog_type: u32, insns: &'a [u8]) -> Self {
        ProgAttrs {
            prog_type,
            expected_attach_type: 0,
            insns,
            license: c"GPL",
            name: "",
            kern_version: 0,
            prog_flags: 0,
            btf: None,
            func_info: &[],
        }
    }
}

/// Smallest verifier log buffer the kernel accepts.
pub const MIN_LOG_SIZE: usize = 128;
/// Largest verifier log buffer the kernel accepts (`UINT_MAX >> 2`).
pub const MAX_LOG_SIZE: usize = (u32::MAX >> 2) as usize;

/// The (level, size, address) attribute fields of an optional log buffer: level 1
/// with a buffer of an accepted size, zeros without one; `what` names a refused size.
fn log_fields(log: Option<&mut [u8]>, what: &'static str) -> io::Result<(u32, u32, u64)> {
    match log {
        None => Ok((0, 0, 0)),
        Some(buf) if (MIN_LOG_SIZE..=MAX_LOG_SIZE).contains(&buf.len()) => {
            Ok((1, len_u32(buf.len(), "log size")?, buf.as_mut_ptr() as u64))
        }
        Some(_) => Err(invalid(what)),
    }
}

/// Loads a program (`BPF_PROG_LOAD`); `log`, if given (at least 128 bytes),
/// receives the verifier's log at `log_level` 1.
pub fn prog_load(attrs: &ProgAttrs<'_>, log: Option<&mut [u8]>) -> io::Result<OwnedFd> {
    if !attrs.insns.len().is_multiple_of(8) {
        return Err(invalid("program length is not a multiple of 8 bytes"));
    }
    let insn_cnt = len_u32(attrs.insns.len() / 8, "program length")?;
    let (log_level, log_size, log_buf) = log_fields(log, "verifier log buffer size")?;
    let mut attr = ProgLoadAttr {
        prog_type: attrs.prog_type,
        insn_cnt,
        insns: attrs.insns.as_ptr() as u64,
        license: attrs.license.as_ptr() as u64,
        log_level,
        log_size,
        log_buf,
        kern_version: attrs.kern_version,
        prog_flags: attrs.prog_flags,
        prog_name: object_name(attrs.name),
        prog_ifindex: 0,
        expected_attach_type: attrs.expected_attach_type,
        prog_btf_fd: attrs.btf.map_or(0, fd_u32),
        func_info_rec_size: std::mem::size_of::<FuncInfo>() as u32,
        func_info: if attrs.func_info.is_empty() {
            0
        } else {
            attrs.func_info.as_ptr() as u64
        },
        func_info_cnt: len_u32(attrs.func_info.len(), "func_info count")?,
        line_info_rec_size: 0,
    };
    // SAFETY: `insns` is `insn_cnt * 8` readable bytes, `license` is NUL-terminated,
    // the log buffer (if any) is exactly `log_size` writable bytes, `func_info` is
    // `func_info_cnt` records of `func_info_rec_size` readable bytes; all outlive the
    // call.
    let ret = unsafe { bpf(Cmd::ProgLoad, &mut attr) }?;
    owned_fd(ret)
}

/// Loads BTF type information (`BPF_BTF_LOAD`); `log`, if given (at least 128
/// bytes), receives the kernel's BTF verifier log.
pub fn btf_load(blob: &[u8], log: Option<&mut [u8]>) -> io::Result<OwnedFd> {
    let (level, size, buf) = log_fields(log, "BTF log buffer size")?;
    let mut attr = BtfLoadAttr {
        btf: blob.as_ptr() as u64,
        btf_log_buf: buf,
        btf_size: len_u32(blob.len(), "BTF size")?,
        btf_log_size: size,
        btf_log_level: level,
        btf_log_true_size: 0,
    };
    // SAFETY: `blob` is `btf_size` readable bytes and the log buffer (if any) exactly
    // `btf_log_size` writable bytes; both outlive the call.
    let ret = unsafe { bpf(Cmd::BtfLoad, &mut attr) }?;
    owned_fd(ret)
}

/// One `BPF_PROG_TEST_RUN`.
#[derive(Debug)]
pub struct TestRunAttrs<'a> {
    /// Packet (or other data) in.
    pub data_in: &'a [u8],
    /// Buffer for the data after the run (an empty buffer asks for none).
    pub data_out: &'a mut [u8],
    /// Context in (empty: the kernel builds a default one).
    pub ctx_in: &'a [u8],
    /// Buffer for the context after the run (an empty buffer asks for none).
    pub ctx_out: &'a mut [u8],
    /// Runs (at least one).
    pub repeat: u32,
    /// `BPF_F_TEST_*` flags.
    pub flags: u32,
    /// CPU (with `BPF_F_TEST_RUN_ON_CPU`).
    pub cpu: u32,
}

/// What `BPF_PROG_TEST_RUN` reported.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TestRunReport {
    /// The program's return value.
    pub retval: u32,
    /// Average run time in nanoseconds over the repetitions.
    pub duration_ns: u32,
    /// Bytes of data after the run (may exceed the `data_out` buffer: `ENOSPC`).
    pub data_size_out: u32,
    /// Bytes of context after the run.
    pub ctx_size_out: u32,
}

/// Runs a loaded program (`BPF_PROG_TEST_RUN`). The kernel truncates its copies to
/// the output buffers and then fails with `ENOSPC`.
pub fn prog_test_run(prog: BorrowedFd<'_>, attrs: TestRunAttrs<'_>) -> io::Result<TestRunReport> {
    // A zero output size means "unbounded" to the kernel: pass no buffer then.
    let out_ptr = |buf: &mut [u8]| {
        if buf.is_empty() {
            0
        } else {
            buf.as_mut_ptr() as u64
        }
    };
    let in_ptr = |buf: &[u8]| {
        if buf.is_empty() {
            0
        } else {
            buf.as_ptr() as u64
        }
    };
    let mut attr = TestRunAttr {
        prog_fd: fd_u32(prog),
        retval: 0,
        data_size_in: len_u32(attrs.data_in.len(), "data size")?,
        data_size_out: len_u32(attrs.data_out.len(), "data buffer size")?,
        data_in: in_ptr(attrs.data_in),
        data_out: out_ptr(attrs.data_out),
        repeat: attrs.repeat,
        duration: 0,
        ctx_size_in: len_u32(attrs.ctx_in.len(), "context size")?,
        ctx_size_out: len_u32(attrs.ctx_out.len(), "context buffer size")?,
        ctx_in: in_ptr(attrs.ctx_in),
        ctx_out: out_ptr(attrs.ctx_out),
        flags: attrs.flags,
        cpu: attrs.cpu,
        batch_size: 0,
        pad: 0,
    };
    // SAFETY: `data_in` / `ctx_in` are null or their sizes in readable bytes;
    // `data_out` / `ctx_out` are null or their (non-zero) sizes in writable bytes, and
    // the kernel truncates its copies to those sizes (reporting ENOSPC). All outlive
    // the call.
    unsafe { bpf(Cmd::ProgTestRun, &mut attr) }?;
    Ok(TestRunReport {
        retval: attr.retval,
        duration_ns: attr.duration,
        data_size_out: attr.data_size_out,
        ctx_size_out: attr.ctx_size_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("0"), Some(1));
        assert_eq!(parse_cpu_list("0-3"), Some(4));
        assert_eq!(parse_cpu_list("0-1,4,6-7"), Some(5));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list(""), None);
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn names_fit_the_kernel() {
        assert_eq!(&object_name(".data")[..6], b".data\0");
        assert_eq!(&object_name("a-b/c")[..6], b"a_b_c\0");
        let long = object_name("a_very_long_map_name_indeed");
        assert_eq!(long[15], 0);
        assert_eq!(&long[..15], b"a_very_long_map");
    }
}
