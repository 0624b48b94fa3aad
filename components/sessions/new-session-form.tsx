"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { idlePolicySchema, resourcesSchema } from "@/lib/templates/schemas";
import { formLevelError } from "../api-client";
import type { Page, Session, Snapshot } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatBytes, formatDateTime, formatMib, formatSeconds } from "../format";
import type { FieldRule } from "../forms/field-rules";
import { useFieldErrors } from "../forms/use-field-errors";
import { parseKeyValueLines } from "../key-value-lines";
import { Button } from "../ui/button";
import { SelectField, TextAreaField, TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { RunnerHealthNotice } from "../runners/runner-health-notice";
import { NetworkPolicyFields } from "../network/network-policy-fields";
import { describeNetwork, draftOf } from "../network/policy-draft";
import { usePolicyDraft } from "../network/use-policy-draft";
import { useTemplates } from "./use-sessions";

const FIELDS = ["template", "vcpu", "memoryMib", "pauseAfterSeconds", "hibernateAfterSeconds", "fromSnapshot", "labels", "env"] as const;

/** Checked in the browser with the API's own schemas, so a wrong number is caught before sending. */
const RULES = {
  vcpu: { schema: resourcesSchema.shape.vcpu, label: "vCPU", unit: "vcpu" },
  memoryMib: { schema: resourcesSchema.shape.memoryMib, label: "Memory", unit: "mib" },
  pauseAfterSeconds: { schema: idlePolicySchema.shape.pauseAfterSeconds, label: "Pause after idle", unit: "seconds" },
  hibernateAfterSeconds: { schema: idlePolicySchema.shape.hibernateAfterSeconds, label: "Hibernate after idle", unit: "seconds" },
} satisfies Record<string, FieldRule>;

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
  /** "": the template's (or the tenant's) default; "none": loopback only; "policy": the fields below. */
  const [networkChoice, setNetworkChoice] = useState<"" | "none" | "policy">("");
  const env = parseKeyValueLines(envText, "env");
  const labels = parseKeyValueLines(labelText, "label");
  const chosen = templates.data?.data.find((t) => t.name === template);

  const create = useMutation({
    mutationFn: (network: object | "none" | undefined) => {
      const resources = { vcpu: num(vcpu), memoryMib: num(memory) };
      const idle = { pauseAfterSeconds: num(pauseAfter), hibernateAfterSeconds: num(hibernateAfter) };
      return api.post<Session>("/sessions", {
        template,
        ...(resources.vcpu !== undefined || resources.memoryMib !== undefined ? { resources } : {}),
        ...(idle.pauseAfterSeconds !== undefined || idle.hibernateAfterSeconds !== undefined ? { idle } : {}),
        ...(Object.keys(env.values).length ? { env: env.values } : {}),
        ...(Object.keys(labels.values).length ? { labels: labels.values } : {}),
        ...(fromSnapshot ? { fromSnapshot } : {}),
        ...(network ? { network } : {}),
      });
    },
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: key("sessions") });
      onCreated(session);
    },
  });
  const errors = useFieldErrors(RULES, create.error);
  const policy = usePolicyDraft(draftOf(null), create.error);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (env.error || labels.error) return;
    const valid = errors.check({ vcpu: num(vcpu), memoryMib: num(memory), pauseAfterSeconds: num(pauseAfter), hibernateAfterSeconds: num(hibernateAfter) });
    const network = networkChoice === "policy" ? policy.validate() : networkChoice === "none" ? "none" : undefined;
    if (valid && network !== null) create.mutate(network);
  }
  /** An onChange that sets the value and clears the field's message. */
  const edit = (field: string, set: (v: string) => void) => (e: { target: { value: string } }) => {
    errors.clear(field);
    set(e.target.value);
  };

  const ready = (snapshots.data?.data ?? []).filter((s) => s.status === "ready");
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate aria-label="New session">
      <RunnerHealthNotice />
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField id="session-template" label="Template" value={template} onChange={edit("template", setTemplate)}
          error={errors.error("template")} disabled={templates.isPending}>
          {(templates.data?.data ?? [{ id: "tpl_base", name: "base", builtIn: true }]).map((t) => (
            <option key={t.id} value={t.name}>{t.name}{t.builtIn ? " (built-in)" : ""}</option>
          ))}
        </SelectField>
        <TextField id="session-vcpu" label="vCPU" type="number" inputMode="decimal" min={0.1} max={64} step={0.1} value={vcpu}
          placeholder={chosen ? String(chosen.resources.vcpu) : ""} onChange={edit("vcpu", setVcpu)} error={errors.error("vcpu")}
          hint={chosen ? `Template default: ${chosen.resources.vcpu}` : undefined} />
        <TextField id="session-memory" label="Memory (MiB)" type="number" inputMode="numeric" min={64} max={262_144} step={64} value={memory}
          placeholder={chosen ? String(chosen.resources.memoryMib) : ""} onChange={edit("memoryMib", setMemory)} error={errors.error("memoryMib")}
          hint={chosen ? `Template default: ${formatMib(chosen.resources.memoryMib)}` : undefined} />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField id="session-pause-after" label="Pause after idle (seconds)" type="number" inputMode="numeric" min={1} value={pauseAfter}
          placeholder={chosen?.idle.pauseAfterSeconds?.toString() ?? "never"} onChange={edit("pauseAfterSeconds", setPauseAfter)}
          error={errors.error("pauseAfterSeconds")} hint={chosen ? `Template default: ${formatSeconds(chosen.idle.pauseAfterSeconds)}` : undefined} />
        <TextField id="session-hibernate-after" label="Hibernate after idle (seconds)" type="number" inputMode="numeric" min={1} value={hibernateAfter}
          placeholder={chosen?.idle.hibernateAfterSeconds?.toString() ?? "never"} onChange={edit("hibernateAfterSeconds", setHibernateAfter)}
          error={errors.error("hibernateAfterSeconds")} hint={chosen ? `Template default: ${formatSeconds(chosen.idle.hibernateAfterSeconds)}` : undefined} />
        <SelectField id="session-from-snapshot" label="Start from snapshot (optional)" value={fromSnapshot}
          onChange={edit("fromSnapshot", setFromSnapshot)} error={errors.error("fromSnapshot")}
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
          onChange={edit("labels", setLabelText)} error={labels.error ?? errors.error("labels")} hint="One key=value a line; filter the list by them." spellCheck={false} />
      </div>
      <div className="space-y-4">
        <SelectField id="session-network" label="Network" value={networkChoice} className="sm:max-w-sm"
          onChange={(e) => setNetworkChoice(e.target.value as typeof networkChoice)}
          hint={networkChoice === "" ? `Template default: ${chosen?.network ? describeNetwork(chosen.network) : "the tenant's"}` : undefined}>
          <option value="">Template&apos;s default</option>
          <option value="none">No network (loopback only)</option>
          <option value="policy">A network with this egress policy…</option>
        </SelectField>
        {networkChoice === "policy" && <NetworkPolicyFields idPrefix="session-network" draft={policy.draft} errors={policy.errors} onChange={policy.onChange} />}
      </div>
      <InlineError error={policy.serverErrorShown ? null : formLevelError(create.error, FIELDS)} />
      <Button type="submit" pending={create.isPending} disabled={Boolean(env.error || labels.error)}>Start session</Button>
    </form>
  );
}
