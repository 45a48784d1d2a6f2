//! Keyed pseudonyms: HMAC-SHA256 under a random key drawn for the run and never kept.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

/// Hex digits of a pseudonym (80 bits: for 100 million distinct values the chance that two share
/// a pseudonym is about 4e-9); `scan` recognizes the form.
use crate::scan::PSEUDONYM_HEX;

/// Keyed pseudonyms for one run.
pub(crate) struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl Pseudonymizer {
    /// A fresh 256-bit key from the operating system's generator.
    pub(crate) fn new() -> Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::Invalid(format!("no random key for pseudonyms: {e}")))?;
        let mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        key.fill(0);
        Ok(Pseudonymizer { mac })
    }

    pub(crate) fn pseudonym(&self, v: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
