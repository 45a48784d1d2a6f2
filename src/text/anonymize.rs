//! The text `anonymize` prints: the targets, the chosen transformation, its loss and risks.

use std::fmt::Write as _;

use crate::anonymize::Summary;

pub fn anonymize(r: &Summary) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "reident {} — {}", r.tool.version, r.dataset);
    let _ = writeln!(
        s,
        "targets: {} (suppression limit {})",
        r.targets.join(", "),
        r.suppression_limit
    );
    let _ = writeln!(
        s,
        "{} transformation ({} of {} nodes evaluated, {:.3} s):",
        if r.optimal {
            "optimal"
        } else {
            "best found (heuristic, not proven optimal)"
        },
        r.nodes_evaluated,
        r.nodes_in_lattice,
        r.seconds
    );
    for l in &r.transformation {
        let _ = writeln!(
            s,
            "  {:<24} level {} of {}  (e.g. {:?})",
            l.qi,
            l.level,
            l.levels - 1,
            l.example
        );
    }
    let suppressed = match r.best.suppressed_rows {
        Some(rows) => format!("{} people ({rows} records)", r.best.suppressed),
        None => format!("{} records", r.best.suppressed),
    };
    let _ = writeln!(
        s,
        "{} = {:.15}, {suppressed} suppressed, {} classes (smallest {})",
        r.metric,
        r.best.loss.unwrap_or(f64::NAN),
        r.best.classes,
        r.best.smallest
    );
    let _ = writeln!(s, "{} before: {:.15}", r.metric, r.utility_before);
    let _ = writeln!(
        s,
        "prosecutor risk before: highest {:.4}, average {:.6}; after: highest {:.4}, average {:.6}",
        r.before.highest_prosecutor_risk,
        r.before.average_prosecutor_risk,
        r.after.highest_prosecutor_risk,
        r.after.average_prosecutor_risk
    );
    if r.top.len() > 1 {
        let _ = writeln!(s, "best {} transformations:", r.top.len());
        for n in &r.top {
            let _ = writeln!(
                s,
                "  {:?}  {} = {:.12}  suppressed {}",
                n.levels,
                r.metric,
                n.loss.unwrap_or(f64::NAN),
                n.suppressed
            );
        }
    }
    for b in &r.built_hierarchies {
        let _ = writeln!(
            s,
            "hierarchy of {} built from its values: {} ({} values, {} levels)",
            b.qi,
            b.builder.describe(),
            b.values,
            b.levels
        );
    }
    if let (Some(o), Some(w)) = (&r.output, r.records_written) {
        let _ = writeln!(s, "wrote {w} records to {o}");
    }
    s
}
