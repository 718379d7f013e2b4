//! Shared by the integration tests: the built extension and real `php` processes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// ../shared, or `XDM_RELAY_SHARED`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("XDM_RELAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}

/// The release build of the extension: `XDM_RELAY_SO` when set (the Makefile builds it before
/// the tests), otherwise built once per test binary.
pub fn extension_so() -> PathBuf {
    if let Some(so) = std::env::var_os("XDM_RELAY_SO").map(PathBuf::from).filter(|p| p.exists()) {
        return so;
    }
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--lib", "-p", "xdm_relay"])
            .current_dir(repo_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the extension failed");
    });
    repo_root().join("target/release/libxdm_relay.so")
}

/// Runs `php -d extension=... -r CODE`, with extra `-d` settings.
pub fn php(code: &str, ini: &[(&str, &str)]) -> Output {
    php_command(ini)
        .arg("-r")
        .arg(code)
        .stdin(Stdio::null())
        .output()
        .expect("run php")
}

/// Runs a PHP script file.
pub fn php_file(script: &Path, args: &[&str], ini: &[(&str, &str)]) -> Output {
    php_command(ini)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run php")
}

pub fn php_command(ini: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(std::env::var("PHP").unwrap_or_else(|_| "php".to_string()));
    cmd.arg("-n")
        .arg("-d")
        .arg(format!("extension={}", extension_so().display()))
        .arg("-d")
        .arg("display_errors=stderr")
        .arg("-d")
        .arg("error_reporting=-1");
    for (k, v) in ini {
        cmd.arg("-d").arg(format!("{k}={v}"));
    }
    cmd
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
