//! The checks behind the fuzz targets (see `fuzz_targets/`).

pub mod checks;
