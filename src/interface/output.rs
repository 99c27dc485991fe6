//! One output policy, applied once: data on stdout, progress and logs on stderr; `--color`,
//! `NO_COLOR`, `TERM=dumb` and non-terminal streams honoured; `--json` as one document on stdout.

use std::borrow::Cow;
use std::io::{self, BufWriter, Read, StdoutLock, Write};

use console::Style;
use serde_json::Value;

use crate::domain::secrets::redact::scrub;
use crate::interface::cli::global_args::{ColorChoice, GlobalArgs};
// Errors, warnings and -v lines quote provider and task text: never let it drive the terminal.
// Results and progress may hold our own colours (SGR) and nothing else.
use crate::domain::sanitize::{keep_colours, visible};

/// `eprintln!` that never panics: a closed stderr (`2>&1 | head`) loses the line, nothing more.
macro_rules! err_line {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: bool,
    pub color_out: bool,
    pub color_err: bool,
    /// stderr is a terminal that can animate (spinners).
    pub animate: bool,
}

fn color_allowed(choice: ColorChoice, is_term: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_term && !crate::domain::env_vars::no_color() && !crate::domain::env_vars::dumb_term()
        }
    }
}

impl Output {
    #[must_use]
    pub fn new(args: &GlobalArgs) -> Self {
        let out_term = console::Term::stdout().is_term();
        let err_term = console::Term::stderr().is_term();
        Output {
            json: args.json,
            quiet: args.quiet,
            verbose: args.verbose,
            color_out: color_allowed(args.color, out_term),
            color_err: color_allowed(args.color, err_term),
            animate: err_term
                && !crate::domain::env_vars::dumb_term()
                && !crate::domain::env_vars::is_ci(),
        }
    }

    /// A line of the command's result, on stdout (suppressed under `--json`).
    pub fn data(&self, text: &str) {
        if !self.json {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", scrub(&keep_colours(text)));
        }
    }

    /// Progress and context, on stderr (suppressed by `-q`).
    pub fn info(&self, text: &str) {
        if !self.quiet {
            err_line!("{}", scrub(&keep_colours(text)));
        }
    }

    /// Details shown with `-v`.
    pub fn debug(&self, text: &str) {
        if self.verbose {
            err_line!("{}", self.dim_err(&scrub(&visible(text))));
        }
    }

    pub fn warn(&self, text: &str) {
        let label = self.paint_err(Style::new().yellow().bold(), "warning:");
        err_line!("{label} {}", scrub(&visible(text)));
    }

    pub fn error(&self, err: &crate::domain::error::Error) {
        let label = self.paint_err(Style::new().red().bold(), "error:");
        err_line!("{label} {}", scrub(&visible(&err.message)));
        if let Some(hint) = &err.hint {
            let label = self.paint_err(Style::new().cyan(), "hint:");
            err_line!("{label} {}", scrub(&visible(hint)));
        }
    }

    /// The one JSON document of a `--json` run, with `"schema": 1` first.
    pub fn json_doc(&self, value: Value) {
        let text = self.json_text(value);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// The text of the one JSON document, as [`Output::json_doc`] prints it (without the line end).
    #[must_use]
    pub fn json_text(&self, mut value: Value) -> String {
        if let Value::Object(map) = &mut value {
            let mut with_schema = serde_json::Map::new();
            with_schema.insert("schema".into(), Value::from(1));
            for (k, v) in std::mem::take(map) {
                with_schema.insert(k, v);
            }
            *map = with_schema;
        }
        let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into());
        scrub(&crate::domain::sanitize::json_escaped(&text))
    }

    #[must_use]
    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color_out {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    #[must_use]
    pub fn paint_err(&self, style: Style, text: &str) -> String {
        if self.color_err {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    #[must_use]
    pub fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    #[must_use]
    pub fn green(&self, text: &str) -> String {
        self.paint(Style::new().green(), text)
    }

    #[must_use]
    pub fn red(&self, text: &str) -> String {
        self.paint(Style::new().red().bold(), text)
    }

    #[must_use]
    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dim(), text)
    }

    fn dim_err(&self, text: &str) -> String {
        self.paint_err(Style::new().dim(), text)
    }
}

/// Lays out rows as aligned columns (the first row is the header).
#[must_use]
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| console::measure_text_width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let pad = widths[c] - console::measure_text_width(cell);
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// A listing's bytes on stdout through one buffered writer (a `write(2)` per 256 KiB, not per
/// line), with registered secrets scrubbed as [`scrub`] would, without a lock per line.
pub struct Listing {
    out: BufWriter<StdoutLock<'static>>,
    secrets: Vec<memchr::memmem::Finder<'static>>,
}

impl Default for Listing {
    fn default() -> Self {
        Self::new()
    }
}

impl Listing {
    #[must_use]
    pub fn new() -> Self {
        Listing {
            out: BufWriter::with_capacity(256 * 1024, std::io::stdout().lock()),
            secrets: crate::domain::secrets::redact::registered()
                .into_iter()
                .map(|s| memchr::memmem::Finder::new(s.as_bytes()).into_owned())
                .collect(),
        }
    }

    /// `bytes` with every registered secret replaced by `***` (longest first).
    #[must_use]
    pub fn scrubbed<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let mut text = Cow::Borrowed(bytes);
        for secret in &self.secrets {
            if secret.find(&text).is_none() {
                continue;
            }
            let mut out = Vec::with_capacity(text.len());
            let mut last = 0;
            for at in secret.find_iter(&text) {
                out.extend_from_slice(&text[last..at]);
                out.extend_from_slice(b"***");
                last = at + secret.needle().len();
            }
            out.extend_from_slice(&text[last..]);
            text = Cow::Owned(out);
        }
        text
    }

    /// Writes `bytes`, scrubbed.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let clean = self.scrubbed(bytes);
        self.out.write_all(&clean)
    }

    /// Copies `from` as it is (already scrubbed: a spool of this listing).
    pub fn copy(&mut self, from: &mut impl Read) -> io::Result<u64> {
        io::copy(from, &mut self.out)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The terminal renders the log port: `-v` details dimmed, warnings as every warning is.
impl crate::ports::log::Log for Output {
    fn debug(&self, text: &str) {
        Output::debug(self, text);
    }

    fn warn(&self, text: &str) {
        Output::warn(self, text);
    }

    fn verbose(&self) -> bool {
        self.verbose
    }
}
