//! The README's rule table is generated from the registry; this test fails when it
//! is stale and rewrites it when run with `UPDATE_README=1`.

use mlrun_lint::rules;
use std::path::Path;

const START: &str = "<!-- rules-table -->\n";
const END: &str = "<!-- /rules-table -->\n";

fn table() -> String {
    let mut out = String::from("| code | name | default | flags |\n|---|---|---|---|\n");
    for rule in rules::ALL {
        let severity = if rule.enabled_by_default {
            rule.severity.as_str()
        } else {
            "off"
        };
        out.push_str(&format!(
            "| [{code}](rules/{code}-{name}.md) | `{name}` | {severity} | {summary} |\n",
            code = rule.code,
            name = rule.name,
            summary = rule.summary.replace('|', "\\|"),
        ));
    }
    out
}

#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(START)
        .expect("README has the rules-table marker")
        + START.len();
    let end = readme[start..].find(END).map_or(start, |i| start + i);
    let expected = table();
    if readme[start..end] != expected {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!(
                "{}{expected}{END}{}",
                &readme[..start],
                &readme[end..].trim_start_matches(END)
            );
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!("README rule table is stale; run `UPDATE_README=1 cargo test --test docs`");
        }
    }
}
