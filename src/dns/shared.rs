//! The lookups of one run, shared: a question (name and type) asked while the same one is in
//! flight, or after it was answered, gets that answer instead of a query of its own, so 1,000
//! domains that include `spf.protection.outlook.com` ask it once. Each question runs as a task
//! of its own, so a domain that stops waiting (its `--deadline`) does not stop it for the
//! others, and it always ends (the lookup's own timeout). Async; wraps any [`DnsSource`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt, Shared};

use super::DnsSource;
use crate::answers::{Answer, LookupState, Rdata, RecordKind};

/// Answers kept for a run at most, estimated in bytes: the answers of ordinary domains for
/// about 200,000 questions. Past it an answer still reaches everyone who waited for it, but a
/// later question asks again, so hostile servers' large answers cannot make the run grow.
pub const REMEMBERED_BYTES: usize = 64 << 20;

type Question = (String, RecordKind);
type Pending = Shared<BoxFuture<'static, Answer>>;

/// `inner`, each question asked once per run.
pub struct SharedLookups {
    inner: Arc<dyn DnsSource>,
    book: Arc<Mutex<Book>>,
}

/// The questions asked so far (answered or not) and the bytes their answers take.
#[derive(Default)]
struct Book {
    asked: HashMap<Question, Pending>,
    bytes: usize,
}

impl SharedLookups {
    pub fn new(inner: Arc<dyn DnsSource>) -> Self {
        Self { inner, book: Arc::default() }
    }

    /// The answer to the question, in flight or in hand; asked now when it is neither.
    fn pending(&self, name: &str, kind: RecordKind) -> Pending {
        let question = (name.to_owned(), kind);
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pending) = book.asked.get(&question) {
            return pending.clone();
        }
        let pending = self.ask(question.clone());
        book.asked.insert(question, pending.clone());
        pending
    }

    fn ask(&self, question: Question) -> Pending {
        let (inner, book) = (Arc::clone(&self.inner), Arc::clone(&self.book));
        let (name, kind) = question.clone();
        let task = tokio::spawn(async move {
            let answer = inner.lookup(&question.0, question.1).await;
            book.lock().unwrap_or_else(PoisonError::into_inner).keep(&question, &answer);
            answer
        });
        let server = self.inner.describe();
        async move {
            task.await.unwrap_or_else(|e| {
                let state = LookupState::Error(format!("the lookup stopped: {e}"));
                Answer::now(&name, kind, state, server)
            })
        }
        .boxed()
        .shared()
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
        // Looked up in the book on the first poll, inside the runtime the task is spawned on.
        async move { self.pending(name, kind).await }.boxed()
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

    #[tokio::test]
    async fn a_question_asked_by_many_at_once_and_later_reaches_the_server_once() {
        let counting = Arc::new(Counting::default());
        let shared = SharedLookups::new(counting.clone());
        let many = (0..100).map(|_| shared.lookup("spf.example.test", RecordKind::Txt));
        let answers = futures::future::join_all(many).await;
        assert!(answers.iter().all(|a| a.state == LookupState::NoData));
        shared.lookup("spf.example.test", RecordKind::Txt).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 1);
        shared.lookup("spf.example.test", RecordKind::Mx).await;
        shared.lookup("SPF.example.test", RecordKind::Txt).await;
        assert_eq!(counting.0.load(Ordering::SeqCst), 3, "another type or spelling is asked");
    }

    #[tokio::test]
    async fn a_question_whose_only_asker_gave_up_is_still_answered_for_the_next() {
        let counting = Arc::new(Counting::default());
        let shared = SharedLookups::new(counting.clone());
        let gave_up = shared.lookup("a.example.test", RecordKind::Txt);
        assert!(gave_up.now_or_never().is_none());
        let answer = shared.lookup("a.example.test", RecordKind::Txt).await;
        assert_eq!((answer.state, counting.0.load(Ordering::SeqCst)), (LookupState::NoData, 1));
    }

    #[test]
    fn answers_past_the_budget_are_not_kept() {
        let mut book = Book { bytes: REMEMBERED_BYTES - 10, ..Book::default() };
        let question = ("big.example.test".to_owned(), RecordKind::Txt);
        let pending = futures::future::ready(Answer::now(
            &question.0,
            question.1,
            LookupState::NoData,
            "x".into(),
        ))
        .boxed()
        .shared();
        book.asked.insert(question.clone(), pending);
        let answer = Answer::now(&question.0, question.1, LookupState::NoData, "x".into());
        book.keep(&question, &answer);
        assert!(book.asked.is_empty());
        assert_eq!(book.bytes, REMEMBERED_BYTES - 10);
    }
}
