//! The workspace layer: reads what analysis may use besides the file itself, so analysis
//! stays pure. Today: the variables for interpolation.

use std::collections::HashMap;
use std::path::Path;

use crate::analysis::Context;
use crate::compose::dotenv;

/// The context for a file: the `.env` beside it, overridden by the environment portside
/// runs in (as in Compose, where the shell wins).
pub fn context_for(path: &Path) -> Context {
    let environment: HashMap<String, String> = std::env::vars().collect();
    context_with(path, environment)
}

/// As [`context_for`], with an explicit environment (for tests).
pub fn context_with(path: &Path, environment: HashMap<String, String>) -> Context {
    let mut vars = HashMap::new();
    if let Some(dir) = path.parent()
        && let Ok(text) = std::fs::read_to_string(dir.join(".env"))
    {
        let (from_file, _errors) = dotenv::parse(&text, &environment);
        vars = from_file;
    }
    vars.extend(environment);
    Context { vars }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_beside_the_file_and_the_environment_wins() {
        let dir = std::env::temp_dir().join(format!("portside-ws-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".env"), "PORT=8000\nHOST_IP=127.0.0.1\n").unwrap();
        let env = HashMap::from([("PORT".to_string(), "9000".to_string())]);
        let ctx = context_with(&dir.join("compose.yaml"), env);
        assert_eq!(ctx.vars["PORT"], "9000");
        assert_eq!(ctx.vars["HOST_IP"], "127.0.0.1");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
