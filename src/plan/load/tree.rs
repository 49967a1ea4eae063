//! Plan text as a tree of TOML values with the place of each, built from `toml_parser`'s events
//! as they come: tables are short vectors of entries, not the B-trees `toml` builds, the events
//! are never stored, and the text is lexed and parsed a few thousand tokens at a time rather
//! than all at once. A plan of 10,000 domains takes a fraction of the memory and time `toml`'s
//! tree does, and its load is most of the TUI's first frame.
//!
//! Only plainly valid TOML is read this way. Anything else (a syntax error, a duplicate key, a
//! table defined twice, deep nesting, a table of hundreds of keys) is handed to `toml` itself,
//! whose tree is converted and whose error is the one reported, so what is valid, and every
//! message about what is not, stays `toml`'s. Pure.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::lexer::TokenKind;
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace, parse_document};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

/// How deep arrays and tables may nest, and how many parts a header's key may have: `toml`'s
/// own limit, so a hostile plan cannot exhaust the stack when the tree is dropped.
const MAX_DEPTH: u32 = 80;
/// Keys a table may have here, far more than a plan's tables hold: a key is looked for by
/// walking the table, so a hostile table of 100,000 keys is left to `toml`'s B-tree rather
/// than taking time that grows with its square.
const MAX_ENTRIES: usize = 256;

pub(crate) type Key<'i> = Spanned<Cow<'i, str>>;
pub(crate) type Value<'i> = Spanned<Node<'i>>;

/// A TOML value.
#[derive(Debug)]
pub(crate) enum Node<'i> {
    String(Cow<'i, str>),
    /// The digits as written (`1_000`, `-5`), in `radix`.
    Integer {
        digits: Cow<'i, str>,
        radix: u32,
    },
    /// The number as written.
    Float(Cow<'i, str>),
    Boolean(bool),
    Datetime(Datetime),
    Array(Array<'i>),
    Table(Table<'i>),
}

impl Node<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The type's name as TOML calls it (`toml`'s words).
    pub(crate) fn type_str(&self) -> &'static str {
        match self {
            Node::String(_) => "string",
            Node::Integer { .. } => "integer",
            Node::Float(_) => "float",
            Node::Boolean(_) => "boolean",
            Node::Datetime(_) => "datetime",
            Node::Array(_) => "array",
            Node::Table(_) => "table",
        }
    }
}

/// A table's entries in the order they were first written.
#[derive(Debug, Default)]
pub(crate) struct Table<'i> {
    entries: Vec<(Key<'i>, Value<'i>)>,
    /// Made as the parent of a header's table (`a` for `[a.b]`) and not defined itself (yet).
    implicit: bool,
    /// Made by a dotted key (`a.b = 1` makes `a`): closed to headers.
    dotted: bool,
    /// Written `{ … }`, or made by a dotted key inside one: closed to headers.
    inline: bool,
}

impl<'i> Table<'i> {
    pub(crate) fn get(&self, key: &str) -> Option<&Value<'i>> {
        self.entries.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Key<'i>, &Value<'i>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Takes the entry out of the table.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Value<'i>> {
        let index = self.position(key)?;
        Some(self.entries.remove(index).1)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.get_ref() == key)
    }

    /// Adds an entry; `None` when the key is already there.
    fn insert(&mut self, key: Key<'i>, value: Value<'i>) -> Option<()> {
        if self.position(key.get_ref()).is_some() {
            return None;
        }
        self.push(key, value).map(drop)
    }

    /// Where `key` is, added first with the value `node` makes when it is not there.
    fn find_or_add(&mut self, key: Key<'i>, node: impl FnOnce() -> Node<'i>) -> Option<usize> {
        self.position(key.get_ref()).or_else(|| {
            let span = key.span();
            self.push(key, Spanned::new(span, node()))
        })
    }

    /// Adds a new entry and says where; `None` past [`MAX_ENTRIES`].
    fn push(&mut self, key: Key<'i>, value: Value<'i>) -> Option<usize> {
        if self.entries.len() >= MAX_ENTRIES {
            return None;
        }
        self.entries.push((key, value));
        Some(self.entries.len() - 1)
    }
}

