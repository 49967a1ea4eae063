//! The domain list: which domains it shows (the text filter `/`, the mark filter `v`), in
//! which order (`s`), and moving the selection through it. The rules it orders and filters by
//! are the core's ([`crate::summary`]); this only applies them. Pure.

use super::App;
use crate::summary::{self, Mark, Tally};

/// A move of the selection in the domain list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Up,
    Down,
    First,
    Last,
}

impl App {
    /// Indices into [`App::domains`] of the domains the list shows, in its order.
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        let shown: Vec<usize> =
            (0..self.domains.len()).filter(|&i| self.matches(i, &needle)).collect();
        let rows: Vec<(&str, Option<&crate::advice::Advice>)> = shown
            .iter()
            .map(|&i| (self.domains[i].view.name.as_str(), self.domains[i].view.advice.as_deref()))
            .collect();
        self.order.arrange(&rows).into_iter().map(|at| shown[at]).collect()
    }

    /// The selected domain's index into [`App::domains`], unless the filters hide it.
    pub fn selected_index(&self) -> Option<usize> {
        (self.selected < self.domains.len()
            && self.matches(self.selected, &self.filter.to_lowercase()))
        .then_some(self.selected)
    }

    /// The counts over every domain, as `status` ends with them; a domain whose lookups have
    /// not landed yet counts as pending.
    pub fn tally(&self) -> Tally {
        self.domains.iter().map(|e| e.view.advice.as_deref()).collect()
    }

    /// Whether domain `index` passes the text filter (`needle`, lowercased) and the mark
    /// filter. A domain still being looked up carries no mark yet.
    fn matches(&self, index: usize, needle: &str) -> bool {
        let view = &self.domains[index].view;
        let marked = match (self.only, &view.advice) {
            (None, _) => true,
            (Some(mark), Some(advice)) => summary::wanted(advice, &[mark]),
            (Some(_), None) => false,
        };
        marked && (needle.is_empty() || view.name.to_lowercase().contains(needle))
    }

    pub(crate) fn move_in_list(&mut self, step: Step) {
        let rows = self.visible();
        let Some(last) = rows.len().checked_sub(1) else { return };
        let at = rows.iter().position(|&i| i == self.selected);
        let to = match (step, at) {
            (Step::First, _) | (Step::Up | Step::Down, None) => 0,
            (Step::Last, _) => last,
            (Step::Up, Some(at)) => at.saturating_sub(1),
            (Step::Down, Some(at)) => (at + 1).min(last),
        };
        self.select(rows[to]);
    }

    /// Selects the first domain the list shows.
    pub(crate) fn select_first(&mut self) {
        if let Some(&first) = self.visible().first() {
            self.select(first);
        }
    }

    fn select(&mut self, index: usize) {
        if index != self.selected {
            self.ladder_row = 0;
            self.finding_row = 0;
        }
        self.selected = index;
    }

    /// `s`: the next order; the selected domain stays selected.
    pub(crate) fn sort_next(&mut self) {
        self.order = self.order.next();
    }

    /// `v`: only the domains carrying the next mark (done, ready, …, overdue), then all again.
    pub(crate) fn only_next(&mut self) {
        let at = self.only.and_then(|m| Mark::ALL.iter().position(|&x| x == m));
        self.only = match at {
            None => Some(Mark::ALL[0]),
            Some(at) => Mark::ALL.get(at + 1).copied(),
        };
        if self.selected_index().is_none() {
            self.select_first();
        }
    }
}
