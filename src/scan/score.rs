//! Scoring a column: the name rules on its normalized name, the value rules on its sample, each
//! category's confidence from the rules that fired, and the best category (or a role hint) with
//! its evidence. The scoring is described in the documentation of the `scan` module.

use super::report::{Alternative, ColumnScan, Evidence, LengthStats};
use super::rules::{Rule, Rules};
use super::sample::ColumnSample;
use super::terms::{On, Role};

/// Values longer than this are skipped: they are free text or large blobs, and matching every rule
/// against them whole would cost more than the rest of the column.
const MAX_VALUE_LEN: usize = 4096;

/// A column name in the form the name patterns see: camelCase and every run of characters other
/// than letters and digits split into `_`, lowercase (`PatientSSN` -> `patient_ssn`,
/// `Date of Birth` -> `date_of_birth`, `marital-status` -> `marital_status`).
pub(crate) fn normalize_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                if prev.is_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_uppercase() && next_lower)
                {
                    out.push('_');
                }
            }
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// What the rules found on one column: the name rules that matched (and the categories they
/// name), how many sampled values passed each value rule, and the value rules that fired.
struct Matches<'a> {
    rules: &'a Rules,
    non_null: u64,
    name_fired: Vec<bool>,
    category_named: Vec<bool>,
    matched: Vec<u64>,
    value_fired: Vec<bool>,
}

impl<'a> Matches<'a> {
    fn new(
        rules: &'a Rules,
        norm: &str,
        sample: &ColumnSample,
        non_null: u64,
        distinct_share: f64,
    ) -> Matches<'a> {
        let (name_fired, category_named) = rules.name_matches(norm);
        let mut m = Matches {
            rules,
            non_null,
            name_fired,
            category_named,
            matched: rules.value_matches(sample),
            value_fired: Vec::new(),
        };
        m.value_fired = m.fired_value_rules(sample.values.len() as u64, distinct_share);
        m
    }

    /// Share of the non-null sampled values that passed rule `r`.
    fn share(&self, r: usize) -> f64 {
        if self.non_null == 0 {
            0.0
        } else {
            self.matched[r] as f64 / self.non_null as f64
        }
    }

    /// The value rules whose share (and the column's distinct values) reach their minimums, and
    /// whose required rule fired.
    fn fired_value_rules(&self, distinct: u64, distinct_share: f64) -> Vec<bool> {
        let mut value_fired = vec![false; self.rules.rules.len()];
        for (r, rule) in self.rules.rules.iter().enumerate() {
            if rule.on != On::Values {
                continue;
            }
            let s = self.share(r);
            value_fired[r] = self.matched[r] > 0
                && s >= rule.min_share
                && distinct_share >= rule.min_distinct_share
                && distinct >= rule.min_distinct
                && rule.requires.is_none_or(|q| value_fired[q]);
        }
        value_fired
    }

    /// What rule `r` adds: its weight, scaled down below `full_share` for value rules.
    fn score(&self, r: usize) -> f64 {
        let rule = &self.rules.rules[r];
        match rule.on {
            On::Name => rule.weight,
            On::Values => {
                let full = rule.full_share.max(f64::MIN_POSITIVE);
                rule.weight * (self.share(r) / full).min(1.0)
            }
        }
    }

    /// Whether rule `r` fired for category `c`.
    fn fires_for(&self, r: usize, c: usize) -> bool {
        let rule = &self.rules.rules[r];
        rule.categories.contains(&c)
            && match rule.on {
                On::Name => self.name_fired[r],
                On::Values => self.value_fired[r] && (!rule.needs_name || self.category_named[c]),
            }
    }

    /// Whether rule `r` counts for category `c`: it fired, and no rule of its group that fired
    /// scores more (ties: the later rule counts).
    fn counts_for(&self, r: usize, c: usize) -> bool {
        if !self.fires_for(r, c) {
            return false;
        }
        let Some(group) = &self.rules.rules[r].group else {
            return true;
        };
        let mine = self.score(r);
        !(0..self.rules.rules.len()).any(|o| {
            o != r
                && self.rules.rules[o].group.as_ref() == Some(group)
                && self.fires_for(o, c)
                && (self.score(o) > mine || (self.score(o) == mine && o > r))
        })
    }

    /// Each category's confidence, and the categories above 0 from the most to the least likely
    /// (ties: named by the column, then the rules' order of preference, then file order).
    fn confidences(&self) -> (Vec<f64>, Vec<usize>) {
        let n_cat = self.rules.categories.len();
        let mut conf = vec![0.0f64; n_cat];
        let mut priority = vec![usize::MAX; n_cat];
        for (c, conf_c) in conf.iter_mut().enumerate() {
            let mut miss = 1.0;
            for r in 0..self.rules.rules.len() {
                if self.counts_for(r, c) {
                    miss *= 1.0 - self.score(r);
                    let pos = self.rules.rules[r]
                        .categories
                        .iter()
                        .position(|&x| x == c)
                        .unwrap();
                    priority[c] = priority[c].min(pos);
                }
            }
            *conf_c = 1.0 - miss;
        }
        let mut order: Vec<usize> = (0..n_cat).filter(|&c| conf[c] > 0.0).collect();
        order.sort_by(|&a, &b| {
            conf[b]
                .partial_cmp(&conf[a])
                .unwrap()
                .then(self.category_named[b].cmp(&self.category_named[a]))
                .then(priority[a].cmp(&priority[b]))
                .then(a.cmp(&b))
        });
        (conf, order)
    }
}

