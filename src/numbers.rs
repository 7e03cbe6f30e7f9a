//! French number formatting for every human-readable output (maps, charts, Markdown and HTML tables):
//! decimal comma, no-break space between thousands from 10 000 up, no "-0", "n.d." for non-finite values.
//! Machine-readable outputs (CSV, Parquet, GeoJSON) keep the decimal point.

/// Formats `v` the French way: decimal comma, `decimals` digits, a non-breaking space between
/// thousands from 10 000 up, and no "-0". Non-finite values give "n.d." (non disponible).
///
/// # Examples
/// ```
/// use fracture::numbers::fr;
/// assert_eq!(fr(46.04, 1), "46,0");
/// assert_eq!(fr(2326.0, 0), "2326");
/// assert_eq!(fr(119_765.0, 0), "119\u{a0}765");
/// assert_eq!(fr(-0.04, 1), "0,0");
/// assert_eq!(fr(f64::NAN, 1), "n.d.");
/// ```
pub fn fr(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n.d.".to_string();
    }
    let digits = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let negative = v < 0.0 && digits.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let mut out = String::with_capacity(digits.len() + 4);
    if negative {
        out.push('-');
    }
    if int.len() > 4 {
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push('\u{a0}');
            }
            out.push(c);
        }
    } else {
        out.push_str(int);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(fr(12.345, 1), "12,3");
        assert_eq!(fr(12.0, 0), "12");
        assert_eq!(fr(-0.01, 1), "0,0");
        assert_eq!(fr(-3.25, 2), "-3,25");
        assert_eq!(fr(1234.5, 1), "1234,5");
        assert_eq!(fr(1_234_567.0, 0), "1\u{a0}234\u{a0}567");
        assert_eq!(fr(f64::NAN, 1), "n.d.");
    }
}
