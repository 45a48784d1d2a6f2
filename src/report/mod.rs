//! The report: one versioned model that every command fills, and the files an auditor keeps.
//!
//! A report says what was measured (every figure, as the command computed it), on what (the data
//! file's name and SHA-256, its columns and their roles), under which assumptions (the policy file,
//! whole, with its SHA-256; the population; the hierarchies and their hashes), against which
//! thresholds (one verdict each), by which tool, command line, user, host and time. It is sealed:
//! a SHA-256 over its canonical content (`canonical_json`) is stored in it, so an edit is
//! detected by `reident verify`, which can also re-run the analysis on the data and compare.
//!
//! Exporters (`export`) write it as JSON (the record), Markdown and self-contained HTML (for
//! people). A report never holds the QI or sensitive values of a class smaller than the
//! disclosure k (the largest k the policy requires, 11 by default) unless the user asked with
//! `--show-values`, and then its first line says so.

pub mod audit;
pub mod build;
pub(crate) mod export;
pub mod figures;
pub mod publish;
pub mod sign;

pub use figures::{Figures, SmallClasses};
pub use publish::{publish, publish_with, Published, ReportOptions};

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::criteria::verdict::Verdict;
use crate::error::{Error, Result};

/// The version of the report format. Bump it when a field changes meaning or goes away.
pub(crate) const REPORT_SCHEMA_VERSION: u32 = 1;

