//! `verify`: checks a report (alone, with its data, with a public key) or an audit log, and says
//! what kind of assurance the checks give. It vouches only for what it checked.
//!
//! Checks, each one [`Check`] (one line of `reident verify`):
//! * **signature** (with `public_key` or `trusted_keys`, first): `report.json.minisig` (and those
//!   of report.md and report.html) made by the key given, or by one of the trusted keys, over
//!   the files as they are, with the trusted comment naming this report's tool, data hash and
//!   verdict;
//! * **integrity**: the SHA-256 of the report's canonical content equals the one stored in it (an
//!   edit anywhere is caught unless the editor recomputes it, which only a signature prevents);
//! * **consistency**: the verdict is the one its thresholds give; the policy's text hashes to
//!   its recorded SHA-256 and parses to its recorded content; report.md and report.html are
//!   rendered again from the JSON and compared byte for byte;
//! * **re-run** (given the data): the data's hash (for a report of an in-memory Arrow table, the
//!   file's content hash equals the table's: the file holds the same values), then the command
//!   re-run from the options the report records, on the data given and private copies of the
//!   hierarchy files and population table (found only among the files given after the data or
//!   beside the report, each a regular file), reproducing every figure, threshold, verdict,
//!   record count, column role, hierarchy hash and the data's name;
//! * **audit log**: every line's hash and the chain; with a key, every line's signature; with a
//!   report, its run's line where the report says the log stood.

mod inputs;
mod rerun;
mod signatures;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::{Format, Input, InputOptions};
use crate::report::sign::PublicKeys;
use crate::report::{content_hash, sha256_bytes, Report};

/// What to check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The report.json to check.
    pub report: Option<PathBuf>,
    /// The data the report was made from: its hash is checked and the command re-run.
    pub data: Option<PathBuf>,
    /// The other files the report's run read (hierarchies, a population table, a scan rules
    /// file), when they are not beside the report. No other file is read.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    /// An audit log to check (alone or with a report).
    pub audit_log: Option<PathBuf>,
    /// The public key (minisign format) the report and the log's lines must be signed by.
    #[serde(default)]
    pub public_key: Option<PathBuf>,
    /// A folder of trusted public keys (`*.pub`): the signature must be by one of them.
    #[serde(default)]
    pub trusted_keys: Option<PathBuf>,
    /// Refuse to check without a key (a pipeline that must never settle for less).
    #[serde(default)]
    pub require_signature: bool,
    /// Show progress bars on stderr while re-running.
    #[serde(skip)]
    pub progress: bool,
}

/// One check and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub item: String,
    pub ok: bool,
    pub detail: String,
}

impl Check {
    fn new(item: impl Into<String>, ok: bool, detail: impl Into<String>) -> Check {
        Check {
            item: item.into(),
            ok,
            detail: detail.into(),
        }
    }
}

/// Every check made, and what kind of assurance they give together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ok: bool,
    pub checks: Vec<Check>,
    /// What the checks vouch for: re-run on the data, integrity only, signature by key X, ...
    pub assurance: String,
}

/// What was established, for the assurance line.
#[derive(Debug, Default)]
struct Established {
    signed_by: Option<String>,
    rerun: Option<String>,
    report: bool,
    log: Option<String>,
}

/// Reports larger than this are not read (a guard against a device or a wrong file).
const REPORT_LIMIT: u64 = 1 << 30;

/// Makes every check the options ask for.
pub fn run(options: &Options) -> Result<Outcome> {
    if options.report.is_none() && options.audit_log.is_none() {
        return Err(Error::Invalid(
            "give a report.json to check, or --audit-log FILE".into(),
        ));
    }
    let keys = match (&options.public_key, &options.trusted_keys) {
        (Some(_), Some(_)) => {
            return Err(Error::Invalid(
                "give --public-key or --trusted-keys, not both".into(),
            ))
        }
        (Some(f), None) => Some(PublicKeys::file(f)?),
        (None, Some(d)) => Some(PublicKeys::folder(d)?),
        (None, None) if options.require_signature => {
            return Err(Error::Invalid(
                "--require-signature: give the signer's --public-key PUB or --trusted-keys DIR"
                    .into(),
            ))
        }
        (None, None) => None,
    };
    let mut checks = Vec::new();
    let mut est = Established::default();
    let mut report = None;
    if let Some(path) = &options.report {
        // A report folder stands for its report.json.
        let path = if path.is_dir() {
            path.join("report.json")
        } else {
            path.clone()
        };
        let r = check_report(&path, options, keys.as_ref(), &mut checks, &mut est)?;
        report = Some(r);
    }
    if let Some(log) = &options.audit_log {
        checks.extend(signatures::audit_log(
            log,
            keys.as_ref(),
            report.as_ref(),
            &mut est.log,
        )?);
    }
    let ok = checks.iter().all(|c| c.ok);
    Ok(Outcome {
        ok,
        assurance: assurance(&est, keys.is_some()),
        checks,
    })
}

