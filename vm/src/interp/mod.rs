//! The interpreter: runs a loaded program over memory regions with helpers.
