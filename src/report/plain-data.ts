/**
 * The report reads JSON written by the batch (summary.json, trace.jsonl) and trusts no shape it
 * has not checked: the files may be hand-edited, truncated or from another version.
 */

/** A JSON object (not null, not a list). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
