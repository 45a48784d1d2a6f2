//! Signatures in the minisign format (Ed25519, BLAKE2b-prehashed), made and checked with the
//! `minisign` crate (the reference Rust implementation by minisign's author): a report signed by
//! reident verifies with the `minisign` tool alone (`minisign -V -m report.json -p reident.pub`),
//! and a file signed by `minisign -S` verifies here.
//!
//! * [`SigningKey`]: a secret key file (`reident keygen`, or `minisign -G`), password-protected
//!   or not;
//! * [`PublicKeys`]: one public key file, or every `*.pub` file of a folder of trusted keys;
//! * [`generate`]: a new key pair written as `reident.key` and `reident.pub`.
//!
//! A key id is the 16 hexadecimal digits minisign prints (`minisign public key 0123...`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use minisign::{KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

use crate::error::{Error, Result};
use crate::input::regular::read_regular;

/// The environment variable a password-protected signing key's password is read from.
pub const PASSWORD_ENV: &str = "REIDENT_KEY_PASSWORD";
/// The environment variable that names the signing key when `--sign` is not given.
pub const SIGNING_KEY_ENV: &str = "REIDENT_SIGNING_KEY";
/// The extension of a detached signature: `report.json.minisig`.
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// Key files are a few hundred bytes; a larger file is not one.
const KEY_FILE_LIMIT: u64 = 16 * 1024;

/// The id of a key, as minisign prints it.
fn key_id(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    b.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(b))
}

fn one_line(e: impl std::fmt::Display) -> String {
    crate::error::one_line(&e.to_string())
}

/// A secret key, decrypted, ready to sign.
#[derive(Clone)]
pub struct SigningKey {
    secret: SecretKey,
    public: PublicKey,
    path: PathBuf,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigningKey({}, key id {})",
            self.path.display(),
            self.id()
        )
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id() && self.path == other.path
    }
}

/// Reads a secret key file's box (it must be a small regular file in the minisign format).
fn secret_box(path: &Path) -> Result<SecretKeyBox> {
    let bytes = read_regular(path, KEY_FILE_LIMIT)?;
    let text = String::from_utf8(bytes).map_err(|_| not_a_secret_key(path))?;
    let mut lines = text.lines();
    let comment_ok = lines
        .next()
        .is_some_and(|l| l.starts_with("untrusted comment:"));
    if !comment_ok || lines.next().is_none() {
        return Err(not_a_secret_key(path));
    }
    SecretKeyBox::from_string(&text).map_err(|_| not_a_secret_key(path))
}

fn not_a_secret_key(path: &Path) -> Error {
    Error::Invalid(format!(
        "{}: not a minisign secret key (make one with `reident keygen -o DIR`)",
        path.display()
    ))
}

/// A secret key file, read: usable as is, or protected by a password.
enum Secret {
    Plain(SecretKey),
    Protected(SecretKeyBox),
}

fn read_secret(path: &Path) -> Result<Secret> {
    let b = secret_box(path)?;
    match SecretKey::from_unencrypted_box(b.clone()) {
        Ok(k) => Ok(Secret::Plain(k)),
        Err(e) if e.to_string().contains("encrypted") => Ok(Secret::Protected(b)),
        // minisign 0.11's keys without a password (`minisign -G -W`) carry no checksum.
        Err(e) if e.to_string().contains("Corrupted") => {
            use ct_codecs::{Base64, Decoder};
            let text = b.into_string();
            let line = text.lines().nth(1).unwrap_or_default().trim().to_string();
            let bytes = Base64::decode_to_vec(&line, None).map_err(|_| not_a_secret_key(path))?;
            let unchecked = bytes.len() > 32 && bytes[bytes.len() - 32..].iter().all(|&x| x == 0);
            if !unchecked {
                return Err(not_a_secret_key(path));
            }
            let k = SecretKey::from_bytes(&bytes).map_err(|_| not_a_secret_key(path))?;
            Ok(Secret::Plain(k))
        }
        Err(_) => Err(not_a_secret_key(path)),
    }
}

/// Whether the secret key file at `path` is password-protected (so that a caller knows whether
/// to ask for the password).
pub fn needs_password(path: &Path) -> Result<bool> {
    Ok(matches!(read_secret(path)?, Secret::Protected(_)))
}

