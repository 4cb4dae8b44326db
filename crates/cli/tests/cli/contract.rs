//! The CLI contract: `call` prints only JSON on stdout; failures end stderr with a JSON error
//! line and a non-zero exit; human subcommands print tables or `--json`.

use crate::support::{bin, error_line, run, stdout_json};
use serde_json::Value;

#[test]
fn fresh_data_dir_get_settings_prints_effective_paths() {
    let d = tempfile::tempdir().unwrap();
    let v = stdout_json(&run(d.path(), &["call", "get_settings"]));
    assert_eq!(v["skills_path"], d.path().join("skills").to_str().unwrap());
    assert_eq!(
        v["workspace_path"],
        d.path().join("workspace").to_str().unwrap()
    );
    assert!(d.path().join("skill-builder.db").is_file());
}

#[test]
fn data_dir_can_come_from_the_environment() {
    let d = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["call", "get_data_dir"])
        .env("SKILL_BUILDER_DATA_DIR", d.path())
        .output()
        .unwrap();
    assert_eq!(
        stdout_json(&o),
        Value::String(d.path().to_str().unwrap().into())
    );
}

#[test]
fn failures_end_stderr_with_a_json_error_and_exit_non_zero() {
    let d = tempfile::tempdir().unwrap();
    let e = error_line(&run(d.path(), &["call", "no_such_command", "{}"]));
    assert_eq!(e["error"]["kind"], "unknown_command");
    let e = error_line(&run(d.path(), &["call", "create_skill", "{not json"]));
    assert_eq!(e["error"]["kind"], "invalid_input");
    let e = error_line(&run(
        d.path(),
        &["call", "create_skill", r#"{"name":"../evil"}"#],
    ));
    assert_eq!(e["error"]["kind"], "invalid_input");
    assert!(!d.path().join("evil").exists());
    let e = error_line(&run(d.path(), &["call", "create_skill", r#"{"name":7}"#]));
    assert_eq!(e["error"]["kind"], "invalid_input");
    let e = error_line(&run(
        d.path(),
        &["call", "read_file", r#"{"filePath":"/etc/passwd"}"#],
    ));
    assert_eq!(e["error"]["kind"], "invalid_input");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/etc/passwd"));
    stdout_json(&run(
        d.path(),
        &["call", "create_skill", r#"{"name":"dup"}"#],
    ));
    let e = error_line(&run(
        d.path(),
        &["call", "create_skill", r#"{"name":"dup"}"#],
    ));
    assert_eq!(e["error"]["kind"], "conflict");
    let list = stdout_json(&run(d.path(), &["call", "list_skills"]));
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "failed calls left nothing behind"
    );
}

/// The names of core's one declaration, in declaration order.
macro_rules! declared_names {
    ($($kind:tt $name:ident => $path:path [$($tag:ident)*];)*) => {
        [$(stringify!($name)),*]
    };
}

/// A foundation marker of the declaration, expanded independently of the catalog table.
macro_rules! declared_foundation {
    ($($kind:tt $name:ident => $path:path [$($tag:ident)*];)*) => {
        [$((stringify!($name), [$(stringify!($tag)),*].contains(&"foundation"))),*]
    };
}

#[test]
fn call_list_is_the_declared_list() {
    let d = tempfile::tempdir().unwrap();
    let o = run(d.path(), &["call", "--list"]);
    assert!(o.status.success());
    let names: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(names, skill_builder_core::for_each_command!(declared_names));
    // …so the 41 foundation commands every shell needs are all listed.
    let foundation = skill_builder_core::for_each_command!(declared_foundation);
    assert_eq!(foundation.iter().filter(|(_, f)| *f).count(), 41);
}

#[test]
fn human_subcommands_print_tables_and_json() {
    let d = tempfile::tempdir().unwrap();
    let o = run(
        d.path(),
        &[
            "create",
            "crm-rules",
            "--purpose",
            "source",
            "--tags",
            "Sales,crm",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(d.path(), &["list"]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        table.contains("crm-rules") && table.contains("crm,sales"),
        "{table}"
    );
    let o = run(d.path(), &["tag", "crm-rules", "a", "b"]);
    assert!(o.status.success());
    let v = stdout_json(&run(d.path(), &["list", "--json"]));
    assert_eq!(v[0]["tags"], serde_json::json!(["a", "b"]));
    let o = run(d.path(), &["usage"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Total cost: $0.0000"));
    let v = stdout_json(&run(d.path(), &["usage", "--json"]));
    assert_eq!(v["summary"]["total_runs"], 0);
    let o = run(d.path(), &["delete", "crm-rules"]);
    assert!(o.status.success());
    let v = stdout_json(&run(d.path(), &["list", "--json"]));
    assert_eq!(v, serde_json::json!([]));
    let e = error_line(&run(d.path(), &["delete", "crm-rules"]));
    assert_eq!(e["error"]["kind"], "not_found");
}
