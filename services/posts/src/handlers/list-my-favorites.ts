import { httpHandler, json, limitParam } from '@live-comments/shared';
import { z } from 'zod';
import { listMyFavorites } from '../domain/favorites';
import { type ServiceDeps, sideEffects } from '../side-effects';

const listQuery = z.object({ limit: limitParam, cursor: z.string().min(1).optional() });

export const listMyFavoritesHandler = (deps: () => ServiceDeps = sideEffects) =>
  httpHandler({ auth: true, query: listQuery }, async ({ query, userId }) =>
    json(200, await listMyFavorites(deps(), { userId, ...query })),
  );

export const handler = listMyFavoritesHandler();
