//! What files say about each other: includes, constraints, requirement sets, and
//! the project each file belongs to.
//!
//! Readers see one file at a time; MLRun and pip do not. A `-r base.txt` installs
//! another file's packages, a `-c constraints.txt` pins them, a function's
//! requirements span its build list, its commands and the files they include, and a
//! `function.yaml` runs with its project's `default_image` and MLRun client version.
//! This module links the files once all are read, so rules can judge each fact in
//! the [`Scope`] of its project and each function's whole [`RequirementSet`].

use crate::cells::CellMap;
use crate::engine::FileText;
use crate::facts::parked::{Parked, Piece, Store};
use crate::facts::requirement::{Spec, MLRUN_PACKAGE as MLRUN};
use crate::facts::{
    template_marker, Fact, ImageRole, IncludeBase, IncludeKind, Origin, PackageFact, Problem,
    ProblemKind,
};
use crate::paths::{identity, normalize};
use crate::rules::{ClientVersion, Member, PinnedVersion, RequirementSet, Scope, VersionOrigin};
use crate::sources::environment::read_environment;
use crate::sources::lock::{self, LockFormat};
use crate::sources::{self, python, requirements_txt, FileKind};
use crate::span::{LineIndex, Span};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How many levels of `-r`/`-c` are followed below a file that was found by name.
/// Real projects nest two or three; the limit stops runaway chains (pip itself
/// recurses until Python gives up).
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// A file read into facts.
#[derive(Debug)]
pub struct ReadFile {
    pub path: PathBuf,
    pub kind: Option<FileKind>,
    /// Read for its effect on other files' scope only; its findings are dropped.
    pub context_only: bool,
    pub text: FileText,
    /// The facts read, empty while they are [parked](ReadFile::park).
    pub facts: Vec<Fact>,
    /// The facts, encoded, while nothing but the file's own judging needs them.
    pub parked: Option<Parked>,
    /// A notebook's cells, to show positions per cell, unless parked with the
    /// facts ([`ReadFile::cells`] gives them either way).
    pub cells: Option<Arc<CellMap>>,
    /// Python code's wrappers of the SDK and imports of other modules, when
    /// it has any (most files have none: boxed, so that they cost a pointer).
    pub interface: Option<Box<python::Interface>>,
}

impl ReadFile {
    /// The file at `path` as a reader found it in `text`.
    pub fn of(path: &Path, kind: Option<FileKind>, text: FileText, read: sources::Read) -> Self {
        Self {
            kind,
            context_only: false,
            path: path.to_path_buf(),
            text,
            facts: read.facts,
            cells: read.cells,
            interface: boxed(read.interface),
            parked: None,
        }
    }

    /// Python code's wrappers of the SDK and imports of other modules.
    pub fn interface(&self) -> &python::Interface {
        static NONE: python::Interface = python::Interface::EMPTY;
        self.interface.as_deref().unwrap_or(&NONE)
    }

    /// Replaces the file's wrappers and imports (read again, linked).
    pub fn set_interface(&mut self, interface: python::Interface) {
        self.interface = boxed(interface);
    }

    /// [Parks](Parked) the file's facts, unless another step still reads them
    /// whole: a Python module that exports or imports SDK wrappers (linked
    /// across modules), and a file whose reader failed (the cache must see it).
    pub fn park(&mut self, store: &Arc<Store>) {
        if !self.parkable() {
            return;
        }
        if let Some(parked) = Parked::new(&self.facts, read_by_linking, store) {
            self.parked = Some(parked);
            self.facts = Vec::new();
            self.park_cells(store);
        }
    }

    fn park_cells(&mut self, store: &Arc<Store>) {
        if let (Some(parked), Some(cells)) = (&mut self.parked, &self.cells) {
            if parked.park_cells(cells, store) {
                self.cells = None;
            }
        }
    }

    /// A notebook's cell map, wherever it is kept.
    pub fn cells(&self) -> Option<Arc<CellMap>> {
        match (&self.cells, &self.parked) {
            (Some(cells), _) => Some(cells.clone()),
            (None, Some(parked)) => parked.cells(),
            (None, None) => None,
        }
    }

    /// Parks facts (and a cell map) the cache holds where they are, with the
    /// copies of those linking reads it kept beside them.
    pub fn park_in_place(&mut self, facts: Piece, linking: Vec<Fact>, cells: Option<Piece>) {
        self.parked = Some(Parked::in_place(facts, linking, cells));
        self.facts = Vec::new();
        self.cells = None;
    }

