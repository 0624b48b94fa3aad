"use client";

// The fields of an egress policy, shared by the session's Network tab, the new-session form and
// the tenant's default: what no entry names (allow or deny), then the two lists, one entry a line.
import type { PolicyDraft, PolicyErrors, PolicyList } from "./policy-draft";
import { SelectField, TextAreaField } from "../ui/field";

type Props = {
  idPrefix: string;
  draft: PolicyDraft;
  errors: PolicyErrors;
  onChange: (draft: PolicyDraft, changed: "egress" | PolicyList) => void;
  disabled?: boolean;
};

const ENTRY_HINT = "One a line: an IP, a CIDR (10.0.0.0/8), a domain (pypi.org) or a wildcard (*.pythonhosted.org).";

export function NetworkPolicyFields({ idPrefix, draft, errors, onChange, disabled }: Props) {
  const set = (changed: "egress" | PolicyList, value: string) => onChange({ ...draft, [changed]: value }, changed);
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <SelectField id={`${idPrefix}-egress`} label="Everything else" value={draft.egress} disabled={disabled}
        onChange={(e) => set("egress", e.target.value)}
        hint="What happens to a destination neither list names. Other sandboxes, the runner host and cloud metadata are always blocked.">
        <option value="allow">Allowed (the internet is open)</option>
        <option value="deny">Denied (only what is allowed)</option>
      </SelectField>
      <TextAreaField id={`${idPrefix}-allow`} label="Allowed" rows={4} spellCheck={false} disabled={disabled}
        placeholder={"pypi.org\n*.pythonhosted.org"} value={draft.allowOut} error={errors.allowOut}
        onChange={(e) => set("allowOut", e.target.value)} hint={ENTRY_HINT} />
      <TextAreaField id={`${idPrefix}-deny`} label="Denied" rows={4} spellCheck={false} disabled={disabled}
        placeholder={"evil.example.com\n203.0.113.0/24"} value={draft.denyOut} error={errors.denyOut}
        onChange={(e) => set("denyOut", e.target.value)} hint="Wins over Allowed. A denied domain's DNS answer is refused." />
    </div>
  );
}
