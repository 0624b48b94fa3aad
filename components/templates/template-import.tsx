"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { ApiError } from "../api-client";
import type { ImportedTemplate, ImportLogEntry } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes, formatMs } from "../format";
import { Button } from "../ui/button";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { useToast } from "../ui/toast";
import { type UploadProgress, uploadWithProgress } from "./upload-with-progress";

type Phase =
  | { kind: "idle" }
  | { kind: "uploading"; progress: UploadProgress }
  | { kind: "processing"; total: number }
  | { kind: "done"; template: ImportedTemplate }
  | { kind: "failed"; error: unknown; log: ImportLogEntry[] };

/** Import an image archive (an OCI layout tarball or `docker save` output) as a new template. */
export function TemplateImport() {
  const { slug, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const abort = useRef<AbortController | null>(null);
  const busy = phase.kind === "uploading" || phase.kind === "processing";
  const nameError = phase.kind === "failed" && phase.error instanceof ApiError ? phase.error.fieldError("name") : undefined;

  async function start() {
    if (!file) return;
    abort.current = new AbortController();
    setPhase({ kind: "uploading", progress: { sent: 0, total: file.size } });
    try {
      const template = await uploadWithProgress<ImportedTemplate>("/templates/import", {
        tenant: slug, query: { name: name.trim() }, body: file, contentType: "application/x-tar", signal: abort.current.signal,
        onProgress: (progress) => setPhase((p) => (p.kind === "uploading" ? { kind: "uploading", progress } : p)),
        onSent: () => setPhase({ kind: "processing", total: file.size }),
      });
      setPhase({ kind: "done", template });
      toast.success(`Template “${template.name}” imported.`);
      void queryClient.invalidateQueries({ queryKey: key("templates") });
    } catch (error) {
      if ((error as Error).name === "AbortError") return setPhase({ kind: "idle" });
      const log = error instanceof ApiError && Array.isArray(error.details.importLog) ? (error.details.importLog as ImportLogEntry[]) : [];
      setPhase({ kind: "failed", error, log });
    }
  }

  return (
    <form className="space-y-4" onSubmit={(e) => { e.preventDefault(); void start(); }}>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField id="import-name" label="Template name" placeholder="my-image" value={name} required autoComplete="off" disabled={busy}
          onChange={(e) => { setName(e.target.value); if (phase.kind === "failed") setPhase({ kind: "idle" }); }} error={nameError}
          hint="Lowercase letters, digits and dashes" />
        <div>
          <label htmlFor="import-file" className="block text-sm font-medium text-zinc-800">Image archive</label>
          <input id="import-file" name="import-file" type="file" accept=".tar,application/x-tar" required disabled={busy}
            className="mt-1 block w-full text-sm text-zinc-700 file:mr-3 file:rounded-md file:border-0 file:bg-zinc-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-zinc-800 hover:file:bg-zinc-200"
            onChange={(e) => { setFile(e.target.files?.[0] ?? null); setPhase({ kind: "idle" }); }} />
          <p className="mt-1 text-xs text-zinc-500">A plain tar: an OCI image layout (e.g. <code className="font-mono">skopeo copy … oci-archive:image.tar</code>) or <code className="font-mono">docker save -o image.tar</code>. The image needs /bin/sh.</p>
        </div>
      </div>
      <ImportProgress phase={phase} />
      {phase.kind === "failed" && !nameError && <InlineError error={phase.error} />}
      {(phase.kind === "done" || (phase.kind === "failed" && phase.log.length > 0)) && (
        <ImportLogList entries={phase.kind === "done" ? phase.template.importLog : phase.log} />
      )}
      <div className="flex gap-3">
        <Button type="submit" pending={busy} disabled={!file || !name.trim() || busy}>Import</Button>
        {phase.kind === "uploading" && <Button variant="ghost" onClick={() => abort.current?.abort()}>Cancel</Button>}
      </div>
    </form>
  );
}

function ImportProgress({ phase }: { phase: Phase }) {
  if (phase.kind !== "uploading" && phase.kind !== "processing") return null;
  const { sent, total } = phase.kind === "uploading" ? phase.progress : { sent: phase.total, total: phase.total };
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
  return (
    <div>
      <div className="flex justify-between text-xs text-zinc-600" aria-live="polite">
        <span>{phase.kind === "uploading" ? `Uploading ${formatBytes(sent)} of ${formatBytes(total)}` : "Uploaded; unpacking the image on the server…"}</span>
        <span className="tabular-nums">{percent}%</span>
      </div>
      <div role="progressbar" aria-label="Upload" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="mt-1 h-2 rounded-full bg-zinc-100">
        <div className={`h-2 rounded-full bg-indigo-600 ${phase.kind === "processing" ? "animate-pulse" : ""}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

function ImportLogList({ entries }: { entries: ImportLogEntry[] }) {
  return (
    <div>
      <h3 className="text-sm font-medium text-zinc-800">Import log</h3>
      <ol aria-label="Import log" className="mt-2 space-y-1 rounded-md bg-zinc-50 p-3 font-mono text-xs text-zinc-700 ring-1 ring-inset ring-zinc-200">
        {entries.map((e, i) => (
          <li key={i} data-testid="import-log-entry" data-step={e.step} className="flex gap-3">
            <span className="w-16 shrink-0 text-right tabular-nums text-zinc-600">{formatMs(e.durationMs)}</span>
            <span className="break-all">{e.message}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
