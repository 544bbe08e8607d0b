CREATE TABLE "governance_bodies" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"parent_id" integer,
	"area_of_focus" text,
	"purpose" text DEFAULT '' NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"position" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "governance_bodies_slug_unique" UNIQUE("slug"),
	CONSTRAINT "governance_bodies_name_unique" UNIQUE("name"),
	CONSTRAINT "governance_bodies_kind_valid" CHECK ("governance_bodies"."kind" in ('steering_group', 'oversight_executive', 'delivery_board', 'working_group', 'workstream', 'sub_group')),
	CONSTRAINT "governance_bodies_dates" CHECK ("governance_bodies"."ends_on" is null or "governance_bodies"."starts_on" is null or "governance_bodies"."ends_on" >= "governance_bodies"."starts_on"),
	CONSTRAINT "governance_bodies_not_own_parent" CHECK ("governance_bodies"."parent_id" is null or "governance_bodies"."parent_id" <> "governance_bodies"."id")
);
--> statement-breakpoint
CREATE TABLE "governance_meetings" (
	"id" serial PRIMARY KEY NOT NULL,
	"body_id" integer NOT NULL,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"place" text,
	"online_url" text,
	"agenda" text DEFAULT '' NOT NULL,
	"minutes" text,
	"minutes_public" boolean DEFAULT false NOT NULL,
	"cancelled" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "governance_meetings_times" CHECK ("governance_meetings"."ends_at" > "governance_meetings"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "governance_memberships" (
	"id" serial PRIMARY KEY NOT NULL,
	"body_id" integer NOT NULL,
	"person_id" integer NOT NULL,
	"organisation_id" integer,
	"position" text DEFAULT 'member' NOT NULL,
	"role_title" text DEFAULT '' NOT NULL,
	"starts_on" date,
	"ends_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "governance_memberships_position_valid" CHECK ("governance_memberships"."position" in ('chair', 'co_chair', 'member', 'secretariat')),
	CONSTRAINT "governance_memberships_dates" CHECK ("governance_memberships"."ends_on" is null or "governance_memberships"."starts_on" is null or "governance_memberships"."ends_on" >= "governance_memberships"."starts_on")
);
--> statement-breakpoint
CREATE TABLE "governance_people" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "governance_people_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "meeting_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"meeting_id" integer NOT NULL,
	"summary" text NOT NULL,
	"item_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meeting_papers" (
	"id" serial PRIMARY KEY NOT NULL,
	"meeting_id" integer NOT NULL,
	"title" text NOT NULL,
	"url" text NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "governance_bodies" ADD CONSTRAINT "governance_bodies_parent_id_governance_bodies_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."governance_bodies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_meetings" ADD CONSTRAINT "governance_meetings_body_id_governance_bodies_id_fk" FOREIGN KEY ("body_id") REFERENCES "public"."governance_bodies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_memberships" ADD CONSTRAINT "governance_memberships_body_id_governance_bodies_id_fk" FOREIGN KEY ("body_id") REFERENCES "public"."governance_bodies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_memberships" ADD CONSTRAINT "governance_memberships_person_id_governance_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."governance_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_memberships" ADD CONSTRAINT "governance_memberships_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "governance_people" ADD CONSTRAINT "governance_people_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_decisions" ADD CONSTRAINT "meeting_decisions_meeting_id_governance_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."governance_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_decisions" ADD CONSTRAINT "meeting_decisions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_papers" ADD CONSTRAINT "meeting_papers_meeting_id_governance_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."governance_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "governance_bodies_parent" ON "governance_bodies" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "governance_meetings_body_time" ON "governance_meetings" USING btree ("body_id","starts_at");--> statement-breakpoint
CREATE INDEX "governance_meetings_time" ON "governance_meetings" USING btree ("starts_at");--> statement-breakpoint
CREATE INDEX "governance_memberships_body" ON "governance_memberships" USING btree ("body_id");--> statement-breakpoint
CREATE INDEX "governance_memberships_person" ON "governance_memberships" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "meeting_decisions_meeting" ON "meeting_decisions" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "meeting_decisions_item" ON "meeting_decisions" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "meeting_papers_meeting" ON "meeting_papers" USING btree ("meeting_id");