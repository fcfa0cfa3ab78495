//! Judging on worker threads, so the main loop keeps answering while a large
//! document is judged.
//!
//! A [`Job`] carries everything it needs (the document or notebook as it was,
//! the other open documents' text), so a worker never reads the main thread's
//! state. [`WORKERS`] threads take jobs from one queue: a code action on a small
//! file is answered while a big one is judged. A panic while judging is caught:
//! the document gets one diagnostic saying so, a request gets an error, and the
//! worker goes on.

use super::cells::{CellText, Cells};
use super::documents::Document;
use super::{actions, convert, jupyterlab, Outgoing};
use crate::config::{Overrides, Resolver};
use crate::diagnostic::FileDiagnostics;
use crate::discover::WalkOptions;
use crate::engine::{self, Settings};
use crate::rules;
use crate::sources::FileKind;
use crate::span::Encoding;
use lsp_server::{ErrorCode, Message, RequestId, Response};
use lsp_types as lsp;
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;

/// How many documents are judged at once.
pub const WORKERS: usize = 2;

/// What is judged: a document as its own text, or a notebook as cells.
#[derive(Clone, Debug)]
pub enum Subject {
    Text(Document),
    Cells(Cells),
}

impl Subject {
    /// A jupyterlab-lsp virtual document is judged as the cells it holds.
    fn resolved(self) -> Self {
        match self {
            Subject::Text(document) if document.virtual_notebook => {
                Subject::Cells(virtual_cells(&document))
            }
            other => other,
        }
    }
}

fn virtual_cells(document: &Document) -> Cells {
    Cells {
        path: document.path.clone(),
        cells: jupyterlab::cells(&document.text)
            .into_iter()
            .map(|cell| CellText {
                uri: document.uri.clone(),
                code: true,
                text: cell.text,
                first_line: cell.first_line,
                verbatim: Some(cell.verbatim),
                version: Some(document.version),
            })
            .collect(),
    }
}

/// One piece of work.
pub struct Job {
    /// The document's or notebook's URI.
    pub key: String,
    pub subject: Subject,
    /// The other open documents' text, read instead of their files.
    pub others: Arc<HashMap<PathBuf, String>>,
    pub encoding: Encoding,
    pub purpose: Purpose,
}

pub enum Purpose {
    /// Publish the diagnostics.
    Publish,
    CodeAction(RequestId, lsp::CodeActionParams),
    Hover(RequestId, lsp::HoverParams),
}

/// Diagnostics by URI, to publish.
pub type Published = Vec<(lsp::Uri, Option<i32>, Vec<lsp::Diagnostic>)>;

/// A finished [`Purpose::Publish`] job, for the main loop (which knows whether
/// it is still current). Requests are answered by the worker itself.
pub struct Done {
    pub key: String,
    /// The diagnostics, or why the document could not be judged (a broken
    /// configuration).
    pub outcome: Result<Published, String>,
}

