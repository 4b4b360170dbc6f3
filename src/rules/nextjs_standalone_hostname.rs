use super::declare_rule;
use crate::dockerfile::Dockerfile;
use crate::finding::{Edit, Finding};

declare_rule! {
    /// ## What it does
    /// Reports a Next.js standalone server (`node server.js`) in the stage that runs, when
    /// the stage does not set `HOSTNAME`.
    ///
    /// ## Why it matters
    /// The generated `server.js` listens on `process.env.HOSTNAME`, and Docker sets
    /// `HOSTNAME` to the container ID: the server binds only the address that name resolves
    /// to, so `localhost` inside the container (healthchecks) and sometimes the published
    /// port fail. The logs show `Local: http://<container-id>:3000`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY .next/standalone ./
    /// EXPOSE 3000
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix
    /// Add `ENV HOSTNAME="0.0.0.0"` to the stage that runs (the quick fix), or set it in
    /// Compose's `environment`.
    pub static NEXTJS_STANDALONE_HOSTNAME = {
        code: "nextjs-standalone-hostname",
        severity: Warning,
        applies_to: "Dockerfiles",
        summary: "Next.js standalone `server.js` binds `$HOSTNAME` (the container ID)",
    };
}

pub fn check(text: &str, df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(stage) = df.runs(None) else { return };
    if stage.has_env("HOSTNAME") {
        return;
    }
    let words = stage.command();
    let Some(at) = words.windows(2).position(|w| {
        w[0].text.rsplit('/').next() == Some("node") && w[1].text.ends_with("server.js")
    }) else {
        return;
    };
    let script = &words[at + 1];
    let mut f = Finding::new(
        &NEXTJS_STANDALONE_HOSTNAME,
        script.span.clone(),
        "Next.js standalone `server.js` listens on $HOSTNAME, which Docker sets to the container ID: it may not answer on localhost or the published port. Add `ENV HOSTNAME=\"0.0.0.0\"`",
    );
    // Insert the ENV line before the instruction that starts the server.
    let line_start = text[..script.span.start].rfind('\n').map_or(0, |i| i + 1);
    f = f.with_fix(
        "Add `ENV HOSTNAME=\"0.0.0.0\"`",
        vec![Edit {
            range: line_start..line_start,
            new_text: "ENV HOSTNAME=\"0.0.0.0\"\n".to_string(),
        }],
    );
    out.push(f);
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{
        dockerfile_findings as findings, dockerfile_fix_all as fix_all,
    };

    #[test]
    fn standalone_server_without_hostname() {
        let text = "FROM node:22\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(findings(text, "nextjs-standalone-hostname").len(), 1);
        let fixed = fix_all(text, "nextjs-standalone-hostname");
        assert!(
            fixed.contains("ENV HOSTNAME=\"0.0.0.0\"\nCMD [\"node\", \"server.js\"]"),
            "{fixed}"
        );
        assert!(
            findings(
                "FROM node\nENV HOSTNAME=0.0.0.0\nCMD node server.js\n",
                "nextjs-standalone-hostname"
            )
            .is_empty()
        );
        assert!(
            findings(
                "FROM node\nCMD node index.js\n",
                "nextjs-standalone-hostname"
            )
            .is_empty()
        );
    }
}
