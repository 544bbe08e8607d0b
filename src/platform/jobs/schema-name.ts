// The PostgreSQL schema that holds the job queue's tables (pg-boss), apart from the product's.
export const JOB_SCHEMA = 'pgboss';
/** Part of the test-template key: a new pg-boss schema must rebuild cached test databases. */
export const JOB_SCHEMA_VERSION = 'pg-boss-10/24';
