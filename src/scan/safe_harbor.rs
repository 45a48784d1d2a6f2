//! `safe-harbor`: the HIPAA Safe Harbor transformations (45 CFR 164.514(b)(2)), applied
//! mechanically to the columns the user names and those [`super::scan`] finds.
//!
//! * direct identifiers are dropped, or with `--pseudonymize` replaced by pseudonyms: HMAC-SHA256
//!   of the value under a 256-bit key drawn from the operating system for this run only (never
//!   stored, printed or derived from anything), truncated to 80 bits (20 hex digits). The same value
//!   gets the same pseudonym everywhere in one run, so joins within the output survive; without the
//!   key, which is gone when the run ends, a pseudonym cannot be computed from a value nor turned
//!   back into one, which is what 164.514(c) asks of a re-identification code. A later run draws a
//!   new key, so two outputs cannot be linked through their pseudonyms;
//! * dates become their year ((C): "all elements of dates (except year)"); in any format the
//!   scan rules know, and Unix times; for dates of birth the years that reveal an age over 89 at the
//!   reference year are aggregated into one `<=YYYY` category ((C): "all elements of dates
//!   (including year) indicative of such age");
//! * ages of 90 and over become `90+` (89 stays 89); values that are not numbers stay as they are
//!   and are counted;
//! * ZIP codes (5 digits, ZIP+4 with or without the dash, 4 digits taken as a ZIP that lost its
//!   leading zero when stored as a number, 3 digits taken as a ZIP3 already) become their first
//!   three digits, and `000` for the three-digit areas of 20,000 people or fewer
//!   ([`RestrictedZip3`]); anything else stays as it is and is counted;
//! * a column the scan flags but whose step needs a decision (a city, a low-confidence finding)
//!   is left alone with a warning.
//!
//! Nulls stay null. Every step is idempotent: running `safe-harbor` on its own output changes
//! nothing. The output is written through a temporary file ([`crate::output::write_atomically`])
//! and never over the input.

use std::collections::BTreeSet;
use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{Action, Level, Rules, SampleInfo, ScanOptions};
use crate::tool::ToolInfo;
use crate::output::output_format;
use crate::output::table::{write_chunks_with_text, WriteOptions};
use crate::error::{Error, Result};
use crate::input::encode::{LocalColumn, NULL_TEXT};
use crate::input::{Chunk, Format, Input};
use crate::progress::Progress;

/// Version of the JSON document `safe-harbor --json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// The single category that ages of 90 and over are aggregated into.
pub const AGE_TOP_CODE: &str = "90+";

/// The shipped list (datasets/hipaa/restricted_zip3.csv, with its source in the README there).
pub const BUILTIN_RESTRICTED_ZIP3: &str = include_str!("../../datasets/hipaa/restricted_zip3.csv");

/// Hex digits of a pseudonym (80 bits: for 100 million distinct values the chance that two share
/// a pseudonym is about 4e-9).
const PSEUDONYM_HEX: usize = 20;

/// The three-digit ZIP areas that must be written `000`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestrictedZip3 {
    /// `built-in` (the HHS 2012 guidance, 2000 Census) or the file given.
    pub source: String,
    pub codes: BTreeSet<String>,
}

impl RestrictedZip3 {
    pub fn builtin() -> RestrictedZip3 {
        Self::parse(
            BUILTIN_RESTRICTED_ZIP3,
            "built-in (HHS 2012 guidance, 2000 Census)",
        )
        .expect("the shipped ZIP3 list is valid")
    }

