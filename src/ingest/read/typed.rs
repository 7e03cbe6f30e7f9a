//! Typed access to a [`RawTable`]'s text cells, collecting one [`IngestError::Field`] per bad cell with its
//! line: numbers ([`RawTable::f64s`]), validated official codes ([`RawTable::codes`], [`CodeKind`]),
//! columns by name, and the secrecy tokens that mean "no value" ([`is_secrecy_token`]).
//!
//! Numbers: the decimal separator is a point or, in a decimal-comma file, a comma (a point is then still read
//! as a decimal point). Digit grouping is never accepted: `1 234,5`, `1.234,5` and, in a decimal-point file,
//! `1,234` are errors rather than guesses.

use std::borrow::Cow;

use super::{Origin, RawTable};
use crate::ingest::error::{IngestError, Location};

/// What [`RawTable::f64s`] says it expected.
const EXPECTED_NUMBER: &str = "a number (decimal point or comma)";

/// The kinds of official codes [`RawTable::codes`] validates. Codes are strings, never numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Commune (INSEE COG): 5 characters, 2 digits or `2A`/`2B`, then 3 digits (`67482`, `2A004`, `97411`).
    Commune,
    /// IRIS: a commune code + 4 digits (`674820101`).
    Iris,
    /// QPV, 2024 list: `QN` + 5 digits + a capital letter (`QN06701M`).
    Qpv2024,
    /// QPV, 2015 list: `QP` + 6 digits (`QP066007`).
    Qpv2015,
    /// Département: 2 digits, `2A`/`2B`, or `97` + 1 digit overseas.
    Departement,
}

impl CodeKind {
    /// Whether `code` (already trimmed) is a well-formed code of this kind.
    pub fn matches(self, code: &str) -> bool {
        let b = code.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let commune = |s: &[u8]| {
            s.len() == 5 && (digits(&s[..2]) || s[..2] == *b"2A" || s[..2] == *b"2B") && digits(&s[2..])
        };
        match self {
            CodeKind::Commune => commune(b),
            CodeKind::Iris => b.len() == 9 && commune(&b[..5]) && digits(&b[5..]),
            CodeKind::Qpv2024 => {
                b.len() == 8 && b.starts_with(b"QN") && digits(&b[2..7]) && b[7].is_ascii_uppercase()
            }
            CodeKind::Qpv2015 => b.len() == 8 && b.starts_with(b"QP") && digits(&b[2..]),
            CodeKind::Departement => match b.len() {
                2 => digits(b) || b == b"2A" || b == b"2B",
                3 => b.starts_with(b"97") && b[2].is_ascii_digit(),
                _ => false,
            },
        }
    }

    /// What a code of this kind looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            CodeKind::Commune => {
                "a commune code (5 characters: 2 digits or 2A/2B, then 3 digits, e.g. 67482)"
            }
            CodeKind::Iris => "an IRIS code (9 characters: commune code + 4 digits, e.g. 674820101)",
            CodeKind::Qpv2024 => "a 2024 QPV code (QN + 5 digits + letter, e.g. QN06701M)",
            CodeKind::Qpv2015 => "a 2015 QPV code (QP + 6 digits, e.g. QP066007)",
            CodeKind::Departement => "a département code (2 digits, 2A/2B, or 97x)",
        }
    }
}

/// Whether a cell means "no value": empty, or a statistical-secrecy / missing token
/// (`s`, `nd`, `ns`, `nc`, `so`, `c`, `.`, `NA`, `n/a`), trimmed and case-insensitive.
pub fn is_secrecy_token(s: &str) -> bool {
    const TOKENS: [&str; 9] = ["s", "nd", "ns", "nc", "so", "c", ".", "na", "n/a"];
    let t = s.trim();
    t.is_empty() || TOKENS.iter().any(|tok| t.eq_ignore_ascii_case(tok))
}

impl RawTable {
    /// Number of data rows.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// Column names, in file order.
    pub fn columns(&self) -> Vec<String> {
        self.df.get_column_names().into_iter().map(|n| n.to_string()).collect()
    }

