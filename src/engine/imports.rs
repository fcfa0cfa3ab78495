//! Wrappers of the SDK across the project's Python modules: `project_setup.py`
//! calls `register_function(project, …, image="…")` imported from `helpers.py`,
//! whose parameter reaches `project.set_function(image=…)`. The reader records
//! each module's wrappers and imports ([`Interface`](crate::sources::python::Interface));
//! here the imports are resolved to modules of the tree, and the modules on
//! either side are read again with what the other gives them: the importer
//! judges what its calls pass, the wrapper's module stops calling the
//! parameters it no call of its own passes unknown.
//!
//! A module is found as Python finds it from the importing file's folder: a
//! relative import (`from .helpers import f`) from that folder, an absolute one
//! (`from helpers import f`, `from src.helpers import f`, `import helpers`)
//! from that folder or one of the [`MAX_IMPORT_LEVELS`] above it (a project's
//! root on `sys.path`), the nearest first. A module outside the checked files is
//! read from disk for its wrappers only, never reported.

use super::{read_guarded_with, read_overlaid, Overlay};
use crate::paths::normalize;
use crate::sources::python::{Import, Linked, Wrapper};
use crate::sources::FileKind;
use crate::workspace::ReadFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Folders above the importing file's in which an absolute import is looked for.
pub const MAX_IMPORT_LEVELS: usize = 4;

/// Links the Python modules of `files` to the wrappers they import, reading
/// again the modules on both sides of a link.
pub(super) fn link(files: &mut [ReadFile], overlay: Overlay<'_>) {
    if files.iter().all(|file| file.interface().imports.is_empty()) {
        return;
    }
    let index: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| file.kind == Some(FileKind::Python))
        .map(|(i, file)| (normalize(&file.path), i))
        .collect();
    let mut outside: HashMap<PathBuf, Vec<Wrapper>> = HashMap::new();
    let mut links: HashMap<usize, Linked> = HashMap::new();
    for importer in 0..files.len() {
        for import in files[importer].interface().imports.clone() {
            let Some((module, calls)) = resolve(&files[importer].path, &import, &index) else {
                continue;
            };
            let wrappers = match &module {
                Module::Checked(exporter) => files[*exporter].interface().wrappers.clone(),
                Module::Outside(path) => outside
                    .entry(path.clone())
                    .or_insert_with(|| {
                        read_overlaid(path, Some(FileKind::Python), overlay)
                            .interface()
                            .wrappers
                            .clone()
                    })
                    .clone(),
            };
            for wrapper in wrappers {
                let call = match &calls {
                    Calls::Function(name) if name == wrapper.function() => import.bound.clone(),
                    Calls::Function(_) => continue,
                    Calls::Module => format!("{}.{}", import.bound, wrapper.function()),
                };
                if let Module::Checked(exporter) = module {
                    if exporter == importer {
                        continue;
                    }
                    links
                        .entry(exporter)
                        .or_default()
                        .called_elsewhere(wrapper.function());
                }
                links.entry(importer).or_default().import(call, wrapper);
            }
        }
    }
    for (i, linked) in links {
        let file = &mut files[i];
        let Some(kind) = file.kind else { continue };
        // A module with an interface keeps its text until this point.
        let Some(text) = file.text.held().cloned() else {
            continue;
        };
        let read = read_guarded_with(kind, &file.path, &text, &linked);
        file.facts = read.facts;
        file.cells = read.cells;
        file.set_interface(read.interface);
    }
}

/// Where an import's module is.
#[derive(Clone, PartialEq, Eq)]
enum Module {
    /// One of the files being checked.
    Checked(usize),
    /// A file on disk that is not being checked.
    Outside(PathBuf),
}

/// How calls reach the module's wrappers: as the imported function itself, or
/// as attributes of the imported module.
enum Calls {
    Function(String),
    Module,
}

/// The module `import` in the file at `importer` names, if it is a file of the
/// tree, and how calls reach its functions.
fn resolve(
    importer: &Path,
    import: &Import,
    index: &HashMap<PathBuf, usize>,
) -> Option<(Module, Calls)> {
    let folder = importer.parent().unwrap_or(Path::new(""));
    let bases: Vec<&Path> = if import.level > 0 {
        let mut base = Some(folder);
        for _ in 1..import.level {
            base = base.and_then(Path::parent);
        }
        base.into_iter().collect()
    } else {
        folder.ancestors().take(MAX_IMPORT_LEVELS + 1).collect()
    };
    let dotted = |module: &str, name: Option<&str>| -> Vec<String> {
        module
            .split('.')
            .chain(name)
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect()
    };
    for base in bases {
        // `from pkg import helpers` may import a submodule rather than a name.
        if let Some(name) = &import.name {
            if let Some(module) = find(base, &dotted(&import.module, Some(name)), index) {
                return Some((module, Calls::Module));
            }
        }
        if let Some(module) = find(base, &dotted(&import.module, None), index) {
            let calls = match &import.name {
                Some(name) => Calls::Function(name.clone()),
                None => Calls::Module,
            };
            return Some((module, calls));
        }
    }
    None
}

/// The module file for `parts` under `base`: `a/b.py` or `a/b/__init__.py`.
fn find(base: &Path, parts: &[String], index: &HashMap<PathBuf, usize>) -> Option<Module> {
    let mut folder = base.to_path_buf();
    let (last, leading) = parts.split_last()?;
    for part in leading {
        folder.push(part);
    }
    let candidates = [
        folder.join(format!("{last}.py")),
        folder.join(last).join("__init__.py"),
    ];
    for candidate in candidates {
        let normal = normalize(&candidate);
        if let Some(&i) = index.get(&normal) {
            return Some(Module::Checked(i));
        }
        if candidate.is_file() {
            return Some(Module::Outside(candidate));
        }
    }
    None
}
