CREATE TABLE "review_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"review_id" integer NOT NULL,
	"item_id" integer NOT NULL,
	"outcome" text NOT NULL,
	"rationale" text NOT NULL,
	"decided_by" integer,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "review_decisions_outcome_valid" CHECK ("review_decisions"."outcome" in ('keep', 'amend', 'retire', 'new')),
	CONSTRAINT "review_decisions_rationale_given" CHECK (length(trim("review_decisions"."rationale")) > 0)
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"review_id" integer NOT NULL,
	"item_id" integer NOT NULL,
	"position" integer NOT NULL,
	"code" text NOT NULL,
	"kind" text,
	"title" text NOT NULL,
	"area_slug" text NOT NULL,
	"area_name" text NOT NULL,
	"status" text,
	"government_role" text,
	"target_text" text,
	"leads" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"partners" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "review_items_review_id_item_id_pk" PRIMARY KEY("review_id","item_id"),
	CONSTRAINT "review_items_status_valid" CHECK ("review_items"."status" is null or "review_items"."status" in ('not_started', 'in_progress', 'complete', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" serial PRIMARY KEY NOT NULL,
	"year" integer NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"opened_by" integer,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" integer,
	"published_at" timestamp with time zone,
	"figures" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_state_valid" CHECK ("reviews"."state" in ('open', 'published')),
	CONSTRAINT "reviews_year_plausible" CHECK ("reviews"."year" between 2000 and 2200),
	CONSTRAINT "reviews_published_complete" CHECK (("reviews"."state" = 'published') = ("reviews"."published_at" is not null and "reviews"."figures" is not null))
);
--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_decisions" ADD CONSTRAINT "review_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_opened_by_users_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "review_decisions_one_per_item" ON "review_decisions" USING btree ("review_id","item_id");--> statement-breakpoint
CREATE INDEX "review_decisions_item" ON "review_decisions" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_year" ON "reviews" USING btree ("year");