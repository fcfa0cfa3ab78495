//! `mlrun-lint server`: a Language Server Protocol server over stdio.
//!
//! It lints with the same engine, configuration discovery and version sources as
//! `check` ([`engine::check_text_with`] on the editor's text), so the editor and
//! CI never disagree.
//!
//! Threads: one reads stdin ([`transport`], which survives any input), one
//! writes stdout, the main thread keeps the state (open documents and notebooks,
//! what is due), and [`worker`] threads judge. The main thread never judges, so it
//! answers at once while a large document is judged; a document is judged by one
//! worker at a time, and a result that a newer change has overtaken is dropped
//! (latest wins), so rapid edits end with the diagnostics of the final text and
//! nothing floods.
//!
//! When: a document is linted at once when opened or saved; after a change it is
//! linted once no newer change has arrived for [`DEBOUNCE`]. Code actions and
//! hovers lint the current text again rather than trusting the last published
//! result, which may be older than the text.
//!
//! Notebooks: a VS Code notebook (`notebookDocument/*`) and a jupyterlab-lsp
//! virtual document are judged as the notebook file by the `.ipynb` reader and
//! published per cell ([`cells`]).
//!
//! Workspace: what a file reports depends on other files (a project's default
//! image, the client pin in `requirements.txt`, locks, configuration). When such a
//! file changes (edited in the editor, saved, closed, or changed on disk as
//! reported by `workspace/didChangeWatchedFiles`), every open document of the same
//! workspace folder is linted again: simple, and cheap for the few documents an
//! editor holds. Open documents are read from the editor's text, not from disk,
//! wherever the engine reads them.

mod actions;
mod cells;
mod convert;
mod documents;
mod jupyterlab;
mod notebooks;
mod transport;
mod worker;

use crate::span::Encoding;
use documents::{Document, Documents};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use notebooks::Notebook;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use transport::Incoming;
use worker::{Done, Job, Purpose, Subject};

/// How long a document must stay unchanged before it is linted again: long
/// enough to skip the states between keystrokes, short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The files whose changes on disk re-lint the open documents.
const WATCHED: &str = "**/{requirements*.txt,*requirements*.txt,constraints*.txt,*.lock,\
pylock*.toml,pyproject.toml,mlrun-lint.toml,.mlrun-lint.toml,project.yaml}";

/// What the writer thread sends: a protocol message, or a JSON-RPC error for a
/// message that could not be read (its id may be `null`, which `lsp-server`'s
/// types cannot say).
pub enum Outgoing {
    Lsp(Message),
    Json(Value),
    /// Everything before it is written; the writer ends.
    Stop,
}

/// What wakes the main loop.
pub enum Event {
    Client(Incoming),
    Done(Done),
}

/// Runs the server on stdin and stdout until the client says `exit`: exit code 0
/// after a `shutdown` request, 1 without one (or when stdin closes first), as the
/// protocol asks.
pub fn run() -> ExitCode {
    let (to_client, outgoing) = mpsc::channel::<Outgoing>();
    let writer = thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        for message in outgoing {
            let written = match &message {
                Outgoing::Lsp(message) => message.write(&mut stdout),
                Outgoing::Json(value) => transport::write_json(&mut stdout, value),
                Outgoing::Stop => break,
            };
            if written.is_err() {
                break;
            }
        }
    });
    let (events, from_client) = mpsc::channel::<Event>();
    let client_events = events.clone();
    // Not joined: after an early end it may still be waiting on stdin.
    thread::spawn(move || read_messages(&client_events));
    let (jobs, queue) = mpsc::channel::<Job>();
    worker::start(queue, events, to_client.clone());
    let mut server = Server::new(to_client.clone(), jobs);
    let code = server.serve(&from_client);
    // Everything sent so far is written before the process ends; a worker still
    // judging (a large document) does not hold up `exit`.
    let _ = to_client.send(Outgoing::Stop);
    let _ = writer.join();
    code
}

/// Reads messages from stdin until it ends or `exit` arrives.
fn read_messages(events: &Sender<Event>) {
    let mut reader = transport::Reader::new(BufReader::new(std::io::stdin().lock()));
    loop {
        let incoming = reader.read();
        let last = match &incoming {
            Incoming::Message(Message::Notification(n)) => n.method == "exit",
            Incoming::End(_) => true,
            _ => false,
        };
        if events.send(Event::Client(incoming)).is_err() || last {
            return;
        }
    }
}

