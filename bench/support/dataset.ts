// Generates a large, realistic strategy dataset for benchmarks: organisations and items as the
// `Table`s import reads (the same shape as a CSV/XLSX file), plus a plain description of every
// item so benchmarks can build filter URLs that are known to match something.
// Deterministic: the same seed gives the same dataset, byte for byte.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ITEM_COLUMNS, ORGANISATION_COLUMNS } from '../../src/features/strategy/forms.ts';
import { ORGANISATION_KINDS, type OrganisationKind } from '../../src/features/strategy/schema.ts';
import { slugify } from '../../src/features/strategy/service.ts';
import { parseCsv, type Table } from '../../src/platform/files/spreadsheet.ts';
import { datasetsDir } from '../../src/platform/paths.ts';
import { Random } from './random.ts';

export interface DatasetOptions {
  organisations: number;
  items: number;
  seed: number;
}

/** What a benchmark needs to know about one generated item (to predict what filters match). */
export interface GeneratedItem {
  code: string;
  area: string;
  type: string;
  /** '' when no status is reported. */
  status: string;
  themes: string[];
  shifts: string[];
  leadSlugs: string[];
  /** Lower-case code, title, summary, target and body: a subset of what free-text search reads. */
  text: string;
}

export interface GeneratedOrganisation {
  name: string;
  slug: string;
  kind: OrganisationKind;
}

export interface Dataset {
  options: DatasetOptions;
  organisationsTable: Table;
  itemsTable: Table;
  organisations: GeneratedOrganisation[];
  items: GeneratedItem[];
  areas: string[];
  themes: string[];
  shifts: string[];
  /** Counts of what the items table links, for the report. */
  links: { leads: number; partners: number; themes: number; priorities: number; shifts: number };
  /** Sum of cell lengths: about the size of the two files as CSV. */
  characters: number;
}

interface DemoDefinition {
  areas: { slug: string }[];
  themes: { slug: string }[];
  priorities: { slug: string }[];
  shifts: { slug: string }[];
}

/* ---------- vocabulary ---------- */

const PLACE_STARTS = ['Ash', 'Bel', 'Brack', 'Brook', 'Castle', 'Elm', 'Fair', 'Glen', 'Hart', 'Kings', 'Lang', 'Marsh', 'Mill', 'Oak', 'Red', 'Stan', 'Thorn', 'West', 'Whit', 'Wood', 'North', 'Sel', 'Hay', 'Lynd'];
const PLACE_ENDS = ['bury', 'field', 'ford', 'ham', 'ley', 'mouth', 'shire', 'stow', 'ton', 'wick', 'worth', 'dale'];
const REGIONS = ['North East', 'North West', 'Yorkshire and the Humber', 'East Midlands', 'West Midlands', 'East of England', 'South East', 'South West', 'London'];
const GOVERNMENT_TOPICS = ['Care Workforce Data', 'Social Care Funding', 'Skills and Apprenticeships', 'Digital Care', 'Care Quality Improvement', 'Community Health', 'Workforce Planning', 'International Recruitment', 'Employment Standards', 'Care Technology', 'Carers and Families', 'Ageing and Independence'];
const PROFESSIONS = ['Care Managers', 'Home Care Workers', 'Social Care Nurses', 'Activity Coordinators', 'Care Educators', 'Dementia Practitioners', 'Occupational Support Workers', 'Care Assessors', 'Personal Assistants', 'Reablement Workers', 'Shared Lives Carers', 'Care Navigators', 'Support Planners', 'Registered Managers', 'Learning Disability Practitioners'];

/** How many of each kind, per 200 organisations. */
const KIND_SHARE: Record<OrganisationKind, number> = {
  central_government: 10,
  regulator: 8,
  local_government: 50,
  nhs: 30,
  workforce_body: 10,
  professional_body: 15,
  provider_body: 20,
  trade_union: 6,
  education_training: 25,
  partnership: 12,
  sector: 8,
  other: 6,
};

const VERBS = ['Develop', 'Introduce', 'Fund', 'Expand', 'Establish', 'Publish', 'Review', 'Strengthen', 'Pilot', 'Embed', 'Agree', 'Extend', 'Create', 'Set out', 'Commission', 'Promote', 'Improve'];

