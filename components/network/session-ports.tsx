"use client";

// The Network tab's ports: what listens in the sandbox, each with its preview URL. A private port
// opens with a preview link (a one-hour token exchanged once for a cookie on that host); the owner
// of sessions:write can make a port public, so its URL opens (and wakes the session) for anyone.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import type { createdPreviewTokenSchema, sessionPortListSchema } from "@/lib/preview/schemas";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { isEnded } from "../sessions/session-state";
import { Button } from "../ui/button";
import { previewLink } from "./preview-link";
import { Card, CardBody, CardHeader } from "../ui/card";
import { CopyButton } from "../ui/copy-button";
import { EmptyState, ErrorState, InlineError, LoadingState, TableHead, TableWrap, tdClass } from "../ui/states";

type PortList = z.infer<typeof sessionPortListSchema>;
type Port = PortList["data"][number];
type CreatedToken = z.infer<typeof createdPreviewTokenSchema>;

export function SessionPorts({ session: s, canWrite }: { session: Session; canWrite: boolean }) {
  const { api, key } = useTenantApi();
  const ports = useQuery({
    queryKey: key("session", s.id, "ports"),
    queryFn: () => api.get<PortList>(`/sessions/${encodeURIComponent(s.id)}/ports`),
    refetchInterval: s.state === "running" ? 5_000 : false,
    enabled: !isEnded(s),
  });
  return (
    <Card aria-labelledby="ports-title">
      <CardHeader id="ports-title" title="Ports and previews"
        description="TCP ports listening in the sandbox, each at its own preview URL. A request to a sleeping session's URL wakes it." />
      <CardBody className="p-0">
        {isEnded(s) ? (
          <EmptyState title="No ports">The session has ended.</EmptyState>
        ) : ports.isPending ? (
          <LoadingState label="Reading the sandbox's ports…" />
        ) : ports.isError ? (
          <ErrorState error={ports.error} onRetry={() => ports.refetch()} />
        ) : ports.data.data.length === 0 ? (
          <EmptyState title="Nothing listens yet">Start a server in the session on 0.0.0.0 (for example <code className="font-mono">python3 -m http.server 8080</code>) and it shows here.</EmptyState>
        ) : (
          <TableWrap label="Ports">
            <TableHead columns={["Port", "Preview URL", "Access", ""]} />
            <tbody className="divide-y divide-zinc-100">
              {ports.data.data.map((p) => <PortRow key={p.port} session={s} port={p} canWrite={canWrite} />)}
            </tbody>
          </TableWrap>
        )}
      </CardBody>
    </Card>
  );
}

function PortRow({ session: s, port: p, canWrite }: { session: Session; port: Port; canWrite: boolean }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const [link, setLink] = useState<string | null>(null);
  const visibility = useMutation({
    mutationFn: (makePublic: boolean) => api.put(`/sessions/${encodeURIComponent(s.id)}/ports/${p.port}`, { public: makePublic }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key("session", s.id, "ports") }),
  });
  const token = useMutation({
    mutationFn: () => api.post<CreatedToken>(`/sessions/${encodeURIComponent(s.id)}/preview-tokens`, { expiresInSeconds: 3600 }),
    onSuccess: (created) => setLink(previewLink(p.url, created.token)),
  });
  const note = !p.listening ? "nothing listens now" : !p.reachable ? "bound to loopback only: listen on 0.0.0.0 to preview it" : null;
  return (
    <tr data-testid="port-row" data-port={p.port}>
      <td className={`${tdClass} font-mono`}>{p.port}</td>
      <td className={`${tdClass} whitespace-normal`}>
        {p.public ? (
          <a href={p.url} target="_blank" rel="noreferrer" className="font-mono text-xs break-all text-indigo-700 hover:underline">{p.url}</a>
        ) : (
          <span className="font-mono text-xs break-all text-zinc-700">{p.url}</span>
        )}
        {note && <div className="text-xs text-amber-700">{note}</div>}
        {link && (
          <div className="mt-1 flex items-center gap-2 text-xs">
            <a href={link} target="_blank" rel="noreferrer" data-testid="preview-link" className="font-medium text-indigo-700 hover:underline">Open preview</a>
            <CopyButton text={link} />
            <span className="text-zinc-500">valid for 1 hour; whoever has it can open this port</span>
          </div>
        )}
        <InlineError error={visibility.error ?? token.error} />
      </td>
      <td className={tdClass}>{p.public ? "Public" : "Token"}</td>
      <td className={`${tdClass} text-right`}>
        {canWrite && (
          <div className="flex justify-end gap-2">
            {!p.public && <Button size="sm" variant="secondary" pending={token.isPending} onClick={() => token.mutate()}>Preview link</Button>}
            <Button size="sm" variant="ghost" pending={visibility.isPending} onClick={() => visibility.mutate(!p.public)}>
              {p.public ? "Make private" : "Make public"}
            </Button>
          </div>
        )}
      </td>
    </tr>
  );
}
