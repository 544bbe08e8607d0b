// Every table of every feature, gathered for drizzle-kit and for the typed database handle.
export * from '../audit/schema.ts';
export * from '../../features/strategy/schema.ts';
export * from '../../features/accounts/schema.ts';
export * from '../../features/progress/schema.ts';
export * from '../../features/following/schema.ts';
export * from '../../features/reviews/schema.ts';
export * from '../../features/workforce/schema.ts';
export * from '../../features/governance/schema.ts';
export * from '../../features/engagement/schema.ts';
export * from '../../features/community/schema.ts';
export * from '../../features/drafting/schema.ts';
export * from '../../features/bulletins/schema.ts';