    /// Copies of the facts linking reads, for the cache to keep beside the
    /// file's encoded facts.
    pub fn linking_copies(&self) -> Vec<Fact> {
        self.linking_facts()
            .iter()
            .filter(|fact| read_by_linking(fact))
            .cloned()
            .collect()
    }

    fn parkable(&self) -> bool {
        self.parked.is_none()
            && self.interface.is_none()
            && !self.facts.iter().any(|fact| {
                matches!(fact, Fact::Problem(problem) if problem.kind == ProblemKind::ReaderFailed)
            })
    }

    /// The file's facts, with what linking concluded: decoded when parked.
    pub fn facts(&self) -> Cow<'_, [Fact]> {
        match &self.parked {
            Some(parked) => Cow::Owned(parked.facts()),
            None => Cow::Borrowed(&self.facts),
        }
    }

    /// The facts linking reads: all of them, or the copies a parked file keeps.
    fn linking_facts(&self) -> &[Fact] {
        match &self.parked {
            Some(parked) => parked.linking(),
            None => &self.facts,
        }
    }

    /// Adds a fact linking found (a problem with an include).
    fn add_fact(&mut self, fact: Fact) {
        match &mut self.parked {
            Some(parked) => parked.add(fact),
            None => self.facts.push(fact),
        }
    }

    /// Marks the file's packages as read from a constraints file.
    fn mark_constraints(&mut self) {
        match &mut self.parked {
            Some(parked) => parked.mark_constraints(),
            None => crate::facts::parked::mark_constraints(&mut self.facts),
        }
    }
}

/// `interface` boxed when there is anything in it.
fn boxed(interface: python::Interface) -> Option<Box<python::Interface>> {
    (!interface.is_empty()).then(|| Box::new(interface))
}

/// Whether linking reads `fact` of a parked file: its includes
/// ([`Workspace::follow_includes`]), what gives its folder a project default
/// image, a client pin or locked versions ([`Workspace::index_projects`]), and
/// a hub item's declared client version ([`Workspace::scope`]). The packages of
/// files in requirement sets across files are read from the decoded facts.
fn read_by_linking(fact: &Fact) -> bool {
    match fact {
        Fact::Include(_) | Fact::LockedVersion(_) | Fact::ClientVersion(_) => true,
        Fact::Image(image) => image.role == ImageRole::ProjectDefault,
        Fact::Build(build) => build.sets_project_default,
        Fact::Package(package) => {
            matches!((&package.name, &package.spec), (Some(name), Spec::Exact(_)) if name.normalized == MLRUN)
        }
        _ => false,
    }
}

/// An include that was followed: `files[from]` names `files[to]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Edge {
    from: usize,
    to: usize,
    kind: IncludeKind,
    /// Where the include is written in `files[from]`.
    at: Span,
}

/// All files of a run, linked.
pub struct Workspace {
    pub files: Vec<ReadFile>,
    edges: Vec<Edge>,
    /// Indexes into `edges` by the file they leave (`outgoing`) and reach
    /// (`incoming`): every file's scope walks its includes, so finding them must
    /// not cost a scan of all edges per file (that made a run quadratic in files).
    outgoing: Vec<Vec<usize>>,
    incoming: Vec<Vec<usize>>,
    /// Folders whose project spec gives a `default_image`.
    default_image_folders: BTreeSet<PathBuf>,
    /// Exact `mlrun` pins by folder: the project's client version.
    mlrun_pins: BTreeMap<PathBuf, BTreeSet<(String, String)>>,
    /// Versions recorded by the lock files of each folder.
    locked: BTreeMap<PathBuf, BTreeMap<String, PinnedVersion>>,
    /// What each file's folder gives its scope, worked out once per folder:
    /// `folders[folder_index[file]]`. Looking it up per file walked every ancestor
    /// through three path-keyed maps, comparing paths component by component.
    folders: Vec<Arc<FolderScope>>,
    folder_index: Vec<usize>,
    /// The exact pins of each file an include reaches: constraints read them
    /// for other files' scopes, whose facts may be parked.
    exact_pins: HashMap<usize, Vec<(String, String)>>,
}

/// The part of a [`Scope`] that depends only on the folder a file is in.
#[derive(Default)]
struct FolderScope {
    /// The project spec of this folder or one above gives a `default_image`.
    project_default_image: bool,
    /// The nearest folder's exact `mlrun` pin ([`Workspace::pinned_client`]).
    pinned_client: Option<ClientVersion>,
    /// The folder (this one or the nearest above) whose lock files are in force.
    locked_in: Option<PathBuf>,
}

