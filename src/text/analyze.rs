//! The text `analyze` prints (and `gate` after its verdict lines): the class figures, the
//! class-size histogram, prosecutor risk, the population models and the sensitive attributes.

use std::fmt::Write as _;

use super::{pct, Column, Table};
use crate::analyze::{AnalyzeReport, Figures, SensitiveReport};
use crate::risk::attacker::ClassSizeSource;
use crate::risk::estimators::{Estimate, Status};

/// The whole text of an analysis.
pub fn analyze(r: &AnalyzeReport) -> String {
    let mut s = String::new();
    header(&mut s, r);
    classes(&mut s, r);
    prosecutor(&mut s, r);
    population(&mut s, r);
    for sr in &r.sensitive {
        sensitive(&mut s, sr);
    }
    s
}

fn header(s: &mut String, r: &AnalyzeReport) {
    let _ = writeln!(s, "reident {} — {}", r.tool.version, r.dataset.path);
    let _ = writeln!(
        s,
        "quasi-identifiers ({}): {}",
        r.roles.quasi_identifiers.len(),
        r.roles.quasi_identifiers.join(", ")
    );
    if !r.roles.sensitive.is_empty() {
        let _ = writeln!(s, "sensitive: {}", r.roles.sensitive.join(", "));
    }
    if let Some(p) = &r.people {
        let _ = writeln!(
            s,
            "people: {} ({} signatures of their rows): {} people, {} rows; classes count people",
            p.entity,
            p.signature.as_str(),
            p.people,
            p.rows
        );
    }
    if let Some(m) = &r.missing {
        let _ = writeln!(
            s,
            "missing values are wildcards: {} records with a missing or suppressed QI value match every value there; class sizes are matched sizes",
            m.records_with_missing
        );
    }
    if !r.roles.identifying.is_empty() {
        let _ = writeln!(
            s,
            "identifying (not analysed): {}",
            r.roles.identifying.join(", ")
        );
    }
    let _ = writeln!(s);
}

/// The class figures and the class-size histogram.
fn classes(s: &mut String, f: &Figures) {
    let c = &f.classes;
    let _ = writeln!(s, "records                  {:>12}", c.records);
    let _ = writeln!(s, "equivalence classes      {:>12}", c.classes);
    let _ = writeln!(s, "smallest class (k)       {:>12}", c.smallest);
    let _ = writeln!(s, "largest class            {:>12}", c.largest);
    let _ = writeln!(s);
    let _ = writeln!(s, "class size   classes     records   records %");
    let mut t = Table::new(vec![
        Column::left("", 10),
        Column::right(" ", 9),
        Column::right(" ", 11),
        Column::right(" ", 11),
    ]);
    for b in &c.histogram {
        t.row([
            b.sizes.clone(),
            b.classes.to_string(),
            b.records.to_string(),
            pct(b.records as f64 / c.records as f64),
        ]);
    }
    s.push_str(&t.render());
}

