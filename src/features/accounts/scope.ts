// Routes scoped to one organisation (`/…/:organisation/…`): the organisation the address
// names, if the signed-in person or token may act on it under the permission table's
// own-organisation rule. 404 for no such organisation, 403 for someone else's.
import { can, type Access } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import type { OrganisationRecord } from '../strategy/repository.ts';
import type { StrategyService } from '../strategy/service.ts';

export async function organisationInScope(strategy: StrategyService, user: CurrentUser | null, slug: string, access: Access): Promise<OrganisationRecord> {
  const organisation = (await strategy.choices()).organisations.find((o) => o.slug === slug);
  if (!organisation) throw new NotFoundError('organisation');
  if (!can(user, access, { organisationId: organisation.id })) throw new ForbiddenError('You can see and change only your own organisation’s work.');
  return organisation;
}
