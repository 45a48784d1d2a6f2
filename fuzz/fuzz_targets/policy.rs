#![no_main]
//! Fuzz target `policy`: see `reident_fuzz::policy`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::policy(data)
);
