// Builds the Fastify app: platform plugins first (request ids, security headers, views,
// errors, static files, health), then each feature with the services it needs.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import type { StaleReads } from './platform/cache.ts';
import type { PublicReads } from './platform/http/conditional.ts';
import { ReaderTurns } from './platform/http/reader-turns.ts';
import type { Database } from './platform/db/client.ts';
import { errorsPlugin } from './platform/http/errors.ts';
import { healthRoutes } from './platform/http/health.ts';
import { OpenApiRegistry } from './platform/http/openapi.ts';
import { securityPlugin } from './platform/http/security.ts';
import { govukFrontendDir, viewsPlugin } from './platform/http/views.ts';
import { projectRoot } from './platform/paths.ts';
import { StrategyService } from './features/strategy/service.ts';
import { strategyRoutes } from './features/strategy/routes.ts';
import { itemAdminRoutes } from './features/strategy/admin-routes.ts';
import { opendataRoutes } from './features/opendata/routes.ts';
import { accessPlugin } from './platform/http/access.ts';
import { formsPlugin } from './platform/http/forms.ts';
import { AccountsService } from './features/accounts/service.ts';
import { sessionPlugin } from './features/accounts/session.ts';
import { accountsRoutes } from './features/accounts/routes.ts';
import { AuditService } from './features/audit/service.ts';
import { auditRoutes } from './features/audit/routes.ts';
import { ApiTokensService } from './features/accounts/api-tokens.ts';
import { organisationRoutes } from './features/accounts/organisation-routes.ts';
import { outboxRoutes } from './features/outbox/routes.ts';
import { ProgressService } from './features/progress/service.ts';
import { progressRoutes } from './features/progress/routes.ts';
import { ReviewsService } from './features/reviews/service.ts';
import { WorkforceService } from './features/workforce/service.ts';
import { MonteCarloPool } from './features/workforce/monte-carlo-pool.ts';
import { itemWorthView, workforceRoutes } from './features/workforce/routes.ts';
import { workforceAdminRoutes } from './features/workforce/admin-routes.ts';
import { reviewAdminRoutes } from './features/reviews/admin-routes.ts';
import { reviewRoutes } from './features/reviews/routes.ts';
import { progressDashboardRoutes } from './features/progress/dashboard-routes.ts';
import { createMailer, Outbox, type Mailer } from './platform/mail/mailer.ts';
import { JobQueue } from './platform/jobs/queue.ts';
import { BackgroundLane } from './platform/background.ts';
import { CyclesService } from './features/progress/cycles.ts';
import { cycleRoutes } from './features/progress/cycles-routes.ts';
import { FollowingService } from './features/following/service.ts';
import { followingRoutes } from './features/following/routes.ts';
import { GovernanceService } from './features/governance/service.ts';
import { EngagementService } from './features/engagement/service.ts';
import { engagementRoutes } from './features/engagement/routes.ts';
import { CommunityService } from './features/community/service.ts';
import { BulletinsService } from './features/bulletins/service.ts';
import { bulletinsRoutes } from './features/bulletins/routes.ts';
import { communityRoutes } from './features/community/routes.ts';
import { DraftingService } from './features/drafting/service.ts';
import { draftingRoutes } from './features/drafting/routes.ts';
import { governanceRoutes } from './features/governance/routes.ts';
import { governanceAdminRoutes } from './features/governance/admin-routes.ts';

export interface AppServices {
  strategy: StrategyService;
  accounts: AccountsService;
  apiTokens: ApiTokensService;
  progress: ProgressService;
  cycles: CyclesService;
  following: FollowingService;
  community: CommunityService;
  bulletins: BulletinsService;
  reviews: ReviewsService;
  workforce: WorkforceService;
  governance: GovernanceService;
  engagement: EngagementService;
  drafting: DraftingService;
  audit: AuditService;
}

export interface BuildAppOptions {
  config: Config;
  database: Database;
  /** Services to use instead of new ones (tests share them with the code under test). */
  services?: Partial<AppServices>;
  logger?: FastifyServerOptions['logger'];
  /** Form submissions allowed per minute per address on sign-in forms (tests raise it). */
  signInRateLimit?: number;
  /** Posts per minute per address on the public champion, enquiry and follow forms (default: config, then 10). */
  publicFormRateLimit?: number;
  /** Sends email; by default SMTP when `SMTP_URL` is set, otherwise the outbox folder. */
  mailer?: Mailer;
  /** The clock for reporting cycles and links (tests move it). */
  now?: () => Date;
  /** Seconds between the job queue's polls (tests shorten it). */
  jobPollingSeconds?: number;
  /** Monte Carlo runs behind /workforce: 1000 (tests lower it to stay quick). */
  workforcePageRuns?: number;
  /**
   * How old a cached public page may be for readers with no cookies, and from what age it is
   * refreshed: `PUBLIC_STALE`. Tests pass null, so a read after a write always shows it
   * (decision 29).
   */
  publicStale?: StaleReads | null;
}

