/**
 * Compatibility of a contract version's JSON Schema with the one published
 * before. Consumers of a version, and replays from the bus archive, rely on
 * what was published: a change may only ADD optional properties. Removing a
 * property, making one optional or required, or changing a type, format,
 * enum, pattern or bound (narrowing or widening) is breaking.
 */
type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const constraintKeys = (schema: Schema) =>
  Object.keys(schema).filter(
    (key) => key !== 'properties' && key !== 'required' && key !== 'items' && key !== 'description',
  );

export const breakingChanges = (published: unknown, current: unknown, path = '$'): string[] => {
  if (!isObject(published) || !isObject(current)) {
    return JSON.stringify(published) === JSON.stringify(current) ? [] : [`${path}: schema changed`];
  }
  const problems: string[] = [];
  for (const key of new Set([...constraintKeys(published), ...constraintKeys(current)])) {
    if (JSON.stringify(published[key]) !== JSON.stringify(current[key])) {
      problems.push(
        `${path}: "${key}" changed from ${JSON.stringify(published[key])} to ${JSON.stringify(current[key])}`,
      );
    }
  }
  const publishedRequired = new Set((published.required as string[] | undefined) ?? []);
  const currentRequired = new Set((current.required as string[] | undefined) ?? []);
  const publishedProps = (published.properties as Schema | undefined) ?? {};
  const currentProps = (current.properties as Schema | undefined) ?? {};
  for (const [name, schema] of Object.entries(publishedProps)) {
    if (!(name in currentProps)) {
      problems.push(`${path}.${name}: removed`);
      continue;
    }
    if (publishedRequired.has(name) !== currentRequired.has(name)) {
      problems.push(
        `${path}.${name}: ${publishedRequired.has(name) ? 'no longer required' : 'became required'}`,
      );
    }
    problems.push(...breakingChanges(schema, currentProps[name], `${path}.${name}`));
  }
  for (const name of Object.keys(currentProps)) {
    if (!(name in publishedProps) && currentRequired.has(name)) {
      problems.push(`${path}.${name}: added as required (old events and replays lack it)`);
    }
  }
  if (published.items !== undefined || current.items !== undefined) {
    problems.push(...breakingChanges(published.items, current.items, `${path}[]`));
  }
  return problems;
};