/// The folders that give a [`FolderScope`] something of their own.
struct FolderMarks<'a> {
    default_image: HashSet<&'a Path>,
    pins: HashSet<&'a Path>,
    locked: HashSet<&'a Path>,
}

/// Versions given on the command line or in the configuration, for the files
/// that configuration governs.
#[derive(Clone, Debug, Default)]
pub struct GivenVersions {
    /// From `--lock` files (PEP 503 name → version).
    pub locked: BTreeMap<String, PinnedVersion>,
    /// From the `--python` environment.
    pub environment: BTreeMap<String, PinnedVersion>,
}

impl GivenVersions {
    /// Reads the `--lock` files (any lock format, or pip-freeze/constraints text,
    /// whose exact `==` pins count) and the `--python` environment. A source that
    /// cannot be read is an error: the user asked for it by name.
    pub fn load(locks: &[PathBuf], python: Option<&Path>) -> Result<Self, String> {
        let mut given = Self::default();
        let cwd = std::env::current_dir().unwrap_or_default();
        let relative = |path: &Path| {
            path.strip_prefix(&cwd)
                .unwrap_or(path)
                .display()
                .to_string()
        };
        for lock in locks {
            let shown = relative(lock);
            let text =
                std::fs::read_to_string(lock).map_err(|err| format!("--lock {shown}: {err}"))?;
            let facts = match LockFormat::of(lock) {
                Some(_) => lock::read(lock, &text),
                None => requirements_txt::read(&text),
            };
            let source = format!("{} (--lock)", file_name(lock));
            for fact in facts {
                let (name, version) = match fact {
                    Fact::LockedVersion(locked) => (locked.name, locked.version),
                    Fact::Package(PackageFact {
                        name: Some(name),
                        spec: Spec::Exact(version),
                        ..
                    }) => (name.normalized, version),
                    Fact::Problem(problem) if problem.kind == ProblemKind::Parse => {
                        let at =
                            LineIndex::new(&text).line_column(&text, problem.origin.span.start);
                        return Err(format!(
                            "--lock {shown}:{}:{}: {}",
                            at.line, at.column, problem.message
                        ));
                    }
                    _ => continue,
                };
                given.locked.entry(name).or_insert_with(|| PinnedVersion {
                    version,
                    source: source.clone(),
                    observed: false,
                });
            }
        }
        if let Some(python) = python {
            let source = format!("--python {}", python.display());
            for (name, version, _) in read_environment(python)
                .map_err(|err| format!("--python {}: {err}", python.display()))?
            {
                given
                    .environment
                    .entry(name)
                    .or_insert_with(|| PinnedVersion {
                        version,
                        source: source.clone(),
                        observed: true,
                    });
            }
        }
        Ok(given)
    }
}

impl Workspace {
    /// Links `files`, reading every file an include reaches that was not found by
    /// name (`read` turns a path into a requirements file's facts).
    pub fn link(files: Vec<ReadFile>, read: &dyn Fn(&Path) -> ReadFile) -> Self {
        let mut workspace = Self {
            files,
            edges: Vec::new(),
            outgoing: Vec::new(),
            incoming: Vec::new(),
            default_image_folders: BTreeSet::new(),
            mlrun_pins: BTreeMap::new(),
            locked: BTreeMap::new(),
            folders: Vec::new(),
            folder_index: Vec::new(),
            exact_pins: HashMap::new(),
        };
        workspace.follow_includes(read);
        workspace.index_edges();
        workspace.report_cycles();
        workspace.mark_constraints_files();
        workspace.index_pins();
        workspace.index_projects();
        workspace.index_folders();
        workspace
    }