/// The report (see the module documentation and `docs/report.schema.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    /// The command that made it: `analyze`, `anonymize`, `gate`, `combos` or `suda`.
    pub kind: String,
    /// Set when `--show-values` put data values of small classes in the report.
    pub shows_values: bool,
    /// A line every exporter puts first (the `--show-values` warning), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Warnings of the run that a reader of the figures must see (rows counted where a person
    /// may have several rows, ...), each put first by every exporter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub tool: Tool,
    pub run: Run,
    pub dataset: Dataset,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyRecord>,
    /// Hierarchy files the command read.
    #[serde(default)]
    pub hierarchies: Vec<FileRecord>,
    /// The population the risk figures assume (its size and where it comes from), when the
    /// command measured population risks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<Value>,
    /// Classes smaller than this never have their values in the report (without
    /// `--show-values`).
    pub disclosure_k: u64,
    /// The command's figures, by section: `analysis`, `combinations`, `anonymization`, `suda`,
    /// `scan`, `safe_harbor`, `small_classes` (only with `--show-values`).
    #[serde(serialize_with = "figures::serialize_sorted")]
    pub figures: Figures,
    /// One verdict per threshold.
    pub thresholds: Vec<Verdict>,
    /// `pass`, `fail` or `not assessed` (no thresholds).
    pub verdict: String,
    /// The audit log this run appended its line to, and the log's head before that line: `verify
    /// --audit-log` finds the run's line there (a log truncated before it is caught).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditRecord>,
    pub integrity: Integrity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// The log file, as the run named it.
    pub log: String,
    /// Lines in the log before this run's.
    pub entries_before: u64,
    /// The hash of the log's last line before this run's (64 zeros for an empty log): the
    /// `prev_sha256` of the run's line.
    pub previous_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// UTC, RFC 3339.
    pub started_at: String,
    pub seconds: f64,
    /// The arguments as given (`reident` first).
    pub command_line: Vec<String>,
    /// The command's resolved options (policy file merged with flags): what `verify` re-runs.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub options: Value,
    pub working_directory: String,
    pub user: String,
    pub host: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub file_name: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub format: String,
    pub records: u64,
    /// Every column of the file, in file order, with its role.
    pub columns: Vec<ColumnRole>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRole {
    pub name: String,
    /// `quasi-identifier`, `sensitive`, `identifying`, `weight` or `insensitive`.
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRecord {
    pub path: String,
    /// The SHA-256 of the file's bytes (of `text`).
    pub sha256: String,
    /// The policy file as parsed JSON, whole.
    pub content: Value,
    /// The policy file's text, byte for byte: `verify` checks that it hashes to `sha256` and
    /// parses to `content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The settings the run took from its command line in place of the policy's (`targets`,
    /// `quasi_identifiers`, ...): a run under this policy with other thresholds says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    pub column: String,
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integrity {
    pub algorithm: String,
    /// How the hashed text is made from the report.
    pub canonicalization: String,
    pub sha256: String,
}

const CANONICALIZATION: &str =
    "the report as JSON without its integrity field, object keys sorted, no whitespace";

impl Integrity {
    fn unsealed() -> Self {
        Integrity {
            algorithm: "sha256".into(),
            canonicalization: CANONICALIZATION.into(),
            sha256: String::new(),
        }
    }
}

/// The SHA-256 of a file, as lowercase hex, read in blocks (files may be large).
pub(crate) fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    sha256_reader(&mut f, path)
}

/// The SHA-256 of what `f` reads (the file at `path`, for messages).
pub(crate) fn sha256_reader(f: &mut impl Read, path: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// The SHA-256 and size of a data source: a file's own; for a folder of part files (a class
/// table as Spark writes it: every file whose name does not start with `.` or `_`), the SHA-256
/// of the lines `<name> <SHA-256 of the part>` in name order, and the parts' total size.
pub(crate) fn sha256_source(path: &Path) -> Result<(String, u64)> {
    if !path.is_dir() {
        let len = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        return Ok((sha256_file(path)?, len));
    }
    let parts = crate::classes::io::part_files(path)?;
    let mut listing = String::new();
    let mut bytes = 0u64;
    for p in &parts {
        bytes += std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        listing.push_str(&format!("{name} {}\n", sha256_file(p)?));
    }
    Ok((sha256_bytes(listing.as_bytes()), bytes))
}

pub(crate) fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON with object keys sorted at every depth and no whitespace: the same text for the same
/// content whatever the key order or formatting of the file (serde_json's own map order depends
/// on a crate feature that any dependency may turn on, so the order is made explicit here).
pub(crate) fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The hash a sealed report must carry: over its JSON value without `integrity`.
pub(crate) fn content_hash(report: &Value) -> String {
    let mut v = report.clone();
    if let Value::Object(m) = &mut v {
        m.remove("integrity");
    }
    sha256_bytes(canonical_json(&v).as_bytes())
}

/// The settings of a run (`settings`, as its options record them) that differ from what the
/// policy file `policy_file` gives alone, by name: what the command line replaced. Paths the
/// policy gives (its hierarchy folder) are taken as relative to `recorded_path`, the path the
/// report records for the policy (`policy_file` may be a copy elsewhere).
pub(crate) fn overridden_settings(
    policy_file: &Path,
    recorded_path: &Path,
    settings: &Value,
) -> Result<Vec<String>> {
    let own = crate::options::Settings::resolve(&crate::options::Flags {
        policy: Some(policy_file.to_path_buf()),
        ..Default::default()
    })?;
    let mut own = serde_json::to_value(&own)
        .map_err(|e| Error::Invalid(format!("serializing the settings: {e}")))?;
    let dir = |p: &Path| p.parent().map(Path::to_path_buf).unwrap_or_default();
    if policy_file != recorded_path {
        if let Some(Value::String(h)) = own.get_mut("hierarchies") {
            if let Ok(rel) = Path::new(h.as_str()).strip_prefix(dir(policy_file)) {
                *h = dir(recorded_path).join(rel).display().to_string();
            }
        }
    }
    // Paths compare by their components (`dir/.` is `dir`).
    let same = |a: &Value, b: &Value| match (a, b) {
        (Value::String(x), Value::String(y)) => Path::new(x) == Path::new(y),
        _ => a == b,
    };
    let (Value::Object(own), Value::Object(run)) = (&own, settings) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<&String> = own.keys().chain(run.keys()).collect();
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .filter(|k| k.as_str() != "policy")
        .filter(|k| {
            !same(
                own.get(*k).unwrap_or(&Value::Null),
                run.get(*k).unwrap_or(&Value::Null),
            )
        })
        .cloned()
        .collect())
}

/// Everything a report needs from the command that makes it, besides the figures.
pub(crate) struct ReportInput<'a> {
    pub kind: &'a str,
    pub command_line: Vec<String>,
    /// The command's options, serialized.
    pub options: Value,
    pub started: std::time::SystemTime,
    pub data: &'a Path,
    /// The content hash and size of an in-memory table, recorded in place of the file's SHA-256
    /// and length (there is no file; see `crate::input::arrow::ArrowTable::content_digest`).
    pub content: Option<(String, u64)>,
    pub format: &'a str,
    pub records: u64,
    pub columns: Vec<ColumnRole>,
    pub policy: Option<&'a Path>,
    pub hierarchies: Vec<(String, PathBuf)>,
    pub disclosure_k: u64,
    pub show_values: bool,
    /// Warnings the report must carry.
    pub warnings: Vec<String>,
}

