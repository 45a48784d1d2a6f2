//! The text `combos` prints: the marginal contribution of each QI and the top subsets.

use std::fmt::Write as _;

use super::{pct, Column, Table};
use crate::combos::Outcome;

/// The figures, with the `top` subsets by sample uniqueness.
pub fn combos(o: &Outcome, top: usize) -> String {
    let c = &o.combos;
    let mut s = String::new();
    let _ = writeln!(s, "reident {} — {}", env!("CARGO_PKG_VERSION"), o.dataset);
    if let Some(p) = &o.people {
        let _ = writeln!(
            s,
            "people: {} ({} signatures of their rows): {} people, {} rows; classes count people",
            p.entity,
            p.signature.as_str(),
            p.people,
            p.rows
        );
    }
    let _ = writeln!(
        s,
        "all {} quasi-identifiers: {} classes, k = {}, {} sample uniques ({})",
        c.all.size,
        c.all.classes,
        c.all.k,
        c.all.sample_uniques,
        pct(c.all.uniqueness)
    );
    let _ = writeln!(s, "{} subsets of up to {} QIs", c.subsets.len(), c.max_size);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "marginal contribution: sample uniqueness without each QI"
    );
    let mut marginal = c.marginal.clone();
    marginal.sort_by(|a, b| b.drop.total_cmp(&a.drop));
    for m in &marginal {
        let _ = writeln!(
            s,
            "  {:<24} {:>8}  (drop {})",
            m.qi,
            pct(m.uniqueness_without),
            pct(m.drop)
        );
    }
    let mut ranked: Vec<_> = c.subsets.iter().collect();
    ranked.sort_by(|a, b| {
        b.uniqueness
            .total_cmp(&a.uniqueness)
            .then(a.size.cmp(&b.size))
    });
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "top {} subsets by sample uniqueness",
        top.min(ranked.len())
    );
    let _ = writeln!(
        s,
        "size   uniques   unique %  pop. uniq.  k      classes  distinct.  separation  QIs"
    );
    let mut t = Table::new(vec![
        Column::left("", 4),
        Column::right(" ", 9),
        Column::right(" ", 10),
        Column::right(" ", 11),
        Column::left(" ", 6),
        Column::right(" ", 8),
        Column::right(" ", 10),
        Column::right(" ", 11),
        Column::left("  ", 0),
    ]);
    for f in ranked.iter().take(top) {
        t.row([
            f.size.to_string(),
            f.sample_uniques.to_string(),
            pct(f.uniqueness),
            f.population_uniqueness.map_or("-".to_string(), pct),
            f.k.to_string(),
            f.classes.to_string(),
            format!("{:.4}", f.distinction),
            format!("{:.6}", f.separation),
            f.qis.join(", "),
        ]);
    }
    s.push_str(&t.render());
    if !c.thresholds.is_empty() {
        let flagged: Vec<_> = c.subsets.iter().filter(|f| f.flagged.is_some()).collect();
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} subsets at or below their size's threshold",
            flagged.len()
        );
        for f in flagged.iter().take(top) {
            if let Some(fl) = &f.flagged {
                let _ = writeln!(
                    s,
                    "  size {} k = {} <= {}: {} records in small classes — {}",
                    f.size,
                    f.k,
                    fl.threshold,
                    fl.records,
                    f.qis.join(", ")
                );
            }
        }
    }
    s
}
