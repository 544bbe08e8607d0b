CREATE TABLE "draft_comments" (
	"id" serial PRIMARY KEY NOT NULL,
	"draft_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "draft_comments_not_empty" CHECK (length("draft_comments"."body") > 0)
);
--> statement-breakpoint
CREATE TABLE "draft_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"draft_id" integer NOT NULL,
	"meeting_id" integer NOT NULL,
	"version_number" integer NOT NULL,
	"outcome" text NOT NULL,
	"reasons" text NOT NULL,
	"recorded_by" integer NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"item_id" integer,
	CONSTRAINT "draft_decisions_outcome_valid" CHECK ("draft_decisions"."outcome" in ('accept', 'send_back', 'reject')),
	CONSTRAINT "draft_decisions_item_only_when_accepted" CHECK ("draft_decisions"."item_id" is null or "draft_decisions"."outcome" = 'accept')
);
--> statement-breakpoint
CREATE TABLE "draft_reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"draft_id" integer NOT NULL,
	"version_number" integer NOT NULL,
	"reviewer_id" integer NOT NULL,
	"strength" text,
	"analysis" text DEFAULT '' NOT NULL,
	"cost_text" text DEFAULT '' NOT NULL,
	"cost_per_year" bigint,
	"levers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"testing_notes" text DEFAULT '' NOT NULL,
	"recommendation" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "draft_reviews_strength_valid" CHECK ("draft_reviews"."strength" is null or "draft_reviews"."strength" in ('strong', 'moderate', 'limited', 'none')),
	CONSTRAINT "draft_reviews_recommendation_valid" CHECK ("draft_reviews"."recommendation" is null or "draft_reviews"."recommendation" in ('proceed', 'revise', 'reject')),
	CONSTRAINT "draft_reviews_completed_complete" CHECK ("draft_reviews"."completed_at" is null or ("draft_reviews"."strength" is not null and "draft_reviews"."recommendation" is not null)),
	CONSTRAINT "draft_reviews_cost_not_negative" CHECK ("draft_reviews"."cost_per_year" is null or "draft_reviews"."cost_per_year" >= 0)
);
--> statement-breakpoint
CREATE TABLE "draft_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"draft_id" integer NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"rationale" text DEFAULT '' NOT NULL,
	"lead_organisation_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"area_id" integer,
	"theme_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"target_text" text DEFAULT '' NOT NULL,
	"saved_by" integer NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "draft_versions_number_positive" CHECK ("draft_versions"."number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "drafts" (
	"id" serial PRIMARY KEY NOT NULL,
	"group_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"sent_back" boolean DEFAULT false NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"outcome" text,
	"item_id" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	CONSTRAINT "drafts_state_valid" CHECK ("drafts"."state" in ('draft', 'submitted', 'under_review', 'reviewed', 'decided')),
	CONSTRAINT "drafts_outcome_valid" CHECK ("drafts"."outcome" is null or "drafts"."outcome" in ('accept', 'reject')),
	CONSTRAINT "drafts_decided_has_outcome" CHECK (("drafts"."state" = 'decided') = ("drafts"."outcome" is not null)),
	CONSTRAINT "drafts_item_only_when_accepted" CHECK ("drafts"."item_id" is null or "drafts"."outcome" = 'accept'),
	CONSTRAINT "drafts_current_version_positive" CHECK ("drafts"."current_version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "draft_comments" ADD CONSTRAINT "draft_comments_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_comments" ADD CONSTRAINT "draft_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_decisions" ADD CONSTRAINT "draft_decisions_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_decisions" ADD CONSTRAINT "draft_decisions_meeting_id_governance_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."governance_meetings"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_decisions" ADD CONSTRAINT "draft_decisions_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_decisions" ADD CONSTRAINT "draft_decisions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_reviews" ADD CONSTRAINT "draft_reviews_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_reviews" ADD CONSTRAINT "draft_reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_versions" ADD CONSTRAINT "draft_versions_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_versions" ADD CONSTRAINT "draft_versions_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draft_versions" ADD CONSTRAINT "draft_versions_saved_by_users_id_fk" FOREIGN KEY ("saved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_group_id_governance_bodies_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."governance_bodies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "draft_comments_draft" ON "draft_comments" USING btree ("draft_id","created_at");--> statement-breakpoint
CREATE INDEX "draft_decisions_draft" ON "draft_decisions" USING btree ("draft_id");--> statement-breakpoint
CREATE INDEX "draft_decisions_item" ON "draft_decisions" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "draft_reviews_draft" ON "draft_reviews" USING btree ("draft_id");--> statement-breakpoint
CREATE UNIQUE INDEX "draft_reviews_one_open" ON "draft_reviews" USING btree ("draft_id") WHERE "draft_reviews"."completed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "draft_versions_number" ON "draft_versions" USING btree ("draft_id","number");--> statement-breakpoint
CREATE INDEX "drafts_group_state" ON "drafts" USING btree ("group_id","state");--> statement-breakpoint
CREATE INDEX "drafts_state" ON "drafts" USING btree ("state","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "drafts_item" ON "drafts" USING btree ("item_id");