//! Reading a directory of Panther-style rules: every `*.yml` / `*.yaml` with
//! `AnalysisType: rule`, and the Python file its `Filename` names, next to it. Other analysis
//! types (policies, data models, ...) are skipped; anything unreadable is reported per file.

use std::path::{Path, PathBuf};

use crate::detect::metadata::RuleMetadata;

/// One rule read from disk, not loaded into Python yet.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub yaml_path: PathBuf,
    pub metadata: RuleMetadata,
    pub source: String,
}

/// A file that could not be read as a rule.
#[derive(Debug, Clone)]
pub struct RuleFileError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The rules in `dir` (not recursive), sorted by file name; errors for the files that failed.
pub fn read_rules_dir(dir: &Path) -> Result<(Vec<RuleFile>, Vec<RuleFileError>), std::io::Error> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
        })
        .collect();
    paths.sort();
    let (mut rules, mut errors) = (Vec::new(), Vec::new());
    for path in paths {
        match read_rule(&path) {
            Ok(Some(rule)) => rules.push(rule),
            Ok(None) => {}
            Err(message) => errors.push(RuleFileError { path, message }),
        }
    }
    Ok((rules, errors))
}

/// `None` for YAML of another analysis type.
fn read_rule(yaml_path: &Path) -> Result<Option<RuleFile>, String> {
    let yaml = std::fs::read_to_string(yaml_path).map_err(|e| e.to_string())?;
    // Other analysis types have other required keys: look at the type before checking.
    let analysis_type = serde_yaml::from_str::<serde_yaml::Value>(&yaml)
        .ok()
        .and_then(|v| v.get("AnalysisType")?.as_str().map(str::to_ascii_lowercase));
    if analysis_type.as_deref().is_some_and(|t| t.trim() != "rule") {
        return Ok(None);
    }
    let metadata = RuleMetadata::parse(&yaml).map_err(|e| e.to_string())?;
    let py_path = yaml_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&metadata.filename);
    let source = std::fs::read_to_string(&py_path)
        .map_err(|e| format!("reading {}: {e}", py_path.display()))?;
    Ok(Some(RuleFile {
        yaml_path: yaml_path.to_owned(),
        metadata,
        source,
    }))
}