/// The words of the last line.
fn assurance(e: &Established, keyed: bool) -> String {
    let mut parts = Vec::new();
    if let Some(k) = &e.signed_by {
        parts.push(format!("signature by key {k}"));
    }
    if let Some(r) = &e.rerun {
        parts.push(r.clone());
    } else if e.report {
        parts.push(if e.signed_by.is_some() {
            "not re-run (give the data to re-run it)".into()
        } else {
            "integrity only: the report is self-consistent, which anyone who edits it can make it; give the data to re-run it, and the signer's public key to know who made it".into()
        });
    }
    if let Some(l) = &e.log {
        parts.push(l.clone());
    }
    if e.report && e.signed_by.is_none() && keyed {
        parts.push("no signature holds".into());
    }
    parts.join("; ")
}

/// Reads a report through a regular-file check.
fn load(path: &Path) -> Result<(Report, serde_json::Value, Vec<u8>)> {
    let bytes = crate::input::regular::read_regular(path, REPORT_LIMIT)?;
    let (report, value) = Report::parse(&bytes, path)?;
    Ok((report, value, bytes))
}

/// The report's signature, integrity and consistency; with the data, the re-run.
fn check_report(
    path: &Path,
    options: &Options,
    keys: Option<&PublicKeys>,
    checks: &mut Vec<Check>,
    est: &mut Established,
) -> Result<Report> {
    let (report, value, bytes) = load(path)?;
    est.report = true;
    let renderings = report.render()?;
    checks.extend(signatures::report_files(
        path,
        &bytes,
        &report,
        &renderings,
        keys,
        &mut est.signed_by,
    )?);
    let hash = content_hash(&value);
    let intact = hash == report.integrity.sha256;
    checks.push(Check::new(
        "report integrity",
        intact,
        if intact {
            format!("content SHA-256 {hash}")
        } else {
            format!(
                "the report was edited: its content hashes to {hash}, it records {}",
                report.integrity.sha256
            )
        },
    ));
    checks.extend(consistency(&report)?);
    checks.extend(renderings_beside(path, &renderings));
    let Some(data) = &options.data else {
        return Ok(report);
    };
    // A report of an in-memory table records its content hash (canonical values), not a file's:
    // the file given must hold the same values.
    // A folder of class-table parts (as Spark writes one) has the hash over its parts that the
    // run recorded.
    let (got, what) = if data.is_dir() {
        (
            crate::report::sha256_source(data)?.0,
            "SHA-256 over its parts",
        )
    } else if report.dataset.format == Format::Arrow.as_str() {
        drop(crate::input::regular::open_regular(data)?);
        let input = Input::open(data, &InputOptions::default())?;
        (input.content_sha256()?, "content SHA-256")
    } else {
        let mut f = crate::input::regular::open_regular(data)?;
        (crate::report::sha256_reader(&mut f, data)?, "SHA-256")
    };
    let same = got == report.dataset.sha256;
    checks.push(Check::new(
        "data hash",
        same,
        if same {
            format!("{} has {what} {got}, as recorded", data.display())
        } else {
            format!(
                "{} has {what} {got}, the report was made from {}",
                data.display(),
                report.dataset.sha256
            )
        },
    ));
    if !same {
        return Ok(report);
    }
    if report.kind == "safe-harbor" {
        checks.push(Check::new(
            "re-run",
            true,
            "not applicable: a safe-harbor run's pseudonyms come from a per-run random key, so only the hashes are checked",
        ));
        est.rerun = Some("data hash checked (a safe-harbor run is not re-run)".into());
        return Ok(report);
    }
    let mut inputs = inputs::Inputs::new(path, &options.inputs)?;
    checks.extend(rerun::hierarchies(&report, &mut inputs)?);
    let again = rerun::again(&report, data, &mut inputs, options.progress)?;
    checks.extend(rerun::compare(&report, &again)?);
    est.rerun = Some(format!(
        "re-run on {}: every figure and verdict compared",
        data.display()
    ));
    Ok(report)
}

