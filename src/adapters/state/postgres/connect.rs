//! Reaching the server: the URL from its variable (registered as a secret, never printed), the
//! refusal of what this build cannot do (TLS), the connection with its bounds, and the errors
//! a user reads, which name the store and its host:port, never the URL.

use std::time::Duration;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config, NoTls};

use crate::domain::error::{Error, Result};
use crate::domain::secrets::redact;

/// Where the store's documentation is, for hints.
pub const DOCS: &str = "docs/team.md, section PostgreSQL";

/// Where the store is, safe to print: `postgres ($VAR)` and the servers' host:port.
#[derive(Debug, Clone)]
pub struct Target {
    /// The variable holding the URL.
    pub var: String,
    /// `host:port` of each server the URL names (a Unix socket as its directory:port).
    pub servers: String,
}

impl Target {
    /// `postgres ($VAR)`: what [`crate::ports::state::Store::place`] answers.
    pub fn place(&self) -> String {
        format!("postgres (${})", self.var)
    }
}

/// Reads the URL from the variable `var`: unset or blank is a configuration error (exit 2).
pub fn url_from(var: &str) -> Result<String> {
    let raw = std::env::var_os(var).map(|v| v.to_string_lossy().into_owned());
    let raw = raw.unwrap_or_default();
    redact::register(&raw);
    if raw.trim().is_empty() {
        return Err(Error::usage(format!(
            "state: postgres reads its URL from the variable {var}, which is not set or empty; nothing was changed"
        ))
        .with_hint(format!(
            "export {var}=postgres://USER:PASSWORD@HOST:5432/DATABASE (or change state.url_env in stages.yaml; {DOCS})"
        )));
    }
    Ok(raw.trim().to_string())
}

/// Parses `url` (a `postgres://` URL or `key=value` words), registering its password (as
/// written and decoded) and the whole text as secrets first. Refuses `sslmode=require` and
/// `verify-*`: this build speaks no TLS, and falling back to plain text silently would send the
/// password in the clear.
pub fn parse(var: &str, url: &str) -> Result<(Config, Target)> {
    // The whole text and the password only: not the path (`/rollout`, a database name) as a
    // webhook URL's would be, which would hide that word in every path printed.
    redact::register(url);
    if let Some(password) = reqwest::Url::parse(url)
        .ok()
        .as_ref()
        .and_then(|u| u.password())
    {
        redact::register(password);
    }
    for mode in ["verify-ca", "verify-full"] {
        if url.contains(&format!("sslmode={mode}")) {
            return Err(tls_refused(var, &format!("sslmode={mode}")));
        }
    }
    let config: Config = url.parse().map_err(|e: tokio_postgres::Error| {
        Error::usage(format!(
            "the value of {var} is not a PostgreSQL connection URL: {}; nothing was changed",
            redact::scrub(&e.to_string())
        ))
        .with_hint(format!(
            "set {var} to postgres://USER:PASSWORD@HOST:5432/DATABASE ({DOCS})"
        ))
    })?;
    if let Some(password) = config.get_password() {
        redact::register(&String::from_utf8_lossy(password));
    }
    let target = Target {
        var: var.to_string(),
        servers: servers(&config),
    };
    if config.get_ssl_mode() == SslMode::Require {
        return Err(tls_refused(var, "sslmode=require"));
    }
    if config.get_hosts().is_empty() {
        return Err(Error::usage(format!(
            "the URL in {var} names no host; nothing was changed"
        ))
        .with_hint(format!(
            "set {var} to postgres://USER:PASSWORD@HOST:5432/DATABASE ({DOCS})"
        )));
    }
    Ok((config, target))
}

/// The refusal of a URL asking for TLS (`asked`: its sslmode), which this build cannot give.
fn tls_refused(var: &str, asked: &str) -> Error {
    Error::usage(format!(
        "postgres (${var}) asks for TLS ({asked}), which this build of rollout does not speak yet; nothing was changed"
    ))
    .with_hint(format!(
        "reach the server over a trusted network (loopback, a VPN, an SSH tunnel or a TLS proxy such as stunnel) and set sslmode=disable in {var} ({DOCS})"
    ))
}

