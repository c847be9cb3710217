//! The four access sizes as Rust integer types.

use crate::isa::Size;

mod sealed {
    pub trait Sealed {}
}

/// An integer type a guest access can move: `u8`, `u16`, `u32` or `u64`.
pub trait Word: Copy + sealed::Sealed {
    /// Bytes per access.
    const SIZE: Size;
    /// Zero-extends to 64 bits.
    fn to_u64(self) -> u64;
    /// Truncates from 64 bits.
    fn from_u64(v: u64) -> Self;
}

macro_rules! word {
    ($($t:ty => $size:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Word for $t {
            const SIZE: Size = Size::$size;
            #[inline(always)]
            fn to_u64(self) -> u64 {
                self as u64
            }
            #[inline(always)]
            fn from_u64(v: u64) -> Self {
                v as $t
            }
        }
    )*};
}

word!(u8 => B, u16 => H, u32 => W, u64 => DW);
