"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ApiError, formLevelError } from "../api-client";
import type { Page, Session, Snapshot } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes, formatDateTime, formatMib, formatSeconds } from "../format";
import { parseKeyValueLines } from "../key-value-lines";
import { Button } from "../ui/button";
import { SelectField, TextAreaField, TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { RunnerHealthNotice } from "../runners/runner-health-notice";
import { useTemplates } from "./use-sessions";

const FIELDS = ["template", "vcpu", "memoryMib", "pauseAfterSeconds", "hibernateAfterSeconds", "fromSnapshot", "labels", "env"] as const;

/** "" → not sent (the template decides); anything else as a number. */
const num = (v: string) => (v.trim() === "" ? undefined : Number(v));

export function NewSessionForm({ onCreated }: { onCreated: (session: Session) => void }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const snapshots = useQuery({
    queryKey: key("snapshots", "picker"),
    queryFn: () => api.get<Page<Snapshot>>("/snapshots", { limit: 100 }),
    staleTime: 0, // hibernating sessions add snapshots without the console knowing
  });
  const [template, setTemplate] = useState("base");
  const [vcpu, setVcpu] = useState("");
  const [memory, setMemory] = useState("");
  const [pauseAfter, setPauseAfter] = useState("");
  const [hibernateAfter, setHibernateAfter] = useState("");
  const [envText, setEnvText] = useState("");
  const [labelText, setLabelText] = useState("");
  const [fromSnapshot, setFromSnapshot] = useState("");
  const env = parseKeyValueLines(envText, "env");
  const labels = parseKeyValueLines(labelText, "label");
  const chosen = templates.data?.data.find((t) => t.name === template);

  const create = useMutation({
    mutationFn: () => {
      const resources = { vcpu: num(vcpu), memoryMib: num(memory) };
      const idle = { pauseAfterSeconds: num(pauseAfter), hibernateAfterSeconds: num(hibernateAfter) };
      return api.post<Session>("/sessions", {
        template,
        ...(resources.vcpu !== undefined || resources.memoryMib !== undefined ? { resources } : {}),
        ...(idle.pauseAfterSeconds !== undefined || idle.hibernateAfterSeconds !== undefined ? { idle } : {}),
        ...(Object.keys(env.values).length ? { env: env.values } : {}),
        ...(Object.keys(labels.values).length ? { labels: labels.values } : {}),
        ...(fromSnapshot ? { fromSnapshot } : {}),
      });
    },
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: key("sessions") });
      onCreated(session);
    },
  });
  const err = create.error instanceof ApiError ? create.error : null;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (env.error || labels.error) return;
    create.mutate();
  }

  const ready = (snapshots.data?.data ?? []).filter((s) => s.status === "ready");
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate aria-label="New session">
      <RunnerHealthNotice />
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField id="session-template" label="Template" value={template} onChange={(e) => setTemplate(e.target.value)}
          error={err?.fieldError("template")} disabled={templates.isPending}>
          {(templates.data?.data ?? [{ id: "tpl_base", name: "base", builtIn: true }]).map((t) => (
            <option key={t.id} value={t.name}>{t.name}{t.builtIn ? " (built-in)" : ""}</option>
          ))}
        </SelectField>
        <TextField id="session-vcpu" label="vCPU" type="number" inputMode="decimal" min={0.1} max={64} step={0.1} value={vcpu}
          placeholder={chosen ? String(chosen.resources.vcpu) : ""} onChange={(e) => setVcpu(e.target.value)} error={err?.fieldError("vcpu")}
          hint={chosen ? `Template default: ${chosen.resources.vcpu}` : undefined} />
        <TextField id="session-memory" label="Memory (MiB)" type="number" inputMode="numeric" min={64} step={64} value={memory}
          placeholder={chosen ? String(chosen.resources.memoryMib) : ""} onChange={(e) => setMemory(e.target.value)} error={err?.fieldError("memoryMib")}
          hint={chosen ? `Template default: ${formatMib(chosen.resources.memoryMib)}` : undefined} />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField id="session-pause-after" label="Pause after idle (seconds)" type="number" inputMode="numeric" min={1} value={pauseAfter}
          placeholder={chosen?.idle.pauseAfterSeconds?.toString() ?? "never"} onChange={(e) => setPauseAfter(e.target.value)}
          error={err?.fieldError("pauseAfterSeconds")} hint={chosen ? `Template default: ${formatSeconds(chosen.idle.pauseAfterSeconds)}` : undefined} />
        <TextField id="session-hibernate-after" label="Hibernate after idle (seconds)" type="number" inputMode="numeric" min={1} value={hibernateAfter}
          placeholder={chosen?.idle.hibernateAfterSeconds?.toString() ?? "never"} onChange={(e) => setHibernateAfter(e.target.value)}
          error={err?.fieldError("hibernateAfterSeconds")} hint={chosen ? `Template default: ${formatSeconds(chosen.idle.hibernateAfterSeconds)}` : undefined} />
        <SelectField id="session-from-snapshot" label="Start from snapshot (optional)" value={fromSnapshot}
          onChange={(e) => setFromSnapshot(e.target.value)} error={err?.fieldError("fromSnapshot")}
          hint="The new session starts with the snapshot's files (a fork).">
          <option value="">Empty workspace</option>
          {ready.map((s) => (
            <option key={s.id} value={s.id}>{s.id} · {s.reason} · {formatBytes(s.logicalBytes)} · {formatDateTime(s.createdAt)}</option>
          ))}
        </SelectField>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextAreaField id="session-env" label="Environment (optional)" rows={3} placeholder={"OPENAI_API_KEY=…\nDEBUG=1"} value={envText}
          onChange={(e) => setEnvText(e.target.value)} error={env.error ?? undefined} hint="One KEY=VALUE a line; added to the template's." spellCheck={false} />
        <TextAreaField id="session-labels" label="Labels (optional)" rows={3} placeholder={"team=search\nagent=crawler"} value={labelText}
          onChange={(e) => setLabelText(e.target.value)} error={labels.error ?? err?.fieldError("labels")} hint="One key=value a line; filter the list by them." spellCheck={false} />
      </div>
      <InlineError error={formLevelError(create.error, FIELDS)} />
      <Button type="submit" pending={create.isPending} disabled={Boolean(env.error || labels.error)}>Start session</Button>
    </form>
  );
}