/// Starts the workers; they end when `jobs`' sender is dropped, or with the
/// process.
pub fn start(jobs: Receiver<Job>, done: Sender<super::Event>, to_client: Sender<Outgoing>) {
    let jobs = Arc::new(Mutex::new(jobs));
    for index in 0..WORKERS {
        let (jobs, done, to_client) = (jobs.clone(), done.clone(), to_client.clone());
        let started = thread::Builder::new()
            .name(format!("mlrun-lint-server-{index}"))
            .spawn(move || loop {
                // A poisoned lock only means another worker panicked holding it.
                let job = match jobs.lock() {
                    Ok(jobs) => jobs.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                let Ok(job) = job else { return };
                run(job, &done, &to_client);
            });
        if let Err(err) = started {
            eprintln!("mlrun-lint server: cannot start a worker thread: {err}");
        }
    }
}

fn run(job: Job, done: &Sender<super::Event>, to_client: &Sender<Outgoing>) {
    let Job {
        key,
        subject,
        others,
        encoding,
        purpose,
    } = job;
    // Where a panic is shown, worked out before anything can panic.
    let fallback = failed(&subject);
    let panicked = || {
        let message = format!("mlrun-lint failed while checking {key} (a bug: please report it)");
        eprintln!("mlrun-lint server: {message}");
        let _ = to_client.send(Outgoing::Lsp(super::notification(
            "window/logMessage",
            lsp::LogMessageParams {
                typ: lsp::MessageType::ERROR,
                message,
            },
        )));
        Failure::Panic
    };
    let judged = catch_unwind(AssertUnwindSafe(|| {
        let subject = subject.resolved();
        judge(&subject, &others).map(|file| (subject, file))
    }));
    let judged = match judged {
        Ok(judged) => judged.map_err(Failure::Config),
        Err(_) => Err(panicked()),
    };
    // Each use of the result is guarded too: a bug in placing a finding must not
    // end the worker.
    let guarded = |work: &dyn Fn(&Subject, &FileDiagnostics) -> Result<Value, Failure>| {
        judged
            .as_ref()
            .map_err(Failure::clone)
            .and_then(|(subject, file)| {
                catch_unwind(AssertUnwindSafe(|| work(subject, file)))
                    .unwrap_or_else(|_| Err(panicked()))
            })
    };
    match purpose {
        Purpose::Publish => {
            let outcome = match &judged {
                Ok((subject, file)) => {
                    Ok(
                        catch_unwind(AssertUnwindSafe(|| published(subject, file, encoding)))
                            .unwrap_or_else(|_| {
                                panicked();
                                fallback
                            }),
                    )
                }
                Err(Failure::Config(message)) => Err(message.clone()),
                Err(Failure::Panic) => Ok(fallback),
            };
            let _ = done.send(super::Event::Done(Done { key, outcome }));
        }
        Purpose::CodeAction(id, params) => {
            let reply = guarded(&|subject, file| code_actions(subject, file, &params, encoding));
            answer(to_client, id, reply);
        }
        Purpose::Hover(id, params) => {
            let reply = guarded(&|subject, file| hover(subject, file, &params, encoding));
            answer(to_client, id, reply);
        }
    }
}

#[derive(Clone)]
enum Failure {
    Config(String),
    Panic,
}

fn answer(to_client: &Sender<Outgoing>, id: RequestId, reply: Result<Value, Failure>) {
    let response = match reply {
        Ok(value) => Response::new_ok(id, value),
        Err(Failure::Config(message)) => {
            Response::new_err(id, ErrorCode::InternalError as i32, message)
        }
        Err(Failure::Panic) => Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            "mlrun-lint failed while answering (a bug: please report it)".into(),
        ),
    };
    let _ = to_client.send(Outgoing::Lsp(Message::Response(response)));
}

