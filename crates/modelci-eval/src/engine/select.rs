//! Which engine runs the models (`--engine tract|onnxruntime|auto`), and finding onnxruntime.
//!
//! onnxruntime is not linked: its shared library is opened at run time, found in this order:
//! 1. `ORT_DYLIB_PATH`, the path of the library itself (the variable the `ort` crate reads);
//! 2. an installed `onnxruntime` Python package: the `sys.path` of `$VIRTUAL_ENV/bin/python`
//!    (an activated venv) and then of `python3` on `PATH` is scanned for
//!    `onnxruntime/capi/libonnxruntime.so*` (`.dylib` on macOS, `onnxruntime.dll` on Windows),
//!    the library the PyPI wheel ships.
//!
//! `auto` (the default) takes onnxruntime when it is found and loads, else tract, and says why
//! in [`EngineInfo::selected`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::EvalError;

/// The onnxruntime release modelci is tested with, and tells users to install.
pub const TESTED_ONNXRUNTIME: &str = "1.32.0";

/// The oldest onnxruntime minor version (1.x) that works: the C API version `ort` asks for.
pub const MIN_ONNXRUNTIME_MINOR: u32 = 17;

/// How to install onnxruntime, for messages.
pub const INSTALL_HINT: &str =
    "install it with `pip install onnxruntime==1.32.0` or point ORT_DYLIB_PATH at libonnxruntime";

/// The error of `--engine onnxruntime` in a build without the `onnxruntime` feature.
pub const NOT_BUILT: &str =
    "this build of modelci has no onnxruntime engine (built without the `onnxruntime` feature)";

/// Whether this binary is statically linked (the musl release archives and the default
/// container image): such a binary has no dynamic loader and cannot open onnxruntime's shared
/// library.
pub const STATIC_BUILD: bool = cfg!(all(target_os = "linux", target_feature = "crt-static"));

/// Why a static build cannot use onnxruntime, and what to do instead.
pub const STATIC_BUILD_REASON: &str = "this modelci binary is statically linked (the musl release build), and a static binary cannot open onnxruntime's shared library; use a glibc build (`cargo install --locked` from the repository, or the container image built from the Dockerfile's `onnxruntime` target), or run with --engine tract";

/// The engine the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// tract, always.
    Tract,
    /// onnxruntime, or an error when it cannot be found or loaded.
    OnnxRuntime,
    /// onnxruntime when it is found and loads, else tract.
    #[default]
    Auto,
}

/// What the user asked for: the engine and its session options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EngineOptions {
    /// Which engine.
    pub choice: EngineChoice,
    /// Threads of onnxruntime's intra-op pool per session (0: onnxruntime's default, one per
    /// core). tract runs on the calling thread.
    pub threads: usize,
}

/// An engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngineKind {
    /// tract (pure Rust).
    #[serde(rename = "tract")]
    Tract,
    /// onnxruntime, through its C API.
    #[serde(rename = "onnxruntime")]
    OnnxRuntime,
}

impl EngineKind {
    /// The name users type after `--engine`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tract => "tract",
            Self::OnnxRuntime => "onnxruntime",
        }
    }

    /// The other engine.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Tract => Self::OnnxRuntime,
            Self::OnnxRuntime => Self::Tract,
        }
    }
}

impl std::fmt::Display for EngineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a report says about the engine that ran the models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// `tract` or `onnxruntime`.
    pub name: EngineKind,
    /// Its version.
    pub version: String,
    /// onnxruntime's shared library (absent for tract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<PathBuf>,
    /// Why this engine: the flag, or what `auto` found.
    pub selected: String,
    /// Intra-op threads per session (0: onnxruntime's default, one per core; tract: 1).
    pub threads: usize,
    /// Graph optimisation: `all` (onnxruntime's `ORT_ENABLE_ALL`, as Python's default) or
    /// `optimised plan per input shape` (tract).
    pub graph_optimization: String,
}

impl EngineInfo {
    /// One line for a report: name, version, threads, optimisation.
    #[must_use]
    pub fn summary(&self) -> String {
        let threads = match (self.name, self.threads) {
            (EngineKind::Tract, _) => "1 thread per worker".to_owned(),
            (EngineKind::OnnxRuntime, 0) => "intra-op threads: onnxruntime's default".to_owned(),
            (EngineKind::OnnxRuntime, 1) => "1 intra-op thread per worker".to_owned(),
            (EngineKind::OnnxRuntime, n) => format!("{n} intra-op threads per worker"),
        };
        format!(
            "{} {} ({threads}, graph optimisation: {})",
            self.name, self.version, self.graph_optimization
        )
    }
}

