"use client";

import { useState } from "react";
import type { Template } from "../api-types";
import { useCanAdmin } from "../console/console-context";
import { useTemplates } from "../sessions/use-sessions";
import { Card, CardBody, CardHeader, PageHeader } from "../ui/card";
import { ErrorState, LoadingState } from "../ui/states";
import { useToast } from "../ui/toast";
import { TemplateForm } from "./template-form";
import { TemplateImport } from "./template-import";
import { TemplatesTable } from "./templates-table";

export function TemplatesPage() {
  const canAdmin = useCanAdmin();
  const toast = useToast();
  const templates = useTemplates();
  const [editing, setEditing] = useState<Template | null>(null);
  const base = templates.data?.data.find((t) => t.builtIn);

  return (
    <>
      <PageHeader title="Templates"
        description="Defaults for new sessions: resources, environment, idle policy and lifetime. The built-in base uses the host's /usr and /etc read-only and cannot be changed." />
      <div className="space-y-6">
        {canAdmin && editing && (
          <Card aria-labelledby="edit-template-title">
            <CardHeader id="edit-template-title" title={`Edit “${editing.name}”`} description="Sessions already running keep the settings they started with." />
            <CardBody>
              <TemplateForm key={editing.id} template={editing} mode="edit" onCancel={() => setEditing(null)}
                onDone={(t) => { toast.success(`Template “${t.name}” saved.`); setEditing(null); }} />
            </CardBody>
          </Card>
        )}
        {canAdmin && !editing && base && (
          <Card aria-labelledby="create-template-title">
            <CardHeader id="create-template-title" title="Create a template" description="Starts from base's defaults; change what your agents need." />
            <CardBody>
              <TemplateForm template={base} mode="create" onDone={(t) => toast.success(`Template “${t.name}” created.`)} />
            </CardBody>
          </Card>
        )}
        {canAdmin && !editing && (
          <Card aria-labelledby="import-template-title">
            <CardHeader id="import-template-title" title="Import an image"
              description="Make a template from a container image archive: its files become the sandbox's root filesystem and its Env the template's defaults." />
            <CardBody>
              <TemplateImport />
            </CardBody>
          </Card>
        )}
        {!canAdmin && <p className="rounded-md bg-zinc-100 px-4 py-3 text-sm text-zinc-600">Only owners and admins can create and change templates.</p>}
        <Card aria-labelledby="templates-title">
          <CardHeader id="templates-title" title="All templates" />
          {templates.isPending ? (
            <LoadingState label="Loading templates…" />
          ) : templates.isError ? (
            <ErrorState error={templates.error} onRetry={() => templates.refetch()} />
          ) : (
            <TemplatesTable templates={templates.data.data} canAdmin={canAdmin} onEdit={(t) => { setEditing(t); window.scrollTo({ top: 0, behavior: "smooth" }); }} />
          )}
        </Card>
      </div>
    </>
  );
}