/// What the report says of itself that must agree: its verdict with its thresholds, its
/// policy's text with its hash and content.
fn consistency(report: &Report) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let overall = crate::criteria::verdict::overall(&report.thresholds).to_string();
    let ok = overall == report.verdict;
    checks.push(Check::new(
        "verdict of the thresholds",
        ok,
        if ok {
            format!(
                "{} ({} thresholds, {} failing)",
                report.verdict,
                report.thresholds.len(),
                report.thresholds.iter().filter(|t| !t.passed).count()
            )
        } else {
            format!(
                "the report says {:?}, its thresholds give {overall:?}",
                report.verdict
            )
        },
    ));
    if let Some(p) = &report.policy {
        let (ok, detail) = match &p.text {
            None => (
                false,
                "the report records the policy's content but not its text, so its hash cannot be checked (made by an older reident: make it again)".to_string(),
            ),
            Some(text) => {
                let hash = sha256_bytes(text.as_bytes());
                let parsed: Option<serde_json::Value> = serde_json::from_str(text).ok();
                if hash != p.sha256 {
                    (
                        false,
                        format!(
                            "the policy text recorded hashes to {hash}, the report claims {} (another policy under its name)",
                            p.sha256
                        ),
                    )
                } else if parsed.as_ref() != Some(&p.content) {
                    (
                        false,
                        "the policy content recorded is not what its text says".to_string(),
                    )
                } else {
                    (
                        true,
                        format!(
                            "{}: SHA-256 {}, recorded whole",
                            Path::new(&p.path)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                            p.sha256
                        ),
                    )
                }
            }
        };
        checks.push(Check::new("policy", ok, detail));
        if ok {
            if let Some(c) = policy_settings(report, p)? {
                checks.push(c);
            }
        }
    }
    Ok(checks)
}

/// Whether the settings the report's options record are the policy's, but for those the report
/// says the command line replaced: a run under the official policy with weaker thresholds
/// cannot pass for one that applied the policy's.
fn policy_settings(report: &Report, p: &crate::report::PolicyRecord) -> Result<Option<Check>> {
    let (Some(text), Some(settings)) = (&p.text, report.run.options.get("settings")) else {
        return Ok(None);
    };
    let dir = inputs::PrivateDir::new()?;
    let copy = dir.path.join("policy.json");
    std::fs::write(&copy, text).map_err(|e| Error::io(&copy, e))?;
    let actual = crate::report::overridden_settings(&copy, Path::new(&p.path), settings)?;
    let ok = actual == p.overridden;
    Ok(Some(Check::new(
        "policy settings",
        ok,
        match (ok, actual.is_empty()) {
            (true, true) => "the run applied the policy's own settings".to_string(),
            (true, false) => format!(
                "the run replaced the policy's {} by its command line, as the report says",
                actual.join(", ")
            ),
            (false, _) => format!(
                "the run's options replace the policy's [{}], the report says [{}]",
                actual.join(", "),
                p.overridden.join(", ")
            ),
        },
    )))
}

/// report.md and report.html beside the report, against their rendering from the JSON.
fn renderings_beside(path: &Path, renderings: &[(&'static str, String)]) -> Vec<Check> {
    let mut checks = Vec::new();
    for (name, text) in renderings {
        if name.ends_with(".json") {
            continue;
        }
        let beside = sibling(path, name);
        let item = format!("{name} matches the JSON");
        match crate::input::regular::read_regular(&beside, REPORT_LIMIT) {
            Ok(bytes) if bytes == text.as_bytes() => {
                checks.push(Check::new(item, true, "rendered again: identical"))
            }
            Ok(bytes) => checks.push(Check::new(
                item,
                false,
                format!(
                    "{} differs from the rendering of the JSON ({})",
                    beside.display(),
                    first_line_diff(&bytes, text.as_bytes())
                ),
            )),
            Err(_) if std::fs::symlink_metadata(&beside).is_err() => checks.push(Check::new(
                item,
                true,
                format!("{} absent: nothing to compare", beside.display()),
            )),
            Err(e) => checks.push(Check::new(item, false, e.to_string())),
        }
    }
    checks
}

/// The file of the report folder named like `name` beside `report` (report.json's siblings).
fn sibling(report: &Path, name: &str) -> PathBuf {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    report.with_extension(ext)
}

/// Where two texts part: the first differing line's number.
fn first_line_diff(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    match a.lines().zip(b.lines()).position(|(x, y)| x != y) {
        Some(i) => format!("first at line {}", i + 1),
        None => format!("{} lines against {}", a.lines().count(), b.lines().count()),
    }
}
