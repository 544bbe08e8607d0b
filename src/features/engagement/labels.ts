// Words for engagement's codes, as people read them.
import { REGIONS } from '../../model/types.ts';
import type { EngagementKind, EngagementRegion } from './schema.ts';

export const KIND_LABELS: Record<EngagementKind, { text: string; plural: string }> = {
  roundtable: { text: 'Roundtable', plural: 'Roundtables' },
  network_discussion: { text: 'Network discussion', plural: 'Network discussions' },
  workshop: { text: 'Workshop', plural: 'Workshops' },
  survey: { text: 'Survey', plural: 'Surveys' },
  event: { text: 'Event', plural: 'Events' },
};

export const REGION_LABELS: Record<EngagementRegion, string> = {
  national: 'National (England)',
  ...(Object.fromEntries(REGIONS.map((r) => [r.code, r.name])) as Record<Exclude<EngagementRegion, 'national'>, string>),
};
