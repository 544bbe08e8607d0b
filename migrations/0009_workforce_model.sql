CREATE TABLE "workforce_base" (
	"dataset_id" integer NOT NULL,
	"area_code" text NOT NULL,
	"role" text NOT NULL,
	"measure" text NOT NULL,
	"value" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	CONSTRAINT "workforce_base_dataset_id_area_code_role_measure_pk" PRIMARY KEY("dataset_id","area_code","role","measure")
);
--> statement-breakpoint
CREATE TABLE "workforce_datasets" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"source" text NOT NULL,
	"licence" text DEFAULT '' NOT NULL,
	"vintage" text NOT NULL,
	"file_name" text NOT NULL,
	"sha256" text NOT NULL,
	"row_count" integer NOT NULL,
	"first_year" integer NOT NULL,
	"last_year" integer NOT NULL,
	"imported_by" integer,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workforce_datasets_kind_valid" CHECK ("workforce_datasets"."kind" in ('population', 'workforce'))
);
--> statement-breakpoint
CREATE TABLE "workforce_item_levers" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"kind" text NOT NULL,
	"size" double precision NOT NULL,
	"start_year" integer NOT NULL,
	"ramp_years" integer NOT NULL,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workforce_population" (
	"dataset_id" integer NOT NULL,
	"area_code" text NOT NULL,
	"age_band" text NOT NULL,
	"year" integer NOT NULL,
	"population" double precision NOT NULL,
	CONSTRAINT "workforce_population_dataset_id_area_code_age_band_year_pk" PRIMARY KEY("dataset_id","area_code","age_band","year"),
	CONSTRAINT "workforce_population_not_negative" CHECK ("workforce_population"."population" >= 0)
);
--> statement-breakpoint
CREATE TABLE "workforce_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"scenario_id" integer,
	"scenario_name" text NOT NULL,
	"definition" jsonb NOT NULL,
	"result" jsonb NOT NULL,
	"engine_version" text NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workforce_scenarios" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"params" jsonb NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"author_id" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workforce_base" ADD CONSTRAINT "workforce_base_dataset_id_workforce_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."workforce_datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_datasets" ADD CONSTRAINT "workforce_datasets_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_item_levers" ADD CONSTRAINT "workforce_item_levers_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_population" ADD CONSTRAINT "workforce_population_dataset_id_workforce_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."workforce_datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_runs" ADD CONSTRAINT "workforce_runs_scenario_id_workforce_scenarios_id_fk" FOREIGN KEY ("scenario_id") REFERENCES "public"."workforce_scenarios"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_runs" ADD CONSTRAINT "workforce_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workforce_scenarios" ADD CONSTRAINT "workforce_scenarios_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workforce_datasets_kind" ON "workforce_datasets" USING btree ("kind","id");--> statement-breakpoint
CREATE INDEX "workforce_item_levers_item" ON "workforce_item_levers" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workforce_runs_hash" ON "workforce_runs" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "workforce_runs_scenario" ON "workforce_runs" USING btree ("scenario_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "workforce_scenarios_slug" ON "workforce_scenarios" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "workforce_scenarios_name" ON "workforce_scenarios" USING btree (lower("name"));