    pub fn load(path: &Path) -> Result<RestrictedZip3> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, &path.display().to_string())
            .map_err(|m| Error::Invalid(format!("{}: {m}", path.display())))
    }

    /// A CSV text with a `zip3` column (comma, semicolon or tab separated); other columns are
    /// ignored. Every code must be three digits.
    pub fn parse(text: &str, source: &str) -> std::result::Result<RestrictedZip3, String> {
        let text = text.trim_start_matches('\u{feff}');
        let header = text.lines().next().unwrap_or_default();
        let delimiter = crate::input::csv::detect_delimiter(header.as_bytes());
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| e.to_string())?.clone();
        let col = headers
            .iter()
            .position(|h| h.trim() == "zip3")
            .ok_or("no zip3 column in the header")?;
        let mut codes = BTreeSet::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| e.to_string())?;
            let z = rec.get(col).unwrap_or_default().trim();
            if z.len() != 3 || !z.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "line {}: a zip3 must be three digits (leading zeros kept)",
                    i + 2
                ));
            }
            codes.insert(z.to_string());
        }
        if codes.is_empty() {
            return Err("the list is empty".into());
        }
        Ok(RestrictedZip3 {
            source: source.to_string(),
            codes,
        })
    }
}

/// What happens to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transformation {
    Drop,
    Pseudonymize,
    Year,
    BirthYear,
    TopCodeAge,
    Zip3,
    Keep,
}

impl Transformation {
    pub fn as_str(self) -> &'static str {
        match self {
            Transformation::Drop => "drop",
            Transformation::Pseudonymize => "pseudonymize",
            Transformation::Year => "year",
            Transformation::BirthYear => "birth-year",
            Transformation::TopCodeAge => "top-code-age",
            Transformation::Zip3 => "zip3",
            Transformation::Keep => "keep",
        }
    }
}

/// Why a column is transformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Named on the command line.
    Flag,
    /// Found by the scan.
    Scan,
    /// Kept: neither named nor found.
    None,
}

/// The scan finding a transformation rests on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanFinding {
    pub category: String,
    pub hipaa: String,
    pub confidence: f64,
    pub level: Level,
    pub evidence: String,
}

/// One column of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnReport {
    pub column: String,
    pub transformation: Transformation,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanFinding>,
    /// Non-null values read (0 for a dropped column, which is not read).
    pub values: u64,
    pub nulls: u64,
    /// Values the transformation changed.
    pub changed: u64,
    /// Values it could not read (not a date, age or ZIP code), left unchanged.
    pub unrecognized: u64,
    /// ZIP codes of a restricted area, written 000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted: Option<u64>,
    /// Four-digit ZIP codes read as having lost a leading zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padded: Option<u64>,
    /// Ages of 90 and over written 90+, or birth years aggregated into <=YYYY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_coded: Option<u64>,
}

/// Everything `safe-harbor` reports. Serialized as is for `--json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SafeHarborReport {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub input: String,
    pub output: String,
    pub format: Format,
    pub records: u64,
    pub columns_written: usize,
    /// The year birth years are measured against (ages over 89).
    pub reference_year: i32,
    pub restricted_zip3: RestrictedZip3,
    /// How pseudonyms were made (the key itself is never reported).
    pub pseudonyms: String,
    /// The scan's sample, when the scan ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_sample: Option<SampleInfo>,
    /// Every column of the input, in order, with what was done to it.
    pub columns: Vec<ColumnReport>,
    /// Flagged columns left alone, values left unchanged: one line each, no values.
    pub warnings: Vec<String>,
}

/// What to do.
#[derive(Debug, Clone)]
pub struct SafeHarborOptions {
    pub drop: Vec<String>,
    pub pseudonymize: Vec<String>,
    pub dates: Vec<String>,
    pub birth_dates: Vec<String>,
    pub ages: Vec<String>,
    pub zips: Vec<String>,
    /// Apply the scan's findings (medium or high confidence) to the columns not named above.
    pub use_scan: bool,
    pub scan: ScanOptions,
    pub restricted_zip3: RestrictedZip3,
    /// Birth years up to `reference_year - 90` are aggregated; two-digit years pivot on it.
    pub reference_year: i32,
}

