use super::declare_rule;
use crate::finding::{Edit, Finding, OtherFile};
use crate::model::dockerfile::{Dockerfile, Stage, Word};
use crate::syntax::json::{JsonKind, JsonValue};

declare_rule! {
    /// ## What it does
    /// Reports a Next.js standalone server (`node server.js`) in the stage that runs, when
    /// the stage does not set `HOSTNAME` and something shows that the image is a Next.js
    /// app: the build context's `package.json` depends on `next`, or the Dockerfile copies
    /// `.next/standalone`. A plain Node app started with `node server.js` is left alone. In
    /// a Compose file, the `ports` mapping of a service built from such a Dockerfile is
    /// reported too, unless the service's `environment` sets `HOSTNAME`.
    ///
    /// ## Why it matters
    /// The generated `server.js` listens on `process.env.HOSTNAME`, and Docker sets
    /// `HOSTNAME` to the container ID: the server binds only the address that name resolves
    /// to. The published port usually still answers (Docker forwards to that address), but
    /// `localhost` inside the container (healthchecks) is refused, and so is a second
    /// network's address. The logs show `Local: http://<container-id>:3000`. Whether that
    /// matters depends on what connects, hence advice rather than a warning.
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
        severity: Info,
        applies_to: "Dockerfiles; Compose ports of services built from them",
        summary: "Next.js standalone `server.js` binds `$HOSTNAME` (the container ID)",
        compose: [check],
        dockerfile: [check_dockerfile],
    };
}

/// Whether the image is a Next.js app: the Dockerfile mentions `.next/standalone` (the
/// output it copies), or the build context's package.json depends on `next`.
fn is_nextjs(dockerfile: &str, package: Option<&OtherFile>) -> bool {
    if memchr::memmem::find(dockerfile.as_bytes(), b".next/standalone").is_some() {
        return true;
    }
    let Some(package) = package else {
        return false;
    };
    let json = crate::syntax::json::Json::parse(&package.text);
    let Some(JsonValue {
        kind: JsonKind::Object(props),
        ..
    }) = json.root.as_ref()
    else {
        return false;
    };
    props
        .iter()
        .filter(|p| p.key == "dependencies" || p.key == "devDependencies")
        .any(|p| match &p.value.kind {
            JsonKind::Object(deps) => deps.iter().any(|d| d.key == "next"),
            _ => false,
        })
}

/// The `server.js` word of a stage that starts a standalone server without `HOSTNAME`.
fn standalone(stage: &Stage) -> Option<Word> {
    if stage.has_env("HOSTNAME") {
        return None;
    }
    let words = stage.command();
    let at = words.windows(2).position(|w| {
        w[0].text.rsplit('/').next() == Some("node") && w[1].text.ends_with("server.js")
    })?;
    Some(words[at + 1].clone())
}

/// Compose: the port of a service built from such a Dockerfile, unless its `environment`
/// sets `HOSTNAME` (Compose's `command`/`entrypoint` replace the image's).
pub fn check(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    for b in super::built(p) {
        if b.overridden {
            continue;
        }
        let Some(port) = b.service.first_published() else {
            continue;
        };
        let Some(script) = standalone(&b.stage) else {
            continue;
        };
        if !is_nextjs(&b.file.text, b.package) {
            continue;
        }
        out.push(
            Finding::new(
                &NEXTJS_STANDALONE_HOSTNAME,
                p.port_span(port),
                format!(
                    "This port may not answer: `{}`'s image runs a Next.js standalone `server.js`. It listens on $HOSTNAME (the container ID). Set `HOSTNAME: 0.0.0.0` in the service's `environment` (or `ENV HOSTNAME=\"0.0.0.0\"` in the Dockerfile)",
                    b.service.name
                ),
            )
            .with_related_in(b.file.clone(), script.span, "the server starts here"),
        );
    }
}