/// A resolved engine, ready to load models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    info: EngineInfo,
    /// Whether errors suggest `--engine` with the other engine (only when the binary has the
    /// flag: the engine came from [`Engine::resolve`]).
    suggest: bool,
}

impl Engine {
    /// tract, as chosen by the program (its errors suggest no flag).
    #[must_use]
    pub fn tract() -> Self {
        Self {
            suggest: false,
            ..Self::tract_because("tract (the program's choice)".to_owned())
        }
    }

    fn tract_because(selected: String) -> Self {
        Self {
            suggest: true,
            info: EngineInfo {
                name: EngineKind::Tract,
                version: super::tract::VERSION.to_owned(),
                library: None,
                selected,
                threads: 1,
                graph_optimization: "optimised plan per input shape".to_owned(),
            },
        }
    }

    /// The engine `options` ask for; `env` reads environment variables (`ORT_DYLIB_PATH`,
    /// `VIRTUAL_ENV`).
    ///
    /// # Errors
    /// [`EvalError::Engine`] for `--engine onnxruntime` when no library is found (naming where
    /// it looked and how to install it), the library is too old or does not load; and for
    /// `ORT_DYLIB_PATH` set to a file that does not exist, whatever the choice but `tract`.
    pub fn resolve(
        options: &EngineOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EvalError> {
        Self::resolve_in(options, env, STATIC_BUILD)
    }

    /// [`Engine::resolve`] in a binary that is statically linked (`static_build`) or not.
    fn resolve_in(
        options: &EngineOptions,
        env: &dyn Fn(&str) -> Option<String>,
        static_build: bool,
    ) -> Result<Self, EvalError> {
        if options.choice == EngineChoice::Tract {
            return Ok(Self::tract_because("--engine tract".to_owned()));
        }
        let explicit = options.choice == EngineChoice::OnnxRuntime;
        let fail = |reason: String| EvalError::Engine {
            engine: EngineKind::OnnxRuntime,
            reason,
        };
        if static_build {
            return if explicit {
                Err(fail(STATIC_BUILD_REASON.to_owned()))
            } else {
                Ok(Self::tract_because(
                    "auto: this static (musl) build cannot open onnxruntime's shared library"
                        .to_owned(),
                ))
            };
        }
        let found = match find_library(env) {
            Ok(found) => found,
            Err(looked) if explicit => {
                return Err(fail(format!(
                    "no onnxruntime library found (looked at {looked}); {INSTALL_HINT}"
                )));
            }
            Err(_) => {
                return Ok(Self::tract_because(
                    "auto: no onnxruntime library found (ORT_DYLIB_PATH, Python packages)"
                        .to_owned(),
                ));
            }
        };
        if let Found::Missing(path) = &found {
            return Err(fail(format!(
                "ORT_DYLIB_PATH is {} but there is no such file; {INSTALL_HINT}",
                path.display()
            )));
        }
        let (Found::Env(path) | Found::Python(path) | Found::Missing(path)) = found;
        match load(&path, options.threads) {
            Ok(mut info) => {
                info.selected = if explicit {
                    "--engine onnxruntime".to_owned()
                } else {
                    format!("auto: onnxruntime found at {}", path.display())
                };
                Ok(Self {
                    info,
                    suggest: true,
                })
            }
            Err(reason) if explicit => Err(fail(reason)),
            Err(reason) => Ok(Self::tract_because(format!(
                "auto: onnxruntime at {} not usable ({reason})",
                path.display()
            ))),
        }
    }

    /// The other engine, for `--cross-check` (the model run in both): tract when this is
    /// onnxruntime, else onnxruntime resolved with `options`' threads, as `--engine
    /// onnxruntime` would be.
    ///
    /// # Errors
    /// As [`Engine::resolve`] for `--engine onnxruntime` (no library, too old, a static build).
    pub fn cross_check_engine(
        &self,
        options: &EngineOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EvalError> {
        let other = match self.kind() {
            EngineKind::OnnxRuntime => Self::tract(),
            EngineKind::Tract => Self::resolve(
                &EngineOptions {
                    choice: EngineChoice::OnnxRuntime,
                    ..*options
                },
                env,
            )?,
        };
        Ok(other.chosen_by("--cross-check (the other engine)"))
    }

    /// The same engine, with `selected` as the reason it was chosen (e.g. `--cross-check`).
    #[must_use]
    pub fn chosen_by(mut self, selected: impl Into<String>) -> Self {
        self.info.selected = selected.into();
        self
    }

    /// What the reports say about this engine.
    #[must_use]
    pub fn info(&self) -> &EngineInfo {
        &self.info
    }

    /// The kind of engine.
    #[must_use]
    pub fn kind(&self) -> EngineKind {
        self.info.name
    }

    /// `reason` (what the engine said about a model it cannot load or run), naming the engine
    /// and, when the binary has `--engine`, suggesting the other.
    #[must_use]
    pub fn cannot_run(&self, reason: &str) -> String {
        let name = self.info.name;
        if self.suggest {
            format!(
                "{name} cannot run it: {reason} (try it with --engine {})",
                name.other()
            )
        } else {
            format!("{name} cannot run it: {reason}")
        }
    }
}

/// Where the library was found.
enum Found {
    /// `ORT_DYLIB_PATH`.
    Env(PathBuf),
    /// `ORT_DYLIB_PATH` names a file that does not exist.
    Missing(PathBuf),
    /// In a Python package.
    Python(PathBuf),
}

/// Finds onnxruntime's shared library; the error says where it looked.
fn find_library(env: &dyn Fn(&str) -> Option<String>) -> Result<Found, String> {
    if let Some(path) = env("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return Ok(if path.is_file() {
            Found::Env(path)
        } else {
            Found::Missing(path)
        });
    }
    let mut looked = vec!["ORT_DYLIB_PATH (unset)".to_owned()];
    let mut pythons: Vec<PathBuf> = Vec::new();
    if let Some(venv) = env("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        pythons.push(Path::new(&venv).join(if cfg!(windows) {
            "Scripts/python.exe"
        } else {
            "bin/python"
        }));
    }
    pythons.push(PathBuf::from(if cfg!(windows) {
        "python"
    } else {
        "python3"
    }));
    for python in pythons {
        match python_path(&python) {
            Some(entries) => {
                if let Some(library) = entries.iter().find_map(|dir| library_in(dir)) {
                    return Ok(Found::Python(library));
                }
                looked.push(format!(
                    "the sys.path of {} ({} entries)",
                    python.display(),
                    entries.len()
                ));
            }
            None => looked.push(format!("{} (not runnable)", python.display())),
        }
    }
    Err(looked.join(", "))
}

