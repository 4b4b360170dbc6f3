//! `textDocument/definition`: from a service or network name (in `networks`, `depends_on`,
//! `links`, `network_mode: service:X`, `extends`, or a host in `environment`, `command`,
//! `entrypoint` or `healthcheck.test`, as the Compose model finds them) to the
//! key that defines it, in this file or another Compose file of the project.

use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::ide::nav;

pub fn definition(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    params: GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let pos = params.text_document_position_params;
    let files = snap.files(true);
    let this = files.first()?;
    let offset = this.offset(pos.position, enc)?;
    let target = nav::at(&this.yaml, &this.text, offset)?;
    let locations: Vec<Location> = project::matching(&files, &target)
        .into_iter()
        .filter(|(i, o)| files[*i].holds(&o.range))
        .filter(|(_, o)| o.definition)
        .map(|(i, o)| {
            let f = &files[i];
            Location::new(f.uri.clone(), convert::range(&f.rope, o.range, enc))
        })
        .collect();
    match locations.len() {
        0 => None,
        1 => Some(GotoDefinitionResponse::Scalar(
            locations.into_iter().next()?,
        )),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