    /// Where row `row` (0-based) is in the source: the line it starts on (CSV) or its sheet row.
    pub fn line_of(&self, row: usize) -> Location {
        match &self.origin {
            Origin::Lines(lines) => lines.get(row).map_or(Location::File, |&l| Location::Line(l)),
            Origin::Sheet { name, rows } => {
                rows.get(row).map_or(Location::File, |&r| Location::Row { sheet: name.clone(), row: r })
            }
        }
    }

    /// Checks that all `cols` exist; every missing one is reported.
    pub fn require_columns(&self, cols: &[&str]) -> Result<(), IngestError> {
        let present = self.columns();
        let errors =
            cols.iter().filter(|c| !present.iter().any(|p| p == *c)).map(|c| self.missing(c)).collect();
        IngestError::collect(&self.path, errors)
    }

    /// The first of `candidates` present (exact, case-sensitive), for columns renamed across vintages.
    pub fn find_column(&self, candidates: &[&str]) -> Option<String> {
        let present = self.columns();
        candidates.iter().find(|c| present.iter().any(|p| p == *c)).map(|c| c.to_string())
    }

    /// The cells of a column as text (null = empty or secrecy token).
    pub fn strings(&self, col: &str) -> Result<Vec<Option<String>>, IngestError> {
        let values = self.values(col).ok_or_else(|| self.missing(col))?;
        Ok(values.into_iter().map(|v| v.map(str::to_string)).collect())
    }

