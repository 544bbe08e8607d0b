// Tables of governance: the bodies that make and oversee the strategy (steering group, Oversight
// Executive, expert working groups, workstreams…), the people in them, and their meetings with
// papers and decisions. The drafting pipeline and engagement point at these; nothing here knows
// about them.
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, serial, text, timestamp, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';
import { items, organisations } from '../strategy/schema.ts';

export const BODY_KINDS = ['steering_group', 'oversight_executive', 'delivery_board', 'working_group', 'workstream', 'sub_group'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

export const governanceBodies = pgTable(
  'governance_bodies',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull().unique(),
    kind: text('kind', { enum: BODY_KINDS }).notNull(),
    /** The body this one reports to (a sub-group under its working group…). */
    parentId: integer('parent_id').references((): AnyPgColumn => governanceBodies.id, { onDelete: 'restrict' }),
    /** An expert working group's area of focus. */
    areaOfFocus: text('area_of_focus'),
    purpose: text('purpose').notNull().default(''),
    startsOn: date('starts_on', { mode: 'string' }),
    /** Null while the body is active. */
    endsOn: date('ends_on', { mode: 'string' }),
    position: integer('position').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('governance_bodies_parent').on(t.parentId),
    check('governance_bodies_kind_valid', sql`${t.kind} in ('steering_group', 'oversight_executive', 'delivery_board', 'working_group', 'workstream', 'sub_group')`),
    check('governance_bodies_dates', sql`${t.endsOn} is null or ${t.startsOn} is null or ${t.endsOn} >= ${t.startsOn}`),
    check('governance_bodies_not_own_parent', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
);

/**
 * A person who sits on bodies. Many have no account (a steering-group member who never signs
 * in); one who drafts or reviews is linked to their account, which is how "members draft only in
 * their own group" is checked.
 */
export const governancePeople = pgTable('governance_people', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  userId: integer('user_id')
    .unique()
    .references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const MEMBER_POSITIONS = ['chair', 'co_chair', 'member', 'secretariat'] as const;
export type MemberPosition = (typeof MEMBER_POSITIONS)[number];

export const governanceMemberships = pgTable(
  'governance_memberships',
  {
    id: serial('id').primaryKey(),
    bodyId: integer('body_id')
      .notNull()
      .references(() => governanceBodies.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => governancePeople.id, { onDelete: 'cascade' }),
    /** The organisation they sit for; null for an independent member. */
    organisationId: integer('organisation_id').references(() => organisations.id),
    position: text('position', { enum: MEMBER_POSITIONS }).notNull().default('member'),
    /** "President of ADASS", "DHSC Chief Social Worker"… */
    roleTitle: text('role_title').notNull().default(''),
    startsOn: date('starts_on', { mode: 'string' }),
    /** Null while they are a member. */
    endsOn: date('ends_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('governance_memberships_body').on(t.bodyId),
    index('governance_memberships_person').on(t.personId),
    check('governance_memberships_position_valid', sql`${t.position} in ('chair', 'co_chair', 'member', 'secretariat')`),
    check('governance_memberships_dates', sql`${t.endsOn} is null or ${t.startsOn} is null or ${t.endsOn} >= ${t.startsOn}`),
  ],
);

export const governanceMeetings = pgTable(
  'governance_meetings',
  {
    id: serial('id').primaryKey(),
    bodyId: integer('body_id')
      .notNull()
      .references(() => governanceBodies.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** Where it is held; either or both of a place and an online link. */
    place: text('place'),
    onlineUrl: text('online_url'),
    agenda: text('agenda').notNull().default(''),
    minutes: text('minutes'),
    /** Private minutes are seen by the strategy team and the body's members, never the public. */
    minutesPublic: boolean('minutes_public').notNull().default(false),
    /** Cancelled meetings stay listed (and in calendars, as cancelled). */
    cancelled: boolean('cancelled').notNull().default(false),
    /** Bumped by every change; calendars read it as SEQUENCE. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('governance_meetings_body_time').on(t.bodyId, t.startsAt), index('governance_meetings_time').on(t.startsAt), check('governance_meetings_times', sql`${t.endsAt} > ${t.startsAt}`)],
);

/** A paper for a meeting: a link to where it is published, public or for members only. */
export const meetingPapers = pgTable(
  'meeting_papers',
  {
    id: serial('id').primaryKey(),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => governanceMeetings.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    url: text('url').notNull(),
    isPublic: boolean('is_public').notNull().default(true),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('meeting_papers_meeting').on(t.meetingId)],
);

/** What a meeting decided, linked to the strategy item it concerns where there is one. */
export const meetingDecisions = pgTable(
  'meeting_decisions',
  {
    id: serial('id').primaryKey(),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => governanceMeetings.id, { onDelete: 'cascade' }),
    summary: text('summary').notNull(),
    itemId: integer('item_id').references(() => items.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('meeting_decisions_meeting').on(t.meetingId), index('meeting_decisions_item').on(t.itemId)],
);
