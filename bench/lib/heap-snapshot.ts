// Reads a V8 heap snapshot (.heapsnapshot, as --heapsnapshot-signal writes it) into live bytes and
// object counts per constructor/type, so two snapshots can be diffed ("what does each idle client
// hold"). A snapshot is taken after a full GC: only reachable objects are in it.
import { readFileSync } from "node:fs";

export type HeapSummary = Map<string, { count: number; bytes: number }>;

export function summarizeHeapSnapshot(file: string): { totalBytes: number; byName: HeapSummary } {
  const snap = JSON.parse(readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = snap.snapshot.meta.node_types[0];
  const byName: HeapSummary = new Map();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]];
    const size = snap.nodes[i + sizeAt];
    totalBytes += size;
    const name = type === "object" || type === "closure" ? `${type}:${snap.strings[snap.nodes[i + nameAt]]}` : `(${type})`;
    const e = byName.get(name) ?? { count: 0, bytes: 0 };
    e.count += 1;
    e.bytes += size;
    byName.set(name, e);
  }
  return { totalBytes, byName };
}

/** The largest growths from `before` to `after`, per unit (e.g. per client). */
export function diffHeap(before: HeapSummary, after: HeapSummary, per: number, top = 30) {
  const rows: { name: string; countPer: number; bytesPer: number }[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { count: 0, bytes: 0 };
    rows.push({ name, countPer: Math.round(((a.count - b.count) / per) * 100) / 100, bytesPer: Math.round((a.bytes - b.bytes) / per) });
  }
  return rows.sort((x, y) => y.bytesPer - x.bytesPer).slice(0, top);
}
