CREATE TABLE "progress_evidence_files" (
	"id" serial PRIMARY KEY NOT NULL,
	"update_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"uploaded_by" integer,
	"uploaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "progress_evidence_files_size_valid" CHECK ("progress_evidence_files"."size" > 0 and "progress_evidence_files"."size" <= 10485760 and "progress_evidence_files"."size" = octet_length("progress_evidence_files"."content")),
	CONSTRAINT "progress_evidence_files_type_valid" CHECK (content_type in ('application/pdf', 'image/png', 'image/jpeg', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv', 'text/plain')),
	CONSTRAINT "progress_evidence_files_sha256_valid" CHECK ("progress_evidence_files"."sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "progress_evidence_files" ADD CONSTRAINT "progress_evidence_files_update_id_progress_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."progress_updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_evidence_files" ADD CONSTRAINT "progress_evidence_files_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_evidence_files" ADD CONSTRAINT "progress_evidence_files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "progress_evidence_files_update" ON "progress_evidence_files" USING btree ("update_id");