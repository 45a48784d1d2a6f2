//! The text `suda` prints: the MSUs by size, the scores, the attributes' contributions and the
//! riskiest records by row number.

use std::fmt::Write as _;

use crate::suda::Summary;

pub fn suda(r: &Summary) -> String {
    let mut s = String::new();
    let su = &r.summary;
    let _ = writeln!(s, "reident {} — {}", r.tool.version, r.dataset);
    let _ = writeln!(
        s,
        "SUDA2 over {} attributes, MSUs up to size {}",
        r.attributes.len(),
        r.max_size
    );
    let _ = writeln!(
        s,
        "records with at least one MSU  {} of {}",
        su.records_with_msu, su.records
    );
    let sizes: Vec<String> = su
        .msus_by_size
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}:{n}", i + 1))
        .collect();
    let _ = writeln!(
        s,
        "MSUs                           {} (by size {})",
        su.msus,
        sizes.join(" ")
    );
    let _ = writeln!(s, "total SUDA score               {}", su.total_score);
    let q: Vec<String> = r
        .score_quantiles_at
        .iter()
        .zip(&su.score_quantiles)
        .map(|(p, v)| format!("{}%: {v}", p * 100.0))
        .collect();
    let _ = writeln!(s, "score quantiles (records with an MSU)  {}", q.join(", "));
    let d: Vec<String> = r
        .dis_thresholds
        .iter()
        .zip(&su.dis_above)
        .map(|(t, n)| format!("> {t}: {n}"))
        .collect();
    let _ = writeln!(s, "DIS-SUDA                       {}", r.dis.describe());
    let _ = writeln!(s, "records by DIS-SUDA score      {}", d.join(", "));
    let _ = writeln!(s);
    let _ = writeln!(s, "contribution to the total SUDA score");
    for c in &r.attribute_contributions {
        let _ = writeln!(s, "  {:<24} {:>7.2}%", c.attribute, c.percent);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "riskiest records (row numbers, 0-based)");
    if r.riskiest_records.iter().any(|rec| rec.row.is_none()) {
        let _ = writeln!(s, "  (row numbers are unavailable from a class table)");
    }
    for rec in &r.riskiest_records {
        let row = rec.row.map_or("-".to_string(), |r| r.to_string());
        let _ = writeln!(
            s,
            "  row {:<10} SUDA {:<12} DIS-SUDA {:.6}  MSUs by size {:?}",
            row, rec.suda_score, rec.dis_suda_score, rec.msus_by_size
        );
    }
    s
}