impl Report {
    /// A sealed report.
    pub(crate) fn new(
        input: ReportInput,
        figures: Figures,
        thresholds: Vec<Verdict>,
    ) -> Result<Report> {
        // An in-memory table records its content hash and size; a file (or a folder of parts)
        // its bytes' hash and length.
        let (sha256, bytes) = match input.content {
            Some(content) => content,
            None => sha256_source(input.data)?,
        };
        let dataset = Dataset {
            file_name: input
                .data
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: input.data.display().to_string(),
            sha256,
            bytes,
            format: input.format.to_string(),
            records: input.records,
            columns: input.columns,
        };
        let policy = match input.policy {
            Some(p) => {
                let text = std::fs::read(p).map_err(|e| Error::io(p, e))?;
                let overridden = match input.options.get("settings") {
                    Some(settings) => overridden_settings(p, p, settings)?,
                    None => Vec::new(),
                };
                Some(PolicyRecord {
                    path: p.display().to_string(),
                    sha256: sha256_bytes(&text),
                    content: serde_json::from_slice(&text).map_err(|e| Error::Policy {
                        path: p.to_path_buf(),
                        message: e.to_string(),
                    })?,
                    text: String::from_utf8(text).ok(),
                    overridden,
                })
            }
            None => None,
        };
        let hierarchies = input
            .hierarchies
            .iter()
            .map(|(column, path)| {
                Ok(FileRecord {
                    column: column.clone(),
                    path: path.display().to_string(),
                    sha256: sha256_file(path)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let verdict = crate::criteria::verdict::overall(&thresholds).to_string();
        let population = match &figures.analysis {
            Some(a) => Some(
                serde_json::to_value(&a.population)
                    .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))?,
            ),
            None => None,
        };
        let mut report = Report {
            schema_version: REPORT_SCHEMA_VERSION,
            kind: input.kind.to_string(),
            shows_values: input.show_values,
            notice: input.show_values.then(|| {
                format!(
                    "WARNING: this report shows data values of classes smaller than {} (--show-values); do not share it as a de-identified summary.",
                    input.disclosure_k
                )
            }),
            warnings: input.warnings,
            tool: Tool {
                name: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            run: Run {
                started_at: humantime::format_rfc3339_millis(input.started).to_string(),
                seconds: input.started.elapsed().map(|d| d.as_secs_f64()).unwrap_or(0.0),
                command_line: input.command_line,
                options: input.options,
                working_directory: std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default(),
                user: user_name(),
                host: host_name(),
            },
            dataset,
            policy,
            hierarchies,
            population,
            disclosure_k: input.disclosure_k,
            figures,
            thresholds,
            verdict,
            audit: None,
            integrity: Integrity::unsealed(),
        };
        report.seal()?;
        Ok(report)
    }

    /// Stores the content hash.
    pub fn seal(&mut self) -> Result<()> {
        let v = self.to_value()?;
        self.integrity.sha256 = content_hash(&v);
        Ok(())
    }

    pub(crate) fn to_value(&self) -> Result<Value> {
        serde_json::to_value(self)
            .map_err(|e| Error::Invalid(format!("serializing the report: {e}")))
    }

    /// Reads a report file: any JSON that has the report's shape (a regular file of at most
    /// 1 GiB).
    pub fn load(path: &Path) -> Result<(Report, Value)> {
        let text = crate::input::regular::read_regular(path, 1 << 30)?;
        Report::parse(&text, path)
    }

    /// Parses the bytes of a report file (`path` names it in messages).
    pub fn parse(text: &[u8], path: &Path) -> Result<(Report, Value)> {
        let value: Value = serde_json::from_slice(text)
            .map_err(|e| Error::Invalid(format!("{}: not a JSON document: {e}", path.display())))?;
        let report: Report = serde_json::from_value(value.clone()).map_err(|e| {
            Error::Invalid(format!("{}: not a reident report: {e}", path.display()))
        })?;
        if report.schema_version != REPORT_SCHEMA_VERSION {
            return Err(Error::Invalid(format!(
                "{}: report schema_version {} is not supported (this reident reads {REPORT_SCHEMA_VERSION})",
                path.display(),
                report.schema_version
            )));
        }
        Ok((report, value))
    }

    /// Every file of the report folder, rendered: (`report.json`, text), (`report.md`, ...),
    /// (`report.html`, ...). Each is a function of the report alone, so `verify` renders them
    /// again and compares them byte for byte.
    pub fn render(&self) -> Result<Vec<(&'static str, String)>> {
        export::exporters()
            .iter()
            .map(|e| Ok((e.file_name(), e.render(self)?)))
            .collect()
    }

    /// The trusted comment of the signature of one of the report's files: the tool and version,
    /// the file, the data's name and hash, the verdict and the report's content hash.
    pub fn signature_comment(&self, file: &str) -> String {
        let name: String = self
            .dataset
            .file_name
            .chars()
            .map(|c| if c.is_control() || c == ' ' { '_' } else { c })
            .collect();
        format!(
            "{} {} {} {file} data {name} sha256:{} verdict {} report sha256:{}",
            self.tool.name,
            self.tool.version,
            self.kind,
            self.dataset.sha256,
            self.verdict.replace(' ', "-"),
            self.integrity.sha256
        )
    }

    /// Writes `report.json`, `report.md` and `report.html` into `dir` (created if needed), each
    /// through a temporary file, and returns their paths. (A command's report folder is written
    /// by [`publish`](publish::publish), at once and never over an existing folder.)
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // Render everything before writing anything, so that a failure leaves no partial set.
        let rendered: Vec<(PathBuf, String)> = self
            .render()?
            .into_iter()
            .map(|(f, t)| (dir.join(f), t))
            .collect();
        let mut out = Vec::new();
        for (path, text) in rendered {
            crate::output::write_atomically(&path, |w| {
                use std::io::Write;
                w.write_all(text.as_bytes())
                    .map_err(|e| Error::io(&path, e))
            })?;
            out.push(path);
        }
        Ok(out)
    }
}

/// The default report folder: `reports/<dataset stem>-<UTC timestamp>/`.
pub(crate) fn default_dir(data: &Path, started: std::time::SystemTime) -> PathBuf {
    let stem = data
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    let stamp = humantime::format_rfc3339_seconds(started)
        .to_string()
        .replace([':', '-'], "");
    PathBuf::from("reports").join(format!("{stem}-{stamp}"))
}

/// The user running reident, from the environment (`USER`, `USERNAME`, `LOGNAME`).
pub(crate) fn user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The host name (Linux: the kernel's; elsewhere `HOSTNAME` / `COMPUTERNAME`).
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            ["HOSTNAME", "COMPUTERNAME"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let a: Value =
            serde_json::from_str(r#"{ "b": [1, {"z": 1, "a": 2}], "a": "x\"y" }"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":"x\"y","b":[1,{"a":2,"z":1}]}"#);
        let b: Value = serde_json::from_str(r#"{"a":"x\"y","b":[1,{"z":1,"a":2}]}"#).unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn content_hash_ignores_only_the_integrity_field() {
        let a: Value = serde_json::json!({"x": 1, "integrity": {"sha256": "aa"}});
        let b: Value = serde_json::json!({"x": 1, "integrity": {"sha256": "bb"}});
        let c: Value = serde_json::json!({"x": 2, "integrity": {"sha256": "aa"}});
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&c));
        // Known answer: SHA-256 of "{\"x\":1}".
        assert_eq!(
            content_hash(&a),
            "5041bf1f713df204784353e82f6a4a535931cb64f1f4b4a5aeaffcb720918b22"
        );
    }
}
