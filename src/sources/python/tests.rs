use super::*;
use crate::facts::requirement::Spec;

/// Each fact as a short line: kind, role or field, the text at its span, the text
/// at its edit span, and its function. Spans are checked by slicing the source.
fn summary(text: &str) -> Vec<String> {
    read(text)
        .iter()
        .filter(|fact| !is_declaration(fact))
        // Builds that leave `with_mlrun` to MLRun: see `builds_leave_with_mlrun_to_mlrun`.
        .filter(|fact| !matches!(fact, Fact::Build(b) if b.with_mlrun != Some(true)))
        .map(|fact| {
            let origin = fact.origin();
            let at = |s: Span| text[s.start..s.end].to_string();
            let edit = origin.edit_span.map_or("-".to_string(), at);
            let function = origin.function.as_deref().unwrap_or("-");
            let what = match fact {
                Fact::Image(image) => match &image.value {
                    ImageValue::Literal(_) => format!("image {:?}", image.role),
                    ImageValue::Unverifiable { reason, .. } => {
                        format!("image {:?} unverifiable ({reason})", image.role)
                    }
                    ImageValue::FollowsClient { image: r, .. } => {
                        format!("image {:?} follows client ({})", image.role, r.text)
                    }
                },
                Fact::Package(package) => format!("package {:?}", package.spec),
                Fact::Include(include) => format!("include {}", include.path),
                Fact::HubRef(hub) => format!("hub {}", hub.reference.name),
                Fact::Build(build) => format!("build {:?}", build.base_image),
                Fact::Problem(problem) => format!("problem {}", problem.message),
                other => format!("{other:?}"),
            };
            format!("{what} | {} | {edit} | {function}", at(origin.span))
        })
        .collect()
}

/// The facts of what a call declares (a function, a project default from
/// `build_image`), which [`declarations`] shows; [`summary`] leaves them out.
fn is_declaration(fact: &Fact) -> bool {
    matches!(fact, Fact::Function(_)) || matches!(fact, Fact::Build(b) if b.sets_project_default)
}

/// Each declared function as `called-name kind names_image fn=…`.
fn declarations(text: &str) -> Vec<String> {
    read(text)
        .iter()
        .filter_map(|fact| match fact {
            Fact::Function(f) => Some(format!(
                "{} {} {} fn={}",
                &text[f.origin.span.start..f.origin.span.end],
                f.kind.as_deref().unwrap_or("-"),
                f.names_image,
                f.origin.function.as_deref().unwrap_or("-"),
            )),
            Fact::Build(b) if b.sets_project_default => Some(format!(
                "{} sets the project default",
                &text[b.origin.span.start..b.origin.span.end]
            )),
            _ => None,
        })
        .collect()
}

/// Calls that declare a function MLRun runs in a container are facts for
/// MLR107, with whether anything in the module names the function's image.
#[test]
fn declared_functions_and_whether_they_name_an_image() {
    let text = r#"import mlrun
project.set_function("a.py", name="a")
project.set_function("b.py", "b", "serving", None)
project.set_function("c.py", name="c", image=IMAGE)
project.set_function("hub://d", name="d")
project.set_function("e.ipynb", name="e")
project.set_function("f.ipynb", name="f", kind="nuclio")
project.set_function(path, name="g")
project.set_function("h.py", name="h", kind=kind)
g = mlrun.code_to_function("g", kind="job").apply(mount)
g.spec.build.base_image = "x:1"
mlrun.new_function("l", command="x.py")
mlrun.new_function("r", kind="job", runtime={"spec": {"image": "x:1"}})
mlrun.code_to_function("k", kind="")
project.set_function("m.py", name="m", imgae="mlrun/mlrun:1.6.4")
project.set_function("n.py", "n", "job", None, None, None, None, None, None, "extra")
project.set_function("o.py", name="o", kind="jobb")
project.build_image(set_as_default=False)
project.build_image()
"#;
    assert_eq!(
        declarations(text),
        [
            "build_image sets the project default",
            "set_function job false fn=a",
            "set_function serving false fn=b",
            "set_function job true fn=c",
            "set_function nuclio false fn=f",
            "code_to_function job true fn=g",
        ]
    );
}