impl Rules {
    /// Judges one column from its name and sampled values.
    pub(crate) fn scan_column(&self, name: &str, sample: &ColumnSample) -> ColumnScan {
        let norm = normalize_name(name);
        let non_null: u64 = sample.values.iter().map(|(_, n)| n).sum();
        let distinct = sample.values.len() as u64;
        let distinct_share = if non_null == 0 {
            0.0
        } else {
            distinct as f64 / non_null as f64
        };
        let m = Matches::new(self, &norm, sample, non_null, distinct_share);
        let (conf, order) = m.confidences();
        let report = self.thresholds.report;
        let best = order.first().copied().filter(|&c| conf[c] >= report);

        let mut out = ColumnScan {
            column: name.to_string(),
            sampled: non_null + sample.nulls,
            non_null,
            distinct,
            distinct_share,
            length: length_stats(sample, non_null),
            category: None,
            hipaa: None,
            title: None,
            confidence: 0.0,
            level: None,
            suggested_role: Role::Insensitive,
            action: None,
            safe_harbor_form: false,
            evidence: Vec::new(),
            alternatives: Vec::new(),
            pseudonymized: false,
            date_share: date_share(sample, non_null),
        };
        match best {
            Some(c) => {
                self.set_category(&mut out, &m, c, conf[c]);
                out.alternatives = order[1..]
                    .iter()
                    .filter(|&&a| conf[a] >= report)
                    .map(|&a| Alternative {
                        category: self.categories[a].id.clone(),
                        hipaa: self.categories[a].hipaa.clone(),
                        confidence: conf[a],
                    })
                    .collect();
            }
            None => self.set_role_hint(&mut out, &norm),
        }
        out
    }

    /// Which name rules match the normalized name, and which categories they name.
    fn name_matches(&self, norm: &str) -> (Vec<bool>, Vec<bool>) {
        let mut name_fired = vec![false; self.rules.len()];
        for i in self.name_set.matches(norm.as_bytes()).iter() {
            name_fired[self.name_rules[i]] = true;
        }
        let mut category_named = vec![false; self.categories.len()];
        for (r, rule) in self.rules.iter().enumerate() {
            if name_fired[r] {
                for &c in &rule.categories {
                    category_named[c] = true;
                }
            }
        }
        (name_fired, category_named)
    }

    /// For each rule, how many sampled values pass it (value rules; counted over the distinct
    /// values, empty and overlong ones skipped).
    fn value_matches(&self, sample: &ColumnSample) -> Vec<u64> {
        let mut matched = vec![0u64; self.rules.len()];
        for (raw, n) in &sample.values {
            let v = raw.trim();
            if v.is_empty() || v.len() > MAX_VALUE_LEN {
                continue;
            }
            for i in self.value_set.matches(v.as_bytes()).iter() {
                let r = self.value_rules[i];
                if self.passes(r, v) {
                    matched[r] += n;
                }
            }
            for &r in &self.check_only {
                if self.passes(r, v) {
                    matched[r] += n;
                }
            }
        }
        matched
    }