/// An array's items; `of_tables` when it was made by `[[…]]` headers.
#[derive(Debug, Default)]
pub(crate) struct Array<'i> {
    pub(crate) items: Vec<Value<'i>>,
    of_tables: bool,
}

/// The document's root table, or `toml`'s error: its message and where.
pub(crate) fn parse(text: &str) -> Result<Table<'_>, (String, Range<usize>)> {
    if let Some(root) = read(text) {
        return Ok(root);
    }
    match DeTable::parse(text) {
        Ok(root) => Ok(converted(root.into_inner())),
        Err(e) => Err((e.message().to_owned(), e.span().unwrap_or(0..0))),
    }
}

/// Tokens parsed at a time, at least: the buffer stays small enough to stay in the CPU's cache
/// and is reused, where the tokens of a whole 1 MB plan would take 12 MB of fresh memory.
const CHUNK_TOKENS: usize = 4096;

/// The tree, when the text is plainly valid TOML (see the module's note).
fn read(text: &str) -> Option<Table<'_>> {
    read_in_chunks(text, CHUNK_TOKENS)
}

/// [`read`], parsing the tokens in runs of at least `chunk` cut where a header (`[` at the
/// start of a line, outside any array or inline table) begins: where one expression has ended
/// and the next begins, so each run parses as the whole text would there. The lexer needs no
/// context (a string, even a multi-line one, is one token), so the brackets are all it takes.
fn read_in_chunks(text: &str, chunk: usize) -> Option<Table<'_>> {
    let source = Source::new(text);
    let mut builder = Builder::new(source);
    let mut errors: Option<ParseError> = None;
    {
        let mut whitespace = ValidateWhitespace::new(&mut builder, source);
        let mut guarded = RecursionGuard::new(&mut whitespace, MAX_DEPTH);
        let mut tokens = Vec::with_capacity(chunk * 2);
        let (mut depth, mut line_start) = (0usize, true);
        for token in source.lex() {
            let kind = token.kind();
            let header = kind == TokenKind::LeftSquareBracket && line_start && depth == 0;
            if header && tokens.len() >= chunk {
                parse_document(&tokens, &mut guarded, &mut errors);
                tokens.clear();
            }
            match kind {
                TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
                TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            line_start =
                kind == TokenKind::Newline || (line_start && kind == TokenKind::Whitespace);
            tokens.push(token);
        }
        parse_document(&tokens, &mut guarded, &mut errors);
    }
    let done = errors.is_none() && !builder.failed && builder.open.is_empty();
    done.then_some(builder.root)
}

/// Reads events into the tree in place; gives up (`failed`) at the first thing it does not
/// read as plainly valid.
struct Builder<'i> {
    source: Source<'i>,
    root: Table<'i>,
    /// Where key-values outside inline tables go: entry indexes from the root (an array of
    /// tables stands for its last table).
    current: Vec<usize>,
    /// The parts of the key being read, of a key-value or a header.
    keys: Vec<Key<'i>>,
    /// While inside `[…]` or `[[…]]`: where it opened, and whether it is an array's.
    header: Option<(usize, bool)>,
    /// Arrays and inline tables being read, innermost last.
    open: Vec<Open<'i>>,
    /// The key (its dotted parts) of the document-level key-value whose value is being read.
    pending: Vec<Key<'i>>,
    failed: bool,
}

enum Open<'i> {
    Array { items: Vec<Value<'i>>, start: usize },
    Inline { table: Table<'i>, start: usize, key: Vec<Key<'i>> },
}

impl<'i> Builder<'i> {
    fn new(source: Source<'i>) -> Self {
        Self {
            source,
            root: Table::default(),
            current: Vec::new(),
            keys: Vec::new(),
            header: None,
            open: Vec::new(),
            pending: Vec::new(),
            failed: false,
        }
    }

