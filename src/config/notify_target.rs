//! A webhook that receives every recorded event.

/// Where the URL comes from. URLs are treated as secrets either way (webhook URLs embed tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    /// The URL is read from this env var at send time.
    UrlEnv(String),
    /// The URL written in stages.yaml (only for URLs that hold no secret).
    Url(String),
}

impl NotifyTarget {
    /// A name for this target that never shows the URL.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            NotifyTarget::UrlEnv(var) => format!("${var}"),
            NotifyTarget::Url(url) => crate::redact::url(url),
        }
    }
}
