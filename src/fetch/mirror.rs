//! `--mirror`: the catalogue's official URLs fetched from another host (a local copy, a test server),
//! keeping each source's path and query.

use super::error::FetchError;

/// The same path and query on another host: `--mirror http://127.0.0.1:8080/prefix` turns
/// `https://www.data.gouv.fr/api/1/x?y=1` into `http://127.0.0.1:8080/prefix/api/1/x?y=1`.
pub fn apply_mirror(mirror: &reqwest::Url, url: &str) -> Result<String, String> {
    let original = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    let mut out = mirror.clone();
    let prefix = mirror.path().trim_end_matches('/');
    out.set_path(&format!("{prefix}{}", original.path()));
    out.set_query(original.query());
    out.set_fragment(None);
    Ok(out.to_string())
}

/// Parses and checks a `--mirror` value.
pub fn parse_mirror(mirror: &str) -> Result<reqwest::Url, FetchError> {
    let bad = |reason: String| FetchError::BadMirror { mirror: mirror.to_string(), reason };
    let url = reqwest::Url::parse(mirror).map_err(|e| bad(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("expected http(s)://host[:port][/prefix]".to_string()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a mirror has no query nor fragment: the source's own are kept".to_string()));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_keeps_path_and_query() {
        let m = parse_mirror("http://127.0.0.1:8080").expect("mirror");
        assert_eq!(
            apply_mirror(&m, "https://www.data.gouv.fr/api/1/datasets/r/942d?x=1&y=a%20b").expect("apply"),
            "http://127.0.0.1:8080/api/1/datasets/r/942d?x=1&y=a%20b"
        );
        let m = parse_mirror("https://mirror.example.org/fracture/").expect("mirror with prefix");
        assert_eq!(
            apply_mirror(&m, "https://www.insee.fr/fr/statistiques/fichier/1/a.zip").expect("apply"),
            "https://mirror.example.org/fracture/fr/statistiques/fichier/1/a.zip"
        );
        assert!(parse_mirror("ftp://x").is_err());
        assert!(parse_mirror("not a url").is_err());
        assert!(parse_mirror("http://h/?q=1").is_err());
    }
}
