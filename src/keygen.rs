//! `keygen`: a key pair that signs reports, in the minisign format (Ed25519): `reident.key`
//! (the secret key, password-protected unless no password is given; mode 0600) and
//! `reident.pub` (the public key, for `verify --public-key` and for `minisign -V`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Result;
pub use crate::report::sign::KeyFiles as Outcome;

/// Where to write the keys, and the password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// The folder the two files go to (created if needed).
    pub dir: PathBuf,
    /// The password that protects the secret key; `None` for a key without one.
    #[serde(skip)]
    pub password: Option<String>,
    /// Replace existing key files.
    pub force: bool,
}

/// Generates the key pair and writes its two files.
pub fn run(options: &Options) -> Result<Outcome> {
    crate::report::sign::generate(&options.dir, options.password.as_deref(), options.force)
}
