// Import a template from an uploaded image archive (`docker save` output or an OCI image layout as
// a tarball). The upload is streamed to disk (never held in memory), converted by skopeo into an
// OCI layout, unpacked by umoci, and only then is the Template row written, with the image's Env
// as its env defaults and rootfs {kind: "dir"}: sandboxes use the rootfs as the read-only lower
// layer of their root overlay, so it must never change once the row exists. Any failure removes
// the template's directory and writes no row.
//
//   DATA_DIR/templates/<template id>/
//     upload.tar   the request body              (removed once unpacked)
//     image/       the OCI layout skopeo writes  (removed once unpacked)
//     tmp/         skopeo's scratch space        (removed once unpacked)
//     rootfs/      the image's files, kept for the template's life
import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../api/errors";
import { writeLimitedBodyToFile } from "../api/read-body";
import type { TenantContext } from "../auth/context";
import { env } from "../env";
import { newId } from "../ids";
import { convertToOciLayout, detectArchiveFormat, unpackRootfs } from "./image-archive";
import { assertRunnableHere, readImageConfig, templateEnvFromImage } from "./image-config";
import { assertImageToolsInstalled } from "./image-tools";
import { formatImportBytes, ImportLog } from "./import-log";
import { existsInRoot } from "./path-in-root";
import { IMAGE_CONTENT_TYPES, MAX_IMAGE_BYTES } from "./schemas";
import { getTemplate, insertTemplate, templateNameTaken } from "./templates";

// Overlay mount options split on "," and ":" (lib/sandbox refuses such a rootfs path).
const UNSAFE_MOUNT_PATH = /[,:\\\s]/;

/** Where imported templates keep their files (absolute: the path is stored in the row and used by runners). */
export const templatesDataDir = () => path.resolve(env.DATA_DIR, "templates");

export async function importTemplateImage({ ctx, input }: { ctx: TenantContext; input: { name: string; archive: Request } }) {
  // Cheap refusals first, before gigabytes are read.
  if (await ctx.db.template.findFirst({ where: { name: input.name }, select: { id: true } })) throw templateNameTaken(input.name, "query.name");
  if (process.getuid?.() !== 0) {
    throw new AppError("unavailable", "Importing images needs the server to run as root (to keep the image's file owners)");
  }
  await assertImageToolsInstalled();

  const id = newId("tpl");
  const base = templatesDataDir();
  const dir = path.join(base, id);
  // An operator's setting, not the caller's: a plain error is logged and answered 500.
  if (UNSAFE_MOUNT_PATH.test(dir)) throw new Error(`DATA_DIR ${JSON.stringify(base)} cannot hold templates: no commas, colons, backslashes or spaces`);
  await fs.mkdir(base, { recursive: true, mode: 0o700 });
  await fs.mkdir(dir, { mode: 0o700 });
  const upload = path.join(dir, "upload.tar");
  const layout = path.join(dir, "image");
  const scratch = path.join(dir, "tmp");
  const rootfs = path.join(dir, "rootfs");
  const log = new ImportLog();
  try {
    const bytes = await writeLimitedBodyToFile(input.archive, { file: upload, maxBytes: MAX_IMAGE_BYTES, contentTypes: IMAGE_CONTENT_TYPES });
    if (bytes === 0) throw new AppError("invalid_request", "The request body is empty; send the image archive (`docker save` or an OCI layout tarball)");
    log.done("upload", `Received the archive: ${formatImportBytes(bytes)}`);
    const format = await detectArchiveFormat(upload, dir);
    log.done("detect", `Read the tar: ${format === "oci-archive" ? "an OCI image layout" : "`docker save` output"} (${format})`);
    await convertToOciLayout(format, upload, layout, scratch, dir);
    await fs.rm(upload, { force: true });
    log.done("convert", "Copied the image into an OCI layout (skopeo)");
    const image = await readImageConfig(layout);
    assertRunnableHere(image);
    const { env: imageEnv, skipped } = templateEnvFromImage(image.env);
    log.done("config", `Read the image config: ${image.digest}; ${Object.keys(imageEnv).length} env defaults${skipped.length ? `, ${skipped.length} left out (${skipped.join(", ")})` : ""}`);
    await unpackRootfs(layout, rootfs, dir);
    log.done("unpack", "Applied the layers to the template's root filesystem (umoci)");
    if (!(await existsInRoot(rootfs, "/bin/sh"))) {
      throw new AppError("invalid_request", "The image has no /bin/sh; sandboxes run every command through /bin/sh, so add a shell (e.g. busybox) to the image");
    }
    await Promise.all([layout, scratch].map((d) => fs.rm(d, { recursive: true, force: true })));
    log.done("check", "Found /bin/sh; removed the upload and the layout");

    await insertTemplate(ctx, { name: input.name, rootfs: { kind: "dir", path: rootfs }, env: imageEnv }, {
      id, nameField: "query.name", auditMetadata: { imported: true, digest: image.digest, format, bytes },
    });
    log.done("template", `Created the template ${input.name}`);
    return {
      ...(await getTemplate({ ctx, input: { id } })),
      image: { digest: image.digest, format, workingDir: image.workingDir, entrypoint: image.entrypoint, cmd: image.cmd, skippedEnv: skipped },
      importLog: log.entries,
    };
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true }).catch((e) => console.error(`[templates] could not remove ${dir} after a failed import`, e));
    throw log.attachTo(err);
  }
}
