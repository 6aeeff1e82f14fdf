/** A few lines instead of a framework: build elements, replace children, format times. */

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/**
 * `h('button', { 'data-testid': 'x', onclick: fn }, 'Label')`: attributes by name,
 * `on*` functions as listeners, `true` as an empty attribute, `false`/undefined left out.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  element.append(...nodes(children));
  return element;
};

const nodes = (children: Child[]): (Node | string)[] =>
  children.flatMap((child) =>
    child === null || child === undefined || child === false
      ? []
      : [child instanceof Node ? child : String(child)],
  );

export const replaceChildren = (parent: Element, ...children: Child[]) =>
  parent.replaceChildren(...nodes(children));

export const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element;
};

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const time = (iso: string) =>
  h('time', { datetime: iso, title: iso }, timeFormat.format(new Date(iso)));

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;
