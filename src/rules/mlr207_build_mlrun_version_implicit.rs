//! MLR207 build-mlrun-version-implicit: a build that installs `mlrun` on a non-MLRun
//! base image with no exact `mlrun` pin among its requirements.

use super::{why_then, Check, RequirementSet, Rule, Scope, SetFinding};
use crate::diagnostic::{Finding, Severity};
use crate::facts::requirement::Spec;
use crate::facts::ImageRef;

pub const RULE: Rule = Rule {
    code: "MLR207",
    name: "build-mlrun-version-implicit",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a build with `with_mlrun` true or unset (on by default there) on a non-MLRun base image and no exact `mlrun` pin among its requirements",
    page: include_str!("../../rules/MLR207-build-mlrun-version-implicit.md"),
    check: Check::Set(check),
};

fn check(set: &RequirementSet, scope: &Scope) -> Vec<SetFinding> {
    let pinned = set.packages.iter().any(|member| {
        member
            .fact
            .name
            .as_ref()
            .is_some_and(|n| n.normalized == "mlrun")
            && matches!(member.fact.spec, Spec::Exact(_))
    });
    if pinned {
        return Vec::new();
    }
    set.builds
        .iter()
        // Written `false`, or `mlrun` installed by a command or a version
        // specifier: the builder adds nothing.
        .filter(|build| build.fact.with_mlrun != Some(false) && !build.fact.installs_mlrun)
        .filter_map(|build| {
            // No base image means MLRun's default, `mlrun/mlrun`, on which MLRun
            // switches `with_mlrun` off: only other bases get a client installed,
            // and on them an unset `with_mlrun` is on (`_resolve_build_with_mlrun`).
            let base = build.fact.base_image.as_deref()?;
            let image = ImageRef::parse(base)?;
            if image.is_mlrun() {
                return None;
            }
            let how = match build.fact.with_mlrun {
                Some(_) => "`with_mlrun: true`",
                None => "`with_mlrun`, on by default for a base image that is not MLRun's,",
            };
            let pin = scope.client.as_ref().map_or_else(
                || "an exact `mlrun==X.Y.Z` (the project's client version)".to_string(),
                |client| {
                    format!(
                        "`mlrun=={}` (client version from {})",
                        client.version, client.source
                    )
                },
            );
            Some(SetFinding {
                file: build.file,
                finding: Finding {
                    span: build.fact.origin.span,
                    message: format!(
                        "the build of {} installs an unpinned `mlrun` on `{base}`",
                        set.owner
                    ),
                    help: Some(why_then(
                        &format!(
                            "{how} with no exact `mlrun` pin among its requirements installs \
                             the version of whichever client submits the build"
                        ),
                        &format!(
                            "add {pin} to the function's requirements, or a `pip install` \
                             command or `mlrun_version_specifier` with that version, or set \
                             `with_mlrun: false` when the base image has `mlrun` already"
                        ),
                    )),
                    fix: None,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::requirement::{parse_requirement, SpanMap};
    use crate::facts::{BuildFact, Origin, PackageFact};
    use crate::rules::{ClientVersion, Member};
    use crate::span::Span;

    fn build(base: Option<&str>) -> BuildFact {
        BuildFact {
            sets_project_default: false,
            installs_mlrun: false,
            origin: Origin::new(Span::new(5, 9), None, "spec.build.with_mlrun"),
            with_mlrun: Some(true),
            base_image: base.map(str::to_string),
        }
    }

    fn set<'a>(
        builds: Vec<&'a BuildFact>,
        packages: Vec<Member<'a, PackageFact>>,
    ) -> RequirementSet<'a> {
        RequirementSet {
            owner: "function `train`".into(),
            packages,
            builds: builds
                .into_iter()
                .map(|fact| Member {
                    file: 0,
                    path: "function.yaml",
                    fact,
                })
                .collect(),
        }
    }

    /// MLRun turns an unset `with_mlrun` on for a base that is not MLRun's; a
    /// written `false`, or `mlrun` installed by a command, leaves the build alone.
    #[test]
    fn an_unset_with_mlrun_is_on_and_an_own_install_stops_it() {
        let mut unset = build(Some("python:3.11"));
        unset.with_mlrun = None;
        let mut off = build(Some("python:3.11"));
        off.with_mlrun = Some(false);
        let mut own = build(Some("python:3.11"));
        own.installs_mlrun = true;
        let findings = check(&set(vec![&unset, &off, &own], vec![]), &Scope::default());
        assert_eq!(findings.len(), 1);
        assert!(findings[0]
            .finding
            .help
            .as_deref()
            .unwrap()
            .starts_with("`with_mlrun`, on by default for a base image that is not MLRun's, with"));
        assert!(BuildFact::command_installs_mlrun(
            "pip install mlrun[complete]==1.6.4"
        ));
        assert!(BuildFact::command_installs_mlrun(
            "python -m pip install x 'mlrun==1.6.4'"
        ));
        assert!(!BuildFact::command_installs_mlrun("pip install pandas"));
    }

    #[test]
    fn needs_a_pin_only_on_non_mlrun_bases() {
        let python = build(Some("python:3.11"));
        let mlrun = build(Some("mlrun/mlrun:1.6.4"));
        let default = build(None);
        let scope = Scope {
            client: Some(ClientVersion {
                version: "1.6.4".into(),
                source: "--mlrun-version".into(),
                origin: crate::rules::VersionOrigin::Declared,
            }),
            ..Scope::default()
        };
        let findings = check(&set(vec![&python, &mlrun, &default], vec![]), &scope);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].finding.span, Span::new(5, 9));
        assert_eq!(
            findings[0].finding.message,
            "the build of function `train` installs an unpinned `mlrun` on `python:3.11`"
        );
        assert_eq!(
            findings[0].finding.help.as_deref(),
            Some(
                "`with_mlrun: true` with no exact `mlrun` pin among its requirements installs \
                  the version of whichever client submits the build; add `mlrun==1.6.4` \
                  (client version from --mlrun-version) to the function's requirements, or a \
                  `pip install` command or `mlrun_version_specifier` with that version, or set \
                  `with_mlrun: false` when the base image has `mlrun` already"
            )
        );
        let pin = parse_requirement("mlrun[complete]==1.6.4")
            .unwrap()
            .into_fact(&SpanMap::slice(0), "requirements");
        let pinned = set(
            vec![&python],
            vec![Member {
                file: 0,
                path: "function.yaml",
                fact: &pin,
            }],
        );
        assert!(check(&pinned, &scope).is_empty());
    }
}
