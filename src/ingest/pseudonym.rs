//! Pseudonymisation of participant references (personal data) on ingest.
//!
//! A participant reference is replaced by HMAC-SHA-256(key, reference), hex-encoded and cut to 128 bits.
//! Without the key the pseudonym cannot be linked back by dictionary attack on reference formats; the key
//! never lives in the repository (except the published demo key of the synthetic dataset), and neither
//! the reference nor the pseudonym is ever written to an output.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A keyed pseudonymiser.
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

/// The key was empty or too short.
#[derive(Debug, thiserror::Error)]
#[error("pseudonymisation key too short: {len} bytes, at least 16 are required")]
pub struct WeakKey {
    pub len: usize,
}

impl Pseudonymiser {
    /// Builds a pseudonymiser; the key must have at least 16 bytes.
    pub fn new(key: &[u8]) -> Result<Self, WeakKey> {
        if key.len() < 16 {
            return Err(WeakKey { len: key.len() });
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| WeakKey { len: key.len() })?;
        Ok(Self { mac })
    }

    /// The pseudonym of one reference (leading/trailing spaces ignored).
    pub fn pseudonym(&self, reference: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(reference.trim().as_bytes());
        let digest = mac.finalize().into_bytes();
        hex::encode(&digest[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keyed_and_not_the_reference() {
        let a = Pseudonymiser::new(b"0123456789abcdef").unwrap();
        let b = Pseudonymiser::new(b"fedcba9876543210").unwrap();
        assert_eq!(a.pseudonym("EC-2025-001"), a.pseudonym(" EC-2025-001 "));
        assert_ne!(a.pseudonym("EC-2025-001"), a.pseudonym("EC-2025-002"));
        assert_ne!(a.pseudonym("EC-2025-001"), b.pseudonym("EC-2025-001"));
        assert_eq!(a.pseudonym("x").len(), 32);
        assert!(!a.pseudonym("EC-2025-001").contains("EC"));
    }

    #[test]
    fn short_key_refused() {
        assert!(Pseudonymiser::new(b"short").is_err());
    }
}