    /// Works out each distinct folder's [`FolderScope`] once, each from its
    /// parent's: looking every folder's ancestors up in the maps of folders
    /// made a fifth of a warm run's serial time.
    fn index_folders(&mut self) {
        // Hashed views of the maps of folders: a B-tree of paths compares them
        // component by component, many times a lookup.
        let marks = FolderMarks {
            default_image: self
                .default_image_folders
                .iter()
                .map(PathBuf::as_path)
                .collect(),
            pins: self.mlrun_pins.keys().map(PathBuf::as_path).collect(),
            locked: self.locked.keys().map(PathBuf::as_path).collect(),
        };
        let mut memo: HashMap<PathBuf, Arc<FolderScope>> = HashMap::new();
        let mut seen: HashMap<PathBuf, usize> = HashMap::new();
        let mut folders = Vec::new();
        let mut indexes = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let folder = folder_of(&file.path);
            let index = match seen.get(&folder) {
                Some(&index) => index,
                None => {
                    // Shared: a folder with nothing of its own has its parent's.
                    folders.push(self.folder_scope(&folder, &marks, &mut memo));
                    seen.insert(folder, folders.len() - 1);
                    folders.len() - 1
                }
            };
            indexes.push(index);
        }
        self.folders = folders;
        self.folder_index = indexes;
    }

    /// The [`FolderScope`] of `folder`: what the folder itself gives, else what
    /// its parent has (`memo` keeps every folder's, ancestors included).
    fn folder_scope(
        &self,
        folder: &Path,
        marks: &FolderMarks<'_>,
        memo: &mut HashMap<PathBuf, Arc<FolderScope>>,
    ) -> Arc<FolderScope> {
        if let Some(known) = memo.get(folder) {
            return known.clone();
        }
        let parent = match folder.parent() {
            Some(parent) => self.folder_scope(parent, marks, memo),
            None => Arc::new(FolderScope::default()),
        };
        let own_pins = marks.pins.contains(folder);
        let own_lock = marks.locked.contains(folder);
        let own_default = marks.default_image.contains(folder);
        let scope = if own_pins || own_lock || own_default {
            Arc::new(FolderScope {
                project_default_image: own_default || parent.project_default_image,
                pinned_client: if own_pins {
                    self.pinned_client(folder)
                } else {
                    parent.pinned_client.clone()
                },
                locked_in: if own_lock {
                    Some(folder.to_path_buf())
                } else {
                    parent.locked_in.clone()
                },
            })
        } else {
            parent
        };
        memo.insert(folder.to_path_buf(), scope.clone());
        scope
    }

    fn follow_includes(&mut self, read: &dyn Fn(&Path) -> ReadFile) {
        let mut index = FileIndex::new(&self.files);
        let mut depth = vec![0; self.files.len()];
        let mut queue: VecDeque<usize> = (0..self.files.len()).collect();
        while let Some(from) = queue.pop_front() {
            let includes: Vec<(IncludeKind, IncludeBase, String, Span)> = self.files[from]
                .linking_facts()
                .iter()
                .filter_map(|fact| match fact {
                    Fact::Include(include) => Some((
                        include.kind,
                        include.base,
                        include.path.clone(),
                        include.origin.span,
                    )),
                    _ => None,
                })
                .collect();
            let folder = folder_of(&self.files[from].path);
            let mut problems = Vec::new();
            for (kind, base, written, at) in includes {
                let problem = |kind: ProblemKind, message: String| {
                    Fact::Problem(Problem {
                        origin: Origin::new(at, None, "include"),
                        kind,
                        message,
                    })
                };
                if template_marker(&written).is_some() {
                    problems.push(problem(
                        ProblemKind::Skipped,
                        format!("`{written}` is named through a variable; it was not checked"),
                    ));
                    continue;
                }
                if written.contains("://") {
                    problems.push(problem(
                        ProblemKind::Skipped,
                        format!("remote file `{written}` was not fetched; it was not checked"),
                    ));
                    continue;
                }
                let target = match base {
                    IncludeBase::Includer => normalize(&folder.join(&written)),
                    // The build's working directory is not known: take the
                    // nearest folder, from the includer's up, that has the file.
                    IncludeBase::WorkingDirectory | IncludeBase::ClientWorkingDirectory => folder
                        .ancestors()
                        .map(|f| normalize(&f.join(&written)))
                        .find(|t| t.is_file())
                        .unwrap_or_else(|| normalize(&folder.join(&written))),
                };
                let to = match index.find(&self.files, &target) {
                    Some(to) => to,
                    None if depth[from] >= MAX_INCLUDE_DEPTH => {
                        problems.push(problem(
                            ProblemKind::Skipped,
                            format!(
                                "`{written}` is more than {MAX_INCLUDE_DEPTH} includes deep; it was not checked"
                            ),
                        ));
                        continue;
                    }
                    // A FIFO or a folder under the name exists: reading it
                    // reports why it is not checked (MLR003), not "not found".
                    None if target.exists() => {
                        let mut file = read(&target);
                        file.kind = Some(FileKind::Requirements);
                        self.files.push(file);
                        depth.push(depth[from] + 1);
                        let to = self.files.len() - 1;
                        index.insert(&target, to);
                        queue.push_back(to);
                        to
                    }
                    None => {
                        let looked = target.to_string_lossy().replace('\\', "/");
                        let message = match base {
                            IncludeBase::Includer => {
                                format!("`{written}` not found (looked for {looked})")
                            }
                            IncludeBase::WorkingDirectory => format!(
                                "`{written}` not found in this folder or any folder above it (pip resolves it in the build's working directory)"
                            ),
                            IncludeBase::ClientWorkingDirectory => format!(
                                "`{written}` not found in this folder or any folder above it (MLRun reads it on the client, from the working directory of the process that makes the call)"
                            ),
                        };
                        problems.push(problem(ProblemKind::IncludeNotFound, message));
                        continue;
                    }
                };
                self.edges.push(Edge { from, to, kind, at });
            }
            for problem in problems {
                self.files[from].add_fact(problem);
            }
        }
    }

    fn index_edges(&mut self) {
        self.outgoing = vec![Vec::new(); self.files.len()];
        self.incoming = vec![Vec::new(); self.files.len()];
        for (i, edge) in self.edges.iter().enumerate() {
            self.outgoing[edge.from].push(i);
            self.incoming[edge.to].push(i);
        }
    }

    /// The includes written in file `file`.
    fn edges_from(&self, file: usize) -> impl Iterator<Item = &Edge> {
        self.outgoing[file].iter().map(|&i| &self.edges[i])
    }

    /// The includes that name file `file`.
    fn edges_to(&self, file: usize) -> impl Iterator<Item = &Edge> {
        self.incoming[file].iter().map(|&i| &self.edges[i])
    }

    /// pip recurses through `-r` without end on a cycle: report the include that
    /// closes one (MLR001).
    fn report_cycles(&mut self) {
        let mut state = vec![0u8; self.files.len()]; // 0 new, 1 on the stack, 2 done
        let mut stack = Vec::new();
        let mut problems = Vec::new();
        for start in 0..self.files.len() {
            self.visit(start, &mut state, &mut stack, &mut problems);
        }
        for (file, problem) in problems {
            self.files[file].add_fact(problem);
        }
    }

    fn visit(
        &self,
        node: usize,
        state: &mut [u8],
        stack: &mut Vec<usize>,
        problems: &mut Vec<(usize, Fact)>,
    ) {
        if state[node] != 0 {
            return;
        }
        state[node] = 1;
        stack.push(node);
        for edge in self.edges_from(node) {
            match state[edge.to] {
                0 => self.visit(edge.to, state, stack, problems),
                1 => {
                    let first = stack.iter().position(|&n| n == edge.to).unwrap_or(0);
                    let names: Vec<String> = stack[first..]
                        .iter()
                        .chain(std::iter::once(&edge.to))
                        .map(|&n| file_name(&self.files[n].path))
                        .collect();
                    problems.push((
                        node,
                        Fact::Problem(Problem {
                            origin: Origin::new(edge.at, None, "include"),
                            kind: ProblemKind::Parse,
                            message: format!(
                                "include cycle: {} (pip would never finish)",
                                names.join(" → ")
                            ),
                        }),
                    ));
                }
                _ => {}
            }
        }
        stack.pop();
        state[node] = 2;
    }

    /// A constraints file (named `constraints*.txt`, or only ever included with
    /// `-c`) installs nothing: its pins constrain the requirements of others.
    fn mark_constraints_files(&mut self) {
        for i in 0..self.files.len() {
            let named = file_name(&self.files[i].path)
                .to_ascii_lowercase()
                .starts_with("constraints");
            let incoming = self.edges_to(i);
            let (mut as_constraint, mut as_requirement) = (false, false);
            for edge in incoming {
                match edge.kind {
                    IncludeKind::Constraints => as_constraint = true,
                    IncludeKind::Requirements => as_requirement = true,
                }
            }
            if self.files[i].kind == Some(FileKind::Requirements)
                && (named || (as_constraint && !as_requirement))
            {
                self.files[i].mark_constraints();
            }
        }
    }

    /// Keeps the exact pins of every file an include reaches, for the
    /// constraints in force in other files' scopes ([`Workspace::constraints_for`]).
    fn index_pins(&mut self) {
        for file in 0..self.files.len() {
            if self.incoming[file].is_empty() {
                continue;
            }
            let pins: Vec<(String, String)> = self.files[file]
                .facts()
                .iter()
                .filter_map(|fact| match fact {
                    Fact::Package(PackageFact {
                        name: Some(name),
                        spec: Spec::Exact(version),
                        ..
                    }) => Some((name.normalized.clone(), version.clone())),
                    _ => None,
                })
                .collect();
            self.exact_pins.insert(file, pins);
        }
    }

    fn index_projects(&mut self) {
        for file in &self.files {
            let folder = folder_of(&file.path);
            for fact in file.linking_facts() {
                match fact {
                    Fact::Image(image) if image.role == ImageRole::ProjectDefault => {
                        self.default_image_folders.insert(folder.clone());
                    }
                    Fact::Build(build) if build.sets_project_default => {
                        self.default_image_folders.insert(folder.clone());
                    }
                    Fact::LockedVersion(locked) => {
                        self.locked
                            .entry(folder.clone())
                            .or_default()
                            .entry(locked.name.clone())
                            .or_insert_with(|| PinnedVersion {
                                version: locked.version.clone(),
                                source: file_name(&file.path),
                                observed: false,
                            });
                    }
                    Fact::Package(package) => {
                        if let (Some(name), Spec::Exact(version)) = (&package.name, &package.spec) {
                            if name.normalized == MLRUN {
                                self.mlrun_pins
                                    .entry(folder.clone())
                                    .or_default()
                                    .insert((version.clone(), file_name(&file.path)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The scope file `index` is judged in. `mlrun_version` is the declared client
    /// version (flag or configuration) with where it was declared; `given` the versions of the `--lock` files
    /// and `--python` environment in force for the file.
    pub fn scope(
        &self,
        index: usize,
        mlrun_version: Option<(&str, &str)>,
        given: &GivenVersions,
    ) -> Scope {
        let file = &self.files[index];
        let folder = &self.folders[self.folder_index[index]];
        let versions = self.versions_for(folder, given);
        let declared = mlrun_version.map(|(version, source)| ClientVersion {
            version: version.to_string(),
            source: source.into(),
            origin: VersionOrigin::Declared,
        });
        let locked = |observed: bool| {
            versions
                .get(MLRUN)
                .filter(|pinned| pinned.observed == observed)
                .map(|pinned| ClientVersion {
                    version: pinned.version.clone(),
                    source: pinned.source.clone(),
                    origin: if observed {
                        VersionOrigin::Environment
                    } else {
                        VersionOrigin::ProjectPin
                    },
                })
        };
        let hub_item = || {
            file.linking_facts().iter().find_map(|fact| match fact {
                Fact::ClientVersion(declared) => Some(ClientVersion {
                    version: declared.version.clone(),
                    source: format!("mlrunVersion in {}", file_name(&file.path)),
                    origin: VersionOrigin::HubItem,
                }),
                _ => None,
            })
        };
        Scope {
            client: declared
                .or_else(|| folder.pinned_client.clone())
                .or_else(|| locked(false))
                .or_else(hub_item)
                .or_else(|| locked(true)),
            project_default_image: folder.project_default_image,
            constraints: Arc::new(self.constraints_for(&self.installed_with(index))),
            versions: Arc::new(versions),
        }
    }

    /// Package versions for files in `folder`: the `--lock` files first, then the
    /// lock files of the nearest folder (its own or above) that has any, then the
    /// `--python` environment.
    fn versions_for(
        &self,
        folder: &FolderScope,
        given: &GivenVersions,
    ) -> BTreeMap<String, PinnedVersion> {
        let mut versions = given.locked.clone();
        if let Some(nearest) = folder.locked_in.as_ref().and_then(|f| self.locked.get(f)) {
            for (name, pinned) in nearest {
                versions
                    .entry(name.clone())
                    .or_insert_with(|| pinned.clone());
            }
        }
        for (name, pinned) in &given.environment {
            versions
                .entry(name.clone())
                .or_insert_with(|| pinned.clone());
        }
        versions
    }

    /// The exact `mlrun` pin nearest to `folder` (its own, then its parents'); none
    /// when the nearest folder with pins disagrees with itself (MLR205 says why).
    fn pinned_client(&self, folder: &Path) -> Option<ClientVersion> {
        let pins = folder.ancestors().find_map(|f| self.mlrun_pins.get(f))?;
        let versions: BTreeSet<&String> = pins.iter().map(|(v, _)| v).collect();
        if versions.len() != 1 {
            return None;
        }
        let (version, file) = pins.iter().next()?;
        Some(ClientVersion {
            version: version.clone(),
            source: format!("`mlrun=={version}` in {file}"),
            origin: VersionOrigin::ProjectPin,
        })
    }

    /// Every file installed in the same pip run as `file`: the files that include it
    /// through `-r` (transitively) and everything they include. The constraints of
    /// any of them are in effect for `file`.
    fn installed_with(&self, file: usize) -> BTreeSet<usize> {
        let mut includers = BTreeSet::new();
        let mut todo = vec![file];
        while let Some(node) = todo.pop() {
            if includers.insert(node) {
                todo.extend(
                    self.edges_to(node)
                        .filter(|e| e.kind == IncludeKind::Requirements)
                        .map(|e| e.from),
                );
            }
        }
        self.closure(includers, |kind| kind == IncludeKind::Requirements)
    }

    /// `start` and every file reached from it through `-r` (not `-c`).
    fn requirement_files_of(&self, start: usize) -> BTreeSet<usize> {
        self.closure([start], |kind| kind == IncludeKind::Requirements)
    }

    fn closure(
        &self,
        start: impl IntoIterator<Item = usize>,
        follow: impl Fn(IncludeKind) -> bool,
    ) -> BTreeSet<usize> {
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut todo: Vec<usize> = start.into_iter().collect();
        while let Some(file) = todo.pop() {
            if seen.insert(file) {
                todo.extend(
                    self.edges_from(file)
                        .filter(|e| follow(e.kind))
                        .map(|e| e.to),
                );
            }
        }
        seen
    }

    /// Exact pins of the constraints files that `members` name with `-c` (and of
    /// everything those files include).
    fn constraints_for(&self, members: &BTreeSet<usize>) -> BTreeMap<String, String> {
        let targets = members
            .iter()
            .flat_map(|&member| self.edges_from(member))
            .filter(|e| e.kind == IncludeKind::Constraints)
            .map(|e| e.to);
        let mut pins = BTreeMap::new();
        for file in self.closure(targets, |_| true) {
            for (name, version) in self.exact_pins.get(&file).into_iter().flatten() {
                pins.insert(name.clone(), version.clone());
            }
        }
        pins
    }

    /// Every requirement set whose owner includes another file or is included
    /// by one, handed to `visit` with the file whose scope it is judged in: one
    /// per requirements file that no other file includes with `-r`, and one per
    /// function of any other file (a function also gets its file's unnamed
    /// requirements, such as a project's `spec.build`). The facts of the files a
    /// set holds are decoded for it and let go after. The sets of a file that
    /// is neither hold its facts alone: [`Workspace::sets_owned_by`] gives them
    /// when the file is judged.
    pub fn for_each_linked_set(
        &self,
        paths: &[String],
        mut visit: impl FnMut(usize, RequirementSet<'_>),
    ) {
        for index in 0..self.files.len() {
            if self.is_alone(index) {
                continue;
            }
            let decoded: HashMap<usize, Cow<'_, [Fact]>> = self
                .closure([index], |_| true)
                .into_iter()
                .map(|file| (file, self.files[file].facts()))
                .collect();
            let facts_of = |file: usize| -> &[Fact] { decoded.get(&file).map_or(&[], |f| f) };
            for (owner, set) in self.sets_owned_by(index, &facts_of, paths) {
                visit(owner, set);
            }
        }
    }

    /// Whether no include leaves or reaches `files[index]`: then its scope and
    /// its requirement sets depend on no other file's facts.
    pub fn is_alone(&self, index: usize) -> bool {
        self.incoming[index].is_empty() && self.outgoing[index].is_empty()
    }

    /// The requirement sets `files[index]` owns, `facts_of` giving the facts of
    /// each file (decoded by the caller).
    pub fn sets_owned_by<'a>(
        &'a self,
        index: usize,
        facts_of: &dyn Fn(usize) -> &'a [Fact],
        paths: &'a [String],
    ) -> Vec<(usize, RequirementSet<'a>)> {
        let mut sets = Vec::new();
        let file = &self.files[index];
        let facts = facts_of(index);
        if file.kind == Some(FileKind::Requirements) {
            let included = self
                .edges_to(index)
                .any(|e| e.kind == IncludeKind::Requirements);
            let constraints = facts
                .iter()
                .any(|f| matches!(f, Fact::Package(p) if p.from_constraints));
            if !included && !constraints {
                let members = self.requirement_files_of(index);
                sets.push((
                    index,
                    self.set_of(&members, None, paths, &paths[index], facts_of),
                ));
            }
            return sets;
        }
        let functions: BTreeSet<Option<&str>> = facts
            .iter()
            .filter(|f| matches!(f, Fact::Package(_) | Fact::Build(_) | Fact::Include(_)))
            .map(|f| f.origin().function.as_deref())
            .collect();
        let named: Vec<&str> = functions.iter().flatten().copied().collect();
        // The file's unnamed facts (a project's own build) are shared by its
        // functions' sets; they form a set of their own only when no function
        // takes them, or when they hold a build, which is judged once, there.
        let unnamed_build = facts
            .iter()
            .any(|f| matches!(f, Fact::Build(b) if b.origin.function.is_none()));
        let owners: Vec<Option<&str>> = if named.is_empty() {
            functions.into_iter().collect()
        } else {
            let mut owners: Vec<Option<&str>> = named.into_iter().map(Some).collect();
            if unnamed_build {
                owners.push(None);
            }
            owners
        };
        for function in owners {
            let owner = match function {
                Some(name) => format!("function `{name}`"),
                None => paths[index].clone(),
            };
            let set = self.set_of(
                &BTreeSet::from([index]),
                Some((index, function)),
                paths,
                &owner,
                facts_of,
            );
            sets.push((index, set));
        }
        sets
    }

    /// The set of `members` files' facts. For a spec file (`function` is given) only
    /// that function's facts and its file's unnamed ones count, plus the files its
    /// includes reach.
    fn set_of<'a>(
        &'a self,
        members: &BTreeSet<usize>,
        function: Option<(usize, Option<&str>)>,
        paths: &'a [String],
        owner: &str,
        facts_of: &dyn Fn(usize) -> &'a [Fact],
    ) -> RequirementSet<'a> {
        let belongs = |file: usize, origin: &Origin| match function {
            Some((spec, name)) if spec == file => {
                origin.function.is_none() || origin.function.as_deref() == name
            }
            _ => true,
        };
        let mut files: BTreeSet<usize> = members.clone();
        if let Some((spec, _)) = function {
            let included = self.edges_from(spec).filter(|e| {
                e.kind == IncludeKind::Requirements
                    && facts_of(spec).iter().any(|f| {
                        matches!(f, Fact::Include(i) if i.origin.span == e.at && belongs(spec, &i.origin))
                    })
            });
            let reached: Vec<usize> = included.map(|e| e.to).collect();
            files.extend(self.closure(reached, |kind| kind == IncludeKind::Requirements));
        }
        // Constraints in effect count for conflicts too: pip refuses a requirement
        // pinned against its constraint.
        let constraints = files
            .iter()
            .flat_map(|&file| self.edges_from(file))
            .filter(|e| e.kind == IncludeKind::Constraints)
            .map(|e| e.to);
        let constraint_files = self.closure(constraints, |_| true);
        files.extend(constraint_files);
        let mut set = RequirementSet {
            owner: owner.to_string(),
            ..RequirementSet::default()
        };
        for &file in &files {
            for fact in facts_of(file) {
                match fact {
                    Fact::Package(package) if belongs(file, &package.origin) => {
                        set.packages.push(Member {
                            file,
                            path: &paths[file],
                            fact: package,
                        });
                    }
                    // A build belongs to its own function only: the project's build
                    // is not each function's build.
                    Fact::Build(build)
                        if belongs(file, &build.origin)
                            && function.is_none_or(|(spec, name)| {
                                spec != file || build.origin.function.as_deref() == name
                            }) =>
                    {
                        set.builds.push(Member {
                            file,
                            path: &paths[file],
                            fact: build,
                        });
                    }
                    _ => {}
                }
            }
        }
        set
    }
}

/// Finds a file of the run by path. Include targets are mostly spelled as the
/// walk found the file (the includer's folder joined with a relative name), so
/// paths are compared as written first; canonical paths, several system calls
/// per file, are worked out for every file (once) only when an existing target
/// is not found that way: a symbolic link, an absolute name, a file the walk
/// skipped.
struct FileIndex {
    written: HashMap<PathBuf, usize>,
    canonical: Option<HashMap<PathBuf, usize>>,
}

impl FileIndex {
    fn new(files: &[ReadFile]) -> Self {
        Self {
            written: files
                .iter()
                .enumerate()
                .map(|(i, file)| (normalize(&file.path), i))
                .collect(),
            canonical: None,
        }
    }

    fn find(&mut self, files: &[ReadFile], target: &Path) -> Option<usize> {
        if let Some(&found) = self.written.get(&normalize(target)) {
            return Some(found);
        }
        if !target.exists() {
            return None;
        }
        let canonical = self.canonical.get_or_insert_with(|| {
            files
                .iter()
                .enumerate()
                .map(|(i, file)| (identity(&file.path), i))
                .collect()
        });
        canonical.get(&identity(target)).copied()
    }

    fn insert(&mut self, target: &Path, file: usize) {
        self.written.insert(normalize(target), file);
        if let Some(canonical) = &mut self.canonical {
            canonical.insert(identity(target), file);
        }
    }
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests;
