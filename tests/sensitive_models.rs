//! l-diversity and t-closeness against figures computed independently in Python (pycanon 1.3.6
//! and the plain definitions, with an LP check of every EMD): tests/fixtures/ldiv/expected.json,
//! made by `python3 tests/fixtures/ldiv/compute_expected.py`. The tables are generalized through
//! the class table's roll-up with the ARX hierarchies, so that path is checked too.

mod common;
use common::*;
use reident::classes::{ClassTable, Recode, RollupQi};
use reident::criteria::l_diversity::{
    class_diversity, recursive_ratio, LDiversityFigures as LDiversity,
};
use reident::criteria::t_closeness::{
    Distribution, GroundDistance, TClosenessFigures as TCloseness,
};
use reident::hierarchy::Hierarchy;
use serde_json::Value;

fn expected() -> Value {
    let text = std::fs::read_to_string(fixture("ldiv/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The class table of `path` over `qi` (with `sensitive`), rolled up to the given levels.
fn generalized(
    path: &std::path::Path,
    dir: &std::path::Path,
    qi: &[(&str, usize)],
    sensitive: &str,
) -> ClassTable {
    let names: Vec<String> = qi.iter().map(|q| q.0.to_string()).collect();
    let (table, _) = analyze(path, &names, &[sensitive.to_string()]);
    let recodes: Vec<Recode> = qi
        .iter()
        .enumerate()
        .map(|(i, (name, level))| {
            let file = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .ends_with(&format!("hierarchy_{name}.csv"))
                })
                .unwrap();
            Hierarchy::load(&file)
                .unwrap()
                .recode(&table.qis[i], *level)
                .unwrap()
        })
        .collect();
    let keep: Vec<RollupQi> = (0..qi.len())
        .map(|i| RollupQi {
            source: i,
            recode: Some(&recodes[i]),
        })
        .collect();
    table.rollup(&keep)
}

fn close(a: f64, b: &Value, what: &str) {
    let b = b
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {b}"));
    assert!((a - b).abs() < 1e-12, "{what}: {a} vs {b}");
}

/// Checks every class of `table` against the expected per-class figures.
fn check_classes(table: &ClassTable, dist: &Distribution, expected: &Value, hierarchical: bool) {
    let h = &table.sensitive[0];
    let classes = expected.as_array().unwrap();
    assert_eq!(classes.len(), table.n_classes());
    for e in classes {
        let key: Vec<String> = e["key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let c = (0..table.n_classes())
            .find(|&c| table.key_text(c) == key)
            .unwrap_or_else(|| panic!("no class {key:?}"));
        let what = format!("{key:?}");
        assert_eq!(table.counts[c], e["size"].as_u64().unwrap(), "{what}");
        let d = class_diversity(h, c);
        assert_eq!(d.distinct as u64, e["distinct"].as_u64().unwrap(), "{what}");
        close(d.entropy, &e["entropy_H"], &what);
        for l in [2usize, 3, 4] {
            let want = &e["recursive"][l.to_string()]["ratio"];
            match recursive_ratio(h, c, l) {
                Some(r) => close(r, want, &format!("{what} recursive l={l}")),
                None => assert!(want.is_null(), "{what} l={l}: expected {want}"),
            }
        }
        close(
            dist.distance(h, c, GroundDistance::Equal),
            &e["emd_equal"],
            &format!("{what} equal"),
        );
        if !e["emd_ordered"].is_null() {
            close(
                dist.distance(h, c, GroundDistance::Ordered),
                &e["emd_ordered"],
                &format!("{what} ordered"),
            );
        }
        if hierarchical {
            close(
                dist.distance(h, c, GroundDistance::Hierarchical),
                &e["emd_hierarchical"],
                &format!("{what} hierarchical"),
            );
        }
    }
}

#[test]
fn adult_generalized_matches_python() {
    let exp = expected();
    let a = &exp["case_a_adult"];
    let levels = [
        ("sex", 0),
        ("age", 4),
        ("race", 1),
        ("marital-status", 2),
        ("education", 3),
        ("native-country", 2),
        ("workclass", 0),
        ("salary-class", 0),
    ];
    let table = generalized(&adult("adult.csv"), &adult(""), &levels, "occupation");
    let t = &a["plain"]["table"];
    assert_eq!(table.n_classes() as u64, t["classes"].as_u64().unwrap());
    assert_eq!(
        *table.counts.iter().min().unwrap(),
        t["k"].as_u64().unwrap()
    );
    let hierarchy = Hierarchy::load(&adult("hierarchy_occupation.csv")).unwrap();
    let dist = Distribution::of(&table.sensitive[0])
        .with_hierarchy(&table.sensitive[0], &hierarchy)
        .unwrap();
    check_classes(&table, &dist, &a["plain"]["classes"], true);

    let l = LDiversity::of(&table, 0, 3, 4.0);
    assert_eq!(l.distinct.l as u64, t["distinct_l"].as_u64().unwrap());
    close(l.entropy.l, &t["entropy_l"], "entropy l");
    close(l.entropy.min_entropy, &t["entropy_H_min"], "entropy H");
    for r in &l.recursive {
        let want = &t["recursive"][r.l.to_string()]["max_ratio"];
        match r.c_must_exceed {
            Some(c) => close(c, want, &format!("recursive c for l={}", r.l)),
            None => assert!(r.l > 4 || want.is_null(), "l={}: {want}", r.l),
        }
    }
    // Recursive (4,3)-diversity holds, as in ARX's benchmark configuration.
    assert_eq!(
        l.recursive_target.holds,
        t["recursive_4_3_holds"].as_bool().unwrap()
    );
    for (g, key) in [
        (GroundDistance::Equal, "t_equal"),
        (GroundDistance::Ordered, "t_ordered"),
        (GroundDistance::Hierarchical, "t_hierarchical"),
    ] {
        close(TCloseness::of(&table, 0, &dist, g, 0.2).t, &t[key], key);
    }
    // pycanon agrees on the figures it computes without a known defect (see the fixture README).
    let p = &a["pycanon"];
    assert_eq!(l.distinct.l as u64, p["l_diversity"].as_u64().unwrap());
    assert!(
        (TCloseness::of(&table, 0, &dist, GroundDistance::Equal, 0.2).t
            - p["t_closeness"]["value"].as_f64().unwrap())
        .abs()
            < 1e-12
    );
}

#[test]
fn li_et_al_toy_tables_match_python() {
    let exp = expected();
    let b = &exp["case_b_li2007"];
    let toy = fixture("ldiv/toy/test2.csv");
    let dir = fixture("ldiv/toy");
    let disease_h = Hierarchy::load(&dir.join("test2_hierarchy_Disease.csv")).unwrap();
    for name in ["table3", "table4"] {
        let t = &b["tables"][name];
        let levels = [
            ("ZIPCode", t["levels"]["ZIPCode"].as_u64().unwrap() as usize),
            ("Age", t["levels"]["Age"].as_u64().unwrap() as usize),
        ];
        // Salary: numbers, ordered distance over their numeric order.
        let salary = generalized(&toy, &dir, &levels, "Salary");
        let dist = Distribution::of(&salary.sensitive[0]);
        check_classes(&salary, &dist, &t["salary"]["classes"], false);
        close(
            TCloseness::of(&salary, 0, &dist, GroundDistance::Ordered, 0.2).t,
            &t["salary"]["table"]["t_ordered"],
            &format!("{name} salary t"),
        );
        // Disease: text, equal and hierarchical distances.
        let disease = generalized(&toy, &dir, &levels, "Disease");
        let dist = Distribution::of(&disease.sensitive[0])
            .with_hierarchy(&disease.sensitive[0], &disease_h)
            .unwrap();
        check_classes(&disease, &dist, &t["disease"]["classes"], true);
    }
}
