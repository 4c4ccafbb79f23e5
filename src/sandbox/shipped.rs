//! The exercise plugins shipped inside the aktovka binary (`plugins/quiz`, `plugins/karel`).
//!
//! `build.rs` compiles them for `wasm32-wasip1` and generates the table included here, so
//! a course finds the shipped plugins by name without carrying them in `plugins/`.

include!(concat!(env!("OUT_DIR"), "/shipped_plugins.rs"));

/// The WebAssembly module of the shipped plugin `name` (`"quiz"`, `"karel"`), if there is one.
pub fn shipped_plugin(name: &str) -> Option<&'static [u8]> {
    SHIPPED
        .iter()
        .find(|(shipped, _)| *shipped == name)
        .map(|(_, bytes)| *bytes)
}

/// The names of all shipped plugins, sorted.
pub fn shipped_plugin_names() -> &'static [&'static str] {
    NAMES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_plugin_is_a_wasm_module() {
        let names = shipped_plugin_names();
        for shipped in ["binary", "karel", "password", "quiz", "spreadsheet"] {
            assert!(names.contains(&shipped), "{shipped} in {names:?}");
        }
        assert!(names.is_sorted(), "{names:?}");
        for name in shipped_plugin_names() {
            let bytes = shipped_plugin(name).unwrap_or_default();
            assert!(
                bytes.starts_with(b"\0asm\x01\0\0\0"),
                "{name} is a wasm module"
            );
        }
        assert!(shipped_plugin("no-such-plugin").is_none());
    }
}
