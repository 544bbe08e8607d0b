// The audit trail: one row per write, never updated or deleted (a trigger refuses both).
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    /** 'user', 'api_token', 'cli', 'system' or 'champion' (a champion acting on their own record, by id only). */
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    organisationId: integer('organisation_id'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [
    index('audit_events_object').on(t.objectType, t.objectId),
    index('audit_events_occurred').on(t.occurredAt),
    index('audit_events_actor').on(t.actorType, t.actorId),
  ],
);