impl SigningKey {
    /// Loads the secret key at `path`, decrypting it with `password` if it is protected.
    pub fn load(path: &Path, password: Option<&str>) -> Result<SigningKey> {
        let secret = match read_secret(path)? {
            Secret::Plain(k) => k,
            Secret::Protected(b) => {
                let Some(password) = password else {
                    return Err(Error::Invalid(format!(
                        "{}: the key is password-protected: give its password in {PASSWORD_ENV} (or run in a terminal to be asked)",
                        path.display()
                    )));
                };
                SecretKey::from_box(b, Some(password.to_string())).map_err(|e| {
                    if e.to_string().contains("Wrong password") {
                        Error::Invalid(format!("{}: wrong password for this key", path.display()))
                    } else {
                        Error::Invalid(format!(
                            "{}: the key cannot be decrypted: {}",
                            path.display(),
                            one_line(e)
                        ))
                    }
                })?
            }
        };
        let public = PublicKey::from_secret_key(&secret).map_err(|_| not_a_secret_key(path))?;
        Ok(SigningKey {
            secret,
            public,
            path: path.to_path_buf(),
        })
    }

    /// The key id (16 hexadecimal digits, as minisign prints it).
    pub fn id(&self) -> String {
        key_id(self.secret.keynum())
    }

    /// The key file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A detached signature of `data` (the text of a `.minisig` file); `trusted_comment` is
    /// signed with it (one line).
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        let comment: String = trusted_comment
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let b = minisign::sign(
            Some(&self.public),
            &self.secret,
            Cursor::new(data),
            Some(comment.trim()),
            Some(&format!("signature from reident secret key {}", self.id())),
        )
        .map_err(|e| Error::Invalid(format!("signing: {}", one_line(e))))?;
        Ok(b.into_string())
    }
}

/// A signature that checked out: who made it and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The id of the key that made it.
    pub key_id: String,
    /// The public key file it was checked with.
    pub key_file: PathBuf,
    /// The signed comment (the tool, the data hash, the verdict for a report).
    pub trusted_comment: String,
}

/// The public keys a signature may be checked with.
#[derive(Debug, Clone, Default)]
pub struct PublicKeys {
    keys: Vec<(String, PublicKey, PathBuf)>,
    /// Where they came from (a file or a folder), for messages.
    pub source: String,
}

fn read_public(path: &Path) -> Result<PublicKey> {
    let bad = || {
        Error::Invalid(format!(
            "{}: not a minisign public key (the `reident.pub` that `reident keygen` writes, or minisign's)",
            path.display()
        ))
    };
    let bytes = read_regular(path, KEY_FILE_LIMIT)?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    if !text
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("untrusted comment:"))
    {
        return Err(bad());
    }
    PublicKeyBox::from_string(&text)
        .and_then(PublicKey::from_box)
        .map_err(|_| bad())
}

impl PublicKeys {
    /// One public key file.
    pub fn file(path: &Path) -> Result<PublicKeys> {
        let k = read_public(path)?;
        Ok(PublicKeys {
            keys: vec![(key_id(k.keynum()), k, path.to_path_buf())],
            source: path.display().to_string(),
        })
    }

    /// Every `*.pub` file of a folder (at least one).
    pub fn folder(dir: &Path) -> Result<PublicKeys> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pub"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: no public key (*.pub) in the trusted-keys folder",
                dir.display()
            )));
        }
        let mut keys = Vec::new();
        for f in files {
            let k = read_public(&f)?;
            keys.push((key_id(k.keynum()), k, f));
        }
        Ok(PublicKeys {
            keys,
            source: dir.display().to_string(),
        })
    }

    /// The ids of the keys.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|(id, _, _)| id.clone()).collect()
    }

    /// Checks the detached signature `signature` (a `.minisig` file's text) of `data`; the error
    /// says why it does not check out (malformed, another key, not this data).
    pub fn verify(&self, data: &[u8], signature: &str) -> std::result::Result<Verified, String> {
        let b = SignatureBox::from_string(signature)
            .map_err(|e| format!("malformed signature: {}", one_line(e)))?;
        let id = key_id(b.keynum());
        let Some((_, key, file)) = self.keys.iter().find(|(k, _, _)| *k == id) else {
            return Err(format!(
                "signed by key {id}, which is not {}",
                if self.keys.len() == 1 {
                    format!("the key given ({})", self.keys[0].0)
                } else {
                    format!("among the trusted keys of {}", self.source)
                }
            ));
        };
        minisign::verify(key, &b, Cursor::new(data), true, false, false).map_err(|e| {
            let m = one_line(e);
            if m.contains("Comment signature") {
                "the trusted comment was altered".to_string()
            } else if m.contains("Legacy") {
                "a legacy (non-prehashed) signature, not accepted".to_string()
            } else {
                format!("does not match the file (edited after signing): {m}")
            }
        })?;
        Ok(Verified {
            key_id: id,
            key_file: file.clone(),
            trusted_comment: b
                .trusted_comment()
                .map_err(|e| format!("malformed trusted comment: {}", one_line(e)))?,
        })
    }
}

