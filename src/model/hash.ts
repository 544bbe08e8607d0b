// A run's identity: SHA-256 of a canonical JSON (keys sorted at every depth) of its inputs,
// scenario, seed and engine version, so a stored run can be found, replayed and compared,
// whatever order its objects' keys were written in.
import { createHash } from 'node:crypto';
import { ENGINE_VERSION } from './types.ts';

/** JSON with object keys sorted; refuses values JSON cannot round-trip (NaN, Infinity, functions). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot hash a non-finite number (${value})`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`Cannot hash a value of type ${typeof value}`);
}

export interface RunDefinition {
  inputs: unknown;
  scenario: unknown;
  seed?: number;
  /** Anything else that changes the numbers: uncertain inputs, runs, delivery weights, items. */
  [extra: string]: unknown;
}

/** Hex SHA-256 of the run's canonical JSON, with the engine version folded in. */
export function runHash(run: RunDefinition, engineVersion: string = ENGINE_VERSION): string {
  return createHash('sha256').update(canonicalJson({ engineVersion, ...run })).digest('hex');
}
