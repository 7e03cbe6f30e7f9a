//! Text decoding for the tabular inputs (see `data/FORMATS.md` §3).
//!
//! Input: the raw bytes of a file. Output: UTF-8 text with `\n` line ends, and which encoding was found.
//! Rules, in order:
//! - a UTF-8 byte-order mark (`EF BB BF`) is stripped ([`Encoding::Utf8Bom`]);
//! - bytes that are valid UTF-8 are kept as they are ([`Encoding::Utf8`]);
//! - anything else is read as Latin-1 ([`Encoding::Latin1`]), one character per byte. Bytes `0x80`–`0x9F`,
//!   which are invisible control characters in strict ISO-8859-1 and never occur in text, are read as
//!   Windows-1252 (its superset used by French Excel: `0x80` = `€`, `0x92` = `’`, `0x9C` = `œ`, ...), so that
//!   "Cœur de ville" survives. Every other byte `XX` is U+00XX.
//!
//! A file whose read options set `encoding` is decoded as said ([`decode_as`]): `utf-8` refuses bytes that
//! are not UTF-8 (naming the line) instead of falling back to Latin-1; `latin-1` reads every byte as one
//! character even when the bytes happen to be valid UTF-8.
//!
//! Line ends: `\r\n` and a lone `\r` (old Mac exports) both become `\n`.
//!
//! UTF-16 and UTF-32 (what Excel's "Unicode text" writes) are not read: [`unsupported_encoding`] tells them
//! by their byte-order mark or their NUL bytes, so that the reader can refuse them clearly instead of
//! decoding them as Latin-1 garbage.

pub use crate::io::read_options::TextEncoding;

/// The encoding a text file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (stripped), as Excel writes "CSV UTF-8".
    Utf8Bom,
    /// Not valid UTF-8: read as Latin-1 (Windows-1252 for bytes 0x80–0x9F).
    Latin1,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Windows-1252 characters for bytes 0x80..=0x9F. The five bytes Windows-1252 leaves undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their Latin-1 meaning, as the WHATWG encoding standard does.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes a file's bytes to text (see the module header for the rules) and normalises line ends.
pub fn decode(mut bytes: Vec<u8>) -> (String, Encoding) {
    let had_bom = bytes.starts_with(BOM);
    if had_bom {
        bytes.drain(..BOM.len());
    }
    let (text, encoding) = match String::from_utf8(bytes) {
        Ok(s) => (s, if had_bom { Encoding::Utf8Bom } else { Encoding::Utf8 }),
        Err(e) => (latin1_to_string(e.as_bytes()), Encoding::Latin1),
    };
    (normalise_newlines(text), encoding)
}

/// Decodes as `forced` says, or as [`decode`] detects when `None`. Err: why the bytes are not in the
/// forced encoding.
pub fn decode_as(mut bytes: Vec<u8>, forced: Option<TextEncoding>) -> Result<(String, Encoding), String> {
    match forced {
        None => Ok(decode(bytes)),
        Some(TextEncoding::Latin1) => Ok((normalise_newlines(latin1_to_string(&bytes)), Encoding::Latin1)),
        Some(TextEncoding::Utf8) => {
            let had_bom = bytes.starts_with(BOM);
            if had_bom {
                bytes.drain(..BOM.len());
            }
            match String::from_utf8(bytes) {
                Ok(s) => {
                    Ok((normalise_newlines(s), if had_bom { Encoding::Utf8Bom } else { Encoding::Utf8 }))
                }
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let bytes = e.as_bytes();
                    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                    Err(format!(
                        "line {line}: byte 0x{:02X} is not UTF-8, but the read options say encoding = \"utf-8\" \
                         (remove the setting to have Latin-1 detected, or set encoding = \"latin-1\")",
                        bytes[at]
                    ))
                }
            }
        }
    }
}

/// The name of the encoding when `bytes` are clearly UTF-16 or UTF-32 (byte-order mark, or NUL bytes, which
/// never occur in UTF-8 or Latin-1 text), which [`decode`] would turn into garbage; `None` otherwise.
pub fn unsupported_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some("UTF-32 (byte-order mark)")
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some("UTF-16 little-endian (byte-order mark FF FE)")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some("UTF-16 big-endian (byte-order mark FE FF)")
    } else if looks_wide(bytes) {
        Some("UTF-16 or UTF-32 without byte-order mark (every other byte is NUL)")
    } else {
        None
    }
}

