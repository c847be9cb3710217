//! Host helpers registered by id, with signatures the verifier reads.