    /// Whether value `v`, which matches rule `r`'s pattern (if it has one), passes its check.
    fn passes(&self, r: usize, v: &str) -> bool {
        let rule = &self.rules[r];
        match rule.check {
            None => true,
            Some(check) if check.needs_captures() => {
                let caps = rule.regex.as_ref().and_then(|re| re.captures(v.as_bytes()));
                caps.is_some() && check.run(v, caps.as_ref(), &self.names)
            }
            Some(check) => check.run(v, None, &self.names),
        }
    }

    /// The column is category `c` (with confidence `conf`): its role and action (from the
    /// heaviest fired rule that sets one, else the category's), and the evidence.
    fn set_category(&self, out: &mut ColumnScan, m: &Matches, c: usize, conf: f64) {
        let cat = &self.categories[c];
        let fired: Vec<usize> = (0..self.rules.len())
            .filter(|&r| m.counts_for(r, c))
            .collect();
        let heaviest = |f: &dyn Fn(&Rule) -> bool| {
            fired
                .iter()
                .copied()
                .filter(|&r| f(&self.rules[r]))
                .max_by(|&a, &b| m.score(a).partial_cmp(&m.score(b)).unwrap().then(b.cmp(&a)))
        };
        out.suggested_role = heaviest(&|r| r.role.is_some())
            .and_then(|r| self.rules[r].role)
            .unwrap_or(cat.role);
        out.action = Some(
            heaviest(&|r| r.action.is_some())
                .and_then(|r| self.rules[r].action)
                .unwrap_or(cat.action),
        );
        out.safe_harbor_form = fired.iter().any(|&r| self.rules[r].compliant);
        out.category = Some(cat.id.clone());
        out.hipaa = Some(cat.hipaa.clone());
        out.title = Some(cat.title.clone());
        out.confidence = conf;
        out.level = Some(self.level(conf));
        for (r, rule) in self.rules.iter().enumerate() {
            if !rule.categories.contains(&c) {
                continue;
            }
            let (show, matched_share) = match rule.on {
                On::Name => (m.name_fired[r], None),
                On::Values => (m.matched[r] > 0, Some(m.share(r))),
            };
            if show {
                out.evidence.push(Evidence {
                    rule: rule.name.clone(),
                    on: rule.on,
                    matched_share,
                    fired: m.counts_for(r, c),
                    score: if m.counts_for(r, c) { m.score(r) } else { 0.0 },
                    description: rule.description.clone(),
                });
            }
        }
    }

    /// No category: the role of the first role hint the normalized name matches, if any.
    fn set_role_hint(&self, out: &mut ColumnScan, norm: &str) {
        if let Some((hint, role, _)) = self
            .role_hints
            .iter()
            .find(|(_, _, re)| re.is_match(norm.as_bytes()))
        {
            out.suggested_role = *role;
            out.evidence.push(Evidence {
                rule: hint.clone(),
                on: On::Name,
                matched_share: None,
                fired: true,
                score: 0.0,
                description: format!("column named like a {} attribute", role.as_str()),
            });
        }
    }
}

/// Share of the non-null sampled values that are dates (other than a year alone) in some form
/// of the date reader.
fn date_share(sample: &ColumnSample, non_null: u64) -> f64 {
    if non_null == 0 {
        return 0.0;
    }
    let dates: u64 = sample
        .values
        .iter()
        .filter(|(v, _)| super::dates::read(v, 2000).is_some())
        .map(|(_, n)| n)
        .sum();
    dates as f64 / non_null as f64
}

