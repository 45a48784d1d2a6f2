//! Keyword arguments (a dict built by the Python layer, named as the CLI's flags) to the
//! library's options: what `src/cli/` does with clap's arguments, for Python.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use reident::anonymize::{QiHierarchies, Suppressed};
use reident::classes::people::Signature;
use reident::criteria::targets::TargetSpec;
use reident::hierarchy::build::Spec;
use reident::options::{Flags, PopulationOptions, Settings};
use reident::policy::Missing;
use reident::risk::estimators::SnbVariant;
use reident::risk::population::PopulationSpec;
use reident::risk::suda::{Dis, DEFAULT_DIS_FRACTION};

use crate::error::invalid;

/// The keyword arguments of one call. Absent and `None` are the same: the default.
pub struct Args<'py> {
    dict: Bound<'py, PyDict>,
}

impl<'py> Args<'py> {
    pub fn new(dict: Bound<'py, PyDict>) -> Self {
        Args { dict }
    }

    fn item(&self, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.dict.get_item(key)?.filter(|v| !v.is_none()))
    }

    /// A value of type `T`, or a `TypeError` that names the argument.
    pub fn get<T: for<'a> FromPyObject<'a, 'py>>(&self, key: &str) -> PyResult<Option<T>> {
        match self.item(key)? {
            None => Ok(None),
            Some(v) => v.extract::<T>().map(Some).map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "{key}: expected {}, got {}",
                    std::any::type_name::<T>()
                        .rsplit("::")
                        .next()
                        .unwrap_or("a value"),
                    v.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            }),
        }
    }

    pub fn flag(&self, key: &str) -> PyResult<bool> {
        Ok(self.get::<bool>(key)?.unwrap_or(false))
    }

    /// A path: a `str` or an `os.PathLike`.
    pub fn path(&self, key: &str) -> PyResult<Option<PathBuf>> {
        match self.item(key)? {
            None => Ok(None),
            Some(v) => Ok(Some(fspath(&v).map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "{key}: expected a path (str or os.PathLike)"
                ))
            })?)),
        }
    }

    /// A list of paths: a list or tuple of `str` or `os.PathLike`, or one of them.
    pub fn paths(&self, key: &str) -> PyResult<Vec<PathBuf>> {
        let Some(v) = self.item(key)? else {
            return Ok(Vec::new());
        };
        let bad = || {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "{key}: expected a path or a list of paths"
            ))
        };
        if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            return v
                .try_iter()?
                .map(|x| fspath(&x?).map_err(|_| bad()))
                .collect();
        }
        Ok(vec![fspath(&v).map_err(|_| bad())?])
    }

    /// A list of names: a list or tuple of `str`, or one `str` split at commas (as the CLI's
    /// flags are).
    pub fn strings(&self, key: &str) -> PyResult<Vec<String>> {
        let Some(v) = self.item(key)? else {
            return Ok(Vec::new());
        };
        if let Ok(s) = v.cast::<PyString>() {
            return Ok(s
                .to_cow()?
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect());
        }
        if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            return v.extract::<Vec<String>>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!("{key}: expected a list of str"))
            });
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{key}: expected a list of str, or one str"
        )))
    }

    /// `COLUMN -> VALUE` pairs: a dict, or a list of `"COLUMN<sep>VALUE"` strings (the CLI's
    /// form).
    pub fn pairs(&self, key: &str, sep: char) -> PyResult<Vec<(String, String)>> {
        let Some(v) = self.item(key)? else {
            return Ok(Vec::new());
        };
        if let Ok(d) = v.cast::<PyDict>() {
            return d
                .iter()
                .map(|(k, x)| {
                    let value = match x.cast::<PyString>() {
                        Ok(s) => s.to_cow()?.into_owned(),
                        Err(_) => fspath(&x)?.display().to_string(),
                    };
                    Ok((k.extract::<String>()?, value))
                })
                .collect();
        }
        self.strings(key)?
            .into_iter()
            .map(|p| {
                p.split_once(sep)
                    .map(|(c, f)| (c.to_string(), f.to_string()))
                    .ok_or_else(|| {
                        invalid(format!(
                            "{key} {p:?}: expected COLUMN{sep}VALUE (or a dict)"
                        ))
                    })
            })
            .collect()
    }

    /// The settings: the policy file merged with the flags, by the library's one merge.
    // Flags may gain settings the Python layer does not state: they stay at default.
    #[allow(clippy::needless_update)]
    pub fn settings(&self) -> PyResult<Settings> {
        let flags = Flags {
            policy: self.path("policy")?,
            qi: self.strings("qi")?,
            sensitive: self.strings("sensitive")?,
            identifying: self.strings("identifying")?,
            weight: self.get("weight")?,
            entity: self.get("entity")?,
            entity_signature: self.signature()?,
            missing: self.missing()?,
            targets: self.targets()?,
            hierarchies: self.path("hierarchies")?,
            suppression_limit: self.get("suppression_limit")?,
            metric: self.get::<String>("metric")?.map(|m| m.replace('_', "-")),
            ..Flags::default()
        };
        Settings::resolve(&flags).map_err(crate::error::to_py)
    }

    /// `entity_signature`: `"multiset"` (repeats count) or `"set"`, as the CLI's flag.
    fn signature(&self) -> PyResult<Option<Signature>> {
        match self.get::<String>("entity_signature")?.as_deref() {
            None => Ok(None),
            Some("multiset") => Ok(Some(Signature::Multiset)),
            Some("set") => Ok(Some(Signature::Set)),
            Some(other) => Err(invalid(format!(
                "entity_signature {other:?}: use \"multiset\" or \"set\""
            ))),
        }
    }

    /// `missing`: `"value"` (a missing value is one value, the default) or `"wildcard"` (it
    /// matches every value), as the CLI's `--missing`.
    fn missing(&self) -> PyResult<Option<Missing>> {
        match self.get::<String>("missing")?.as_deref() {
            None => Ok(None),
            Some("value") => Ok(Some(Missing::Value)),
            Some("wildcard") => Ok(Some(Missing::Wildcard)),
            Some(other) => Err(invalid(format!(
                "missing {other:?}: use \"value\" or \"wildcard\""
            ))),
        }
    }

    /// DIS-SUDA's method, as the CLI's `--dis-fraction F` (sdcMicro's, the default) or
    /// `--dis-linear P` (`dis=` is the same).
    pub fn dis(&self) -> PyResult<Dis> {
        let fraction: Option<f64> = self.get("dis_fraction")?;
        let linear: Option<f64> = match (self.get("dis_linear")?, self.get("dis")?) {
            (Some(_), Some(_)) => return Err(invalid("give dis_linear or dis, not both")),
            (a, b) => a.or(b),
        };
        match (fraction, linear) {
            (Some(_), Some(_)) => Err(invalid(
                "give dis_fraction (sdcMicro's DIS-SUDA) or dis_linear, not both",
            )),
            (_, Some(probability)) => Ok(Dis::Linear { probability }),
            (fraction, None) => Ok(Dis::Sdcmicro {
                fraction: fraction.unwrap_or(DEFAULT_DIS_FRACTION),
            }),
        }
    }

    fn targets(&self) -> PyResult<TargetSpec> {
        Ok(TargetSpec {
            k: self.get("k")?,
            l_diversity: self.strings_kept("l_diversity")?,
            t_closeness: self.strings_kept("t_closeness")?,
            presets: self.strings("preset")?,
            max_risk: self.get("max_risk")?,
            max_average_risk: self.get("max_average_risk")?,
            max_population_uniqueness: self.get("max_population_uniqueness")?,
        })
    }

    /// Specs that hold commas themselves: one `str` is one spec.
    fn strings_kept(&self, key: &str) -> PyResult<Vec<String>> {
        match self.item(key)? {
            Some(v) if v.is_instance_of::<PyString>() => Ok(vec![v.extract()?]),
            _ => self.strings(key),
        }
    }

    /// The population: at most one of `sampling_fraction`, `population`, `population_table`.
    pub fn population(&self) -> PyResult<PopulationOptions> {
        let fraction: Option<f64> = self.get("sampling_fraction")?;
        let size = match self.item("population")? {
            None => None,
            Some(v) => Some(match v.extract::<u64>() {
                Ok(n) => n.to_string(),
                Err(_) => v.extract::<String>().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "population: expected a number or a region name (str)",
                    )
                })?,
            }),
        };
        let table = self.path("population_table")?;
        let given = [fraction.is_some(), size.is_some(), table.is_some()];
        if given.iter().filter(|&&g| g).count() > 1 {
            return Err(invalid(
                "give at most one of sampling_fraction, population and population_table",
            ));
        }
        let spec = if let Some(f) = fraction {
            PopulationSpec::SamplingFraction(f)
        } else if let Some(n) = size {
            PopulationSpec::Size(n)
        } else if let Some(path) = table {
            PopulationSpec::Table {
                path,
                count_column: self
                    .get("population_count")?
                    .unwrap_or_else(|| "count".to_string()),
            }
        } else {
            PopulationSpec::Sample
        };
        let snb = match self.get::<String>("snb")?.as_deref() {
            None | Some("arx") => SnbVariant::Arx,
            Some("published") => SnbVariant::Published,
            Some(other) => {
                return Err(invalid(format!(
                    "snb {other:?}: use \"arx\" or \"published\""
                )))
            }
        };
        Ok(PopulationOptions { spec, snb })
    }

    /// `COLUMN -> FILE` pairs.
    pub fn files(&self, key: &str) -> PyResult<Vec<(String, PathBuf)>> {
        Ok(self
            .pairs(key, '=')?
            .into_iter()
            .map(|(c, f)| (c, PathBuf::from(f)))
            .collect())
    }

    /// The hierarchies stated per QI: files, and the builders of `interval`, `mask`, `date`,
    /// `suppress` and `auto`; `auto_hierarchies` for every QI left without one.
    pub fn qi_hierarchies(&self) -> PyResult<QiHierarchies> {
        let mut built = Vec::new();
        for (key, make) in [
            ("interval", Spec::Intervals as fn(String) -> Spec),
            ("mask", Spec::Mask),
            ("date", Spec::Dates),
        ] {
            for (col, spec) in self.pairs(key, ':')? {
                built.push((col, make(spec)));
            }
        }
        built.extend(
            self.strings("suppress")?
                .into_iter()
                .map(|c| (c, Spec::Suppress)),
        );
        built.extend(self.strings("auto")?.into_iter().map(|c| (c, Spec::Auto)));
        Ok(QiHierarchies {
            files: self.files("hierarchy")?,
            built,
            auto: self.flag("auto_hierarchies")?,
        })
    }

    pub fn suppressed(&self) -> PyResult<Suppressed> {
        match self.get::<String>("suppressed")?.as_deref() {
            None | Some("remove") => Ok(Suppressed::Remove),
            Some("star") => Ok(Suppressed::Star),
            Some(other) => Err(invalid(format!(
                "suppressed {other:?}: use \"remove\" or \"star\""
            ))),
        }
    }

    /// `local_suppression=True` with `importance` (`{qi: rank}`, 1 = most important, or the
    /// CLI's `"QI=RANK,..."`) and `blank` (`"star"`, the default, or `"null"`).
    pub fn local_suppression(&self) -> PyResult<Option<reident::sdc::LocalOptions>> {
        // `{qi: rank}` with int ranks, else the CLI's `"QI=RANK"` strings (ranks as text).
        let ranks: Vec<(String, String)> = match self.item("importance")? {
            Some(v) if v.cast::<PyDict>().is_ok() => v
                .cast::<PyDict>()?
                .iter()
                .map(|(k, x)| Ok((k.extract::<String>()?, x.str()?.to_cow()?.into_owned())))
                .collect::<PyResult<_>>()?,
            _ => self.pairs("importance", '=')?,
        };
        if !self.flag("local_suppression")? {
            if !ranks.is_empty() || self.item("blank")?.is_some() {
                return Err(invalid(
                    "importance and blank are local suppression's: add local_suppression=True",
                ));
            }
            return Ok(None);
        }
        let blank = match self.get::<String>("blank")?.as_deref() {
            None | Some("star") => reident::sdc::Blank::Star,
            Some("null") => reident::sdc::Blank::Null,
            Some(other) => {
                return Err(invalid(format!(
                    "blank {other:?}: use \"star\" or \"null\""
                )))
            }
        };
        let importance = ranks
            .into_iter()
            .map(|(qi, rank)| match rank.trim().parse::<u32>() {
                Ok(r) => Ok((qi, r)),
                Err(_) => Err(invalid(format!(
                    "importance {qi:?}: the rank is a whole number (1 = most important)"
                ))),
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Some(reident::sdc::LocalOptions { importance, blank }))
    }

    /// `microaggregate="COL,COL,...:k"` (the CLI's form) and `microaggregate_measure`
    /// (`"mean"`, the default, or `"median"`).
    pub fn microaggregation(&self) -> PyResult<Option<reident::sdc::MicroOptions>> {
        use reident::sdc::mdav::Measure;
        let measure = match self.get::<String>("microaggregate_measure")?.as_deref() {
            None | Some("mean") => Measure::Mean,
            Some("median") => Measure::Median,
            Some(other) => {
                return Err(invalid(format!(
                    "microaggregate_measure {other:?}: use \"mean\" or \"median\""
                )))
            }
        };
        match self.get::<String>("microaggregate")? {
            None if self.item("microaggregate_measure")?.is_some() => Err(invalid(
                "microaggregate_measure is microaggregation's: add microaggregate=\"COLS:k\"",
            )),
            None => Ok(None),
            Some(spec) => reident::sdc::MicroOptions::parse(&spec, measure)
                .map(Some)
                .map_err(crate::error::to_py),
        }
    }

    /// A CSV delimiter: one ASCII character, or `tab`.
    pub fn delimiter(&self) -> PyResult<Option<u8>> {
        match self.get::<String>("delimiter")? {
            None => Ok(None),
            Some(s) => match s.as_str() {
                "tab" | "\\t" | "\t" => Ok(Some(b'\t')),
                _ if s.len() == 1 && s.is_ascii() => Ok(Some(s.as_bytes()[0])),
                _ => Err(invalid(format!(
                    "delimiter {s:?}: give one ASCII character (or \"tab\")"
                ))),
            },
        }
    }
}

/// `os.fspath(v)`.
pub fn fspath(v: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let os = v.py().import("os")?;
    os.call_method1("fspath", (v,))?.extract::<PathBuf>()
}
