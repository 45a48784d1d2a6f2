#![no_main]
//! Fuzz target `class_table`: see `reident_fuzz::class_table`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: reident_fuzz::init(),
    |data: &[u8]| reident_fuzz::class_table(data)
);
