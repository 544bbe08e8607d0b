// Following an item by email: the form (linked from the item page), the "check your email"
// page, the confirmation link (a button, so mail scanners opening links confirm nothing), and
// the stop link, which also takes RFC 8058 one-click posts from mail clients.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { actorFor } from '../accounts/routes.ts';
import { itemCodeParams } from '../strategy/forms.ts';
import type { StrategyService } from '../strategy/service.ts';
import { followForm, linkParams } from './forms.ts';
import { CONFIRM_HOURS, type FollowingService } from './service.ts';

export async function followingRoutes(
  app: FastifyInstance,
  { following, strategy, rateLimit }: { following: FollowingService; strategy: StrategyService; rateLimit: number },
): Promise<void> {
  const access = 'items.follow' as const;
  const limited = { access, rateLimit: { max: rateLimit, timeWindow: '1 minute' } };

  const itemFor = async (params: unknown) => {
    const parsed = itemCodeParams.safeParse(params);
    const item = parsed.success ? await strategy.itemRef(parsed.data.code) : undefined;
    if (!item || item.status === 'retired') throw new NotFoundError('item');
    return item;
  };

  const linkToken = (params: unknown): string | undefined => {
    const parsed = linkParams.safeParse(params);
    return parsed.success ? parsed.data.token : undefined;
  };

  const expired = (reply: FastifyReply, kind: 'confirm' | 'stop') =>
    reply.page('following/views/message.njk', { title: kind === 'confirm' ? 'This link has expired or has been used' : 'You are not following this item', kind: `${kind}-gone`, confirmHours: CONFIRM_HOURS }, { status: 404 });

  app.get('/recommendations/:code/follow', { config: { access } }, async (request, reply) => {
    const item = await itemFor(request.params);
    return reply.page('following/views/follow.njk', { title: `Get emails about ${item.code}`, item, confirmHours: CONFIRM_HOURS, ...formState({}, []) });
  });

  app.post('/recommendations/:code/follow', { config: limited }, async (request, reply) => {
    const item = await itemFor(request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { data, problems } = parseForm(followForm, body);
    if (!data) {
      return reply.page('following/views/follow.njk', { title: `Get emails about ${item.code}`, item, confirmHours: CONFIRM_HOURS, ...formState({ email: typeof body.email === 'string' ? body.email : '' }, problems) }, { status: 400 });
    }
    await following.request(actorFor(request), item.code, data.email);
    // The same page whether the address is new, waiting or already following.
    return reply.page('following/views/message.njk', { title: 'Check your email', kind: 'sent', item, email: data.email, confirmHours: CONFIRM_HOURS });
  });

  app.get('/follow/confirm/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const target = token ? await following.confirmation(token) : undefined;
    if (!token || !target) return expired(reply, 'confirm');
    return reply.page('following/views/action.njk', { title: `Confirm emails about ${target.item.code}`, kind: 'confirm', target, action: `/follow/confirm/${token}` });
  });

  app.post('/follow/confirm/:token', { config: limited }, async (request, reply) => {
    const token = linkToken(request.params);
    const target = token ? await following.confirm(actorFor(request), token) : undefined;
    if (!target) return expired(reply, 'confirm');
    return reply.page('following/views/message.njk', { title: `You are following ${target.item.code}`, kind: 'confirmed', item: target.item });
  });

  app.get('/follow/stop/:token', { config: { access } }, async (request, reply) => {
    const token = linkToken(request.params);
    const target = token ? await following.stopTarget(token) : undefined;
    if (!token || !target) return expired(reply, 'stop');
    return reply.page('following/views/action.njk', { title: `Stop emails about ${target.item.code}?`, kind: 'stop', target, action: `/follow/stop/${token}` });
  });

  // The token in the address is the proof: mail clients post here with no form and no cookie
  // (RFC 8058 one-click), so this is the one form without a CSRF token.
  app.post('/follow/stop/:token', { config: { ...limited, signedLink: true } }, async (request, reply) => {
    const token = linkToken(request.params);
    const target = token ? await following.stopTarget(token) : undefined;
    if (!token || !target) return expired(reply, 'stop');
    await following.stop(actorFor(request), token);
    return reply.page('following/views/message.njk', { title: 'You will not get more emails', kind: 'stopped', item: target.item });
  });
}
