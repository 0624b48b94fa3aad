"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { apiRaw } from "../api-client";
import type { Session, WrittenFile } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes } from "../format";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { useToast } from "../ui/toast";
import { isUsable } from "./session-state";

const baseName = (path: string) => path.split("/").filter(Boolean).pop() || "download";

/** Saves bytes under a name through a temporary object URL. */
function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Download a file by path; upload one to a path. Both wake a paused or hibernated session. */
export function SessionFiles({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const { slug, key } = useTenantApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const fileInput = useRef<HTMLInputElement>(null);
  const [downloadPath, setDownloadPath] = useState("/workspace/");
  const [file, setFile] = useState<File | null>(null);
  const [uploadPath, setUploadPath] = useState("/workspace/");
  const usable = isUsable(session);
  const path = `/sessions/${encodeURIComponent(session.id)}/files`;
  const touched = () => void queryClient.invalidateQueries({ queryKey: key("session", session.id) });

  const download = useMutation({
    mutationFn: async (p: string) => {
      const res = await apiRaw(path, { tenant: slug, query: { path: p } });
      return { blob: await res.blob(), path: p };
    },
    onSuccess: ({ blob, path: p }) => {
      saveBlob(blob, baseName(p));
      toast.success(`Downloaded ${p} (${formatBytes(blob.size)}).`);
    },
    onSettled: touched,
  });
  const upload = useMutation({
    mutationFn: async ({ f, p }: { f: File; p: string }) => {
      const res = await apiRaw(path, { tenant: slug, method: "PUT", query: { path: p }, body: f, headers: { "content-type": "application/octet-stream" } });
      return (await res.json()) as WrittenFile;
    },
    onSuccess: (written) => {
      toast.success(`Uploaded ${written.path} (${formatBytes(written.size)}).`);
      setFile(null);
      if (fileInput.current) fileInput.current.value = "";
      setDownloadPath(written.path);
    },
    onSettled: touched,
  });

  function pick(f: File | null) {
    setFile(f);
    // Suggest the file's name in the folder typed so far.
    if (f) setUploadPath((p) => `${p.endsWith("/") ? p : p.slice(0, p.lastIndexOf("/") + 1) || "/workspace/"}${f.name}`);
  }
  function onDownload(e: FormEvent) {
    e.preventDefault();
    download.mutate(downloadPath.trim());
  }
  function onUpload(e: FormEvent) {
    e.preventDefault();
    if (file) upload.mutate({ f: file, p: uploadPath.trim() });
  }

  const absolute = (p: string) => p.trim().startsWith("/") && !p.trim().endsWith("/");
  return (
    <Card aria-labelledby="files-title">
      <CardHeader id="files-title" title="Files" description="Absolute paths inside the sandbox; your work lives in /workspace." />
      <CardBody className="grid gap-6 md:grid-cols-2">
        <form onSubmit={onDownload} className="space-y-3" aria-label="Download a file">
          <TextField id="download-path" label="File path" value={downloadPath} onChange={(e) => setDownloadPath(e.target.value)}
            spellCheck={false} disabled={!usable} hint="The whole file is downloaded to your computer." />
          <InlineError error={download.error} />
          <Button type="submit" variant="secondary" pending={download.isPending} disabled={!usable || !absolute(downloadPath)}>Download</Button>
        </form>
        <form onSubmit={onUpload} className="space-y-3" aria-label="Upload a file">
          <div>
            <label htmlFor="upload-file" className="block text-sm font-medium text-zinc-800">File to upload</label>
            <input ref={fileInput} id="upload-file" type="file" disabled={!usable || !canWrite} onChange={(e) => pick(e.target.files?.[0] ?? null)}
              className="mt-1 block w-full text-sm text-zinc-700 file:mr-3 file:rounded-md file:border-0 file:bg-zinc-100 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-zinc-900 hover:file:bg-zinc-200" />
          </div>
          <TextField id="upload-path" label="Target path" value={uploadPath} onChange={(e) => setUploadPath(e.target.value)}
            spellCheck={false} disabled={!usable || !canWrite} hint="At most 100 MiB; an existing file is replaced." />
          <InlineError error={upload.error} />
          <Button type="submit" variant="secondary" pending={upload.isPending} disabled={!usable || !canWrite || !file || !absolute(uploadPath)}>Upload</Button>
        </form>
      </CardBody>
    </Card>
  );
}
