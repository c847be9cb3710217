//! A loaded program: decoded instructions plus load-time checks.
