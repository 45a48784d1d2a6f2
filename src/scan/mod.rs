//! `scan`: which columns look like HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i)(A)-(R)).
//!
//! Before anyone measures quasi-identifier risk, the table must not hold direct identifiers. A
//! careless export leaves them in under every name, so the scan judges each column twice: from its
//! name (normalized: `patientSSN`, `Patient SSN` and `patient_ssn` are all `patient_ssn`) and from
//! a bounded sample of its values (patterns, then check digits or calendar validity where the
//! identifier has them, share of distinct values, lengths).
//!
//! The rules are data, not code: [`rules.json`](rules.json) holds the 18 categories (with the role
//! and the Safe Harbor step each implies) and every name and value rule (a regex, optionally a
//! named check from [`checks`]), with its weight. It is compiled into the binary, parsed and
//! validated once ([`Rules::builtin`]); `--rules FILE` loads another file of the same schema, so
//! a reviewer can read, change and extend the rules without touching the engine.
//!
//! Scoring: a value rule *fires* when the share of sampled non-null values that pass it reaches its
//! `min_share` (and the column's distinct share its `min_distinct_share`); its score is its weight,
//! scaled down linearly when the share is below `full_share` (0.9 unless given). A name rule scores
//! its weight when the name matches. A category's confidence is `1 - prod(1 - score)` over its
//! fired rules (independent pieces of evidence, each able to raise it), the column gets the
//! category with the highest confidence when it reaches the report threshold, and the confidence
//! is also given as a word (high, medium, low: thresholds in the rules file).
//!
//! The report never holds a value: only rule names, shares of the sample, distinct shares and
//! length statistics. A scan reads at most `sample_rows` rows ([`crate::input::Input::sample`]):
//! Parquet from the first rows of a few row groups spread over the file, CSV from its first rows.

pub mod checks;
mod command;
pub mod safe_harbor;

pub use command::{run, Options, Outcome};

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use hashbrown::HashMap;
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};

use crate::tool::ToolInfo;
use crate::error::{Error, Result};
use crate::input::encode::NULL_TEXT;
use crate::input::{Format, Input};
use crate::policy::Roles;
use checks::Check;

/// Version of the JSON document `scan --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// Rows sampled per column unless told otherwise.
pub const DEFAULT_SAMPLE_ROWS: usize = 10_000;

/// The built-in rules, compiled into the binary.
pub const BUILTIN_RULES: &str = include_str!("rules.json");

/// Values longer than this are skipped: they are free text or large blobs, and matching every rule
/// against them whole would cost more than the rest of the column.
const MAX_VALUE_LEN: usize = 4096;

/// A column role, as the scan suggests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Identifying,
    Qi,
    Sensitive,
    Insensitive,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Identifying => "identifying",
            Role::Qi => "quasi-identifier",
            Role::Sensitive => "sensitive",
            Role::Insensitive => "insensitive",
        }
    }
}

/// The Safe Harbor step a finding implies (what `safe-harbor` does with the column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Remove the column (or replace it by pseudonyms with `--pseudonymize`).
    Drop,
    /// Keep the year of every date.
    Year,
    /// Keep the year, and aggregate the years of birth that reveal an age over 89.
    BirthYear,
    /// Ages of 90 and over become `90+`.
    TopCodeAge,
    /// ZIP codes to their first three digits, `000` for restricted areas.
    Zip3,
    /// Safe Harbor requires removing it, but what to do needs a person (e.g. a city column).
    Review,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Year => "year",
            Action::BirthYear => "birth-year",
            Action::TopCodeAge => "top-code-age",
            Action::Zip3 => "zip3",
            Action::Review => "review",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum On {
    Name,
    Values,
}

/// Confidence as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

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

