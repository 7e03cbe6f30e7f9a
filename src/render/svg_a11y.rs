//! Accessibility post-processing of the SVG text written by plotters (RGAA 4.1 / WCAG 2.1 AA).
//!
//! Input: the SVG document as plotters writes it (root `<svg width=… height=… viewBox=… xmlns=…>`)
//! and an [`SvgText`]: id prefix, title, text alternative, language and, for a map, the layer of
//! its areas (one `<g>` per area with its own `<title>`, see `choropleth`). Output: the same
//! document where the root `<svg>` carries `xml:lang`, and whose first children are
//! `<title id="<id>-title">` and `<desc id="<id>-desc">`; text elements ask for DejaVu Sans first
//! (the font the PNG and the layout were made with).
//!
//! - a figure without areas is one image: the root has `role="img"` and
//!   `aria-labelledby="<id>-title <id>-desc"`;
//! - a map with areas is a group of images: the root has `role="group"`, `aria-labelledby` its title
//!   and `aria-describedby` its description, the drawn texts (title, legend, labels, credit: all in
//!   the title and description) are `aria-hidden`, and the areas' layer, appended last so that it is
//!   on top for the pointer, gives each area `role="img"` named by its `<title>` (shown on hover).
//!
//! Invariant: nothing else in the document changes; title and description are XML-escaped.

/// What [`make_accessible`] adds to a figure's SVG.
pub(crate) struct SvgText<'a> {
    /// Made of the file stem: keeps the ids unique when several SVGs are inlined in one page.
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    /// ISO 639-1 code of the texts.
    pub lang: &'a str,
    /// The layer of the map's areas (SVG elements), if the figure has one.
    pub areas: Option<&'a str>,
}

/// Makes `svg` accessible (see the module header).
pub(crate) fn make_accessible(svg: &str, text: &SvgText) -> Result<String, String> {
    let (title, desc) = (text.title, text.desc);
    let start = svg.find("<svg").ok_or("no <svg> element in the document")?;
    let end = start + svg[start..].find('>').ok_or("unterminated <svg> element")?;
    let (open_tag, self_closing) = match svg[..end].strip_suffix('/') {
        Some(tag) => (tag, true),
        None => (&svg[..end], false),
    };
    if self_closing {
        return Err("empty <svg/> element".to_string());
    }
    let close = svg.rfind("</svg>").ok_or("no </svg> closing the document")?;
    let id: String = text
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    let lang = escape(text.lang);
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 200);
    out.push_str(open_tag);
    match text.areas {
        None => out.push_str(&format!(
            r#" role="img" aria-labelledby="{id}-title {id}-desc" xml:lang="{lang}" lang="{lang}">"#
        )),
        Some(_) => out.push_str(&format!(
            r#" role="group" aria-labelledby="{id}-title" aria-describedby="{id}-desc" xml:lang="{lang}" lang="{lang}">"#
        )),
    }
    out.push('\n');
    out.push_str(&format!(r#"<title id="{id}-title">{}</title>"#, escape(title)));
    out.push('\n');
    out.push_str(&format!(r#"<desc id="{id}-desc">{}</desc>"#, escape(desc)));
    let rest = &svg[end + 1..close];
    if !rest.starts_with('\n') {
        out.push('\n');
    }
    let mut body = rest
        .replace(r#"font-family="sans-serif""#, r#"font-family="DejaVu Sans, Verdana, Arial, sans-serif""#);
    if let Some(areas) = text.areas {
        body = body.replace("<text ", r#"<text aria-hidden="true" "#);
        body.push_str(areas);
        if !areas.ends_with('\n') {
            body.push('\n');
        }
    }
    out.push_str(&body);
    out.push_str(&svg[close..]);
    Ok(out)
}

/// Escapes the five XML special characters.
pub(crate) fn escape(text: &str) -> String {
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
        let text = SvgText {
            id: "map 1",
            title: "Éligibilité <THD>",
            desc: "Carte & \"légende\"",
            lang: "fr",
            areas: None,
        };
        let out = make_accessible(PLOTTERS_SVG, &text)?;
        let root_end = out.find('>').ok_or("no root")?;
        let root = &out[..root_end];
        assert!(root.starts_with("<svg "));
        assert!(root.contains(r#"role="img""#));
        assert!(root.contains(r#"aria-labelledby="map_1-title map_1-desc""#));
        let after = out[root_end + 1..].trim_start();
        assert!(after.starts_with(r#"<title id="map_1-title">Éligibilité &lt;THD&gt;</title>"#), "{after}");
        assert!(out.contains(r#"<desc id="map_1-desc">Carte &amp; &quot;légende&quot;</desc>"#));
        assert!(out.find("<desc").unwrap_or(usize::MAX) < out.find("<rect").unwrap_or(0));
        assert!(out.contains("DejaVu Sans") && out.contains(r#"xml:lang="fr""#));
        assert!(out.ends_with("</svg>\n"));
        assert!(out.contains("<text font-family"), "an image's texts are left as they are");
        Ok(())
    }

    #[test]
    fn a_map_with_areas_is_a_group_of_titled_images_on_top() -> Result<(), String> {
        let areas = "<g><g role=\"img\"><title>A : 1</title><polygon points=\"0,0 1,0 1,1\"/></g></g>";
        let text = SvgText { id: "m", title: "T", desc: "D", lang: "en", areas: Some(areas) };
        let out = make_accessible(PLOTTERS_SVG, &text)?;
        let root = &out[..out.find('>').ok_or("no root")?];
        assert!(
            root.contains(r#"role="group" aria-labelledby="m-title" aria-describedby="m-desc""#),
            "{root}"
        );
        assert!(root.contains(r#"xml:lang="en""#) && !root.contains("role=\"img\""), "{root}");
        assert!(out.contains(r#"<text aria-hidden="true" font-family"#), "{out}");
        assert!(out.ends_with(&format!("{areas}\n</svg>\n")), "the areas come last: {out}");
        Ok(())
    }

    #[test]
    fn rejects_non_svg() {
        let text = SvgText { id: "x", title: "t", desc: "d", lang: "fr", areas: None };
        assert!(make_accessible("<html></html>", &text).is_err());
        assert!(make_accessible("<svg/>", &text).is_err());
    }
}