fn prosecutor(s: &mut String, f: &Figures) {
    let p = &f.prosecutor;
    let _ = writeln!(s);
    let _ = writeln!(s, "prosecutor risk");
    let _ = writeln!(s, "  highest                {:>12.6}", p.highest);
    let _ = writeln!(s, "  average                {:>12.6}", p.average);
    for r in &p.records_above {
        let _ = writeln!(
            s,
            "  records with risk > {:<5} {:>9} ({})",
            r.threshold,
            r.records,
            pct(r.share)
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "sample uniques           {:>12} ({})",
        f.sample_uniques.records,
        pct(f.sample_uniques.share)
    );
    let _ = writeln!(s);
    let checks: Vec<String> = f
        .k_anonymity
        .iter()
        .map(|k| format!("k={} {}", k.k, if k.met { "yes" } else { "no" }))
        .collect();
    let _ = writeln!(s, "k-anonymity: {}", checks.join(", "));
}

/// The population, its uniqueness estimates, journalist, marketer and individual risk.
fn population(s: &mut String, f: &Figures) {
    let _ = writeln!(s);
    let _ = writeln!(s, "population: {}", f.population.description);
    let pu = &f.population_uniqueness;
    let _ = writeln!(
        s,
        "population uniqueness (N = {}, f = {:.6})",
        pu.population_size, pu.sampling_fraction
    );
    for e in [&pu.zayatz, &pu.snb, &pu.pitman, &pu.dankar.estimate] {
        let _ = writeln!(
            s,
            "  {:<8} {}",
            format!("{:?}", e.model).to_lowercase(),
            estimate_text(e)
        );
    }
    if let Some(m) = pu.dankar.chosen {
        let _ = writeln!(
            s,
            "  (Dankar's rule chose {}: {})",
            format!("{m:?}").to_lowercase(),
            pu.dankar.reason
        );
    }
    let j = &f.journalist;
    let _ = writeln!(
        s,
        "journalist risk (population class sizes from {}): highest {:.6}, success rate {:.6}",
        source_text(j.population_class_sizes),
        j.highest,
        j.success_rate
    );
    let _ = writeln!(
        s,
        "marketer risk: success rate {:.6}",
        f.marketer.success_rate
    );
    if let Some(ir) = &f.individual_risk {
        let _ = writeln!(
            s,
            "individual risk (weights {:?}): expected re-identifications {:.3} ({}), highest {:.6}",
            ir.weight_column,
            ir.global_risk,
            pct(ir.global_share),
            ir.highest
        );
    }
}

/// l-diversity and t-closeness of one sensitive attribute.
fn sensitive(s: &mut String, sr: &SensitiveReport) {
    let l = &sr.l_diversity;
    let _ = writeln!(s);
    let _ = writeln!(s, "sensitive attribute {:?}", sr.column);
    let _ = writeln!(
        s,
        "  distinct l-diversity   l = {:<8} classes below l={}: {} ({} records)",
        l.distinct.l,
        l.distinct.target,
        l.distinct.below_target.classes,
        l.distinct.below_target.records
    );
    let _ = writeln!(
        s,
        "  entropy l-diversity    l = {:<8.4} classes below l={}: {} ({} records)",
        l.entropy.l,
        l.entropy.target,
        l.entropy.below_target.classes,
        l.entropy.below_target.records
    );
    let cs: Vec<String> = l
        .recursive
        .iter()
        .map(|r| match r.c_must_exceed {
            Some(c) => format!("l={}: c > {c:.4}", r.l),
            None => format!("l={}: never", r.l),
        })
        .collect();
    let _ = writeln!(s, "  recursive (c,l)        {}", cs.join(", "));
    let rt = &l.recursive_target;
    let _ = writeln!(
        s,
        "  recursive ({},{})-diversity: {} ({} classes, {} records violate)",
        rt.c,
        rt.l,
        if rt.holds { "holds" } else { "fails" },
        rt.violations.classes,
        rt.violations.records
    );
    for t in &sr.t_closeness {
        let _ = writeln!(
            s,
            "  t-closeness ({:<12}) t = {:<8.6} classes above t={}: {} ({} records)",
            format!("{:?}", t.distance).to_lowercase(),
            t.t,
            t.target,
            t.above_target.classes,
            t.above_target.records
        );
    }
}

fn estimate_text(e: &Estimate) -> String {
    let figure = match (e.share, e.population_uniques) {
        (Some(share), Some(u)) => format!("{:.6} ({:.1} population uniques)", share, u),
        _ => "no estimate".to_string(),
    };
    match &e.status {
        Status::Estimated => figure,
        Status::Exact(why) => format!("{figure} [exact: {why}]"),
        Status::Fallback(why) => format!("{figure} [fallback: {why}]"),
        Status::Invalid(why) => format!("{figure} [invalid: {why}]"),
    }
}

fn source_text(s: ClassSizeSource) -> &'static str {
    match s {
        ClassSizeSource::Table => "the population table",
        ClassSizeSource::Weights => "the sampling weights",
        ClassSizeSource::Scaled => "the sample scaled by 1/f",
        ClassSizeSource::Sample => "the sample",
    }
}