    /// The cells of a column as numbers: null or secrecy token → `None`; a cell that is not a number pushes
    /// an [`IngestError::Field`] naming its line and gives `None`. A missing column pushes
    /// [`IngestError::MissingColumn`] and gives all `None`.
    pub fn f64s(&self, col: &str, errors: &mut Vec<IngestError>) -> Vec<Option<f64>> {
        let Some(values) = self.values(col) else {
            errors.push(self.missing(col));
            return vec![None; self.height()];
        };
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| {
                let s = v?;
                if is_secrecy_token(s) {
                    return None;
                }
                let x = parse_number(s.trim(), self.decimal_comma);
                if x.is_none() {
                    errors.push(self.field_error(row, col, EXPECTED_NUMBER, s));
                }
                x
            })
            .collect()
    }

    /// The cells of a column as validated codes (trimmed): null or secrecy token → `None`; a malformed code
    /// pushes an [`IngestError::Field`] and gives `None`. A missing column pushes
    /// [`IngestError::MissingColumn`] and gives all `None`.
    pub fn codes(&self, col: &str, kind: CodeKind, errors: &mut Vec<IngestError>) -> Vec<Option<String>> {
        let Some(values) = self.values(col) else {
            errors.push(self.missing(col));
            return vec![None; self.height()];
        };
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| {
                let s = v?;
                let code = s.trim();
                if is_secrecy_token(code) {
                    None
                } else if kind.matches(code) {
                    Some(code.to_string())
                } else {
                    errors.push(self.field_error(row, col, kind.expected(), s));
                    None
                }
            })
            .collect()
    }

    fn values(&self, col: &str) -> Option<Vec<Option<&str>>> {
        let ca = self.df.column(col).ok()?.str().ok()?;
        Some(ca.iter().collect())
    }

    /// Where the header is: its line, or its sheet row.
    pub fn header_location(&self) -> Location {
        match &self.origin {
            Origin::Lines(_) => Location::Line(self.header_line),
            Origin::Sheet { name, .. } => Location::Row { sheet: name.clone(), row: self.header_line },
        }
    }

    fn missing(&self, col: &str) -> IngestError {
        IngestError::MissingColumn {
            path: self.path.clone(),
            location: self.header_location(),
            column: col.to_string(),
            found: self.columns().join(", "),
        }
    }

    fn field_error(&self, row: usize, col: &str, expected: &str, found: &str) -> IngestError {
        IngestError::Field {
            path: self.path.clone(),
            location: self.line_of(row),
            field: col.to_string(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

/// Parses a trimmed number: optional sign, digits with at most one decimal mark (a comma only when
/// `decimal_comma`), optional exponent. No digit grouping, no `inf`/`NaN`.
fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    let normalised: Cow<'_, str> = if s.contains(',') {
        if !decimal_comma || s.contains('.') {
            return None;
        }
        Cow::Owned(s.replacen(',', ".", 1))
    } else {
        Cow::Borrowed(s)
    };
    let unsigned = normalised.strip_prefix(['+', '-']).unwrap_or(&normalised);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(k) => (&unsigned[..k], Some(&unsigned[k + 1..])),
        None => (unsigned, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let all_digits = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int) && all_digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::super::testing::ok;
    use super::*;

    #[test]
    fn secrecy_tokens() {
        for t in ["", "  ", "s", "S", "nd", "ND", "ns", "nc", "so", "c", ".", "NA", "na", "n/a", "N/A", " s "]
        {
            assert!(is_secrecy_token(t), "{t:?}");
        }
        for t in ["0", "sa", "-", "NaN", "x", "1.5"] {
            assert!(!is_secrecy_token(t), "{t:?}");
        }
    }

    #[test]
    fn code_kinds() {
        use CodeKind::*;
        for (kind, good, bad) in [
            (
                Commune,
                &["67482", "2A004", "2B033", "97411", "01001"][..],
                &["1001", "2C004", "674820", "6748A"][..],
            ),
            (Iris, &["674820101", "2A0040000"], &["67482010", "6748201011", "2A004000X"]),
            (Qpv2024, &["QN06701M", "QN97414I"], &["QN0670M", "QN06701m", "QP066007"]),
            (Qpv2015, &["QP066007"], &["QP06600", "QN066007", "QP06600A"]),
            (Departement, &["01", "67", "2A", "2B", "971", "976"], &["1", "2C", "981", "067"]),
        ] {
            for g in good {
                assert!(kind.matches(g), "{kind:?} {g}");
            }
            for b in bad {
                assert!(!kind.matches(b), "{kind:?} {b}");
            }
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("38.2", false), Some(38.2));
        assert_eq!(parse_number("-3", false), Some(-3.0));
        assert_eq!(parse_number("1e3", false), Some(1000.0));
        assert_eq!(parse_number(".5", false), Some(0.5));
        assert_eq!(parse_number("38,2", false), None);
        assert_eq!(parse_number("38,2", true), Some(38.2));
        assert_eq!(parse_number("38.2", true), Some(38.2));
        for bad in ["1 234,5", "1.234,5", "1,2,3", "inf", "NaN", "abc", "-", "", "1e", "12a", "1\u{a0}234"] {
            assert_eq!(parse_number(bad, true), None, "{bad:?}");
        }
    }

    #[test]
    fn f64s_and_codes_collect_errors_with_lines() {
        let t = ok("IRIS;TP60\n674820101;38,2\n67482;s\n674820103;abc\n674820104;\n");
        let mut errors = Vec::new();
        assert_eq!(t.f64s("TP60", &mut errors), vec![Some(38.2), None, None, None]);
        assert_eq!(errors.len(), 1);
        assert!(
            matches!(&errors[0], IngestError::Field { location: Location::Line(4), found, .. } if found == "abc")
        );
        let codes = t.codes("IRIS", CodeKind::Iris, &mut errors);
        assert_eq!(
            codes,
            vec![Some("674820101".into()), None, Some("674820103".into()), Some("674820104".into())]
        );
        assert_eq!(errors.len(), 2);
        assert!(matches!(&errors[1], IngestError::Field { location: Location::Line(3), .. }));
        t.f64s("nope", &mut errors);
        assert!(matches!(&errors[2], IngestError::MissingColumn { column, .. } if column == "nope"));
    }

    #[test]
    fn column_lookup() {
        let t = ok("IRIS;P19_NSCOL15P_DIPL0\n1;2\n");
        assert_eq!(
            t.find_column(&["P19_NSCOL15P_DIPLMIN", "P19_NSCOL15P_DIPL0"]).as_deref(),
            Some("P19_NSCOL15P_DIPL0")
        );
        assert_eq!(t.find_column(&["iris"]), None);
        assert!(t.require_columns(&["IRIS"]).is_ok());
        let e = match t.require_columns(&["IRIS", "A", "B"]) {
            Err(e) => e,
            Ok(()) => panic!("missing columns accepted"),
        };
        assert_eq!(e.count(), 2);
        assert!(t.strings("A").is_err());
    }
}
