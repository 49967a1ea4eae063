//! One limit on the queries in flight for a whole run, shared by every domain's lookups. As a
//! TCP sender finds a path's capacity, it starts low and doubles while answers come clean,
//! halves when the server shows strain (SERVFAIL, REFUSED, timeouts: what a rate-limiting
//! resolver sends) and from then on climbs back by a quarter at a time. Async; wraps any
//! [`DnsSource`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::{BoxFuture, FutureExt};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::DnsSource;
use crate::answers::{Answer, LookupState, RecordKind};

/// Queries in flight at most, unless `--max-inflight` says otherwise: at a round trip of
/// 50 ms, a thousand domains (8,000 questions) are asked in under a second.
pub const DEFAULT_MAX_INFLIGHT: usize = 2048;
/// Queries in flight when a run starts (or the maximum, when lower); more only once the
/// server has answered as many cleanly.
pub const START_INFLIGHT: usize = 256;
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
    /// Doubling at each clean window, until the server first strains.
    climbing: bool,
}

impl Paced {
    /// At most `max_inflight` (at least 1) queries in flight, fewer while the server strains.
    pub fn new(inner: Arc<dyn DnsSource>, max_inflight: usize) -> Self {
        let max = max_inflight.max(1);
        let limit = START_INFLIGHT.min(max);
        let control = Control {
            max,
            floor: FLOOR.min(max),
            limit,
            answered: 0,
            strained: 0,
            owed: 0,
            climbing: true,
        };
        let pacer = Pacer { permits: Semaphore::new(limit), control: Mutex::new(control) };
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

    /// Counts one answer; at the end of a window, halves the limit when the server strained, and
    /// when it did not at all doubles it (until the first strain) or raises it by a quarter.
    fn judge(&self, strained: bool) {
        let mut c = self.control();
        c.answered += 1;
        c.strained += usize::from(strained);
        if c.answered < c.limit.max(MIN_WINDOW) {
            return;
        }
        let limit = if c.strained * STRAIN_ONE_IN >= c.answered {
            c.climbing = false;
            (c.limit / 2).max(c.floor)
        } else if c.strained == 0 {
            let step = if c.climbing { c.limit } else { c.limit.div_ceil(4) };
            (c.limit + step).min(c.max)
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

    /// Answers every question at once with the state it is set to.
    struct Fixed(Mutex<LookupState>);

    impl Fixed {
        fn new(state: LookupState) -> Self {
            Self(Mutex::new(state))
        }

        fn set(&self, state: LookupState) {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = state;
        }
    }

    impl DnsSource for Fixed {
        fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
            let state = self.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
            futures::future::ready(Answer::now(name, kind, state, "fixed".into())).boxed()
        }

        fn describe(&self) -> String {
            "fixed".to_owned()
        }
    }

    fn paced(state: LookupState, max: usize) -> Paced {
        Paced::new(Arc::new(Fixed::new(state)), max)
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
        let second = first.alongside(Arc::new(Fixed::new(LookupState::NoData)));
        let held: Vec<SemaphorePermit<'_>> =
            (0..2).filter_map(|_| first.pacer.permits.try_acquire().ok()).collect();
        assert!(second.lookup("example.test", RecordKind::Txt).now_or_never().is_none());
        drop(held);
        assert!(second.lookup("example.test", RecordKind::Txt).now_or_never().is_some());
    }

    #[tokio::test]
    async fn a_run_starts_low_and_doubles_while_clean_then_climbs_by_quarters_after_a_strain() {
        let server = Arc::new(Fixed::new(LookupState::NoData));
        let paced = Paced::new(server.clone(), 2048);
        let mut limits = vec![paced.limit()];
        for answers in [256, 512] {
            ask_times(&paced, answers).await;
            limits.push(paced.limit());
        }
        server.set(LookupState::Timeout);
        ask_times(&paced, 1024).await;
        limits.push(paced.limit());
        server.set(LookupState::NoData);
        ask_times(&paced, 512).await;
        limits.push(paced.limit());
        assert_eq!(limits, [START_INFLIGHT, 512, 1024, 512, 640]);
        assert_eq!(paced.pacer.permits.available_permits(), 640);
    }
}
