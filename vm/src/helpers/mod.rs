//! Host helpers registered by id, with signatures the verifier reads.
//!
//! A [`Helper`] is a name, a [`HelperSignature`] (argument and return kinds, in the
//! style of the Linux kernel's helper prototypes) and a host function. The function
//! gets the five argument registers and a [`HelperContext`], through which alone it
//! may touch guest memory (every access checked against the run's region table).

pub mod context;
pub mod error;
pub mod offered;
pub mod registry;
pub mod signature;

pub use context::HelperContext;
pub use error::HelperError;
pub use offered::Offered;
pub use registry::{Helper, HelperFn, HelperRegistry};
pub use signature::{ArgKind, HelperSignature, ReturnKind, SignatureError, MAX_ARGS};
