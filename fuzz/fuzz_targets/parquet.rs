#![no_main]
//! Fuzz target `parquet`: see `reident_fuzz::parquet`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::parquet(data)
);
