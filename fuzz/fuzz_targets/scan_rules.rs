#![no_main]
//! Fuzz target `scan_rules`: see `reident_fuzz::scan_rules`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::scan_rules(data)
);
