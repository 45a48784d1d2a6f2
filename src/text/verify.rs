//! The text `verify` prints: one line per check, then the result and the kind of assurance.

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
    let failed: Vec<&str> = o
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.item.as_str())
        .collect();
    if o.ok {
        let _ = writeln!(s, "VERIFIED ({})", o.assurance);
    } else {
        let _ = writeln!(s, "NOT VERIFIED (failed: {})", failed.join(", "));
    }
    s
}
