CREATE TABLE "champion_actions" (
	"id" serial PRIMARY KEY NOT NULL,
	"champion_id" integer NOT NULL,
	"item_id" integer,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"happened_on" date NOT NULL,
	"people_reached" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "champion_actions_kind_valid" CHECK ("champion_actions"."kind" in ('event', 'talk', 'training', 'local_plan')),
	CONSTRAINT "champion_actions_people_valid" CHECK ("champion_actions"."people_reached" >= 0)
);
--> statement-breakpoint
CREATE TABLE "champion_auto_approve" (
	"setting" text PRIMARY KEY NOT NULL,
	CONSTRAINT "champion_auto_approve_setting_valid" CHECK ("champion_auto_approve"."setting" in ('care_home', 'home_care', 'supported_living', 'day_services', 'council', 'nhs', 'education', 'other'))
);
--> statement-breakpoint
CREATE TABLE "champion_growth" (
	"month" date PRIMARY KEY NOT NULL,
	"joined" integer DEFAULT 0 NOT NULL,
	"left" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "champion_pledges" (
	"champion_id" integer NOT NULL,
	"item_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "champion_pledges_champion_id_item_id_pk" PRIMARY KEY("champion_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "champion_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"champion_id" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "champion_sign_in_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"champion_id" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "champion_signups" (
	"link_hash" text PRIMARY KEY NOT NULL,
	"email_key" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"sent_today" integer DEFAULT 1 NOT NULL,
	"last_sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "champion_signups_email_key_unique" UNIQUE("email_key")
);
--> statement-breakpoint
CREATE TABLE "champions" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"job_role" text NOT NULL,
	"employer" text NOT NULL,
	"setting" text NOT NULL,
	"region" text NOT NULL,
	"why" text NOT NULL,
	"contact_consent" boolean NOT NULL,
	"contact_consent_at" timestamp with time zone,
	"directory_consent" boolean NOT NULL,
	"directory_consent_at" timestamp with time zone,
	"status" text NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" integer,
	"auto_approved" boolean DEFAULT false NOT NULL,
	"welcomed_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "champions_email_lower" CHECK ("champions"."email" = lower("champions"."email")),
	CONSTRAINT "champions_setting_valid" CHECK ("champions"."setting" in ('care_home', 'home_care', 'supported_living', 'day_services', 'council', 'nhs', 'education', 'other')),
	CONSTRAINT "champions_region_valid" CHECK ("champions"."region" in ('north_east', 'north_west', 'yorkshire_and_the_humber', 'east_midlands', 'west_midlands', 'east_of_england', 'london', 'south_east', 'south_west', 'national')),
	CONSTRAINT "champions_status_valid" CHECK ("champions"."status" in ('pending', 'active', 'rejected', 'withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "community_revision" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"revision" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "community_revision_single" CHECK ("community_revision"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "enquiries" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"organisation" text DEFAULT '' NOT NULL,
	"message" text NOT NULL,
	"consent_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"assignee_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "enquiries_kind_valid" CHECK ("enquiries"."kind" in ('working_group', 'consultation', 'champion', 'evidence', 'other')),
	CONSTRAINT "enquiries_status_valid" CHECK ("enquiries"."status" in ('new', 'in_progress', 'closed')),
	CONSTRAINT "enquiries_closed_when" CHECK (("enquiries"."status" = 'closed') = ("enquiries"."closed_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "enquiry_replies" (
	"id" serial PRIMARY KEY NOT NULL,
	"enquiry_id" integer NOT NULL,
	"author_id" integer,
	"author_name" text NOT NULL,
	"body" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "champion_actions" ADD CONSTRAINT "champion_actions_champion_id_champions_id_fk" FOREIGN KEY ("champion_id") REFERENCES "public"."champions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_actions" ADD CONSTRAINT "champion_actions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_pledges" ADD CONSTRAINT "champion_pledges_champion_id_champions_id_fk" FOREIGN KEY ("champion_id") REFERENCES "public"."champions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_pledges" ADD CONSTRAINT "champion_pledges_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_sessions" ADD CONSTRAINT "champion_sessions_champion_id_champions_id_fk" FOREIGN KEY ("champion_id") REFERENCES "public"."champions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champion_sign_in_links" ADD CONSTRAINT "champion_sign_in_links_champion_id_champions_id_fk" FOREIGN KEY ("champion_id") REFERENCES "public"."champions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "champions" ADD CONSTRAINT "champions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enquiries" ADD CONSTRAINT "enquiries_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enquiry_replies" ADD CONSTRAINT "enquiry_replies_enquiry_id_enquiries_id_fk" FOREIGN KEY ("enquiry_id") REFERENCES "public"."enquiries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enquiry_replies" ADD CONSTRAINT "enquiry_replies_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "champion_actions_champion" ON "champion_actions" USING btree ("champion_id");--> statement-breakpoint
CREATE INDEX "champion_actions_item" ON "champion_actions" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "champion_pledges_item" ON "champion_pledges" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "champions_email_unique" ON "champions" USING btree ("email");--> statement-breakpoint
CREATE INDEX "champions_status" ON "champions" USING btree ("status","region","setting");--> statement-breakpoint
CREATE INDEX "enquiries_status" ON "enquiries" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "enquiries_closed" ON "enquiries" USING btree ("closed_at") WHERE "enquiries"."status" = 'closed';