//! Accessibility post-processing of the SVG text written by plotters (RGAA 4.1 / WCAG 2.1 AA).
//!
//! Input: the SVG document as plotters writes it (root `<svg width=… height=… viewBox=… xmlns=…>`),
//! an id prefix, the title and the text alternative. Output: the same document where the root
//! `<svg>` carries `role="img"`, `aria-labelledby="<id>-title <id>-desc"` and `xml:lang="fr"`,
//! whose first children are `<title id="<id>-title">` and `<desc id="<id>-desc">`, and whose text
//! elements ask for DejaVu Sans first (the font the PNG and the layout were made with).
//!
//! Invariant: nothing else in the document changes; title and description are XML-escaped.

/// Makes `svg` accessible; `id` (made of the file stem) keeps the ids unique when several SVGs are
/// inlined in one HTML page.
pub(crate) fn make_accessible(svg: &str, id: &str, title: &str, desc: &str) -> Result<String, String> {
    let start = svg.find("<svg").ok_or("no <svg> element in the document")?;
    let end = start + svg[start..].find('>').ok_or("unterminated <svg> element")?;
    let (open_tag, self_closing) = match svg[..end].strip_suffix('/') {
        Some(tag) => (tag, true),
        None => (&svg[..end], false),
    };
    if self_closing {
        return Err("empty <svg/> element".to_string());
    }
    let id: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 200);
    out.push_str(open_tag);
    out.push_str(&format!(r#" role="img" aria-labelledby="{id}-title {id}-desc" xml:lang="fr">"#));
    out.push('\n');
    out.push_str(&format!(r#"<title id="{id}-title">{}</title>"#, escape(title)));
    out.push('\n');
    out.push_str(&format!(r#"<desc id="{id}-desc">{}</desc>"#, escape(desc)));
    let rest = &svg[end + 1..];
    if !rest.starts_with('\n') {
        out.push('\n');
    }
    out.push_str(
        &rest.replace(
            r#"font-family="sans-serif""#,
            r#"font-family="DejaVu Sans, Verdana, Arial, sans-serif""#,
        ),
    );
    Ok(out)
}

/// Escapes the five XML special characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLOTTERS_SVG: &str = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" \
        xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\"/>\n\
        <text font-family=\"sans-serif\">a</text>\n</svg>\n";

    #[test]
    fn root_gets_role_title_and_desc_first() -> Result<(), String> {
        let out = make_accessible(PLOTTERS_SVG, "map 1", "Éligibilité <THD>", "Carte & \"légende\"")?;
        let root_end = out.find('>').ok_or("no root")?;
        let root = &out[..root_end];
        assert!(root.starts_with("<svg "));
        assert!(root.contains(r#"role="img""#));
        assert!(root.contains(r#"aria-labelledby="map_1-title map_1-desc""#));
        let after = out[root_end + 1..].trim_start();
        assert!(after.starts_with(r#"<title id="map_1-title">Éligibilité &lt;THD&gt;</title>"#), "{after}");
        assert!(out.contains(r#"<desc id="map_1-desc">Carte &amp; &quot;légende&quot;</desc>"#));
        assert!(out.find("<desc").unwrap_or(usize::MAX) < out.find("<rect").unwrap_or(0));
        assert!(out.contains("DejaVu Sans"));
        assert!(out.ends_with("</svg>\n"));
        Ok(())
    }

    #[test]
    fn rejects_non_svg() {
        assert!(make_accessible("<html></html>", "x", "t", "d").is_err());
        assert!(make_accessible("<svg/>", "x", "t", "d").is_err());
    }
}