/// The findings on the subject's current text, as `check` would report them for
/// the saved file (with the other open documents' text too).
fn judge(subject: &Subject, others: &HashMap<PathBuf, String>) -> Result<FileDiagnostics, String> {
    let (path, text) = match subject {
        Subject::Text(document) => (&document.path, document.text.clone()),
        Subject::Cells(cells) => (&cells.path, cells.ipynb()),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = crate::paths::display(path, &cwd);
    // Editors send every file of a language (any `.txt`, any `.toml`); `check`
    // reports a file it does not know only when it is named, and nothing here
    // named it.
    if FileKind::of(path).is_none() {
        return Ok(FileDiagnostics::new(shown, Arc::from(text), Vec::new()));
    }
    // A fresh resolver each time: configuration files edited since the last lint
    // are read again.
    let resolver =
        Resolver::new(&cwd, None, Overrides::default()).map_err(|err| err.to_string())?;
    let settings = Settings {
        config: Arc::new(resolver),
        walk: WalkOptions {
            respect_ignores: true,
        },
        ignore_noqa: false,
        fingerprints: false,
        cache: None,
    };
    let overlay = |other: &Path| {
        (other != path)
            .then(|| others.get(other).cloned())
            .flatten()
    };
    let outcome = engine::check_text_with(path, text.clone(), &settings, &overlay)?;
    Ok(outcome
        .files
        .into_iter()
        .find(|file| file.path == shown)
        .unwrap_or_else(|| FileDiagnostics::new(shown, Arc::from(text), Vec::new())))
}

fn published(subject: &Subject, file: &FileDiagnostics, encoding: Encoding) -> Published {
    match subject {
        Subject::Text(document) => vec![(
            document.uri.clone(),
            Some(document.version),
            file.diagnostics
                .iter()
                .map(|found| convert::diagnostic(file, found, encoding))
                .collect(),
        )],
        Subject::Cells(cells) => {
            let mut found = cells.diagnostics(file, encoding);
            // A virtual document is one document: published even when clean.
            for uri in cells.uris() {
                let is_virtual = cells.cells.iter().all(|cell| cell.verbatim.is_some());
                if is_virtual && !found.iter().any(|(shown, _, _)| *shown == uri) {
                    let version = cells.cells.first().and_then(|cell| cell.version);
                    found.push((uri, version, Vec::new()));
                }
            }
            found
        }
    }
}

/// What a document whose judging panicked shows: one diagnostic at its start.
fn failed(subject: &Subject) -> Published {
    let (uri, version) = match subject {
        Subject::Text(document) => (document.uri.clone(), Some(document.version)),
        Subject::Cells(cells) => match cells.cells.first() {
            Some(cell) => (cell.uri.clone(), cell.version),
            None => return Vec::new(),
        },
    };
    let rule = rules::find("MLR003");
    let diagnostic = lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String("MLR003".into())),
        code_description: rule
            .and_then(|rule| {
                lsp::Uri::from_str(&crate::report::rule_page_url(rule.code, rule.name)).ok()
            })
            .map(|href| lsp::CodeDescription { href }),
        source: Some(convert::SOURCE.into()),
        message:
            "not checked: mlrun-lint failed while checking this file (a bug: please report it)"
                .into(),
        ..lsp::Diagnostic::default()
    };
    vec![(uri, version, vec![diagnostic])]
}

fn code_actions(
    subject: &Subject,
    file: &FileDiagnostics,
    params: &lsp::CodeActionParams,
    encoding: Encoding,
) -> Result<Value, Failure> {
    let only = params.context.only.as_deref();
    let found = match subject {
        Subject::Text(document) => {
            let range = convert::span(&file.lines, &file.text, params.range, encoding);
            actions::code_actions(document, file, range, only, encoding)
        }
        Subject::Cells(cells) => cells.code_actions(
            file,
            &params.text_document.uri,
            params.range,
            only,
            encoding,
        ),
    };
    to_value(found)
}

/// On a finding, the page of its rule.
fn hover(
    subject: &Subject,
    file: &FileDiagnostics,
    params: &lsp::HoverParams,
    encoding: Encoding,
) -> Result<Value, Failure> {
    let at = &params.text_document_position_params;
    let position = at.position;
    let under: Vec<lsp::Diagnostic> = published(subject, file, encoding)
        .into_iter()
        .filter(|(uri, _, _)| *uri == at.text_document.uri)
        .flat_map(|(_, _, shown)| shown)
        .filter(|shown| shown.range.start <= position && position <= shown.range.end)
        .collect();
    let Some(first) = under.first() else {
        return Ok(Value::Null);
    };
    let mut codes: Vec<String> = under
        .iter()
        .filter_map(|shown| match &shown.code {
            Some(lsp::NumberOrString::String(code)) => Some(code.clone()),
            _ => None,
        })
        .collect();
    codes.dedup();
    let pages: Vec<&str> = codes
        .iter()
        .filter_map(|code| rules::find(code))
        .map(|rule| rule.page)
        .collect();
    to_value(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: pages.join("\n---\n"),
        }),
        range: Some(first.range),
    })
}

fn to_value(value: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|err| Failure::Config(err.to_string()))
}