/** Public pages for readers with no cookies: refreshed in the background from half a second old, never sent if current more than 5 s ago. */
const PUBLIC_STALE: StaleReads = { refreshMs: 500, maxMs: 5000 };

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
    /** Background jobs; `server.ts` starts this instance working (`jobs.start({ work: true })`). */
    jobs: JobQueue;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

export const NAVIGATION = [
  { href: '/', text: 'Home' },
  { href: '/strategy', text: 'The strategy' },
  { href: '/recommendations', text: 'Recommendations' },
  { href: '/progress', text: 'Progress' },
  { href: '/reviews', text: 'Annual reviews' },
  { href: '/workforce', text: 'Workforce model' },
  { href: '/governance', text: 'Governance' },
  { href: '/champions', text: 'Champions' },
  { href: '/bulletins', text: 'Bulletins' },
  { href: '/get-involved', text: 'Get involved' },
];

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    },
    // A proxy's request id is kept so one id follows a request through every log.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: config.env === 'production' ? 'loopback,linklocal,uniquelocal' : false,
    bodyLimit: 1_048_576,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const mailer = options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, dataDir: config.dataDir, from: config.mailFrom, poolSize: config.smtpPoolSize });
  const logError = (err: unknown, message: string) => app.log.error({ err }, message);
  const jobs = new JobQueue(database, { info: (o, m) => app.log.info(o, m), error: (o, m) => app.log.error(o, m) }, options.jobPollingSeconds);
  // Work done after a response (emails after sign-ups, follow requests, resets) shares one lane
  // of at most two fifths of the database connections at once (8 of the default 20), leaving
  // the rest to requests.
  const background = new BackgroundLane({ concurrency: Math.max(2, Math.floor((config.databasePoolSize * 2) / 5)), backlog: 500, logError });
  const strategy = options.services?.strategy ?? new StrategyService(database);
  const accounts = options.services?.accounts ?? new AccountsService(database, { mailer, baseUrl: config.baseUrl, logError, background });
  // Following needs progress (to read a published update) and progress tells following when
  // it publishes: the listener closes the loop once both exist.
  const progress: ProgressService =
    options.services?.progress ?? new ProgressService(database, strategy, { prepare: () => following.publishListener.prepare(), published: (tx, updateId) => following.publishListener.published(tx, updateId) });
  const following: FollowingService = options.services?.following ?? new FollowingService(database, { strategy, progress, mailer, jobs, baseUrl: config.baseUrl, now: options.now, logError, background });
  // Bulletins narrow a campaign to a group of champions through community, and community keeps
  // champions news in step through bulletins: the callback closes the loop once both exist.
  const bulletins: BulletinsService =
    options.services?.bulletins ??
    new BulletinsService(database, {
      mailer,
      jobs,
      baseUrl: config.baseUrl,
      secret: config.sessionSecret,
      sendRate: config.bulletinSendRate,
      // A group is as large as the pool: every email marked "sending" is on a connection (decision 28).
      sendConcurrency: config.smtpPoolSize,
      now: options.now,
      logError,
      background,
      logInfo: (o, m) => app.log.info(o, m),
      championEmails: (group) => community.contactableEmails(group),
    });
  const community: CommunityService =
    options.services?.community ?? new CommunityService(database, { strategy, secret: config.sessionSecret, mailer, jobs, baseUrl: config.baseUrl, now: options.now, enquiryRetentionDays: config.enquiryRetentionDays, logError, news: bulletins, background });
  // Monte Carlo runs on every core, in worker threads started at the first run that needs them.
  let monteCarloPool: MonteCarloPool | undefined;
  const services: AppServices = {
    strategy,
    accounts,
    apiTokens: options.services?.apiTokens ?? new ApiTokensService(database),
    audit: options.services?.audit ?? new AuditService(database),
    progress,
    cycles: options.services?.cycles ?? new CyclesService(database, { strategy, reporters: (id) => accounts.reportersOf(id), reporterCounts: () => accounts.reporterCounts(), jobs, mailer, baseUrl: config.baseUrl, now: options.now }),
    following,
    bulletins,
    community,
    reviews: options.services?.reviews ?? new ReviewsService(database, strategy),
    governance: options.services?.governance ?? new GovernanceService(database, strategy, { now: options.now }),
    engagement: options.services?.engagement ?? new EngagementService(database, strategy),
    workforce: options.services?.workforce ?? new WorkforceService(database, strategy, { monteCarlo: (...args) => (monteCarloPool ??= new MonteCarloPool()).run(...args) }),
  } as Omit<AppServices, 'drafting'> as AppServices;
  services.drafting = options.services?.drafting ?? new DraftingService(database, { strategy, governance: services.governance, workforce: services.workforce }, { now: options.now });
  // Email started after a response (password resets, follow requests) is finished, and running
  // jobs end or go back to the queue, before the app closes.
  app.addHook('onClose', async () => {
    await jobs.stop();
    await services.accounts.settled();
    await services.following.settled();
    await services.community.settled();
    await services.bulletins.settled();
    await monteCarloPool?.close();
    if (!options.mailer) await mailer.close();
  });
  const openapi = new OpenApiRegistry();

  await app.register(securityPlugin, { production: config.env === 'production' });
  await app.register(viewsPlugin, { navigation: NAVIGATION });
  await app.register(errorsPlugin);
  await app.register(formsPlugin, { secret: config.sessionSecret, production: config.env === 'production' });
  await app.register(accessPlugin);
  await app.register(sessionPlugin, { accounts: services.accounts, apiTokens: services.apiTokens, production: config.env === 'production' });

  // GOV.UK Frontend's built CSS, JS, fonts and images, and this service's own few files.
  const allowedAsset = /\.(css|js|mjs|woff2?|svg|png|ico|json)$/;
  await app.register(fastifyStatic, {
    root: [path.join(govukFrontendDir, 'dist', 'govuk', 'assets'), path.join(govukFrontendDir, 'dist', 'govuk')],
    prefix: '/assets/',
    allowedPath: (pathname) => allowedAsset.test(pathname) && !pathname.includes('/components/'),
    maxAge: '1d',
    index: false,
  });
  await app.register(fastifyStatic, {
    root: path.join(projectRoot, 'public'),
    prefix: '/public/',
    decorateReply: false,
    maxAge: '1h',
    index: false,
  });

  await app.register(healthRoutes, { database });
  const publicStale = options.publicStale === null ? undefined : (options.publicStale ?? PUBLIC_STALE);
  // One share of the event loop's turns for all the cached public answers (decision 30).
  const publicReads: PublicReads | undefined = publicStale && { stale: publicStale, turns: config.publicReadsPerTurn > 0 ? new ReaderTurns(config.publicReadsPerTurn) : undefined };
  await app.register(strategyRoutes, {
    service: services.strategy,
    openapi,
    timeline: (code) => services.progress.timeline(code),
    workforce: { revision: () => services.workforce.revision(), worth: (code) => itemWorthView(services.workforce, code) },
    champions: { revision: () => services.community.revision(), section: (code) => services.community.itemChampions(code) },
    provenance: (code) => services.drafting.provenance(code),
    discussedAt: { revision: () => services.governance.revision(), decisions: (code) => services.governance.discussions(code) },
    publicReads,
  });
  await app.register(itemAdminRoutes, { service: services.strategy });
  await app.register(opendataRoutes, { openapi, version: '1.0.0' });
  await app.register(accountsRoutes, { accounts: services.accounts, strategy: services.strategy, signInRateLimit: options.signInRateLimit ?? 10 });
  await app.register(organisationRoutes, { accounts: services.accounts, apiTokens: services.apiTokens, strategy: services.strategy, openapi });
  await app.register(outboxRoutes, { outbox: config.smtpUrl ? undefined : new Outbox(config.dataDir), smtpHost: config.smtpUrl ? new URL(config.smtpUrl).hostname : undefined });
  await app.register(auditRoutes, { audit: services.audit, strategy: services.strategy });
  await app.register(progressRoutes, { progress: services.progress, cycles: services.cycles, strategy: services.strategy, openapi });
  await app.register(cycleRoutes, { cycles: services.cycles });
  await app.register(followingRoutes, { following: services.following, rateLimit: options.publicFormRateLimit ?? options.signInRateLimit ?? config.publicFormRateLimit });
  await app.register(communityRoutes, { community: services.community, accounts: services.accounts, openapi, rateLimit: options.publicFormRateLimit ?? options.signInRateLimit ?? config.publicFormRateLimit, production: config.env === 'production', publicReads });
  await app.register(bulletinsRoutes, { bulletins: services.bulletins, strategy: services.strategy, rateLimit: options.publicFormRateLimit ?? options.signInRateLimit ?? config.publicFormRateLimit, baseUrl: config.baseUrl });
  await app.register(reviewAdminRoutes, { reviews: services.reviews });
  await app.register(reviewRoutes, { reviews: services.reviews, openapi, baseUrl: config.baseUrl, publicReads });
  await app.register(progressDashboardRoutes, { progress: services.progress, openapi, publicReads });
  await app.register(workforceRoutes, { workforce: services.workforce, openapi, ...(options.workforcePageRuns !== undefined ? { pageRuns: options.workforcePageRuns } : {}) });
  await app.register(workforceAdminRoutes, { workforce: services.workforce, accounts: services.accounts });
  await app.register(engagementRoutes, { engagement: services.engagement, openapi });
  await app.register(draftingRoutes, { drafting: services.drafting, strategy: services.strategy, workforce: services.workforce });
  await app.register(governanceRoutes, { governance: services.governance, openapi, baseUrl: config.baseUrl, publicReads });
  await app.register(governanceAdminRoutes, { governance: services.governance, strategy: services.strategy, accounts: services.accounts });

  app.decorate('services', services);
  app.decorate('jobs', jobs);
  return app;
}
