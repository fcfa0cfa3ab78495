//! `mlrun-lint server`: a Language Server Protocol server over stdio.
//!
//! It lints with the same engine, configuration discovery and version sources as
//! `check` ([`engine::check_text_with`] on the editor's text), so the editor and
//! CI never disagree.
//!
//! Threads: one reads stdin, one writes stdout, and the main thread does all the
//! work, one message at a time. Linting one file (with the handful of files
//! around it that shape its project) takes milliseconds, so there is nothing to
//! gain from running it elsewhere, and one thread keeps every answer consistent
//! with the document versions it has seen.
//!
//! When: a document is linted at once when opened or saved; after a change it is
//! linted once no newer change has arrived for [`DEBOUNCE`] (the main loop waits
//! for the next message with a timeout set by the earliest pending document).
//! Code actions and hovers lint the current text again rather than trusting the
//! last published result, which may be older than the text.
//!
//! Workspace: what a file reports depends on other files (a project's default
//! image, the client pin in `requirements.txt`, locks, configuration). When such a
//! file changes (edited in the editor, saved, closed, or changed on disk as
//! reported by `workspace/didChangeWatchedFiles`), every open document of the same
//! workspace folder is linted again: simple, and cheap for the few documents an
//! editor holds. Open documents are read from the editor's text, not from disk,
//! wherever the engine reads them.

mod actions;
mod convert;
mod documents;

use crate::config::{Overrides, Resolver};
use crate::diagnostic::FileDiagnostics;
use crate::discover::WalkOptions;
use crate::engine::{self, Settings};
use crate::rules;
use crate::sources::FileKind;
use crate::span::{Encoding, Span};
use documents::{Document, Documents};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a document must stay unchanged before it is linted again: long
/// enough to skip the states between keystrokes, short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The files whose changes on disk re-lint the open documents.
const WATCHED: &str = "**/{requirements*.txt,*requirements*.txt,constraints*.txt,*.lock,\
pylock*.toml,pyproject.toml,mlrun-lint.toml,.mlrun-lint.toml,project.yaml}";

/// Runs the server on stdin and stdout until the client says `exit`: exit code 0
/// after a `shutdown` request, 1 without one (or when stdin closes first), as the
/// protocol asks.
pub fn run() -> ExitCode {
    let (to_client, outgoing) = mpsc::channel::<Message>();
    let writer = thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        for message in outgoing {
            if message.write(&mut stdout).is_err() {
                break;
            }
        }
    });
    let (incoming, from_client) = mpsc::channel::<Message>();
    // Not joined: after an early end it may still be waiting on stdin.
    thread::spawn(move || read_messages(&incoming));
    let mut server = Server::new(to_client);
    let code = server.serve(&from_client);
    drop(server);
    // Everything sent is written before the process ends.
    let _ = writer.join();
    code
}

