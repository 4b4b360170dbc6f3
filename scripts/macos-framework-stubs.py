#!/usr/bin/env python3
"""Writes text stubs (.tbd) of the macOS frameworks portside links, for linking without an
Apple SDK (scripts/build-release, macOS targets).

    macos-framework-stubs.py DEPS_DIR ARCH OUT_DIR

Reads the Mach-O objects in the rlibs of DEPS_DIR (cargo's release/deps for the target),
collects the symbols they leave undefined that belong to Security.framework or
CoreFoundation.framework (told by the names Apple gives them), and writes
OUT_DIR/<Name>.framework/<Name>.tbd for each, exporting exactly those symbols from the
framework's real install name. A linker given `-F OUT_DIR` then records the real framework
as a dependency, which macOS loads at run time. A symbol these patterns miss fails the link
with its name, never silently.
"""

import re
import struct
import sys
from pathlib import Path

FRAMEWORKS = {
    "CoreFoundation": re.compile(r"^_(k?CF|__kCF|__CF)"),
    "Security": re.compile(r"^_(k?Sec|k?SSL|k?Authorization|k?CMS|k?CSSM)"),
}
MH_MAGIC_64 = 0xFEEDFACF
LC_SYMTAB = 0x2
N_EXT = 0x01
N_TYPE = 0x0E
N_UNDF = 0x0


def members(archive: bytes):
    """The members of a BSD or GNU ar archive (an rlib)."""
    if not archive.startswith(b"!<arch>\n"):
        return
    at = 8
    while at + 60 <= len(archive):
        header = archive[at : at + 60]
        name = header[:16].decode("ascii", "replace").strip()
        size = int(header[48:58].decode("ascii").strip() or 0)
        data = archive[at + 60 : at + 60 + size]
        if name.startswith("#1/"):  # BSD: the name comes first, counted in the size
            data = data[int(name[3:]) :]
        yield data
        at += 60 + size + (size & 1)


def undefined_symbols(obj: bytes):
    """The external symbols a 64-bit little-endian Mach-O object leaves undefined."""
    if len(obj) < 32 or struct.unpack_from("<I", obj, 0)[0] != MH_MAGIC_64:
        return
    ncmds = struct.unpack_from("<I", obj, 16)[0]
    at = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", obj, at)
        if cmd == LC_SYMTAB:
            symoff, nsyms, stroff, _strsize = struct.unpack_from("<IIII", obj, at + 8)
            for i in range(nsyms):
                strx, ntype, _sect, _desc, _value = struct.unpack_from(
                    "<IBBHQ", obj, symoff + 16 * i
                )
                if ntype & N_EXT and ntype & N_TYPE == N_UNDF:
                    end = obj.index(b"\0", stroff + strx)
                    yield obj[stroff + strx : end].decode("ascii", "replace")
        at += size


def main() -> int:
    deps, arch, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    wanted = {name: set() for name in FRAMEWORKS}
    for rlib in sorted(deps.glob("*.rlib")):
        for member in members(rlib.read_bytes()):
            for symbol in undefined_symbols(member):
                for name, pattern in FRAMEWORKS.items():
                    if pattern.match(symbol):
                        wanted[name].add(symbol)
                        break
    for name, symbols in wanted.items():
        folder = out / f"{name}.framework"
        folder.mkdir(parents=True, exist_ok=True)
        listed = ", ".join(f"'{s}'" for s in sorted(symbols))
        (folder / f"{name}.tbd").write_text(
            "--- !tapi-tbd\n"
            "tbd-version: 4\n"
            f"targets: [ {arch}-macos ]\n"
            f"install-name: '/System/Library/Frameworks/{name}.framework/Versions/A/{name}'\n"
            "current-version: 0\n"
            "compatibility-version: 0\n"
            "exports:\n"
            f"  - targets: [ {arch}-macos ]\n"
            f"    symbols: [ {listed} ]\n"
            "...\n"
        )
        print(f"{name}: {len(symbols)} symbols", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
