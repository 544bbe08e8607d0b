CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_label" text NOT NULL,
	"organisation_id" integer,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "areas" (
	"id" serial PRIMARY KEY NOT NULL,
	"strategy_id" integer NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "item_organisations" (
	"item_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"role" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "item_organisations_item_id_organisation_id_pk" PRIMARY KEY("item_id","organisation_id"),
	CONSTRAINT "item_organisations_role_valid" CHECK ("item_organisations"."role" in ('lead', 'partner'))
);
--> statement-breakpoint
CREATE TABLE "item_terms" (
	"item_id" integer NOT NULL,
	"term_id" integer NOT NULL,
	CONSTRAINT "item_terms_item_id_term_id_pk" PRIMARY KEY("item_id","term_id")
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" serial PRIMARY KEY NOT NULL,
	"strategy_id" integer NOT NULL,
	"code" text NOT NULL,
	"kind" text,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"area_id" integer NOT NULL,
	"target_text" text,
	"target_date" date,
	"government_role" text,
	"status" text,
	"progress_note" text,
	"progress_as_of" date,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "items_kind_valid" CHECK ("items"."kind" is null or "items"."kind" in ('recommendation', 'commitment')),
	CONSTRAINT "items_status_valid" CHECK ("items"."status" is null or "items"."status" in ('not_started', 'in_progress', 'complete', 'retired')),
	CONSTRAINT "items_government_role_valid" CHECK ("items"."government_role" is null or "items"."government_role" in ('none', 'shared', 'government_only'))
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"short_name" text,
	"kind" text NOT NULL,
	"is_government" boolean DEFAULT false NOT NULL,
	"website" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_slug_unique" UNIQUE("slug"),
	CONSTRAINT "organisations_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "phases" (
	"id" serial PRIMARY KEY NOT NULL,
	"strategy_id" integer NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategies" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"short_title" text NOT NULL,
	"summary" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"published_on" date,
	"horizon_years" integer DEFAULT 15 NOT NULL,
	"data_notice" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "strategies_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "terms" (
	"id" serial PRIMARY KEY NOT NULL,
	"strategy_id" integer NOT NULL,
	"kind" text NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "terms_kind_valid" CHECK ("terms"."kind" in ('theme', 'priority', 'shift'))
);
--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_organisations" ADD CONSTRAINT "item_organisations_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_organisations" ADD CONSTRAINT "item_organisations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_terms" ADD CONSTRAINT "item_terms_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_terms" ADD CONSTRAINT "item_terms_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phases" ADD CONSTRAINT "phases_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms" ADD CONSTRAINT "terms_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_object" ON "audit_events" USING btree ("object_type","object_id");--> statement-breakpoint
CREATE INDEX "audit_events_occurred" ON "audit_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "audit_events_actor" ON "audit_events" USING btree ("actor_type","actor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "areas_strategy_slug" ON "areas" USING btree ("strategy_id","slug");--> statement-breakpoint
CREATE INDEX "item_organisations_org" ON "item_organisations" USING btree ("organisation_id","role");--> statement-breakpoint
CREATE INDEX "item_terms_term" ON "item_terms" USING btree ("term_id");--> statement-breakpoint
CREATE UNIQUE INDEX "items_strategy_code" ON "items" USING btree ("strategy_id","code");--> statement-breakpoint
CREATE INDEX "items_area" ON "items" USING btree ("area_id");--> statement-breakpoint
CREATE INDEX "items_status" ON "items" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "organisations_short_name" ON "organisations" USING btree ("short_name");--> statement-breakpoint
CREATE UNIQUE INDEX "phases_strategy_slug" ON "phases" USING btree ("strategy_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "terms_strategy_kind_slug" ON "terms" USING btree ("strategy_id","kind","slug");