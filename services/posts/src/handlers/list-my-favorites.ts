import { httpHandler, json, limitParam } from '@live-comments/shared';
import { z } from 'zod';
import { type FavoritesDeps, listMyFavorites } from '../domain/favorites';
import { postsSideEffects } from '../side-effects';

const listQuery = z.object({ limit: limitParam, cursor: z.string().min(1).optional() });

export const buildListMyFavoritesHandler = (deps: FavoritesDeps) =>
  httpHandler({ auth: true, query: listQuery }, async ({ query, userId }) =>
    json(200, await listMyFavorites(deps, { userId, ...query })),
  );

export const handler = buildListMyFavoritesHandler(postsSideEffects());
