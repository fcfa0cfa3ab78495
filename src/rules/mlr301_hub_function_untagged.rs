//! MLR301 hub-function-untagged: a `hub://name` reference with no `:tag`.
//!
//! MLRun resolves an untagged hub reference to the hub's `latest` (`mlrun-semantics.md`
//! §2.2, §5), so a hub release changes the function's code, image and requirements.

use super::{why_then, Check, Rule, Scope};
use crate::diagnostic::{Finding, Severity};
use crate::facts::{Fact, HubRefFact};

pub const RULE: Rule = Rule {
    code: "MLR301",
    name: "hub-function-untagged",
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a function-hub reference `hub://name` with no `:tag`: resolves the hub's latest",
    page: include_str!("../../rules/MLR301-hub-function-untagged.md"),
    check: Check::Fact(check),
};

fn check(fact: &Fact, _scope: &Scope) -> Option<Finding> {
    let Fact::HubRef(HubRefFact { origin, reference }) = fact else {
        return None;
    };
    let (what, why) = match reference.tag.as_deref() {
        None => (
            "has no tag".to_string(),
            "it resolves the hub's `latest`, so a new hub release changes the function's code, \
             image and requirements",
        ),
        Some(tag @ "latest") => (
            format!("is tagged `{tag}`"),
            "`latest` is what the hub publishes last, so a new hub release changes the \
             function's code, image and requirements",
        ),
        Some(tag @ "master") => (
            format!("is tagged `{tag}`"),
            "`master` is the hub's development branch (what MLRun 1.3–1.4 resolved an untagged \
             reference to), so every hub commit changes the function's code, image and \
             requirements",
        ),
        Some(_) => return None,
    };
    let base = reference
        .url
        .rsplit_once(':')
        .filter(|_| reference.tag.is_some())
        .map_or(reference.url.trim_end_matches(':'), |(base, _)| base);
    Some(Finding {
        span: origin.span,
        message: format!("hub function `{}` {what}", reference.url),
        help: Some(why_then(
            why,
            &format!(
                "pin a hub version: `{base}:<version>`, the `version` of the function's hub \
                 `item.yaml`"
            ),
        )),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{HubRef, Origin};
    use crate::rules::testing::no_client;
    use crate::span::Span;

    fn hub(url: &str) -> Fact {
        Fact::HubRef(HubRefFact {
            origin: Origin::new(Span::new(5, 5 + url.len()), None, "spec.functions[0].url"),
            reference: HubRef::parse(url).expect("a hub URL"),
        })
    }

    #[test]
    fn untagged_hub_reference() {
        let finding = RULE
            .check_fact(&hub("hub://describe"), &no_client())
            .unwrap();
        assert_eq!(
            finding,
            Finding {
                span: Span::new(5, 19),
                message: "hub function `hub://describe` has no tag".into(),
                help: Some(
                    "it resolves the hub's `latest`, so a new hub release changes the \
                     function's code, image and requirements; pin a hub version: \
                     `hub://describe:<version>`, the `version` of the function's hub \
                     `item.yaml`"
                        .into()
                ),
                fix: None,
            }
        );
        let with_source = RULE
            .check_fact(&hub("hub://mysource/describe"), &no_client())
            .unwrap();
        assert!(with_source
            .message
            .starts_with("hub function `hub://mysource/describe` has no tag"));
    }

    #[test]
    fn latest_and_master_float_like_no_tag() {
        let latest = RULE
            .check_fact(&hub("hub://describe:latest"), &no_client())
            .unwrap();
        assert_eq!(
            latest.message,
            "hub function `hub://describe:latest` is tagged `latest`"
        );
        assert_eq!(
            latest.help.as_deref(),
            Some(
                "`latest` is what the hub publishes last, so a new hub release changes the \
                 function's code, image and requirements; pin a hub version: \
                 `hub://describe:<version>`, the `version` of the function's hub `item.yaml`"
            )
        );
        let master = RULE
            .check_fact(&hub("hub://src/describe:master"), &no_client())
            .unwrap();
        assert_eq!(
            master.message,
            "hub function `hub://src/describe:master` is tagged `master`"
        );
        assert!(master.help.unwrap().ends_with(
            "`hub://src/describe:<version>`, the `version` of the function's hub `item.yaml`"
        ));
    }

    #[test]
    fn tagged_passes() {
        assert_eq!(
            RULE.check_fact(&hub("hub://describe:1.2.0"), &no_client()),
            None
        );
    }
}