/// A request's failure, answered as a JSON-RPC error.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// What the main loop does after an event.
enum Next {
    Go,
    Exit(ExitCode),
}

struct Server {
    to_client: Sender<Outgoing>,
    jobs: Sender<Job>,
    /// The negotiated position encoding.
    encoding: Encoding,
    /// Whether `initialize` was answered (by any client sharing the process).
    initialized: bool,
    documents: Documents,
    /// Notebooks synchronised as notebooks, by URI.
    notebooks: HashMap<String, Notebook>,
    /// Documents and notebooks waiting to be linted (URI → not before).
    pending: HashMap<String, Instant>,
    /// Those a worker is judging now: not given to another until it is done.
    in_flight: HashSet<String>,
    /// For each notebook, the cell URIs whose diagnostics are not empty (what a
    /// new publication must clear).
    shown: HashMap<String, HashSet<String>>,
    /// The workspace folders, which group documents for re-linting.
    folders: Vec<PathBuf>,
    /// Whether the client can watch files for us, and whether it was asked to.
    can_watch: bool,
    watching: bool,
    /// After `shutdown`, only `exit` is expected.
    shut_down: bool,
    next_request: i32,
    /// The errors already shown to the user (a broken configuration): each is
    /// shown once, then only logged, so re-linting does not repeat pop-ups.
    shown_errors: HashSet<String>,
}

impl Server {
    fn new(to_client: Sender<Outgoing>, jobs: Sender<Job>) -> Self {
        Self {
            to_client,
            jobs,
            encoding: Encoding::Utf16,
            initialized: false,
            documents: Documents::default(),
            notebooks: HashMap::new(),
            pending: HashMap::new(),
            in_flight: HashSet::new(),
            shown: HashMap::new(),
            folders: Vec::new(),
            can_watch: false,
            watching: false,
            shut_down: false,
            next_request: 0,
            shown_errors: HashSet::new(),
        }
    }

    fn serve(&mut self, events: &Receiver<Event>) -> ExitCode {
        loop {
            let waiting = self
                .pending
                .iter()
                .filter(|(key, _)| !self.in_flight.contains(*key))
                .map(|(_, &due)| due)
                .min();
            let event = match waiting {
                Some(due) => {
                    match events.recv_timeout(due.saturating_duration_since(Instant::now())) {
                        Ok(event) => Some(event),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return ExitCode::from(1),
                    }
                }
                None => match events.recv() {
                    Ok(event) => Some(event),
                    Err(_) => return ExitCode::from(1),
                },
            };
            let next = match event {
                Some(Event::Client(incoming)) => self.incoming(incoming),
                Some(Event::Done(done)) => {
                    self.done(done);
                    Next::Go
                }
                None => Next::Go,
            };
            if let Next::Exit(code) = next {
                return code;
            }
            self.dispatch_due();
        }
    }