#[test]
fn keyword_and_positional_images_on_multi_line_calls() {
    let text = r#"import mlrun

fn = mlrun.code_to_function(
    name="trainer",
    filename="train.py",
    kind="job",
    image="mlrun/mlrun",  # image="decoy:latest"
)
fn2 = mlrun.new_function("serve", "proj", "", "serving", None, 'mlrun/mlrun:1.6.4')
project.set_function("src/x.py", "x", "job", "python:3.9")
"#;
    assert_eq!(
        summary(text),
        [
            r#"image Run | "mlrun/mlrun" | mlrun/mlrun | trainer"#,
            r#"image Run | 'mlrun/mlrun:1.6.4' | mlrun/mlrun:1.6.4 | serve"#,
            r#"image Run | "python:3.9" | python:3.9 | x"#,
        ]
    );
}

#[test]
fn implicit_concatenation_escapes_and_prefixes_are_not_editable() {
    let text = "import mlrun\n\
        a = mlrun.code_to_function(image=(\"mlrun/\"\n  # why\n  \"mlrun\"))\n\
        b = mlrun.code_to_function(image=r\"mlrun/mlrun\")\n\
        c = mlrun.code_to_function(image=\"mlrun\\x2fmlrun\")\n\
        d = mlrun.code_to_function(image='''mlrun/mlrun''')\n";
    assert_eq!(
        summary(text),
        [
            "image Run | \"mlrun/\"\n  # why\n  \"mlrun\" | - | -".to_string(),
            r#"image Run | r"mlrun/mlrun" | - | -"#.to_string(),
            r#"image Run | "mlrun\x2fmlrun" | - | -"#.to_string(),
            "image Run | '''mlrun/mlrun''' | mlrun/mlrun | -".to_string(),
        ]
    );
}

#[test]
fn unknown_values_are_unverifiable_and_known_ones_are_judged_where_written() {
    let text = r#"import mlrun
IMAGE = "mlrun/mlrun"
reassigned = "a:1"
reassigned = "b:2"
fn = mlrun.code_to_function("f", image=IMAGE)
mlrun.code_to_function("g", image=reassigned)
mlrun.code_to_function("h", image=f"mlrun/mlrun:{v}")
mlrun.code_to_function("i", image=get_image())
mlrun.code_to_function("j", image=cfg.image)
mlrun.code_to_function("k", image="mlrun/mlrun" if gpu is None else gpu)
mlrun.code_to_function("l", image=None)
mlrun.code_to_function("m", image="")
"#;
    assert_eq!(
        summary(text),
        [
            r#"image Run | "mlrun/mlrun" | mlrun/mlrun | f"#,
            // A straight-line reassignment hides the value before it.
            r#"image Run | "b:2" | b:2 | g"#,
            r#"image Run unverifiable (an f-string whose `v` is a Python variable) | f"mlrun/mlrun:{v}" | - | h"#,
            "image Run unverifiable (a function call) | get_image() | - | i",
            "image Run unverifiable (an attribute) | cfg.image | - | j",
            // Both branches: the literal is judged, the unknown one is MLR108.
            r#"image Run | "mlrun/mlrun" | mlrun/mlrun | k"#,
            "image Run unverifiable (a Python variable) | gpu | - | k",
        ]
    );
}

#[test]
fn files_without_an_mlrun_import_and_decoys_give_nothing() {
    for text in [
        "import docker\nclient.run(image=\"python:3.9\")\nset_function(image='x')\n",
        "# import mlrun\nclient.containers.run(image='mlrun/mlrun')\n",
        "import mlrunner\nmlrunner.with_requirements(['pandas'])\n",
    ] {
        assert!(read(text).is_empty(), "{text}");
    }
    // A call only MLRun's SDK has (or one on `mlrun` itself) makes a module an
    // MLRun module without an import: a `project_setup.py` handed its project, a
    // docs notebook whose `mlrun` came from an earlier session.
    for (text, expected) in [
        (
            "def setup(project):\n    project.set_function('a.py', image='mlrun/mlrun')\n",
            "image Run | 'mlrun/mlrun' | mlrun/mlrun | -",
        ),
        (
            "fn = mlrun.new_function('a', kind='job', image='mlrun/mlrun')\n",
            "image Run | 'mlrun/mlrun' | mlrun/mlrun | a",
        ),
    ] {
        assert_eq!(summary(text), [expected], "{text}");
    }
    let text = r#"import mlrun
"""Call project.set_function(image="mlrun/mlrun") to deploy."""
# fn = mlrun.code_to_function(image="mlrun/mlrun")
docs = "mlrun.code_to_function(image='mlrun/mlrun')"
other.run(image="python:3.9")
code_to_function(image="bare:not-imported")
"#;
    assert!(read(text).is_empty());
}

