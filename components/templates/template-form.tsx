"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { idlePolicySchema, templateFields, templateNameSchema } from "@/lib/templates/schemas";
import { formLevelError } from "../api-client";
import type { Template } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatMib, formatSeconds } from "../format";
import type { FieldRule } from "../forms/field-rules";
import { useFieldErrors } from "../forms/use-field-errors";
import { parseKeyValueLines, toKeyValueLines } from "../key-value-lines";
import { Button } from "../ui/button";
import { SelectField, TextAreaField, TextField } from "../ui/field";
import { InlineError } from "../ui/states";
import { NetworkPolicyFields } from "../network/network-policy-fields";
import { draftOf } from "../network/policy-draft";
import { usePolicyDraft } from "../network/use-policy-draft";

const FIELDS = ["name", "vcpu", "memoryMib", "diskMib", "gpus", "pauseAfterSeconds", "hibernateAfterSeconds", "maxLifetimeSeconds", "retentionDays", "env"] as const;

/** The API's own schemas for each field, checked in the browser before sending. */
const RULES = {
  name: { schema: templateNameSchema, label: "Template name" },
  vcpu: { schema: templateFields.vcpu.optional(), label: "vCPU", unit: "vcpu" },
  memoryMib: { schema: templateFields.memoryMib.optional(), label: "Memory", unit: "mib" },
  diskMib: { schema: templateFields.diskMib.optional(), label: "Disk", unit: "mib" },
  gpus: { schema: templateFields.gpus.optional(), label: "GPUs" },
  pauseAfterSeconds: { schema: idlePolicySchema.shape.pauseAfterSeconds, label: "Pause after idle", unit: "seconds" },
  hibernateAfterSeconds: { schema: idlePolicySchema.shape.hibernateAfterSeconds, label: "Hibernate after idle", unit: "seconds" },
  maxLifetimeSeconds: { schema: templateFields.maxLifetimeSeconds.optional(), label: "Maximum lifetime", unit: "seconds" },
  retentionDays: { schema: templateFields.retentionDays.optional(), label: "Snapshot retention", unit: "days" },
} satisfies Record<string, FieldRule>;

type Values = Record<Exclude<(typeof FIELDS)[number], "env">, string> & { env: string };

function toValues(t: Template, name: string): Values {
  return {
    name,
    vcpu: String(t.resources.vcpu), memoryMib: String(t.resources.memoryMib), diskMib: String(t.resources.diskMib), gpus: String(t.resources.gpus),
    pauseAfterSeconds: t.idle.pauseAfterSeconds?.toString() ?? "", hibernateAfterSeconds: t.idle.hibernateAfterSeconds?.toString() ?? "",
    maxLifetimeSeconds: String(t.maxLifetimeSeconds), retentionDays: String(t.retentionDays), env: toKeyValueLines(t.env),
  };
}

/** The request body: every field on create; only what changed on edit. Empty idle fields mean "never". */
function toBody(v: Values, env: Record<string, string>, before: Values | null) {
  const changed = (k: keyof Values) => !before || v[k].trim() !== before[k].trim();
  const n = (k: keyof Values) => Number(v[k]);
  const idleValue = (k: "pauseAfterSeconds" | "hibernateAfterSeconds") => (v[k].trim() === "" ? null : n(k));
  const body: Record<string, unknown> = {};
  if (!before) body.name = v.name.trim();
  for (const k of ["vcpu", "memoryMib", "diskMib", "gpus", "maxLifetimeSeconds", "retentionDays"] as const) {
    if (changed(k) && v[k].trim() !== "") body[k] = n(k);
  }
  const idle: Record<string, number | null> = {};
  if (changed("pauseAfterSeconds")) idle.pauseAfterSeconds = idleValue("pauseAfterSeconds");
  if (changed("hibernateAfterSeconds")) idle.hibernateAfterSeconds = idleValue("hibernateAfterSeconds");
  if (Object.keys(idle).length) body.idle = idle;
  if (changed("env")) body.env = env;
  return body;
}