/// The `sys.path` entries of a Python interpreter, or `None` when it does not run.
fn python_path(python: &Path) -> Option<Vec<PathBuf>> {
    let output = std::process::Command::new(python)
        .args(["-c", "import sys; print('\\n'.join(sys.path))"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(PathBuf::from)
            .collect()
    })
}

/// The library inside an `onnxruntime` package under `dir`, if any (the highest version when
/// there are several).
fn library_in(dir: &Path) -> Option<PathBuf> {
    let capi = dir.join("onnxruntime").join("capi");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&capi)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_library_name)
        })
        .collect();
    found.sort();
    found.pop()
}

/// Whether a file name is onnxruntime's shared library on this platform.
fn is_library_name(name: &str) -> bool {
    if cfg!(target_os = "windows") {
        name == "onnxruntime.dll"
    } else if cfg!(target_os = "macos") {
        name.starts_with("libonnxruntime") && name.ends_with(".dylib")
    } else {
        name == "libonnxruntime.so" || name.starts_with("libonnxruntime.so.")
    }
}

/// The version in a library's file name (`libonnxruntime.so.1.32.0`, `libonnxruntime.1.32.0.dylib`).
#[must_use]
pub fn version_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let digits: Vec<&str> = name
        .split('.')
        .skip_while(|part| part.parse::<u32>().is_err())
        .take_while(|part| part.parse::<u32>().is_ok())
        .collect();
    (digits.len() >= 2).then(|| digits.join("."))
}

