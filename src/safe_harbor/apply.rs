//! Applying Safe Harbor to a table: the plan (the columns named on the command line, then the
//! scan's findings), the transformation of every chunk, the output written, and the report.

use std::path::Path;

use super::pseudonym::Pseudonymizer;
use super::report::{
    ColumnReport, SafeHarborOptions, SafeHarborReport, ScanFinding, Source, Transformation,
    SCHEMA_VERSION,
};
use super::values::{new, to_year, top_code_age, Special, ValueChange};
use super::zip3::{zip3, RestrictedZip3};
use crate::error::{Error, Result};
use crate::input::encode::{LocalColumn, NULL_TEXT};
use crate::input::{Chunk, Input};
use crate::output::output_format;
use crate::output::table::{write_chunks_with_text, WriteOptions};
use crate::progress::Progress;
use crate::scan::{Action, Level, Rules, ScanReport};
use crate::tool::ToolInfo;

/// Per column of the input: its transformation and why.
type Plan = Vec<(Transformation, Source)>;

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

    /// `k` values changed, with what was special about the change.
    fn changed(&mut self, special: Special, k: u64) {
        self.changed += k;
        match special {
            Special::None => {}
            Special::Restricted => self.restricted += k,
            Special::Padded => self.padded += k,
            Special::PaddedRestricted => {
                self.padded += k;
                self.restricted += k;
            }
            Special::TopCoded => self.top_coded += k,
        }
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
    let (mut plan, named) = plan_named(input, options)?;

    // The scan always runs: its findings fill in the columns not named (unless told not to), and
    // flagged columns left alone are reported.
    let scan = crate::scan::scan(input, rules, &options.scan)?;
    let mut warnings = Vec::new();
    let findings = plan_findings(&scan, &names, &named, options, &mut plan, &mut warnings);

    let keep: Vec<usize> = (0..names.len())
        .filter(|&c| plan[c].0 != Transformation::Drop)
        .collect();
    if keep.is_empty() {
        return Err(Error::Invalid(
            "every column would be dropped: nothing left to write".into(),
        ));
    }
    let steps: Vec<Transformation> = keep.iter().map(|&c| plan[c].0).collect();
    let (chunks, totals) = transform(input, &keep, &steps, rules, options, progress)?;
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
    // Pseudonymized columns are marked in a Parquet output: they hold permitted
    // re-identification codes (164.514(c)), which `anonymize --entity` keeps by default.
    let pseudonymized: Vec<&String> = out_names
        .iter()
        .zip(&steps)
        .filter(|(_, t)| **t == Transformation::Pseudonymize)
        .map(|(n, _)| n)
        .collect();
    let metadata = if pseudonymized.is_empty() {
        Vec::new()
    } else {
        vec![(
            crate::input::parquet::PSEUDONYMIZED_KEY.to_string(),
            serde_json::to_string(&pseudonymized).unwrap_or_default(),
        )]
    };
    write_chunks_with_text(
        out,
        &out_names,
        &chunks,
        &WriteOptions::default(),
        &text,
        &metadata,
    )?;

    let pseudonymized: Vec<String> = pseudonymized.into_iter().cloned().collect();
    if format == crate::input::Format::Csv && !pseudonymized.is_empty() {
        warnings.push(format!(
            "{} hold pseudonyms, but a CSV file cannot carry the mark that tells scan and anonymize so (write Parquet to keep it): scan judges the column by its name and values, and anonymize --entity drops it unless --keep-entity",
            pseudonymized.join(", ")
        ));
    }
    let columns = column_reports(&names, &plan, findings, &keep, &totals, &mut warnings);
    Ok(SafeHarborReport {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::current(),
        input: input.path().display().to_string(),
        output: out.display().to_string(),
        format,
        records,
        columns_written: keep.len(),
        reference_year: options.reference_year,
        restricted_zip3: options.restricted_zip3.clone(),
        pseudonyms: "HMAC-SHA256 under a random per-run key (never stored), first 80 bits in hex"
            .into(),
        scan_sample: Some(scan.sample),
        pseudonymized,
        columns,
        warnings,
    })
}

/// The plan from the columns named on the command line, and the flag that named each (a column
/// named twice is an error).
fn plan_named(
    input: &Input,
    options: &SafeHarborOptions,
) -> Result<(Plan, Vec<Option<&'static str>>)> {
    let n = input.columns().len();
    let mut plan: Plan = vec![(Transformation::Keep, Source::None); n];
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
    Ok((plan, named))
}

