//! A minimal reader of a zip's central directory, used only to list entry names exactly as
//! stored. The zip crate keys entries by name and silently keeps one of two duplicates; a
//! bundle with duplicate names must be refused by name instead, so we list them ourselves.

use super::BundleError;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

/// Every entry name in central-directory order, duplicates included.
pub fn entry_names(data: &[u8]) -> Result<Vec<String>, BundleError> {
    let bad = |why: &str| BundleError::NotZip(why.to_owned());
    if data.len() < 22 {
        return Err(bad("soubor je příliš krátký / file too short to be a zip"));
    }
    let lowest = data.len().saturating_sub(22 + 0xFFFF);
    let eocd = (lowest..=data.len() - 22)
        .rev()
        .find(|&i| u32_at(data, i) == Some(EOCD_SIG))
        .ok_or_else(|| bad("chybí konec centrálního adresáře / no end of central directory"))?;
    let mut count = u64::from(u16_at(data, eocd + 10).ok_or_else(|| bad("eocd"))?);
    let mut offset = u64::from(u32_at(data, eocd + 16).ok_or_else(|| bad("eocd"))?);
    if count == 0xFFFF || offset == 0xFFFF_FFFF {
        let loc = eocd.checked_sub(20).ok_or_else(|| bad("zip64 locator"))?;
        if u32_at(data, loc) != Some(ZIP64_LOCATOR_SIG) {
            return Err(bad("chybí zip64 lokátor / missing zip64 locator"));
        }
        let z = u64_at(data, loc + 8).ok_or_else(|| bad("zip64 locator"))? as usize;
        if u32_at(data, z) != Some(ZIP64_EOCD_SIG) {
            return Err(bad("poškozený zip64 záznam / bad zip64 record"));
        }
        count = u64_at(data, z + 32).ok_or_else(|| bad("zip64 eocd"))?;
        offset = u64_at(data, z + 48).ok_or_else(|| bad("zip64 eocd"))?;
    }
    let mut at = usize::try_from(offset).map_err(|_| bad("offset"))?;
    let mut names = Vec::new();
    for _ in 0..count {
        if names.len() > super::limits::MAX_ENTRIES {
            break;
        }
        if u32_at(data, at) != Some(CENTRAL_SIG) {
            return Err(bad(
                "poškozený centrální adresář / corrupt central directory",
            ));
        }
        let name_len = usize::from(u16_at(data, at + 28).ok_or_else(|| bad("header"))?);
        let extra_len = usize::from(u16_at(data, at + 30).ok_or_else(|| bad("header"))?);
        let comment_len = usize::from(u16_at(data, at + 32).ok_or_else(|| bad("header"))?);
        let raw = data
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("název za koncem souboru / name past the end"))?;
        let name = std::str::from_utf8(raw)
            .map_err(|_| BundleError::UnsafeName {
                entry: String::from_utf8_lossy(raw).into_owned(),
                reason: "název není UTF-8 / name is not UTF-8",
            })?
            .to_owned();
        names.push(name);
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}
