//! Locales: the only place where sentences are written. Stages return facts (numbers, codes, enums);
//! `render` and `publish` turn them into words through one [`Locale`]: its messages (`fr.toml`,
//! `en.toml`, embedded, with `{name}` placeholders), number and quarter formatting.
//!
//! - `fr.toml`, `en.toml`: one message per key, the same keys in both (a test checks).
//!
//! Names of places, codes and the dataset's own texts (credit line, notice) are never translated.
//!
//! # Examples
//!
//! ```
//! use fracture::locale::{Arg, Lang, Locale};
//!
//! let en = Locale::new(Lang::En);
//! assert_eq!(en.number(12345.678, 1), "12,345.7");
//! let fr = Locale::new(Lang::Fr);
//! assert_eq!(fr.number(12345.678, 1), "12\u{a0}345,7");
//! assert_eq!(fr.format("summary.qpv_count", &[("n", Arg::Count(11))]), "11 quartiers prioritaires analysés.");
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::quarter::Quarter;

/// A language of the reports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// ISO 639-1 code, as written in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// A value substituted into a message.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A count, formatted with the locale's thousands separator.
    Count(u64),
    /// A number with its decimals.
    Number(f64, usize),
    /// Text inserted as is (a name, a code, an already formatted value).
    Text(String),
    /// Items joined with ", ".
    List(Vec<String>),
}

/// Messages of one language.
type Messages = BTreeMap<String, String>;

fn parse(lang: Lang, text: &str) -> Messages {
    match toml::from_str::<Messages>(text) {
        Ok(m) => m,
        // Embedded files, checked by the tests below: cannot fail in a built binary.
        Err(e) => panic!("src/locale/{}.toml is invalid: {e}", lang.code()),
    }
}

fn messages(lang: Lang) -> &'static Messages {
    static FR: OnceLock<Messages> = OnceLock::new();
    static EN: OnceLock<Messages> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| parse(lang, include_str!("fr.toml"))),
        Lang::En => EN.get_or_init(|| parse(lang, include_str!("en.toml"))),
    }
}

/// Labels, sentences, numbers and dates of one language.
#[derive(Debug, Clone, Copy)]
pub struct Locale {
    pub lang: Lang,
    messages: &'static Messages,
}

impl Default for Locale {
    fn default() -> Self {
        Locale::new(Lang::Fr)
    }
}

impl Locale {
    pub fn new(lang: Lang) -> Self {
        Locale { lang, messages: messages(lang) }
    }

    /// The message `key` as written (placeholders left in). An unknown key gives the key itself, so a
    /// missing translation shows in the output instead of failing the run; the tests check none is missing.
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message `key` with its `{name}` placeholders replaced.
    pub fn format(&self, key: &str, args: &[(&str, Arg)]) -> String {
        let mut s = self.text(key).to_string();
        for (name, arg) in args {
            s = s.replace(&format!("{{{name}}}"), &self.arg(arg));
        }
        s
    }

    fn arg(&self, a: &Arg) -> String {
        match a {
            Arg::Count(n) => self.number(*n as f64, 0),
            Arg::Number(v, d) => self.number(*v, *d),
            Arg::Text(t) => t.clone(),
            Arg::List(items) => items.join(", "),
        }
    }

    /// A number for people to read: French `12 345,7` (no-break space from 10 000 up), English
    /// `12,345.7`; never "-0"; `n.d.` / `n/a` when not finite.
    pub fn number(&self, v: f64, decimals: usize) -> String {
        match self.lang {
            Lang::Fr => crate::numbers::fr(v, decimals),
            Lang::En => english_number(v, decimals),
        }
    }

    /// A quarter for people to read: `2025-T3` (trimestre) or `2025-Q3`.
    pub fn quarter(&self, q: Quarter) -> String {
        match self.lang {
            Lang::Fr => format!("{}-T{}", q.year, q.q),
            Lang::En => q.to_string(),
        }
    }

    /// Every message of this language (for the tests that look for untranslated text).
    pub fn all_messages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.messages.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn english_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
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
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn both_languages_have_the_same_messages() {
        let fr: BTreeSet<&String> = messages(Lang::Fr).keys().collect();
        let en: BTreeSet<&String> = messages(Lang::En).keys().collect();
        assert_eq!(fr.difference(&en).collect::<Vec<_>>(), Vec::<&&String>::new(), "missing in en.toml");
        assert_eq!(en.difference(&fr).collect::<Vec<_>>(), Vec::<&&String>::new(), "missing in fr.toml");
        for lang in [Lang::Fr, Lang::En] {
            for (k, v) in messages(lang) {
                let placeholders = |s: &str| -> BTreeSet<String> {
                    s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.to_string())).collect()
                };
                let other = messages(if lang == Lang::Fr { Lang::En } else { Lang::Fr });
                assert_eq!(placeholders(v), placeholders(&other[k]), "{k}: placeholders differ");
            }
        }
    }

    #[test]
    fn english_numbers() {
        assert_eq!(english_number(12.345, 1), "12.3");
        assert_eq!(english_number(-0.01, 1), "0.0");
        assert_eq!(english_number(1234.5, 1), "1,234.5");
        assert_eq!(english_number(1_234_567.0, 0), "1,234,567");
        assert_eq!(english_number(-1234.0, 0), "-1,234");
        assert_eq!(english_number(f64::NAN, 1), "n/a");
    }

    #[test]
    fn quarters() {
        let q = Quarter { year: 2025, q: 3 };
        assert_eq!(Locale::new(Lang::Fr).quarter(q), "2025-T3");
        assert_eq!(Locale::new(Lang::En).quarter(q), "2025-Q3");
    }
}
