// From an uploaded archive on disk to an unpacked rootfs, with the tools made for it: GNU tar to
// tell the format, skopeo to turn it into an OCI layout, umoci to apply the layers. Nothing of the
// archive is parsed or extracted by hand (umoci guards against paths that escape the rootfs).
import fs from "node:fs/promises";
import { AppError } from "../api/errors";
import { runTool, summarizeToolError, type ToolResult } from "./image-tools";

export type ArchiveFormat = "docker-archive" | "oci-archive";

const LIST_TIMEOUT_MS = 5 * 60_000;
const CONVERT_TIMEOUT_MS = 15 * 60_000;
const UNPACK_TIMEOUT_MS = 15 * 60_000;
/** Compressed tarballs are refused: skopeo cannot read a compressed docker-archive, and an unpacked size is unbounded. */
const COMPRESSED: [string, Buffer][] = [
  ["gzip", Buffer.from([0x1f, 0x8b])],
  ["bzip2", Buffer.from("BZh")],
  ["xz", Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ["zstd", Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
];

const invalid = (message: string) => new AppError("invalid_request", message);

/** A tool's failure: out of disk is ours (503), anything else is the archive's (400). */
function toolFailure(what: string, r: ToolResult, hideDir: string): AppError {
  const summary = summarizeToolError(r.stderr, hideDir);
  if (/no space left on device/i.test(r.stderr)) return new AppError("unavailable", "The server is out of disk space for images; try again later");
  if (r.timedOut) return invalid(`${what} took too long; send a smaller image`);
  return invalid(`${what} failed: ${summary}`);
}

/** A compression format's name, "not-tar" when the first header lacks the ustar magic (GNU, POSIX and Go's tar all write it), or null. */
async function sniffArchive(file: string): Promise<string | null> {
  const fh = await fs.open(file, "r");
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const compressed = COMPRESSED.find(([, magic]) => bytesRead >= magic.length && head.subarray(0, magic.length).equals(magic))?.[0];
    if (compressed) return compressed;
    return bytesRead === 512 && head.subarray(257, 262).toString("latin1") === "ustar" ? null : "not-tar";
  } finally {
    await fh.close();
  }
}

/**
 * docker-archive (`docker save`: manifest.json at the top) or oci-archive (an OCI image layout:
 * oci-layout and index.json at the top; preferred when both are there, as in newer `docker save`).
 * `tar -t` reads the whole archive once, so a truncated upload is caught here too.
 */
export async function detectArchiveFormat(file: string, hideDir: string): Promise<ArchiveFormat> {
  const sniffed = await sniffArchive(file);
  if (sniffed === "not-tar") throw invalid("The body is not a tar archive; send `docker save` output or an OCI image layout as a plain tar");
  if (sniffed) throw invalid(`The archive is ${sniffed}-compressed; send the plain tar (e.g. \`docker save -o image.tar\`)`);
  const top = new Set<string>();
  const listed = await runTool("tar", ["--list", "--file", file], {
    timeoutMs: LIST_TIMEOUT_MS,
    onLine: (line) => {
      const name = line.replace(/^(\.\/)+/, "");
      if (name === "manifest.json" || name === "oci-layout" || name === "index.json") top.add(name);
    },
  });
  if (listed.exitCode !== 0) throw invalid(`The body is not a tar archive (or it is cut short): ${summarizeToolError(listed.stderr, hideDir)}`);
  if (top.has("oci-layout") && top.has("index.json")) return "oci-archive";
  if (top.has("manifest.json")) return "docker-archive";
  throw invalid("The tar holds no image: expected `docker save` output (manifest.json) or an OCI image layout (oci-layout and index.json) at its top");
}

/**
 * `skopeo copy` into an OCI layout with the single tag `latest`. The archive must hold one image
 * (an OCI index of several platforms is fine: skopeo picks this host's). `--insecure-policy`: an
 * archive carries no signatures, the trust policy is about registries, and a server need not have
 * /etc/containers/policy.json. `--tmpdir` keeps skopeo's scratch (an unpacked oci-archive) in the
 * import's own directory, removed with it.
 */
export async function convertToOciLayout(format: ArchiveFormat, archive: string, layoutDir: string, scratchDir: string, hideDir: string): Promise<void> {
  await fs.mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const r = await runTool(
    "skopeo",
    ["--insecure-policy", "--tmpdir", scratchDir, "copy", "--quiet", `${format}:${archive}`, `oci:${layoutDir}:latest`],
    { timeoutMs: CONVERT_TIMEOUT_MS },
  );
  if (r.exitCode !== 0) throw toolFailure(`Reading the ${format}`, r, hideDir);
}

/** `umoci raw unpack`: the image's layers applied in order (whiteouts honoured), owners kept (we run as root). */
export async function unpackRootfs(layoutDir: string, rootfsDir: string, hideDir: string): Promise<void> {
  const r = await runTool("umoci", ["--log", "error", "raw", "unpack", "--image", `${layoutDir}:latest`, rootfsDir], { timeoutMs: UNPACK_TIMEOUT_MS });
  if (r.exitCode !== 0) throw toolFailure("Unpacking the image", r, hideDir);
}
