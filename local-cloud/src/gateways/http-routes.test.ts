import { describe, expect, it } from 'vitest';
import { route } from '../testing';
import { createHttpRouter } from './http-routes';

describe('createHttpRouter', () => {
  const router = createHttpRouter([
    route('ANY', '/{proxy+}', 'anyProxy'),
    route('GET', '/pets/{proxy+}', 'petsProxy'),
    route('GET', '/pets/{id}', 'petById'),
    route('GET', '/pets/dog/{id}', 'dogById'),
    route('GET', '/pets/dog/1', 'dogOne'),
    route('ANY', '/pets/dog/2', 'anyDogTwo'),
    route('POST', '/pets', 'createPet'),
    route('GET', '/api/v1/posts/{postId}/comments/{commentId}', 'getComment'),
    route('ANY', '/things/{id}', 'anyThing'),
    route('DELETE', '/things/{id}', 'deleteThing'),
    route('GET', '*', 'fallback'),
  ]);
  const functionFor = (method: string, path: string) => router.match(method, path)?.route.functionKey;

  it('prefers the exact path and method', () => {
    expect(functionFor('GET', '/pets/dog/1')).toBe('dogOne');
    expect(functionFor('POST', '/pets')).toBe('createPet');
  });

  it('prefers a literal segment over a path variable', () => {
    expect(functionFor('GET', '/pets/dog/7')).toBe('dogById');
    expect(functionFor('GET', '/pets/cat')).toBe('petById');
  });

  it('prefers a path variable over a greedy variable', () => {
    expect(functionFor('GET', '/pets/cat/7')).toBe('petsProxy');
    expect(router.match('GET', '/pets/cat/7/x')?.pathParameters).toEqual({ proxy: 'cat/7/x' });
  });

  it('prefers the method over ANY on the same path', () => {
    expect(functionFor('DELETE', '/things/1')).toBe('deleteThing');
    expect(functionFor('PATCH', '/things/1')).toBe('anyThing');
  });

  it('matches ANY routes for every method', () => {
    expect(functionFor('DELETE', '/pets/dog/2')).toBe('anyDogTwo');
    expect(functionFor('POST', '/pets/cat/1')).toBe('anyProxy');
  });

  it('falls back to the $default route', () => {
    expect(functionFor('GET', '/')).toBe('fallback');
    expect(router.match('GET', '/')?.route.routeKey).toBe('$default');
  });

  it('gives URL-decoded path parameters', () => {
    expect(router.match('GET', '/api/v1/posts/a%20b/comments/c%2Fd')?.pathParameters).toEqual({
      postId: 'a b',
      commentId: 'c/d',
    });
  });

  it('needs at least one segment for a greedy variable', () => {
    const greedyOnly = createHttpRouter([route('GET', '/files/{path+}', 'files')]);
    expect(greedyOnly.match('GET', '/files')).toBeUndefined();
    expect(greedyOnly.match('GET', '/files/a/b')?.pathParameters).toEqual({ path: 'a/b' });
  });

  it('finds nothing without a $default route', () => {
    const router = createHttpRouter([route('GET', '/pets', 'pets')]);
    expect(router.match('GET', '/cats')).toBeUndefined();
    expect(router.match('POST', '/pets')).toBeUndefined();
    expect(router.match('GET', '/pets/')).toBeUndefined();
  });

  it('finds the route of a path whatever the method', () => {
    const router = createHttpRouter([route('POST', '/pets/{id}', 'pet', { apiId: 'petsApi' })]);
    expect(router.matchPath('/pets/1')?.route.apiId).toBe('petsApi');
    expect(router.matchPath('/cats/1')).toBeUndefined();
  });
});