/// Value lengths in characters over the non-null sampled values (`None` when there are none).
fn length_stats(sample: &ColumnSample, non_null: u64) -> Option<LengthStats> {
    (non_null > 0).then(|| {
        let mut min = u64::MAX;
        let mut max = 0;
        let mut sum = 0u64;
        for (v, n) in &sample.values {
            let l = v.chars().count() as u64;
            min = min.min(l);
            max = max.max(l);
            sum += l * n;
        }
        LengthStats {
            min,
            max,
            mean: sum as f64 / non_null as f64,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::encode::NULL_TEXT;

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize_name("PatientSSN"), "patient_ssn");
        assert_eq!(normalize_name("patientSSNNumber"), "patient_ssn_number");
        assert_eq!(normalize_name("Date of Birth"), "date_of_birth");
        assert_eq!(normalize_name("marital-status"), "marital_status");
        assert_eq!(normalize_name("IPAddress"), "ip_address");
        assert_eq!(normalize_name("zip5"), "zip5");
        assert_eq!(normalize_name("__E-Mail__"), "e_mail");
    }

    fn col(values: &[&str]) -> ColumnSample {
        let mut m: std::collections::BTreeMap<String, u64> = Default::default();
        let mut nulls = 0;
        for v in values {
            if *v == NULL_TEXT {
                nulls += 1;
            } else {
                *m.entry(v.to_string()).or_default() += 1;
            }
        }
        ColumnSample {
            values: m.into_iter().collect(),
            nulls,
        }
    }

    #[test]
    fn hand_checked_confidences() {
        let r = Rules::builtin();
        // Name rule ssn-column (0.7) and value rule ssn-dashed-values (0.9 at 100%):
        // 1 - 0.3 * 0.1 = 0.97.
        let s = r.scan_column("ssn", &col(&["123-45-6789", "234-56-7890", "NULL"]));
        assert_eq!(s.category.as_deref(), Some("ssn"));
        assert!((s.confidence - 0.97).abs() < 1e-12, "{}", s.confidence);
        assert_eq!(s.non_null, 2);
        assert_eq!(s.sampled, 3);
        // One of two values has an invalid area (666): 50% < min_share 0.8, so only the name.
        let s = r.scan_column("ssn", &col(&["666-45-6789", "234-56-7890"]));
        assert!((s.confidence - 0.7).abs() < 1e-12, "{}", s.confidence);
        let e = s
            .evidence
            .iter()
            .find(|e| e.rule == "ssn-dashed-values")
            .unwrap();
        assert_eq!(e.matched_share, Some(0.5));
        assert!(!e.fired);
        // Fax: fax-column 0.7, phone-values 0.85 and phone-any-form 0.5 (needs a fax or phone
        // name: the fax name counts for fax only): 1 - 0.3 * 0.15 * 0.5 = 0.9775, above
        // telephone's 0.85 (phone-values alone).
        let s = r.scan_column("fax", &col(&["(212) 555-0123", "212-555-0199"]));
        assert_eq!(s.category.as_deref(), Some("fax"));
        assert!((s.confidence - 0.9775).abs() < 1e-12, "{}", s.confidence);
        assert_eq!(s.alternatives[0].category, "telephone");
        assert!((s.alternatives[0].confidence - 0.85).abs() < 1e-12);
        // A share below full_share scales the score: 17 of 20 dates (85%) -> 0.85 * 0.85 / 0.9.
        let mut v = vec!["2020-01-31"; 17];
        v.extend(["x", "y", "z"]);
        let s = r.scan_column("visit", &col(&v));
        assert!(
            (s.confidence - 0.85 * 0.85 / 0.9).abs() < 1e-12,
            "{}",
            s.confidence
        );
        // Ages: name 0.45, age-values 0.3, over-89 0.6 -> 1 - 0.55 * 0.7 * 0.4 = 0.846.
        let s = r.scan_column("Age", &col(&["34", "90", "45"]));
        assert_eq!(s.category.as_deref(), Some("ages_over_89"));
        assert!((s.confidence - 0.846).abs() < 1e-12, "{}", s.confidence);
        assert!(!s.safe_harbor_form);
        // After top-coding: name, age-values (2 of 3 numeric: below 0.95, not fired), safe form.
        let s = r.scan_column("Age", &col(&["34", "90+", "45", "89"]));
        assert!(s.safe_harbor_form);
        assert_eq!(s.suggested_role, Role::Qi);
    }

    #[test]
    fn values_never_appear_in_the_scan() {
        let r = Rules::builtin();
        let s = r.scan_column(
            "contact",
            &col(&["jane.doe@example.org", "x.y@example.com"]),
        );
        assert_eq!(s.category.as_deref(), Some("email"));
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("example"), "{json}");
    }

    #[test]
    fn decoys_are_not_identifiers() {
        let r = Rules::builtin();
        for (name, vals) in [
            (
                "race",
                vec!["White", "Black", "Asian-Pac-Islander", "White", "Other"],
            ),
            ("weight_kg", vec!["71.5", "80.25", "65", "92.75", "58.5"]),
            ("income", vec!["45210", "38200", "120500", "9900", "61000"]),
            (
                "native-country",
                vec!["United-States", "Jamaica", "Mexico", "India", "Canada"],
            ),
        ] {
            let s = r.scan_column(name, &col(&vals));
            assert_ne!(s.suggested_role, Role::Identifying, "{name}: {s:?}");
            assert!(s.category.is_none(), "{name}: {s:?}");
        }
    }
}
