//! The README's copy-paste configurations. Emacs's and Kakoune's blocks are run as pasted
//! in the real editors (tests/emacs.rs, tests/kakoune.rs), Neovim's setups through
//! editors/nvim (tests/nvim.rs); Helix cannot run here, so its `languages.toml` block is held
//! to Helix's format and to the command the tested editors start.

fn block<'a>(readme: &'a str, after: &str, fence: &str) -> &'a str {
    let from = readme
        .find(after)
        .unwrap_or_else(|| panic!("README: no {after:?}"));
    let start = from + readme[from..].find(fence).expect("a fenced block") + fence.len();
    let end = start + readme[start..].find("```").unwrap();
    &readme[start..end]
}

#[test]
fn helix_languages_toml_starts_portside_lsp_for_compose_dockerfile_and_json() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let text = block(
        &readme,
        "Helix (`~/.config/helix/languages.toml`)",
        "```toml\n",
    );
    let doc: toml::Table = toml::from_str(text).expect("the Helix block is TOML");
    let server = &doc["language-server"]["portside"];
    assert_eq!(server["command"].as_str(), Some("portside"));
    let args: Vec<&str> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["lsp"]);
    // Helix's own language names (its languages.toml): Compose files are `docker-compose`.
    let languages = doc["language"].as_array().expect("[[language]] tables");
    let mut named = Vec::new();
    for l in languages {
        let name = l["name"].as_str().unwrap();
        let servers: Vec<&str> = l["language-servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(servers.contains(&"portside"), "{name}: {servers:?}");
        named.push(name);
    }
    assert_eq!(named, ["docker-compose", "dockerfile", "json"]);
}