/// The scan's findings, per column; the columns not named get the step their finding implies
/// (with `use_scan`, at medium confidence or above), the others a warning.
fn plan_findings(
    scan: &ScanReport,
    names: &[String],
    named: &[Option<&'static str>],
    options: &SafeHarborOptions,
    plan: &mut Plan,
    warnings: &mut Vec<String>,
) -> Vec<Option<ScanFinding>> {
    let mut findings: Vec<Option<ScanFinding>> = vec![None; names.len()];
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
        let (step, flag_hint) = scan_step(action);
        match step {
            // Mechanical steps (dates, ages, ZIP codes) are applied at any confidence, and a low
            // one is listed; dropping needs medium confidence or more.
            Some(t)
                if options.use_scan && (level >= Level::Medium || t != Transformation::Drop) =>
            {
                plan[c] = (t, Source::Scan);
                if level < Level::Medium {
                    warnings.push(format!(
                        "column {:?}: scan flags it with low confidence ({what}); its step ({}) is mechanical and was applied: review it",
                        names[c],
                        t.as_str()
                    ));
                }
            }
            _ => {
                let why = if action == Action::Review {
                    "Safe Harbor requires removing it, but reident cannot decide how"
                } else if !options.use_scan {
                    "not named, and --no-scan was given"
                } else {
                    "the confidence is too low to drop it"
                };
                warnings.push(format!(
                    "column {:?}: scan flags it ({what}); left unchanged ({why}): review it, and name it with {flag_hint} if it must go",
                    names[c]
                ));
            }
        }
    }
    // A column whose sampled values are mostly dates is reduced to the year, whatever its name
    // and its finding say (unless it is named, or dropped).
    for (c, cs) in scan.columns.iter().enumerate() {
        let keeps_values = !matches!(
            plan[c].0,
            Transformation::Drop
                | Transformation::Pseudonymize
                | Transformation::Year
                | Transformation::BirthYear
        );
        if options.use_scan && named[c].is_none() && keeps_values && cs.date_share >= 0.5 {
            let birth = cs.action == Some(Action::BirthYear);
            let t = if birth {
                Transformation::BirthYear
            } else {
                Transformation::Year
            };
            plan[c] = (t, Source::Scan);
            warnings.push(format!(
                "column {:?}: {:.0}% of its sampled values are dates; reduced to the year whatever its name says: review it",
                names[c],
                100.0 * cs.date_share
            ));
        }
    }
    findings
}

/// The transformation a scan action implies (none for a review), and the flags that name it.
fn scan_step(action: Action) -> (Option<Transformation>, &'static str) {
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
    (step, flag_hint)
}

/// What the value transformations need.
struct Steps<'a> {
    rules: &'a Rules,
    restricted: &'a RestrictedZip3,
    reference_year: i32,
    pseudo: Option<&'a Pseudonymizer>,
}

impl Steps<'_> {
    fn outcome(&self, t: Transformation, v: &str) -> ValueChange {
        let year = self.reference_year;
        match t {
            Transformation::Keep | Transformation::Drop => ValueChange::Same,
            Transformation::Pseudonymize => new(self.pseudo.unwrap().pseudonym(v), Special::None),
            Transformation::Year => to_year(self.rules, v, false, year),
            Transformation::BirthYear => to_year(self.rules, v, true, year),
            Transformation::TopCodeAge => top_code_age(v),
            Transformation::Zip3 => zip3(v, self.restricted),
        }
    }

    /// One column of a chunk transformed by `t` (its dictionary rewritten), counted.
    fn column(&self, col: LocalColumn, t: Transformation, counts: &mut Counts) -> LocalColumn {
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
            match self.outcome(t, v) {
                ValueChange::Same => {}
                ValueChange::Unrecognized => counts.unrecognized += k,
                ValueChange::New { value, special } => {
                    counts.changed(special, k);
                    *v = value;
                }
            }
        }
        LocalColumn {
            dict,
            codes: col.codes,
        }
    }
}

/// The columns `keep` of every chunk transformed by `steps`, and the counts per column.
fn transform(
    input: &Input,
    keep: &[usize],
    steps: &[Transformation],
    rules: &Rules,
    options: &SafeHarborOptions,
    progress: &Progress,
) -> Result<(Vec<Chunk>, Vec<Counts>)> {
    let pseudo = if steps.contains(&Transformation::Pseudonymize) {
        Some(Pseudonymizer::new()?)
    } else {
        None
    };
    let apply = Steps {
        rules,
        restricted: &options.restricted_zip3,
        reference_year: options.reference_year,
        pseudo: pseudo.as_ref(),
    };
    let results = input.map_chunks(keep, progress, |chunk| {
        let mut counts = vec![Counts::default(); steps.len()];
        let columns: Vec<LocalColumn> = chunk
            .columns
            .into_iter()
            .zip(steps)
            .zip(counts.iter_mut())
            .map(|((col, &t), counts)| apply.column(col, t, counts))
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
    Ok((chunks, totals))
}

/// Every column of the input with what was done to it; a warning for each column with values
/// its step did not recognize.
fn column_reports(
    names: &[String],
    plan: &Plan,
    findings: Vec<Option<ScanFinding>>,
    keep: &[usize],
    totals: &[Counts],
    warnings: &mut Vec<String>,
) -> Vec<ColumnReport> {
    let mut columns = Vec::with_capacity(names.len());
    for (c, finding) in findings.into_iter().enumerate() {
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
            scan: finding,
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
    columns
}