/// The lists of common first and last names (lowercase) for the `person_name` check.
#[derive(Debug, Clone, Default)]
pub struct PersonNames {
    pub first: HashSet<String>,
    pub last: HashSet<String>,
    /// Words that make a value something other than a person's name (`Garcia and Sons`).
    pub not_name: HashSet<String>,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub on: On,
    /// Indices into [`Rules::categories`], in the rule's order of preference.
    pub categories: Vec<usize>,
    /// The value or name pattern (matched through the rule sets).
    pattern: Option<String>,
    /// The pattern on its own, compiled only for the checks that read its groups (dates).
    regex: Option<Regex>,
    check: Option<Check>,
    pub weight: f64,
    pub min_share: f64,
    pub full_share: f64,
    pub needs_name: bool,
    pub min_distinct_share: f64,
    pub min_distinct: u64,
    requires: Option<usize>,
    pub role: Option<Role>,
    pub action: Option<Action>,
    pub compliant: bool,
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
    name_set: RegexSet,
    name_rules: Vec<usize>,
    /// Value rules with a pattern, in one set (index i is `value_rules[i]`).
    value_set: RegexSet,
    value_rules: Vec<usize>,
    /// Value rules with a check and no pattern: run on every value.
    check_only: Vec<usize>,
    role_hints: Vec<(String, Role, Regex)>,
    pub names: PersonNames,
}

/// The 18 letters of 45 CFR 164.514(b)(2)(i).
pub const HIPAA_LETTERS: [&str; 18] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R",
];

