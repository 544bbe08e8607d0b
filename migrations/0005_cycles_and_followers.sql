CREATE TABLE "reporting_cycles" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"opens_on" date NOT NULL,
	"due_on" date NOT NULL,
	"closes_on" date NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reporting_cycles_name_unique" UNIQUE("name"),
	CONSTRAINT "reporting_cycles_dates_in_order" CHECK ("reporting_cycles"."opens_on" <= "reporting_cycles"."due_on" and "reporting_cycles"."due_on" <= "reporting_cycles"."closes_on")
);
--> statement-breakpoint
CREATE TABLE "reporting_reminders" (
	"id" serial PRIMARY KEY NOT NULL,
	"cycle_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"kind" text NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"recipients" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "reporting_reminders_kind_valid" CHECK ("reporting_reminders"."kind" in ('due_soon', 'overdue'))
);
--> statement-breakpoint
CREATE TABLE "follower_notifications" (
	"follower_id" integer NOT NULL,
	"update_id" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follower_notifications_follower_id_update_id_pk" PRIMARY KEY("follower_id","update_id")
);
--> statement-breakpoint
CREATE TABLE "item_followers" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"email" text NOT NULL,
	"confirm_token_hash" text,
	"confirm_expires_at" timestamp with time zone,
	"confirmations_sent" integer DEFAULT 0 NOT NULL,
	"last_confirmation_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"stop_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_followers_confirm_token_hash_unique" UNIQUE("confirm_token_hash"),
	CONSTRAINT "item_followers_stop_token_unique" UNIQUE("stop_token"),
	CONSTRAINT "item_followers_email_lower" CHECK ("item_followers"."email" = lower("item_followers"."email"))
);
--> statement-breakpoint
ALTER TABLE "reporting_cycles" ADD CONSTRAINT "reporting_cycles_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_reminders" ADD CONSTRAINT "reporting_reminders_cycle_id_reporting_cycles_id_fk" FOREIGN KEY ("cycle_id") REFERENCES "public"."reporting_cycles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_reminders" ADD CONSTRAINT "reporting_reminders_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follower_notifications" ADD CONSTRAINT "follower_notifications_follower_id_item_followers_id_fk" FOREIGN KEY ("follower_id") REFERENCES "public"."item_followers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follower_notifications" ADD CONSTRAINT "follower_notifications_update_id_progress_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."progress_updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_followers" ADD CONSTRAINT "item_followers_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reporting_reminders_once" ON "reporting_reminders" USING btree ("cycle_id","organisation_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "item_followers_once" ON "item_followers" USING btree ("item_id","email");--> statement-breakpoint
CREATE INDEX "item_followers_confirmed" ON "item_followers" USING btree ("item_id") WHERE "item_followers"."confirmed_at" is not null;