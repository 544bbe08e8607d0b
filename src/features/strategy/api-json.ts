// The API's JSON for items and organisations, typed by the zod response schemas in forms.ts.
import type { z } from 'zod';
import type { itemResponse, itemSummaryResponse, organisationResponse } from './forms.ts';
import type { OrganisationRecord } from './repository.ts';
import type { ItemDetail, ItemSummary } from './service.ts';

type ItemSummaryJson = z.output<typeof itemSummaryResponse>;
type ItemJson = z.output<typeof itemResponse>;
type OrganisationJson = z.output<typeof organisationResponse>;

const organisationRef = (o: OrganisationRecord) => ({ slug: o.slug, name: o.name, short_name: o.shortName });
const termRef = (t: { slug: string; name: string }) => ({ slug: t.slug, name: t.name });

export function itemSummaryJson(item: ItemSummary): ItemSummaryJson {
  return {
    code: item.code,
    type: item.kind,
    title: item.title,
    summary: item.summary,
    area: termRef(item.area),
    status: item.status,
    target: item.targetText,
    target_date: item.targetDate,
    government_role: item.governmentRole,
    leads: item.leads.map(organisationRef),
    url: `/recommendations/${item.code}`,
  };
}

export function itemJson(item: ItemDetail): ItemJson {
  return {
    ...itemSummaryJson(item),
    body: item.body,
    partners: item.partners.map(organisationRef),
    themes: item.themes.map(termRef),
    priorities: item.priorities.map(termRef),
    shifts: item.shifts.map(termRef),
    progress_note: item.progressNote,
    progress_as_of: item.progressAsOf,
    version: item.version,
    updated_at: item.updatedAt.toISOString(),
  };
}

export function organisationJson(o: OrganisationRecord, lead: number, partner: number): OrganisationJson {
  return {
    slug: o.slug,
    name: o.name,
    short_name: o.shortName,
    kind: o.kind,
    is_government: o.isGovernment,
    website: o.website,
    items_led: lead,
    items_supported: partner,
  };
}
