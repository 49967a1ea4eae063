//! The lookups of one run, shared: a question (name and type) asked while the same one is in
//! flight, or after it was answered, gets that answer instead of a query of its own, so 1,000
//! domains that include `spf.protection.outlook.com` ask it once. The first asker's lookup
//! answers everyone; should that asker stop waiting (its domain's `--deadline`), the next one
//! waiting asks in its place, so nobody waits on a lookup that no one is driving. Async; wraps
//! any [`DnsSource`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt};
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::OnceCell;

use super::DnsSource;
use crate::answers::{Answer, LookupState, Rdata, RecordKind};

/// Answers kept for a run at most, estimated in bytes: the answers of ordinary domains for
/// about 200,000 questions. Past it an answer still reaches everyone who waited for it, but a
/// later question asks again, so hostile servers' large answers cannot make the run grow.
pub const REMEMBERED_BYTES: usize = 64 << 20;

type Question = (String, RecordKind);
/// A question's answer: being looked up until it is set.
type Cell = Arc<OnceCell<Answer>>;

/// `inner`, each question asked once per run.
pub struct SharedLookups {
    inner: Arc<dyn DnsSource>,
    book: Arc<Mutex<Book>>,
}

/// The questions asked so far (answered or not) and the bytes their answers take.
#[derive(Default)]
struct Book {
    asked: HashMap<Question, Cell>,
    bytes: usize,
}

impl SharedLookups {
    pub fn new(inner: Arc<dyn DnsSource>) -> Self {
        Self { inner, book: Arc::default() }
    }

    /// The same run's questions, asked (when nobody has yet) through `inner`: for a thread
    /// of the run that asks through sockets of its own. A question one thread is asking is
    /// answered to the other's askers too.
    pub fn alongside(&self, inner: Arc<dyn DnsSource>) -> Self {
        Self { inner, book: Arc::clone(&self.book) }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cell of the question, in flight or answered; a new one when it is neither.
    fn cell(&self, name: &str, kind: RecordKind) -> Cell {
        let mut book = self.book();
        let question = (name.to_owned(), kind);
        Arc::clone(book.asked.entry(question).or_default())
    }

    async fn ask(&self, name: &str, kind: RecordKind) -> Answer {
        let cell = self.cell(name, kind);
        let mut asked_here = false;
        let answer = cell
            .get_or_init(|| {
                asked_here = true;
                self.look_up(name, kind)
            })
            .await;
        if asked_here {
            self.book().keep(&(name.to_owned(), kind), answer);
        }
        answer.clone()
    }

    /// The lookup itself. On a runtime of several workers (the UI's) it runs as a task of its
    /// own, so that every worker sends and parses; on one thread (the CLI's) it runs where it
    /// is asked, and a task would only add its cost.
    fn look_up<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        if Handle::current().runtime_flavor() != RuntimeFlavor::MultiThread {
            return self.inner.lookup(name, kind);
        }
        let (inner, owned) = (Arc::clone(&self.inner), name.to_owned());
        let task = tokio::spawn(async move { inner.lookup(&owned, kind).await });
        async move {
            task.await.unwrap_or_else(|e| {
                let state = LookupState::Error(format!("the lookup stopped: {e}"));
                Answer::now(name, kind, state, self.inner.describe())
            })
        }
        .boxed()
    }
}

impl Book {
    /// Counts an answer against [`REMEMBERED_BYTES`], forgetting it when over.
    fn keep(&mut self, question: &Question, answer: &Answer) {
        let size = size_of_answer(answer);
        if self.bytes + size > REMEMBERED_BYTES {
            self.asked.remove(question);
        } else {
            self.bytes += size;
        }
    }
}

