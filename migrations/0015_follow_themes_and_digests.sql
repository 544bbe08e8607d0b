CREATE TABLE "follow_addresses" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follow_addresses_email_unique" UNIQUE("email"),
	CONSTRAINT "follow_addresses_token_unique" UNIQUE("token"),
	CONSTRAINT "follow_addresses_email_lower" CHECK ("follow_addresses"."email" = lower("follow_addresses"."email"))
);
--> statement-breakpoint
CREATE TABLE "follow_digests" (
	"address_id" integer NOT NULL,
	"week_of" date NOT NULL,
	"updates" integer NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follow_digests_address_id_week_of_pk" PRIMARY KEY("address_id","week_of")
);
--> statement-breakpoint
ALTER TABLE "item_followers" ALTER COLUMN "item_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "item_followers" ADD COLUMN "theme_id" integer;--> statement-breakpoint
ALTER TABLE "item_followers" ADD COLUMN "frequency" text DEFAULT 'each' NOT NULL;--> statement-breakpoint
ALTER TABLE "follow_digests" ADD CONSTRAINT "follow_digests_address_id_follow_addresses_id_fk" FOREIGN KEY ("address_id") REFERENCES "public"."follow_addresses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_followers" ADD CONSTRAINT "item_followers_theme_id_terms_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "item_followers_theme_once" ON "item_followers" USING btree ("theme_id","email");--> statement-breakpoint
CREATE INDEX "item_followers_theme_confirmed" ON "item_followers" USING btree ("theme_id") WHERE "item_followers"."confirmed_at" is not null;--> statement-breakpoint
CREATE INDEX "item_followers_email" ON "item_followers" USING btree ("email");--> statement-breakpoint
ALTER TABLE "item_followers" ADD CONSTRAINT "item_followers_one_target" CHECK (("item_followers"."item_id" is null) <> ("item_followers"."theme_id" is null));--> statement-breakpoint
ALTER TABLE "item_followers" ADD CONSTRAINT "item_followers_frequency_valid" CHECK ("item_followers"."frequency" in ('each', 'weekly'));