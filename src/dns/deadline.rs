//! A [`DnsSource`] with an overall deadline: every lookup still running when it passes ends as
//! a timeout, and every lookup asked after it ends at once as one. What a domain's assessment
//! has not learnt by then is unknown, never "no record". Async; wraps any source.

use futures::future::{BoxFuture, FutureExt};
use tokio::time::{Duration, Instant, timeout_at};

use super::DnsSource;
use crate::answers::{Answer, LookupState, RecordKind};

/// `inner`, until `until`.
pub struct Deadline<'s> {
    inner: &'s dyn DnsSource,
    until: Instant,
}

impl<'s> Deadline<'s> {
    /// A deadline `after` from now.
    pub fn after(inner: &'s dyn DnsSource, after: Duration) -> Self {
        Self { inner, until: Instant::now() + after }
    }
}

impl DnsSource for Deadline<'_> {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        async move {
            if let Ok(answer) = timeout_at(self.until, self.inner.lookup(name, kind)).await {
                return answer;
            }
            let server = format!("{} (the --deadline had passed)", self.inner.describe());
            Answer::now(name, kind, LookupState::Timeout, server)
        }
        .boxed()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}
