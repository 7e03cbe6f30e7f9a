//! The `{name}` templates of `url`, `filename` and `format.member`: tokenising, rendering, and the rule
//! on substituted values (letters, digits, `_`, `-`, `.`; never `.` or `..`).

use std::collections::BTreeMap;
use std::fmt;

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` has no value.
    Missing(String),
    /// A `{` without its `}` (or a lone `}`).
    Unbalanced,
    /// `{}` or a name that is not `[A-Za-z0-9_]+`.
    BadName(String),
    /// A value that could change the URL's shape or escape the cache folder.
    BadValue { name: String, value: String },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Missing(n) => write!(f, "no value for {{{n}}}"),
            TemplateError::Unbalanced => {
                f.write_str("unbalanced `{` / `}` (write `{{` or `}}` for a literal brace)")
            }
            TemplateError::BadName(n) => write!(f, "placeholder {{{n}}}: names are letters, digits and `_`"),
            TemplateError::BadValue { name, value } => {
                write!(f, "{name} = {value:?}: values are letters, digits, `_`, `-`, `.` only")
            }
        }
    }
}

/// Fills `{name}` placeholders from `vars`.
///
/// ```
/// use std::collections::BTreeMap;
/// let vars = BTreeMap::from([("departement".to_string(), "67".to_string())]);
/// let url = fracture::fetch::render_template("https://h/base_imb_{departement}.csv.gz", &vars);
/// assert_eq!(url.as_deref(), Ok("https://h/base_imb_67.csv.gz"));
/// ```
pub fn render_template(template: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    for piece in tokenize(template)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Brace(c) => out.push(c),
            Piece::Var(name) => {
                let value = vars.get(name).ok_or_else(|| TemplateError::Missing(name.to_string()))?;
                if !is_safe_value(value) {
                    return Err(TemplateError::BadValue { name: name.to_string(), value: value.clone() });
                }
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

/// Names of the placeholders of a template, in order of first appearance.
pub fn placeholders(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut names: Vec<String> = Vec::new();
    for piece in tokenize(template)? {
        if let Piece::Var(n) = piece
            && !names.iter().any(|x| x == n)
        {
            names.push(n.to_string());
        }
    }
    Ok(names)
}

enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Var(&'a str),
}

fn tokenize(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            pieces.push(Piece::Text(&rest[..i]));
        }
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            pieces.push(Piece::Brace('{'));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            pieces.push(Piece::Brace('}'));
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let end = after.find('}').ok_or(TemplateError::Unbalanced)?;
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(TemplateError::BadName(name.to_string()));
            }
            pieces.push(Piece::Var(name));
            rest = &after[end + 1..];
        } else {
            return Err(TemplateError::Unbalanced);
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// A template value or vintage that cannot change a URL's shape nor a path: `[A-Za-z0-9_.-]+`, not `.`/`..`.
pub(crate) fn is_safe_value(v: &str) -> bool {
    !v.is_empty()
        && v != "."
        && v != ".."
        && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::super::testing::vars;
    use super::*;

    #[test]
    fn template_fills_placeholders_and_escapes_braces() {
        let v = vars(&[("vintage", "2026_T2"), ("departement", "67")]);
        assert_eq!(render_template("a/{vintage}/b_{departement}", &v), Ok("a/2026_T2/b_67".to_string()));
        assert_eq!(render_template("{{literal}} {departement}", &v), Ok("{literal} 67".to_string()));
        assert_eq!(render_template("no placeholder", &v), Ok("no placeholder".to_string()));
    }

    #[test]
    fn template_reports_missing_unbalanced_and_unsafe() {
        let v = vars(&[("departement", "67/../x")]);
        assert_eq!(render_template("{vintage}", &v), Err(TemplateError::Missing("vintage".into())));
        assert_eq!(render_template("a{b", &v), Err(TemplateError::Unbalanced));
        assert_eq!(render_template("a}b", &v), Err(TemplateError::Unbalanced));
        assert_eq!(render_template("a{}b", &v), Err(TemplateError::BadName(String::new())));
        assert!(matches!(render_template("{departement}", &v), Err(TemplateError::BadValue { .. })));
        assert_eq!(placeholders("{a}/{b}/{a}"), Ok(vec!["a".to_string(), "b".to_string()]));
    }
}
