//! MLR107 image-implicit-default: a function that names no image at all.
//!
//! With no `spec.image`, no build base image or target and no project
//! `default_image`, MLRun runs the function on its kind's default image
//! (`function_defaults.image_by_kind`, `mlrun-semantics.md` §1.4), an untagged
//! MLRun image that is then tagged from the submitting client's version: MLR101's
//! problem with nothing in the file to point at.

use super::mlrun_tag::{at_least, missing_version_hint, ClientTag};
use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, FunctionFact};

pub const RULE: Rule = Rule {
    code: "MLR107",
    name: "image-implicit-default",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a function that names no image at all: it runs on the kind's default MLRun image, tagged from the client version",
    page: include_str!("../../rules/MLR107-image-implicit-default.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, scope: &Scope) -> Option<Finding> {
    let Fact::Function(FunctionFact {
        origin,
        kind,
        names_image: false,
    }) = fact
    else {
        return None;
    };
    if scope.project_default_image {
        return None;
    }
    let kind = kind.as_deref().unwrap_or("job");
    let client = ClientTag::from_scope(scope);
    let default = default_image(kind, client.as_ref().map(|c| c.tag.as_str()))?;
    let subject = match &origin.function {
        Some(name) => format!("function `{name}`"),
        None => "this function".to_string(),
    };
    let help = match (&client, default.mlrun_image) {
        (Some(client), Some(repository)) => format!(
            "set a pinned image on the function, e.g. `{repository}:{}` ({}), or give the \
             project a pinned `default_image`",
            client.tag,
            client.provenance()
        ),
        (None, Some(repository)) => format!(
            "set a pinned image on the function (`{repository}:X.Y.Z` for the project's MLRun \
             client) or give the project a pinned `default_image`; {}",
            missing_version_hint(scope)
        ),
        (_, None) => "set a pinned image on the function or give the project a pinned \
                      `default_image`"
            .to_string(),
    };
    Some(Finding {
        span: origin.span,
        message: format!("{subject} names no image"),
        help: Some(why_then(
            &format!(
                "it runs on the default image of kind `{kind}`, {}",
                default.description
            ),
            &help,
        )),
        fix: None,
    })
}

/// What a kind runs on when nothing names an image.
struct DefaultImage {
    /// For messages: the image and how MLRun picks its tag.
    description: &'static str,
    /// The MLRun image to suggest pinning, when the default is one.
    mlrun_image: Option<&'static str>,
}

const MLRUN: DefaultImage = DefaultImage {
    description: "`mlrun/mlrun`, tagged from the submitting client's version, so a client \
                  upgrade changes the image in production",
    mlrun_image: Some("mlrun/mlrun"),
};

/// `function_defaults.image_by_kind` across releases (`mlrun-semantics.md` §1.4, §1.5),
/// at the client's release when known. `None` for kinds that run in no container.
fn default_image(kind: &str, client_tag: Option<&str>) -> Option<DefaultImage> {
    let from = |major, minor| client_tag.and_then(|tag| at_least(tag, major, minor));
    let image = match kind {
        "local" | "handler" => return None,
        "dask" => match from(1, 10) {
            Some(true) => MLRUN,
            Some(false) => DefaultImage {
                description: "`mlrun/ml-base` (deprecated in 1.10.0), tagged from the \
                              submitting client's version",
                mlrun_image: Some("mlrun/mlrun"),
            },
            None => DefaultImage {
                description: "`mlrun/ml-base` before MLRun 1.10 and `mlrun/mlrun` after, \
                              tagged from the submitting client's version",
                mlrun_image: Some("mlrun/mlrun"),
            },
        },
        "mpijob" => match from(1, 5) {
            Some(false) => DefaultImage {
                description: "`mlrun/ml-models` (removed in 1.5.0), tagged from the \
                              submitting client's version",
                mlrun_image: Some("mlrun/mlrun"),
            },
            _ => MLRUN,
        },
        // The kind exists from 1.7; its default is the API server's configuration
        // (`function_defaults.image_by_kind`, sent to the client and applied by
        // MLRun 1.12.1 `launcher/client.py:73`, `db/httpdb.py:722`).
        "application" => match from(1, 7).zip(from(1, 9)) {
            Some((false, _)) => return None,
            Some((true, false)) => DefaultImage {
                description: "`python:3.9` (the API server's configured default for it in MLRun \
                              1.7–1.8), which moves with every Python 3.9 patch release",
                mlrun_image: None,
            },
            Some((true, true)) => DefaultImage {
                description: "`python` (the API server's configured default for it from MLRun \
                              1.9), which MLRun tags with the submitting client's Python minor \
                              version (`python:3.11` for a Python 3.11 client), so it moves with \
                              the client's Python and every patch release",
                mlrun_image: None,
            },
            None => DefaultImage {
                description: "`python:3.9` in MLRun 1.7–1.8 and, from 1.9, `python` tagged with \
                              the submitting client's Python minor version (`python:3.11`), the \
                              API server's configured default; either moves with every patch \
                              release",
                mlrun_image: None,
            },
        },
        "spark" => DefaultImage {
            description: "the cluster's default Spark image (`.spark-job-default-image` or the \
                          configured `spark_app_image`), which the cluster can rebuild in place",
            mlrun_image: None,
        },
        "remote-spark" => DefaultImage {
            description: "`.remote-spark-default-image`, which the cluster can rebuild in place",
            mlrun_image: None,
        },
        _ => MLRUN,
    };
    Some(image)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Origin;
    use crate::rules::testing::{check as run, client, no_client};
    use crate::span::Span;

    fn function(kind: Option<&str>, names_image: bool) -> Fact {
        Fact::Function(FunctionFact {
            origin: Origin::new(Span::new(0, 8), None, "spec.functions[0]")
                .with_function(Some("trainer".into())),
            kind: kind.map(Into::into),
            names_image,
        })
    }

    #[test]
    fn job_without_image() {
        let finding = run(&RULE, &function(Some("job"), false), &client("1.6.4")).unwrap();
        assert_eq!(
            finding,
            Finding {
                span: Span::new(0, 8),
                message: "function `trainer` names no image".into(),
                help: Some(
                    "it runs on the default image of kind `job`, `mlrun/mlrun`, tagged from \
                     the submitting client's version, so a client upgrade changes the image in \
                     production; set a pinned image on the function, e.g. `mlrun/mlrun:1.6.4` \
                     (client version 1.6.4 from --mlrun-version), or give the project a pinned \
                     `default_image`"
                        .into()
                ),
                fix: None,
            }
        );
    }

    #[test]
    fn kind_defaults_follow_the_client_release() {
        let dask_old = run(&RULE, &function(Some("dask"), false), &client("1.6.4")).unwrap();
        let help = |finding: Finding| finding.help.unwrap_or_default();
        assert!(help(dask_old).contains("`mlrun/ml-base` (deprecated in 1.10.0)"));
        let dask_new = run(&RULE, &function(Some("dask"), false), &client("1.10.0")).unwrap();
        assert!(help(dask_new).contains("kind `dask`, `mlrun/mlrun`, tagged"));
        let mpi_old = run(&RULE, &function(Some("mpijob"), false), &client("1.4.1")).unwrap();
        assert!(help(mpi_old).contains("`mlrun/ml-models` (removed in 1.5.0)"));
        let app = run(&RULE, &function(Some("application"), false), &no_client()).unwrap();
        assert_eq!(
            app.help.as_deref(),
            Some(
                "it runs on the default image of kind `application`, `python:3.9` in MLRun \
                 1.7–1.8 and, from 1.9, `python` tagged with the submitting client's Python minor \
                 version (`python:3.11`), the API server's configured default; either moves with \
                 every patch release; set a pinned image on the function or give the project a \
                 pinned `default_image`"
            )
        );
        let app_1_8 = run(
            &RULE,
            &function(Some("application"), false),
            &client("1.8.0"),
        )
        .unwrap();
        assert!(help(app_1_8).starts_with(
            "it runs on the default image of kind `application`, `python:3.9` (the API server's \
             configured default for it in MLRun 1.7–1.8)"
        ));
        let app_1_9 = run(
            &RULE,
            &function(Some("application"), false),
            &client("1.9.2"),
        )
        .unwrap();
        assert!(help(app_1_9).starts_with(
            "it runs on the default image of kind `application`, `python` (the API server's \
             configured default for it from MLRun 1.9), which MLRun tags with the submitting \
             client's Python minor version (`python:3.11` for a Python 3.11 client)"
        ));
        // MLRun 1.6 has no `application` kind: nothing to say about its image.
        assert_eq!(
            run(
                &RULE,
                &function(Some("application"), false),
                &client("1.6.4")
            ),
            None
        );
        let unknown = run(&RULE, &function(None, false), &no_client()).unwrap();
        assert_eq!(unknown.message, "function `trainer` names no image");
        let help = help(unknown);
        assert!(help.contains("kind `job`"));
        assert!(help.contains("pass --mlrun-version"));
    }

    #[test]
    fn passes() {
        assert_eq!(
            run(&RULE, &function(Some("job"), true), &client("1.6.4")),
            None
        );
        assert_eq!(
            run(&RULE, &function(Some("local"), false), &client("1.6.4")),
            None
        );
        let mut with_default = client("1.6.4");
        with_default.project_default_image = true;
        assert_eq!(
            run(&RULE, &function(Some("job"), false), &with_default),
            None
        );
    }
}