pub fn check_dockerfile(text: &str, df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(stage) = df.runs(None) else { return };
    let Some(script) = standalone(stage) else {
        return;
    };
    if !is_nextjs(text, df.package.as_ref()) {
        return;
    }
    let script = &script;
    let mut f = Finding::new(
        &NEXTJS_STANDALONE_HOSTNAME,
        script.span.clone(),
        "Next.js standalone `server.js` may not answer on localhost or the published port. It listens on $HOSTNAME, which Docker sets to the container ID. Add `ENV HOSTNAME=\"0.0.0.0\"`",
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
    use crate::analysis::{Context, analyze_with};
    use crate::classify::FileKind;
    use crate::finding::OtherFile;
    use crate::rules::test_support::{
        dockerfile_findings as findings, dockerfile_fix_all as fix_all,
    };

    const CODE: &str = "nextjs-standalone-hostname";

    fn with_package(text: &str, package: &str) -> usize {
        let ctx = Context {
            package: Some(OtherFile {
                path: "package.json".into(),
                text: package.into(),
            }),
            ..Context::default()
        };
        analyze_with(FileKind::Dockerfile, text, &ctx)
            .findings
            .iter()
            .filter(|f| f.code() == CODE)
            .count()
    }

    #[test]
    fn standalone_server_without_hostname() {
        let text = "FROM node:22 AS build\nRUN npm run build\nFROM node:22\nCOPY --from=build /app/.next/standalone ./\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(findings(text, CODE).len(), 1);
        let fixed = fix_all(text, CODE);
        assert!(
            fixed.contains("ENV HOSTNAME=\"0.0.0.0\"\nCMD [\"node\", \"server.js\"]"),
            "{fixed}"
        );
        assert!(
            findings(
                "FROM node\nCOPY .next/standalone ./\nENV HOSTNAME=0.0.0.0\nCMD node server.js\n",
                CODE
            )
            .is_empty()
        );
        assert!(
            findings(
                "FROM node\nCOPY .next/standalone ./\nCMD node index.js\n",
                CODE
            )
            .is_empty()
        );
    }

    #[test]
    fn only_with_evidence_of_nextjs() {
        // A plain Node app that happens to start `server.js`: nothing says Next.js.
        let plain = "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        assert!(findings(plain, CODE).is_empty());
        assert_eq!(
            with_package(plain, r#"{"dependencies": {"express": "^4.19.0"}}"#),
            0
        );
        // The build context's package.json depends on `next`.
        assert_eq!(
            with_package(
                plain,
                r#"{"dependencies": {"next": "15.0.0", "react": "19.0.0"}}"#
            ),
            1
        );
        assert_eq!(
            with_package(plain, r#"{"devDependencies": {"next": "15.0.0"}}"#),
            1
        );
        assert_eq!(with_package(plain, "{not json"), 0);
    }

    #[test]
    fn compose_ports_of_a_standalone_image() {
        let df =
            "FROM node:22\nCOPY .next/standalone ./\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        let found = |df: &str, tail: &str| {
            let text = format!("services:\n  api:\n    build: .\n{tail}");
            let ctx = crate::rules::test_support::built_context(df);
            analyze_with(FileKind::Compose, &text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == CODE)
                .map(|f| text[f.range.clone()].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(found(df, "    ports: [\"3000:3000\"]\n"), ["\"3000:3000\""]);
        assert!(
            found(
                df,
                "    environment: {HOSTNAME: 0.0.0.0}\n    ports: [\"3000:3000\"]\n"
            )
            .is_empty()
        );
        assert!(
            found(
                df,
                "    command: node server.js --port 3000\n    ports: [\"3000:3000\"]\n"
            )
            .is_empty()
        );
        assert!(found(df, "    expose: [\"3000\"]\n").is_empty());
        // Not Next.js: silent.
        let plain = "FROM node:22\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
        assert!(found(plain, "    ports: [\"3000:3000\"]\n").is_empty());
    }
}
