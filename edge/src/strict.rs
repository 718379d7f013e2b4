//! `--strict-xdm`: every event is checked against the official XDM schemas by the project's
//! checker (`tools/xdm_check.py --serve`, JSON Schema plus field-path check), kept running as
//! one child process so a check costs a pipe round trip, not an interpreter start.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct StrictChecker {
    _child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl StrictChecker {
    pub fn start(checker: &Path, schemas: &Path) -> Result<StrictChecker, String> {
        if !schemas.is_dir() {
            return Err(format!("XDM schema directory {} not found (use --xdm-schemas DIR)", schemas.display()));
        }
        let mut child = Command::new("python3")
            .arg(checker)
            .arg("--schemas")
            .arg(schemas)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the XDM checker {} with python3: {e}", checker.display()))?;
        let input = child.stdin.take().ok_or("checker has no stdin")?;
        let output = BufReader::new(child.stdout.take().ok_or("checker has no stdout")?);
        let mut checker = StrictChecker { _child: child, input, output };
        // Fails fast when python3 lacks the jsonschema package.
        checker.round_trip(&serde_json::json!({}))?;
        Ok(checker)
    }

    fn round_trip(&mut self, doc: &serde_json::Value) -> Result<Vec<String>, String> {
        let mut line = doc.to_string();
        line.push('\n');
        self.input.write_all(line.as_bytes()).map_err(|e| format!("XDM checker stopped: {e}"))?;
        self.input.flush().map_err(|e| format!("XDM checker stopped: {e}"))?;
        let mut answer = String::new();
        let n = self.output.read_line(&mut answer).map_err(|e| format!("XDM checker stopped: {e}"))?;
        if n == 0 {
            return Err("XDM checker exited (is the Python jsonschema package installed?)".to_string());
        }
        serde_json::from_str(&answer).map_err(|e| format!("XDM checker answered nonsense: {e}"))
    }

    /// The schema problems of one document; a broken checker is itself reported as a problem.
    pub fn check(&mut self, xdm: &serde_json::Value) -> Vec<String> {
        self.round_trip(xdm).unwrap_or_else(|e| vec![e])
    }
}
