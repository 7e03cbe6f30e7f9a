//! What a file does not say, told from its content.
//!
//! Separator: `;` `,` tab `|` are counted outside quotes in the header and the most frequent wins (ties in
//! that order); a header with none is a one-column table, unless a data row holds one (then: error, set it).
//!
//! Decimal mark: a file is decimal-comma when its cells written `-?\d+,\d+` outnumber those written
//! `-?\d+\.\d+`; never in a `,`-separated file. Digit grouping is never accepted (see [`super::typed`]).

use polars::prelude::DataFrame;

use super::csv::Record;

/// Separators tried by detection, in order of preference on a tie.
const SEPARATORS: [u8; 4] = [b';', b',', b'\t', b'|'];

/// Counts each candidate separator outside quotes in the header and picks the most frequent (ties: the order
/// of [`SEPARATORS`]). When the header has none, the table has one column, unless a data row has a
/// candidate, in which case the separator cannot be told.
pub(super) fn detect_separator(header: &str, body: &str, data: &[Record]) -> Result<u8, String> {
    let counts = count_outside_quotes(header);
    let mut best = None;
    for (k, &sep) in SEPARATORS.iter().enumerate() {
        if counts[k] > 0 && best.is_none_or(|(_, n)| counts[k] > n) {
            best = Some((sep, counts[k]));
        }
    }
    if let Some((sep, _)) = best {
        return Ok(sep);
    }
    for r in data.iter().take(100) {
        let counts = count_outside_quotes(&body[r.start..r.end]);
        if let Some(k) = counts.iter().position(|&n| n > 0) {
            return Err(format!(
                "cannot detect the separator: the header has no `;`, `,`, tab or `|` (one column) but line {} \
                 contains {:?}; set the separator explicitly",
                r.line,
                char::from(SEPARATORS[k])
            ));
        }
    }
    Ok(b',')
}

fn count_outside_quotes(text: &str) -> [usize; 4] {
    let mut counts = [0; 4];
    let mut in_quotes = false;
    for &b in text.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(k) = SEPARATORS.iter().position(|&s| s == b) {
            counts[k] += 1;
        }
    }
    counts
}

/// A file is decimal-comma when its cells written `-?\d+,\d+` outnumber those written `-?\d+\.\d+`.
pub(super) fn detect_decimal_comma(df: &DataFrame) -> bool {
    let (mut comma, mut point) = (0usize, 0usize);
    for col in df.columns() {
        let Ok(ca) = col.str() else { continue };
        for v in ca.iter().flatten() {
            match decimal_shape(v.trim()) {
                Some(b',') => comma += 1,
                Some(b'.') => point += 1,
                _ => {}
            }
        }
    }
    comma > point
}

/// `Some(mark)` when `s` is `-?digits mark digits` with mark `,` or `.`.
fn decimal_shape(s: &str) -> Option<u8> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let k = s.bytes().position(|c| c == b',' || c == b'.')?;
    let (int, frac) = (&s.as_bytes()[..k], &s.as_bytes()[k + 1..]);
    let digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    (digits(int) && digits(frac)).then_some(s.as_bytes()[k])
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::super::testing::{err, ok, table};
    use super::super::{Decimal, ReadOptions};
    use super::*;

    #[test]
    fn decimal_shapes() {
        assert_eq!(decimal_shape("38,2"), Some(b','));
        assert_eq!(decimal_shape("-0.5"), Some(b'.'));
        assert_eq!(decimal_shape("50.29, 2.77"), None);
        assert_eq!(decimal_shape("12"), None);
        assert_eq!(decimal_shape(",5"), None);
    }

    #[test]
    fn separator_detection() {
        assert_eq!(ok("a;b,c\n1;2\n").separator, b';');
        assert_eq!(ok("a,b\n1,2\n").separator, b',');
        assert_eq!(ok("a\tb\n1\t2\n").separator, b'\t');
        assert_eq!(ok("a|b\n1|2\n").separator, b'|');
        // a comma inside a quoted header does not count
        assert_eq!(ok("\"x, y\";b\n1;2\n").separator, b';');
        let one = ok("IRIS\n674820101\n");
        assert_eq!(one.columns(), vec!["IRIS"]);
        assert!(err("IRIS\n674820101;1\n").contains("cannot detect the separator"));
    }

    #[test]
    fn decimal_detection() {
        assert!(ok("IRIS;TP60\n1;38,2\n2;12,5\n3;7\n").decimal_comma);
        assert!(!ok("IRIS;TP60\n1;38.2\n2;12\n").decimal_comma);
        assert!(!ok("IRIS,TP60\n1,\"38,2\"\n").decimal_comma);
        let forced = ReadOptions { decimal: Some(Decimal::Comma), ..ReadOptions::default() };
        assert!(table("a,b\n1,\"3,5\"\n", &forced).is_ok_and(|t| t.decimal_comma));
    }
}
