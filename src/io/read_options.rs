//! How to read one input file when detection is not enough: the one type that a `format` table of the
//! source catalogue (`data/sources.toml`) and a `[formats.<role>]` table of a dataset deserialise into,
//! merged field by field by [`ReadOptions::or`] (the dataset's value wins), and honoured by the reader
//! (`ingest::read`). Every field absent means "detect" (or the default named on the field).
//!
//! It lives below the stages because three of them speak it: `fetch` validates the catalogue, `context`
//! merges, `ingest` reads.

use serde::{Deserialize, Serialize};

/// How to read one file. Absent fields are detected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOptions {
    /// CSV field separator: one ASCII character, or `\t` / `tab`. Absent: detected among `;` `,` tab `|`
    /// from the header line.
    #[serde(default, with = "separator", skip_serializing_if = "Option::is_none")]
    pub separator: Option<u8>,
    /// 1-based line (sheet row for a spreadsheet) of the header; lines before it are skipped. Absent: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_line: Option<usize>,
    /// Decimal mark, `"."` or `","`. Absent: a decimal comma when comma decimals outnumber point ones
    /// (and the separator is not `,`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal: Option<Decimal>,
    /// Text encoding, `"utf-8"` or `"latin-1"`. Absent: UTF-8 when the bytes are valid UTF-8, else
    /// Latin-1 (Windows-1252 for 0x80–0x9F).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<TextEncoding>,
    /// Whole-file compression, `"gzip"`. Absent: told by the name (`.gz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// Sheet of a spreadsheet (the first sheet when absent). Setting it forces spreadsheet reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The path is a zip archive and this member (exact name) is read. A dataset's setting: in the
    /// catalogue, `member` names what `fetch` extracts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_member: Option<String>,
    /// The most bytes (uncompressed) read from this file into memory. Absent: 4 GiB
    /// ([`crate::io::bounded::DEFAULT_MAX_BYTES`]). Compressed input is also held to an expansion ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
}

impl ReadOptions {
    /// `self`'s value where set, `base`'s elsewhere, field by field.
    ///
    /// # Examples
    /// ```
    /// use fracture::io::read_options::{Decimal, ReadOptions};
    /// let catalogue: ReadOptions = toml::from_str("separator = \";\"\ndecimal = \".\"").unwrap();
    /// let dataset: ReadOptions = toml::from_str("decimal = \",\"").unwrap();
    /// let merged = dataset.or(&catalogue);
    /// assert_eq!((merged.separator, merged.decimal), (Some(b';'), Some(Decimal::Comma)));
    /// ```
    pub fn or(self, base: &ReadOptions) -> ReadOptions {
        ReadOptions {
            separator: self.separator.or(base.separator),
            header_line: self.header_line.or(base.header_line),
            decimal: self.decimal.or(base.decimal),
            encoding: self.encoding.or(base.encoding),
            compression: self.compression.or(base.compression),
            sheet: self.sheet.or_else(|| base.sheet.clone()),
            zip_member: self.zip_member.or_else(|| base.zip_member.clone()),
            max_bytes: self.max_bytes.or(base.max_bytes),
        }
    }

    /// The header line, 1 when absent.
    pub fn header_line(&self) -> usize {
        self.header_line.unwrap_or(1)
    }

    /// The limits the reader holds this file to.
    pub fn limits(&self) -> crate::io::bounded::InputLimits {
        crate::io::bounded::InputLimits::with_max_bytes(self.max_bytes)
    }
}

/// A decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Decimal {
    /// `38.2`; a comma in a number is an error.
    #[serde(rename = ".")]
    Point,
    /// `38,2` (and `38.2`).
    #[serde(rename = ",")]
    Comma,
}

/// A text encoding fracture reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark; any other byte sequence is an error.
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// Latin-1, with Windows-1252's characters for 0x80–0x9F, even when the bytes are valid UTF-8.
    #[serde(rename = "latin-1", alias = "latin1", alias = "iso-8859-1", alias = "windows-1252")]
    Latin1,
}

/// Whole-file compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
}

/// `separator` as written in TOML: one ASCII character that can separate fields, or `\t` / `tab`.
mod separator {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
        let Some(s) = Option::<String>::deserialize(d)? else { return Ok(None) };
        match s.as_str() {
            "\\t" | "tab" | "\t" => Ok(Some(b'\t')),
            _ => match s.as_bytes() {
                [b] if b.is_ascii_punctuation() || *b == b' ' => {
                    if *b == b'"' {
                        Err(D::Error::custom("separator `\"` is the quote character"))
                    } else {
                        Ok(Some(*b))
                    }
                }
                _ => Err(D::Error::custom(format!(
                    "separator {s:?}: one ASCII punctuation character (`;`, `,`, `|`, ...), or \"tab\""
                ))),
            },
        }
    }

    pub fn serialize<S: Serializer>(v: &Option<u8>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b'\t') => s.serialize_str("tab"),
            Some(b) => s.serialize_str(&char::from(*b).to_string()),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ReadOptions, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn every_field_deserialises() {
        let o = parse(
            "separator = \"tab\"\nheader_line = 6\ndecimal = \",\"\nencoding = \"latin-1\"\n\
             compression = \"gzip\"\nsheet = \"IRIS\"\nzip_member = \"a/b.csv\"",
        )
        .unwrap();
        assert_eq!(
            o,
            ReadOptions {
                separator: Some(b'\t'),
                header_line: Some(6),
                decimal: Some(Decimal::Comma),
                encoding: Some(TextEncoding::Latin1),
                compression: Some(Compression::Gzip),
                sheet: Some("IRIS".into()),
                zip_member: Some("a/b.csv".into()),
                max_bytes: None,
            }
        );
        assert_eq!(parse("separator = \";\"").unwrap().separator, Some(b';'));
        assert_eq!(parse("encoding = \"utf-8\"").unwrap().encoding, Some(TextEncoding::Utf8));
        assert_eq!(parse("").unwrap(), ReadOptions::default());
        assert_eq!(ReadOptions::default().header_line(), 1);
        let back: ReadOptions = toml::from_str(&toml::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, o);
    }

    #[test]
    fn bad_values_and_typos_are_refused() {
        for (text, needle) in [
            ("separator = \"\"", "separator"),
            ("separator = \";;\"", "separator"),
            ("separator = \"a\"", "separator"),
            ("decimal = \"·\"", "decimal"),
            ("encoding = \"utf-16\"", "encoding"),
            ("decimals = \",\"", "unknown field"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn the_dataset_overrides_the_catalogue_field_by_field() {
        let catalogue = parse("separator = \";\"\nheader_line = 6\nsheet = \"IRIS\"").unwrap();
        let dataset = parse("header_line = 2\nencoding = \"utf-8\"").unwrap();
        let m = dataset.or(&catalogue);
        assert_eq!(m.separator, Some(b';'));
        assert_eq!(m.header_line, Some(2));
        assert_eq!(m.sheet.as_deref(), Some("IRIS"));
        assert_eq!(m.encoding, Some(TextEncoding::Utf8));
    }
}