/** Create a template (prefilled with `base`'s defaults) or change one's defaults. */
export function TemplateForm({ template, mode, onDone, onCancel }: { template: Template; mode: "create" | "edit"; onDone: (t: Template) => void; onCancel?: () => void }) {
  const { api, key } = useTenantApi();
  const queryClient = useQueryClient();
  const [initial] = useState(() => toValues(template, mode === "edit" ? template.name : ""));
  const [v, setV] = useState<Values>(initial);
  /** "": the tenant's default (a stored default cannot go back to it: the API takes none or a policy). */
  const initialNetwork = mode === "create" || template.network === null ? "" : template.network === "none" ? "none" : "policy";
  const [networkChoice, setNetworkChoice] = useState<"" | "none" | "policy">(initialNetwork);
  const env = parseKeyValueLines(v.env, "env");
  const body = toBody(v, env.values, mode === "edit" ? initial : null);
  const save = useMutation({
    mutationFn: (network: object | "none" | undefined) => {
      const sent = network === undefined ? body : { ...body, network };
      return mode === "create" ? api.post<Template>("/templates", sent) : api.patch<Template>(`/templates/${encodeURIComponent(template.id)}`, sent);
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: key("templates") });
      if (mode === "create") setV(initial);
      onDone(saved);
    },
  });
  const errors = useFieldErrors(RULES, save.error);
  const policy = usePolicyDraft(draftOf(mode === "edit" ? template.network : null), save.error);
  const set = (k: keyof Values) => (e: { target: { value: string } }) => {
    errors.clear(k);
    setV((x) => ({ ...x, [k]: e.target.value }));
  };
  const field = (k: Exclude<keyof Values, "env" | "name">, label: string, hint: string, extra: Record<string, number | string> = {}) => (
    <TextField id={`${mode}-template-${k}`} label={label} type="number" value={v[k]} onChange={set(k)} error={errors.error(k)} hint={hint} {...extra} />
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (env.error) return;
    const num = (k: keyof Values) => (v[k].trim() === "" ? undefined : Number(v[k]));
    const idle = (k: "pauseAfterSeconds" | "hibernateAfterSeconds") => (v[k].trim() === "" ? null : Number(v[k]));
    const valid = errors.check({
      // The name is set once, on create; an edit sends none (any valid name stands in for it here).
      name: mode === "create" ? v.name : "unchanged", vcpu: num("vcpu"), memoryMib: num("memoryMib"), diskMib: num("diskMib"), gpus: num("gpus"),
      pauseAfterSeconds: idle("pauseAfterSeconds"), hibernateAfterSeconds: idle("hibernateAfterSeconds"),
      maxLifetimeSeconds: num("maxLifetimeSeconds"), retentionDays: num("retentionDays"),
    });
    const network = networkChoice === "policy" ? policy.validate() : networkChoice === "none" ? "none" : undefined;
    // On edit the network is sent only when it is not the stored one.
    const unchanged = mode === "edit" && network !== null && JSON.stringify(network ?? null) === JSON.stringify(template.network);
    if (valid && network !== null) save.mutate(unchanged ? undefined : network);
  }

  const nothingChanged = mode === "edit" && Object.keys(body).length === 0 && networkChoice === initialNetwork && networkChoice !== "policy";
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate aria-label={mode === "create" ? "Create template" : `Edit template ${template.name}`}>
      {mode === "create" && (
        <TextField id="create-template-name" label="Template name" required maxLength={63} placeholder="python-agent" value={v.name} onChange={set("name")}
          error={errors.error("name")} hint="Lowercase letters, digits, . _ -; agents start sessions with it by name." className="sm:max-w-sm" autoComplete="off" />
      )}
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {field("vcpu", "vCPU", "0.1 to 64", { step: 0.1, min: 0.1 })}
        {field("memoryMib", "Memory (MiB)", v.memoryMib ? formatMib(Number(v.memoryMib)) : "at least 64", { step: 64, min: 64 })}
        {field("diskMib", "Disk (MiB)", v.diskMib ? formatMib(Number(v.diskMib)) : "at least 64", { step: 64, min: 64 })}
        {field("gpus", "GPUs", "0 to 16", { min: 0 })}
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {field("pauseAfterSeconds", "Pause after idle (s)", v.pauseAfterSeconds ? formatSeconds(Number(v.pauseAfterSeconds)) : "Empty: never", { min: 1 })}
        {field("hibernateAfterSeconds", "Hibernate after idle (s)", v.hibernateAfterSeconds ? formatSeconds(Number(v.hibernateAfterSeconds)) : "Empty: never", { min: 1 })}
        {field("maxLifetimeSeconds", "Max lifetime (s)", v.maxLifetimeSeconds ? `${formatSeconds(Number(v.maxLifetimeSeconds))}; at most 24 h` : "at most 24 h", { min: 10 })}
        {field("retentionDays", "Keep hibernated snapshots (days)", "1 to 365", { min: 1 })}
      </div>
      <TextAreaField id={`${mode}-template-env`} label="Environment" rows={3} placeholder="LANG=C.UTF-8" value={v.env} onChange={set("env")}
        error={env.error ?? undefined} hint="One KEY=VALUE a line; sessions may add their own." spellCheck={false} className="lg:max-w-2xl" />
      <div className="space-y-4">
        <SelectField id={`${mode}-template-network`} label="Network" value={networkChoice} className="sm:max-w-sm"
          onChange={(e) => setNetworkChoice(e.target.value as typeof networkChoice)} hint="What sessions from this template get unless they name their own.">
          {(mode === "create" || template.network === null) && <option value="">The tenant&apos;s default</option>}
          <option value="none">No network (loopback only)</option>
          <option value="policy">A network with this egress policy…</option>
        </SelectField>
        {networkChoice === "policy" && <NetworkPolicyFields idPrefix={`${mode}-template-network`} draft={policy.draft} errors={policy.errors} onChange={policy.onChange} />}
      </div>
      <InlineError error={policy.serverErrorShown ? null : formLevelError(save.error, FIELDS)} />
      <div className="flex items-center gap-2">
        <Button type="submit" pending={save.isPending} disabled={Boolean(env.error) || nothingChanged || (mode === "create" && !v.name.trim())}>
          {mode === "create" ? "Create template" : "Save changes"}
        </Button>
        {onCancel && <Button variant="ghost" onClick={onCancel}>Cancel</Button>}
        {mode === "edit" && <span className="text-xs text-zinc-500">Changes apply to new sessions only.</span>}
      </div>
    </form>
  );
}