const OBJECTS: Record<string, string[]> = {
  'attract-and-retain': [
    'a fair pay framework for care workers',
    'minimum terms and conditions for home care staff',
    'a national recruitment campaign for adult social care',
    'ethical international recruitment support',
    'flexible working arrangements for frontline staff',
    'a wellbeing offer for care workers and managers',
    'new routes into care work for young people',
    'sick pay and pension entitlements for care workers',
    'career returner schemes for people who left care work',
    'a recognised employer standard for good work',
    'travel time payments for domiciliary care workers',
    'local retention plans in every integrated care system',
    'support for disabled people and carers who want to work in care',
  ],
  train: [
    'the Care Workforce Pathway',
    'a funded learning and development offer',
    'digital skills training for the whole workforce',
    'training for delegated healthcare tasks',
    'apprenticeships in adult social care',
    'a registered manager development programme',
    'nursing associate roles in care homes',
    'a portable record of training and qualifications',
    'dementia and end-of-life care training',
    'induction standards for new starters',
    'continuing professional development for social workers',
    'leadership programmes for deputy and aspiring managers',
    'practice learning placements for students',
  ],
  transform: [
    'a workforce planning duty for local authorities',
    'a central expert body for social care workforce planning',
    'shared workforce data standards',
    'joint planning with NHS workforce plans',
    'a national minimum data set for the whole sector',
    'regular workforce projections for every region',
    'new models of care that use technology well',
    'a long-term funding settlement linked to the workforce strategy',
    'registration of the wider care workforce',
    'integrated career routes across health and care',
    'an annual review of progress against the strategy',
  ],
};

const QUALIFIERS = [
  'for care workers in domiciliary care',
  'across England',
  'in every integrated care system',
  'by the end of 2026',
  'with employers and trade unions',
  'for people who draw on care and support',
  'in rural and coastal areas',
  'within three years',
  'with clear and lasting funding',
  'for small and medium-sized providers',
  'with people who have lived experience of care',
  'alongside the NHS Long Term Workforce Plan',
  'for the regulated professions in social care',
  'so that progress can be measured each year',
  'in partnership with local government',
  'for unpaid carers who move into paid roles',
];

const BENEFITS = [
  'This should help employers keep experienced staff.',
  'The aim is to make care a career people choose and stay in.',
  'Progress will be reported to the Oversight Executive every year.',
  'It builds on work already under way in several regions.',
  'Evidence from the pilots will shape what happens next.',
  'People who draw on care should notice the difference in the quality of support.',
  'Funding needs to be agreed before this can start at scale.',
  'Employers, unions and government will agree the details together.',
];

const BODY_SENTENCES = [
  'Vacancy rates remain high and turnover is costly for providers and for the people they support.',
  'Working groups heard from care workers, managers, people who draw on care and unpaid carers.',
  'The recommendation draws on the data, economics and evidence workstream.',
  'Costed options were tested with commissioners and providers of different sizes.',
  'Delivery depends on sustained funding and on local leadership.',
  'Several areas already run schemes that could be adopted more widely.',
  'Measures of success include retention, vacancy rates and the uptake of training.',
  'The work should be co-produced with the people it affects.',
  'Regional differences in pay and costs need to be taken into account.',
  'A first review of progress is expected within twelve months.',
];

const PROGRESS_NOTES = [
  'Work has started and a first report is due this year.',
  'A pilot is running in three regions.',
  'Funding has been agreed for the first phase.',
  'Guidance has been published and is being adopted.',
  'Discussions with partners are continuing.',
  'Completed: the new arrangements are in place.',
  'Superseded by a later commitment.',
];

/* ---------- generation ---------- */

function date(random: Random, fromYear: number, toYear: number): string {
  const y = random.int(fromYear, toYear);
  const m = random.int(1, 12);
  const d = random.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function acronym(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => /^[A-Z]/.test(w))
    .map((w) => w[0])
    .join('');
}

function organisationName(random: Random, kind: OrganisationKind, place: () => string): string {
  switch (kind) {
    case 'central_government':
      return `${random.pick(['Office for', 'Agency for', 'Unit for'])} ${random.pick(GOVERNMENT_TOPICS)}`;
    case 'regulator':
      return random.chance(0.5) ? `${random.pick(GOVERNMENT_TOPICS)} Standards Authority` : `${place()} Care Inspectorate`;
    case 'local_government':
      return `${place()} ${random.pick(['County Council', 'City Council', 'Borough Council', 'District Council'])}`;
    case 'nhs':
      return random.weighted([
        [`NHS ${place()} Integrated Care Board`, 2],
        [`${place()} Community Health NHS Trust`, 2],
        [`${place()} and ${place()} NHS Foundation Trust`, 1],
      ]);
    case 'workforce_body':
      return random.chance(0.6) ? `${place()} Care Skills Partnership` : `${random.pick(REGIONS)} Workforce Development Board`;
    case 'professional_body':
      return `${random.pick(['Institute of', 'Association of', 'College of', 'Society of'])} ${random.pick(PROFESSIONS)}`;
    case 'provider_body':
      return `${place()} ${random.pick(['Care Providers Association', 'Home Care Alliance', 'Care Home Forum'])}`;
    case 'trade_union':
      return `${random.pick(['United', 'National', 'Independent', 'Allied'])} ${random.pick(['Care Workers', 'Support Staff', 'Health and Care Staff'])} Union`;
    case 'education_training':
      return random.weighted([
        [`${place()} College`, 3],
        [`University of ${place()}`, 1],
        [`${place()} Training Academy`, 2],
      ]);
    case 'partnership':
      return random.chance(0.6) ? `${place()} Care Workforce Partnership` : `${random.pick(REGIONS)} Care Careers Partnership`;
    case 'sector':
      return `${place()} ${random.pick(['Care Employers Network', 'Voluntary Care Sector Forum'])}`;
    case 'other':
      return `${place()} ${random.pick(['Carers Centre', 'Community Voice', 'Community Trust'])}`;
  }
}

