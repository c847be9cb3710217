//! Maps of maps (a lookup gives a map of the inner template, or null) and
//! `bpf_for_each_map_elem` callbacks (map, key, value, context; return 0 or 1).

use ferrobpf_verifier::{verify, Config, MapInfo, MapType, ProgType, Reason};
use ferrobpf_vm::asm::assemble;

/// Looks key 0 up in map 0, a map of maps, then `body` runs with r0 the result.
const LOOKUP_OUTER: &str = "stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
";

/// Verifies `text` with map 0 an array of maps whose inner maps are arrays of
/// 16-byte values, and map 1 a hash of 8-byte values.
fn run(text: &str) -> Result<(), Reason> {
    let insns = assemble(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let maps = [
        MapInfo::new(MapType::ArrayOfMaps, 4, 4, 4),
        MapInfo::new(MapType::Hash, 4, 8, 16),
        MapInfo::new(MapType::RingBuf, 0, 0, 4096),
    ];
    let mut config = Config::new(ProgType::SocketFilter);
    config
        .inner_maps
        .insert(0, MapInfo::new(MapType::Array, 4, 16, 8));
    verify(&insns, &maps, &config)
        .map(|_| ())
        .map_err(|r| r.reason)
}

#[test]
fn a_lookup_in_a_map_of_maps_gives_a_map() {
    // Null-checked, the result is a map: look up in it, use the 16-byte value.
    let inner = format!(
        "{LOOKUP_OUTER}jeq %r0, 0, out
mov %r1, %r0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, out
ldxdw %r0, [%r0+8]
exit
out:
mov %r0, 0
exit"
    );
    assert_eq!(run(&inner), Ok(()));
    // Past the inner value's 16 bytes.
    let past = inner.replace("[%r0+8]", "[%r0+12]");
    assert!(
        matches!(run(&past), Err(Reason::MemBounds { .. })),
        "{past}"
    );
    // Without the null check the map may be null.
    let unchecked = inner.replacen("jeq %r0, 0, out\n", "", 1);
    assert!(
        matches!(run(&unchecked), Err(Reason::BadArg { reg: 1, .. })),
        "{unchecked}"
    );
    // The result is no map value: it cannot be read.
    let read =
        format!("{LOOKUP_OUTER}jeq %r0, 0, out\nldxw %r0, [%r0]\nexit\nout:\nmov %r0, 0\nexit");
    assert!(
        matches!(run(&read), Err(Reason::InvalidMemAccess { .. })),
        "{read}"
    );
    // Programs do not update maps of maps.
    let update = format!(
        "{LOOKUP_OUTER}stw [%r10-8], 0\nmov %r3, %r10\nadd %r3, -8\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map_fd(0)\nmov %r4, 0\ncall 2\nmov %r0, 0\nexit"
    );
    assert!(
        matches!(run(&update), Err(Reason::MapIncompatible { .. })),
        "{update}"
    );
    // Without the inner template the map cannot be used.
    let insns = assemble(&inner).unwrap();
    let outer = [MapInfo::new(MapType::ArrayOfMaps, 4, 4, 4)];
    let r = verify(&insns, &outer, &Config::new(ProgType::SocketFilter)).unwrap_err();
    assert_eq!(r.reason, Reason::NoInnerMap { outer: 0 });
}

/// Iterates map `map` with the callback below `cb:`, context the stack at -16.
fn for_each(map: u32, callback: &str) -> String {
    format!(
        "stdw [%r10-16], 0
lddw %r1, map_fd({map})
lddw %r2, func(cb)
mov %r3, %r10
add %r3, -16
mov %r4, 0
call 164
ldxdw %r0, [%r10-16]
exit
cb:
{callback}"
    )
}

#[test]
fn map_iteration_callbacks_get_map_key_value_and_context() {
    // Sums the 8-byte values into the context; reads the 4-byte key.
    let sum = "ldxw %r5, [%r2]
ldxdw %r1, [%r3]
add %r1, %r5
ldxdw %r5, [%r4]
add %r5, %r1
stxdw [%r4], %r5
stdw [%r3], 0
mov %r0, 0
exit";
    assert_eq!(run(&for_each(1, sum)), Ok(()));
    // The value has 8 bytes, the key 4 and is read-only; the result is 0 or 1.
    let value_past = sum.replace("ldxdw %r1, [%r3]", "ldxdw %r1, [%r3+4]");
    assert!(matches!(
        run(&for_each(1, &value_past)),
        Err(Reason::MemBounds { .. })
    ));
    let key_past = sum.replace("ldxw %r5, [%r2]", "ldxdw %r5, [%r2]");
    assert!(matches!(
        run(&for_each(1, &key_past)),
        Err(Reason::MemBounds { .. })
    ));
    let key_write = sum.replace("stdw [%r3], 0", "stw [%r2], 0");
    assert!(matches!(
        run(&for_each(1, &key_write)),
        Err(Reason::ReadOnly { .. })
    ));
    let returns_2 = sum.replace("mov %r0, 0", "mov %r0, 2");
    assert!(matches!(
        run(&for_each(1, &returns_2)),
        Err(Reason::ReturnRange { .. })
    ));
    // Ring buffers are not iterated.
    assert!(matches!(
        run(&for_each(2, sum)),
        Err(Reason::MapIncompatible { .. })
    ));
}
