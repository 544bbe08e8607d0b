CREATE TABLE "progress_updates" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"status" text,
	"confidence" text,
	"summary" text DEFAULT '' NOT NULL,
	"narrative" text DEFAULT '' NOT NULL,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"milestones" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" integer,
	"updated_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_at" timestamp with time zone,
	"reviewed_by" integer,
	"reviewed_at" timestamp with time zone,
	"review_comment" text,
	"published_at" timestamp with time zone,
	CONSTRAINT "progress_updates_state_valid" CHECK ("progress_updates"."state" in ('draft', 'submitted', 'returned', 'published')),
	CONSTRAINT "progress_updates_status_valid" CHECK ("progress_updates"."status" is null or "progress_updates"."status" in ('not_started', 'in_progress', 'complete')),
	CONSTRAINT "progress_updates_confidence_valid" CHECK ("progress_updates"."confidence" is null or "progress_updates"."confidence" in ('on_track', 'some_risk', 'off_track')),
	CONSTRAINT "progress_updates_published_complete" CHECK ("progress_updates"."state" <> 'published' or ("progress_updates"."status" is not null and "progress_updates"."published_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "progress_updates" ADD CONSTRAINT "progress_updates_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_updates" ADD CONSTRAINT "progress_updates_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_updates" ADD CONSTRAINT "progress_updates_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_updates" ADD CONSTRAINT "progress_updates_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_updates" ADD CONSTRAINT "progress_updates_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "progress_updates_item" ON "progress_updates" USING btree ("item_id","state");--> statement-breakpoint
CREATE INDEX "progress_updates_organisation" ON "progress_updates" USING btree ("organisation_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX "progress_updates_one_open" ON "progress_updates" USING btree ("item_id","organisation_id") WHERE "progress_updates"."state" <> 'published';