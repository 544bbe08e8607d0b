CREATE TABLE "engagement_activities" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"held_on" date NOT NULL,
	"region" text NOT NULL,
	"organiser" text NOT NULL,
	"participants" integer NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "engagement_activities_kind_valid" CHECK ("engagement_activities"."kind" in ('roundtable', 'network_discussion', 'workshop', 'survey', 'event')),
	CONSTRAINT "engagement_activities_region_valid" CHECK ("engagement_activities"."region" = 'national' or "engagement_activities"."region" ~ '^E1200000[1-9]$'),
	CONSTRAINT "engagement_activities_participants" CHECK ("engagement_activities"."participants" >= 0)
);
--> statement-breakpoint
CREATE TABLE "engagement_activity_themes" (
	"activity_id" integer NOT NULL,
	"term_id" integer NOT NULL,
	CONSTRAINT "engagement_activity_themes_activity_id_term_id_pk" PRIMARY KEY("activity_id","term_id")
);
--> statement-breakpoint
CREATE TABLE "engagement_feedback" (
	"id" serial PRIMARY KEY NOT NULL,
	"activity_id" integer NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_feedback_themes" (
	"feedback_id" integer NOT NULL,
	"term_id" integer NOT NULL,
	CONSTRAINT "engagement_feedback_themes_feedback_id_term_id_pk" PRIMARY KEY("feedback_id","term_id")
);
--> statement-breakpoint
ALTER TABLE "engagement_activity_themes" ADD CONSTRAINT "engagement_activity_themes_activity_id_engagement_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."engagement_activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_activity_themes" ADD CONSTRAINT "engagement_activity_themes_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_feedback" ADD CONSTRAINT "engagement_feedback_activity_id_engagement_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."engagement_activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_feedback_themes" ADD CONSTRAINT "engagement_feedback_themes_feedback_id_engagement_feedback_id_fk" FOREIGN KEY ("feedback_id") REFERENCES "public"."engagement_feedback"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_feedback_themes" ADD CONSTRAINT "engagement_feedback_themes_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "engagement_activities_held_on" ON "engagement_activities" USING btree ("held_on");--> statement-breakpoint
CREATE INDEX "engagement_activity_themes_term" ON "engagement_activity_themes" USING btree ("term_id");--> statement-breakpoint
CREATE INDEX "engagement_feedback_activity" ON "engagement_feedback" USING btree ("activity_id");--> statement-breakpoint
CREATE INDEX "engagement_feedback_themes_term" ON "engagement_feedback_themes" USING btree ("term_id");