#[test]
fn imports_in_every_form_and_bare_calls() {
    let text = r#"from mlrun import code_to_function as c2f, new_function
import mlrun.feature_store as fs
from mlrun.feature_store import RunConfig
c2f("a", image="img:1")
new_function("b", image="img:2")
fs.RunConfig(image="img:3")
RunConfig(None, False, "img:4")
with_requirements(["pandas"])
"#;
    let images: Vec<String> = summary(text);
    assert_eq!(
        images,
        [
            r#"image Run | "img:1" | img:1 | a"#,
            r#"image Run | "img:2" | img:2 | b"#,
            r#"image Run | "img:3" | img:3 | -"#,
            r#"image Run | "img:4" | img:4 | -"#,
        ]
    );
    assert_eq!(
        summary("from mlrun import *\ncode_to_function(image='x:1')\n").len(),
        1
    );
}

#[test]
fn roles_of_build_project_and_auxiliary_images() {
    let text = r#"import mlrun
project.set_default_image("mlrun/mlrun:1.6.4")
project.build_image(image=".mlrun-project-image-p", base_image="python:3.9")
fn.build_config("target:1", base_image='base:1')
fn.with_sidecar("side", "nginx")
fn.from_image("repo/app:1")
project.set_workflow("main", "wf.py", image="runner:1")
project.set_model_monitoring_function("app.py", image="mon:1")
fn.spec.image = "run:1"
fn.spec.build.base_image = "base:2"
fn.spec.build.image = "target:2"
project.spec.default_image = "default:1"
fn.spec.image_pull_policy = "Always"
"#;
    let roles: Vec<String> = summary(text)
        .iter()
        .map(|line| line.split(" | ").take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        roles,
        [
            r#"image ProjectDefault "mlrun/mlrun:1.6.4""#,
            r#"image BuildTarget ".mlrun-project-image-p""#,
            r#"image BuildBase "python:3.9""#,
            r#"image BuildTarget "target:1""#,
            r#"image BuildBase 'base:1'"#,
            r#"image Auxiliary "nginx""#,
            r#"image Run "repo/app:1""#,
            r#"image Auxiliary "runner:1""#,
            r#"image Run "mon:1""#,
            r#"image Run "run:1""#,
            r#"image BuildBase "base:2""#,
            r#"image BuildTarget "target:2""#,
            r#"image ProjectDefault "default:1""#,
        ]
    );
}

#[test]
fn requirement_lists_have_exact_spans() {
    let text = r#"import mlrun
fn = project.set_function("f.py", name="f", requirements=[
    "pandas",
    'scikit-learn==1.3.2',
    f"numpy>={ver}",
    REQ,
    "tensorflow" "~=2.9",
])
fn.with_requirements(("a==1",), requirements_file="reqs/dev.txt")
fn.spec.build.requirements = ["b>=2"]
"#;
    let facts = read(text);
    let lines = summary(text);
    assert_eq!(
        lines,
        [
            r#"package None | pandas | pandas | f"#,
            r#"package Exact("1.3.2") | scikit-learn==1.3.2 | scikit-learn==1.3.2 | f"#,
            r#"package Range("~=2.9") | "tensorflow" "~=2.9" | - | f"#,
            r#"package Exact("1") | a==1 | a==1 | f"#,
            r#"include reqs/dev.txt | "reqs/dev.txt" | reqs/dev.txt | f"#,
            r#"package Range(">=2") | b>=2 | b>=2 | f"#,
        ]
    );
    // The insertion point for a pin is right after the name, in the file.
    let Fact::Package(pandas) = &facts[0] else {
        panic!("{:?}", facts[0])
    };
    let at = pandas.pin_at.unwrap().start;
    assert_eq!(&text[at - 6..at + 1], "pandas\"");
}