/// The minor version of a `1.x.y` version string.
#[must_use]
pub fn minor_version(version: &str) -> Option<u32> {
    let mut parts = version.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

/// Opens the library at `path` (once per process) and describes the engine.
#[cfg(feature = "onnxruntime")]
fn load(path: &Path, threads: usize) -> Result<EngineInfo, String> {
    if let Some(version) = version_from_file_name(path)
        && minor_version(&version).is_some_and(|m| m < MIN_ONNXRUNTIME_MINOR)
    {
        return Err(too_old(path, &version));
    }
    let version = super::onnxruntime::init(path).map_err(|e| match e {
        super::onnxruntime::InitError::TooOld(version) => too_old(path, &version),
        super::onnxruntime::InitError::Other(reason) => {
            format!("cannot load {}: {reason}; {INSTALL_HINT}", path.display())
        }
    })?;
    Ok(EngineInfo {
        name: EngineKind::OnnxRuntime,
        version,
        library: Some(path.to_owned()),
        selected: String::new(),
        threads,
        graph_optimization: "all".to_owned(),
    })
}

#[cfg(not(feature = "onnxruntime"))]
fn load(_path: &Path, _threads: usize) -> Result<EngineInfo, String> {
    Err(NOT_BUILT.to_owned())
}

/// The message for a library older than modelci needs.
#[cfg(feature = "onnxruntime")]
fn too_old(path: &Path, version: &str) -> String {
    format!(
        "{} is onnxruntime {version}; modelci needs 1.{MIN_ONNXRUNTIME_MINOR} or newer (tested with {TESTED_ONNXRUNTIME}): install it with `pip install onnxruntime=={TESTED_ONNXRUNTIME}`",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_library_file_names() {
        let v = |name: &str| version_from_file_name(Path::new(name));
        assert_eq!(v("/x/libonnxruntime.so.1.32.0").as_deref(), Some("1.32.0"));
        assert_eq!(v("libonnxruntime.1.17.1.dylib").as_deref(), Some("1.17.1"));
        assert_eq!(v("/x/libonnxruntime.so"), None);
        assert_eq!(minor_version("1.32.0"), Some(32));
        assert_eq!(minor_version("2.0.0"), None);
    }

    #[test]
    fn library_names_are_recognised() {
        if cfg!(target_os = "linux") {
            assert!(is_library_name("libonnxruntime.so.1.32.0"));
            assert!(is_library_name("libonnxruntime.so"));
            assert!(!is_library_name("libonnxruntime_providers_shared.so"));
        }
    }

    #[test]
    fn tract_is_used_without_a_search_and_auto_falls_back_to_it() {
        let tract = Engine::resolve(
            &EngineOptions {
                choice: EngineChoice::Tract,
                threads: 0,
            },
            &|_| panic!("tract does not look anything up"),
        )
        .expect("tract");
        assert_eq!(tract.kind(), EngineKind::Tract);
        let dir = tempfile::tempdir().expect("temp dir");
        // A venv without onnxruntime, and no python3 on this PATH lookup's answer: auto falls
        // back to tract (python3 may exist on the machine, but its packages are scanned only).
        let missing = dir.path().join("nothing.so");
        let env = |name: &str| (name == "ORT_DYLIB_PATH").then(|| missing.display().to_string());
        let error = Engine::resolve(&EngineOptions::default(), &env).expect_err("missing file");
        assert!(error.to_string().contains("ORT_DYLIB_PATH is"), "{error}");
    }

    #[test]
    fn a_static_build_refuses_onnxruntime_in_one_line_and_auto_falls_back_to_tract() {
        let library = "/work/venvs/onnx/lib/libonnxruntime.so.1.32.0".to_owned();
        let env = |name: &str| (name == "ORT_DYLIB_PATH").then(|| library.clone());
        let explicit = EngineOptions {
            choice: EngineChoice::OnnxRuntime,
            threads: 1,
        };
        let error = Engine::resolve_in(&explicit, &env, true).expect_err("static");
        let text = error.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(
            text.contains("statically linked") && text.contains("--engine tract"),
            "{text}"
        );
        let auto = Engine::resolve_in(&EngineOptions::default(), &env, true).expect("auto");
        assert_eq!(auto.kind(), EngineKind::Tract);
        assert!(
            auto.info().selected.contains("static (musl) build"),
            "{:?}",
            auto.info()
        );
        // The real constant: a dynamically linked test binary is not a static build.
        const { assert!(!STATIC_BUILD || cfg!(target_env = "musl")) };
    }

    #[test]
    fn a_too_old_library_is_refused_naming_both_versions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = dir.path().join("libonnxruntime.so.1.16.3");
        std::fs::write(&old, b"not a library").expect("write");
        let env = |name: &str| (name == "ORT_DYLIB_PATH").then(|| old.display().to_string());
        let options = EngineOptions {
            choice: EngineChoice::OnnxRuntime,
            threads: 1,
        };
        let error = Engine::resolve(&options, &env).expect_err("too old");
        let text = error.to_string();
        if cfg!(feature = "onnxruntime") {
            assert!(text.contains("1.16.3") && text.contains("1.17"), "{text}");
            assert!(text.contains("pip install onnxruntime==1.32.0"), "{text}");
        } else {
            assert!(text.contains("onnxruntime"), "{text}");
        }
        // auto falls back to tract and says why.
        let auto = Engine::resolve(&EngineOptions::default(), &env).expect("auto");
        assert_eq!(auto.kind(), EngineKind::Tract);
        assert!(
            auto.info().selected.contains("not usable"),
            "{:?}",
            auto.info()
        );
    }
}
