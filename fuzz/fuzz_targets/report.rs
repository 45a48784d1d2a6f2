#![no_main]
//! Fuzz target `report`: see `reident_fuzz::report`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::report(data)
);
