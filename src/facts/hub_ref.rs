//! Function-hub references: `hub://[<source>/]<name>[:<tag>]`.

/// A parsed `hub://` URL. A reference with no tag resolves the hub's `latest`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HubRef {
    pub url: String,
    pub name: String,
    pub tag: Option<String>,
}

impl HubRef {
    /// Parses a `hub://` URL; `None` for anything else.
    pub fn parse(url: &str) -> Option<Self> {
        let url = url.trim();
        let rest = url.strip_prefix("hub://")?;
        let name_and_tag = rest.rsplit('/').next().unwrap_or(rest);
        let (name, tag) = match name_and_tag.split_once(':') {
            Some((name, tag)) if !tag.is_empty() => (name, Some(tag.to_string())),
            Some((name, _)) => (name, None),
            None => (name_and_tag, None),
        };
        if name.is_empty() {
            return None;
        }
        Some(Self {
            url: url.to_string(),
            name: name.to_string(),
            tag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_source_name_and_tag() {
        let r = HubRef::parse("hub://describe").unwrap();
        assert_eq!((r.name.as_str(), r.tag), ("describe", None));
        let r = HubRef::parse("hub://mysource/describe:1.2.0").unwrap();
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref()),
            ("describe", Some("1.2.0"))
        );
        assert_eq!(HubRef::parse("db://p/f"), None);
        assert_eq!(HubRef::parse("hub://"), None);
    }
}