    fn incoming(&mut self, incoming: Incoming) -> Next {
        match incoming {
            Incoming::Message(Message::Request(request)) => self.request(request),
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                return Next::Exit(ExitCode::from(u8::from(!self.shut_down)));
            }
            Incoming::Message(Message::Notification(notification)) => {
                if self.initialized {
                    self.notification(notification);
                }
            }
            // Answers to our `client/registerCapability`: nothing to do either way.
            Incoming::Message(Message::Response(_)) => {}
            Incoming::Invalid(error) => {
                eprintln!(
                    "mlrun-lint server: refused a message: {}",
                    error["error"]["message"]
                );
                let _ = self.to_client.send(Outgoing::Json(error));
            }
            Incoming::Skipped(why) => {
                let message = format!("skipped {why}; reading on from the next message");
                eprintln!("mlrun-lint server: {message}");
                self.log(lsp::MessageType::WARNING, message);
            }
            Incoming::End(why) => {
                if let Some(why) = why {
                    eprintln!("mlrun-lint server: stopping: {why}");
                }
                return Next::Exit(ExitCode::from(1));
            }
        }
        Next::Go
    }

    fn initialize(&mut self, params: Value) -> Result<Value, Failure> {
        let params: lsp::InitializeParams = parse(params)?;
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref())
            .unwrap_or_default();
        // The client lists encodings in its order of preference; all three are
        // supported here, so its first choice wins. UTF-16 is the default. A
        // second client sharing the process (jupyter-lsp) gets the encoding the
        // open documents are already held in.
        let encoding = offered
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16);
        if !self.initialized {
            self.encoding = encoding;
        }
        self.initialized = true;
        self.can_watch |= params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watch| watch.dynamic_registration)
            .unwrap_or(false);
        #[allow(deprecated)] // `rootUri` is what older clients send instead of folders.
        let roots: Vec<String> = match (params.workspace_folders, params.root_uri) {
            (Some(folders), _) => folders
                .into_iter()
                .map(|folder| folder.uri.as_str().to_owned())
                .collect(),
            (None, Some(root)) => vec![root.as_str().to_owned()],
            (None, None) => Vec::new(),
        };
        for folder in roots.iter().filter_map(|uri| convert::path_of(uri)) {
            if !self.folders.contains(&folder) {
                self.folders.push(folder);
            }
        }
        let encoding = match self.encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
        };
        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(encoding),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                        lsp::SaveOptions {
                            include_text: Some(false),
                        },
                    )),
                    ..lsp::TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::new(actions::FIX_ALL),
                    ]),
                    ..lsp::CodeActionOptions::default()
                },
            )),
            // Python cells of any notebook (VS Code: `jupyter-notebook`).
            notebook_document_sync: Some(lsp::OneOf::Left(lsp::NotebookDocumentSyncOptions {
                notebook_selector: vec![lsp::NotebookSelector::ByNotebook {
                    notebook: lsp::Notebook::String("*".into()),
                    cells: Some(vec![lsp::NotebookCellSelector {
                        language: "python".into(),
                    }]),
                }],
                save: Some(true),
            })),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            workspace: Some(lsp::WorkspaceServerCapabilities {
                workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..lsp::ServerCapabilities::default()
        };
        to_value(lsp::InitializeResult {
            capabilities,
            server_info: Some(lsp::ServerInfo {
                name: "mlrun-lint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        if !self.initialized && method != "initialize" {
            self.reply(
                id,
                Err(Failure::new(
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized yet",
                )),
            );
            return;
        }
        if self.shut_down {
            self.reply(
                id,
                Err(Failure::new(
                    ErrorCode::InvalidRequest,
                    "the server is shutting down",
                )),
            );
            return;
        }
        // A bug in one answer must not take the editor's linter down with it.
        let answered = catch_unwind(AssertUnwindSafe(|| self.answer(&id, &method, params)));
        match answered {
            Ok(Some(reply)) => self.reply(id, reply),
            // Given to a worker, which answers.
            Ok(None) => {}
            Err(_) => self.reply(
                id,
                Err(Failure::new(
                    ErrorCode::InternalError,
                    format!("mlrun-lint failed while answering `{method}`"),
                )),
            ),
        }
    }

    /// The answer to a request, or `None` when a worker answers it.
    fn answer(
        &mut self,
        id: &RequestId,
        method: &str,
        params: Value,
    ) -> Option<Result<Value, Failure>> {
        match method {
            // jupyter-lsp shares one server between browser windows: each window
            // initializes, and each must get its answer.
            "initialize" => Some(self.initialize(params)),
            "shutdown" => {
                self.shut_down = true;
                Some(Ok(Value::Null))
            }
            "textDocument/codeAction" => {
                let params: lsp::CodeActionParams = match parse(params) {
                    Ok(params) => params,
                    Err(failure) => return Some(Err(failure)),
                };
                let uri = params.text_document.uri.clone();
                // Not an error worth a pop-up: the client may ask just after a close.
                let none = || Ok(Value::Array(Vec::new()));
                self.ask(&uri, Purpose::CodeAction(id.clone(), params))
                    .then_some(())
                    .map_or_else(|| Some(none()), |()| None)
            }
            "textDocument/hover" => {
                let params: lsp::HoverParams = match parse(params) {
                    Ok(params) => params,
                    Err(failure) => return Some(Err(failure)),
                };
                let uri = params
                    .text_document_position_params
                    .text_document
                    .uri
                    .clone();
                self.ask(&uri, Purpose::Hover(id.clone(), params))
                    .then_some(())
                    .map_or_else(|| Some(Ok(Value::Null)), |()| None)
            }
            _ => Some(Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("mlrun-lint does not handle `{method}`"),
            ))),
        }
    }

    /// Gives a request about `uri` to a worker; `false` when nothing is open there.
    fn ask(&mut self, uri: &lsp::Uri, purpose: Purpose) -> bool {
        let Some((key, subject)) = self.subject_holding(uri) else {
            return false;
        };
        self.send_job(key, subject, purpose);
        true
    }

    /// The document or notebook holding `uri` (a cell's URI gives its notebook).
    fn subject_holding(&self, uri: &lsp::Uri) -> Option<(String, Subject)> {
        if let Some(document) = self.documents.get(uri) {
            return Some((uri.as_str().to_owned(), Subject::Text(document.clone())));
        }
        let notebook = self
            .notebooks
            .get(uri.as_str())
            .or_else(|| self.notebooks.values().find(|notebook| notebook.holds(uri)))?;
        Some((
            notebook.uri.as_str().to_owned(),
            Subject::Cells(notebook.cells()),
        ))
    }

    fn send_job(&mut self, key: String, subject: Subject, purpose: Purpose) {
        let job = Job {
            key,
            subject,
            others: Arc::new(self.documents.snapshot()),
            encoding: self.encoding,
            purpose,
        };
        if self.jobs.send(job).is_err() {
            eprintln!("mlrun-lint server: the workers have stopped");
        }
    }

    fn reply(&self, id: RequestId, reply: Result<Value, Failure>) {
        let response = match reply {
            Ok(result) => Response::new_ok(id, result),
            Err(failure) => Response::new_err(id, failure.code as i32, failure.message),
        };
        self.send(response.into());
    }

    fn notification(&mut self, notification: Notification) {
        let Notification { method, params } = notification;
        let handled = catch_unwind(AssertUnwindSafe(|| self.notified(&method, params)));
        match handled {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => self.log(
                lsp::MessageType::WARNING,
                format!("ignored `{method}`: {}", failure.message),
            ),
            Err(_) => self.log(
                lsp::MessageType::ERROR,
                format!("mlrun-lint failed while handling `{method}`"),
            ),
        }
    }

    fn notified(&mut self, method: &str, params: Value) -> Result<(), Failure> {
        let now = Instant::now();
        match method {
            "initialized" => self.watch_files(),
            "textDocument/didOpen" => {
                let params: lsp::DidOpenTextDocumentParams = parse(params)?;
                let item = params.text_document;
                let path = local_path(&item.uri)?;
                let key = item.uri.as_str().to_owned();
                let virtual_notebook = jupyterlab::is_virtual(&path, &item.language_id);
                let path = jupyterlab::judged_path(path);
                self.documents.open(Document {
                    uri: item.uri,
                    path: path.clone(),
                    version: item.version,
                    text: item.text,
                    virtual_notebook,
                });
                // Its text may differ from the disk's, which the others read so far.
                if documents::shapes_others(&path) {
                    self.relint_around(&path, now);
                }
                self.pending.insert(key, now);
            }
            "textDocument/didChange" => {
                let params: lsp::DidChangeTextDocumentParams = parse(params)?;
                let uri = params.text_document.uri;
                let encoding = self.encoding;
                let document = self
                    .documents
                    .get_mut(&uri)
                    .ok_or_else(|| unknown_document(&uri))?;
                for change in params.content_changes {
                    document.apply(change, encoding);
                }
                document.version = params.text_document.version;
                let path = document.path.clone();
                let due = now + DEBOUNCE;
                if documents::shapes_others(&path) {
                    self.relint_around(&path, due);
                }
                self.pending.insert(uri.as_str().to_owned(), due);
            }
            "textDocument/didSave" => {
                let params: lsp::DidSaveTextDocumentParams = parse(params)?;
                let uri = params.text_document.uri;
                let document = self
                    .documents
                    .get_mut(&uri)
                    .ok_or_else(|| unknown_document(&uri))?;
                if let Some(text) = params.text {
                    document.text = text;
                }
                let path = document.path.clone();
                if documents::shapes_others(&path) {
                    self.relint_around(&path, now);
                }
                self.pending.insert(uri.as_str().to_owned(), now);
            }
            "textDocument/didClose" => {
                let params: lsp::DidCloseTextDocumentParams = parse(params)?;
                let uri = params.text_document.uri;
                self.pending.remove(uri.as_str());
                let closed = self
                    .documents
                    .close(&uri)
                    .ok_or_else(|| unknown_document(&uri))?;
                self.publish(uri, Vec::new(), None);
                // The others now read its text from disk again.
                if documents::shapes_others(&closed.path) {
                    self.relint_around(&closed.path, now);
                }
            }
            "notebookDocument/didOpen" => {
                let params: lsp::DidOpenNotebookDocumentParams = parse(params)?;
                let path = local_path(&params.notebook_document.uri)?;
                let notebook = Notebook::open(path, params);
                let key = notebook.uri.as_str().to_owned();
                self.notebooks.insert(key.clone(), notebook);
                self.pending.insert(key, now);
            }
            "notebookDocument/didChange" => {
                let params: lsp::DidChangeNotebookDocumentParams = parse(params)?;
                let key = params.notebook_document.uri.as_str().to_owned();
                let encoding = self.encoding;
                let notebook = self
                    .notebooks
                    .get_mut(&key)
                    .ok_or_else(|| unknown_document(&params.notebook_document.uri))?;
                notebook.change(params, encoding);
                self.pending.insert(key, now + DEBOUNCE);
            }
            "notebookDocument/didSave" => {
                let params: lsp::DidSaveNotebookDocumentParams = parse(params)?;
                let key = params.notebook_document.uri.as_str().to_owned();
                if !self.notebooks.contains_key(&key) {
                    return Err(unknown_document(&params.notebook_document.uri));
                }
                self.pending.insert(key, now);
            }
            "notebookDocument/didClose" => {
                let params: lsp::DidCloseNotebookDocumentParams = parse(params)?;
                let key = params.notebook_document.uri.as_str().to_owned();
                self.pending.remove(&key);
                let closed = self
                    .notebooks
                    .remove(&key)
                    .ok_or_else(|| unknown_document(&params.notebook_document.uri))?;
                let shown = self.shown.remove(&key).unwrap_or_default();
                for cell in closed
                    .cells
                    .iter()
                    .filter(|c| shown.contains(c.uri.as_str()))
                {
                    self.publish(cell.uri.clone(), Vec::new(), None);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let params: lsp::DidChangeWatchedFilesParams = parse(params)?;
                for change in params.changes {
                    if let Some(path) = convert::path_of(change.uri.as_str()) {
                        self.relint_around(&path, now);
                    }
                }
            }
            "workspace/didChangeWorkspaceFolders" => {
                let params: lsp::DidChangeWorkspaceFoldersParams = parse(params)?;
                let paths = |folders: Vec<lsp::WorkspaceFolder>| -> Vec<PathBuf> {
                    folders
                        .iter()
                        .filter_map(|folder| convert::path_of(folder.uri.as_str()))
                        .collect()
                };
                let removed = paths(params.event.removed);
                self.folders.retain(|folder| !removed.contains(folder));
                self.folders.extend(paths(params.event.added));
            }
            // `$/cancelRequest` (answers come soon), `$/setTrace`, and anything
            // else a client may send are safely ignored.
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to tell us about changes on disk to the files that shape
    /// other files' findings, when it can (once, however many clients share us).
    fn watch_files(&mut self) {
        if !self.can_watch || self.watching {
            return;
        }
        self.watching = true;
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(WATCHED.into()),
                kind: None,
            }],
        };
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "mlrun-lint-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_request += 1;
        let id = RequestId::from(format!("mlrun-lint-{}", self.next_request));
        self.send(Request::new(id, "client/registerCapability".into(), params).into());
    }

    /// Schedules every open document and notebook of the workspace folder holding
    /// `path`.
    fn relint_around(&mut self, path: &Path, due: Instant) {
        let folder = self.folder_of(path);
        let documents = self
            .documents
            .iter()
            .map(|document| (&document.path, document.uri.as_str()));
        let notebooks = self
            .notebooks
            .values()
            .map(|notebook| (&notebook.path, notebook.uri.as_str()));
        let around: Vec<String> = documents
            .chain(notebooks)
            .filter(|(path, _)| self.folder_of(path) == folder)
            .map(|(_, uri)| uri.to_owned())
            .collect();
        for uri in around {
            let when = self.pending.entry(uri).or_insert(due);
            *when = (*when).min(due);
        }
    }

    /// The innermost workspace folder holding `path` (`None` outside them all).
    fn folder_of(&self, path: &Path) -> Option<&Path> {
        self.folders
            .iter()
            .filter(|folder| path.starts_with(folder))
            .max_by_key(|folder| folder.as_os_str().len())
            .map(PathBuf::as_path)
    }

    /// Gives the documents whose time has come to the workers, each to one at a
    /// time.
    fn dispatch_due(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(key, &when)| when <= now && !self.in_flight.contains(*key))
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            self.pending.remove(&key);
            let subject = match self.documents.iter().find(|d| d.uri.as_str() == key) {
                Some(document) => Subject::Text(document.clone()),
                None => match self.notebooks.get(&key) {
                    Some(notebook) => Subject::Cells(notebook.cells()),
                    None => continue,
                },
            };
            self.in_flight.insert(key.clone());
            self.send_job(key, subject, Purpose::Publish);
        }
    }

    /// A worker's diagnostics: published unless the document changed (or closed)
    /// since, in which case the newer lint will publish.
    fn done(&mut self, done: Done) {
        let Done { key, outcome } = done;
        self.in_flight.remove(&key);
        let open = self.documents.iter().any(|d| d.uri.as_str() == key)
            || self.notebooks.contains_key(&key);
        if !open || self.pending.contains_key(&key) {
            return;
        }
        match outcome {
            Ok(published) => {
                let before = self.shown.remove(&key).unwrap_or_default();
                let mut now_shown = HashSet::new();
                for (uri, version, diagnostics) in published {
                    if !diagnostics.is_empty() {
                        now_shown.insert(uri.as_str().to_owned());
                    }
                    self.publish(uri, diagnostics, version);
                }
                // Cells whose findings are gone, or that are gone themselves.
                if let Some(notebook) = self.notebooks.get(&key) {
                    let cleared: Vec<(lsp::Uri, Option<i32>)> = before
                        .iter()
                        .filter(|uri| !now_shown.contains(*uri))
                        .filter_map(|uri| {
                            let version = notebook
                                .cells
                                .iter()
                                .find(|cell| cell.uri.as_str() == uri)
                                .map(|cell| cell.version);
                            Some((lsp::Uri::from_str(uri).ok()?, version))
                        })
                        .collect();
                    for (uri, version) in cleared {
                        self.publish(uri, Vec::new(), version);
                    }
                    self.shown.insert(key, now_shown);
                }
            }
            Err(message) => {
                let path = self
                    .documents
                    .iter()
                    .find(|d| d.uri.as_str() == key)
                    .map(|d| d.path.clone())
                    .or_else(|| self.notebooks.get(&key).map(|n| n.path.clone()))
                    .unwrap_or_default();
                let message = format!("{}: {message}", path.display());
                self.log(lsp::MessageType::ERROR, message.clone());
                if self.shown_errors.insert(message.clone()) {
                    self.send(notification(
                        "window/showMessage",
                        lsp::ShowMessageParams {
                            typ: lsp::MessageType::ERROR,
                            message: format!("mlrun-lint: {message}"),
                        },
                    ));
                }
            }
        }
    }

    fn publish(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.send(notification(
            "textDocument/publishDiagnostics",
            lsp::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ));
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        self.send(notification(
            "window/logMessage",
            lsp::LogMessageParams { typ, message },
        ));
    }

    /// Sends a message; the writer only stops when stdout is gone, and then there
    /// is no one left to tell.
    fn send(&self, message: Message) {
        let _ = self.to_client.send(Outgoing::Lsp(message));
    }
}

fn notification(method: &str, params: impl serde::Serialize) -> Message {
    Notification::new(method.into(), params).into()
}

fn parse<P: DeserializeOwned>(params: Value) -> Result<P, Failure> {
    serde_json::from_value(params)
        .map_err(|err| Failure::new(ErrorCode::InvalidParams, format!("invalid params: {err}")))
}

fn to_value(value: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(value)
        .map_err(|err| Failure::new(ErrorCode::InternalError, err.to_string()))
}

fn local_path(uri: &lsp::Uri) -> Result<PathBuf, Failure> {
    convert::path_of(uri.as_str()).ok_or_else(|| {
        Failure::new(
            ErrorCode::InvalidParams,
            format!("{} is not a local file", uri.as_str()),
        )
    })
}

fn unknown_document(uri: &lsp::Uri) -> Failure {
    Failure::new(
        ErrorCode::InvalidParams,
        format!("{} is not open", uri.as_str()),
    )
}
