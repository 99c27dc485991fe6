//! This machine and process, as a lease holder names them (`alice on build-7 (pid 4242)`).

/// The host name (`unknown` when the system does not say), without control characters.
#[must_use]
pub fn name() -> String {
    // Linux's own answer (what `hostname` prints), else the file most systems keep it in.
    let raw = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|f| std::fs::read_to_string(f).ok())
        .unwrap_or_default();
    let name = crate::domain::gates::plain(&raw, 64);
    if name.is_empty() {
        "unknown".into()
    } else {
        name
    }
}

/// This process's id.
#[must_use]
pub fn pid() -> u32 {
    std::process::id()
}
