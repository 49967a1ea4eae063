//! Where in a zone file the parser stopped. hickory's zone parser says what is wrong but not
//! where, so the text is cut into entries (one line, or the lines a `( … )` group or a quoted
//! string spans) and the first entry after which the text fails the same way is found by
//! bisection: every shorter cut holds only whole entries that parse. Pure.

/// Where an entry starts: 1-based line, and the column (in characters) of its first
/// non-blank character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One entry: where it starts, and the byte just past its last line.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    at: Position,
    end: usize,
}

/// The start of the first entry whose text, with everything before it, `fails_alike`; `None`
/// when the text fails that way with no entry at all (a missing `$ORIGIN`) or never does.
pub fn locate(text: &str, fails_alike: impl Fn(&str) -> bool) -> Option<Position> {
    if fails_alike("") {
        return None;
    }
    let entries = entries(text);
    let first = entries.partition_point(|entry| !fails_alike(&text[..entry.end]));
    entries.get(first).map(|entry| entry.at)
}

/// The entries of a zone file, as RFC 1035 §5.1 groups lines: a line break inside `( … )` or a
/// quoted string continues the entry; `;` starts a comment outside quotes; `\` escapes the
/// next character.
fn entries(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let (mut depth, mut quoted, mut comment, mut escaped) = (0_usize, false, false, false);
    let (mut line, mut start, mut start_line) = (1, 0, 1);
    for (i, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
            comment = false;
        }
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\n' if depth == 0 && !quoted => {
                entries.push(entry(text, start, start_line, i + 1));
                (start, start_line) = (i + 1, line);
            }
            _ if comment => {}
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            _ if quoted => {}
            ';' => comment = true,
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if start < text.len() {
        entries.push(entry(text, start, start_line, text.len()));
    }
    entries
}

fn entry(text: &str, start: usize, line: usize, end: usize) -> Entry {
    let first_line = text[start..end].lines().next().unwrap_or_default();
    let blank = first_line.chars().take_while(|c| c.is_whitespace()).count();
    let column = if blank == first_line.chars().count() { 1 } else { blank + 1 };
    Entry { at: Position { line, column }, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<(usize, usize)> {
        entries(text).iter().map(|e| (e.at.line, e.at.column)).collect()
    }

    #[test]
    fn a_parenthesised_group_a_quoted_line_break_and_an_escape_continue_the_entry() {
        let text = "$ORIGIN a.test.\n@ SOA ns h. (\n 1 ; serial (\n 2 3 4 5 )\n  x TXT \"a\nb\" \\\"\nc TXT \"(\"\n";
        assert_eq!(starts(text), [(1, 1), (2, 1), (5, 3), (7, 1)]);
    }

    #[test]
    fn the_first_entry_that_fails_is_found_and_a_failure_without_entries_has_no_place() {
        let text = "ok\nok\nbad\nok\nbad";
        let fails = |prefix: &str| prefix.contains("bad");
        assert_eq!(locate(text, fails), Some(Position { line: 3, column: 1 }));
        assert_eq!(locate(text, |_| true), None);
        assert_eq!(locate(text, |_| false), None);
    }
}
