//! The text `verify` prints: one line per check, then the overall result.

use std::fmt::Write as _;

use crate::verify::Outcome;

pub fn verify(o: &Outcome) -> String {
    let mut s = String::new();
    for c in &o.checks {
        let _ = writeln!(
            s,
            "{} {}: {}",
            if c.ok { "ok  " } else { "FAIL" },
            c.item,
            c.detail
        );
    }
    let _ = writeln!(s, "{}", if o.ok { "VERIFIED" } else { "NOT VERIFIED" });
    s
}
