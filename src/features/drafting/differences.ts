// What changed between two versions of a draft, field by field, as word-level insertions and
// deletions (jsdiff's diffWords). The HTML is built here, every piece of draft text escaped:
// <ins> and <del> carry the change, with visually hidden words so a screen reader says it too.
import { diffWords } from 'diff';
import { FIELD_LABELS } from './labels.ts';
import type { VersionView } from './service.ts';

export interface FieldDifference {
  field: keyof typeof FIELD_LABELS;
  label: string;
  changed: boolean;
  /** Safe HTML: the newer text with insertions and deletions marked. */
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A version's fields as the text compared. */
function fieldText(v: VersionView): Record<keyof typeof FIELD_LABELS, string> {
  return {
    title: v.title,
    rationale: v.rationale,
    leads: v.leads.map((o) => o.name).join(', '),
    area: v.area?.name ?? '',
    themes: v.themes.map((t) => t.name).join(', '),
    targetText: v.targetText,
  };
}

/** One field's text from `before` to `after`, marked up. Line breaks are kept as <br>. */
export function markedDifference(before: string, after: string): { changed: boolean; html: string } {
  const lines = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>');
  let changed = false;
  const html = diffWords(before, after)
    .map((part) => {
      if (part.added) {
        changed = true;
        return `<ins class="app-diff__added"><span class="govuk-visually-hidden">[added: </span>${lines(part.value)}<span class="govuk-visually-hidden">]</span></ins>`;
      }
      if (part.removed) {
        changed = true;
        return `<del class="app-diff__removed"><span class="govuk-visually-hidden">[removed: </span>${lines(part.value)}<span class="govuk-visually-hidden">]</span></del>`;
      }
      return lines(part.value);
    })
    .join('');
  return { changed, html };
}

/** Every field of the two versions, in form order, each with its marked-up difference. */
export function versionDifferences(before: VersionView, after: VersionView): FieldDifference[] {
  const a = fieldText(before);
  const b = fieldText(after);
  return (Object.keys(FIELD_LABELS) as (keyof typeof FIELD_LABELS)[]).map((field) => ({ field, label: FIELD_LABELS[field], ...markedDifference(a[field], b[field]) }));
}
