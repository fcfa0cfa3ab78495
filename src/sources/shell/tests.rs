//! Exact facts of `mlrun build` / `mlrun run` lines: field, role, the bytes at
//! `span` and `edit_span`, function.

use super::*;

fn rows(text: &str) -> Vec<String> {
    let at = |span: Span| &text[span.start..span.end];
    read(text)
        .iter()
        // A base image without `--with-mlrun` (left to MLRun) is shown by
        // `a_base_image_alone_leaves_with_mlrun_to_mlrun`.
        .filter(|fact| !matches!(fact, Fact::Build(b) if b.with_mlrun.is_none()))
        .map(|fact| {
            let o = fact.origin();
            let edit = o
                .edit_span
                .map_or("-".to_string(), |e| format!("<{}>", at(e)));
            let function = o.function.as_deref().unwrap_or("-");
            match fact {
                Fact::Image(f) => format!(
                    "image {:?} {} [{}] edit={edit} fn={function}",
                    f.role,
                    o.field,
                    at(o.span)
                ),
                Fact::Package(_) => {
                    format!(
                        "package {} [{}] edit={edit} fn={function}",
                        o.field,
                        at(o.span)
                    )
                }
                Fact::Build(b) => format!(
                    "build {} [{}] base={}",
                    o.field,
                    at(o.span),
                    b.base_image.as_deref().unwrap_or("-")
                ),
                Fact::HubRef(h) => {
                    format!("hub {} [{}] name={}", o.field, at(o.span), h.reference.name)
                }
                other => format!("other {other:?}"),
            }
        })
        .collect()
}

#[test]
fn build_base_target_commands_and_with_mlrun() {
    let text = "set -e\nmlrun build --name trainer -b python:3.11 -i .mlrun/func-p-trainer:v1 \\\n  -c 'pip install pandas==2.2.2 scikit-learn' --with-mlrun function.yaml\n";
    assert_eq!(
        rows(text),
        [
            "image BuildBase mlrun build --base-image [python:3.11] edit=<python:3.11> fn=trainer",
            "image BuildTarget mlrun build --image [.mlrun/func-p-trainer:v1] edit=<.mlrun/func-p-trainer:v1> fn=trainer",
            "package mlrun build --command [pandas==2.2.2] edit=<pandas==2.2.2> fn=trainer",
            "package mlrun build --command [scikit-learn] edit=<scikit-learn> fn=trainer",
            "build mlrun build --with-mlrun [--with-mlrun] base=python:3.11",
        ]
    );
}

#[test]
fn spellings_of_options_and_programs() {
    let text = concat!(
        "MLRUN_DBPATH=http://api python -m mlrun build --base-image=\"mlrun/mlrun\" hub://describe\n",
        "if true; then /usr/local/bin/mlrun build -bquay.io/mlrun/mlrun-gpu; fi\n",
        "mlrun run -i data.csv --image mlrun/mlrun:1.6.4 --kind job train.py\n",
        "mlrun run --image \"\" x.py && mlrun deploy --image ignored\n",
        "echo mlrun build -b not-a-command\n",
        "mlrun build -- -b\n",
    );
    assert_eq!(
        rows(text),
        [
            "image BuildBase mlrun build --base-image [--base-image=\"mlrun/mlrun\"] edit=<mlrun/mlrun> fn=-",
            "hub mlrun build [hub://describe] name=describe",
            "image BuildBase mlrun build --base-image [-bquay.io/mlrun/mlrun-gpu] edit=<quay.io/mlrun/mlrun-gpu> fn=-",
            "image Run mlrun run --image [mlrun/mlrun:1.6.4] edit=<mlrun/mlrun:1.6.4> fn=-",
        ]
    );
}

#[test]
fn templated_values_are_facts_without_guessing() {
    let text = "mlrun build -b \"$BASE\" -c \"pip install -r requirements.txt\"\n";
    let facts = read(text);
    assert_eq!(facts.len(), 2, "{facts:?}");
    assert!(
        matches!(&facts[0], Fact::Image(f) if matches!(f.value, crate::facts::ImageValue::Unverifiable { .. }))
    );
    assert!(matches!(&facts[1], Fact::Include(_)));
}

#[test]
fn never_panics_on_broken_shell() {
    for text in [
        "mlrun build -b",
        "mlrun build -c '",
        "mlrun",
        "python -m",
        "mlrun run --image",
        "mlrun build --base-image=",
        "\\",
    ] {
        let _ = read(text);
    }
}

#[test]
fn a_base_image_alone_leaves_with_mlrun_to_mlrun() {
    let text = "mlrun build -b python:3.11 -c 'pip install mlrun==1.6.4' fn.yaml\nmlrun build -b python:3.11 fn.yaml\n";
    let builds: Vec<String> = read(text)
        .iter()
        .filter_map(|fact| match fact {
            Fact::Build(b) => Some(format!(
                "{} {:?} {}",
                &text[b.origin.span.start..b.origin.span.end],
                b.with_mlrun,
                b.installs_mlrun
            )),
            _ => None,
        })
        .collect();
    assert_eq!(builds, ["python:3.11 None true", "python:3.11 None false"]);
}