/// An estimate of what an answer holds in memory: its texts and a fixed part per record.
fn size_of_answer(answer: &Answer) -> usize {
    const FIXED: usize = 256;
    let record = |r: &Rdata| {
        48 + match r {
            Rdata::Txt(t) => t.0.len(),
            Rdata::Cname(n) | Rdata::Ns(n) | Rdata::Mx { exchange: n, .. } => n.len(),
            Rdata::Other { kind, text } => kind.len() + text.len(),
            Rdata::A(_) | Rdata::Aaaa(_) => 0,
        }
    };
    let mut size = FIXED + answer.name.len() + answer.server.len();
    size += answer.records().iter().map(record).sum::<usize>();
    size += answer.cname_chain.iter().map(String::len).sum::<usize>();
    if let LookupState::ServerError(text) | LookupState::Error(text) = &answer.state {
        size += text.len();
    }
    size + answer.disagreeing.iter().map(size_of_answer).sum::<usize>()
}

impl DnsSource for SharedLookups {
    fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
        self.ask(name, kind).boxed()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Counts the questions that reach it; answers each after a tick, as a server would.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl DnsSource for Counting {
        fn lookup<'a>(&'a self, name: &'a str, kind: RecordKind) -> BoxFuture<'a, Answer> {
            self.0.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::task::yield_now().await;
                Answer::now(name, kind, LookupState::NoData, "counting".into())
            }
            .boxed()
        }

        fn describe(&self) -> String {
            "counting".to_owned()
        }
    }

    /// A run whose first question was asked by a hundred at once, each answered, one lookup.
    async fn asked_by_a_hundred() -> (Arc<Counting>, SharedLookups) {
        let counting = Arc::new(Counting::default());
        let shared = SharedLookups::new(counting.clone());
        let many = (0..100).map(|_| shared.lookup("spf.example.test", RecordKind::Txt));
        let answers = futures::future::join_all(many).await;
        assert!(answers.iter().all(|a| a.state == LookupState::NoData));
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
        (counting, shared)
    }

    #[tokio::test]
    async fn a_question_asked_by_many_at_once_and_later_reaches_the_server_once() {
        let (counting, shared) = asked_by_a_hundred().await;
        shared.lookup("spf.example.test", RecordKind::Txt).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
        shared.lookup("spf.example.test", RecordKind::Mx).await;
        shared.lookup("SPF.example.test", RecordKind::Txt).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 3, "another type or spelling is asked");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_several_workers_too_a_question_reaches_the_server_once() {
        asked_by_a_hundred().await;
    }

    #[tokio::test]
    async fn lookups_alongside_get_the_answers_in_and_ask_the_rest_through_their_own_source() {
        let (counting, shared) = asked_by_a_hundred().await;
        let own = Arc::new(Counting::default());
        let alongside = shared.alongside(own.clone());
        alongside.lookup("spf.example.test", RecordKind::Txt).await;
        alongside.lookup("mx.example.test", RecordKind::Mx).await;
        shared.lookup("mx.example.test", RecordKind::Mx).await;
        let asked = (counting.0.load(Ordering::SeqCst), own.0.load(Ordering::SeqCst));
        assert_eq!(asked, (1, 1));
    }

    #[tokio::test]
    async fn when_the_asker_gives_up_the_next_one_waiting_asks_in_its_place() {
        let counting = Arc::new(Counting::default());
        let shared = SharedLookups::new(counting.clone());
        let mut first = shared.lookup("a.example.test", RecordKind::Txt);
        assert!((&mut first).now_or_never().is_none());
        let waiting = shared.lookup("a.example.test", RecordKind::Txt);
        drop(first);
        let answer = waiting.await;
        assert_eq!((answer.state, counting.0.load(Ordering::SeqCst)), (LookupState::NoData, 2));
        shared.lookup("a.example.test", RecordKind::Txt).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 2, "answered: not asked again");
    }

    #[test]
    fn answers_past_the_budget_are_not_kept() {
        let mut book = Book { bytes: REMEMBERED_BYTES - 10, ..Book::default() };
        let question = ("big.example.test".to_owned(), RecordKind::Txt);
        book.asked.insert(question.clone(), Cell::default());
        let answer = Answer::now(&question.0, question.1, LookupState::NoData, "x".into());
        book.keep(&question, &answer);
        assert!(book.asked.is_empty());
        assert_eq!(book.bytes, REMEMBERED_BYTES - 10);
    }
}