impl Default for SafeHarborOptions {
    fn default() -> Self {
        SafeHarborOptions {
            drop: Vec::new(),
            pseudonymize: Vec::new(),
            dates: Vec::new(),
            birth_dates: Vec::new(),
            ages: Vec::new(),
            zips: Vec::new(),
            use_scan: true,
            scan: ScanOptions::default(),
            restricted_zip3: RestrictedZip3::builtin(),
            reference_year: current_year(),
        }
    }
}

/// This year (UTC), from the system clock.
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    super::checks::year_of_days(secs.div_euclid(86_400))
}

/// The outcome for one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Same,
    /// A new value; `special` marks a restricted ZIP3, a padded ZIP or a top-coded value.
    New {
        value: String,
        special: Special,
    },
    Unrecognized,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    Restricted,
    Padded,
    /// Padded and restricted.
    PaddedRestricted,
    TopCoded,
}

fn new(value: String, special: Special) -> Outcome {
    Outcome::New { value, special }
}

/// ZIP code to ZIP3 (`000` for restricted areas).
pub fn zip3(v: &str, restricted: &RestrictedZip3) -> Outcome {
    let t = v.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (first3, padded) = match t.len() {
        3 if digits(t) => (t.to_string(), false),
        4 if digits(t) => (format!("0{}", &t[..2]), true),
        5 | 9 if digits(t) => (t[..3].to_string(), false),
        10 if digits(&t[..5]) && t.as_bytes()[5] == b'-' && digits(&t[6..]) => {
            (t[..3].to_string(), false)
        }
        _ => return Outcome::Unrecognized,
    };
    let is_restricted = restricted.codes.contains(&first3);
    let out = if is_restricted {
        "000".to_string()
    } else {
        first3
    };
    if out == v {
        return Outcome::Same;
    }
    let special = match (padded, is_restricted) {
        (true, true) => Special::PaddedRestricted,
        (true, false) => Special::Padded,
        (false, true) => Special::Restricted,
        (false, false) => Special::None,
    };
    new(out, special)
}

/// Ages of 90 and over to `90+`; numbers below 90 unchanged; anything else unrecognized.
pub fn top_code_age(v: &str) -> Outcome {
    if v == AGE_TOP_CODE {
        return Outcome::Same;
    }
    match v.trim().parse::<f64>() {
        Ok(a) if a.is_finite() && a >= 90.0 => new(AGE_TOP_CODE.to_string(), Special::TopCoded),
        Ok(a) if a.is_finite() => Outcome::Same,
        _ => Outcome::Unrecognized,
    }
}

/// A date to its year; with `birth`, years up to `reference_year - 90` to `<=YYYY`.
pub fn to_year(rules: &Rules, v: &str, birth: bool, reference_year: i32) -> Outcome {
    let t = v.trim();
    let limit = reference_year - 90;
    if let Some(y) = t.strip_prefix("<=") {
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
            return Outcome::Same;
        }
    }
    let Some(y) = rules.date_year(t, reference_year, true) else {
        return Outcome::Unrecognized;
    };
    let (out, special) = if birth && y <= limit {
        (format!("<={limit}"), Special::TopCoded)
    } else {
        (y.to_string(), Special::None)
    };
    if out == v {
        Outcome::Same
    } else {
        new(out, special)
    }
}

/// Keyed pseudonyms for one run.
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl Pseudonymizer {
    /// A fresh 256-bit key from the operating system's generator.
    pub fn new() -> Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::Invalid(format!("no random key for pseudonyms: {e}")))?;
        let mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        key.fill(0);
        Ok(Pseudonymizer { mac })
    }

    pub fn pseudonym(&self, v: &str) -> String {
        let mut m = self.mac.clone();
        m.update(v.as_bytes());
        let bytes = m.finalize().into_bytes();
        let mut s = String::with_capacity(PSEUDONYM_HEX);
        for b in bytes.iter().take(PSEUDONYM_HEX / 2) {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    values: u64,
    nulls: u64,
    changed: u64,
    unrecognized: u64,
    restricted: u64,
    padded: u64,
    top_coded: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.values += o.values;
        self.nulls += o.nulls;
        self.changed += o.changed;
        self.unrecognized += o.unrecognized;
        self.restricted += o.restricted;
        self.padded += o.padded;
        self.top_coded += o.top_coded;
    }
}

