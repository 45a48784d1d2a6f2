#![no_main]
//! Fuzz target `hierarchy`: see `reident_fuzz::hierarchy`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::hierarchy(data)
);
