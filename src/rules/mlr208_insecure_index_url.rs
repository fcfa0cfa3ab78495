//! MLR208 insecure-index-url: a package source over plain HTTP, or a host whose
//! TLS certificate pip is told not to check.
//!
//! Builds run pip inside the cluster; without TLS anyone on the path between the
//! build pod and the index can serve other packages, and the image then runs code
//! nobody reviewed. A `--find-links` directory is local, so only `http://` values
//! are judged; a trusted host is insecure whatever its URLs say.

use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, IndexFact, IndexOption};

pub const RULE: Rule = Rule {
    code: "MLR208",
    name: "insecure-index-url",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a package index or find-links location over plain `http://`, or `--trusted-host`",
    page: include_str!("../../rules/MLR208-insecure-index-url.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let Fact::PackageIndex(IndexFact {
        origin,
        option,
        value,
    }) = fact
    else {
        return None;
    };
    let what = match option {
        IndexOption::IndexUrl => "the package index",
        IndexOption::ExtraIndexUrl => "the extra package index",
        IndexOption::FindLinks => "the find-links location",
        IndexOption::TrustedHost => {
            return Some(Finding {
                span: origin.span,
                message: format!("`{value}` is a trusted host"),
                help: Some(why_then(
                    "pip does not check its TLS certificate and accepts plain HTTP from it, so \
                     anyone between the build and the host can serve other packages",
                    "drop the trusted host, serve the index over `https://` with a valid \
                     certificate, and add the CA that signed it to the build image if it is \
                     internal",
                )),
                fix: None,
            });
        }
    };
    let plain_http = value
        .trim()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    plain_http.then(|| Finding {
        span: origin.span,
        message: format!("{what} `{value}` is plain HTTP"),
        help: Some(why_then(
            "anyone between the build and the server can serve other packages",
            "use `https://` with a valid certificate (add the CA that signed it to the build \
             image if it is internal)",
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{check as run, index, no_client, span_in};

    #[test]
    fn plain_http_index() {
        let value = "http://pypi.internal/simple";
        assert_eq!(
            run(&RULE, &index(IndexOption::IndexUrl, value), &no_client()),
            Some(Finding {
                span: span_in(value, value),
                message: "the package index `http://pypi.internal/simple` is plain HTTP".into(),
                help: Some(
                    "anyone between the build and the server can serve other packages; use \
                     `https://` with a valid certificate (add the CA that signed it to the \
                     build image if it is internal)"
                        .into()
                ),
                fix: None,
            })
        );
        for (option, what) in [
            (IndexOption::ExtraIndexUrl, "the extra package index"),
            (IndexOption::FindLinks, "the find-links location"),
        ] {
            let finding = run(&RULE, &index(option, "HTTP://mirror/x"), &no_client()).unwrap();
            assert!(finding
                .message
                .starts_with(&format!("{what} `HTTP://mirror/x`")));
        }
    }

    #[test]
    fn trusted_host() {
        let value = "pypi.internal";
        assert_eq!(
            run(&RULE, &index(IndexOption::TrustedHost, value), &no_client()),
            Some(Finding {
                span: span_in(value, value),
                message: "`pypi.internal` is a trusted host".into(),
                help: Some(
                    "pip does not check its TLS certificate and accepts plain HTTP from it, so \
                     anyone between the build and the host can serve other packages; drop the \
                     trusted host, serve the index over `https://` with a valid certificate, \
                     and add the CA that signed it to the build image if it is internal"
                        .into()
                ),
                fix: None,
            })
        );
    }

    #[test]
    fn passes() {
        for (option, value) in [
            (IndexOption::IndexUrl, "https://pypi.org/simple"),
            (
                IndexOption::ExtraIndexUrl,
                "https://download.pytorch.org/whl/cu118",
            ),
            (IndexOption::FindLinks, "./wheels"),
            (
                IndexOption::FindLinks,
                "https://data.pyg.org/whl/torch-2.1.0.html",
            ),
            (IndexOption::IndexUrl, "httpx://odd"),
        ] {
            assert_eq!(
                run(&RULE, &index(option, value), &no_client()),
                None,
                "{value}"
            );
        }
    }
}
