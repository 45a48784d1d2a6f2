//! `reident init`: every column with the role guessed and why, the hierarchies built, the
//! target, and what was written.

use std::fmt::Write as _;

use super::{Column, Table};
use crate::init::Outcome;

pub fn init(o: &Outcome) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "reident {} — {} -> {}",
        env!("CARGO_PKG_VERSION"),
        o.options.data.display(),
        o.options.output.display()
    );
    let _ = writeln!(s);
    let mut t = Table::new(vec![
        Column::left("", 0),
        Column::left("  ", 16),
        Column::left("  ", 0),
    ]);
    t.fit(0, o.guesses.iter().map(|g| g.column.as_str()), 6, 40);
    t.row(["column", "role", "why"]);
    for g in &o.guesses {
        t.row([g.column.as_str(), g.role.as_str(), g.why.as_str()]);
    }
    s.push_str(&t.render());
    let _ = writeln!(s);
    for h in &o.hierarchies {
        let _ = writeln!(
            s,
            "hierarchy of {}: {} ({} values, {} levels) -> {}",
            h.qi,
            h.builder.describe(),
            h.values,
            h.levels,
            h.path.display()
        );
    }
    let by = match &o.policy.entity {
        Some(e) => format!(" by people (entity {e})"),
        None => String::new(),
    };
    let _ = writeln!(
        s,
        "target: k = {}{by}, suppression limit {}, metric loss",
        o.options.k, o.options.suppression_limit
    );
    let _ = writeln!(
        s,
        "wrote {}: these are guesses; review the roles, the target and the hierarchies before `reident anonymize DATA --policy {}`",
        o.options.output.display(),
        o.options.output.display()
    );
    s
}
