//! Typed cells straight from the bytes of a record, with the rules of `ingest::read::typed`: secrecy
//! tokens and empty cells mean "no value", numbers take a decimal point (or a comma in a decimal-comma
//! file), never digit grouping, `inf` or `NaN`; commune codes are validated and packed in a `u64`.

use crate::ingest::read::{CodeKind, is_secrecy_token};

use super::stream::DecimalMode;

/// What a number cell is expected to be, as `ingest::read` says it.
pub const EXPECTED_NUMBER: &str = "a number (decimal point or comma)";

/// A number cell read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// Empty or a secrecy token.
    Missing,
    Value(f64),
    /// Written with a decimal comma, read as such: an error unless the file turns out decimal-comma.
    CommaValue(f64),
    Bad,
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Whether the cell means "no value" (empty or a secrecy token).
pub fn missing(b: &[u8]) -> bool {
    let t = trim(b);
    t.is_empty() || (t.len() <= 3 && std::str::from_utf8(t).is_ok_and(is_secrecy_token))
}

/// Reads a number cell.
pub fn number(b: &[u8], mode: DecimalMode) -> Number {
    let t = trim(b);
    if missing(t) {
        return Number::Missing;
    }
    let comma = t.contains(&b',');
    if comma && (mode == DecimalMode::Point || t.contains(&b'.')) {
        return Number::Bad;
    }
    if !well_formed(t) {
        return Number::Bad;
    }
    let mut tmp = [0u8; 64];
    let s: &[u8] = if comma {
        if t.len() > tmp.len() {
            return Number::Bad;
        }
        tmp[..t.len()].copy_from_slice(t);
        if let Some(i) = tmp[..t.len()].iter().position(|&c| c == b',') {
            tmp[i] = b'.';
        }
        &tmp[..t.len()]
    } else {
        t
    };
    // ASCII, checked by `well_formed`
    let Ok(s) = std::str::from_utf8(s) else { return Number::Bad };
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && comma && mode == DecimalMode::Detect => Number::CommaValue(x),
        Ok(x) if x.is_finite() => Number::Value(x),
        _ => Number::Bad,
    }
}

/// Optional sign, digits with at most one decimal mark (`.` or `,`), optional exponent.
fn well_formed(t: &[u8]) -> bool {
    let u = match t.first() {
        Some(b'+' | b'-') => &t[1..],
        _ => t,
    };
    let (mantissa, exponent) = match u.iter().position(|&c| c == b'e' || c == b'E') {
        Some(k) => (&u[..k], Some(&u[k + 1..])),
        None => (u, None),
    };
    let (int, frac) = match mantissa.iter().position(|&c| c == b'.' || c == b',') {
        Some(k) => (&mantissa[..k], &mantissa[k + 1..]),
        None => (mantissa, &[][..]),
    };
    let digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = match e.first() {
            Some(b'+' | b'-') => &e[1..],
            _ => e,
        };
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `Some(mark)` when the cell is `-?digits mark digits` (mark `,` or `.`), for the decimal-mark vote.
pub fn decimal_shape(b: &[u8]) -> Option<u8> {
    let t = trim(b);
    let s = t.strip_prefix(b"-").unwrap_or(t);
    let k = s.iter().position(|&c| c == b',' || c == b'.')?;
    let digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    (digits(&s[..k]) && digits(&s[k + 1..])).then_some(s[k])
}

/// No commune (empty cell or secrecy token).
pub const NO_COMMUNE: u64 = u64::MAX;

/// A commune code cell: `Some(packed)` ([`NO_COMMUNE`] when missing), `None` when malformed.
pub fn commune(b: &[u8]) -> Option<u64> {
    let t = trim(b);
    if missing(t) {
        return Some(NO_COMMUNE);
    }
    match std::str::from_utf8(t) {
        Ok(s) if CodeKind::Commune.matches(s) => {
            Some(t.iter().fold(0u64, |acc, &c| (acc << 8) | u64::from(c)))
        }
        _ => None,
    }
}

/// The 5 bytes of a packed commune code.
pub fn commune_bytes(packed: u64) -> [u8; 5] {
    let b = packed.to_be_bytes();
    [b[3], b[4], b[5], b[6], b[7]]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_table_reader_reads_them() {
        use DecimalMode::*;
        assert_eq!(number(b" 228123.90 ", Point), Number::Value(228123.90));
        assert_eq!(number(b"-1e3", Point), Number::Value(-1000.0));
        assert_eq!(number(b"38,2", Point), Number::Bad);
        assert_eq!(number(b"38,2", Comma), Number::Value(38.2));
        assert_eq!(number(b"38,2", Detect), Number::CommaValue(38.2));
        assert_eq!(number(b"1.234,5", Comma), Number::Bad);
        assert_eq!(number(b"1 234", Point), Number::Bad);
        for m in ["", " ", "s", "nd", "NA", "n/a"] {
            assert_eq!(number(m.as_bytes(), Point), Number::Missing, "{m:?}");
        }
        for b in ["beaucoup", "inf", "NaN", ".", "1e", "--1", "1.2.3"] {
            assert!(matches!(number(b.as_bytes(), Point), Number::Bad | Number::Missing), "{b:?}");
        }
        assert_eq!(number(b"12.5", Point), Number::Value(12.5));
    }

    #[test]
    fn communes_packed_and_back() {
        let p = commune(b"2A004").unwrap();
        assert_eq!(&commune_bytes(p), b"2A004");
        assert_eq!(commune(b" 67482 ").map(commune_bytes), Some(*b"67482"));
        assert_eq!(commune(b""), Some(NO_COMMUNE));
        assert!(commune(b"6748").is_none());
    }
}
