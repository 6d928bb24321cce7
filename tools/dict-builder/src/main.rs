//! Builds lindera's IPADIC dictionary from Debian's `mecab-ipadic` sources.
//!
//! lindera's `embed-ipadic` build script downloads the IPADIC tarball from a host outside the
//! package registries. It skips the download when `LINDERA_BUILD_DICTIONARY_CACHE_DIR` already
//! holds a built dictionary at `<dir>/<crate version>-fmt<format version>/lindera-ipadic/`
//! whose `metadata.json` matches the one the `lindera-ipadic` crate ships. This tool produces
//! exactly that directory from the EUC-JP CSV sources that Debian's `mecab-ipadic` package
//! installs, so a machine that reaches only the package registries can build the project.
//!
//! Usage: `dict-builder --src /usr/share/mecab/dic/ipadic --crate-dir <lindera-ipadic dir> --cache <dir>`

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::{DICTIONARY_FORMAT_VERSION, Metadata};

struct Args {
    src: PathBuf,
    crate_dir: PathBuf,
    cache: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut src = None;
    let mut crate_dir = None;
    let mut cache = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--src" => src = Some(PathBuf::from(value)),
            "--crate-dir" => crate_dir = Some(PathBuf::from(value)),
            "--cache" => cache = Some(PathBuf::from(value)),
            other => bail!("unknown argument {other}; expected --src, --crate-dir, --cache"),
        }
    }
    Ok(Args {
        src: src.context("--src DIR (mecab-ipadic sources) is required")?,
        crate_dir: crate_dir.context("--crate-dir DIR (the lindera-ipadic crate) is required")?,
        cache: cache.context("--cache DIR (LINDERA_BUILD_DICTIONARY_CACHE_DIR) is required")?,
    })
}

/// Reads `version = "…"` from the `[package]` table of a crate's Cargo.toml.
fn crate_version(crate_dir: &Path) -> Result<String> {
    let manifest = fs::read_to_string(crate_dir.join("Cargo.toml"))
        .with_context(|| format!("reading {}/Cargo.toml", crate_dir.display()))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(rest) = line.strip_prefix("version") {
            let value = rest
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            return Ok(value.to_string());
        }
    }
    bail!("no [package] version in {}/Cargo.toml", crate_dir.display())
}

/// Copies every source file into `dest`, converting EUC-JP to UTF-8 (lindera-ipadic's
/// metadata declares UTF-8 input).
fn convert_sources(src: &Path, dest: &Path) -> Result<usize> {
    fs::create_dir_all(dest)?;
    let mut converted = 0;
    for entry in fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name() else {
            continue;
        };
        let is_source = path
            .extension()
            .is_some_and(|ext| ext == "csv" || ext == "def");
        if !is_source {
            continue;
        }
        let bytes = fs::read(&path)?;
        let (text, _, had_errors) = encoding_rs::EUC_JP.decode(&bytes);
        if had_errors {
            bail!("{} is not valid EUC-JP", path.display());
        }
        fs::write(dest.join(name), text.as_bytes())?;
        converted += 1;
    }
    if converted == 0 {
        bail!("no .csv/.def files in {}", src.display());
    }
    Ok(converted)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let version = crate_version(&args.crate_dir)?;
    let metadata_bytes = fs::read(args.crate_dir.join("metadata.json"))
        .with_context(|| format!("reading {}/metadata.json", args.crate_dir.display()))?;
    let metadata = Metadata::load(&metadata_bytes)
        .map_err(|e| anyhow::anyhow!("parsing lindera-ipadic metadata.json: {e}"))?;

    let build_dir = args
        .cache
        .join(format!("{version}-fmt{DICTIONARY_FORMAT_VERSION}"));
    let output = build_dir.join("lindera-ipadic");
    if output.join("metadata.json").is_file() {
        println!("dictionary already built at {}", output.display());
        return Ok(());
    }
    let staging_src = build_dir.join("tmp-debian-ipadic-utf8");
    let staging_out = build_dir.join("tmp-output-lindera-ipadic");
    let _ = fs::remove_dir_all(&staging_src);
    let _ = fs::remove_dir_all(&staging_out);
    let files = convert_sources(&args.src, &staging_src)?;
    println!("converted {files} IPADIC source files from EUC-JP to UTF-8");

    DictionaryBuilder::new(metadata)
        .build_dictionary(&staging_src, &staging_out)
        .map_err(|e| anyhow::anyhow!("building the dictionary: {e}"))?;
    fs::rename(&staging_out, &output)
        .with_context(|| format!("moving the dictionary into {}", output.display()))?;
    fs::remove_dir_all(&staging_src)?;
    println!(
        "built lindera-ipadic {version} dictionary at {}",
        output.display()
    );
    Ok(())
}
