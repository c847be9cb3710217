//! `bpf_trace_printk`: the kernel's restricted printf, to the host's trace sink.
//!
//! Accepted conversions, as the kernel accepts them: `%d %i %u %x %X` with
//! optional `l` / `ll`, `%c`, `%s` (a string read from the run's memory; unreadable
//! memory prints as an empty string), `%p` `%px` `%pK` (the raw value as 16 hex
//! digits, where the kernel may hash it), `%pks` `%pus` (strings), `%pi4` `%pI4`
//! `%pi6` `%pI6` (addresses read from memory), `%%`; flags `0 + - space` and a
//! width; at most three arguments; printable ASCII only. Anything else is
//! `-EINVAL`, as in the kernel.

use super::common::{err, read_bytes, EINVAL};
use super::HelperEnv;
use crate::helpers::{HelperContext, HelperError};

/// Size of the kernel's formatting buffer (`MAX_BPRINTF_BUF`).
const BUF: usize = 1024;
/// Most arguments (`MAX_TRACE_PRINTK_VARARGS`).
const MAX_ARGS: usize = 3;

/// `bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3)`: the number of bytes
/// written.
pub(super) fn trace_printk(
    env: &HelperEnv,
    ctx: &mut HelperContext<'_, '_>,
    a: [u64; 5],
) -> Result<u64, HelperError> {
    let fmt = read_bytes(ctx, a[0], a[1])?;
    let mut read_mem = |addr: u64, len: usize| read_bytes(ctx, addr, len as u64).ok();
    let Some(text) = format_trace(&fmt, [a[2], a[3], a[4]], &mut read_mem) else {
        return err(EINVAL);
    };
    if let Some(sink) = &env.hooks.trace {
        // Guest bytes (`%c`, `%s`) need not be UTF-8: the sink gets them lossily.
        sink(&String::from_utf8_lossy(&text));
    }
    Ok(text.len() as u64)
}