/// Applies the Safe Harbor transformations to `input` and writes the result to `out`.
pub fn safe_harbor(
    input: &Input,
    out: &Path,
    rules: &Rules,
    options: &SafeHarborOptions,
    progress: &Progress,
) -> Result<SafeHarborReport> {
    let format = output_format(out)?;
    crate::output::refuse_overwrite(input.path(), out)?;
    let names = input.columns().to_vec();
    let n = names.len();
    let mut plan: Vec<(Transformation, Source)> = vec![(Transformation::Keep, Source::None); n];
    let mut named: Vec<Option<&'static str>> = vec![None; n];
    for (list, t, flag) in [
        (&options.drop, Transformation::Drop, "--drop"),
        (
            &options.pseudonymize,
            Transformation::Pseudonymize,
            "--pseudonymize",
        ),
        (&options.dates, Transformation::Year, "--dates"),
        (
            &options.birth_dates,
            Transformation::BirthYear,
            "--birth-dates",
        ),
        (&options.ages, Transformation::TopCodeAge, "--ages"),
        (&options.zips, Transformation::Zip3, "--zips"),
    ] {
        for name in list {
            let c = input.column_index(name)?;
            if let Some(first) = named[c] {
                return Err(Error::Invalid(format!(
                    "column {name:?} is named in both {first} and {flag}"
                )));
            }
            named[c] = Some(flag);
            plan[c] = (t, Source::Flag);
        }
    }

    // The scan always runs: its findings fill in the columns not named (unless told not to), and
    // flagged columns left alone are reported.
    let scan = super::scan(input, rules, &options.scan)?;
    let mut warnings = Vec::new();
    let mut findings: Vec<Option<ScanFinding>> = vec![None; n];
    for (c, cs) in scan.columns.iter().enumerate() {
        let (Some(category), Some(level), Some(action)) = (&cs.category, cs.level, cs.action)
        else {
            continue;
        };
        let finding = ScanFinding {
            category: category.clone(),
            hipaa: cs.hipaa.clone().unwrap_or_default(),
            confidence: cs.confidence,
            level,
            evidence: cs.main_evidence(),
        };
        let what = format!(
            "{category}, 164.514(b)(2)(i)({}), {} confidence {:.2}",
            finding.hipaa,
            level.as_str(),
            cs.confidence
        );
        findings[c] = Some(finding);
        if named[c].is_some() {
            continue;
        }
        let step = match action {
            Action::Drop => Some(Transformation::Drop),
            Action::Year => Some(Transformation::Year),
            Action::BirthYear => Some(Transformation::BirthYear),
            Action::TopCodeAge => Some(Transformation::TopCodeAge),
            Action::Zip3 => Some(Transformation::Zip3),
            Action::Review => None,
        };
        let flag_hint = match action {
            Action::Drop | Action::Review => "--drop or --pseudonymize",
            Action::Year => "--dates",
            Action::BirthYear => "--birth-dates",
            Action::TopCodeAge => "--ages",
            Action::Zip3 => "--zips",
        };
        match step {
            Some(t) if options.use_scan && level >= Level::Medium => {
                plan[c] = (t, Source::Scan);
            }
            _ => {
                let why = if action == Action::Review {
                    "Safe Harbor requires removing it, but reident cannot decide how"
                } else if !options.use_scan {
                    "not named, and --no-scan was given"
                } else {
                    "the confidence is too low to act on"
                };
                warnings.push(format!(
                    "column {:?}: scan flags it ({what}); left unchanged ({why}): review it, and name it with {flag_hint} if it must go",
                    names[c]
                ));
            }
        }
    }

    let keep: Vec<usize> = (0..n)
        .filter(|&c| plan[c].0 != Transformation::Drop)
        .collect();
    if keep.is_empty() {
        return Err(Error::Invalid(
            "every column would be dropped: nothing left to write".into(),
        ));
    }
    let pseudo = if keep
        .iter()
        .any(|&c| plan[c].0 == Transformation::Pseudonymize)
    {
        Some(Pseudonymizer::new()?)
    } else {
        None
    };
    let steps: Vec<Transformation> = keep.iter().map(|&c| plan[c].0).collect();
    let restricted = &options.restricted_zip3;
    let year = options.reference_year;
    let results = input.map_chunks(&keep, progress, |chunk| {
        let mut counts = vec![Counts::default(); steps.len()];
        let columns: Vec<LocalColumn> = chunk
            .columns
            .into_iter()
            .zip(&steps)
            .zip(counts.iter_mut())
            .map(|((col, &t), counts)| {
                let mut per_code = vec![0u64; col.dict.len()];
                for &code in &col.codes {
                    per_code[code as usize] += 1;
                }
                let mut dict = col.dict;
                for (v, &k) in dict.iter_mut().zip(&per_code) {
                    if v == NULL_TEXT {
                        counts.nulls += k;
                        continue;
                    }
                    counts.values += k;
                    let outcome = match t {
                        Transformation::Keep | Transformation::Drop => Outcome::Same,
                        Transformation::Pseudonymize => {
                            new(pseudo.as_ref().unwrap().pseudonym(v), Special::None)
                        }
                        Transformation::Year => to_year(rules, v, false, year),
                        Transformation::BirthYear => to_year(rules, v, true, year),
                        Transformation::TopCodeAge => top_code_age(v),
                        Transformation::Zip3 => zip3(v, restricted),
                    };
                    match outcome {
                        Outcome::Same => {}
                        Outcome::Unrecognized => counts.unrecognized += k,
                        Outcome::New { value, special } => {
                            counts.changed += k;
                            match special {
                                Special::None => {}
                                Special::Restricted => counts.restricted += k,
                                Special::Padded => counts.padded += k,
                                Special::PaddedRestricted => {
                                    counts.padded += k;
                                    counts.restricted += k;
                                }
                                Special::TopCoded => counts.top_coded += k,
                            }
                            *v = value;
                        }
                    }
                }
                LocalColumn {
                    dict,
                    codes: col.codes,
                }
            })
            .collect();
        (
            Chunk {
                rows: chunk.rows,
                columns,
            },
            counts,
        )
    })?;
    progress.finish();
    let mut totals = vec![Counts::default(); keep.len()];
    let mut chunks = Vec::with_capacity(results.len());
    for (chunk, counts) in results {
        for (t, c) in totals.iter_mut().zip(&counts) {
            t.add(c);
        }
        chunks.push(chunk);
    }
    let records: u64 = chunks.iter().map(|c| c.rows as u64).sum();
    if records == 0 {
        return Err(Error::EmptyTable {
            path: input.path().clone(),
        });
    }
    let out_names: Vec<String> = keep.iter().map(|&c| names[c].clone()).collect();
    let text: Vec<bool> = steps
        .iter()
        .map(|t| matches!(t, Transformation::Zip3 | Transformation::Pseudonymize))
        .collect();
    write_chunks_with_text(out, &out_names, &chunks, &WriteOptions::default(), &text)?;

    let mut columns = Vec::with_capacity(n);
    for c in 0..n {
        let (t, source) = plan[c];
        let counts = keep
            .iter()
            .position(|&k| k == c)
            .map(|i| totals[i])
            .unwrap_or_default();
        let noun = match t {
            Transformation::Year | Transformation::BirthYear => Some("dates"),
            Transformation::TopCodeAge => Some("ages"),
            Transformation::Zip3 => Some("US ZIP codes"),
            _ => None,
        };
        if let (Some(noun), true) = (noun, counts.unrecognized > 0) {
            warnings.push(format!(
                "column {:?}: {} of {} values are not recognized as {noun} and were left unchanged: review them",
                names[c], counts.unrecognized, counts.values
            ));
        }
        columns.push(ColumnReport {
            column: names[c].clone(),
            transformation: t,
            source,
            scan: findings[c].clone(),
            values: counts.values,
            nulls: counts.nulls,
            changed: counts.changed,
            unrecognized: counts.unrecognized,
            restricted: (t == Transformation::Zip3).then_some(counts.restricted),
            padded: (t == Transformation::Zip3).then_some(counts.padded),
            top_coded: matches!(t, Transformation::TopCodeAge | Transformation::BirthYear)
                .then_some(counts.top_coded),
        });
    }
    Ok(SafeHarborReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        input: input.path().display().to_string(),
        output: out.display().to_string(),
        format,
        records,
        columns_written: keep.len(),
        reference_year: year,
        restricted_zip3: options.restricted_zip3.clone(),
        pseudonyms: "HMAC-SHA256 under a random per-run key (never stored), first 80 bits in hex".into(),
        scan_sample: Some(scan.sample),
        columns,
        warnings,
    })
}