impl Rules {
    /// The built-in rules (parsed once; a failure is a bug that the unit tests catch).
    pub fn builtin() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| {
            Rules::parse(BUILTIN_RULES, "built-in").expect("the built-in scan rules are valid")
        })
    }

    /// The rules of `path` when given (`--rules FILE`), else the built-in ones.
    pub fn from_file_or_builtin(path: Option<&Path>) -> Result<std::borrow::Cow<'static, Rules>> {
        Ok(match path {
            Some(p) => std::borrow::Cow::Owned(Rules::load(p)?),
            None => std::borrow::Cow::Borrowed(Rules::builtin()),
        })
    }

    /// Rules from a file of the same schema as the built-in ones.
    pub fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Rules::parse(&text, &path.display().to_string()).map_err(|message| Error::Policy {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses and validates a rules document: every regex compiles, every check and category
    /// exists, every category letter is one of A-R and each of the 18 has a category, weights and
    /// shares are within 0..1, `requires` names an earlier rule.
    pub fn parse(text: &str, source: &str) -> std::result::Result<Rules, String> {
        let file: RulesFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.schema_version != 1 {
            return Err(format!(
                "rules schema_version {} is not supported (this reident reads 1)",
                file.schema_version
            ));
        }
        let t = file.thresholds;
        if !(0.0 < t.report && t.report <= t.medium && t.medium <= t.high && t.high <= 1.0) {
            return Err("thresholds must satisfy 0 < report <= medium <= high <= 1".into());
        }
        let mut seen = HashSet::new();
        for c in &file.categories {
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
            if !file.categories.iter().any(|c| c.hipaa == l) {
                return Err(format!(
                    "no category for 164.514(b)(2)(i)({l}): all 18 must be covered"
                ));
            }
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(file.rules.len());
        for r in &file.rules {
            let err = |m: String| format!("rule {:?}: {m}", r.name);
            if rules.iter().any(|x| x.name == r.name) {
                return Err(err("defined twice".into()));
            }
            if r.categories.is_empty() {
                return Err(err("names no category".into()));
            }
            let categories = r
                .categories
                .iter()
                .map(|c| {
                    file.categories
                        .iter()
                        .position(|x| &x.id == c)
                        .ok_or_else(|| err(format!("unknown category {c:?}")))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let check = match &r.check {
                Some(c) => {
                    Some(Check::parse(c).ok_or_else(|| err(format!("unknown check {c:?}")))?)
                }
                None => None,
            };
            // Patterns are compiled once, in the rule sets; on their own only when a check reads
            // their groups (or, below, to name the culprit when a set does not compile).
            let regex = match (&r.pattern, check) {
                (Some(p), Some(c)) if c.needs_captures() => {
                    Some(compile(p).map_err(|e| err(format!("bad pattern: {e}")))?)
                }
                _ => None,
            };
            if r.on == On::Name && (r.pattern.is_none() || check.is_some()) {
                return Err(err("a name rule needs a pattern and no check".into()));
            }
            if r.on == On::Values && r.pattern.is_none() && check.is_none() {
                return Err(err("a value rule needs a pattern or a check".into()));
            }
            if let (Some(c), Some(re)) = (check, &regex) {
                if c.needs_captures()
                    && !re.capture_names().flatten().any(|n| n == "y" || n == "yy")
                {
                    return Err(err(
                        "a date check needs a (?P<y>...) or (?P<yy>...) group".into()
                    ));
                }
            } else if check.is_some_and(Check::needs_captures) {
                return Err(err("a date check needs a pattern with named groups".into()));
            }
            let full_share = r.full_share.unwrap_or(0.9).max(r.min_share);
            for (what, x) in [
                ("weight", r.weight),
                ("min_share", r.min_share),
                ("min_distinct_share", r.min_distinct_share),
                ("full_share", full_share),
            ] {
                if !(0.0..=1.0).contains(&x) {
                    return Err(err(format!("{what} must be between 0 and 1")));
                }
            }
            if r.weight >= 1.0 {
                return Err(err("weight must be below 1".into()));
            }
            let requires =
                match &r.requires {
                    Some(n) => Some(rules.iter().position(|x| &x.name == n).ok_or_else(|| {
                        err(format!("requires {n:?}, which is not an earlier rule"))
                    })?),
                    None => None,
                };
            rules.push(Rule {
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
                description: r.description.clone(),
            });
        }
        let pick = |on: On, with_pattern: bool| -> Vec<usize> {
            (0..rules.len())
                .filter(|&i| rules[i].on == on && rules[i].pattern.is_some() == with_pattern)
                .collect()
        };
        let name_rules = pick(On::Name, true);
        let value_rules = pick(On::Values, true);
        let check_only = pick(On::Values, false);
        let set = |idx: &[usize]| -> std::result::Result<RegexSet, String> {
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
        };
        let name_set = set(&name_rules)?;
        let value_set = set(&value_rules)?;
        let role_hints = file
            .role_hints
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
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect();
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
            names: PersonNames {
                first: lower(&file.person_names.first),
                last: lower(&file.person_names.last),
                not_name: lower(&file.person_names.not_name_words),
            },
        })
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn level(&self, confidence: f64) -> Level {
        if confidence >= self.thresholds.high {
            Level::High
        } else if confidence >= self.thresholds.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }

    /// The year of a value in any of the date formats the rules know (the value rules with the
    /// `date` or `year` check, in file order), or of a Unix time when `epoch` is set. Two-digit
    /// years are read as 20yy up to `pivot`'s last two digits, else 19yy.
    pub fn date_year(&self, v: &str, pivot: i32, epoch: bool) -> Option<i32> {
        for r in &self.rules {
            match (r.check, &r.regex) {
                (Some(Check::Date), Some(re)) => {
                    if let Some(y) = re
                        .captures(v.as_bytes())
                        .and_then(|c| checks::captured_date(&c, pivot))
                    {
                        return Some(y);
                    }
                }
                (Some(Check::Year), Some(re)) => {
                    if let Some(c) = re.captures(v.as_bytes()) {
                        if c.get(1).is_none() {
                            if let Some(y) = checks::group(&c, "y").and_then(|y| y.parse().ok()) {
                                return Some(y);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if epoch {
            return checks::epoch_year(v);
        }
        None
    }
}

/// Rule patterns are compiled without Unicode classes: identifiers are ASCII, `\d` should not
/// match other scripts' digits, and ASCII-only automata compile many times faster, which keeps the
/// check that `analyze` runs within milliseconds. Byte regexes, so that `[^\s]` may match any
/// non-ASCII character.
fn compile(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

/// A column name in the form the name patterns see: camelCase and every run of characters other
/// than letters and digits split into `_`, lowercase (`PatientSSN` -> `patient_ssn`,
/// `Date of Birth` -> `date_of_birth`, `marital-status` -> `marital_status`).
pub fn normalize_name(name: &str) -> String {
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

/// What `scan` reads.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// At most this many rows are read (see [`crate::input::Input::sample`]).
    pub sample_rows: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            sample_rows: DEFAULT_SAMPLE_ROWS,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LengthStats {
    pub min: u64,
    pub max: u64,
    pub mean: f64,
}

/// One rule's finding on a column. Never a value: the rule and the share of the sample.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    pub rule: String,
    pub on: On,
    /// Share of the sampled non-null values that passed the rule (value rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_share: Option<f64>,
    /// Whether the rule counted towards the confidence.
    pub fired: bool,
    /// What it added: its weight, scaled by the share for value rules (0 when it did not fire).
    pub score: f64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alternative {
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
}

/// The scan of one column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnScan {
    pub column: String,
    /// Rows sampled, non-null among them, distinct non-null values.
    pub sampled: u64,
    pub non_null: u64,
    pub distinct: u64,
    /// distinct / non_null (0 when every sampled value is null).
    pub distinct_share: f64,
    /// Value lengths in characters, over the non-null sampled values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<LengthStats>,
    /// The Safe Harbor category (`None`: nothing reached the report threshold).
    pub category: Option<String>,
    /// The letter of 164.514(b)(2)(i).
    pub hipaa: Option<String>,
    pub title: Option<String>,
    pub confidence: f64,
    pub level: Option<Level>,
    pub suggested_role: Role,
    /// The Safe Harbor step for the column (`safe-harbor` applies it).
    pub action: Option<Action>,
    /// The sampled values already have the form Safe Harbor allows (ZIP3, years, ages under 90
    /// or `90+`). The step is still applied by `safe-harbor` (it changes nothing such values).
    pub safe_harbor_form: bool,
    /// Rules behind the category (or the role hint), with what they matched.
    pub evidence: Vec<Evidence>,
    /// Other categories that reached the report threshold.
    pub alternatives: Vec<Alternative>,
}

impl ColumnScan {
    /// A direct identifier flagged at this level or above.
    pub fn is_identifying(&self, at_least: Level) -> bool {
        self.suggested_role == Role::Identifying && self.level.is_some_and(|l| l >= at_least)
    }

    /// The strongest fired rule and its share, for one-line messages.
    pub fn main_evidence(&self) -> String {
        let best = self.evidence.iter().filter(|e| e.fired).max_by(|a, b| {
            a.score
                .partial_cmp(&b.score)
                .unwrap()
                .then((a.on == On::Values).cmp(&(b.on == On::Values)))
        });
        match best {
            Some(e) => match e.matched_share {
                Some(s) => format!(
                    "{} {:.1}% of {} sampled values",
                    e.rule,
                    100.0 * s,
                    self.non_null
                ),
                None => format!("{} (column name)", e.rule),
            },
            None => "no rule".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub format: Format,
    /// Rows in the file when its metadata says (Parquet); CSV is not read to the end.
    pub records: Option<u64>,
    pub columns: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleInfo {
    pub rows_requested: usize,
    pub rows_read: u64,
    /// How the rows were chosen.
    pub method: String,
}

/// Columns by suggested role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub identifying: Vec<String>,
    pub quasi_identifiers: Vec<String>,
    pub sensitive: Vec<String>,
    pub insensitive: Vec<String>,
    /// Columns whose Safe Harbor step needs a person's decision, and low-confidence identifiers.
    pub review: Vec<String>,
}

/// Everything `scan` reports. Serialized as is for `--json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub dataset: DatasetInfo,
    pub sample: SampleInfo,
    /// `built-in` or the rules file given.
    pub rules: String,
    pub columns: Vec<ColumnScan>,
    pub summary: Summary,
}

/// The sampled values of one column: distinct non-null texts with their counts, and the nulls.
#[derive(Debug, Clone, Default)]
pub struct ColumnSample {
    pub values: Vec<(String, u64)>,
    pub nulls: u64,
}

/// Samples the given columns of `input` (at most `rows` rows) and counts each column's values.
pub fn sample_columns(
    input: &Input,
    columns: &[usize],
    rows: usize,
) -> Result<(Vec<ColumnSample>, u64, String)> {
    if rows == 0 {
        return Err(Error::Invalid("--sample must be at least 1 row".into()));
    }
    let (chunks, how) = input.sample(columns, rows)?;
    let read: u64 = chunks.iter().map(|c| c.rows as u64).sum();
    let mut out = Vec::with_capacity(columns.len());
    for c in 0..columns.len() {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for ch in &chunks {
            let col = &ch.columns[c];
            let mut per_code = vec![0u64; col.dict.len()];
            for &code in &col.codes {
                per_code[code as usize] += 1;
            }
            for (v, &n) in col.dict.iter().zip(&per_code) {
                if n > 0 {
                    *counts.entry(v.as_str()).or_default() += n;
                }
            }
        }
        let nulls = counts.remove(NULL_TEXT).unwrap_or(0);
        let mut values: Vec<(String, u64)> = counts
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect();
        // Hash order is not stable; rules do not care, but reports are compared byte for byte.
        values.sort_unstable();
        out.push(ColumnSample { values, nulls });
    }
    Ok((out, read, how))
}

impl Rules {
    /// Judges one column from its name and sampled values.
    pub fn scan_column(&self, name: &str, sample: &ColumnSample) -> ColumnScan {
        let norm = normalize_name(name);
        let n_cat = self.categories.len();
        let non_null: u64 = sample.values.iter().map(|(_, n)| n).sum();
        let distinct = sample.values.len() as u64;
        let distinct_share = if non_null == 0 {
            0.0
        } else {
            distinct as f64 / non_null as f64
        };
        let length = (non_null > 0).then(|| {
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
        });

        // Name rules.
        let mut name_fired = vec![false; self.rules.len()];
        for i in self.name_set.matches(norm.as_bytes()).iter() {
            name_fired[self.name_rules[i]] = true;
        }
        let mut category_named = vec![false; n_cat];
        for (r, rule) in self.rules.iter().enumerate() {
            if name_fired[r] {
                for &c in &rule.categories {
                    category_named[c] = true;
                }
            }
        }

        // Value rules: matched counts over the distinct values.
        let mut matched = vec![0u64; self.rules.len()];
        for (raw, n) in &sample.values {
            let v = raw.trim();
            if v.is_empty() || v.len() > MAX_VALUE_LEN {
                continue;
            }
            let passes = |r: usize| -> bool {
                let rule = &self.rules[r];
                match rule.check {
                    None => true,
                    Some(check) if check.needs_captures() => {
                        let caps = rule.regex.as_ref().and_then(|re| re.captures(v.as_bytes()));
                        caps.is_some() && check.run(v, caps.as_ref(), &self.names)
                    }
                    Some(check) => check.run(v, None, &self.names),
                }
            };
            for i in self.value_set.matches(v.as_bytes()).iter() {
                let r = self.value_rules[i];
                if passes(r) {
                    matched[r] += n;
                }
            }
            for &r in &self.check_only {
                if passes(r) {
                    matched[r] += n;
                }
            }
        }
        let share = |r: usize| {
            if non_null == 0 {
                0.0
            } else {
                matched[r] as f64 / non_null as f64
            }
        };
        let mut value_fired = vec![false; self.rules.len()];
        for (r, rule) in self.rules.iter().enumerate() {
            if rule.on != On::Values {
                continue;
            }
            let s = share(r);
            value_fired[r] = matched[r] > 0
                && s >= rule.min_share
                && distinct_share >= rule.min_distinct_share
                && distinct >= rule.min_distinct
                && rule.requires.is_none_or(|q| value_fired[q]);
        }
        let score = |r: usize| -> f64 {
            let rule = &self.rules[r];
            match rule.on {
                On::Name => rule.weight,
                On::Values => {
                    let full = rule.full_share.max(f64::MIN_POSITIVE);
                    rule.weight * (share(r) / full).min(1.0)
                }
            }
        };
        // Whether rule r counts for category c.
        let counts_for = |r: usize, c: usize| -> bool {
            let rule = &self.rules[r];
            rule.categories.contains(&c)
                && match rule.on {
                    On::Name => name_fired[r],
                    On::Values => value_fired[r] && (!rule.needs_name || category_named[c]),
                }
        };

        // Category confidences.
        let mut conf = vec![0.0f64; n_cat];
        let mut priority = vec![usize::MAX; n_cat];
        for (c, conf_c) in conf.iter_mut().enumerate() {
            let mut miss = 1.0;
            for r in 0..self.rules.len() {
                if counts_for(r, c) {
                    miss *= 1.0 - score(r);
                    let pos = self.rules[r]
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
                .then(category_named[b].cmp(&category_named[a]))
                .then(priority[a].cmp(&priority[b]))
                .then(a.cmp(&b))
        });
        let report = self.thresholds.report;
        let best = order.first().copied().filter(|&c| conf[c] >= report);

        let mut out = ColumnScan {
            column: name.to_string(),
            sampled: non_null + sample.nulls,
            non_null,
            distinct,
            distinct_share,
            length,
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
        };
        match best {
            Some(c) => {
                let cat = &self.categories[c];
                let fired: Vec<usize> = (0..self.rules.len())
                    .filter(|&r| counts_for(r, c))
                    .collect();
                // Role and action: from the heaviest fired rule that sets one, else the category's.
                let heaviest = |f: &dyn Fn(&Rule) -> bool| {
                    fired
                        .iter()
                        .copied()
                        .filter(|&r| f(&self.rules[r]))
                        .max_by(|&a, &b| score(a).partial_cmp(&score(b)).unwrap().then(b.cmp(&a)))
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
                out.confidence = conf[c];
                out.level = Some(self.level(conf[c]));
                for (r, rule) in self.rules.iter().enumerate() {
                    if !rule.categories.contains(&c) {
                        continue;
                    }
                    let (show, matched_share) = match rule.on {
                        On::Name => (name_fired[r], None),
                        On::Values => (matched[r] > 0, Some(share(r))),
                    };
                    if show {
                        out.evidence.push(Evidence {
                            rule: rule.name.clone(),
                            on: rule.on,
                            matched_share,
                            fired: counts_for(r, c),
                            score: if counts_for(r, c) { score(r) } else { 0.0 },
                            description: rule.description.clone(),
                        });
                    }
                }
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
            None => {
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
        out
    }
}

/// Scans every column of `input`.
pub fn scan(input: &Input, rules: &Rules, options: &ScanOptions) -> Result<ScanReport> {
    let all: Vec<usize> = (0..input.columns().len()).collect();
    let (samples, read, method) = sample_columns(input, &all, options.sample_rows)?;
    if read == 0 {
        return Err(Error::EmptyTable {
            path: input.path().clone(),
        });
    }
    let columns: Vec<ColumnScan> = samples
        .iter()
        .zip(input.columns())
        .map(|(s, name)| rules.scan_column(name, s))
        .collect();
    let by = |f: &dyn Fn(&ColumnScan) -> bool| {
        columns
            .iter()
            .filter(|c| f(c))
            .map(|c| c.column.clone())
            .collect::<Vec<_>>()
    };
    let summary = Summary {
        identifying: by(&|c| c.suggested_role == Role::Identifying),
        quasi_identifiers: by(&|c| c.suggested_role == Role::Qi),
        sensitive: by(&|c| c.suggested_role == Role::Sensitive),
        insensitive: by(&|c| c.suggested_role == Role::Insensitive),
        review: by(&|c| {
            c.action == Some(Action::Review)
                || (c.suggested_role == Role::Identifying && c.level == Some(Level::Low))
        }),
    };
    Ok(ScanReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        dataset: DatasetInfo {
            path: input.path().display().to_string(),
            format: input.format(),
            records: match input {
                Input::Parquet(p) => Some(p.num_rows()),
                Input::Csv(_) => None,
            },
            columns: input.columns().len(),
        },
        sample: SampleInfo {
            rows_requested: options.sample_rows,
            rows_read: read,
            method,
        },
        rules: rules.source.clone(),
        columns,
        summary,
    })
}

impl ScanReport {
    /// The table printed by default.
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(s, "reident {} — {}", self.tool.version, self.dataset.path);
        let _ = writeln!(s, "sample: {}; rules: {}", self.sample.method, self.rules);
        let _ = writeln!(s);
        let w = self
            .columns
            .iter()
            .map(|c| c.column.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(6, 40);
        let _ = writeln!(
            s,
            "{:<w$}  {:<16} {:<4} {:<11} {:<16} {:<12}  evidence",
            "column", "category", "164.514", "confidence", "role", "action"
        );
        for c in &self.columns {
            let conf = match c.level {
                Some(l) => format!("{} {:.2}", l.as_str(), c.confidence),
                None => "-".into(),
            };
            let action = match (c.action, c.safe_harbor_form) {
                (Some(a), true) => format!("{} (done)", a.as_str()),
                (Some(a), false) => a.as_str().to_string(),
                (None, _) => "-".into(),
            };
            let evidence = if c.category.is_some() {
                c.main_evidence()
            } else {
                c.evidence
                    .first()
                    .map(|e| format!("{} (column name)", e.rule))
                    .unwrap_or_default()
            };
            let _ = writeln!(
                s,
                "{:<w$}  {:<16} {:<7} {:<11} {:<16} {:<12}  {}",
                c.column,
                c.category.as_deref().unwrap_or("-"),
                c.hipaa
                    .as_deref()
                    .map(|h| format!("({h})"))
                    .unwrap_or("-".into()),
                conf,
                c.suggested_role.as_str(),
                action,
                evidence
            );
        }
        let _ = writeln!(s);
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(s, "direct identifiers: {}", list(&self.summary.identifying));
        let _ = writeln!(
            s,
            "quasi-identifiers:  {}",
            list(&self.summary.quasi_identifiers)
        );
        if !self.summary.review.is_empty() {
            let _ = writeln!(s, "to review:          {}", list(&self.summary.review));
        }
        s
    }
}

/// A column used as something other than identifying although `scan` flags it as a direct
/// identifier with high confidence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleWarning {
    pub column: String,
    /// The role it is used as.
    pub used_as: &'static str,
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
    pub evidence: String,
}

impl fmt::Display for RoleWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column {:?} is used as {} but looks like a direct identifier ({}, 164.514(b)(2)(i)({}); confidence {:.2}: {}); mark it --identifying, or check it with reident scan",
            self.column, self.used_as, self.category, self.hipaa, self.confidence, self.evidence
        )
    }
}

/// Rows the role check in `analyze` and `anonymize` samples: enough for the value rules'
/// shares, small enough to cost a few milliseconds on any file.
pub const ROLE_CHECK_SAMPLE_ROWS: usize = 2_000;

/// The columns `roles` reads as quasi-identifiers, sensitive attributes or the weight (and, with
/// `insensitive_read`, the insensitive ones, which `anonymize` copies to its output), scanned on a
/// bounded sample; one warning for each that the built-in rules flag as a direct identifier with
/// high confidence. Identifying columns are never read.
pub fn role_warnings(
    input: &Input,
    roles: &Roles,
    insensitive_read: bool,
    sample_rows: usize,
) -> Result<Vec<RoleWarning>> {
    let mut used: Vec<(usize, &'static str)> = Vec::new();
    used.extend(roles.qi.iter().map(|&c| (c, "a quasi-identifier")));
    used.extend(
        roles
            .sensitive
            .iter()
            .map(|&c| (c, "a sensitive attribute")),
    );
    used.extend(roles.weight.iter().map(|&c| (c, "the weight")));
    if insensitive_read {
        used.extend(
            roles
                .insensitive
                .iter()
                .filter(|c| Some(**c) != roles.weight)
                .map(|&c| (c, "an insensitive column (copied to the output)")),
        );
    }
    if used.is_empty() {
        return Ok(Vec::new());
    }
    let cols: Vec<usize> = used.iter().map(|(c, _)| *c).collect();
    let (samples, _, _) = sample_columns(input, &cols, sample_rows)?;
    let rules = Rules::builtin();
    Ok(used
        .iter()
        .zip(&samples)
        .filter_map(|(&(c, used_as), s)| {
            let scan = rules.scan_column(&input.columns()[c], s);
            scan.is_identifying(Level::High).then(|| RoleWarning {
                column: scan.column.clone(),
                used_as,
                category: scan.category.clone().unwrap_or_default(),
                hipaa: scan.hipaa.clone().unwrap_or_default(),
                confidence: scan.confidence,
                evidence: scan.main_evidence(),
            })
        })
        .collect())
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
