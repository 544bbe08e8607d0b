// The one way to record a write: call `recordAudit` inside the write's transaction, so the
// event and the change land together or not at all.
import type { Executor } from '../db/client.ts';
import { auditEvents } from './schema.ts';

export type ActorType = 'user' | 'api_token' | 'cli' | 'system' | 'champion';

/** Who is acting, and from where. Built by the HTTP layer or the CLI, passed to services. */
export interface Actor {
  type: ActorType;
  id?: string | undefined;
  label: string;
  organisationId?: number | undefined;
  requestId?: string | undefined;
  ip?: string | undefined;
}

export const systemActor: Actor = { type: 'system', label: 'system' };

export function cliActor(command: string): Actor {
  const user = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  return { type: 'cli', id: user, label: `${user} via strategy-hub ${command}` };
}

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId: string | number;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(exec: Executor, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  // Inserted in chunks: one statement per thousand rows keeps large imports fast and bounded.
  for (let i = 0; i < list.length; i += 1000) {
    await exec.insert(auditEvents).values(
      list.slice(i, i + 1000).map((e) => ({
        actorType: actor.type,
        actorId: actor.id ?? null,
        actorLabel: actor.label,
        organisationId: actor.organisationId ?? null,
        action: e.action,
        objectType: e.objectType,
        objectId: String(e.objectId),
        before: e.before ?? null,
        after: e.after ?? null,
        requestId: actor.requestId ?? null,
        ip: actor.ip ?? null,
      })),
    );
  }
}