/// Reads messages from stdin until it closes or `exit` arrives. A malformed
/// message (bad header, bad JSON, not a JSON-RPC message) is skipped with a note
/// on stderr: its bytes have been consumed, so the next message reads normally.
fn read_messages(incoming: &Sender<Message>) {
    let mut stdin = BufReader::new(std::io::stdin().lock());
    loop {
        match Message::read(&mut stdin) {
            Ok(Some(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Ok(None) => return,
            Err(err) if err.kind() == ErrorKind::InvalidData => {
                eprintln!("mlrun-lint server: skipped a malformed message: {err}");
            }
            Err(err) => {
                eprintln!("mlrun-lint server: cannot read from the client: {err}");
                return;
            }
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

struct Server {
    to_client: Sender<Message>,
    /// The negotiated position encoding.
    encoding: Encoding,
    documents: Documents,
    /// Documents waiting to be linted (URI → not before).
    pending: HashMap<String, Instant>,
    /// The workspace folders, which group documents for re-linting.
    folders: Vec<PathBuf>,
    /// Whether the client can watch files for us.
    can_watch: bool,
    /// After `shutdown`, only `exit` is expected.
    shut_down: bool,
    next_request: i32,
    /// The errors already shown to the user (a broken configuration): each is
    /// shown once, then only logged, so re-linting does not repeat pop-ups.
    shown_errors: HashSet<String>,
}

impl Server {
    fn new(to_client: Sender<Message>) -> Self {
        Self {
            to_client,
            encoding: Encoding::Utf16,
            documents: Documents::default(),
            pending: HashMap::new(),
            folders: Vec::new(),
            can_watch: false,
            shut_down: false,
            next_request: 0,
            shown_errors: HashSet::new(),
        }
    }

    fn serve(&mut self, from_client: &Receiver<Message>) -> ExitCode {
        // Until `initialize`, requests are refused and notifications dropped.
        loop {
            match from_client.recv() {
                Ok(Message::Request(request)) if request.method == "initialize" => {
                    let reply = self.initialize(request.params);
                    self.reply(request.id, reply);
                    break;
                }
                Ok(Message::Request(request)) => self.reply(
                    request.id,
                    Err(Failure::new(
                        ErrorCode::ServerNotInitialized,
                        "the server is not initialized yet",
                    )),
                ),
                Ok(Message::Notification(n)) if n.method == "exit" => return ExitCode::from(1),
                Ok(_) => {}
                Err(_) => return ExitCode::from(1),
            }
        }
        loop {
            let next = match self.pending.values().min() {
                Some(&due) => {
                    match from_client.recv_timeout(due.saturating_duration_since(Instant::now())) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return ExitCode::from(1),
                    }
                }
                None => match from_client.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return ExitCode::from(1),
                },
            };
            match next {
                Some(Message::Request(request)) => self.request(request),
                Some(Message::Notification(n)) if n.method == "exit" => {
                    return ExitCode::from(u8::from(!self.shut_down));
                }
                Some(Message::Notification(notification)) => self.notification(notification),
                // Answers to our `client/registerCapability`: nothing to do either way.
                Some(Message::Response(_)) | None => {}
            }
            self.lint_due();
        }
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
        // supported here, so its first choice wins. UTF-16 is the default.
        self.encoding = offered
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16);
        self.can_watch = params
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
        self.folders = roots
            .iter()
            .filter_map(|uri| convert::path_of(uri))
            .collect();
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
        let reply = if self.shut_down {
            Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            ))
        } else {
            // A bug in one answer must not take the editor's linter down with it.
            catch_unwind(AssertUnwindSafe(|| self.answer(&method, params))).unwrap_or_else(|_| {
                Err(Failure::new(
                    ErrorCode::InternalError,
                    format!("mlrun-lint failed while answering `{method}`"),
                ))
            })
        };
        self.reply(id, reply);
    }

    fn answer(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        match method {
            "shutdown" => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            "textDocument/codeAction" => self.code_action(parse(params)?),
            "textDocument/hover" => self.hover(parse(params)?),
            "initialize" => Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            _ => Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("mlrun-lint does not handle `{method}`"),
            )),
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
                let Some(path) = convert::path_of(item.uri.as_str()) else {
                    return Err(Failure::new(
                        ErrorCode::InvalidParams,
                        format!("{} is not a local file", item.uri.as_str()),
                    ));
                };
                let key = item.uri.as_str().to_owned();
                let path = documents::judged_path(path);
                self.documents.open(Document {
                    uri: item.uri,
                    path: path.clone(),
                    version: item.version,
                    text: item.text,
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
            // `$/cancelRequest` (answers are immediate), `$/setTrace`, and anything
            // else a client may send are safely ignored.
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to tell us about changes on disk to the files that shape
    /// other files' findings, when it can.
    fn watch_files(&mut self) {
        if !self.can_watch {
            return;
        }
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

    /// Schedules every open document of the workspace folder holding `path`.
    fn relint_around(&mut self, path: &Path, due: Instant) {
        let folder = self.folder_of(path);
        let around: Vec<String> = self
            .documents
            .iter()
            .filter(|document| self.folder_of(&document.path) == folder)
            .map(|document| document.uri.as_str().to_owned())
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

    /// Lints and publishes the documents whose time has come.
    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, &when)| when <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for key in due {
            self.pending.remove(&key);
            let Some(document) = self.documents.iter().find(|d| d.uri.as_str() == key) else {
                continue;
            };
            let document = document.clone();
            let linted = catch_unwind(AssertUnwindSafe(|| self.lint(&document)))
                .unwrap_or_else(|_| Err("mlrun-lint failed while checking it".into()));
            match linted {
                Ok(file) => {
                    let diagnostics = file
                        .diagnostics
                        .iter()
                        .map(|found| convert::diagnostic(&file, found, self.encoding))
                        .collect();
                    self.publish(document.uri, diagnostics, Some(document.version));
                }
                Err(message) => {
                    let message = format!("{}: {message}", document.path.display());
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
    }

    /// The findings on `document`'s current text, as `check` would report them
    /// for the saved file (with the other open documents' text too).
    fn lint(&self, document: &Document) -> Result<FileDiagnostics, String> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = crate::paths::display(&document.path, &cwd);
        let text: Arc<str> = Arc::from(document.text.as_str());
        // Editors send every file of a language (any `.txt`, any `.toml`); `check`
        // reports a file it does not know only when it is named, and nothing here
        // named it.
        if FileKind::of(&document.path).is_none() {
            return Ok(FileDiagnostics::new(shown, text, Vec::new()));
        }
        // A fresh resolver each time: configuration files edited since the last
        // lint are read again.
        let resolver =
            Resolver::new(&cwd, None, Overrides::default()).map_err(|err| err.to_string())?;
        let settings = Settings {
            config: Arc::new(resolver),
            walk: WalkOptions {
                respect_ignores: true,
            },
            ignore_noqa: false,
        };
        let overlay = |path: &Path| {
            (path != document.path)
                .then(|| self.documents.text_of(path))
                .flatten()
        };
        let outcome =
            engine::check_text_with(&document.path, document.text.clone(), &settings, &overlay)?;
        Ok(outcome
            .files
            .into_iter()
            .find(|file| file.path == shown)
            .unwrap_or_else(|| FileDiagnostics::new(shown, text, Vec::new())))
    }

    fn code_action(&mut self, params: lsp::CodeActionParams) -> Result<Value, Failure> {
        let uri = params.text_document.uri;
        let Some(document) = self.documents.get(&uri) else {
            // Not an error worth a pop-up: the client may ask just after a close.
            return to_value(Vec::<lsp::CodeActionOrCommand>::new());
        };
        let file = self
            .lint(document)
            .map_err(|message| Failure::new(ErrorCode::InternalError, message))?;
        let range = convert::span(&file.lines, &file.text, params.range, self.encoding);
        to_value(actions::code_actions(
            document,
            &file,
            range,
            params.context.only.as_deref(),
            self.encoding,
        ))
    }

    /// On a finding, the page of its rule.
    fn hover(&mut self, params: lsp::HoverParams) -> Result<Value, Failure> {
        let at = params.text_document_position_params;
        let Some(document) = self.documents.get(&at.text_document.uri) else {
            return Ok(Value::Null);
        };
        let file = self
            .lint(document)
            .map_err(|message| Failure::new(ErrorCode::InternalError, message))?;
        let offset = file.lines.offset_of(
            &file.text,
            at.position.line as usize,
            at.position.character as usize,
            self.encoding,
        );
        let mut under: Vec<&crate::diagnostic::Diagnostic> = file
            .diagnostics
            .iter()
            .filter(|found| found.span.start <= offset && offset <= found.span.end)
            .collect();
        under.dedup_by_key(|found| found.code);
        let Some(first) = under.first() else {
            return Ok(Value::Null);
        };
        let pages: Vec<&str> = under
            .iter()
            .filter_map(|found| rules::find(found.code))
            .map(|rule| rule.page)
            .collect();
        let range: Span = first.span;
        to_value(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: pages.join("\n---\n"),
            }),
            range: Some(convert::range(
                &file.lines,
                &file.text,
                range,
                self.encoding,
            )),
        })
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
        let _ = self.to_client.send(message);
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

fn unknown_document(uri: &lsp::Uri) -> Failure {
    Failure::new(
        ErrorCode::InvalidParams,
        format!("{} is not open", uri.as_str()),
    )
}