impl SafeHarborReport {
    /// The short table printed by default.
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "reident {} — {} -> {}",
            self.tool.version, self.input, self.output
        );
        let _ = writeln!(
            s,
            "{} records, {} of {} columns written; restricted ZIP3 list: {} ({} codes); reference year {}",
            self.records,
            self.columns_written,
            self.columns.len(),
            self.restricted_zip3.source,
            self.restricted_zip3.codes.len(),
            self.reference_year
        );
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
            "{:<w$}  {:<13} {:<5} {:>10} {:>10} {:>8}  details",
            "column", "step", "from", "values", "changed", "nulls"
        );
        for c in &self.columns {
            let from = match c.source {
                Source::Flag => "flag",
                Source::Scan => "scan",
                Source::None => "-",
            };
            let mut details = Vec::new();
            if let Some(f) = &c.scan {
                details.push(format!(
                    "{} ({}) {} {:.2}",
                    f.category,
                    f.hipaa,
                    f.level.as_str(),
                    f.confidence
                ));
            }
            if let Some(r) = c.restricted.filter(|&r| r > 0) {
                details.push(format!("{r} restricted -> 000"));
            }
            if let Some(p) = c.padded.filter(|&p| p > 0) {
                details.push(format!("{p} four-digit ZIPs padded"));
            }
            if let Some(t) = c.top_coded.filter(|&t| t > 0) {
                details.push(format!("{t} top-coded"));
            }
            if c.unrecognized > 0 {
                details.push(format!("{} unrecognized, left unchanged", c.unrecognized));
            }
            let (values, changed, nulls) = if c.transformation == Transformation::Drop {
                ("-".to_string(), "-".to_string(), "-".to_string())
            } else {
                (
                    c.values.to_string(),
                    c.changed.to_string(),
                    c.nulls.to_string(),
                )
            };
            let _ = writeln!(
                s,
                "{:<w$}  {:<13} {:<5} {:>10} {:>10} {:>8}  {}",
                c.column,
                c.transformation.as_str(),
                from,
                values,
                changed,
                nulls,
                details.join("; ")
            );
        }
        for warning in &self.warnings {
            let _ = writeln!(s, "warning: {warning}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restricted() -> RestrictedZip3 {
        RestrictedZip3::builtin()
    }

    fn new_value(o: Outcome) -> String {
        match o {
            Outcome::New { value, .. } => value,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_shipped_list_is_the_hhs_list() {
        let r = restricted();
        let codes: Vec<&str> = r.codes.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            codes,
            [
                "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831",
                "878", "879", "884", "890", "893"
            ]
        );
    }

    #[test]
    fn zip3_edges() {
        let r = restricted();
        assert_eq!(new_value(zip3("03701", &r)), "037");
        assert_eq!(
            zip3("03601", &r),
            Outcome::New {
                value: "000".into(),
                special: Special::Restricted
            }
        );
        assert_eq!(new_value(zip3("03601-1234", &r)), "000");
        assert_eq!(new_value(zip3("941101234", &r)), "941");
        assert_eq!(new_value(zip3("94110-1234", &r)), "941");
        assert_eq!(new_value(zip3("89301", &r)), "000");
        assert_eq!(new_value(zip3("89401", &r)), "894");
        // A ZIP stored as a number lost its leading zero: 3701 is 03701.
        assert_eq!(
            zip3("3701", &r),
            Outcome::New {
                value: "037".into(),
                special: Special::Padded
            }
        );
        assert_eq!(
            zip3("3601", &r),
            Outcome::New {
                value: "000".into(),
                special: Special::PaddedRestricted
            }
        );
        // ZIP3s stay (restricted ones become 000): idempotent.
        assert_eq!(zip3("037", &r), Outcome::Same);
        assert_eq!(zip3("000", &r), Outcome::Same);
        assert_eq!(new_value(zip3("036", &r)), "000");
        for bad in ["K1A 0B1", "1234567", "ABCDE", "12-345", ""] {
            assert_eq!(zip3(bad, &r), Outcome::Unrecognized, "{bad}");
        }
    }

    #[test]
    fn age_edges() {
        assert_eq!(top_code_age("89"), Outcome::Same);
        assert_eq!(top_code_age("89.9"), Outcome::Same);
        assert_eq!(new_value(top_code_age("90")), "90+");
        assert_eq!(new_value(top_code_age("90.0")), "90+");
        assert_eq!(new_value(top_code_age("104")), "90+");
        assert_eq!(top_code_age("90+"), Outcome::Same);
        assert_eq!(top_code_age("0"), Outcome::Same);
        assert_eq!(top_code_age("unknown"), Outcome::Unrecognized);
    }

    #[test]
    fn years_and_birth_years() {
        let r = Rules::builtin();
        assert_eq!(new_value(to_year(r, "2019-03-04", false, 2025)), "2019");
        assert_eq!(new_value(to_year(r, "03/04/2019", false, 2025)), "2019");
        assert_eq!(to_year(r, "2019", false, 2025), Outcome::Same);
        assert_eq!(to_year(r, "soon", false, 2025), Outcome::Unrecognized);
        // Born 1935 is 90 in 2025 (or 89 before the birthday): aggregated; 1936 kept.
        assert_eq!(
            to_year(r, "1935-12-31", true, 2025),
            Outcome::New {
                value: "<=1935".into(),
                special: Special::TopCoded
            }
        );
        assert_eq!(new_value(to_year(r, "1936-01-01", true, 2025)), "1936");
        assert_eq!(to_year(r, "<=1935", true, 2025), Outcome::Same);
        assert_eq!(new_value(to_year(r, "1920", true, 2025)), "<=1935");
    }

    #[test]
    fn pseudonyms_are_keyed_per_run() {
        let a = Pseudonymizer::new().unwrap();
        let b = Pseudonymizer::new().unwrap();
        let x = a.pseudonym("MRN-0001");
        assert_eq!(x, a.pseudonym("MRN-0001"));
        assert_ne!(x, a.pseudonym("MRN-0002"));
        assert_ne!(x, b.pseudonym("MRN-0001"));
        assert_eq!(x.len(), PSEUDONYM_HEX);
        assert!(x.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn zip3_lists_from_files() {
        let r = RestrictedZip3::parse("state;zip3\nNH;036\nVT;059\n", "t").unwrap();
        assert_eq!(r.codes.len(), 2);
        assert!(RestrictedZip3::parse("zip\n036\n", "t").is_err());
        assert!(RestrictedZip3::parse("zip3\n36\n", "t")
            .unwrap_err()
            .contains("three digits"));
    }
}