/// `host:port` of each server the configuration names, comma separated.
fn servers(config: &Config) -> String {
    let ports = config.get_ports();
    let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
    let names: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| match host {
            Host::Tcp(name) => format!("{name}:{}", port(i)),
            Host::Unix(dir) => format!("{}:{}", dir.display(), port(i)),
        })
        .collect();
    redact::scrub(&names.join(","))
}

/// Connects within `bound` (the caller also bounds the whole call) and sets the session's own
/// bounds: statements, lock waits and idle transactions end on the server after `bound` too,
/// so a client that vanished mid-transaction holds no lock for longer than that.
pub async fn connect(config: &Config, bound: Duration) -> std::result::Result<Client, Fault> {
    let mut config = config.clone();
    config.connect_timeout(bound);
    config.keepalives_idle(Duration::from_secs(10));
    if config.get_application_name().is_none() {
        config.application_name("rollout");
    }
    let (client, connection) = config.connect(NoTls).await?;
    // The connection's I/O runs as its own task; its errors reach the client's calls.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let ms = bound.as_millis().max(1);
    client
        .batch_execute(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}; \
             SET idle_in_transaction_session_timeout = {ms}; SET TIME ZONE 'UTC'"
        ))
        .await?;
    Ok(client)
}

/// Why a call failed, before it is told to the user.
#[derive(Debug)]
pub enum Fault {
    /// The server or the connection to it.
    Pg(tokio_postgres::Error),
    /// A refusal decided here (a schema newer than this build).
    Refused(Error),
}

impl From<tokio_postgres::Error> for Fault {
    fn from(e: tokio_postgres::Error) -> Fault {
        Fault::Pg(e)
    }
}

impl Fault {
    /// Whether the connection is no longer usable (the next call connects again).
    pub fn breaks_connection(&self) -> bool {
        match self {
            Fault::Pg(e) => e.is_closed() || e.as_db_error().is_none(),
            Fault::Refused(_) => false,
        }
    }
}

/// The error a user reads for `fault` (exit 4 but for refusals decided here).
pub fn error(target: &Target, fault: Fault) -> Error {
    let e = match fault {
        Fault::Refused(e) => return e,
        Fault::Pg(e) => e,
    };
    let place = target.place();
    let at = &target.servers;
    let Some(db) = e.as_db_error() else {
        let said = redact::scrub(&e.to_string());
        let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed() || io {
            return unreachable(target, &said);
        }
        return Error::provider(format!("the state store {place} at {at} failed: {said}"))
            .with_hint(format!("see {DOCS}"));
    };
    let code = db.code().code();
    let said = redact::scrub(&format!("{} ({code})", db.message()));
    let (hint, permanent) = match &code[..2] {
        "28" => (
            format!("check the user and password in ${}", target.var),
            true,
        ),
        "3D" => (
            format!(
                "create the database, or name an existing one in ${}",
                target.var
            ),
            true,
        ),
        "42" if code == "42501" => (
            format!("the role needs CREATE on the database or on the schema it writes to ({DOCS})"),
            true,
        ),
        "57" | "08" | "53" => {
            return unreachable(target, &said);
        }
        _ => (format!("see {DOCS}"), false),
    };
    let mut err =
        Error::provider(format!("the state store {place} at {at} refused: {said}")).with_hint(hint);
    err.permanent = permanent;
    err
}

/// The store could not be reached or stopped answering (exit 4).
pub fn unreachable(target: &Target, cause: &str) -> Error {
    Error::provider(format!(
        "the state store {} at {} is unreachable: {cause}",
        target.place(),
        target.servers
    ))
    .with_hint(format!(
        "check that PostgreSQL runs at {} and that ${} names it; a record that was being written is found again by its id on the next try ({DOCS})",
        target.servers, target.var
    ))
}

/// The store did not answer within `bound` (exit 4).
pub fn timed_out(target: &Target, bound: Duration) -> Error {
    unreachable(
        target,
        &format!("no answer within {}", humantime::format_duration(bound)),
    )
}
