//! One limit on the queries in flight for a whole run, shared by every domain's lookups, that
//! backs off when the server shows strain (SERVFAIL, REFUSED, timeouts: what a rate-limiting
//! resolver sends) and comes back as it recovers. Async; wraps any [`DnsSource`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::{BoxFuture, FutureExt};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::DnsSource;
use crate::answers::{Answer, LookupState, RecordKind};

/// Queries in flight at most, unless `--max-inflight` says otherwise.
pub const DEFAULT_MAX_INFLIGHT: usize = 256;
/// The most `--max-inflight` may ask for: each query in flight holds a socket.
pub const MAX_INFLIGHT_CEILING: usize = 4096;
/// The limit never backs off below this (or the maximum, when that is lower).
const FLOOR: usize = 4;
/// Answers judged together, at least: one failure among a handful says nothing.
const MIN_WINDOW: usize = 16;
/// A window where at least one answer in this many shows strain halves the limit.
const STRAIN_ONE_IN: usize = 10;

/// `inner`, with at most [`Paced::limit`] queries in flight.
pub struct Paced {
    inner: Arc<dyn DnsSource>,
    pacer: Arc<Pacer>,
}

/// The limit itself, which several sources may share ([`Paced::alongside`]).
struct Pacer {
    permits: Semaphore,
    control: Mutex<Control>,
}

/// The limit and the window of answers it is next judged on.
struct Control {
    max: usize,
    floor: usize,
    limit: usize,
    answered: usize,
    strained: usize,
    /// Permits to take out of use as they come back: the limit fell below what was in flight.
    owed: usize,
}

impl Paced {
    /// At most `max_inflight` (at least 1) queries in flight, fewer while the server strains.
    pub fn new(inner: Arc<dyn DnsSource>, max_inflight: usize) -> Self {
        let max = max_inflight.max(1);
        let control =
            Control { max, floor: FLOOR.min(max), limit: max, answered: 0, strained: 0, owed: 0 };
        let pacer = Pacer { permits: Semaphore::new(max), control: Mutex::new(control) };
        Self { inner, pacer: Arc::new(pacer) }
    }

    /// `inner` under this limit, its queries in flight counted with this source's: for a
    /// thread of the same run that asks through sockets of its own.
    pub fn alongside(&self, inner: Arc<dyn DnsSource>) -> Self {
        Self { inner, pacer: Arc::clone(&self.pacer) }
    }

    /// Queries allowed in flight now.
    pub fn limit(&self) -> usize {
        self.control().limit
    }

    fn control(&self) -> MutexGuard<'_, Control> {
        self.pacer.control.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn ask(&self, name: &str, kind: RecordKind) -> Answer {
        // The semaphore is never closed, so a permit always comes.
        let permit = self.pacer.permits.acquire().await.ok();
        let slot = Slot { paced: self, permit };
        let answer = self.inner.lookup(name, kind).await;
        self.judge(strains(&answer.state));
        drop(slot);
        answer
    }

    /// Counts one answer; at the end of a window, halves the limit when the server strained and
    /// raises it by a quarter when it did not at all.
    fn judge(&self, strained: bool) {
        let mut c = self.control();
        c.answered += 1;
        c.strained += usize::from(strained);
        if c.answered < c.limit.max(MIN_WINDOW) {
            return;
        }
        let limit = if c.strained * STRAIN_ONE_IN >= c.answered {
            (c.limit / 2).max(c.floor)
        } else if c.strained == 0 {
            (c.limit + c.limit.div_ceil(4)).min(c.max)
        } else {
            c.limit
        };
        (c.answered, c.strained) = (0, 0);
        self.resize(&mut c, limit);
    }

    fn resize(&self, c: &mut Control, limit: usize) {
        if limit < c.limit {
            let cut = c.limit - limit;
            c.owed += cut - self.pacer.permits.forget_permits(cut);
        } else {
            let grow = limit - c.limit;
            let repaid = grow.min(c.owed);
            c.owed -= repaid;
            self.pacer.permits.add_permits(grow - repaid);
        }
        c.limit = limit;
    }
}

