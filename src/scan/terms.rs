//! The words the rules and the findings are written in: the role a column plays, the Safe Harbor
//! step a finding implies, what a rule reads, and a confidence as a word. They depend on nothing
//! else in the room, so that the rules file model (`rules.rs`) and the report (`report.rs`) can
//! both use them.

use serde::{Deserialize, Serialize};

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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}