/// UTF-16/32 text without byte-order mark: NUL bytes make up a large share of its start (a half or more for
/// Latin text). A stray NUL in UTF-8 text is not that: the reader reports it with its line and field.
fn looks_wide(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    nul > 0 && nul * 4 >= head.len()
}

/// Reads bytes as Latin-1 (Windows-1252 for 0x80–0x9F).
fn latin1_to_string(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// `\r\n` → `\n`, lone `\r` → `\n`.
fn normalise_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_utf8_is_kept() {
        let (s, e) = decode("IRIS;LIBIRIS\n674820101;Esplanade\n".as_bytes().to_vec());
        assert_eq!(e, Encoding::Utf8);
        assert_eq!(s, "IRIS;LIBIRIS\n674820101;Esplanade\n");
    }

    #[test]
    fn bom_is_stripped() {
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice("code_qp,nom_qp\nQP009001,Cœur\n".as_bytes());
        let (s, e) = decode(bytes);
        assert_eq!(e, Encoding::Utf8Bom);
        assert_eq!(s, "code_qp,nom_qp\nQP009001,Cœur\n");
    }

    #[test]
    fn latin1_bytes_become_characters() {
        // "Libellé;Cœur" in Windows-1252: é = E9, œ = 9C
        let bytes = b"Libell\xE9;C\x9Cur\r\n".to_vec();
        let (s, e) = decode(bytes);
        assert_eq!(e, Encoding::Latin1);
        assert_eq!(s, "Libellé;Cœur\n");
    }

    #[test]
    fn every_latin1_byte_decodes_to_one_char() {
        let bytes: Vec<u8> = (0x20u8..=0xFF).collect();
        let (s, e) = decode(bytes);
        assert_eq!(e, Encoding::Latin1);
        assert_eq!(s.chars().count(), 0xFF - 0x20 + 1);
        assert!(s.ends_with('ÿ'));
        assert!(s.contains('€'));
    }

    #[test]
    fn crlf_and_lone_cr_become_lf() {
        let (s, _) = decode(b"a;b\r\n1;2\r3;4\n".to_vec());
        assert_eq!(s, "a;b\n1;2\n3;4\n");
    }

    #[test]
    fn utf16_and_utf32_are_recognised() {
        let utf16le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("IRIS;P\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert!(unsupported_encoding(&utf16le).is_some_and(|e| e.contains("UTF-16 little-endian")));
        let utf16be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("IRIS".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert!(unsupported_encoding(&utf16be).is_some_and(|e| e.contains("big-endian")));
        let no_bom: Vec<u8> = "IRIS".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(unsupported_encoding(&no_bom).is_some_and(|e| e.contains("NUL")));
        assert!(
            unsupported_encoding(&[0xFF, 0xFE, 0, 0, b'I', 0, 0, 0]).is_some_and(|e| e.contains("UTF-32"))
        );
        assert_eq!(unsupported_encoding(b"\xEF\xBB\xBFIRIS;P\n"), None);
        assert_eq!(unsupported_encoding(b"Libell\xE9;C\x9Cur\n"), None);
        assert_eq!(unsupported_encoding(b""), None);
    }

    #[test]
    fn a_forced_encoding_is_obeyed() {
        let utf8 = "Libellé\n".as_bytes().to_vec();
        assert_eq!(decode_as(utf8.clone(), None).ok(), Some(("Libellé\n".to_string(), Encoding::Utf8)));
        assert_eq!(
            decode_as(utf8.clone(), Some(TextEncoding::Latin1)).ok(),
            Some(("LibellÃ©\n".to_string(), Encoding::Latin1))
        );
        assert_eq!(decode_as(utf8, Some(TextEncoding::Utf8)).ok().map(|d| d.1), Some(Encoding::Utf8));
        let latin1 = b"a;b\nLibell\xE9;1\n".to_vec();
        assert_eq!(decode_as(latin1.clone(), None).ok().map(|d| d.1), Some(Encoding::Latin1));
        let e = decode_as(latin1, Some(TextEncoding::Utf8)).err().unwrap_or_default();
        assert!(e.contains("line 2: byte 0xE9 is not UTF-8"), "{e}");
    }

    #[test]
    fn empty_input() {
        assert_eq!(decode(Vec::new()), (String::new(), Encoding::Utf8));
        assert_eq!(decode(BOM.to_vec()), (String::new(), Encoding::Utf8Bom));
    }
}
