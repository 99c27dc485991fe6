//! A webhook that receives every recorded event.

/// Where the URL comes from: always an environment variable, because webhook URLs embed tokens
/// (a `url:` in stages.yaml is refused at validation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    /// The URL is read from this env var at send time.
    UrlEnv(String),
}

impl NotifyTarget {
    /// A name for this target that never shows the URL.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            NotifyTarget::UrlEnv(var) => format!("${var}"),
        }
    }
}
