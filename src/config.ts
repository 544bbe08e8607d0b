// Reads the environment once into a typed, validated configuration. Production refuses to
// start without its secrets; development gets safe defaults so `npm start` needs nothing.
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  BASE_URL: z.url().optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z
    .string()
    .max(200)
    .regex(/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/, 'must be an address, like "Workforce Strategy Hub" <hub@example.org>')
    .optional(),
  PUBLIC_FORM_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10),
  ENQUIRY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  PUBLIC_READS_PER_TURN: z.coerce.number().int().min(0).max(100_000).default(40),
  BULLETIN_SEND_RATE: z.coerce.number().int().min(1).max(100_000).default(100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  baseUrl: string;
  sessionSecret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** SMTP connections kept open at once (the pool's size); also the bulletin sender's group size. */
  smtpPoolSize: number;
  /** PostgreSQL connections each instance keeps (the app's queries, its transactions and the job queue share them). */
  databasePoolSize: number;
  /** Cached public answers sent in one turn of the event loop; 0 sends them all at once (decision 30). */
  publicReadsPerTurn: number;
  logLevel: string;
  /** Posts per minute per address on the public champion, enquiry and follow forms. */
  publicFormRateLimit: number;
  /** Days a closed enquiry is kept before the scheduled job deletes it. */
  enquiryRetentionDays: number;
  /** Bulletin emails a second per sending instance (keep under the mail relay's limit). */
  bulletinSendRate: number;
}

export class ConfigError extends Error {}

/** Empty strings count as unset, so `DATABASE_URL= npm start` means "embedded". */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => !!e[1]));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required in production');
  }
  if (e.NODE_ENV === 'production' && e.SMTP_URL && !e.MAIL_FROM) {
    throw new ConfigError('Invalid configuration:\n  MAIL_FROM: required in production when SMTP_URL is set');
  }
  const host = e.HOST ?? (e.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    baseUrl: e.BASE_URL ?? `http://localhost:${e.PORT}`,
    sessionSecret: e.SESSION_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? '"Workforce Strategy Hub" <no-reply@localhost>',
    smtpPoolSize: e.SMTP_POOL_SIZE,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    publicReadsPerTurn: e.PUBLIC_READS_PER_TURN,
    logLevel: e.LOG_LEVEL,
    publicFormRateLimit: e.PUBLIC_FORM_RATE_LIMIT,
    enquiryRetentionDays: e.ENQUIRY_RETENTION_DAYS,
    bulletinSendRate: e.BULLETIN_SEND_RATE,
  };
}