#[test]
fn single_requirement_strings_follow_mlrun() {
    let text = r#"import mlrun
fn.with_requirements("requirements.txt")
fn.with_requirements("src/reqs")
fn.with_requirements("pandas==2.0")
fn.with_requirements("pandas numpy")
fn.with_requirements(reqs)
"#;
    let lines = summary(text);
    assert_eq!(
        lines[0],
        r#"include requirements.txt | "requirements.txt" | requirements.txt | -"#
    );
    assert_eq!(lines[1], r#"include src/reqs | "src/reqs" | src/reqs | -"#);
    assert_eq!(
        lines[2],
        r#"package Exact("2.0") | pandas==2.0 | pandas==2.0 | -"#
    );
    assert!(
        lines[3].starts_with("problem `pandas numpy` is not a requirement"),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);
}

#[test]
fn build_commands_are_pip_commands_shifted_into_the_file() {
    let text = r#"import mlrun
fn = mlrun.code_to_function("f", kind="job")
fn.spec.build.commands = ["pip install lxml==4.9", "apt-get update", "pip install \"a>1\""]
fn.with_commands(["python -m pip install b c~=0.7.0"])
project.build_image(commands=["pip install mlrun"], mlrun_version_specifier="mlrun[complete]>=1.6")
"#;
    assert_eq!(
        summary(text),
        [
            r#"package Exact("4.9") | lxml==4.9 | lxml==4.9 | f"#,
            r#"package Range(">1") | "pip install \"a>1\"" | - | f"#,
            "package None | b | b | f",
            r#"package Range("~=0.7.0") | c~=0.7.0 | c~=0.7.0 | f"#,
            "package None | mlrun | mlrun | -",
            r#"package Range(">=1.6") | mlrun[complete]>=1.6 | mlrun[complete]>=1.6 | -"#,
            // No base image: the build is on MLRun's default, at the called name.
            "image DefaultBuildBase | build_image | - | -",
        ]
    );
}

#[test]
fn hub_references_and_builds() {
    let text = r#"import mlrun
mlrun.import_function("hub://describe")
mlrun.import_function(url="hub://auto_trainer:1.2.0", new_name="trainer")
project.set_function("hub://sql_to_file", "sql")
project.set_function("src/x.py", "x")
project.build_function("trainer", with_mlrun=True, base_image="python:3.9")
fn.build_config(with_mlrun=False, base_image="python:3.9")
project.build_image(with_mlrun=True)
"#;
    assert_eq!(
        summary(text),
        [
            r#"hub describe | "hub://describe" | hub://describe | -"#,
            r#"hub auto_trainer | "hub://auto_trainer:1.2.0" | hub://auto_trainer:1.2.0 | trainer"#,
            r#"hub sql_to_file | "hub://sql_to_file" | hub://sql_to_file | sql"#,
            r#"image BuildBase | "python:3.9" | python:3.9 | trainer"#,
            r#"build Some("python:3.9") | with_mlrun=True | - | trainer"#,
            r#"image BuildBase | "python:3.9" | python:3.9 | -"#,
            // `build_image(with_mlrun=True)`: one build on MLRun's default base image,
            // which also sets the project's default image (shown by
            // `declared_functions_and_whether_they_name_an_image`).
            "image DefaultBuildBase | build_image | - | -",
        ]
    );
}

#[test]
fn variables_carry_the_function_name_to_later_calls() {
    let text = r#"import mlrun
trainer = project.set_function("t.py", name="trainer", kind="job")
trainer.spec.image = "mlrun/mlrun:1.6.4"
trainer.with_requirements(["pandas==2.0"])
trainer = something_else()
trainer.spec.image = "other:1"
"#;
    let functions: Vec<String> = summary(text)
        .iter()
        .map(|line| line.rsplit(" | ").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(functions, ["trainer", "trainer", "-"]);
}

#[test]
fn syntax_errors_are_recovered_and_reported_only_when_nothing_was_read() {
    let text = "import mlrun\ndef broken(:\n    pass\nfn = mlrun.code_to_function('f', image='mlrun/mlrun')\n";
    assert_eq!(
        summary(text),
        [r#"image Run | 'mlrun/mlrun' | mlrun/mlrun | f"#]
    );
    // The parser recovers imports broken in many ways.
    let text = "from mlrun import (code_to_function\nx = = 1\nf = code_to_function(image='a:1')\n";
    assert_eq!(summary(text).len(), 1);
    // The import itself is lost (swallowed by an unclosed string): nothing can be
    // judged, and the user is told where the parser gave up.
    let text = "x = '''\nimport mlrun\nfn = mlrun.code_to_function(image='mlrun/mlrun')\n";
    let facts = read(text);
    assert_eq!(facts.len(), 1, "{facts:?}");
    assert!(matches!(&facts[0], Fact::Problem(p) if p.kind == ProblemKind::Parse));
    // Broken Python that does not import mlrun is none of our business.
    assert!(read("x = = mlrun\n").is_empty());
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "",
        "mlrun",
        "import mlrun\n(((((",
        "import mlrun\nproject.set_function(*args, image='x')\n",
        "import mlrun\nproject.set_function(**kw)\n",
        "import mlrun\nfn.spec.build.commands = 'pip install x'\n",
        "import mlrun\nx = mlrun.code_to_function(image='\\",
        "import mlrun\nfn.with_requirements([''])\n",
        "import mlrun\ncode = \"\"\"\nimport mlrun\n\"\"\"\n\u{feff}é = 'mlrun'",
    ] {
        let _ = read(text);
    }
    let deep = format!(
        "import mlrun\nx = {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let _ = read(&deep);
    let nested: String = (0..2000)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    let _ = read(&format!("import mlrun\n{nested}{}pass\n", " ".repeat(2000)));
}

#[test]
fn package_facts_keep_their_spec() {
    let facts = read("import mlrun\nfn.with_requirements(['pandas'])\n");
    assert!(matches!(&facts[0], Fact::Package(p) if p.spec == Spec::None));
}

/// Ruff panics on `?`, `/`, `,` and `;` escapes inside an open expression; they
/// become `%` magics, and only where its lexer would see an escape.
#[test]
fn rare_escapes_become_magics_only_at_logical_line_starts() {
    let cases = [
        ("mlrun(}\n /x", "mlrun(}\n %x"),
        (
            "?mlrun.new_function\n;f a\n,f a\n%pip install x",
            "%mlrun.new_function\n%f a\n%f a\n%pip install x",
        ),
        (
            "f(a\n    , b)\nx = (a\n / b)",
            "f(a\n    , b)\nx = (a\n / b)",
        ),
        (
            "s = '''\n?not an escape'''\n# (\n?x",
            "s = '''\n?not an escape'''\n# (\n%x",
        ),
        ("x = 'a(' \\\n/ 2", "x = 'a(' \\\n/ 2"),
    ];
    for (before, after) in cases {
        let cell = [Span::new(0, before.len())];
        assert_eq!(without_rare_escapes(before, &cell), after, "{before:?}");
    }
    // Each cell starts afresh: a bracket left open in one does not reach the next.
    let source = "f(\n?x";
    let cells = [Span::new(0, 2), Span::new(3, 5)];
    assert_eq!(without_rare_escapes(source, &cells), "f(\n%x");
}

#[test]
fn an_escape_after_mismatched_brackets_does_not_crash_the_notebook_reader() {
    let source = "import mlrun\nmlrun(}\n /x\nfn = mlrun.new_function(image='mlrun/mlrun')";
    let (facts, _) = read_cells(source, &[Span::new(0, source.len())], &Linked::default());
    assert!(facts
        .iter()
        .all(|fact| fact.origin().span.end <= source.len()));
}

/// The images (with their text at the span) each line of `text` gives.
fn images(text: &str) -> Vec<String> {
    summary(text)
        .into_iter()
        .map(|line| line.split(" | ").take(2).collect::<Vec<_>>().join(" | "))
        .collect()
}

#[test]
fn reaching_definitions_follow_branches_loops_and_straight_line_reassignment() {
    let text = r#"import mlrun
def setup(project):
    image = "dead:1"
    image = "base"
    image = image + ":2"
    project.set_function("a.py", image=image)
    gpu = "cpu:1"
    if project.name:
        gpu = "gpu"
    project.set_function("b.py", image=gpu)
    for step in range(3):
        project.set_function("c.py", image=looped if step else "first:1")
        looped = "later"
    project.set_function("d.py", image=unused_after)
    unused_after = "never-reaches"
"#;
    assert_eq!(
        images(text),
        [
            r#"image Run | "base""#,
            r#"image Run | "cpu:1""#,
            r#"image Run | "gpu""#,
            r#"image Run | "later""#,
            r#"image Run | "first:1""#,
            "image Run unverifiable (a Python variable) | unused_after",
        ]
    );
    // `image + ":2"` is composed: reported on the literal holding the name.
    assert!(
        summary(text)[0].starts_with(r#"image Run | "base" | - "#),
        "{:?}",
        summary(text)
    );
}

#[test]
fn wrappers_are_judged_at_their_calls_and_their_defaults_once() {
    let text = r#"import mlrun
def add(project, name, image="default-image", **kwargs):
    return project.set_function(f"{name}.py", name=name, image=image, **kwargs)

def forward(project, image):
    return add(project, "fwd", image)

def again(image):
    return again(image)

class Helper:
    def deploy(self, image="method-default:1"):
        self.project.set_function("m.py", image=image)

add(project, "a", "positional:1")
add(project, "b", image="keyword")
add(project, "c")
add(project, "d", requirements=["pandas"])
forward(project, "through-forward")
Helper().deploy()
Helper().deploy("method-call")
unrelated.deploy("not-a-helper")
"#;
    assert_eq!(
        summary(text),
        [
            // Call sites in the order the file's calls are listed: `forward`'s body first.
            r#"image Run | "through-forward" | through-forward | -"#,
            r#"image Run | "positional:1" | positional:1 | -"#,
            r#"image Run | "keyword" | keyword | -"#,
            r#"image Run | "default-image" | default-image | -"#,
            r#"package None | pandas | pandas | -"#,
            r#"image Run | "method-default:1" | method-default:1 | -"#,
            r#"image Run | "method-call" | method-call | -"#,
        ]
    );
}

#[test]
fn containers_dicts_and_keyword_spreads() {
    let text = r#"import mlrun
base = ["a==1"]
reqs = [*base, "b"]
reqs += ["c==3"]
reqs.append("d")
reqs.extend(("e==5",))
reqs.insert(0, "f")
fn = project.set_function("x.py", name="x", requirements=reqs)
cfg = {"image": "from-dict", "requirements": ["g"]}
cfg["base_image"] = "set-by-key:1"
fn.build_config(base_image=cfg["base_image"], requirements=cfg.get("requirements"))
project.set_function("y.py", **cfg)
project.set_function("z.py", **dict(image="from-dict-call:1"))
for name, spec in {"t": {"image": "table"}}.items():
    project.set_function(name, image=spec["image"])
"#;
    assert_eq!(
        summary(text),
        [
            "package Exact(\"1\") | a==1 | a==1 | x",
            "package None | b | b | x",
            "package Exact(\"3\") | c==3 | c==3 | x",
            "package None | d | d | x",
            "package Exact(\"5\") | e==5 | e==5 | x",
            "package None | f | f | x",
            r#"image BuildBase | "set-by-key:1" | set-by-key:1 | x"#,
            "package None | g | g | x",
            r#"image Run | "from-dict" | from-dict | -"#,
            r#"image Run | "from-dict-call:1" | from-dict-call:1 | -"#,
            r#"image Run | "table" | table | -"#,
        ]
    );
}

#[test]
fn composed_strings_environment_defaults_and_the_client_version() {
    let text = r#"import os
import mlrun
v = "1.6.4"
REPO = "mlrun/mlrun"
a = mlrun.new_function(image=f"mlrun/mlrun:{v}")
b = mlrun.new_function(image=REPO + ":" + v)
c = mlrun.new_function(image="{}:{}".format(REPO, v))
d = mlrun.new_function(image=f"mlrun/mlrun:{mlrun.__version__}")
e = mlrun.new_function(image="quay.io/mlrun/mlrun:" + mlrun.get_version())
f = mlrun.new_function(image=f"python:{mlrun.__version__}")
g = mlrun.new_function(image=os.environ.get("IMAGE", "env-default"))
h = mlrun.new_function(image=os.getenv("IMAGE"))
i = mlrun.new_function(image=REPO)
"#;
    assert_eq!(
        summary(text),
        [
            r#"image Run | f"mlrun/mlrun:{v}" | - | -"#,
            // `"{}:{}".format(REPO, v)` is the same value on the same literal: once.
            r#"image Run | "mlrun/mlrun" | - | -"#,
            r#"image Run follows client (mlrun/mlrun) | f"mlrun/mlrun:{mlrun.__version__}" | - | -"#,
            r#"image Run follows client (quay.io/mlrun/mlrun) | "quay.io/mlrun/mlrun:" | - | -"#,
            "image Run unverifiable (a tag from the MLRun client's version on an image that is not MLRun's) | f\"python:{mlrun.__version__}\" | - | -",
            r#"image Run | "env-default" | env-default | -"#,
            r#"image Run unverifiable (environment variable IMAGE) | os.getenv("IMAGE") | - | -"#,
            // Also a part of composed strings: no fix may edit it.
            r#"image Run | "mlrun/mlrun" | - | -"#,
        ]
    );
}

#[test]
fn limits_end_in_a_named_unknown_or_a_skipped_file() {
    let many: String = (0..=super::values::MAX_VALUES)
        .map(|i| format!("if c{i}:\n    x = 'img{i}:1'\n"))
        .collect();
    let lines = summary(&format!(
        "import mlrun\n{many}mlrun.new_function(image=x)\n"
    ));
    assert_eq!(lines.len(), super::values::MAX_VALUES + 1);
    assert!(
        lines[super::values::MAX_VALUES].contains("(MAX_VALUES)"),
        "{lines:?}"
    );

    let chain: String = (1..=40).map(|i| format!("v{i} = v{}\n", i - 1)).collect();
    let lines = summary(&format!(
        "import mlrun\nv0 = 'a:1'\n{chain}mlrun.new_function(image=v40)\n"
    ));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("(MAX_VALUE_DEPTH)"), "{lines:?}");

    let deep = format!(
        "import mlrun\nx = {}1{}\n",
        "[".repeat(300),
        "]".repeat(300)
    );
    let facts = read(&deep);
    assert!(
        matches!(&facts[..], [Fact::Problem(p)] if p.kind == ProblemKind::Skipped
            && p.message.contains("(MAX_DEPTH)")),
        "{facts:?}"
    );
}

#[test]
fn a_function_sees_what_the_module_holds_once_it_has_run() {
    let text = r#"import mlrun
IMAGE = "draft"
IMAGE = "final:1"
REQS = ["dropped"]
REQS = ["kept"]
REQS.append("added")
if GPU:
    IMAGE = "gpu:1"

def setup(project):
    project.set_function("a.py", image=IMAGE, requirements=REQS)
"#;
    assert_eq!(
        images(text),
        [
            r#"image Run | "final:1""#,
            r#"image Run | "gpu:1""#,
            "package None | kept",
            "package None | added",
        ]
    );
}

/// The wrappers a module offers: which parameter reaches which SDK argument, by
/// name and position; composed strings and methods are not wrappers.
#[test]
fn a_module_offers_the_functions_whose_parameters_reach_the_sdk() {
    let text = r#"import mlrun
BASE = ["pandas==2.2.2"]

def register(project, path, name, image="mlrun/mlrun:1.12.1", extra=None, *, url=None):
    reqs = BASE + (extra or [])
    project.set_function(path, name=name, image=image, requirements=reqs)
    project.set_function(url)

def composed(project, registry):
    project.set_function("f.py", image=f"{registry}/app:1")

class Setup:
    def add(self, project, image):
        project.set_function("f.py", image=image)
"#;
    let (_, interface) = read_linked(text, &Linked::default());
    type Forwards = Vec<(String, Option<usize>, Param)>;
    let wrappers: Vec<(String, Forwards)> = interface
        .wrappers
        .iter()
        .map(|w| {
            let forwards = w
                .forwards()
                .iter()
                .map(|f| (f.parameter.clone(), f.position, f.param))
                .collect();
            (w.function().to_string(), forwards)
        })
        .collect();
    assert_eq!(
        wrappers,
        vec![(
            "register".to_string(),
            vec![
                ("path".to_string(), Some(1), UrlOrName),
                ("name".to_string(), Some(2), Name),
                ("image".to_string(), Some(3), RUN),
                ("extra".to_string(), Some(4), Requirements),
                ("url".to_string(), None, UrlOrName),
            ]
        )]
    );
}

/// The imports a module takes wrappers through: only those it calls.
#[test]
fn a_module_takes_the_imports_it_calls() {
    let text = "import mlrun\nimport os\nimport helpers as h\nimport src.steps\n\
                from .local import add, unused\nfrom pkg import tools\n\n\
                h.register(1)\nadd(2)\nsrc.steps.build(3)\ntools.go(4)\nos.getenv('X')\n";
    let (_, interface) = read_linked(text, &Linked::default());
    let imports: Vec<(String, u32, Option<String>, String)> = interface
        .imports
        .into_iter()
        .map(|i| (i.module, i.level, i.name, i.bound))
        .collect();
    let import = |m: &str, l, n: Option<&str>, b: &str| {
        (m.to_string(), l, n.map(str::to_string), b.to_string())
    };
    assert_eq!(
        imports,
        vec![
            import("os", 0, None, "os"),
            import("helpers", 0, None, "h"),
            import("src.steps", 0, None, "src.steps"),
            import("local", 1, Some("add"), "add"),
            import("pkg", 0, Some("tools"), "tools"),
        ]
    );
}

/// A build call that names a base image leaves `with_mlrun` to MLRun unless it
/// writes it; a `pip install …mlrun…` command or a version specifier is the
/// build's own `mlrun`.
#[test]
fn builds_leave_with_mlrun_to_mlrun() {
    let text = r#"import mlrun
fn.build_config(base_image="python:3.11")
fn.build_config(base_image="python:3.11", with_mlrun=False)
project.build_function("f", base_image="python:3.11", commands=["pip install mlrun==1.6.4"])
project.build_function("g", base_image="python:3.11", mlrun_version_specifier="mlrun==1.6.4")
fn.with_requirements(["x==1"])
"#;
    let builds: Vec<String> = read(text)
        .iter()
        .filter_map(|fact| match fact {
            Fact::Build(b) => Some(format!(
                "{} {:?} {:?} {}",
                &text[b.origin.span.start..b.origin.span.end],
                b.with_mlrun,
                b.base_image,
                b.installs_mlrun
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        builds,
        [
            r#"base_image="python:3.11" None Some("python:3.11") false"#,
            r#"with_mlrun=False Some(false) Some("python:3.11") false"#,
            r#"base_image="python:3.11" None Some("python:3.11") true"#,
            r#"base_image="python:3.11" None Some("python:3.11") true"#,
        ]
    );
}

/// `build_function` with no target, of a function the module declares untagged,
/// builds MLRun's default target, named after the module's one project.
#[test]
fn an_untagged_build_gets_mlruns_default_target() {
    let text = r#"import mlrun
project = mlrun.get_or_create_project("my_proj", "./")
project.set_function("a.py", name="train_fn", kind="job", image="mlrun/mlrun:1.6.4")
project.set_function("b.py", name="tagged", kind="job", tag="v1", image="mlrun/mlrun:1.6.4")
project.set_function("c.py", name="own", kind="job", image="mlrun/mlrun:1.6.4")
project.build_function("train_fn")
project.build_function("tagged")
project.build_function("own", image=".mlrun/func-my-proj-own:1")
project.build_function("elsewhere")
"#;
    let targets: Vec<String> = read(text)
        .iter()
        .filter_map(|fact| match fact {
            Fact::Image(image) if image.role == ImageRole::DefaultBuildTarget => Some(format!(
                "{} {} {:?}",
                &text[image.origin.span.start..image.origin.span.end],
                match &image.value {
                    ImageValue::Literal(r) => r.text.clone(),
                    other => format!("{other:?}"),
                },
                image.origin.function
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        targets,
        [r#"build_function .mlrun/func-my-proj-train-fn:latest Some("train_fn")"#]
    );
}
