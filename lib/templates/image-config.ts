// Reads what an import needs from the OCI layout skopeo wrote: the manifest digest and the image
// config (platform, Env, WorkingDir, Entrypoint, Cmd), and turns Env into template env defaults.
import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../api/errors";
import { envSchema } from "./schemas";

export type ImageConfig = {
  /** Digest of the image manifest as stored (after skopeo's conversion to OCI). */
  digest: string;
  os: string | null;
  architecture: string | null;
  env: string[];
  workingDir: string | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
};

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Node's process.arch → the OCI/Go architecture names images use. */
const OCI_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };

const broken = (why: string) => new AppError("invalid_request", `The image is broken: ${why}`);

async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  const st = await fs.stat(file).catch(() => null);
  if (!st?.isFile()) throw broken(`its ${what} is missing`);
  if (st.size > MAX_JSON_BYTES) throw broken(`its ${what} is larger than ${MAX_JSON_BYTES} bytes`);
  try {
    const value = JSON.parse(await fs.readFile(file, "utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw broken(`its ${what} is not a JSON object`);
}

function blobPath(layoutDir: string, digest: unknown, what: string): string {
  if (typeof digest !== "string" || !DIGEST.test(digest)) throw broken(`its ${what} has no sha256 digest`);
  return path.join(layoutDir, "blobs", "sha256", digest.slice("sha256:".length));
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) && v.every((s) => typeof s === "string") ? v : null);

/** The one image in `layoutDir` (an OCI layout with a single manifest, as `skopeo copy … oci:dir:tag` writes). */
export async function readImageConfig(layoutDir: string): Promise<ImageConfig> {
  const index = await readJson(path.join(layoutDir, "index.json"), "index");
  const manifests = Array.isArray(index.manifests) ? (index.manifests as { digest?: unknown }[]) : [];
  if (manifests.length !== 1) throw broken(`expected one manifest, found ${manifests.length}`);
  const digest = manifests[0].digest as string;
  const manifest = await readJson(blobPath(layoutDir, digest, "manifest"), "manifest");
  const config = await readJson(blobPath(layoutDir, (manifest.config as { digest?: unknown } | undefined)?.digest, "config"), "config");
  const c = (config.config ?? {}) as Record<string, unknown>;
  return {
    digest,
    os: typeof config.os === "string" ? config.os : null,
    architecture: typeof config.architecture === "string" ? config.architecture : null,
    env: strings(c.Env) ?? [],
    workingDir: typeof c.WorkingDir === "string" && c.WorkingDir ? c.WorkingDir : null,
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
  };
}

/** Refuses an image this host cannot run (another OS or CPU architecture). */
export function assertRunnableHere(image: ImageConfig, arch = process.arch): void {
  if (image.os && image.os !== "linux") throw new AppError("invalid_request", `The image is for ${image.os}; only linux images can run here`);
  const want = OCI_ARCH[arch] ?? arch;
  if (image.architecture && image.architecture !== want) {
    throw new AppError("invalid_request", `The image is for ${image.architecture}; this server runs ${want} images`);
  }
}

/**
 * The image's Env as template env defaults. Names a sandbox cannot take (e.g. `a.b`) are left out
 * and listed in `skipped`; a later entry of the same name wins, as in Docker.
 */
export function templateEnvFromImage(list: string[]): { env: Record<string, string>; skipped: string[] } {
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  for (const entry of list) {
    const eq = entry.indexOf("=");
    const name = eq === -1 ? entry : entry.slice(0, eq);
    const value = eq === -1 ? "" : entry.slice(eq + 1);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 128 && !value.includes("\0")) env[name] = value;
    else skipped.push(name.slice(0, 128));
  }
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new AppError("invalid_request", `The image's Env does not fit a template: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  return { env: parsed.data, skipped };
}
