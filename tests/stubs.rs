//! The committed PHP stubs must be what `cargo php stubs` generates from the Rust code now.

mod common;

use std::process::Command;

#[test]
fn committed_stubs_match_the_rust_code() {
    let root = common::repo_root();
    let out = Command::new(env!("CARGO"))
        .args(["php", "stubs", "--manifest", "Cargo.toml", "--stdout"])
        .current_dir(&root)
        .output()
        .expect("run cargo php stubs (installed by scripts/setup.sh)");
    assert!(
        out.status.success(),
        "cargo php stubs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("stubs are UTF-8");
    let committed = std::fs::read_to_string(root.join("stubs/xdm_relay.stubs.php")).expect("read committed stubs");
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "stubs/xdm_relay.stubs.php is out of date: run `make stubs` and commit the result"
    );
    assert!(generated.contains("function xdm_relay_map(string $event, array $payload): string"));
}
