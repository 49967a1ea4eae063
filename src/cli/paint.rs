//! Colour for the CLI's human output: one decision ([`Paint::decide`]) and one style table
//! ([`style`]). Only the tool's own words are painted (severities, verdicts), never text from
//! DNS or a plan, so an escape sequence never lands inside escaped text.

use std::borrow::Cow;

use clap::ValueEnum;

/// `--color`: when the human output is coloured. The variants' docs are --help text, which
/// shows no markdown.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset or empty.
    #[default]
    Auto,
    /// Always, even into a pipe or with NO_COLOR set.
    Always,
    /// Never.
    Never,
}

/// Whether words are painted; passed to every writer of human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Paint {
    on: bool,
}

impl Paint {
    /// No colour (JSON, tests, anything not for a person's eyes).
    pub const OFF: Self = Self { on: false };

    /// The one decision: `always` and `never` as said; `auto` paints only a terminal and only
    /// when `NO_COLOR` (<https://no-color.org>) is unset or empty.
    pub fn decide(choice: ColorChoice, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> Self {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(std::ffi::OsStr::is_empty),
        };
        Self { on }
    }

    /// The word in its colour, when painting and the table has one; else as it is.
    pub fn word(self, word: &str) -> Cow<'_, str> {
        match style(word) {
            Some(sgr) if self.on => Cow::Owned(format!("\x1b[{sgr}m{word}\x1b[0m")),
            _ => Cow::Borrowed(word),
        }
    }
}

/// The decision for each stream: stdout and stderr may go to different places (`2>log`), so
/// `auto` asks about each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streams {
    pub out: Paint,
    pub err: Paint,
}

impl Streams {
    /// [`Paint::decide`] for stdout and for stderr.
    pub fn decide(choice: ColorChoice, no_color: Option<&std::ffi::OsStr>) -> Self {
        use std::io::IsTerminal as _;
        Self {
            out: Paint::decide(choice, std::io::stdout().is_terminal(), no_color),
            err: Paint::decide(choice, std::io::stderr().is_terminal(), no_color),
        }
    }
}

/// The style table: SGR parameters per word of the tool's own vocabulary.
fn style(word: &str) -> Option<&'static str> {
    Some(match word {
        "error" | "blocked" | "NOT READY" | "weakens" => "1;31",
        "warning" | "hold" | "unverified" => "33",
        "ready" | "done" => "32",
        "unknown" => "35",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_paints_a_terminal_only_without_no_color() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(Paint::decide(ColorChoice::Auto, true, None).on);
        assert!(Paint::decide(ColorChoice::Auto, true, empty).on);
        assert!(!Paint::decide(ColorChoice::Auto, true, set).on);
        assert!(!Paint::decide(ColorChoice::Auto, false, None).on);
        assert!(Paint::decide(ColorChoice::Always, false, set).on);
        assert!(!Paint::decide(ColorChoice::Never, true, None).on);
    }

    #[test]
    fn only_words_of_the_table_are_painted() {
        let on = Paint::decide(ColorChoice::Always, false, None);
        assert_eq!(on.word("error"), "\x1b[1;31merror\x1b[0m");
        assert_eq!(on.word("example.com"), "example.com");
        assert_eq!(Paint::OFF.word("error"), "error");
    }
}
