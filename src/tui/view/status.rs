//! The status bar: the last notice, where lookups go, when the screen was refreshed, lookups
//! in flight, and the help key. On a narrow screen whole parts give way, least needed first;
//! a notice too long for the row keeps its first whole words and points to the log (`l`),
//! which has it in full. Pure apart from the frame's buffer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::{App, wrap};
use crate::text::escape;

const SEPARATOR: &str = " · ";
/// After a notice cut short: the log has it whole.
const MORE: &str = " … l: log";

pub(super) fn line(frame: &mut Frame, app: &App, area: Rect) {
    let text = compose(app, usize::from(area.width));
    frame.render_widget(Paragraph::new(text).style(Style::new().reversed()), area);
}

/// The bar's text for `width` cells. The notice answers the last key, so it comes first and
/// is kept before anything else; then the lookups in flight, then where they go, then when
/// the screen was refreshed. The help key is always there.
fn compose(app: &App, width: usize) -> String {
    let keys = if width >= 60 { "? help  q quit " } else { "? help " };
    let room = width.saturating_sub(wrap::width(keys) + 2);
    let notice = app.notice.as_deref().map(|n| escape(n).into_owned());
    let mut left: Vec<(usize, String)> = Vec::new();
    let mut used = 0;
    if let Some(notice) = notice {
        let shown = whole_words(&notice, room);
        used += wrap::width(&shown);
        left.push((0, shown));
    }
    let flying = app.in_flight();
    let refreshed = app.status.last_refresh.as_deref().unwrap_or("never");
    // (where it is drawn, the part), most needed first; each fits whole or is left out.
    let parts = [
        (2, (flying > 0).then(|| format!("{flying} in flight"))),
        (1, Some(escape(&app.status.target).into_owned())),
        (3, Some(format!("refreshed {}", escape(refreshed)))),
    ];
    for (at, part) in parts.into_iter().filter_map(|(at, part)| Some((at, part?))) {
        let cost = wrap::width(&part) + if left.is_empty() { 0 } else { wrap::width(SEPARATOR) };
        if used + cost <= room {
            used += cost;
            left.push((at, part));
        }
    }
    left.sort_by_key(|(at, _)| *at);
    let text: Vec<String> = left.into_iter().map(|(_, part)| part).collect();
    let text = format!(" {}", text.join(SEPARATOR));
    let pad = width.saturating_sub(wrap::width(&text) + wrap::width(keys));
    format!("{text}{}{keys}", " ".repeat(pad))
}

/// `text` if it fits `room` cells; else its first whole words and ` … l: log`.
fn whole_words(text: &str, room: usize) -> String {
    if wrap::width(text) <= room {
        return text.to_owned();
    }
    let mut kept = String::new();
    for word in text.split(' ') {
        let next = if kept.is_empty() { word.to_owned() } else { format!("{kept} {word}") };
        if wrap::width(&next) + wrap::width(MORE) > room {
            break;
        }
        kept = next;
    }
    let kept = kept.trim_end_matches([',', ';', ':', '·', ' ']);
    format!("{kept}{MORE}").trim_start().to_owned()
}
