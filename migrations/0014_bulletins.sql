CREATE TABLE "bulletin_campaign_lists" (
	"campaign_id" integer NOT NULL,
	"list_id" integer NOT NULL,
	CONSTRAINT "bulletin_campaign_lists_campaign_id_list_id_pk" PRIMARY KEY("campaign_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "bulletin_campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"summary" text NOT NULL,
	"body_markdown" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"public" boolean DEFAULT true NOT NULL,
	"slug" text,
	"champion_group" jsonb,
	"scheduled_for" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"recipient_count" integer,
	"created_by" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletin_campaigns_slug_unique" UNIQUE("slug"),
	CONSTRAINT "bulletin_campaigns_status" CHECK ("bulletin_campaigns"."status" in ('draft', 'scheduled', 'sending', 'sent')),
	CONSTRAINT "bulletin_campaigns_scheduled" CHECK ("bulletin_campaigns"."status" <> 'scheduled' or "bulletin_campaigns"."scheduled_for" is not null)
);
--> statement-breakpoint
CREATE TABLE "bulletin_deliveries" (
	"campaign_id" integer NOT NULL,
	"subscriber_id" integer NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "bulletin_deliveries_campaign_id_subscriber_id_pk" PRIMARY KEY("campaign_id","subscriber_id"),
	CONSTRAINT "bulletin_deliveries_status" CHECK ("bulletin_deliveries"."status" in ('queued', 'sending', 'sent', 'failed', 'unconfirmed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "bulletin_lists" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"kind" text NOT NULL,
	"topic" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletin_lists_slug_unique" UNIQUE("slug"),
	CONSTRAINT "bulletin_lists_kind" CHECK ("bulletin_lists"."kind" in ('general', 'champions', 'area', 'theme')),
	CONSTRAINT "bulletin_lists_topic" CHECK (("bulletin_lists"."kind" in ('area', 'theme')) = ("bulletin_lists"."topic" is not null))
);
--> statement-breakpoint
CREATE TABLE "bulletin_subscribers" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"lawful_basis" text NOT NULL,
	"consent_at" timestamp with time zone,
	"consent_note" text NOT NULL,
	"pending_list_ids" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"confirm_token_hash" text,
	"confirm_expires_at" timestamp with time zone,
	"confirmations_sent" integer DEFAULT 0 NOT NULL,
	"last_confirmation_at" timestamp with time zone,
	"hard_bounces" integer DEFAULT 0 NOT NULL,
	"last_bounce" text,
	"unsubscribed_at" timestamp with time zone,
	"suspended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletin_subscribers_email_unique" UNIQUE("email"),
	CONSTRAINT "bulletin_subscribers_confirm_token_hash_unique" UNIQUE("confirm_token_hash"),
	CONSTRAINT "bulletin_subscribers_email_lower" CHECK ("bulletin_subscribers"."email" = lower("bulletin_subscribers"."email")),
	CONSTRAINT "bulletin_subscribers_status" CHECK ("bulletin_subscribers"."status" in ('pending', 'active', 'unsubscribed', 'suspended')),
	CONSTRAINT "bulletin_subscribers_source" CHECK ("bulletin_subscribers"."source" in ('form', 'import', 'champion')),
	CONSTRAINT "bulletin_subscribers_basis" CHECK ("bulletin_subscribers"."lawful_basis" in ('consent', 'legitimate_interests'))
);
--> statement-breakpoint
CREATE TABLE "bulletin_subscriptions" (
	"subscriber_id" integer NOT NULL,
	"list_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bulletin_subscriptions_subscriber_id_list_id_pk" PRIMARY KEY("subscriber_id","list_id")
);
--> statement-breakpoint
CREATE TABLE "bulletin_suppressions" (
	"email_hash" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bulletin_campaign_lists" ADD CONSTRAINT "bulletin_campaign_lists_campaign_id_bulletin_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."bulletin_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_campaign_lists" ADD CONSTRAINT "bulletin_campaign_lists_list_id_bulletin_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."bulletin_lists"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_campaigns" ADD CONSTRAINT "bulletin_campaigns_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_deliveries" ADD CONSTRAINT "bulletin_deliveries_campaign_id_bulletin_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."bulletin_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_deliveries" ADD CONSTRAINT "bulletin_deliveries_subscriber_id_bulletin_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."bulletin_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_subscriptions" ADD CONSTRAINT "bulletin_subscriptions_subscriber_id_bulletin_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."bulletin_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulletin_subscriptions" ADD CONSTRAINT "bulletin_subscriptions_list_id_bulletin_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."bulletin_lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulletin_campaigns_status_idx" ON "bulletin_campaigns" USING btree ("status");--> statement-breakpoint
CREATE INDEX "bulletin_deliveries_waiting" ON "bulletin_deliveries" USING btree ("campaign_id","subscriber_id") WHERE "bulletin_deliveries"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "bulletin_deliveries_subscriber" ON "bulletin_deliveries" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bulletin_lists_one_per_topic" ON "bulletin_lists" USING btree ("kind","topic");--> statement-breakpoint
CREATE INDEX "bulletin_subscribers_status_idx" ON "bulletin_subscribers" USING btree ("status");--> statement-breakpoint
CREATE INDEX "bulletin_subscriptions_list" ON "bulletin_subscriptions" USING btree ("list_id");