    fn raw(&self, span: Span, encoding: Option<Encoding>) -> Option<Raw<'i>> {
        let text = self.source.input().get(span.start()..span.end())?;
        Some(Raw::new_unchecked(text, encoding, span))
    }

    /// Runs `step` unless the builder already gave up, and gives up when it fails.
    fn step(&mut self, step: impl FnOnce(&mut Self) -> Option<()>) {
        if !self.failed && step(self).is_none() {
            self.failed = true;
        }
    }

    fn key(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        self.step(|b| {
            let mut decoded = Cow::Borrowed("");
            b.raw(span, encoding)?.decode_key(&mut decoded, errors);
            b.keys.push(Spanned::new(span.start()..span.end(), decoded));
            Some(())
        });
    }

    /// The key of a key-value is read: its value comes next. (The key buffers are moved
    /// between, never replaced: a plan's tens of thousands of keys allocate nothing.)
    fn key_done(&mut self) -> Option<()> {
        if self.keys.is_empty() || self.keys.len() >= MAX_DEPTH as usize {
            return None;
        }
        let slot = match self.open.last_mut() {
            Some(Open::Inline { key, .. }) => key,
            Some(Open::Array { .. }) => return None,
            None => &mut self.pending,
        };
        slot.clear();
        slot.append(&mut self.keys);
        Some(())
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        self.step(|b| {
            let mut decoded = Cow::Borrowed("");
            let kind = b.raw(span, encoding)?.decode_scalar(&mut decoded, errors);
            let node = match kind {
                ScalarKind::String => Node::String(decoded),
                ScalarKind::Boolean(b) => Node::Boolean(b),
                ScalarKind::DateTime => Node::Datetime(decoded.parse().ok()?),
                ScalarKind::Float => Node::Float(decoded),
                ScalarKind::Integer(radix) => {
                    Node::Integer { digits: decoded, radix: radix.value() }
                }
            };
            b.deliver(Spanned::new(span.start()..span.end(), node))
        });
    }

    /// A finished value goes to the array or inline table it is in, or to the key-value.
    fn deliver(&mut self, value: Value<'i>) -> Option<()> {
        match self.open.last_mut() {
            Some(Open::Array { items, .. }) => {
                items.push(value);
                Some(())
            }
            Some(Open::Inline { table, key, .. }) => insert_dotted(table, key, value, true),
            None => {
                let table = table_at(&mut self.root, &self.current)?;
                insert_dotted(table, &mut self.pending, value, false)
            }
        }
    }

    /// An array or inline table begins; past [`MAX_DEPTH`] of them the builder gives up
    /// whatever the parser's guard says, so the tree is never deeper than that.
    fn opened(&mut self, open: Open<'i>) -> Option<()> {
        (self.open.len() < MAX_DEPTH as usize).then(|| self.open.push(open))
    }

    fn close(&mut self, span: Span) -> Option<()> {
        let node_and_start = match self.open.pop()? {
            Open::Array { items, start } => (Node::Array(Array { items, of_tables: false }), start),
            Open::Inline { table, start, key } if key.is_empty() => {
                (Node::Table(Table { inline: true, ..table }), start)
            }
            Open::Inline { .. } => return None,
        };
        let (node, start) = node_and_start;
        self.deliver(Spanned::new(start..span.end(), node))
    }

    /// `[` or `[[` read: the keys up to the closing bracket name the header's table.
    fn header_open(&mut self, span: Span, array: bool) {
        self.step(|b| {
            b.header = Some((span.start(), array));
            Some(())
        });
    }

    /// `[a.b]` or `[[a.b]]` read: its table becomes where key-values go. Parents are made as
    /// needed and entered (an array of tables at its last table); the table itself must be new,
    /// or for `[a.b]` a parent made earlier and not defined yet, or for `[[a.b]]` an array of
    /// tables to add one to.
    fn header_done(&mut self, span: Span) -> Option<()> {
        let (start, array) = self.header.take()?;
        let span = start..span.end();
        let (key, parents) = self.keys.split_last()?;
        if parents.len() + 1 >= MAX_DEPTH as usize {
            return None;
        }
        self.current.clear();
        let mut table = &mut self.root;
        for parent in parents {
            let implicit = || Node::Table(Table { implicit: true, ..Table::default() });
            let index = table.find_or_add(parent.clone(), implicit)?;
            self.current.push(index);
            table = enter(&mut table.entries[index].1)?;
        }
        let index = match table.position(key.get_ref()) {
            None => {
                let node = if array {
                    let first = Spanned::new(span.clone(), Node::Table(Table::default()));
                    Node::Array(Array { items: vec![first], of_tables: true })
                } else {
                    Node::Table(Table::default())
                };
                table.push(key.clone(), Spanned::new(span, node))?
            }
            Some(index) => {
                let entry = &mut table.entries[index];
                match entry.1.get_mut() {
                    Node::Array(a) if array && a.of_tables => {
                        a.items.push(Spanned::new(span, Node::Table(Table::default())));
                    }
                    Node::Table(t) if !array && t.implicit && !t.dotted => {
                        let defined = Table { implicit: false, ..std::mem::take(t) };
                        *entry = (key.clone(), Spanned::new(span, Node::Table(defined)));
                    }
                    _ => return None,
                }
                index
            }
        };
        self.current.push(index);
        self.keys.clear();
        Some(())
    }
}

