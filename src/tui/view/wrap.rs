//! Word wrapping done here rather than by the paragraph, so a pane knows exactly how many rows
//! each line takes: it can then drop what matters least, or scroll to a row, without guessing.
//! Pure.

use ratatui::text::{Line, Span};

/// Display width of `text` in terminal cells.
pub(super) fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// `line` broken into rows of at most `room` cells, at spaces where it can be (a word longer
/// than a row is split); styles are kept. A continuation row does not start with spaces.
pub(super) fn wrap(line: &Line<'static>, room: usize) -> Vec<Line<'static>> {
    let room = room.max(1);
    let mut rows = vec![Vec::<Span<'static>>::new()];
    let mut used = 0;
    for span in &line.spans {
        for token in tokens(&span.content) {
            let blank = token.trim().is_empty();
            let token_width = width(token);
            if used > 0 && used + token_width > room {
                if blank {
                    continue;
                }
                rows.push(Vec::new());
                used = 0;
            }
            if used == 0 && blank && rows.len() > 1 {
                continue;
            }
            for piece in split_to_fit(token, room - used, room) {
                if used > 0 && used + width(&piece) > room {
                    rows.push(Vec::new());
                    used = 0;
                }
                used += width(&piece);
                if let Some(row) = rows.last_mut() {
                    row.push(Span::styled(piece, span.style));
                }
            }
        }
    }
    rows.into_iter().map(|spans| Line::from(spans).style(line.style)).collect()
}

/// Every line wrapped into `room` cells, in order.
pub(super) fn wrap_all(lines: &[Line<'static>], room: usize) -> Vec<Line<'static>> {
    lines.iter().flat_map(|line| wrap(line, room)).collect()
}

/// Words and the runs of spaces between them, in order.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut blank = None;
    for (at, c) in text.char_indices() {
        let is_blank = c == ' ';
        if blank.is_some_and(|b| b != is_blank) {
            out.push(&text[start..at]);
            start = at;
        }
        blank = Some(is_blank);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `token` as one piece when it fits in a row, else split into pieces: the first filling the
/// `first` cells left on the current row, the rest `room` cells each.
fn split_to_fit(token: &str, first: usize, room: usize) -> Vec<String> {
    if width(token) <= room {
        return vec![token.to_owned()];
    }
    let mut pieces = vec![String::new()];
    let mut limit = if first == 0 { room } else { first };
    for c in token.chars() {
        let piece = pieces.last_mut().map_or(0, |p| width(p));
        if piece > 0 && piece + width(c.encode_utf8(&mut [0; 4])) > limit {
            pieces.push(String::new());
            limit = room;
        }
        if let Some(p) = pieces.last_mut() {
            p.push(c);
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str, room: usize) -> Vec<String> {
        wrap(&Line::raw(line.to_owned()), room).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn words_wrap_at_spaces_and_continuation_rows_start_with_a_word() {
        assert_eq!(texts("v=DMARC1; p=none; rua=x", 10), ["v=DMARC1; ", "p=none; ", "rua=x"]);
    }

    #[test]
    fn a_word_longer_than_a_row_starts_a_row_and_is_split() {
        assert_eq!(texts("ab abcdefghij", 5), ["ab ", "abcde", "fghij"]);
    }

    #[test]
    fn leading_indentation_stays_on_the_first_row() {
        assert_eq!(texts("  p: a → b", 20), ["  p: a → b"]);
    }

    #[test]
    fn an_empty_line_is_one_empty_row() {
        assert_eq!(texts("", 5), [""]);
    }
}