/// Formats `fmt` (bytes up to the first NUL, which must be there) with `args` as
/// the kernel does, into bytes (`%c` and `%s` copy guest bytes as they are);
/// `read(addr, len)` reads guest memory for `%s` and the address conversions.
/// `None` when the kernel would refuse the format.
pub fn format_trace(
    fmt: &[u8],
    args: [u64; 3],
    read: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let end = fmt.iter().position(|&b| b == 0)?;
    let fmt = &fmt[..end];
    if fmt
        .iter()
        .any(|&b| !(b.is_ascii_graphic() || b.is_ascii_whitespace()))
    {
        return None;
    }
    let mut out = Vec::new();
    let mut next_arg = 0usize;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = fmt.get(i) {
            match f {
                b'0' => spec.zero = true,
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        while let Some(d) = fmt.get(i).filter(|d| d.is_ascii_digit()) {
            // Saturates: the output never exceeds `BUF` bytes, so neither does a width.
            spec.width = (spec.width * 10 + usize::from(d - b'0')).min(BUF);
            i += 1;
        }
        if next_arg >= MAX_ARGS {
            return None;
        }
        let arg = args[next_arg];
        next_arg += 1;
        let body = match fmt.get(i)? {
            b'c' => {
                i += 1;
                vec![arg as u8]
            }
            b's' => {
                i += 1;
                read_string(arg, read)
            }
            b'p' => {
                i += 1;
                let (text, used) = pointer(&fmt[i..], arg, read)?;
                i += used;
                text
            }
            _ => {
                let mut long = 0;
                while fmt.get(i) == Some(&b'l') && long < 2 {
                    long += 1;
                    i += 1;
                }
                let conv = *fmt.get(i)?;
                i += 1;
                integer(conv, long > 0, arg, &spec)?.into_bytes()
            }
        };
        spec.pad(&mut out, &body);
    }
    if out.len() >= BUF {
        out.truncate(BUF - 1);
    }
    Some(out)
}

/// Flags and width of one conversion.
#[derive(Default)]
struct Spec {
    zero: bool,
    left: bool,
    plus: bool,
    space: bool,
    width: usize,
}

impl Spec {
    fn pad(&self, out: &mut Vec<u8>, body: &[u8]) {
        // Padding past the buffer would be truncated anyway: never allocate it.
        let room = BUF.saturating_sub(out.len() + body.len());
        let fill = self.width.saturating_sub(body.len()).min(room);
        if self.left {
            out.extend_from_slice(body);
            out.extend(std::iter::repeat_n(b' ', fill));
        } else if self.zero && matches!(body.first(), Some(b'-' | b'+' | b' ')) {
            let (sign, digits) = body.split_at(1);
            out.extend_from_slice(sign);
            out.extend(std::iter::repeat_n(b'0', fill));
            out.extend_from_slice(digits);
        } else {
            let c = if self.zero { b'0' } else { b' ' };
            out.extend(std::iter::repeat_n(c, fill));
            out.extend_from_slice(body);
        }
    }
}

fn integer(conv: u8, long: bool, arg: u64, spec: &Spec) -> Option<String> {
    let sign = |neg: bool| {
        if neg {
            "-"
        } else if spec.plus {
            "+"
        } else if spec.space {
            " "
        } else {
            ""
        }
    };
    Some(match (conv, long) {
        (b'd' | b'i', false) => {
            let v = arg as i32;
            format!("{}{}", sign(v < 0), v.unsigned_abs())
        }
        (b'd' | b'i', true) => {
            let v = arg as i64;
            format!("{}{}", sign(v < 0), v.unsigned_abs())
        }
        (b'u', false) => (arg as u32).to_string(),
        (b'u', true) => arg.to_string(),
        (b'x', false) => format!("{:x}", arg as u32),
        (b'x', true) => format!("{arg:x}"),
        (b'X', false) => format!("{:X}", arg as u32),
        (b'X', true) => format!("{arg:X}"),
        _ => return None,
    })
}

/// Reads a NUL-terminated string of at most `BUF` bytes.
fn read_string(addr: u64, read: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut s = Vec::new();
    for i in 0..BUF as u64 {
        match read(addr.wrapping_add(i), 1).and_then(|b| b.first().copied()) {
            Some(0) | None => break,
            Some(b) => s.push(b),
        }
    }
    s
}

/// A `%p` conversion; `rest` follows the `p`. Returns the text and how many more
/// format bytes it used.
fn pointer(
    rest: &[u8],
    arg: u64,
    read: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>,
) -> Option<(Vec<u8>, usize)> {
    let hex = format!("{arg:016x}");
    Some(match rest {
        [b'k' | b'u', b's', ..] => (read_string(arg, read), 2),
        [b'i' | b'I', b'4', ..] => {
            let b = read(arg, 4)?;
            let sep = if rest[0] == b'I' { "." } else { "" };
            let text = if sep.is_empty() {
                b.iter().map(|x| format!("{x:03}")).collect::<String>()
            } else {
                b.iter().map(u8::to_string).collect::<Vec<_>>().join(sep)
            };
            (text.into_bytes(), 2)
        }
        [b'i' | b'I', b'6', ..] => {
            let b = read(arg, 16)?;
            let groups: Vec<String> = b
                .chunks(2)
                .map(|g| format!("{:02x}{:02x}", g[0], g[1]))
                .collect();
            let sep = if rest[0] == b'I' { ":" } else { "" };
            (groups.join(sep).into_bytes(), 2)
        }
        [b'x' | b'K', ..] => (hex.into_bytes(), 1),
        [c, ..] if c.is_ascii_alphanumeric() => return None,
        _ => (hex.into_bytes(), 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(f: &str, args: [u64; 3]) -> Option<String> {
        fmt_bytes(f, args).map(|b| String::from_utf8(b).expect("ASCII output"))
    }

    fn fmt_bytes(f: &str, args: [u64; 3]) -> Option<Vec<u8>> {
        let mut bytes = f.as_bytes().to_vec();
        bytes.push(0);
        let mem = b"hello\0world";
        let base = 0x1000u64;
        let mut read = |addr: u64, len: usize| {
            let off = addr.checked_sub(base)? as usize;
            mem.get(off..off + len).map(<[u8]>::to_vec)
        };
        format_trace(&bytes, args, &mut read)
    }

    #[test]
    fn huge_widths_are_bounded_by_the_buffer() {
        // Found by fuzzing: widths grew without bound (100 GB for 14 bytes of format).
        let out = fmt("%99999999999d", [7, 0, 0]).unwrap();
        assert_eq!(out.len(), BUF - 1);
        assert!(out.bytes().all(|b| b == b' '));
        let digits = "9".repeat(40);
        let out = fmt(&format!("%0{digits}x|%-{digits}d"), [1, 2, 0]).unwrap();
        assert_eq!(out.len(), BUF - 1);
        assert!(out.starts_with("000"));
    }

    #[test]
    fn guest_bytes_are_counted_and_cut_as_bytes() {
        // Found by fuzzing: `%c` of a byte >= 0x80 became a two-byte character, and
        // cutting the output at 1,023 bytes split it (a panic).
        let out = fmt_bytes("a%4176cLL", [0xde, 0, 0]).unwrap();
        assert_eq!(out.len(), BUF - 1);
        let out = fmt_bytes(&format!("{}%c", "x".repeat(1022)), [0xde, 0, 0]).unwrap();
        assert_eq!((out.len(), out.last()), (BUF - 1, Some(&0xde)));
        assert_eq!(fmt_bytes("%c", [0xff, 0, 0]).unwrap(), [0xff]);
    }

    #[test]
    fn conversions() {
        assert_eq!(fmt("x=%d", [u64::MAX, 0, 0]).unwrap(), "x=-1");
        assert_eq!(fmt("%ld %lld", [u64::MAX, 5, 0]).unwrap(), "-1 5");
        assert_eq!(
            fmt("%u %lu", [u64::MAX, u64::MAX, 0]).unwrap(),
            "4294967295 18446744073709551615"
        );
        assert_eq!(
            fmt("%x %llX", [0xabcdef_12345678, 0xab, 0]).unwrap(),
            "12345678 AB"
        );
        assert_eq!(
            fmt("[%5d|%-4u|%05d]", [42, 7, (-3i64) as u64]).unwrap(),
            "[   42|7   |-0003]"
        );
        assert_eq!(fmt("%s!", [0x1000, 0, 0]).unwrap(), "hello!");
        assert_eq!(fmt("%s.", [0x9999, 0, 0]).unwrap(), ".");
        assert_eq!(fmt("%c%c", [0x41, 0x42, 0]).unwrap(), "AB");
        assert_eq!(fmt("100%%", [0; 3]).unwrap(), "100%");
        assert_eq!(fmt("%px", [0xff, 0, 0]).unwrap(), "00000000000000ff");
        assert_eq!(fmt("%pI4", [0x1000, 0, 0]).unwrap(), "104.101.108.108");
        assert_eq!(fmt("%+d % d", [5, 5, 0]).unwrap(), "+5  5");
    }

    #[test]
    fn refusals() {
        assert_eq!(fmt("%d %d %d %d", [0; 3]), None);
        assert_eq!(fmt("%q", [0; 3]), None);
        assert_eq!(fmt("%lld%", [0; 3]), None);
        assert_eq!(fmt("\u{7}", [0; 3]), None);
        assert_eq!(format_trace(b"no nul", [0; 3], &mut |_, _| None), None);
        assert_eq!(fmt("%pZ", [0; 3]), None);
    }
}