function title(random: Random, area: string): string {
  let text = `${random.pick(VERBS)} ${random.pick(OBJECTS[area]!)}`;
  const used = new Set<string>();
  // One or two qualifiers, until it reads like a real title (60 characters or more).
  while (text.length < 60 || (used.size < 2 && random.chance(0.25))) {
    const q = random.pick(QUALIFIERS);
    if (used.has(q)) continue;
    used.add(q);
    text += used.size === 1 ? ` ${q}` : ` and ${q}`;
  }
  return text;
}

function summary(random: Random, lead: string, area: string): string {
  const first = `${lead} will ${random.pick(VERBS).toLowerCase()} ${random.pick(OBJECTS[area]!)} ${random.pick(QUALIFIERS)}.`;
  const withBenefit = `${first} ${random.pick(BENEFITS)}`;
  const text = withBenefit.length <= 300 && random.chance(0.8) ? withBenefit : first;
  return text.length >= 60 ? text : `${text} ${random.pick(BENEFITS)}`.slice(0, 300);
}

function body(random: Random): string {
  const paragraphs = random.int(1, 3);
  return Array.from({ length: paragraphs }, () => random.sample(BODY_SENTENCES, random.int(2, 3)).join(' ')).join('\n\n');
}

export function generateDataset(options: DatasetOptions): Dataset {
  const random = new Random(options.seed);
  const folder = path.join(datasetsDir, 'demo-strategy');
  const definition = JSON.parse(readFileSync(path.join(folder, 'strategy.json'), 'utf8')) as DemoDefinition;
  const demoOrganisations = parseCsv(readFileSync(path.join(folder, 'organisations.csv')));
  const areas = definition.areas.map((a) => a.slug);
  const themes = definition.themes.map((t) => t.slug);
  const priorities = definition.priorities.map((t) => t.slug);
  const shifts = definition.shifts.map((t) => t.slug);

  // Names, short names and slugs already taken by the demo strategy's organisations.
  const takenNames = new Set<string>();
  const takenSlugs = new Set<string>();
  for (const { values } of demoOrganisations.rows) {
    for (const v of [values.name, values.short_name]) if (v) takenNames.add(v.toLowerCase());
    if (values.name) takenSlugs.add(slugify(values.name));
  }

  /* organisations */
  const places = random.shuffle(PLACE_STARTS.flatMap((s) => PLACE_ENDS.map((e) => `${s}${e}`)));
  let nextPlace = 0;
  const place = () => places[nextPlace++ % places.length]!;
  const totalShare = Object.values(KIND_SHARE).reduce((a, b) => a + b, 0);
  const kinds: OrganisationKind[] = [];
  for (const kind of ORGANISATION_KINDS) {
    const n = Math.round((KIND_SHARE[kind] / totalShare) * options.organisations);
    for (let i = 0; i < n; i++) kinds.push(kind);
  }
  while (kinds.length < options.organisations) kinds.push('other');
  kinds.length = options.organisations;

  const organisations: GeneratedOrganisation[] = [];
  const organisationRows: Record<string, string>[] = [];
  for (const kind of random.shuffle(kinds)) {
    let name = organisationName(random, kind, place);
    for (let n = 2; takenNames.has(name.toLowerCase()) || takenSlugs.has(slugify(name)); n++) {
      name = n < 20 ? organisationName(random, kind, place) : `${organisationName(random, kind, place)} ${n}`;
    }
    const slug = slugify(name);
    takenNames.add(name.toLowerCase());
    takenSlugs.add(slug);
    let shortName = '';
    const candidate = acronym(name);
    if (random.chance(0.4) && candidate.length >= 3 && !takenNames.has(candidate.toLowerCase())) {
      shortName = candidate;
      takenNames.add(candidate.toLowerCase());
    }
    const isGovernment = kind === 'central_government' || (kind === 'regulator' && random.chance(0.3));
    organisations.push({ name, slug, kind });
    organisationRows.push({
      name,
      short_name: shortName,
      kind,
      is_government: isGovernment ? 'yes' : 'no',
      website: random.chance(0.6) ? `https://www.${slug}.example.org.uk` : '',
    });
  }

  /* items */
  // A few organisations lead many items and most lead a handful, as in real strategies.
  const popularity = organisations.map((o, rank) => [o, 1 / (rank + 4)] as const);
  const counters = new Map(areas.map((a) => [a, 0]));
  const prefixes = new Map(areas.map((a) => [a, a === 'attract-and-retain' ? 'AR' : a === 'train' ? 'TR' : a === 'transform' ? 'TX' : a.slice(0, 2).toUpperCase()]));
  const items: GeneratedItem[] = [];
  const itemRows: Record<string, string>[] = [];
  const links = { leads: 0, partners: 0, themes: 0, priorities: 0, shifts: 0 };
  for (let i = 0; i < options.items; i++) {
    const area = random.weighted([
      [areas[0]!, 40],
      [areas[1] ?? areas[0]!, 35],
      [areas[2] ?? areas[0]!, 25],
    ]);
    const n = counters.get(area)! + 1;
    counters.set(area, n);
    const code = `${prefixes.get(area)}-${String(n).padStart(4, '0')}`;

    const leadCount = random.weighted([[1, 60], [2, 30], [3, 10]] as const);
    const leads = new Set<GeneratedOrganisation>();
    while (leads.size < leadCount) leads.add(random.weighted(popularity));
    const partnerCount = random.weighted([[0, 30], [1, 30], [2, 25], [3, 15]] as const);
    const partners = new Set<GeneratedOrganisation>();
    while (partners.size < partnerCount) {
      const o = random.weighted(popularity);
      if (!leads.has(o)) partners.add(o);
    }
    const itemThemes = random.sample(themes, random.weighted([[0, 15], [1, 45], [2, 30], [3, 10]] as const));
    const itemPriorities = random.chance(0.3) ? random.sample(priorities, 1) : [];
    const itemShifts = random.sample(shifts, random.weighted([[0, 55], [1, 35], [2, 10]] as const));
    const type = random.weighted([['recommendation', 65], ['commitment', 30], ['', 5]] as const);
    const status = random.weighted([['', 35], ['not_started', 15], ['in_progress', 30], ['complete', 15], ['retired', 5]] as const);
    const hasNote = status !== '' && status !== 'not_started' && random.chance(0.7);
    const leadList = [...leads];
    const values: Record<string, string> = {
      code,
      type,
      title: title(random, area),
      summary: summary(random, leadList[0]!.name, area),
      area,
      lead_organisations: leadList.map((o) => o.name).join('; '),
      partner_organisations: [...partners].map((o) => o.name).join('; '),
      target: random.weighted([['', 20], ['Ongoing', 20], ['2025', 10], ['2026', 15], ['By March 2027', 15], ['2025, ongoing', 10], ['Within five years', 10]] as const),
      target_date: random.chance(0.25) ? date(random, 2025, 2030) : '',
      government_role: random.weighted([['', 25], ['none', 30], ['shared', 30], ['government_only', 15]] as const),
      status,
      progress_note: hasNote ? random.pick(PROGRESS_NOTES) : '',
      progress_as_of: hasNote ? date(random, 2025, 2025) : '',
      themes: itemThemes.join('; '),
      priorities: itemPriorities.join('; '),
      shifts: itemShifts.join('; '),
      body: random.chance(0.3) ? body(random) : '',
    };
    for (const column of ['title', 'summary'] as const) {
      const length = values[column]!.length;
      if (length < 60 || length > 300) throw new Error(`generated ${column} of ${length} characters for ${code}`);
    }
    links.leads += leads.size;
    links.partners += partners.size;
    links.themes += itemThemes.length;
    links.priorities += itemPriorities.length;
    links.shifts += itemShifts.length;
    itemRows.push(values);
    items.push({
      code,
      area,
      type,
      status,
      themes: itemThemes,
      shifts: itemShifts,
      leadSlugs: leadList.map((o) => o.slug),
      text: [code, values.title, values.summary, values.target, values.body].join(' ').toLowerCase().replace(/\s+/g, ' '),
    });
  }

  const toTable = (columns: readonly string[], rows: Record<string, string>[]): Table => ({
    columns: [...columns],
    rows: rows.map((values, i) => ({ rowNumber: i + 2, values })),
  });
  const characters = [...organisationRows, ...itemRows].reduce(
    (sum, row) => sum + Object.values(row).reduce((s, v) => s + v.length + 1, 0),
    0,
  );
  return {
    options,
    organisationsTable: toTable(ORGANISATION_COLUMNS, organisationRows),
    itemsTable: toTable(ITEM_COLUMNS, itemRows),
    organisations,
    items,
    areas,
    themes,
    shifts,
    links,
    characters,
  };
}
