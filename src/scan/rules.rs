//! The rules: the file model (the schema of [`BUILTIN_RULES`] and of `--rules FILE`), loading it,
//! and compiling it into [`Rules`] (every pattern compiled and validated, the name and value
//! patterns gathered into one regex set each).

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};

use super::checks::{self, Check, PersonNames};
use super::terms::{Action, Level, On, Role};
use crate::error::{Error, Result};

/// The built-in rules, compiled into the binary.
pub const BUILTIN_RULES: &str = include_str!("rules.json");

/// The 18 letters of 45 CFR 164.514(b)(2)(i).
pub const HIPAA_LETTERS: [&str; 18] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R",
];

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// A category below this confidence is not reported.
    pub report: f64,
    pub medium: f64,
    pub high: f64,
}

/// A Safe Harbor identifier category.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    /// The letter of 45 CFR 164.514(b)(2)(i): A to R.
    pub hipaa: String,
    pub title: String,
    pub role: Role,
    pub action: Action,
}

fn default_min_share() -> f64 {
    0.8
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    name: String,
    on: On,
    categories: Vec<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    check: Option<String>,
    weight: f64,
    #[serde(default = "default_min_share")]
    min_share: f64,
    #[serde(default)]
    full_share: Option<f64>,
    #[serde(default)]
    needs_name: bool,
    #[serde(default)]
    min_distinct_share: f64,
    #[serde(default)]
    min_distinct: u64,
    #[serde(default)]
    requires: Option<String>,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    action: Option<Action>,
    #[serde(default)]
    compliant: bool,
    #[serde(default)]
    group: Option<String>,
    description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleHintDef {
    name: String,
    role: Role,
    pattern: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesDef {
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    #[serde(default)]
    not_name_words: Vec<String>,
    first: Vec<String>,
    last: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    schema_version: u32,
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    thresholds: Thresholds,
    categories: Vec<Category>,
    rules: Vec<RuleDef>,
    role_hints: Vec<RoleHintDef>,
    person_names: NamesDef,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub on: On,
    /// Indices into [`Rules::categories`], in the rule's order of preference.
    pub categories: Vec<usize>,
    /// The value or name pattern (matched through the rule sets).
    pub(super) pattern: Option<String>,
    /// The pattern on its own, compiled only for the checks that read its groups (dates).
    pub(super) regex: Option<Regex>,
    pub(super) check: Option<Check>,
    pub weight: f64,
    pub min_share: f64,
    pub full_share: f64,
    pub needs_name: bool,
    pub min_distinct_share: f64,
    pub min_distinct: u64,
    pub(super) requires: Option<usize>,
    pub role: Option<Role>,
    pub action: Option<Action>,
    pub compliant: bool,
    /// Rules of one group read the same evidence in different ways (the forms of a date): only
    /// the highest-scoring of them counts towards a category.
    pub group: Option<String>,
    pub description: String,
}

/// The parsed and validated rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Where the rules came from: `built-in` or a file path.
    pub source: String,
    pub thresholds: Thresholds,
    pub categories: Vec<Category>,
    pub rules: Vec<Rule>,
    /// Name rules' patterns, in one set (index i is `name_rules[i]`).
    pub(super) name_set: RegexSet,
    pub(super) name_rules: Vec<usize>,
    /// Value rules with a pattern, in one set (index i is `value_rules[i]`).
    pub(super) value_set: RegexSet,
    pub(super) value_rules: Vec<usize>,
    /// Value rules with a check and no pattern: run on every value.
    pub(super) check_only: Vec<usize>,
    pub(super) role_hints: Vec<(String, Role, Regex)>,
    pub names: PersonNames,
}

impl Rules {
    /// The built-in rules (parsed once; a failure is a bug that the unit tests catch).
    pub fn builtin() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| {
            Rules::parse(BUILTIN_RULES, "built-in").expect("the built-in scan rules are valid")
        })
    }

    /// The rules of `path` when given (`--rules FILE`), else the built-in ones.
    pub(crate) fn from_file_or_builtin(path: Option<&Path>) -> Result<Cow<'static, Rules>> {
        Ok(match path {
            Some(p) => Cow::Owned(Rules::load(p)?),
            None => Cow::Borrowed(Rules::builtin()),
        })
    }

    /// Rules from a file of the same schema as the built-in ones.
    pub(crate) fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Rules::parse(&text, &path.display().to_string()).map_err(|message| Error::Policy {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses and validates a rules document: every regex compiles, every check and category
    /// exists, every category letter is one of A-R and each of the 18 has a category, weights and
    /// shares are within 0..1, `requires` names an earlier rule.
    pub(crate) fn parse(text: &str, source: &str) -> std::result::Result<Rules, String> {
        let file: RulesFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.schema_version != 1 {
            return Err(format!(
                "rules schema_version {} is not supported (this reident reads 1)",
                file.schema_version
            ));
        }
        check_thresholds(&file.thresholds)?;
        check_categories(&file.categories)?;
        let mut rules: Vec<Rule> = Vec::with_capacity(file.rules.len());
        for r in &file.rules {
            let rule = compile_rule(r, &file.categories, &rules)?;
            rules.push(rule);
        }
        let name_rules = pick(&rules, On::Name, true);
        let value_rules = pick(&rules, On::Values, true);
        let check_only = pick(&rules, On::Values, false);
        let name_set = rule_set(&rules, &name_rules)?;
        let value_set = rule_set(&rules, &value_rules)?;
        let role_hints = compile_role_hints(&file.role_hints)?;
        Ok(Rules {
            source: source.to_string(),
            thresholds: file.thresholds,
            categories: file.categories,
            rules,
            name_set,
            name_rules,
            value_set,
            value_rules,
            check_only,
            role_hints,
            names: person_names(&file.person_names),
        })
    }

    pub(crate) fn level(&self, confidence: f64) -> Level {
        if confidence >= self.thresholds.high {
            Level::High
        } else if confidence >= self.thresholds.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }

    /// The year of a value: a date in any form the date reader knows ([`super::dates`]), a plain
    /// year, else a date in a form that a rule with the `date` check describes (a rules file may
    /// add forms), or a Unix time when `epoch` is set. Two-digit years are read as 20yy up to
    /// `pivot`'s last two digits, else 19yy.
    pub(crate) fn date_year(&self, v: &str, pivot: i32, epoch: bool) -> Option<i32> {
        if let Some(y) = super::dates::year_of(v, pivot) {
            return Some(y);
        }
        for r in &self.rules {
            if let (Some(Check::Date), Some(re)) = (r.check, &r.regex) {
                if let Some(y) = re
                    .captures(v.as_bytes())
                    .and_then(|c| checks::captured_date(&c, pivot))
                {
                    return Some(y);
                }
            }
        }
        if epoch {
            return checks::epoch_year(v);
        }
        None
    }
}

/// The thresholds are ordered within (0, 1].
fn check_thresholds(t: &Thresholds) -> std::result::Result<(), String> {
    if !(0.0 < t.report && t.report <= t.medium && t.medium <= t.high && t.high <= 1.0) {
        return Err("thresholds must satisfy 0 < report <= medium <= high <= 1".into());
    }
    Ok(())
}

/// Every category has a letter A-R and a unique id, and each of the 18 letters has a category.
fn check_categories(categories: &[Category]) -> std::result::Result<(), String> {
    let mut seen = HashSet::new();
    for c in categories {
        if !HIPAA_LETTERS.contains(&c.hipaa.as_str()) {
            return Err(format!(
                "category {:?}: hipaa must be a letter A-R, not {:?}",
                c.id, c.hipaa
            ));
        }
        if !seen.insert(c.id.clone()) {
            return Err(format!("category {:?} is defined twice", c.id));
        }
    }
    for l in HIPAA_LETTERS {
        if !categories.iter().any(|c| c.hipaa == l) {
            return Err(format!(
                "no category for 164.514(b)(2)(i)({l}): all 18 must be covered"
            ));
        }
    }
    Ok(())
}

/// One rule of the file, validated and compiled; `earlier` are the rules before it.
fn compile_rule(
    r: &RuleDef,
    all_categories: &[Category],
    earlier: &[Rule],
) -> std::result::Result<Rule, String> {
    let err = |m: String| format!("rule {:?}: {m}", r.name);
    if earlier.iter().any(|x| x.name == r.name) {
        return Err(err("defined twice".into()));
    }
    if r.categories.is_empty() {
        return Err(err("names no category".into()));
    }
    let categories = r
        .categories
        .iter()
        .map(|c| {
            all_categories
                .iter()
                .position(|x| &x.id == c)
                .ok_or_else(|| err(format!("unknown category {c:?}")))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let (check, regex) = rule_check(r).map_err(&err)?;
    let full_share = rule_full_share(r).map_err(&err)?;
    let requires = match &r.requires {
        Some(n) => Some(
            earlier
                .iter()
                .position(|x| &x.name == n)
                .ok_or_else(|| err(format!("requires {n:?}, which is not an earlier rule")))?,
        ),
        None => None,
    };
    Ok(Rule {
        name: r.name.clone(),
        on: r.on,
        categories,
        pattern: r.pattern.clone(),
        regex,
        check,
        weight: r.weight,
        min_share: r.min_share,
        full_share,
        needs_name: r.needs_name,
        min_distinct_share: r.min_distinct_share,
        min_distinct: r.min_distinct,
        requires,
        role: r.role,
        action: r.action,
        compliant: r.compliant,
        group: r.group.clone(),
        description: r.description.clone(),
    })
}

/// A rule's check, and its pattern compiled on its own when the check reads its groups; whether
/// the rule has what its kind needs (a name rule a pattern and no check, a value rule a pattern or
/// a check, a date check named groups).
fn rule_check(r: &RuleDef) -> std::result::Result<(Option<Check>, Option<Regex>), String> {
    let check = match &r.check {
        Some(c) => Some(Check::parse(c).ok_or_else(|| format!("unknown check {c:?}"))?),
        None => None,
    };
    // Patterns are compiled once, in the rule sets; on their own only when a check reads
    // their groups (or, in `rule_set`, to name the culprit when a set does not compile).
    let regex = match (&r.pattern, check) {
        (Some(p), Some(c)) if c.needs_captures() => {
            Some(compile(p).map_err(|e| format!("bad pattern: {e}"))?)
        }
        _ => None,
    };
    if r.on == On::Name && (r.pattern.is_none() || check.is_some()) {
        return Err("a name rule needs a pattern and no check".into());
    }
    if r.on == On::Values && r.pattern.is_none() && check.is_none() {
        return Err("a value rule needs a pattern or a check".into());
    }
    if let (Some(c), Some(re)) = (check, &regex) {
        if c.needs_captures() && !re.capture_names().flatten().any(|n| n == "y" || n == "yy") {
            return Err("a date check needs a (?P<y>...) or (?P<yy>...) group".into());
        }
    } else if check.is_some_and(Check::needs_captures) {
        return Err("a date check needs a pattern with named groups".into());
    }
    Ok((check, regex))
}

/// A rule's `full_share` (0.9 unless given, never below `min_share`), once its weight and shares
/// are checked to be within 0..1 (the weight below 1).
fn rule_full_share(r: &RuleDef) -> std::result::Result<f64, String> {
    let full_share = r.full_share.unwrap_or(0.9).max(r.min_share);
    for (what, x) in [
        ("weight", r.weight),
        ("min_share", r.min_share),
        ("min_distinct_share", r.min_distinct_share),
        ("full_share", full_share),
    ] {
        if !(0.0..=1.0).contains(&x) {
            return Err(format!("{what} must be between 0 and 1"));
        }
    }
    if r.weight >= 1.0 {
        return Err("weight must be below 1".into());
    }
    Ok(full_share)
}

/// The indices of the rules on `on`, with or without a pattern.
fn pick(rules: &[Rule], on: On, with_pattern: bool) -> Vec<usize> {
    (0..rules.len())
        .filter(|&i| rules[i].on == on && rules[i].pattern.is_some() == with_pattern)
        .collect()
}

/// The patterns of the rules `idx` in one set (index i of a match is `idx[i]`).
fn rule_set(rules: &[Rule], idx: &[usize]) -> std::result::Result<RegexSet, String> {
    let patterns: Vec<&str> = idx
        .iter()
        .map(|&i| rules[i].pattern.as_deref().unwrap())
        .collect();
    RegexSetBuilder::new(&patterns)
        .unicode(false)
        .build()
        .map_err(|e| {
            // Name the rule whose pattern does not compile.
            for &i in idx {
                if let Err(one) = compile(rules[i].pattern.as_deref().unwrap()) {
                    return format!("rule {:?}: bad pattern: {one}", rules[i].name);
                }
            }
            format!("compiling the rule set: {e}")
        })
}

/// The role hints, compiled (none may say identifying: that comes from the rules).
fn compile_role_hints(
    hints: &[RoleHintDef],
) -> std::result::Result<Vec<(String, Role, Regex)>, String> {
    hints
        .iter()
        .map(|h| {
            if h.role == Role::Identifying {
                return Err(format!(
                    "role hint {:?}: identifying columns come from the rules, not hints",
                    h.name
                ));
            }
            compile(&h.pattern)
                .map(|re| (h.name.clone(), h.role, re))
                .map_err(|e| format!("role hint {:?}: bad pattern: {e}", h.name))
        })
        .collect()
}

/// The name lists, lowercase.
fn person_names(def: &NamesDef) -> PersonNames {
    let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect();
    PersonNames {
        first: lower(&def.first),
        last: lower(&def.last),
        not_name: lower(&def.not_name_words),
    }
}

/// Rule patterns are compiled without Unicode classes: identifiers are ASCII, `\d` should not
/// match other scripts' digits, and ASCII-only automata compile many times faster, which keeps the
/// check that `analyze` runs within milliseconds. Byte regexes, so that `[^\s]` may match any
/// non-ASCII character.
fn compile(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse_and_cover_all_18_categories() {
        let r = Rules::parse(BUILTIN_RULES, "built-in").unwrap();
        for letter in HIPAA_LETTERS {
            let cats: Vec<usize> = (0..r.categories.len())
                .filter(|&c| r.categories[c].hipaa == letter)
                .collect();
            assert!(!cats.is_empty(), "no category for ({letter})");
            // Every category has at least one rule, and every letter a name rule and a rule of
            // some kind on values or names beyond it... at least one rule of each category.
            for c in cats {
                assert!(
                    r.rules.iter().any(|x| x.categories.contains(&c)),
                    "category {} has no rule",
                    r.categories[c].id
                );
            }
        }
        // Every regex compiled (parse would have failed), every check name is known.
        assert!(r.rules.len() > 50);
    }

    #[test]
    fn bad_rules_are_rejected() {
        let base: serde_json::Value = serde_json::from_str(BUILTIN_RULES).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = base.clone();
            f(&mut v);
            Rules::parse(&v.to_string(), "test").unwrap_err()
        };
        assert!(with(&|v| v["rules"][0]["pattern"] = "(".into()).contains("bad pattern"));
        assert!(with(&|v| v["rules"][2]["check"] = "nope".into()).contains("unknown check"));
        assert!(with(&|v| v["rules"][0]["categories"][0] = "x".into()).contains("unknown category"));
        assert!(with(&|v| {
            let cats = v["categories"].as_array_mut().unwrap();
            cats.retain(|c| c["hipaa"] != "Q");
        })
        .contains("(Q)"));
        assert!(with(&|v| v["rules"][0]["weight"] = 1.5.into()).contains("weight"));
        assert!(with(&|v| v["rules"][0]["typo"] = 1.into()).contains("typo"));
    }

    #[test]
    fn date_years() {
        let r = Rules::builtin();
        for (v, y) in [
            ("2019-03-04", 2019),
            ("2019-03-04 12:30:00", 2019),
            ("2019-03-04T12:30:00Z", 2019),
            ("03/04/2019", 2019),
            ("25/12/2019", 2019),
            ("04.03.2019", 2019),
            ("4 Mar 2019", 2019),
            ("March 4, 2019", 2019),
            ("2019-03", 2019),
            ("3/2019", 2019),
            ("20190304", 2019),
            ("3/4/19", 2019),
            ("1999", 1999),
        ] {
            assert_eq!(r.date_year(v, 2025, false), Some(y), "{v}");
        }
        assert_eq!(r.date_year("2019-02-30", 2025, false), None);
        assert_eq!(r.date_year("<=1935", 2025, false), None);
        assert_eq!(r.date_year("1577836800", 2025, true), Some(2020));
        assert_eq!(r.date_year("1577836800", 2025, false), None);
    }
}