/// The files of a new key pair.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
    pub key_id: String,
    pub encrypted: bool,
}

/// Generates a key pair and writes `dir/reident.key` (protected by `password`, unless `None`)
/// and `dir/reident.pub`; refuses to replace existing key files unless `force`.
pub fn generate(dir: &Path, password: Option<&str>, force: bool) -> Result<KeyFiles> {
    if password.is_some_and(str::is_empty) {
        return Err(Error::Invalid(
            "the password is empty: give one, or --no-password for a key without one".into(),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let secret = dir.join("reident.key");
    let public = dir.join("reident.pub");
    if !force {
        for p in [&secret, &public] {
            if std::fs::symlink_metadata(p).is_ok() {
                return Err(Error::Invalid(format!(
                    "{}: exists; a key is never replaced unless --force (it may sign reports already kept)",
                    p.display()
                )));
            }
        }
    }
    let pair = match password {
        Some(p) => KeyPair::generate_encrypted_keypair(Some(p.to_string())),
        None => KeyPair::generate_unencrypted_keypair(),
    }
    .map_err(|e| Error::Invalid(format!("generating the key: {}", one_line(e))))?;
    let id = key_id(pair.pk.keynum());
    let sk_text = pair
        .sk
        .to_box(Some(&format!("reident secret key {id}")))
        .map_err(|e| Error::Invalid(one_line(e)))?
        .into_string();
    let pk_text = pair
        .pk
        .to_box()
        .map_err(|e| Error::Invalid(one_line(e)))?
        .into_string();
    write_key(&secret, sk_text.as_bytes(), 0o600)?;
    write_key(&public, pk_text.as_bytes(), 0o644)?;
    Ok(KeyFiles {
        secret,
        public,
        key_id: id,
        encrypted: password.is_some(),
    })
}

/// Writes a key file through a temporary file created with `mode` (never readable by others
/// for a secret key, not even for a moment).
fn write_key(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        crate::output::folder::unique_suffix()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut f = options.open(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_round_trip_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let files = generate(dir.path(), None, false).unwrap();
        assert!(generate(dir.path(), None, false).is_err());
        let key = SigningKey::load(&files.secret, None).unwrap();
        assert_eq!(key.id(), files.key_id);
        let sig = key.sign(b"hello", "reident test\nsecond line").unwrap();
        let keys = PublicKeys::file(&files.public).unwrap();
        let v = keys.verify(b"hello", &sig).unwrap();
        assert_eq!(v.trusted_comment, "reident test second line");
        assert_eq!(v.key_id, files.key_id);
        assert!(keys.verify(b"hellp", &sig).unwrap_err().contains("edited"));
        assert!(keys
            .verify(b"hello", "untrusted comment: x\nnot base64\n")
            .unwrap_err()
            .contains("malformed"));
        let other = tempfile::tempdir().unwrap();
        let o = generate(other.path(), None, false).unwrap();
        let e = PublicKeys::file(&o.public)
            .unwrap()
            .verify(b"hello", &sig)
            .unwrap_err();
        assert!(e.contains("not the key given"), "{e}");
        // Another format of public key, and a public key given as a secret one.
        let ssh = dir.path().join("id.pub");
        std::fs::write(&ssh, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB x@y\n").unwrap();
        assert!(PublicKeys::file(&ssh)
            .unwrap_err()
            .to_string()
            .contains("not a minisign public key"));
        assert!(SigningKey::load(&files.public, None)
            .unwrap_err()
            .to_string()
            .contains("not a minisign secret key"));
    }
}