/// A query's place in flight; given back when it ends, however it ends (a dropped lookup too).
struct Slot<'p> {
    paced: &'p Paced,
    permit: Option<SemaphorePermit<'p>>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut c = self.paced.control();
        if c.owed > 0
            && let Some(permit) = self.permit.take()
        {
            c.owed -= 1;
            permit.forget();
        }
    }
}

/// What a rate-limiting or overloaded server answers with.
fn strains(state: &LookupState) -> bool {
    match state {
        LookupState::Timeout => true,
        LookupState::ServerError(code) => {
            code.eq_ignore_ascii_case("SERVFAIL") || code.eq_ignore_ascii_case("REFUSED")
        }
        _ => false,
    }
}

impl DnsSource for Paced {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.ask(name, kind).boxed()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every question at once with the state it was built with.
    struct Fixed(LookupState);

    impl DnsSource for Fixed {
        fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
            futures::future::ready(Answer::now(name, kind, self.0.clone(), "fixed".into())).boxed()
        }

        fn describe(&self) -> String {
            "fixed".to_owned()
        }
    }

    fn paced(state: LookupState, max: usize) -> Paced {
        Paced::new(Arc::new(Fixed(state)), max)
    }

    async fn ask_times(paced: &Paced, times: usize) {
        for _ in 0..times {
            paced.lookup("example.test", RecordKind::Txt).await;
        }
    }

    #[tokio::test]
    async fn the_limit_halves_while_the_server_refuses_and_stops_at_the_floor() {
        let refusing = paced(LookupState::ServerError("REFUSED".into()), 64);
        ask_times(&refusing, 64).await;
        assert_eq!(refusing.limit(), 32);
        ask_times(&refusing, 1_000).await;
        assert_eq!(refusing.limit(), FLOOR);
        assert_eq!(refusing.pacer.permits.available_permits(), FLOOR);
    }

    #[tokio::test]
    async fn the_limit_comes_back_to_the_maximum_once_answers_are_clean() {
        let paced = paced(LookupState::NoData, 64);
        paced.resize(&mut paced.control(), FLOOR);
        ask_times(&paced, 1_000).await;
        assert_eq!(paced.limit(), 64);
        assert_eq!(paced.pacer.permits.available_permits(), 64);
    }

    #[tokio::test]
    async fn no_data_and_nxdomain_are_answers_not_strain() {
        for state in [LookupState::NoData, LookupState::NxDomain] {
            let paced = paced(state, 64);
            ask_times(&paced, 500).await;
            assert_eq!(paced.limit(), 64);
        }
    }

    #[tokio::test]
    async fn a_limit_cut_below_the_queries_in_flight_is_kept_as_they_come_back() {
        let paced = paced(LookupState::NoData, 8);
        let held: Vec<SemaphorePermit<'_>> =
            (0..8).filter_map(|_| paced.pacer.permits.try_acquire().ok()).collect();
        paced.resize(&mut paced.control(), FLOOR);
        assert_eq!(paced.control().owed, 4);
        for permit in held {
            drop(Slot { paced: &paced, permit: Some(permit) });
        }
        assert_eq!((paced.pacer.permits.available_permits(), paced.control().owed), (FLOOR, 0));
    }

    #[tokio::test]
    async fn sources_alongside_one_another_count_their_queries_against_one_limit() {
        let first = paced(LookupState::NoData, 2);
        let second = first.alongside(Arc::new(Fixed(LookupState::NoData)));
        let held: Vec<SemaphorePermit<'_>> =
            (0..2).filter_map(|_| first.pacer.permits.try_acquire().ok()).collect();
        assert!(second.lookup("example.test", RecordKind::Txt).now_or_never().is_none());
        drop(held);
        assert!(second.lookup("example.test", RecordKind::Txt).now_or_never().is_some());
    }
}
