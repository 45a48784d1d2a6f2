#![no_main]
//! Fuzz target `csv`: see `reident_fuzz::csv`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::csv(data)
);