/// Puts `value` at `key` in `table`, a dotted key's parts (`a.b.c`) going through tables made
/// for them: new ones, or implicit ones (never a table a header defined, nor an inline one from
/// outside it).
fn insert_dotted<'i>(
    mut table: &mut Table<'i>,
    key: &mut Vec<Key<'i>>,
    value: Value<'i>,
    in_inline: bool,
) -> Option<()> {
    let last = key.pop()?;
    for part in key.drain(..) {
        let made = Table { implicit: true, dotted: true, inline: in_inline, ..Table::default() };
        let index = table.find_or_add(part, || Node::Table(made))?;
        table = match table.entries[index].1.get_mut() {
            Node::Table(t) if t.implicit && (in_inline || !t.inline) => {
                t.dotted = true;
                t
            }
            _ => return None,
        };
    }
    table.insert(last, value)
}

/// The table a path of entry indexes leads to from `root`.
fn table_at<'t, 'i>(root: &'t mut Table<'i>, path: &[usize]) -> Option<&'t mut Table<'i>> {
    let mut table = root;
    for &index in path {
        table = enter(&mut table.entries.get_mut(index)?.1)?;
    }
    Some(table)
}

/// The table a header may go through: a table not written inline, or an array of tables' last.
fn enter<'t, 'i>(value: &'t mut Value<'i>) -> Option<&'t mut Table<'i>> {
    match value.get_mut() {
        Node::Table(t) if !t.inline => Some(t),
        Node::Array(a) if a.of_tables => match a.items.last_mut()?.get_mut() {
            Node::Table(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

impl EventReceiver for Builder<'_> {
    fn std_table_open(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.header_open(span, false);
    }

    fn std_table_close(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.step(|b| b.header_done(span));
    }

    fn array_table_open(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.header_open(span, true);
    }

    fn array_table_close(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.step(|b| b.header_done(span));
    }

    fn inline_table_open(&mut self, span: Span, _: &mut dyn ErrorSink) -> bool {
        self.step(|b| {
            let table = Table::default();
            b.opened(Open::Inline { table, start: span.start(), key: Vec::new() })
        });
        true
    }

    fn inline_table_close(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.step(|b| b.close(span));
    }

    fn array_open(&mut self, span: Span, _: &mut dyn ErrorSink) -> bool {
        self.step(|b| b.opened(Open::Array { items: Vec::new(), start: span.start() }));
        true
    }

    fn array_close(&mut self, span: Span, _: &mut dyn ErrorSink) {
        self.step(|b| b.close(span));
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        self.key(span, encoding, errors);
    }

    fn key_val_sep(&mut self, _: Span, _: &mut dyn ErrorSink) {
        self.step(Builder::key_done);
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, errors: &mut dyn ErrorSink) {
        Builder::scalar(self, span, encoding, errors);
    }

    fn error(&mut self, _: Span, _: &mut dyn ErrorSink) {
        self.failed = true;
    }
}

/// `toml`'s tree as ours (entries in file order).
fn converted(table: DeTable<'_>) -> Table<'_> {
    let mut entries: Vec<_> =
        table.into_iter().map(|(key, value)| (key, converted_value(value))).collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    Table { entries, ..Table::default() }
}

fn converted_value(value: Spanned<DeValue<'_>>) -> Value<'_> {
    let span = value.span();
    let node = match value.into_inner() {
        DeValue::String(s) => Node::String(s),
        DeValue::Integer(i) => {
            Node::Integer { digits: Cow::Owned(i.as_str().to_owned()), radix: i.radix() }
        }
        DeValue::Float(f) => Node::Float(Cow::Owned(f.as_str().to_owned())),
        DeValue::Boolean(b) => Node::Boolean(b),
        DeValue::Datetime(d) => Node::Datetime(d),
        DeValue::Array(items) => Node::Array(Array {
            items: items.into_iter().map(converted_value).collect(),
            of_tables: false,
        }),
        DeValue::Table(t) => Node::Table(converted(t)),
    };
    Spanned::new(span, node)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// A tree as text, keys sorted, with every span: equal dumps, equal trees.
    fn dump(table: &Table<'_>) -> String {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
        let mut out = String::from("{");
        for (key, value) in entries {
            let _ = write!(out, "{:?}@{:?}={} ", key.get_ref(), key.span(), dump_value(value));
        }
        out + "}"
    }

    fn dump_value(value: &Value<'_>) -> String {
        let node = match value.get_ref() {
            Node::Array(array) => {
                let items: Vec<String> = array.items.iter().map(dump_value).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Table(table) => dump(table),
            other => format!("{other:?}"),
        };
        format!("{node}@{:?}", value.span())
    }

    /// The plans the repository ships.
    const SHIPPED: &[&str] = &[
        include_str!("../../../plans/insight24.toml"),
        include_str!("../../../plans/dmarcbis.toml"),
        include_str!("../../../plans/msp-example.toml"),
    ];

    /// The shipped plans and every invalid-plan fixture.
    fn plans() -> impl Iterator<Item = &'static str> {
        const INVALID: &[&str] = &[
            include_str!("../../../tests/fixtures/invalid-plans/bad-date.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/bad-domain-name.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/bad-pct.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/bad-rua.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/bad-tag-value.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/domain-too-long.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/duplicate-domain.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/history-bad-phase.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/loosens.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/no-domain.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/not-toml.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/pct-drop.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/unknown-key.toml"),
            include_str!("../../../tests/fixtures/invalid-plans/wrong-type.toml"),
        ];
        SHIPPED.iter().chain(INVALID).copied()
    }

    /// Lines that exercise what TOML allows and forbids, inserted into plans.
    const LINES: &[&str] = &[
        "[domain]",
        "[[domain]]",
        "[domain.history]",
        "[[domain.sender]]",
        "[[domain.phase]]",
        "[defaults]",
        "[[phase]]",
        "[phase]",
        "[a.b]",
        "[a]",
        "[[a]]",
        "[[a.b]]",
        "[a.b.c]",
        "[ domain . 'history' ]",
        "[\"defaults\"]",
        "name = \"x.example\"",
        "p = \"none\"",
        "x.y = 1",
        "dkim.s1 = \"t.example\"",
        "history = { 1 = 2026-01-01 }",
        "dkim = { s1 = \"t.example\", s1 = \"u.example\" }",
        "x = { a.b = 1, a.c = 2 }",
        "x = { a = { b = [1, { c = 2 }] } }",
        "rua = [\"mailto:a@b.example\", [1, 2.5], { x = 2 }]",
        "t = 2026-01-01T00:00:00Z",
        "t = 07:32:00",
        "t = 2026-02-30",
        "f = 1_000.5e3",
        "i = 0x1F",
        "i = -1_000",
        "b = true",
        "s = '''multi",
        "line'''",
        "k = \"\\u00e9 \\t\"",
        "\"quoted key\" = 1",
        "'' = 1",
        "1 = 2026-11-01",
        "empty = {}",
        "arr = []",
        "x = 1",
        "[x]",
        "[x.y]",
        "= 1",
        "[",
        "a = \"\\q\"",
        "a = [1,,2]",
        "a = { b = 1, }",
        "# a comment",
        "",
        // Lines that look like headers but are inside a value: never a place to cut.
        "a = [\n[1],\n  [2]\n]",
        "s = '''\n[x]\n'''",
        "s = \"\"\"\n[[domain]]\n\"\"\"",
        "t = {\n[y]\n}",
        "t = { a = [\n[[1]]\n] }",
    ];

    fn mutations(plan: &str) -> Vec<String> {
        let lines: Vec<&str> = plan.lines().collect();
        let joined = |lines: &[&str]| lines.join("\n") + "\n";
        let mut texts = vec![plan.to_owned()];
        for i in 0..=lines.len() {
            if i < lines.len() {
                let mut dropped = lines.clone();
                dropped.remove(i);
                texts.push(joined(&dropped));
                let mut doubled = lines.clone();
                doubled.insert(i, lines[i]);
                texts.push(joined(&doubled));
            }
            for line in LINES {
                let mut inserted = lines.clone();
                inserted.insert(i, line);
                texts.push(joined(&inserted));
            }
        }
        texts
    }

    #[test]
    fn what_is_read_without_toml_is_what_toml_reads() {
        let (mut read_here, mut left_to_toml, mut invalid) = (0, 0, 0);
        for plan in plans() {
            for text in mutations(plan) {
                let by_toml = DeTable::parse(&text);
                // Cut before every header: the plans here are far shorter than a chunk.
                let ours = read_in_chunks(&text, 1);
                assert_eq!(ours.is_some(), read(&text).is_some(), "{text}");
                match (ours, by_toml) {
                    (Some(ours), Ok(theirs)) => {
                        assert_eq!(dump(&ours), dump(&converted(theirs.into_inner())), "{text}");
                        read_here += 1;
                    }
                    (Some(_), Err(e)) => panic!("read what toml refuses ({e}):\n{text}"),
                    (None, Ok(_)) => left_to_toml += 1,
                    (None, Err(_)) => invalid += 1,
                }
            }
        }
        // Valid and invalid plans both met many times; what toml reads, this reads too.
        assert!(read_here > 5_000 && invalid > 3_000, "{read_here} read, {invalid} invalid");
        assert_eq!(left_to_toml, 0);
    }

    #[test]
    fn the_shipped_plans_are_read_without_toml() {
        for plan in SHIPPED {
            assert!(read(plan).is_some(), "{plan}");
        }
    }

    #[test]
    fn what_only_toml_reads_is_read_by_toml() {
        // A dotted key into an array of tables' last table: valid for `toml`, left to it here.
        let text = "[[t.a]]\nx = 1\n[t]\na.z.y = 2\n";
        assert!(read(text).is_none());
        let root = parse(text).expect("valid TOML");
        let expected = converted(DeTable::parse(text).expect("valid").into_inner());
        assert_eq!(dump(&root), dump(&expected));
        assert!(dump(&root).contains(r#""y"@"#), "{}", dump(&root));
    }

    #[test]
    fn a_table_defined_twice_gets_tomls_message_and_place() {
        let text = "[defaults]\np = \"none\"\n[defaults]\n";
        let (message, span) = parse(text).expect_err("a table defined twice");
        assert!(message.contains("duplicate key"), "{message}");
        assert_eq!(&text[span], "defaults");
    }

    #[test]
    fn a_table_of_many_keys_is_left_to_toml() {
        let keys = (0..10_000).fold(String::new(), |mut keys, i| {
            let _ = writeln!(keys, "k{i} = {i}");
            keys
        });
        assert!(read(&keys).is_none());
        let root = parse(&keys).expect("valid TOML");
        assert_eq!(root.iter().count(), 10_000);
        assert!(read(&format!("[t]\n{}", &keys[..keys.find("k200 ").expect("a key")])).is_some());
    }

    #[test]
    fn nesting_past_the_limit_is_refused_without_exhausting_the_stack() {
        let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).is_err());
        let header = format!("[{}]\n", vec!["k"; 1_000].join("."));
        assert!(parse(&header).is_err());
    }
}
